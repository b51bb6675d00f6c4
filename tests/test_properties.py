"""Mathematical properties of lossref, checked with hypothesis.

Each test states one identity or inequality that the book relies on; inputs are
finite float64 arrays from bounded ranges (wide enough to include confident
predictions and scores of magnitude 1e3) with shapes up to (8, 10).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lossref

EPS = np.finfo(np.float64).eps
SETTINGS = settings(deadline=None, max_examples=60)
LOG_BASES = (2.0, 10.0, 0.5 + math.e)


# --------------------------------------------------------------------------- #
# strategies
# --------------------------------------------------------------------------- #
def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def scores_labels(draw, lo=-50.0, hi=50.0, max_n=8, max_c=10):
    """(scores (N, C), labels (N,)) with N >= 1, C >= 2."""
    n = draw(st.integers(1, max_n))
    c = draw(st.integers(2, max_c))
    s = draw(hnp.arrays(np.float64, (n, c), elements=floats(lo, hi)))
    y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return s, y


@st.composite
def prob_rows(draw, n, c, zeros=True):
    """(n, c) rows of probabilities (normalised weights; some exact zeros if ``zeros``)."""
    weight = st.one_of(st.just(0.0), floats(1e-6, 1.0)) if zeros else floats(1e-3, 1.0)
    w = draw(hnp.arrays(np.float64, (n, c), elements=weight))
    w[w.sum(axis=1) == 0, draw(st.integers(0, c - 1))] = 1.0
    return w / w.sum(axis=1, keepdims=True)


@st.composite
def prob_pairs(draw):
    """(p, q): p may contain zeros, q is strictly positive (so KL(p||q) is finite)."""
    n = draw(st.integers(1, 8))
    c = draw(st.integers(2, 10))
    return draw(prob_rows(n, c)), draw(prob_rows(n, c, zeros=False))


@st.composite
def binary_batch(draw):
    """(probs in [1e-12, 1 - 1e-12], logits in [-50, 50], soft targets in [0, 1]), shape (N,)."""
    n = draw(st.integers(1, 16))
    p = draw(hnp.arrays(np.float64, (n,), elements=floats(1e-12, 1 - 1e-12)))
    x = draw(hnp.arrays(np.float64, (n,), elements=floats(-50.0, 50.0)))
    t = draw(
        hnp.arrays(np.float64, (n,), elements=st.one_of(st.sampled_from([0.0, 1.0]), floats(0, 1)))
    )
    return p, x, t


@st.composite
def regression_batch(draw):
    n = draw(st.integers(1, 8))
    c = draw(st.integers(1, 6))
    a = draw(hnp.arrays(np.float64, (n, c), elements=floats(-1e3, 1e3)))
    b = draw(hnp.arrays(np.float64, (n, c), elements=floats(-1e3, 1e3)))
    return a, b


def _onehot(labels, c):
    return np.eye(c)[labels]


# --------------------------------------------------------------------------- #
# non-negativity
# --------------------------------------------------------------------------- #
@SETTINGS
@given(scores_labels(lo=-1e3, hi=1e3), floats(0.0, 10.0))
def test_classification_losses_are_nonnegative(sl, margin):
    """Softmax cross-entropy and the (squared) multiclass hinge are >= 0 for every example."""
    s, y = sl
    assert np.all(lossref.softmax_cross_entropy(s, y, reduction="none") >= 0)
    for squared in (False, True):
        h = lossref.multiclass_hinge(s, y, margin=margin, squared=squared, reduction="none")
        assert np.all(h >= 0)
    t = np.where(y % 2 == 0, 1, -1)
    assert np.all(lossref.binary_hinge(s[:, 0], t, margin=margin, reduction="none") >= 0)


@SETTINGS
@given(prob_pairs(), binary_batch(), regression_batch())
def test_probabilistic_and_regression_losses_are_nonnegative(pq, bb, ab):
    """Cross-entropy, entropy, KL, BCE (both forms), squared error and penalties are >= 0."""
    p, q = pq
    assert np.all(lossref.cross_entropy(q, p, reduction="none") >= 0)
    assert np.all(np.asarray(lossref.entropy(p)) >= 0)
    assert np.all(np.asarray(lossref.kl_divergence(q, p)) >= 0)
    prob, logit, t = bb
    assert np.all(lossref.binary_cross_entropy(prob, t, reduction="none") >= 0)
    assert np.all(lossref.sigmoid_binary_cross_entropy(logit, t, reduction="none") >= 0)
    a, b = ab
    assert np.all(lossref.squared_error(a, b, reduction="none") >= 0)
    assert lossref.mean_squared_error(a, b) >= 0
    w = a.ravel()
    assert lossref.l2_penalty(w) >= 0
    assert lossref.l1_penalty(w) >= 0
    assert lossref.elastic_net_penalty(w, l1_ratio=0.3) >= 0


# --------------------------------------------------------------------------- #
# softmax
# --------------------------------------------------------------------------- #
@SETTINGS
@given(scores_labels(lo=-1e3, hi=1e3), floats(-100.0, 100.0))
def test_softmax_is_invariant_to_adding_a_constant(sl, shift):
    """softmax, log_softmax are unchanged by adding c to every score (up to rounding of s + c)."""
    s, _ = sl
    shifted = s + shift
    np.testing.assert_allclose(lossref.softmax(shifted), lossref.softmax(s), rtol=1e-9, atol=1e-300)
    # rounding s + c moves each score by <= eps * |s + c| (log_softmax is 2-Lipschitz in the
    # max-norm) and each side has its own rounding errors of a few eps * |log_softmax| <= 2 max|s|
    atol = 8 * EPS * (2 * np.abs(s).max() + abs(shift) + 10)
    np.testing.assert_allclose(
        lossref.log_softmax(shifted), lossref.log_softmax(s), rtol=0, atol=atol
    )


@SETTINGS
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=12),
        elements=floats(-np.finfo(np.float64).max, np.finfo(np.float64).max),
    )
)
def test_softmax_rows_sum_to_one_for_any_finite_scores(s):
    """softmax rows are in [0, 1] and sum to 1 (within 2 C eps); max <= logsumexp; no warning."""
    p = lossref.softmax(s)
    c = s.shape[-1]
    assert p.shape == s.shape
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=2 * c * EPS)
    lse = np.asarray(lossref.logsumexp(s))
    assert np.all(np.isfinite(lse))
    top = s.max(axis=-1)
    assert np.all(lse >= top)
    # max <= logsumexp <= max + log C (differences: no overflow near 1.8e308)
    assert np.all(lse - top <= math.log(c) * (1 + 4 * EPS) + 4 * EPS * np.abs(top))


# --------------------------------------------------------------------------- #
# hinge
# --------------------------------------------------------------------------- #
@SETTINGS
@given(scores_labels(lo=-1e3, hi=1e3), floats(0.0, 10.0), floats(0.0, 10.0))
def test_hinge_is_zero_when_every_margin_holds(sl, margin, gap):
    """If s_y >= s_j + margin for every j != y the multiclass hinge (plain and squared) is 0."""
    s, y = sl
    rows = np.arange(len(s))
    others = s.copy()
    others[rows, y] = -np.inf
    s = s.copy()
    s[rows, y] = others.max(axis=1) + margin + gap + 1e-9 * (1 + np.abs(others.max(axis=1)))
    for squared in (False, True):
        assert (
            lossref.multiclass_hinge(s, y, margin=margin, squared=squared, reduction="sum") == 0.0
        )


@SETTINGS
@given(scores_labels(lo=-1e3, hi=1e3), floats(0.0, 10.0))
def test_hinge_is_positive_when_a_margin_is_violated(sl, margin):
    """An example's hinge is >= its worst violation max_j (s_j - s_y + margin), > 0 iff any."""
    s, y = sl
    rows = np.arange(len(s))
    viol = s - s[rows, y][:, None] + margin
    viol[rows, y] = -np.inf
    worst = viol.max(axis=1)
    h = lossref.multiclass_hinge(s, y, margin=margin, reduction="none")
    assert np.all((h > 0) == (worst > 0))
    assert np.all(h >= np.maximum(worst, 0) * (1 - 4 * EPS))


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(1, 16), elements=floats(-1e3, 1e3)), floats(0.0, 10.0))
def test_binary_hinge_is_zero_exactly_when_the_margin_holds(s, margin):
    """binary_hinge(s, t) = 0 iff t * s >= margin."""
    t = np.where(np.arange(len(s)) % 3 == 0, -1, 1)
    h = lossref.binary_hinge(s, t, margin=margin, reduction="none")
    assert np.all((h == 0) == (t * s >= margin))


# --------------------------------------------------------------------------- #
# information-theoretic identities
# --------------------------------------------------------------------------- #
@SETTINGS
@given(prob_pairs())
def test_cross_entropy_is_entropy_plus_kl(pq):
    """H(p, q) = H(p) + KL(p || q) (cross_entropy(probs=q, targets=p) with p the target)."""
    p, q = pq
    h_pq = lossref.cross_entropy(q, p, reduction="none")
    h_p = np.asarray(lossref.entropy(p))
    kl = np.asarray(lossref.kl_divergence(q, p))
    np.testing.assert_allclose(h_pq, h_p + kl, rtol=1e-12, atol=1e-13)


@SETTINGS
@given(prob_pairs())
def test_kl_is_nonnegative_and_zero_only_for_equal_distributions(pq):
    """KL(p || p) = 0 exactly; KL(p || q) >= ||p - q||_1^2 / 2 > 0 for p != q (Pinsker)."""
    p, q = pq
    assert np.all(np.asarray(lossref.kl_divergence(p, p)) == 0.0)
    assert np.all(np.asarray(lossref.kl_divergence(q, q)) == 0.0)
    kl = np.asarray(lossref.kl_divergence(q, p))
    l1 = np.abs(p - q).sum(axis=1)
    assert np.all(kl >= 0.5 * l1**2 - 1e-15)
    assert np.all(kl[l1 > 1e-6] > 0)


@SETTINGS
@given(scores_labels(lo=-30.0, hi=30.0))
def test_cross_entropy_of_softmax_equals_softmax_cross_entropy(sl):
    """cross_entropy(softmax(s), onehot(y)) == softmax_cross_entropy(s, y)."""
    s, y = sl
    probs = lossref.softmax(s)
    a = lossref.cross_entropy(probs, _onehot(y, s.shape[1]), reduction="none")
    b = lossref.softmax_cross_entropy(s, y, reduction="none")
    # log of a probability with relative error ~eps: absolute error ~eps in the loss
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=8 * EPS)


@SETTINGS
@given(scores_labels(), prob_pairs(), st.sampled_from(LOG_BASES))
def test_base_conversion(sl, pq, base):
    """A loss in base b equals the loss in nats divided by ln b."""
    s, y = sl
    p, q = pq
    lnb = math.log(base)
    pairs = [
        (
            lossref.softmax_cross_entropy(s, y, base=base, reduction="none"),
            lossref.softmax_cross_entropy(s, y, reduction="none"),
        ),
        (
            lossref.cross_entropy(q, p, base=base, reduction="none"),
            lossref.cross_entropy(q, p, reduction="none"),
        ),
        (lossref.entropy(p, base=base), lossref.entropy(p)),
        (lossref.kl_divergence(q, p, base=base), lossref.kl_divergence(q, p)),
    ]
    for in_base, in_nats in pairs:
        np.testing.assert_allclose(in_base, np.asarray(in_nats) / lnb, rtol=4 * EPS, atol=1e-300)


# --------------------------------------------------------------------------- #
# reductions
# --------------------------------------------------------------------------- #
@SETTINGS
@given(scores_labels(lo=-1e3, hi=1e3), prob_pairs(), binary_batch(), regression_batch())
def test_sum_reduction_is_n_times_mean(sl, pq, bb, ab):
    """For every loss, reduction="sum" == N * reduction="mean" == sum of reduction="none"."""
    s, y = sl
    p, q = pq
    prob, logit, t = bb
    a, b = ab
    pm = np.where(np.arange(len(s)) % 2 == 0, 1, -1)
    calls = [
        (lambda r: lossref.softmax_cross_entropy(s, y, reduction=r), len(s)),
        (lambda r: lossref.multiclass_hinge(s, y, reduction=r), len(s)),
        (lambda r: lossref.multiclass_hinge(s, y, squared=True, reduction=r), len(s)),
        (lambda r: lossref.binary_hinge(s[:, 0], pm, reduction=r), len(s)),
        (lambda r: lossref.cross_entropy(q, p, reduction=r), len(p)),
        (lambda r: lossref.binary_cross_entropy(prob, t, reduction=r), len(prob)),
        (lambda r: lossref.sigmoid_binary_cross_entropy(logit, t, reduction=r), len(logit)),
        (lambda r: lossref.squared_error(a, b, reduction=r), len(a)),
    ]
    for f, n in calls:
        total, mean, each = f("sum"), f("mean"), f("none")
        assert isinstance(total, float)
        assert isinstance(mean, float)
        assert np.shape(each) == (n,)
        assert total == pytest.approx(n * mean, rel=4 * EPS, abs=1e-300)
        assert total == pytest.approx(math.fsum(each), rel=n * EPS, abs=1e-300)


@SETTINGS
@given(regression_batch())
def test_squared_error_is_c_times_mean_squared_error(ab):
    """squared_error sums over components: its mean over examples is C * mean_squared_error."""
    a, b = ab
    c = a.shape[1]
    assert lossref.squared_error(a, b) == pytest.approx(
        c * lossref.mean_squared_error(a, b), rel=1e-13, abs=1e-300
    )


# --------------------------------------------------------------------------- #
# gradients
# --------------------------------------------------------------------------- #
@SETTINGS
@given(scores_labels(lo=-1e3, hi=1e3), st.sampled_from(["mean", "sum", "none"]))
def test_softmax_cross_entropy_gradient_rows_sum_to_zero(sl, reduction):
    """Each row of d(CE)/d(scores) = (softmax(s) - onehot(y)) / N sums to 0."""
    s, y = sl
    g = lossref.softmax_cross_entropy_grad(s, y, reduction=reduction)
    assert g.shape == s.shape
    np.testing.assert_allclose(g.sum(axis=1), 0.0, rtol=0, atol=4 * s.shape[1] * EPS)
    expected = lossref.softmax(s) - _onehot(y, s.shape[1])
    if reduction == "mean":
        expected /= len(s)
    np.testing.assert_allclose(g, expected, rtol=1e-12, atol=1e-15)
