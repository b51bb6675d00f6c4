"""Softmax cross-entropy with label smoothing, class weights, probability targets and
ignore_index: lossref against PyTorch, optax and Keras 3.

Each test name and docstring states the claim it checks; the book's label smoothing page
cites them. Agreement is equality to ``rtol=1e-12`` on float64 (``tests.frameworks.agreement``);
where a library uses another convention the exact relationship is asserted.

* PyTorch ``F.cross_entropy`` is lossref's ``softmax_cross_entropy`` for every combination of
  ``label_smoothing``, ``weight``, ``ignore_index``, index or probability targets and
  reduction, gradients included.  Its weighted mean divides by ``sum_i w[y_i]`` for index
  targets but by N for probability targets, so one-hot float rows give ``sum_i w[y_i] / N``
  times the index result.  Where that divisor is 0 PyTorch returns nan (lossref raises);
  PyTorch accepts negative weights and targets that are not distributions, and treats a
  negative label_smoothing as 0 (lossref refuses all three).
* optax: ``smooth_labels(onehot, eps)`` is ``(1 - eps) onehot + eps / C``, and
  ``losses.softmax_cross_entropy`` / ``softmax_cross_entropy_with_integer_labels`` are
  lossref's per-example losses (no reduction).
* Keras 3 (jax backend): ``CategoricalCrossentropy(from_logits=True, label_smoothing=eps)``
  (truth first) smooths the same way and averages over N, in float32 unless the loss is
  built with ``dtype="float64"``; from probabilities it clips them to [1e-7, 1 - 1e-7], so
  a zero probability costs ``-(eps / C) ln 1e-7`` instead of infinity.  A ``sample_weight``
  multiplies each example's smoothed loss (not each class term) and the default reduction
  divides by N; ``SparseCategoricalCrossentropy(ignore_class=k)`` is lossref's
  ``ignore_index`` mean, and 0 where every example is ignored.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lossref
from tests.frameworks.agreement import as_numpy, as_tensor, close

SEED = 161803
REDUCTIONS = ("mean", "sum", "none")
F32_RTOL = 4 * float(np.finfo(np.float32).eps)


@pytest.fixture
def data():
    """Scores (N, C), index labels (N,) with one example of class 1 and one ignored slot,
    probability targets (N, C) with some zero entries, class weights (C,)."""
    rng = np.random.default_rng(SEED)
    n, c = 12, 5
    scores = rng.normal(0, 3, (n, c))
    labels = rng.integers(0, c, n)
    labels[:2] = (1, 3)
    raw = rng.random((n, c)) * (rng.random((n, c)) > 0.3)
    raw[:, 0] += 0.05
    probs = raw / raw.sum(axis=1, keepdims=True)
    weights = rng.uniform(0.2, 3.0, c)
    return scores, labels, probs, weights


# --------------------------------------------------------------------------- #
# PyTorch
# --------------------------------------------------------------------------- #
def _torch_loss_and_grad(torch, scores, target, reduction, **kw):
    x = as_tensor(torch, scores, grad=True)
    out = torch.nn.functional.cross_entropy(x, target, reduction=reduction, **kw)
    value = as_numpy(out)
    out.sum().backward()  # "none": the gradient of the sum, which lossref returns
    return value, x.grad.numpy()


def _torch_kw(torch, eps, weights):
    kw = {"label_smoothing": eps}
    if weights is not None:
        kw["weight"] = as_tensor(torch, weights)
    return kw


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore_index", [None, 1, -100])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.6, 1.0])
def test_index_targets_equal_torch_cross_entropy(
    torch, data, eps, weighted, ignore_index, reduction
):
    """F.cross_entropy(x, y, weight=w, label_smoothing=eps, ignore_index=k) ==
    lossref.softmax_cross_entropy(x, y, weights=w, label_smoothing=eps, ignore_index=k) for
    every reduction: the weighted mean divides by sum_i w[y_i] over the kept examples, even
    with smoothing; ignored examples are 0 in "none". Gradients by autograd agree."""
    scores, labels, _, weights = data
    w = weights if weighted else None
    y = labels.copy()
    if ignore_index == -100:
        y[[2, 5]] = -100
    kw = _torch_kw(torch, eps, w)
    if ignore_index is not None:
        kw["ignore_index"] = ignore_index
    value, expected_grad = _torch_loss_and_grad(torch, scores, torch.tensor(y), reduction, **kw)
    opts = {"label_smoothing": eps, "weights": w, "ignore_index": ignore_index}
    close(lossref.softmax_cross_entropy(scores, y, reduction=reduction, **opts), value)
    close(lossref.softmax_cross_entropy_grad(scores, y, reduction=reduction, **opts), expected_grad)
    if ignore_index is not None and reduction == "none":
        assert np.all(value[y == ignore_index] == 0.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("eps", [0.0, 0.2, 1.0])
def test_probability_targets_equal_torch_cross_entropy(torch, data, eps, weighted, reduction):
    """F.cross_entropy(x, q) with float targets q of the scores' shape: the target is
    smoothed too ((1 - eps) q + eps / C), each class term is weighted by w_c, and the mean
    divides by N even with weights. Gradients by autograd agree."""
    scores, _, probs, weights = data
    w = weights if weighted else None
    value, expected_grad = _torch_loss_and_grad(
        torch, scores, as_tensor(torch, probs), reduction, **_torch_kw(torch, eps, w)
    )
    opts = {"label_smoothing": eps, "weights": w}
    close(lossref.softmax_cross_entropy(scores, probs, reduction=reduction, **opts), value)
    close(
        lossref.softmax_cross_entropy_grad(scores, probs, reduction=reduction, **opts),
        expected_grad,
    )


@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_torch_weighted_mean_of_onehot_rows_is_not_that_of_indices(torch, data, eps):
    """With weights, F.cross_entropy's mean of one-hot float rows is sum_i w[y_i] / N times
    its mean of the same labels as indices (it divides by N, not by sum_i w[y_i]); "sum" and
    "none" agree. lossref shows the same difference."""
    F = torch.nn.functional
    scores, labels, _, weights = data
    onehot = np.eye(scores.shape[1])[labels]
    x, wt = as_tensor(torch, scores), as_tensor(torch, weights)
    by_index = as_numpy(F.cross_entropy(x, torch.tensor(labels), weight=wt, label_smoothing=eps))
    by_rows = as_numpy(F.cross_entropy(x, as_tensor(torch, onehot), weight=wt, label_smoothing=eps))
    ratio = weights[labels].sum() / len(labels)
    assert abs(ratio - 1) > 0.05
    close(by_rows, by_index * ratio)
    kw = {"weights": weights, "label_smoothing": eps}
    close(lossref.softmax_cross_entropy(scores, onehot, **kw), by_rows)
    close(lossref.softmax_cross_entropy(scores, labels, **kw), by_index)
    for reduction in ("sum", "none"):
        close(
            as_numpy(
                F.cross_entropy(
                    x, as_tensor(torch, onehot), weight=wt, label_smoothing=eps, reduction=reduction
                )
            ),
            as_numpy(
                F.cross_entropy(
                    x, torch.tensor(labels), weight=wt, label_smoothing=eps, reduction=reduction
                )
            ),
        )


def test_torch_single_example_mean_cancels_its_class_weight(torch, data):
    """An unbatched example (C,) with a class weight: torch's "mean" is the unweighted loss
    (w_y L / w_y), its "sum" is w_y L; lossref's single example does the same."""
    F = torch.nn.functional
    scores, labels, _, weights = data
    s, y = scores[0], int(labels[0])
    x, wt = as_tensor(torch, s), as_tensor(torch, weights)
    plain = lossref.softmax_cross_entropy(s, y)
    close(as_numpy(F.cross_entropy(x, torch.tensor(y), weight=wt)), plain)
    close(
        as_numpy(F.cross_entropy(x, torch.tensor(y), weight=wt, reduction="sum")),
        weights[y] * plain,
    )
    close(lossref.softmax_cross_entropy(s, y, weights=weights), plain)
    close(lossref.softmax_cross_entropy(s, y, weights=weights, reduction="sum"), weights[y] * plain)


def test_torch_returns_nan_where_lossref_refuses(torch, data):
    """A weighted mean with a zero divisor (every example ignored, or the labels' weights all
    0) is nan in torch and a ValueError in lossref; both give 0 for "sum"."""
    F = torch.nn.functional
    scores, labels, _, weights = data
    x = as_tensor(torch, scores)
    all_one = np.ones_like(labels)
    assert math.isnan(as_numpy(F.cross_entropy(x, torch.tensor(all_one), ignore_index=1)))
    with pytest.raises(ValueError, match="every example is ignored"):
        lossref.softmax_cross_entropy(scores, all_one, ignore_index=1)
    zero_w = weights.copy()
    zero_w[np.unique(labels)] = 0.0
    assert math.isnan(
        as_numpy(F.cross_entropy(x, torch.tensor(labels), weight=as_tensor(torch, zero_w)))
    )
    with pytest.raises(ValueError, match="weights of the labels' classes sum to 0"):
        lossref.softmax_cross_entropy(scores, labels, weights=zero_w)
    assert (
        as_numpy(F.cross_entropy(x, torch.tensor(all_one), ignore_index=1, reduction="sum")) == 0.0
    )
    assert lossref.softmax_cross_entropy(scores, all_one, ignore_index=1, reduction="sum") == 0.0


def test_torch_accepts_what_lossref_refuses(torch, data):
    """torch computes -sum_c w_c t_c log p_c for negative weights and for targets that are
    not distributions (here twice a distribution: twice the loss); lossref refuses both."""
    F = torch.nn.functional
    scores, labels, probs, weights = data
    x = as_tensor(torch, scores)
    neg = weights.copy()
    neg[0] = -1.0
    ell = -lossref.log_softmax(scores)
    per = neg[labels] * ell[np.arange(len(labels)), labels]
    close(
        as_numpy(F.cross_entropy(x, torch.tensor(labels), weight=as_tensor(torch, neg))),
        per.sum() / neg[labels].sum(),
    )
    with pytest.raises(ValueError, match="weights must be >= 0"):
        lossref.softmax_cross_entropy(scores, labels, weights=neg)
    close(
        as_numpy(F.cross_entropy(x, as_tensor(torch, 2 * probs))),
        2 * lossref.softmax_cross_entropy(scores, probs),
    )
    with pytest.raises(ValueError, match="labels must"):
        lossref.softmax_cross_entropy(scores, 2 * probs)


def test_torch_refuses_what_lossref_refuses(torch, data):
    """Both refuse label_smoothing above 1, ignore_index with probability targets (torch:
    when it is >= 0) and integer rows with the scores' shape.  A negative label_smoothing
    is refused by lossref only: torch silently treats it as 0 (no smoothing), for index and
    for probability targets."""
    F = torch.nn.functional
    scores, labels, probs, _ = data
    x, y = as_tensor(torch, scores), torch.tensor(labels)
    with pytest.raises(RuntimeError, match=r"label_smoothing must be between 0\.0 and 1\.0"):
        F.cross_entropy(x, y, label_smoothing=1.5)
    for eps in (-0.1, 1.5):
        with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\]"):
            lossref.softmax_cross_entropy(scores, labels, label_smoothing=eps)
    close(
        as_numpy(F.cross_entropy(x, y, label_smoothing=-0.1)),
        lossref.softmax_cross_entropy(scores, labels),
    )
    close(
        as_numpy(F.cross_entropy(x, as_tensor(torch, probs), label_smoothing=-0.1)),
        lossref.softmax_cross_entropy(scores, probs),
    )
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point"):
        F.cross_entropy(x, as_tensor(torch, probs), ignore_index=1)
    with pytest.raises(ValueError, match="ignore_index applies to class-index labels only"):
        lossref.softmax_cross_entropy(scores, probs, ignore_index=1)
    onehot = np.eye(scores.shape[1], dtype=np.int64)[labels]
    with pytest.raises(RuntimeError, match="Expected floating point type for target"):
        F.cross_entropy(x, torch.tensor(onehot))
    with pytest.raises(TypeError, match="must have a float dtype"):
        lossref.softmax_cross_entropy(scores, onehot)


# --------------------------------------------------------------------------- #
# optax (jax, float64)
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.6, 1.0])
def test_optax_smooth_labels_and_softmax_cross_entropy(jax64, data, eps):
    """optax.smooth_labels(onehot, eps) == (1 - eps) onehot + eps / C (PyTorch's and lossref's
    mix over all C classes); optax.losses.softmax_cross_entropy of the smoothed rows returns
    per-example losses (no reduction) == lossref's reduction="none", also for probability
    targets smoothed the same way."""
    optax = pytest.importorskip("optax")
    jnp = jax64.numpy
    scores, labels, probs, _ = data
    c = scores.shape[1]
    onehot = np.eye(c)[labels]
    smoothed = optax.smooth_labels(jnp.asarray(onehot), eps)
    assert smoothed.dtype == jnp.float64
    close(np.asarray(smoothed), (1 - eps) * onehot + eps / c)
    per = optax.losses.softmax_cross_entropy(jnp.asarray(scores), smoothed)
    assert per.shape == (len(labels),)
    close(
        np.asarray(per),
        lossref.softmax_cross_entropy(scores, labels, label_smoothing=eps, reduction="none"),
    )
    close(float(jnp.mean(per)), lossref.softmax_cross_entropy(scores, labels, label_smoothing=eps))
    soft = optax.losses.softmax_cross_entropy(
        jnp.asarray(scores), optax.smooth_labels(jnp.asarray(probs), eps)
    )
    close(
        np.asarray(soft),
        lossref.softmax_cross_entropy(scores, probs, label_smoothing=eps, reduction="none"),
    )
    grad = jax64.grad(lambda x: jnp.mean(optax.losses.softmax_cross_entropy(x, smoothed)))(
        jnp.asarray(scores)
    )
    close(np.asarray(grad), lossref.softmax_cross_entropy_grad(scores, labels, label_smoothing=eps))


def test_optax_integer_labels(jax64, data):
    """optax.losses.softmax_cross_entropy_with_integer_labels(logits, labels) is lossref's
    per-example loss of index labels (reduction="none"); it has no smoothing keyword."""
    optax = pytest.importorskip("optax")
    jnp = jax64.numpy
    scores, labels, _, _ = data
    per = optax.losses.softmax_cross_entropy_with_integer_labels(
        jnp.asarray(scores), jnp.asarray(labels)
    )
    close(np.asarray(per), lossref.softmax_cross_entropy(scores, labels, reduction="none"))


# --------------------------------------------------------------------------- #
# Keras 3 on the jax backend
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.6])
def test_keras_categorical_crossentropy_label_smoothing(keras, data, eps):
    """keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=eps)(y_true,
    logits): truth first, one-hot rows smoothed as (1 - eps) y + eps / C, the mean over N.
    Built with dtype="float64" it agrees to 1e-12; with the default dtype it computes in
    float32 and agrees only to float32 precision."""
    scores, labels, probs, _ = data
    onehot = np.eye(scores.shape[1])[labels]
    expected = lossref.softmax_cross_entropy(scores, labels, label_smoothing=eps)
    per = keras.losses.categorical_crossentropy(
        onehot, scores, from_logits=True, label_smoothing=eps
    )
    close(
        np.asarray(per),
        lossref.softmax_cross_entropy(scores, labels, label_smoothing=eps, reduction="none"),
    )
    loss64 = keras.losses.CategoricalCrossentropy(
        from_logits=True, label_smoothing=eps, dtype="float64"
    )
    close(float(loss64(onehot, scores)), expected)
    close(
        float(loss64(probs, scores)),
        lossref.softmax_cross_entropy(scores, probs, label_smoothing=eps),
    )
    loss32 = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=eps)
    value32 = float(loss32(onehot, scores))
    np.testing.assert_allclose(value32, expected, rtol=F32_RTOL)
    assert value32 != expected
    assert value32 == float(np.float32(value32))


def test_keras_clips_probabilities_so_smoothing_never_meets_a_zero(keras):
    """From probabilities (from_logits=False) Keras clips them to [1e-7, 1 - 1e-7]: with
    smoothing every class has target weight eps / C > 0, so a predicted 0 costs
    -(eps / C) ln 1e-7, where lossref.cross_entropy (exact) is infinite."""
    eps, c = 0.3, 3
    probs = np.array([[0.0, 0.5, 0.5]])
    onehot = np.array([[0.0, 1.0, 0.0]])
    target = (1 - eps) * onehot + eps / c
    assert keras.backend.epsilon() == 1e-7
    value = float(
        keras.losses.CategoricalCrossentropy(label_smoothing=eps, dtype="float64")(onehot, probs)
    )
    clipped = np.clip(probs, 1e-7, 1 - 1e-7)
    close(value, float(-(target * np.log(clipped)).sum()))
    # the two classes of probability 0.5 cost (1 - eps / C) ln 2, the zero -(eps / C) ln 1e-7
    close(value, (1 - eps / c) * math.log(2) - (eps / c) * math.log(1e-7))
    assert lossref.cross_entropy(probs, target) == math.inf


@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_keras_sample_weight_is_not_a_class_weight_under_smoothing(keras, data, eps):
    """Keras's sample_weight = w[y] multiplies each example's smoothed loss, and the default
    reduction divides by N: sum_i w[y_i] L_i / N; reduction="mean_with_sample_weight" divides
    by sum_i w[y_i]. Without smoothing these are lossref's weights with "sum" / N and "mean";
    with smoothing lossref (like PyTorch) weights each class term by w_c instead."""
    scores, labels, _, weights = data
    n = len(labels)
    onehot = np.eye(scores.shape[1])[labels]
    sw = weights[labels]
    per = lossref.softmax_cross_entropy(scores, labels, label_smoothing=eps, reduction="none")
    by_n = keras.losses.CategoricalCrossentropy(
        from_logits=True, label_smoothing=eps, dtype="float64"
    )
    by_w = keras.losses.CategoricalCrossentropy(
        from_logits=True, label_smoothing=eps, reduction="mean_with_sample_weight", dtype="float64"
    )
    close(float(by_n(onehot, scores, sample_weight=sw)), (sw * per).sum() / n)
    close(float(by_w(onehot, scores, sample_weight=sw)), (sw * per).sum() / sw.sum())
    kw = {"label_smoothing": eps, "weights": weights}
    class_sum = lossref.softmax_cross_entropy(scores, labels, reduction="sum", **kw)
    if eps == 0.0:
        close(float(by_n(onehot, scores, sample_weight=sw)), class_sum / n)
        close(
            float(by_w(onehot, scores, sample_weight=sw)),
            lossref.softmax_cross_entropy(scores, labels, **kw),
        )
    else:
        assert abs(float(by_n(onehot, scores, sample_weight=sw)) / (class_sum / n) - 1) > 1e-3


def test_keras_ignore_class_is_ignore_index(keras, data):
    """keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=k): 0 for the
    ignored examples, and the mean over the others == lossref's ignore_index=k; with every
    example ignored Keras returns 0 (torch nan, lossref ValueError)."""
    scores, labels, _, _ = data
    loss = keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=1, dtype="float64"
    )
    close(
        float(loss(labels, scores)), lossref.softmax_cross_entropy(scores, labels, ignore_index=1)
    )
    none = keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=1, reduction=None, dtype="float64"
    )
    close(
        np.asarray(none(labels, scores)),
        lossref.softmax_cross_entropy(scores, labels, ignore_index=1, reduction="none"),
    )
    assert float(loss(np.ones_like(labels), scores)) == 0.0
