"""The robust regression losses of lossref against PyTorch, optax, Keras 3 and scikit-learn.

Each test name and docstring states the claim it checks; the book's robust regression page
cites them. Agreement is equality to ``rtol=1e-12`` on float64 (``tests.frameworks.agreement``);
where a library uses another convention the exact relationship is asserted.

* PyTorch: ``l1_loss``, ``huber_loss`` and ``smooth_l1_loss`` are lossref's
  ``mean_absolute_error``, ``huber_loss`` and ``smooth_l1_loss`` for every reduction (the mean
  divides by all entries); ``smooth_l1_loss(beta=b)`` is ``huber_loss(delta=b) / b``.
* optax: ``optax.losses.huber_loss`` does not reduce: it returns the elementwise losses.
* Keras 3 (jax backend): ``Huber`` and ``MeanAbsoluteError`` take the truth first, average
  each example's last axis, then the batch; and Keras computes every mean in float32, even of
  float64 input (its type promotion turns float64 into float32 on every backend but
  TensorFlow), so it agrees only to float32 precision.
* scikit-learn: ``mean_absolute_error`` and ``mean_pinball_loss(alpha=tau)`` take the truth
  first and agree with lossref.
"""

from __future__ import annotations

import numpy as np
import pytest

import lossref
from tests.frameworks.agreement import as_numpy, as_tensor, close

SEED = 271828
REDUCTIONS = ("mean", "sum", "none")


@pytest.fixture
def data():
    """Predictions and targets (N, K) with residuals on both sides of 0.5, 1 and 2.5."""
    rng = np.random.default_rng(SEED)
    pred = rng.normal(0, 2, (32, 3))
    target = rng.normal(0, 2, (32, 3))
    target[0, 0] = pred[0, 0]  # one residual exactly 0: the kink of |r|
    return pred, target


# --------------------------------------------------------------------------- #
# PyTorch
# --------------------------------------------------------------------------- #
def _autograd(torch, loss_fn, x):
    xt = as_tensor(torch, x, grad=True)
    loss_fn(xt).backward()
    return xt.grad.numpy()


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mean_absolute_error_equals_torch_l1_loss(torch, data, reduction):
    """lossref.mean_absolute_error == F.l1_loss (mean over all N*K entries); the gradients
    agree, including torch's subgradient 0 at a zero residual."""
    F = torch.nn.functional
    p, y = data
    close(
        lossref.mean_absolute_error(p, y, reduction=reduction),
        as_numpy(F.l1_loss(as_tensor(torch, p), as_tensor(torch, y), reduction=reduction)),
    )
    if reduction != "none":
        expected = _autograd(
            torch, lambda q: F.l1_loss(q, as_tensor(torch, y), reduction=reduction), p
        )
        close(lossref.mean_absolute_error_grad(p, y, reduction=reduction), expected)
        assert expected[0, 0] == 0.0


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.5])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_huber_loss_equals_torch_huber_loss(torch, data, reduction, delta):
    """lossref.huber_loss == F.huber_loss (same delta, same 1/2, same mean over all entries);
    gradients by autograd agree."""
    F = torch.nn.functional
    p, y = data
    close(
        lossref.huber_loss(p, y, delta=delta, reduction=reduction),
        as_numpy(
            F.huber_loss(as_tensor(torch, p), as_tensor(torch, y), delta=delta, reduction=reduction)
        ),
    )
    if reduction != "none":
        expected = _autograd(
            torch,
            lambda q: F.huber_loss(q, as_tensor(torch, y), delta=delta, reduction=reduction),
            p,
        )
        close(lossref.huber_loss_grad(p, y, delta=delta, reduction=reduction), expected)


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 2.5])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_smooth_l1_loss_equals_torch_smooth_l1_loss(torch, data, reduction, beta):
    """lossref.smooth_l1_loss == F.smooth_l1_loss for every beta (beta = 0: the L1 loss);
    gradients by autograd agree."""
    F = torch.nn.functional
    p, y = data
    close(
        lossref.smooth_l1_loss(p, y, beta=beta, reduction=reduction),
        as_numpy(
            F.smooth_l1_loss(
                as_tensor(torch, p), as_tensor(torch, y), beta=beta, reduction=reduction
            )
        ),
    )
    if reduction != "none":
        expected = _autograd(
            torch,
            lambda q: F.smooth_l1_loss(q, as_tensor(torch, y), beta=beta, reduction=reduction),
            p,
        )
        close(lossref.smooth_l1_loss_grad(p, y, beta=beta, reduction=reduction), expected)


@pytest.mark.parametrize("beta", [0.25, 1.0, 4.0])
def test_torch_smooth_l1_is_torch_huber_divided_by_beta(torch, data, beta):
    """F.smooth_l1_loss(beta=b) == F.huber_loss(delta=b) / b, elementwise; the two agree only
    at b = 1, and beyond the kink smooth L1 has slope 1 where Huber has slope delta."""
    F = torch.nn.functional
    p, y = data
    pt, yt = as_tensor(torch, p), as_tensor(torch, y)
    smooth = as_numpy(F.smooth_l1_loss(pt, yt, beta=beta, reduction="none"))
    huber = as_numpy(F.huber_loss(pt, yt, delta=beta, reduction="none"))
    close(smooth, huber / beta)
    if beta != 1.0:
        assert not np.allclose(smooth, huber)
    far = np.abs(p - y) > beta
    close(lossref.smooth_l1_loss_grad(p, y, beta=beta, reduction="none")[far], np.sign(p - y)[far])
    close(
        lossref.huber_loss_grad(p, y, delta=beta, reduction="none")[far], beta * np.sign(p - y)[far]
    )


def test_torch_rejects_the_same_options_as_lossref(torch):
    """torch refuses delta <= 0 and beta < 0 and accepts beta = 0, as lossref does."""
    F = torch.nn.functional
    p, y = as_tensor(torch, [1.0, 2.0]), as_tensor(torch, [0.0, 0.0])
    for delta in (0.0, -1.0):
        with pytest.raises(RuntimeError, match="non-positive values for delta"):
            F.huber_loss(p, y, delta=delta)
        with pytest.raises(ValueError, match="delta must be > 0"):
            lossref.huber_loss([1.0, 2.0], [0.0, 0.0], delta=delta)
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(p, y, beta=-1.0)
    with pytest.raises(ValueError, match="beta must be >= 0"):
        lossref.smooth_l1_loss([1.0, 2.0], [0.0, 0.0], beta=-1.0)
    assert as_numpy(F.smooth_l1_loss(p, y, beta=0.0)) == lossref.smooth_l1_loss(
        [1.0, 2.0], [0.0, 0.0], beta=0.0
    )


# --------------------------------------------------------------------------- #
# optax (jax, float64)
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("delta", [0.5, 1.0, 2.5])
def test_optax_huber_loss_is_elementwise_lossref_huber(jax64, data, delta):
    """optax.losses.huber_loss(predictions, targets, delta=d) does not reduce: it returns the
    elementwise losses, == lossref.huber_loss(..., reduction="none"); its mean is lossref's
    mean, and jax.grad of that mean is lossref.huber_loss_grad."""
    optax = pytest.importorskip("optax")
    jnp = jax64.numpy
    p, y = data
    out = optax.losses.huber_loss(jnp.asarray(p), jnp.asarray(y), delta=delta)
    assert out.shape == p.shape
    assert out.dtype == jnp.float64
    close(np.asarray(out), lossref.huber_loss(p, y, delta=delta, reduction="none"))
    close(float(jnp.mean(out)), lossref.huber_loss(p, y, delta=delta))
    grad = jax64.grad(lambda q: jnp.mean(optax.losses.huber_loss(q, jnp.asarray(y), delta=delta)))
    close(np.asarray(grad(jnp.asarray(p))), lossref.huber_loss_grad(p, y, delta=delta))


def test_optax_l2_loss_is_half_the_squared_error_the_huber_limit(jax64, data):
    """optax.losses.l2_loss is (p - t)**2 / 2, lossref's Huber once delta >= every |r|: the
    limit delta -> inf of the Huber loss is half the MSE, not the MSE."""
    optax = pytest.importorskip("optax")
    jnp = jax64.numpy
    p, y = data
    l2 = np.asarray(optax.losses.l2_loss(jnp.asarray(p), jnp.asarray(y)))
    big = float(np.max(np.abs(p - y))) * 1.01
    close(l2, lossref.huber_loss(p, y, delta=big, reduction="none"))
    close(l2.mean(), lossref.mean_squared_error(p, y) / 2)


# --------------------------------------------------------------------------- #
# Keras 3 on the jax backend
# --------------------------------------------------------------------------- #
F32_RTOL = 4 * float(np.finfo(np.float32).eps)


def _float32_mean(values, axis):
    """What Keras's mean computes on the jax backend: the float64 values cast to float32,
    averaged in float32, cast back."""
    return np.asarray(values, dtype=np.float32).mean(axis=axis, dtype=np.float32).astype(float)


def test_keras_promotes_float64_to_float32_on_the_jax_backend(keras):
    """keras.backend.result_type("float64", "float32") is "float32": the promotion that makes
    every keras.ops.mean of float64 data a float32 computation."""
    assert keras.backend.result_type("float64", "float32") == "float32"
    x = np.array([2.0, 0.1])
    mean = float(keras.ops.mean(x))
    assert mean != 1.05
    assert mean == float(np.float32(1.05))


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.5])
def test_keras_huber_is_lossref_huber_to_float32_precision(keras, data, delta):
    """keras.losses.Huber(delta)(y_true, y_pred): truth first; the mean of each row's K
    losses, then of the N rows (the same as lossref's mean over all entries for a rectangular
    batch); elementwise values in float64 but the means in float32, so it agrees with
    lossref to float32 precision, and exactly with float32 means of lossref's values."""
    p, y = data
    per_example = np.asarray(keras.losses.huber(y, p, delta=delta))
    elementwise = lossref.huber_loss(p, y, delta=delta, reduction="none")
    np.testing.assert_allclose(per_example, _float32_mean(elementwise, -1), rtol=F32_RTOL)
    loss = float(keras.losses.Huber(delta=delta, dtype="float64")(y, p))
    np.testing.assert_allclose(loss, lossref.huber_loss(p, y, delta=delta), rtol=F32_RTOL)
    assert abs(loss / lossref.huber_loss(p, y, delta=delta) - 1) > 1e-12  # not float64


def test_keras_mean_absolute_error_is_lossref_to_float32_precision(keras, data):
    """keras.losses.MeanAbsoluteError()(y_true, y_pred): truth first, row means then the batch
    mean, in float32: lossref.mean_absolute_error to float32 precision.  reduction="sum"
    adds the N row means: lossref's sum divided by K."""
    p, y = data
    loss = float(keras.losses.MeanAbsoluteError(dtype="float64")(y, p))
    np.testing.assert_allclose(loss, lossref.mean_absolute_error(p, y), rtol=F32_RTOL)
    total = float(keras.losses.MeanAbsoluteError(reduction="sum", dtype="float64")(y, p))
    np.testing.assert_allclose(
        total, lossref.mean_absolute_error(p, y, reduction="sum") / p.shape[1], rtol=F32_RTOL
    )


# --------------------------------------------------------------------------- #
# scikit-learn
# --------------------------------------------------------------------------- #
@pytest.fixture
def metrics():
    return pytest.importorskip("sklearn.metrics")


def test_sklearn_mean_absolute_error(metrics, data):
    """sklearn.metrics.mean_absolute_error(y_true, y_pred) == lossref.mean_absolute_error(
    y_pred, y_true), for 1-D and for (N, K) arrays (uniform average of the K column means);
    multioutput="raw_values" is the column means."""
    p, y = data
    close(
        lossref.mean_absolute_error(p[:, 0], y[:, 0]), metrics.mean_absolute_error(y[:, 0], p[:, 0])
    )
    close(lossref.mean_absolute_error(p, y), metrics.mean_absolute_error(y, p))
    close(
        lossref.mean_absolute_error(p, y, reduction="none").mean(axis=0),
        metrics.mean_absolute_error(y, p, multioutput="raw_values"),
    )


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.9, 0.0, 1.0])
def test_sklearn_mean_pinball_loss(metrics, data, tau):
    """sklearn.metrics.mean_pinball_loss(y_true, y_pred, alpha=tau) ==
    lossref.pinball_loss(y_pred, y_true, tau=tau); swapping scikit-learn's two arguments
    gives level 1 - tau; at alpha = 0.5 it is half the mean absolute error."""
    p, y = data
    close(lossref.pinball_loss(p, y, tau=tau), metrics.mean_pinball_loss(y, p, alpha=tau))
    close(
        lossref.pinball_loss(p[:, 1], y[:, 1], tau=tau),
        metrics.mean_pinball_loss(y[:, 1], p[:, 1], alpha=tau),
    )
    close(
        metrics.mean_pinball_loss(p, y, alpha=tau),
        lossref.pinball_loss(p, y, tau=1.0 - tau),
    )
    if tau == 0.5:
        close(metrics.mean_pinball_loss(y, p), metrics.mean_absolute_error(y, p) / 2)
