"""Metric and contrastive learning losses of lossref: triplet margin, contrastive (Hadsell,
Chopra and LeCun), InfoNCE and NT-Xent.

Values by hand and conventions (PyTorch's eps inside the distance, which label means
similar), validation of the options and shapes, gradients with respect to every argument
against centred differences (away from the kinks) and what is returned at the kinks,
hypothesis properties (a far enough negative costs nothing, rotation invariance, InfoNCE is
the softmax cross-entropy of the similarity matrix, ln M at equal similarities, cosine ignores
the rows' lengths) and accuracy against 50-digit mpmath references on hostile inputs (tiny and
huge embeddings, hinges that cancel, small temperatures).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from mpmath import mp

import lossref
from tests.test_accuracy import DPS, Worst, _fmt

RNG = np.random.default_rng(20250613)
REDUCTIONS = ["mean", "sum", "none"]
SETTINGS = settings(deadline=None, max_examples=60)

triplet = lossref.triplet_margin_loss
triplet_grad = lossref.triplet_margin_loss_grad
contrastive = lossref.contrastive_loss
contrastive_grad = lossref.contrastive_loss_grad
info_nce = lossref.info_nce
info_nce_grad = lossref.info_nce_grad
nt_xent = lossref.nt_xent
nt_xent_grad = lossref.nt_xent_grad


def pnorm(v, p):
    """||v||_p of each row, plainly."""
    return (np.abs(v) ** p).sum(axis=-1) ** (1 / p)


def unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


# --------------------------------------------------------------------------- #
# values and conventions
# --------------------------------------------------------------------------- #
def test_triplet_hand_values():
    a, pos = np.zeros(2), np.array([3.0, 4.0])  # d(a, pos) = 5
    for neg, expected in (([6.0, -8.0], 1.0), ([0.0, 12.0], 0.0), ([1.0, 0.0], 10.0)):
        # max(5 - d(a, neg) + 6, 0) with d(a, neg) = 10, 12, 1
        assert triplet(a, pos, neg, margin=6.0, eps=0.0) == expected
    # p = 1: |3| + |4| = 7 against |6| + |8| = 14; margin 10 leaves 3
    assert triplet(a, pos, [6.0, -8.0], margin=10.0, p=1.0, eps=0.0) == 3.0
    # swap: d(pos, neg) = |(3, 4) - (3, 3)| = 1 < d(a, neg) = sqrt(18), so 5 - 1 + 1 = 5
    assert triplet(a, pos, [3.0, 3.0], eps=0.0, swap=True) == 5.0
    assert triplet(a, pos, [3.0, 3.0], eps=0.0) == pytest.approx(6.0 - math.sqrt(18), rel=1e-15)


def test_pytorch_eps_is_added_to_the_difference():
    """d(x, y) = ||x - y + eps||_p: d(x, x) = eps D^(1/p), and d(x, y) != d(y, x)."""
    a, pos, neg = RNG.normal(size=(3, 6, 3))
    for p in (1.0, 2.0, 3.0):
        for eps in (0.0, 1e-6, 0.3):
            expected = np.maximum(pnorm(a - pos + eps, p) - pnorm(a - neg + eps, p) + 2.0, 0.0)
            got = triplet(a, pos, neg, margin=2.0, p=p, eps=eps, reduction="none")
            np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)
        # anchor = positive: d(a, a) = eps D^(1/p); a negative 10 away along the first axis
        x = np.array([1.0, -2.0, 0.5])
        far = x + np.array([10.0, 0.0, 0.0])
        got = triplet(x, x, far, margin=20.0, p=p, eps=0.3)
        d_far = (9.7**p + 2 * 0.3**p) ** (1 / p)
        assert got == pytest.approx(0.3 * 3 ** (1 / p) - d_far + 20.0, rel=1e-14)
    # asymmetry: exchanging anchor and positive (the negative moved along, so that d(a, n)
    # stays) changes the loss by d(u, v) - d(v, u) = ||u - v + eps|| - ||v - u + eps||
    u, v = np.array([1.0, 2.0, -0.5]), np.array([0.0, 1.0, 0.5])
    far = u + 50.0
    change = triplet(u, v, far, margin=100.0, eps=0.01) - triplet(
        v, u, v + (far - u), margin=100.0, eps=0.01
    )
    assert change != 0.0
    assert change == pytest.approx(pnorm(u - v + 0.01, 2) - pnorm(v - u + 0.01, 2), rel=1e-9)
    assert triplet(u, v, far, margin=100.0, eps=0.0) == triplet(
        v, u, v + (far - u), margin=100.0, eps=0.0
    )


def test_contrastive_hand_values_and_label_convention():
    x1 = np.zeros((3, 2))
    x2 = np.array([[0.6, 0.8], [0.3, 0.4], [3.0, 4.0]])  # distances 1, 0.5, 5
    # 1 = similar: d^2 / 2; 0 = dissimilar: max(m - d, 0)^2 / 2
    np.testing.assert_allclose(
        contrastive(x1, x2, [1, 1, 1], reduction="none"), [0.5, 0.125, 12.5], rtol=1e-15
    )
    np.testing.assert_allclose(
        contrastive(x1, x2, [0, 0, 0], reduction="none"), [0.0, 0.125, 0.0], atol=1e-16
    )
    np.testing.assert_allclose(
        contrastive(x1, x2, [0, 0, 0], margin=6.0, reduction="none"),
        [12.5, 15.125, 0.5],
        rtol=1e-14,
    )
    assert contrastive(x1[0], x2[0], 1) == pytest.approx(0.5, rel=1e-15)
    assert contrastive(x1, x2, np.array([1, 0, 0], dtype=np.uint8)) == pytest.approx(
        0.625 / 3, rel=1e-15
    )


def test_info_nce_is_softmax_cross_entropy_of_the_similarity_matrix():
    q, k = RNG.normal(size=(5, 3)), RNG.normal(size=(8, 3))  # 3 extra negatives
    for similarity, S in (("cosine", unit(q) @ unit(k).T), ("dot", q @ k.T)):
        for tau in (0.05, 1.0, 7.0):
            for reduction in REDUCTIONS:
                np.testing.assert_allclose(
                    info_nce(q, k, temperature=tau, similarity=similarity, reduction=reduction),
                    lossref.softmax_cross_entropy(S / tau, np.arange(5), reduction=reduction),
                    rtol=1e-13,
                )


def test_info_nce_hand_value():
    q = np.array([[1.0, 0.0], [0.0, 1.0]])
    k = np.array([[2.0, 0.0], [1.0, 1.0]])
    # cosine similarities (1, 1/sqrt 2; 0, 1/sqrt 2) over 0.5
    s = 1 / math.sqrt(2) / 0.5
    expected = (math.log1p(math.exp(s - 2.0)) + math.log1p(math.exp(-s))) / 2
    assert info_nce(q, k, temperature=0.5) == pytest.approx(expected, rel=1e-15)


def test_nt_xent_is_the_masked_softmax_cross_entropy():
    z1, z2 = RNG.normal(size=(2, 4, 3))
    z = np.concatenate([z1, z2])
    for similarity, zz in (("cosine", unit(z)), ("dot", z)):
        S = zz @ zz.T / 0.3
        per = []
        for a in range(8):
            others = [b for b in range(8) if b != a]
            positive = (a + 4) % 8
            per.append(-(S[a, positive] - np.log(np.exp(S[a, others]).sum())))
        np.testing.assert_allclose(
            nt_xent(z1, z2, temperature=0.3, similarity=similarity, reduction="none"),
            per,
            rtol=1e-13,
            atol=1e-14 * np.abs(S).max(),  # the naive reference cancels
        )
        assert nt_xent(z1, z2, temperature=0.3, similarity=similarity) == pytest.approx(
            np.mean(per), rel=1e-13
        )


@pytest.mark.parametrize("name", ["triplet", "contrastive", "info_nce", "nt_xent"])
def test_reductions_and_shapes(name):
    n, d = 5, 3
    x = RNG.normal(size=(3, n, d))
    call = {
        "triplet": lambda **kw: triplet(*x, **kw),
        "contrastive": lambda **kw: contrastive(x[0], x[1], [1, 0, 1, 0, 0], **kw),
        "info_nce": lambda **kw: info_nce(x[0], x[1], **kw),
        "nt_xent": lambda **kw: nt_xent(x[0], x[1], **kw),
    }[name]
    none = call(reduction="none")
    rows = 2 * n if name == "nt_xent" else n
    assert isinstance(none, np.ndarray)
    assert none.shape == (rows,)
    total, mean = call(reduction="sum"), call()
    assert isinstance(total, float)
    assert isinstance(mean, float)
    assert total == pytest.approx(none.sum(), rel=1e-15)
    assert mean == pytest.approx(total / rows, rel=1e-15)


def test_single_examples_give_floats():
    a, pos, neg = RNG.normal(size=(3, 4))
    for reduction in REDUCTIONS:
        assert isinstance(triplet(a, pos, neg, reduction=reduction), float)
        assert isinstance(contrastive(a, pos, 0, reduction=reduction), float)
        assert triplet_grad(a, pos, neg, reduction=reduction).shape == (4,)
        assert contrastive_grad(a, pos, 1, reduction=reduction).shape == (4,)
    assert triplet(a, pos, neg) == triplet(a[None], pos[None], neg[None])


def test_empty_batches():
    e = np.zeros((0, 3))
    assert triplet(e, e, e, reduction="sum") == 0.0
    assert contrastive(e, e, [], reduction="sum") == 0.0
    assert info_nce(e, np.ones((2, 3)), reduction="sum") == 0.0
    assert nt_xent(e, e, reduction="sum") == 0.0
    assert nt_xent(e, e, reduction="none").shape == (0,)
    assert triplet_grad(e, e, e, reduction="sum").shape == (0, 3)
    assert nt_xent_grad(e, e, reduction="sum").shape == (0, 3)
    for call in (
        lambda: triplet(e, e, e),
        lambda: contrastive(e, e, []),
        lambda: info_nce(e, np.ones((2, 3))),
        lambda: nt_xent(e, e),
        lambda: nt_xent_grad(e, e),
    ):
        with pytest.raises(ValueError, match="empty batch"):
            call()


def test_huge_and_tiny_embeddings_do_not_overflow_or_underflow():
    """Distances are computed by scaling: 1e200 and 1e-200 are as good as 1."""
    a = np.zeros(2)
    for scale in (1e-200, 1.0, 1e200):
        pos, neg = np.array([3.0, 4.0]) * scale, np.array([6.0, -8.0]) * scale
        assert triplet(a, pos, neg, margin=6.0 * scale, eps=0.0) == pytest.approx(scale, rel=1e-15)
        np.testing.assert_allclose(
            triplet_grad(a, pos, neg, margin=6.0 * scale, eps=0.0), [0.0, -1.6], atol=1e-15
        )
        expected = 0.5 * scale * scale if scale < 1e100 else math.inf  # 5e399 overflows
        assert contrastive(a, pos, 0, margin=6.0 * scale) == pytest.approx(expected, rel=1e-15)
        assert info_nce([pos, neg], [pos * 2, neg * 3]) == pytest.approx(
            info_nce([[3.0, 4.0], [6.0, -8.0]], [[1.0, 4 / 3], [1.0, -4 / 3]]), rel=1e-14
        )
    # a distance beyond 1.8e308 is inf: a loss of inf, or 0 when it is the negative's
    big = np.array([1e308, 0.0])
    assert triplet(big, -big, big) == math.inf
    assert triplet(big, big, -big) == 0.0
    assert np.isfinite(triplet_grad(big, -big, big)).all()
    with pytest.raises(ValueError, match="both of its distances overflow"):
        triplet(big, -big, -big)
    assert contrastive(big, -big, 1) == math.inf
    assert contrastive(big, -big, 0) == 0.0
    np.testing.assert_array_equal(contrastive_grad(big, -big, 0), [0.0, 0.0])


def test_small_temperatures_and_large_similarities_are_stable():
    """logits of 1e6 and more: the naive exp overflows, the loss does not."""
    q = np.array([[1.0, 0.0], [0.6, 0.8]])
    k = np.array([[0.8, 0.6], [0.0, 1.0]])
    tau = 1e-6
    # cosine similarities (0.8, 0) and (0.96, 0.8): the first query's positive wins by 0.8,
    # a loss of log1p(exp(-0.8 / tau)), which underflows to 0; the second's negative wins by
    # 0.16, a loss of 0.16 / tau + log1p(exp(-0.16 / tau))
    got = info_nce(q, k, temperature=tau, reduction="none")
    with np.errstate(over="ignore", invalid="ignore"):
        naive = -np.log(np.exp(q @ k.T / tau)[[0, 1], [0, 1]] / np.exp(q @ k.T / tau).sum(1))
    assert not np.isfinite(naive).any()
    assert got[0] == 0.0
    assert got[1] == pytest.approx(0.16 / tau, rel=1e-9)
    g = info_nce_grad(q, k, temperature=tau)
    assert np.isfinite(g).all()
    with pytest.raises(ValueError, match="overflow"):
        info_nce(q * 1e200, k * 1e200, similarity="dot", temperature=1e-100)


# --------------------------------------------------------------------------- #
# validation (the roles shared with every function: tests/test_lossref_validation.py)
# --------------------------------------------------------------------------- #
X = RNG.normal(size=(3, 4))
Y = RNG.normal(size=(3, 4))
Z = RNG.normal(size=(3, 4))
CALLS = {
    "triplet_margin_loss": (X, Y, Z),
    "contrastive_loss": (X, Y, [1, 0, 1]),
    "info_nce": (X, Y),
    "nt_xent": (X, Y),
}
BAD_OPTIONS = [
    ("triplet_margin_loss", {"margin": -0.5}, ValueError, "margin must be >= 0; got -0.5"),
    ("triplet_margin_loss", {"p": 0.5}, ValueError, "p must be >= 1 (a norm); got 0.5"),
    ("triplet_margin_loss", {"p": math.inf}, ValueError, "p must be finite"),
    ("triplet_margin_loss", {"p": "2"}, TypeError, "p must be a real number"),
    ("triplet_margin_loss", {"eps": -1e-6}, ValueError, "eps must be >= 0"),
    ("triplet_margin_loss", {"eps": math.nan}, ValueError, "eps must be finite"),
    ("triplet_margin_loss", {"swap": 1}, TypeError, "swap must be True or False; got 1"),
    ("contrastive_loss", {"margin": math.inf}, ValueError, "margin must be finite"),
    ("contrastive_loss", {"margin": -1}, ValueError, "margin must be >= 0"),
    ("info_nce", {"temperature": 0.0}, ValueError, "temperature must be > 0; got 0.0"),
    ("info_nce", {"temperature": -0.1}, ValueError, "temperature must be > 0"),
    ("info_nce", {"temperature": math.inf}, ValueError, "temperature must be finite"),
    ("info_nce", {"temperature": None}, TypeError, "temperature must be a real number"),
    ("info_nce", {"similarity": "l2"}, ValueError, "similarity must be 'cosine' or 'dot'"),
    ("nt_xent", {"temperature": math.nan}, ValueError, "temperature must be finite"),
    ("nt_xent", {"similarity": None}, ValueError, "similarity must be 'cosine' or 'dot'"),
]


@pytest.mark.parametrize("grad", [False, True], ids=["loss", "grad"])
@pytest.mark.parametrize(
    ("name", "options", "exc", "fragment"),
    BAD_OPTIONS,
    ids=[f"{c[0]}-{next(iter(c[1]))}-{next(iter(c[1].values()))!r}" for c in BAD_OPTIONS],
)
def test_bad_option_is_rejected(name, options, exc, fragment, grad):
    func = getattr(lossref, name + ("_grad" if grad else ""))
    with pytest.raises(exc) as info:
        func(*CALLS[name], **options)
    assert fragment in str(info.value)


BAD_INPUTS = [
    ("triplet_margin_loss", (X, Y, Z[:2]), ValueError, "negatives must have the same shape as"),
    ("triplet_margin_loss", (X, Y[:, :3], Z), ValueError, "positives must have the same shape"),
    ("triplet_margin_loss", (np.zeros((3, 0)),) * 3, ValueError, "at least one dimension"),
    ("triplet_margin_loss", (X, Y, Z[0]), ValueError, "negatives must have the same shape"),
    ("contrastive_loss", (X, Y, [1, 2, 0]), ValueError, "labels must be 0 or 1"),
    ("contrastive_loss", (X, Y, [1, -1, 0]), ValueError, "got -1 at position 1"),
    ("contrastive_loss", (X, Y, [1.0, 0.0, 1.0]), TypeError, "labels must have an integer dtype"),
    ("contrastive_loss", (X, Y, [True, False, True]), TypeError, "boolean"),
    ("contrastive_loss", (X, Y, [1, 0]), ValueError, "labels must be shape (3,), one per pair"),
    ("contrastive_loss", (X, Y, "101"), TypeError, "labels must be integers 0 or 1"),
    ("contrastive_loss", (X[0], Y[0], [1]), ValueError, "a single integer for one pair"),
    ("info_nce", (X, Y[:2]), ValueError, "keys must have at least as many rows as queries"),
    ("info_nce", (X, Y[:, :3]), ValueError, "keys must have D = 4 columns like queries"),
    ("info_nce", (X[0], Y), ValueError, "queries must be a 2-D array of shape (N, D)"),
    ("info_nce", (X, np.zeros((0, 4))), ValueError, "keys must have at least as many rows"),
    ("info_nce", (np.vstack([X, 0 * X[:1]]), np.vstack([Y, Y])), ValueError, "queries row 3"),
    ("info_nce", (X, np.vstack([Y[:2], 0 * Y[:1]])), ValueError, "keys row 2 is zero"),
    ("nt_xent", (X, np.vstack([Y[:2], 0 * Y[:1]])), ValueError, "embeddings2 row 2 is zero"),
    ("nt_xent", (X, Y[:2]), ValueError, "embeddings2 must have the same shape"),
    ("nt_xent", (X, Y[0]), ValueError, "embeddings2 must be a 2-D array"),
]


@pytest.mark.parametrize("grad", [False, True], ids=["loss", "grad"])
@pytest.mark.parametrize(("name", "args", "exc", "fragment"), BAD_INPUTS)
def test_bad_input_is_rejected(name, args, exc, fragment, grad):
    func = getattr(lossref, name + ("_grad" if grad else ""))
    with pytest.raises(exc) as info:
        func(*args)
    assert fragment in str(info.value)


def test_zero_rows_are_fine_with_dot_products():
    q = np.vstack([X, np.zeros((1, 4))])
    k = np.vstack([Y, Y[:1]])
    assert math.isfinite(info_nce(q, k, similarity="dot"))
    # a zero query has equal logits 0 against every key: ln M
    assert info_nce(q, k, similarity="dot", reduction="none")[3] == pytest.approx(math.log(4))


@pytest.mark.parametrize(
    ("func", "args", "allowed"),
    [
        (triplet_grad, (X, Y, Z), "'anchors', 'positives' or 'negatives'"),
        (contrastive_grad, (X, Y, [1, 0, 1]), "'embeddings1' or 'embeddings2'"),
        (info_nce_grad, (X, Y), "'queries' or 'keys'"),
        (nt_xent_grad, (X, Y), "'embeddings1' or 'embeddings2'"),
    ],
)
def test_unknown_wrt_is_rejected(func, args, allowed):
    with pytest.raises(ValueError, match=f"wrt must be {allowed}; got 'x'"):
        func(*args, wrt="x")


def test_edge_options_are_accepted():
    a, pos, neg = RNG.normal(size=(3, 4, 2))
    # margin 0: the loss is the excess of the positive distance over the negative one
    np.testing.assert_allclose(
        triplet(a, pos, neg, margin=0.0, eps=0.0, reduction="none"),
        np.maximum(pnorm(a - pos, 2) - pnorm(a - neg, 2), 0.0),
        rtol=1e-14,
    )
    assert contrastive(a, pos, [0, 0, 0, 0], margin=0.0) == 0.0
    assert triplet(a, pos, neg, p=1) == triplet(a, pos, neg, p=1.0)
    assert math.isfinite(triplet(a, pos, neg, p=50.0))
    assert triplet(a, pos, neg, swap=np.bool_(True)) == triplet(a, pos, neg, swap=True)
    assert math.isfinite(info_nce(a, pos, temperature=1e-300))


# --------------------------------------------------------------------------- #
# gradients against centred differences, and at the kinks
# --------------------------------------------------------------------------- #
def _triplets_away_from_kinks(n, d, margin, p=2.0, eps=1e-6, swap=False):
    """Triplets whose hinges, and under swap the gap between the two negative distances,
    stay 1e-3 from 0, so that the centred differences do not straddle a kink."""
    while True:
        a, pos, neg = RNG.normal(size=(3, n, d))
        d_an, d_pn = pnorm(a - neg + eps, p), pnorm(pos - neg + eps, p)
        d_neg = np.minimum(d_an, d_pn) if swap else d_an
        hinge = pnorm(a - pos + eps, p) - d_neg + margin
        if np.min(np.abs(hinge)) > 1e-3 and (not swap or np.min(np.abs(d_an - d_pn)) > 1e-3):
            return a, pos, neg


TRIPLET_OPTIONS = [
    {},
    {"p": 1.0},
    {"p": 3.0, "eps": 0.05},
    {"swap": True},
    {"p": 1.5, "swap": True, "eps": 0.1},
    {"margin": 0.0},
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("wrt", ["anchors", "positives", "negatives"])
@pytest.mark.parametrize("options", TRIPLET_OPTIONS, ids=lambda o: ",".join(map(str, o.items())))
@pytest.mark.parametrize("single", [False, True], ids=["batch", "single"])
def test_triplet_gradient_matches_centred_differences(options, wrt, reduction, single):
    kw = dict(options)
    margin = kw.pop("margin", 1.5)
    a, pos, neg = _triplets_away_from_kinks(1 if single else 6, 4, margin, **kw)
    if single:
        a, pos, neg = a[0], pos[0], neg[0]
    args = {"anchors": a, "positives": pos, "negatives": neg}

    def f(x):
        return float(np.sum(triplet(**{**args, wrt: x}, margin=margin, reduction=reduction, **kw)))

    analytic = triplet_grad(a, pos, neg, margin=margin, reduction=reduction, wrt=wrt, **kw)
    assert analytic.shape == a.shape
    numeric = lossref.numerical_gradient(f, args[wrt])
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("wrt", ["embeddings1", "embeddings2"])
@pytest.mark.parametrize("single", [False, True], ids=["batch", "single"])
def test_contrastive_gradient_matches_centred_differences(wrt, reduction, single):
    while True:
        x1, x2 = RNG.normal(size=(2, 7, 3))
        d = np.linalg.norm(x1 - x2, axis=1)
        if np.min(np.abs(d - 2.0)) > 1e-3:
            break
    labels = np.array([1, 0, 0, 1, 0, 1, 0])
    if single:
        x1, x2, labels = x1[1], x2[1], 0
    args = {"embeddings1": x1, "embeddings2": x2}

    def f(x):
        return float(
            np.sum(contrastive(**{**args, wrt: x}, labels=labels, margin=2.0, reduction=reduction))
        )

    analytic = contrastive_grad(x1, x2, labels, margin=2.0, reduction=reduction, wrt=wrt)
    numeric = lossref.numerical_gradient(f, args[wrt])
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("similarity", ["cosine", "dot"])
@pytest.mark.parametrize("tau", [0.07, 1.0])
@pytest.mark.parametrize(
    ("func", "grad", "names", "shapes"),
    [
        (info_nce, info_nce_grad, ("queries", "keys"), ((5, 3), (8, 3))),
        (nt_xent, nt_xent_grad, ("embeddings1", "embeddings2"), ((5, 3), (5, 3))),
    ],
    ids=["info_nce", "nt_xent"],
)
def test_info_nce_and_nt_xent_gradients_match_centred_differences(
    func, grad, names, shapes, tau, similarity, reduction
):
    args = dict(zip(names, (RNG.normal(size=s) for s in shapes), strict=True))
    kw = {"temperature": tau, "similarity": similarity, "reduction": reduction}
    for wrt in names:

        def f(x, wrt=wrt):
            return float(np.sum(func(**{**args, wrt: x}, **kw)))

        analytic = grad(**args, wrt=wrt, **kw)
        assert analytic.shape == args[wrt].shape
        numeric = lossref.numerical_gradient(f, args[wrt], h=1e-6)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-7)


def test_gradient_check_passes_with_default_step():
    a, pos, neg = _triplets_away_from_kinks(5, 3, 1.0)
    assert (
        lossref.gradient_check(
            lambda v: triplet(v, pos, neg), lambda v: triplet_grad(v, pos, neg), a
        )
        < 1e-7
    )
    assert (
        lossref.gradient_check(
            lambda v: info_nce(v, pos, temperature=0.2),
            lambda v: info_nce_grad(v, pos, temperature=0.2),
            a,
        )
        < 1e-7
    )


def test_values_returned_at_the_kinks():
    """0 at a hinge of exactly 0; g(0) = 0 for a zero difference; sign(0) = 0 for p = 1;
    0 for a dissimilar pair at distance 0; half each at a tie of the swap."""
    a, pos, neg = np.zeros(2), np.array([3.0, 4.0]), np.array([6.0, -8.0])
    assert triplet(a, pos, neg, margin=5.0, eps=0.0) == 0.0  # 5 - 10 + 5
    for wrt in ("anchors", "positives", "negatives"):
        assert triplet_grad(a, pos, neg, margin=5.0, eps=0.0, wrt=wrt).tolist() == [0.0, 0.0]
    # zero difference between anchor and positive: only the negative's direction is left
    g = triplet_grad(a, a, neg, margin=20.0, eps=0.0)  # -(a - neg) / |a - neg|
    np.testing.assert_allclose(g, [0.6, -0.8], rtol=1e-15)
    assert triplet_grad(a, [3.0, 0.0], [0.0, 5.0], p=1.0, eps=0.0, margin=9.0).tolist() == [
        -1.0,
        1.0,
    ]  # sign(-3), sign(0) = 0 for the positive; minus sign(0), sign(-5) for the negative
    assert contrastive_grad(a, a, 0).tolist() == [0.0, 0.0]
    assert contrastive_grad(a, a, 1).tolist() == [0.0, 0.0]
    # swap with a == positive: d(a, n) = d(p, n); each distance gets half, as in PyTorch
    neg = np.array([0.5, 0.0])
    assert triplet(a, a, neg, eps=0.0, swap=True) == 0.5
    assert triplet_grad(a, a, neg, eps=0.0, swap=True).tolist() == [0.5, 0.0]
    assert triplet_grad(a, a, neg, eps=0.0, swap=True, wrt="positives").tolist() == [0.5, 0.0]
    assert triplet_grad(a, a, neg, eps=0.0, swap=True, wrt="negatives").tolist() == [-1.0, 0.0]


# --------------------------------------------------------------------------- #
# hypothesis properties
# --------------------------------------------------------------------------- #
def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def embeddings(draw, count=3, lo=-100.0, hi=100.0):
    """``count`` arrays (N, D) of one shape."""
    n = draw(st.integers(1, 6))
    d = draw(st.integers(1, 5))
    return [draw(hnp.arrays(np.float64, (n, d), elements=floats(lo, hi))) for _ in range(count)]


@st.composite
def rotations(draw, d):
    """A random orthogonal matrix (QR of a Gaussian matrix, signs fixed)."""
    seed = draw(st.integers(0, 2**32 - 1))
    g = np.random.default_rng(seed).normal(size=(d, d))
    q, r = np.linalg.qr(g)
    return q * np.sign(np.diag(r))


MARGINS = st.one_of(floats(0.0, 50.0), st.sampled_from([0.0, 1.0]))
PS = st.one_of(st.sampled_from([1.0, 2.0, 3.0]), floats(1.0, 8.0))


@SETTINGS
@given(embeddings(), MARGINS, PS, st.booleans())
def test_triplet_loss_is_zero_when_the_negative_is_far_enough(x, margin, p, swap):
    """Push each negative away from its anchor until d(a, n) >= d(a, p) + margin (and, under
    swap, d(p, n) too): the loss and every gradient are 0.  The loss is never negative."""
    a, pos, neg = x
    kw = {"margin": margin, "p": p, "eps": 0.0, "swap": swap}
    assert np.all(triplet(a, pos, neg, reduction="none", **kw) >= 0)
    d_ap = pnorm(a - pos, p)
    direction = np.ones(a.shape[1]) / a.shape[1] ** (1 / p)  # unit in the p-norm
    far = pos + (2 * d_ap + margin + 1.0)[:, None] * direction  # d(p, n) >= d_ap + margin + 1
    far_neg = a + (np.abs(far - a).max() + 2 * d_ap + margin + 1.0)[:, None] * direction
    assert np.all(triplet(a, pos, far_neg, reduction="none", **kw) == 0.0)
    for wrt in ("anchors", "positives", "negatives"):
        assert np.all(triplet_grad(a, pos, far_neg, wrt=wrt, **kw) == 0.0)


@SETTINGS
@given(embeddings(), MARGINS, PS, st.booleans())
def test_triplet_gradients_sum_to_zero(x, margin, p, swap):
    """The loss depends on differences only: moving a, p and n together changes nothing, so
    the three gradients sum to 0 (without eps, also when the embeddings are shifted)."""
    a, pos, neg = x
    kw = {"margin": margin, "p": p, "eps": 0.1, "swap": swap}
    total = sum(
        triplet_grad(a, pos, neg, wrt=w, **kw) for w in ("anchors", "positives", "negatives")
    )
    np.testing.assert_allclose(total, 0.0, atol=1e-12)


@SETTINGS
@given(embeddings(lo=-10.0, hi=10.0), MARGINS, st.booleans(), st.data())
def test_rotation_invariance(x, margin, swap, data):
    """Euclidean distances and cosine / dot similarities do not change when every embedding
    is rotated by the same orthogonal matrix: neither do the losses (eps = 0)."""
    a, pos, neg = x
    rot = data.draw(rotations(a.shape[1]))
    ra, rp, rn = a @ rot, pos @ rot, neg @ rot
    kw = {"margin": margin, "eps": 0.0, "swap": swap, "reduction": "none"}
    np.testing.assert_allclose(triplet(ra, rp, rn, **kw), triplet(a, pos, neg, **kw), atol=1e-11)
    np.testing.assert_allclose(
        triplet_grad(ra, rp, rn, **kw), triplet_grad(a, pos, neg, **kw) @ rot, atol=1e-11
    )
    labels = np.arange(a.shape[0]) % 2
    np.testing.assert_allclose(
        contrastive(ra, rp, labels, margin=margin, reduction="none"),
        contrastive(a, pos, labels, margin=margin, reduction="none"),
        atol=1e-10,
    )
    keep = (np.linalg.norm(a, axis=1) > 1e-3) & (np.linalg.norm(pos, axis=1) > 1e-3)
    if keep.any():
        for similarity in ("cosine", "dot"):
            for func in (info_nce, nt_xent):
                kw = {"similarity": similarity, "temperature": 0.5, "reduction": "none"}
                np.testing.assert_allclose(
                    func(ra[keep], rp[keep], **kw), func(a[keep], pos[keep], **kw), atol=1e-9
                )


@SETTINGS
@given(embeddings(count=2, lo=-10.0, hi=10.0), floats(0.01, 10.0), st.data())
def test_cosine_ignores_the_lengths_of_the_rows(x, tau, data):
    """Scaling each row by a positive factor changes no cosine; the gradient with respect to
    a row has no component along it and scales by the inverse factor."""
    q, k = x
    if np.min(np.linalg.norm(q, axis=1)) < 1e-3 or np.min(np.linalg.norm(k, axis=1)) < 1e-3:
        return
    c = data.draw(hnp.arrays(np.float64, (q.shape[0], 1), elements=floats(0.01, 100.0)))
    for func, grad in ((info_nce, info_nce_grad), (nt_xent, nt_xent_grad)):
        base = func(q, k, temperature=tau, reduction="none")
        np.testing.assert_allclose(
            func(q * c, k, temperature=tau, reduction="none"), base, atol=1e-11
        )
        g = grad(q, k, temperature=tau)
        np.testing.assert_allclose(np.vecdot(g, q), 0.0, atol=1e-10 * (1 + np.abs(g).max()))
        np.testing.assert_allclose(grad(q * c, k, temperature=tau), g / c, rtol=1e-8, atol=1e-12)


@SETTINGS
@given(embeddings(count=2, lo=-10.0, hi=10.0), floats(0.01, 100.0), st.integers(0, 4))
def test_info_nce_equals_softmax_cross_entropy_of_similarities(x, tau, extra):
    """info_nce(Q, K) == softmax_cross_entropy(sim(Q, K) / tau, arange(N)), also with extra
    negative keys; its gradient with respect to Q is G K / tau for dot products."""
    q, k = x
    k = np.vstack([k, np.random.default_rng(extra).normal(size=(extra, k.shape[1]))])
    S = q @ k.T / tau
    labels = np.arange(q.shape[0])
    for reduction in REDUCTIONS:
        np.testing.assert_allclose(
            info_nce(q, k, temperature=tau, similarity="dot", reduction=reduction),
            lossref.softmax_cross_entropy(S, labels, reduction=reduction),
            rtol=1e-12,
            atol=1e-12,
        )
    G = lossref.softmax_cross_entropy_grad(S, labels)
    size = (np.abs(G) @ np.abs(k)).max() / tau + (np.abs(G.T) @ np.abs(q)).max() / tau
    np.testing.assert_allclose(
        info_nce_grad(q, k, temperature=tau, similarity="dot"),
        G @ k / tau,
        rtol=1e-12,
        atol=1e-14 * size,  # summed in another order
    )
    np.testing.assert_allclose(
        info_nce_grad(q, k, temperature=tau, similarity="dot", wrt="keys"),
        G.T @ q / tau,
        rtol=1e-12,
        atol=1e-14 * size,
    )


@SETTINGS
@given(st.integers(1, 40), st.integers(0, 40), st.integers(1, 6), floats(0.01, 10.0))
def test_equal_similarities_give_ln_of_the_number_of_candidates(n, extra, d, tau):
    """All similarities equal: InfoNCE is ln M (M keys), NT-Xent ln(2N - 1); the
    mutual-information bound ln M - L is then 0."""
    q = np.ones((n, d))
    k = np.ones((n + extra, d))
    for similarity in ("cosine", "dot"):
        assert info_nce(q, k, temperature=tau, similarity=similarity) == pytest.approx(
            math.log(n + extra), rel=1e-13, abs=1e-15
        )
        assert nt_xent(q, q, temperature=tau, similarity=similarity) == pytest.approx(
            math.log(2 * n - 1), rel=1e-13, abs=1e-15
        )


@SETTINGS
@given(embeddings(count=2, lo=-10.0, hi=10.0), floats(0.05, 10.0))
def test_nt_xent_is_symmetric_in_the_views(x, tau):
    """Exchanging the two views exchanges the halves of the per-row losses and the
    gradients; the mean does not change."""
    z1, z2 = x
    if np.min(np.linalg.norm(np.vstack([z1, z2]), axis=1)) < 1e-3:
        return
    n = z1.shape[0]
    a = nt_xent(z1, z2, temperature=tau, reduction="none")
    b = nt_xent(z2, z1, temperature=tau, reduction="none")
    np.testing.assert_allclose(a, np.concatenate([b[n:], b[:n]]), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        nt_xent_grad(z1, z2, temperature=tau),
        nt_xent_grad(z2, z1, temperature=tau, wrt="embeddings2"),
        rtol=1e-10,
        atol=1e-13,
    )


@SETTINGS
@given(embeddings(count=2), MARGINS)
def test_contrastive_gradients_are_opposite_and_the_loss_has_its_limits(x, margin):
    """g2 = -g1; similar pairs cost d^2 / 2 whatever the margin; dissimilar pairs at least
    the margin apart cost nothing."""
    x1, x2 = x
    n = x1.shape[0]
    labels = np.arange(n) % 2
    g1 = contrastive_grad(x1, x2, labels, margin=margin)
    np.testing.assert_array_equal(
        contrastive_grad(x1, x2, labels, margin=margin, wrt="embeddings2"), -g1
    )
    d = np.linalg.norm(x1 - x2, axis=1)
    per = contrastive(x1, x2, labels, margin=margin, reduction="none")
    np.testing.assert_allclose(per[labels == 1], d[labels == 1] ** 2 / 2, rtol=1e-13, atol=1e-300)
    far = labels == 0
    assert np.all(per[far & (d >= margin * (1 + 1e-12))] == 0.0)


# --------------------------------------------------------------------------- #
# accuracy against mpmath
# --------------------------------------------------------------------------- #
# The error measure (tests/test_accuracy.py's Worst, in eps = 2**-52) is relative to the
# condition of each loss: the triplet loss |c - v| / (d+ + d- + m) (the hinge of two distances
# cancels); a dissimilar pair's |c - v| / (|v| + (m - d) d); a similar pair's relative error;
# InfoNCE and NT-Xent |c - v| / (|v| + max |s_ij|) (the similarities are rounded products).
# Worst measured (NumPy 2.4, x86-64) in the comments; the bounds leave ~2x headroom.
SEED = 20250614
BOUND_TRIPLET = 2  # measured 0.91
BOUND_CONTRASTIVE = 3  # measured 1.17
BOUND_INFO_NCE = 2  # measured 0.85 (InfoNCE), 0.94 (NT-Xent)


def _mp(x):
    return [mp.mpf(float(v)) for v in np.ravel(x)]


def _mp_norm(v, p):
    p = mp.mpf(p)
    return mp.fsum(abs(c) ** p for c in v) ** (1 / p)


def _hostile_triplets(scale, rng):
    """Triplets around a scale: random ones, hinges that cancel (the negative a hair beyond
    the margin), tiny and huge components, equal anchors and positives."""
    a, pos, neg = rng.normal(0, scale, (3, 8, 4))
    d_ap = np.linalg.norm(a - pos, axis=1)
    direction = unit(rng.normal(size=(8, 4)))
    tight = a + (d_ap * (1 + 1e-9) + scale)[:, None] * direction  # hinge ~ 1e-9 d
    a2 = np.vstack([a, a, a[:2]])
    pos2 = np.vstack([pos, pos, a[:2]])  # the last two: anchor = positive
    neg2 = np.vstack([neg, tight, neg[:2]])
    return a2, pos2, neg2


def test_triplet_accuracy():
    worst = Worst("triplet_margin_loss")
    rng = np.random.default_rng(SEED)
    with mp.workdps(DPS):
        for scale in (1e-150, 1e-3, 1.0, 1e3, 1e150):
            a, pos, neg = _hostile_triplets(scale, rng)
            for p in (1.0, 2.0, 3.0):
                for eps in (0.0, 1e-6 * scale):
                    for swap in (False, True):
                        margin = scale
                        got = triplet(
                            a, pos, neg, margin=margin, p=p, eps=eps, swap=swap, reduction="none"
                        )
                        e = mp.mpf(eps)
                        for i in range(a.shape[0]):
                            ai, pi, ni = _mp(a[i]), _mp(pos[i]), _mp(neg[i])
                            dap = _mp_norm([x - y + e for x, y in zip(ai, pi, strict=True)], p)
                            dan = _mp_norm([x - y + e for x, y in zip(ai, ni, strict=True)], p)
                            if swap:
                                dan = min(
                                    dan,
                                    _mp_norm([x - y + e for x, y in zip(pi, ni, strict=True)], p),
                                )
                            v = max(dap - dan + mp.mpf(margin), 0)
                            worst.add(
                                got[i],
                                v,
                                lambda i=i, p=p, s=swap, a=a, pos=pos, neg=neg: (
                                    f"triplet {i}, p={p}, swap={s}, "
                                    f"a={_fmt(a[i])}, pos={_fmt(pos[i])}, neg={_fmt(neg[i])}"
                                ),
                                scale=dap + dan + mp.mpf(margin),
                            )
    worst.check(BOUND_TRIPLET)


def test_contrastive_accuracy():
    worst = Worst("contrastive_loss")
    rng = np.random.default_rng(SEED)
    with mp.workdps(DPS):
        for scale in (1e-150, 1e-3, 1.0, 1e3, 1e150):
            x1, x2 = rng.normal(0, scale, (2, 16, 5))
            x2[8:] = x1[8:] + rng.normal(0, 1e-9 * scale, (8, 5))  # nearly equal pairs
            for margin in (scale, 1e-9 * scale, 10 * scale):
                for y in (0, 1):
                    labels = np.full(16, y)
                    got = contrastive(x1, x2, labels, margin=margin, reduction="none")
                    m = mp.mpf(margin)
                    for i in range(16):
                        d = _mp_norm(
                            [a - b for a, b in zip(_mp(x1[i]), _mp(x2[i]), strict=True)], 2
                        )
                        if y == 1:
                            v, s = d * d / 2, None
                        else:
                            gap = max(m - d, 0)
                            v, s = gap * gap / 2, gap * gap / 2 + gap * d
                        worst.add(
                            got[i],
                            v,
                            lambda i=i, y=y, m=margin, x1=x1, x2=x2: (
                                f"pair {i}, y={y}, margin={m!r}, x1={_fmt(x1[i])}, x2={_fmt(x2[i])}"
                            ),
                            scale=s,
                        )
    worst.check(BOUND_CONTRASTIVE)


def _mp_info_nce_rows(q, k, tau, similarity, mask_diagonal=False, partner=None):
    """Per-row -ln softmax(S)[i, positive] of S = sim(q, k) / tau, and max_j |s_ij|."""
    qs = [_mp(r) for r in q]
    ks = [_mp(r) for r in k]

    def dot(u, v):
        return mp.fsum(a * b for a, b in zip(u, v, strict=True))

    if similarity == "cosine":
        qs = [[a / mp.sqrt(dot(u, u)) for a in u] for u in qs]
        ks = [[a / mp.sqrt(dot(u, u)) for a in u] for u in ks]
    t = mp.mpf(tau)
    out = []
    for i, u in enumerate(qs):
        row = [dot(u, v) / t for j, v in enumerate(ks) if not (mask_diagonal and j == i)]
        pos = dot(u, ks[i if partner is None else partner[i]]) / t
        top = max(range(len(row)), key=row.__getitem__)
        rest = mp.fsum(mp.exp(s - row[top]) for j, s in enumerate(row) if j != top)
        # (m - s_pos) + log1p(rest): both >= 0, so a tiny loss keeps its digits
        out.append(((row[top] - pos) + mp.log1p(rest), max(abs(s) for s in row)))
    return out


def test_info_nce_and_nt_xent_accuracy_at_small_temperatures():
    worst_info = Worst("info_nce")
    worst_nt = Worst("nt_xent")
    rng = np.random.default_rng(SEED)
    with mp.workdps(DPS):
        for scale in (1e-150, 1.0, 1e150):
            q, k = rng.normal(0, scale, (2, 6, 4))
            k[:3] = q[:3] * (1 + 1e-3)  # confident rows: tiny losses
            keys = np.vstack([k, rng.normal(0, scale, (3, 4))])
            for similarity in ("cosine", "dot"):
                if similarity == "cosine":
                    taus = (1.0, 0.07, 1e-3, 1e-6)
                else:  # similarities of order scale**2
                    taus = (scale**2, 1e-3 * scale**2)
                for tau in taus:
                    got = info_nce(
                        q, keys, temperature=tau, similarity=similarity, reduction="none"
                    )
                    for i, (v, s) in enumerate(_mp_info_nce_rows(q, keys, tau, similarity)):
                        worst_info.add(
                            got[i],
                            v,
                            lambda i=i, t=tau, sim=similarity, q=q: (
                                f"row {i}, tau={t!r}, {sim}, q={_fmt(q[i])}"
                            ),
                            scale=abs(v) + s,
                        )
                    got = nt_xent(q, k, temperature=tau, similarity=similarity, reduction="none")
                    z = np.vstack([q, k])
                    partner = [(i + 6) % 12 for i in range(12)]
                    rows = _mp_info_nce_rows(z, z, tau, similarity, True, partner)
                    for i, (v, s) in enumerate(rows):
                        worst_nt.add(
                            got[i],
                            v,
                            lambda i=i, t=tau, sim=similarity: f"row {i}, tau={t!r}, {sim}",
                            scale=abs(v) + s,
                        )
    worst_info.check(BOUND_INFO_NCE)
    worst_nt.check(BOUND_INFO_NCE)


def test_a_confident_query_keeps_its_tiny_loss():
    """The positive's cosine beats the negative's by 0.5 at tau = 0.01: the loss is about
    e^-50 ~ 2e-22, not rounded to 0 or 1e-16; its relative error is that of the logits, a few
    eps times their size 100."""
    q = np.array([[1.0, 0.0]])
    k = np.array([[1.0, 0.0], [0.5, math.sqrt(0.75)]])
    got = info_nce(q, k, temperature=0.01)
    with mp.workdps(DPS):
        k1 = _mp(k[1])
        cos = k1[0] / mp.sqrt(k1[0] ** 2 + k1[1] ** 2)
        exact = mp.log1p(mp.exp(-(1 - cos) / mp.mpf(0.01)))
        assert abs(mp.mpf(got) - exact) / exact < 4 * mp.mpf(2) ** -52 * 100
