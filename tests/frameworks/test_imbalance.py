"""pos_weight, multi-label logits and the focal losses of lossref against PyTorch, optax and
Keras 3 (jax backend), in float64.

* PyTorch: ``binary_cross_entropy_with_logits(input, target, pos_weight=w)`` on (N, K) logits
  is lossref's ``sigmoid_binary_cross_entropy(pos_weight=w)`` with ``reduction="sum"``; its
  default mean divides by N K, lossref's by N (an example's loss is the sum over its labels).
  PyTorch has no focal loss of its own (torchvision's ``sigmoid_focal_loss`` is not installed
  here).
* optax: ``sigmoid_focal_loss(logits, labels, alpha=None, gamma=2.0)`` returns one loss per
  entry, lossref's ``reduction="none"`` on 1-D logits, soft labels included.
* Keras 3: ``BinaryFocalCrossentropy(apply_class_balancing=True, alpha, gamma,
  from_logits=True)`` is lossref's ``sigmoid_focal_loss(alpha, gamma)``, averaged over the last
  axis in float32 (Keras's means); its ``alpha`` is used only with ``apply_class_balancing``.
  ``CategoricalFocalCrossentropy(alpha, gamma, from_logits=True)`` on one-hot rows is
  ``softmax_focal_loss(alpha=alpha)`` with one scalar alpha (0.25 by default) for every class.
"""

from __future__ import annotations

import numpy as np
import pytest

import lossref
from tests.frameworks.agreement import close

REDUCTIONS = ("mean", "sum", "none")


@pytest.fixture
def multi_label():
    rng = np.random.default_rng(1618)
    logits = rng.normal(0, 2, (16, 3))
    labels = (rng.uniform(size=(16, 3)) < [0.1, 0.5, 0.8]).astype(float)
    return logits, labels


@pytest.fixture
def binary():
    rng = np.random.default_rng(2718)
    logits = rng.normal(0, 2, 24)
    labels = (rng.uniform(size=24) < 0.3).astype(float)
    labels[:3] = [0.2, 0.5, 0.9]  # soft labels too
    return logits, labels


@pytest.mark.parametrize("pos_weight", [None, 4.0, [9.0, 1.0, 0.25]], ids=str)
def test_torch_bce_with_logits_pos_weight_sums_like_lossref_and_means_over_n_k(
    torch, multi_label, pos_weight
):
    x, t = multi_label
    F = torch.nn.functional
    w = None if pos_weight is None else torch.as_tensor(pos_weight, dtype=torch.float64)
    xt = torch.tensor(x, requires_grad=True)
    tt = torch.tensor(t)
    n, k = x.shape
    kw = {"pos_weight": pos_weight}
    close(
        F.binary_cross_entropy_with_logits(xt, tt, pos_weight=w, reduction="sum").item(),
        lossref.sigmoid_binary_cross_entropy(x, t, reduction="sum", **kw),
    )
    mean = F.binary_cross_entropy_with_logits(xt, tt, pos_weight=w)
    close(mean.item(), lossref.sigmoid_binary_cross_entropy(x, t, **kw) / k)
    mean.backward()
    close(xt.grad.numpy(), lossref.sigmoid_binary_cross_entropy_grad(x, t, **kw) / k)
    per_entry = F.binary_cross_entropy_with_logits(xt, tt, pos_weight=w, reduction="none")
    close(
        per_entry.detach().numpy().sum(axis=1),
        lossref.sigmoid_binary_cross_entropy(x, t, reduction="none", **kw),
    )
    assert per_entry.shape == (n, k)


@pytest.mark.parametrize(("alpha", "gamma"), [(None, 2.0), (0.25, 2.0), (0.75, 0.5), (None, 0)])
def test_optax_sigmoid_focal_loss_is_lossref_per_entry(jax64, binary, alpha, gamma):
    optax = pytest.importorskip("optax")
    x, t = binary
    got = np.asarray(optax.losses.sigmoid_focal_loss(x, t, alpha=alpha, gamma=gamma))
    assert got.dtype == np.float64
    close(got, lossref.sigmoid_focal_loss(x, t, alpha=alpha, gamma=gamma, reduction="none"))


@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2.0), (0.6, 1.0)])
def test_keras_binary_focal_crossentropy_with_class_balancing_is_sigmoid_focal_loss(
    keras, binary, alpha, gamma
):
    x, t = binary
    loss = keras.losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, alpha=alpha, gamma=gamma, from_logits=True, dtype="float64"
    )
    want = lossref.sigmoid_focal_loss(x, t, alpha=alpha, gamma=gamma)
    got = float(loss(t, x))
    np.testing.assert_allclose(got, want, rtol=1e-6)  # Keras averages in float32
    assert got != want
    # without class balancing Keras ignores alpha
    plain = keras.losses.BinaryFocalCrossentropy(
        alpha=alpha, gamma=gamma, from_logits=True, dtype="float64"
    )
    np.testing.assert_allclose(
        float(plain(t, x)), lossref.sigmoid_focal_loss(x, t, gamma=gamma), rtol=1e-6
    )


@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2.0), (1.0, 0.5)])
def test_keras_categorical_focal_crossentropy_is_softmax_focal_loss(keras, alpha, gamma):
    rng = np.random.default_rng(31)
    scores = rng.normal(0, 2, (12, 4))
    labels = rng.integers(0, 4, 12)
    loss = keras.losses.CategoricalFocalCrossentropy(
        alpha=alpha, gamma=gamma, from_logits=True, dtype="float64"
    )
    got = float(loss(np.eye(4)[labels], scores))
    close(got, lossref.softmax_focal_loss(scores, labels, alpha=alpha, gamma=gamma))
    default = keras.losses.CategoricalFocalCrossentropy(from_logits=True, dtype="float64")
    close(
        float(default(np.eye(4)[labels], scores)),
        lossref.softmax_focal_loss(scores, labels, alpha=0.25, gamma=2.0),
    )
