"""Metric and contrastive learning losses of lossref against PyTorch, optax and Keras 3.

Each test name and docstring states the claim it checks; the book's metric learning page cites
them. Agreement is equality to ``rtol=1e-12`` on float64 (``tests.frameworks.agreement``);
where a library uses another convention the exact relationship is asserted.

* PyTorch ``triplet_margin_loss`` is lossref's for every ``p``, ``eps``, ``swap``, margin and
  reduction, the gradients of all three arguments included: its ``pairwise_distance`` is
  ``||x - y + eps||_p``, eps added to the difference.  PyTorch refuses a margin <= 0 (lossref
  accepts 0) and accepts ``p < 1`` (lossref refuses).
* InfoNCE is ``F.cross_entropy(S / tau, arange(N))`` of the similarity matrix (``F.normalize``
  for cosine), extra negative keys included; NT-Xent is the same with the diagonal of the
  (2N, 2N) matrix set to -inf.  ``HingeEmbeddingLoss`` on the distances, with targets +-1, is
  the unsquared contrastive loss, ``sqrt(2 L)`` pair by pair.
* optax: ``losses.ntxent(concat([z1, z2]), [0..N-1, 0..N-1], temperature)`` is lossref's
  ``nt_xent`` (its default temperature is 0.07); ``losses.triplet_margin_loss`` returns the
  per-triplet losses with the distance ``(sum (a - x)^p + eps)^(1/p)``: lossref's only for
  even ``p`` and ``eps = 0``; for ``p = 1`` it sums signed differences.
* Keras 3 has no triplet, contrastive or InfoNCE loss; its metric-learning loss is ``Circle``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lossref
from tests.frameworks.agreement import as_numpy, as_tensor, close

SEED = 314159
REDUCTIONS = ("mean", "sum", "none")


@pytest.fixture
def data():
    """Anchors, positives and negatives (N, D) with some hinges at 0 and some positive, and
    extra keys (M - N, D)."""
    rng = np.random.default_rng(SEED)
    a, pos, neg = rng.normal(0, 1, (3, 16, 5))
    neg[:4] = a[:4] + 4.0  # far negatives: a zero loss
    extra = rng.normal(0, 1, (6, 5))
    return a, pos, neg, extra


# --------------------------------------------------------------------------- #
# PyTorch
# --------------------------------------------------------------------------- #
TRIPLET_OPTIONS = [
    {},
    {"margin": 0.3},
    {"p": 1.0},
    {"p": 3.0, "eps": 0.01},
    {"eps": 0.0},
    {"swap": True},
    {"swap": True, "p": 1.5, "margin": 2.0},
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", TRIPLET_OPTIONS, ids=lambda o: ",".join(map(str, o.items())))
def test_triplet_margin_loss_equals_torch(torch, data, options, reduction):
    """F.triplet_margin_loss(a, p, n, margin, p, eps, swap, reduction) ==
    lossref.triplet_margin_loss with the same keywords; the autograd gradients of anchors,
    positives and negatives == triplet_margin_loss_grad(wrt=...)."""
    a, pos, neg, _ = data
    ta, tp, tn = (as_tensor(torch, x, grad=True) for x in (a, pos, neg))
    out = torch.nn.functional.triplet_margin_loss(ta, tp, tn, reduction=reduction, **options)
    close(lossref.triplet_margin_loss(a, pos, neg, reduction=reduction, **options), as_numpy(out))
    out.sum().backward()  # "none": the gradient of the sum, which lossref returns
    for wrt, t in (("anchors", ta), ("positives", tp), ("negatives", tn)):
        close(
            lossref.triplet_margin_loss_grad(a, pos, neg, reduction=reduction, wrt=wrt, **options),
            t.grad.numpy(),
        )
    assert np.all(lossref.triplet_margin_loss(a, pos, neg, reduction="none", **options)[:4] == 0)


def test_torch_pairwise_distance_adds_eps_to_the_difference(torch, data):
    """F.pairwise_distance(x, y, p, eps) == ||x - y + eps||_p (not ||x - y||_p + eps): so
    d(x, x) = eps D^(1/p) and d(x, y) != d(y, x); lossref's triplet loss uses exactly it."""
    a, pos, _, _ = data
    F = torch.nn.functional
    for p in (1.0, 2.0, 3.0):
        d = as_numpy(F.pairwise_distance(as_tensor(torch, a), as_tensor(torch, pos), p=p, eps=0.01))
        close(d, (np.abs(a - pos + 0.01) ** p).sum(axis=1) ** (1 / p))
        same = as_numpy(
            F.pairwise_distance(as_tensor(torch, a), as_tensor(torch, a), p=p, eps=0.01)
        )
        close(same, np.full(len(a), 0.01 * 5 ** (1 / p)))
    back = as_numpy(F.pairwise_distance(as_tensor(torch, pos), as_tensor(torch, a)))
    assert np.all(back != as_numpy(F.pairwise_distance(as_tensor(torch, a), as_tensor(torch, pos))))


def test_torch_refuses_margins_lossref_accepts_and_accepts_p_lossref_refuses(torch, data):
    """torch raises for margin <= 0; lossref accepts margin 0 (the loss max(d+ - d-, 0)).
    torch accepts p = 0.5, which is no norm; lossref refuses p < 1."""
    a, pos, neg, _ = data
    F = torch.nn.functional
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_loss(
            as_tensor(torch, a), as_tensor(torch, pos), as_tensor(torch, neg), margin=0.0
        )
    d_pos = (((a - pos + 1e-6) ** 2).sum(axis=1)) ** 0.5
    d_neg = (((a - neg + 1e-6) ** 2).sum(axis=1)) ** 0.5
    close(
        lossref.triplet_margin_loss(a, pos, neg, margin=0.0, reduction="none"),
        np.maximum(d_pos - d_neg, 0.0),
    )
    assert math.isfinite(
        as_numpy(
            F.triplet_margin_loss(
                as_tensor(torch, a), as_tensor(torch, pos), as_tensor(torch, neg), p=0.5
            )
        )
    )
    with pytest.raises(ValueError, match="p must be >= 1"):
        lossref.triplet_margin_loss(a, pos, neg, p=0.5)


def _torch_similarities(torch, q, k, similarity, tau):
    F = torch.nn.functional
    if similarity == "cosine":
        q, k = F.normalize(q, dim=1), F.normalize(k, dim=1)
    return q @ k.T / tau


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("similarity", ["cosine", "dot"])
@pytest.mark.parametrize("tau", [0.07, 0.5])
@pytest.mark.parametrize("extra_keys", [False, True], ids=["square", "extra-keys"])
def test_info_nce_equals_torch_cross_entropy_of_similarities(
    torch, data, extra_keys, tau, similarity, reduction
):
    """F.cross_entropy(sim(Q, K) / tau, arange(N)) == lossref.info_nce(Q, K), with extra
    negative keys after the N positives; the autograd gradients of Q and K agree."""
    a, pos, _, extra = data
    keys = np.vstack([pos, extra]) if extra_keys else pos
    tq, tk = as_tensor(torch, a, grad=True), as_tensor(torch, keys, grad=True)
    S = _torch_similarities(torch, tq, tk, similarity, tau)
    out = torch.nn.functional.cross_entropy(S, torch.arange(len(a)), reduction=reduction)
    kw = {"temperature": tau, "similarity": similarity, "reduction": reduction}
    close(lossref.info_nce(a, keys, **kw), as_numpy(out))
    out.sum().backward()
    for wrt, t in (("queries", tq), ("keys", tk)):
        expected = t.grad.numpy()
        # entries that cancel to ~1e-12 differ by the rounding of the largest ones
        atol = 1e-15 * np.abs(expected).max()
        close(lossref.info_nce_grad(a, keys, wrt=wrt, **kw), expected, atol=atol)


@pytest.mark.parametrize("similarity", ["cosine", "dot"])
@pytest.mark.parametrize("tau", [0.1, 1.0])
def test_nt_xent_equals_torch_cross_entropy_with_the_diagonal_masked(torch, data, tau, similarity):
    """SimCLR's NT-Xent in PyTorch: stack the views, S = sim(Z, Z) / tau with the diagonal
    set to -inf, targets (i + N) mod 2N, F.cross_entropy averaged over the 2N rows; equal to
    lossref.nt_xent, with the gradients of both views."""
    a, pos, _, _ = data
    n = len(a)
    t1, t2 = as_tensor(torch, a, grad=True), as_tensor(torch, pos, grad=True)
    z = torch.cat([t1, t2])
    S = _torch_similarities(torch, z, z, similarity, tau)
    S = S.masked_fill(torch.eye(2 * n, dtype=torch.bool), -math.inf)
    targets = (torch.arange(2 * n) + n) % (2 * n)
    out = torch.nn.functional.cross_entropy(S, targets)
    kw = {"temperature": tau, "similarity": similarity}
    close(lossref.nt_xent(a, pos, **kw), as_numpy(out))
    out.backward()
    close(lossref.nt_xent_grad(a, pos, **kw), t1.grad.numpy())
    close(lossref.nt_xent_grad(a, pos, wrt="embeddings2", **kw), t2.grad.numpy())


def test_torch_hinge_embedding_loss_is_the_unsquared_contrastive_loss(torch, data):
    """nn.HingeEmbeddingLoss(margin=m) on the Euclidean distances, targets +1 (similar) and
    -1: d for similar pairs, max(0, m - d) for dissimilar ones, which is sqrt(2 L) of
    lossref.contrastive_loss pair by pair (the variant without squares and halves)."""
    a, pos, _, _ = data
    labels = np.arange(len(a)) % 2
    d = np.linalg.norm(a - pos, axis=1)
    loss = torch.nn.HingeEmbeddingLoss(margin=2.0, reduction="none")
    out = as_numpy(loss(as_tensor(torch, d), torch.tensor(2 * labels - 1)))
    per = lossref.contrastive_loss(a, pos, labels, margin=2.0, reduction="none")
    close(out, np.sqrt(2 * per))
    close(out, np.where(labels == 1, d, np.maximum(2.0 - d, 0.0)))


# --------------------------------------------------------------------------- #
# optax (jax, float64)
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("tau", [0.07, 0.5])
def test_optax_ntxent_is_nt_xent(jax64, data, tau):
    """optax.losses.ntxent(concatenate([z1, z2]), labels=[0..N-1, 0..N-1], temperature) ==
    lossref.nt_xent(z1, z2, temperature): cosine similarities, each row's positive its other
    view, the mean over the 2N rows; the jax gradient agrees.  optax's default temperature is
    0.07 (lossref's 0.1)."""
    optax = pytest.importorskip("optax")
    jnp = jax64.numpy
    a, pos, _, _ = data
    n = len(a)
    z = jnp.asarray(np.concatenate([a, pos]))
    labels = jnp.asarray(np.concatenate([np.arange(n), np.arange(n)]))
    value = optax.losses.ntxent(z, labels, temperature=tau)
    assert value.dtype == jnp.float64
    close(float(value), lossref.nt_xent(a, pos, temperature=tau))
    grad = np.asarray(jax64.grad(lambda x: optax.losses.ntxent(x, labels, temperature=tau))(z))
    close(grad[:n], lossref.nt_xent_grad(a, pos, temperature=tau))
    close(grad[n:], lossref.nt_xent_grad(a, pos, temperature=tau, wrt="embeddings2"))
    close(float(optax.losses.ntxent(z, labels)), lossref.nt_xent(a, pos, temperature=0.07))


def test_optax_triplet_margin_loss_puts_eps_elsewhere(jax64, data):
    """optax.losses.triplet_margin_loss returns per-triplet losses (no reduction) with the
    distance (sum_i (a_i - x_i)^p + eps)^(1/p): with p = 2 and eps = 0 it is lossref's
    reduction="none"; with its default eps = 1e-6 it is that formula, not PyTorch's
    ||a - x + eps||; with p = 1 it sums the signed differences."""
    optax = pytest.importorskip("optax")
    jnp = jax64.numpy
    a, pos, neg, _ = data
    ja, jp, jn = (jnp.asarray(x) for x in (a, pos, neg))

    def optax_formula(p, eps, margin=1.0):
        d_pos = (((a - pos) ** p).sum(axis=1) + eps) ** (1 / p)
        d_neg = (((a - neg) ** p).sum(axis=1) + eps) ** (1 / p)
        return np.maximum(d_pos - d_neg + margin, 0.0)

    exact = optax.losses.triplet_margin_loss(ja, jp, jn, eps=0.0)
    close(np.asarray(exact), lossref.triplet_margin_loss(a, pos, neg, eps=0.0, reduction="none"))
    default = np.asarray(optax.losses.triplet_margin_loss(ja, jp, jn))
    close(default, optax_formula(2, 1e-6))
    assert not np.allclose(
        default, lossref.triplet_margin_loss(a, pos, neg, reduction="none"), rtol=1e-9, atol=0
    )
    signed = np.asarray(optax.losses.triplet_margin_loss(ja, jp, jn, norm_degree=1, eps=0.0))
    close(signed, optax_formula(1, 0.0))


# --------------------------------------------------------------------------- #
# Keras 3
# --------------------------------------------------------------------------- #
def test_keras_has_no_triplet_contrastive_or_info_nce_loss(keras):
    """keras.losses offers none of these losses under any name; its one metric-learning loss
    is Circle (Sun et al. 2020), a different loss."""
    names = [name.lower() for name in dir(keras.losses)]
    for word in ("triplet", "contrastive", "infonce", "info_nce", "ntxent", "xent"):
        assert not any(word in name for name in names), word
    assert hasattr(keras.losses, "Circle")
