"""Softmax cross-entropy with label smoothing, class weights, probability targets and
ignore_index.

Values (the book's cat / car / frog scores, by hand), the two normalizations of the weighted
mean, validation of the new keywords, gradients against centred differences, hypothesis
properties (smoothing 0 is the plain loss, linearity in the smoothing, the lead identity
L_eps = L_0 + eps (s_y - mean s), Gibbs' inequality and the finite optimum, shift invariance,
weights and ignored examples) and accuracy against 50-digit mpmath references on hostile
scores.
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
from tests.test_accuracy import DPS, HOSTILE_LOGITS, Worst, _fmt, _mpf_list, ref_log_softmax

RNG = np.random.default_rng(20250113)
REDUCTIONS = ["mean", "sum", "none"]
SETTINGS = settings(deadline=None, max_examples=60)
BOUND_SMOOTHED = 3  # in eps = 2**-52; measured 1.26 on the hostile inputs below

S = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
Y = np.array([0, 1, 2])
ONEHOT = np.eye(3)[Y]
W = np.array([2.0, 1.0, 1.0])

loss = lossref.softmax_cross_entropy
grad = lossref.softmax_cross_entropy_grad


def nll(s):
    """-ln softmax(s), from lossref.log_softmax."""
    return -lossref.log_softmax(np.asarray(s, dtype=float))


def reference(s, targets, eps=0.0, w=None):
    """Per-example sum_c w_c q'_c (-ln p_c), q' = (1 - eps) q + eps / C, in plain NumPy."""
    s = np.atleast_2d(s)
    q = np.atleast_2d(targets)
    c = s.shape[1]
    a = (1 - eps) * q + eps / c
    if w is not None:
        a = a * w
    return (a * nll(s)).sum(axis=1)


# --------------------------------------------------------------------------- #
# values
# --------------------------------------------------------------------------- #
def test_hand_values_of_the_cat_car_frog_scores():
    plain = loss(S, Y, reduction="none")
    # smoothing 0.1: the loss grows by 0.1 times the correct score's lead over the mean score
    lead = S[[0, 1, 2], Y] - S.mean(axis=1)
    np.testing.assert_allclose(lead, [1.0, 6.5 / 3, -10.9 / 3], rtol=1e-15)
    smoothed = loss(S, Y, label_smoothing=0.1, reduction="none")
    np.testing.assert_allclose(smoothed, plain + 0.1 * lead, rtol=1e-15)
    assert round(smoothed[0], 4) == 2.1404
    np.testing.assert_allclose(smoothed, reference(S, ONEHOT, 0.1), rtol=1e-15)
    assert loss(S, Y, label_smoothing=0.1) == pytest.approx(smoothed.mean(), rel=1e-15)
    # class weights (2, 1, 1): the weighted mean divides by 2 + 1 + 1
    per = loss(S, Y, weights=W, reduction="none")
    np.testing.assert_allclose(per, W[Y] * plain, rtol=1e-15)
    assert loss(S, Y, weights=W) == pytest.approx(per.sum() / 4, rel=1e-15)
    assert loss(S, Y, weights=W, reduction="sum") == pytest.approx(per.sum(), rel=1e-15)
    # an ignored example: 0 in "none", left out of the mean's divisor
    ign = loss(S, [0, -100, 2], ignore_index=-100, reduction="none")
    assert ign.tolist() == [plain[0], 0.0, plain[2]]
    assert loss(S, [0, -100, 2], ignore_index=-100) == pytest.approx(
        (plain[0] + plain[2]) / 2, rel=1e-15
    )


def test_smoothing_and_weights_together_follow_pytorch():
    """L_i = (1 - eps) w_y l_y + eps / C sum_c w_c l_c; the mean divides by sum_i w_{y_i}."""
    eps = 0.1
    ell = nll(S)
    per = (1 - eps) * W[Y] * ell[[0, 1, 2], Y] + eps / 3 * (ell * W).sum(axis=1)
    got = loss(S, Y, label_smoothing=eps, weights=W, reduction="none")
    np.testing.assert_allclose(got, per, rtol=1e-15)
    np.testing.assert_allclose(got, reference(S, ONEHOT, eps, W), rtol=1e-15)
    assert loss(S, Y, label_smoothing=eps, weights=W) == pytest.approx(per.sum() / 4, rel=1e-15)


def test_probability_targets():
    soft = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(loss(S, soft, reduction="none"), reference(S, soft), rtol=1e-15)
    np.testing.assert_allclose(
        loss(S, soft, label_smoothing=0.2, weights=W, reduction="none"),
        reference(S, soft, 0.2, W),
        rtol=1e-15,
    )
    # one-hot float rows are the index labels, except for the weighted mean's divisor (N)
    for eps in (0.0, 0.3):
        for reduction in ("none", "sum"):
            np.testing.assert_allclose(
                loss(S, ONEHOT, label_smoothing=eps, weights=W, reduction=reduction),
                loss(S, Y, label_smoothing=eps, weights=W, reduction=reduction),
                rtol=1e-14,
            )
        by_index = loss(S, Y, label_smoothing=eps, weights=W)
        by_rows = loss(S, ONEHOT, label_smoothing=eps, weights=W)
        assert by_rows == pytest.approx(by_index * W[Y].sum() / 3, rel=1e-14)
    # single example, float32 targets, and the default path for one-hot rows
    assert loss(S[0], [0.9, 0.1, 0.0]) == pytest.approx(reference(S[0], [0.9, 0.1, 0.0])[0])
    t32 = np.array([0.3, 0.3, 0.4], dtype=np.float32)  # sums to 1 only to float32 precision
    assert loss(S[0], t32) == pytest.approx(float(reference(S[0], t32.astype(float))[0]))
    assert loss(S, ONEHOT) == pytest.approx(loss(S, Y), rel=1e-15)


def test_rows_summing_to_one_within_the_tolerance_are_used_as_given():
    """Like PyTorch, the targets are not renormalized: -sum_c t_c ln p_c of the rows given."""
    t = np.array([0.5, 0.25, 0.25 + 5e-5])
    assert loss(S[0], t) == pytest.approx(float((t * nll(S[0])).sum()), rel=1e-15)
    g = grad(S[0], t)
    np.testing.assert_allclose(g, lossref.softmax(S[0]) * t.sum() - t, rtol=1e-14)


def test_reductions_single_example_and_base():
    kw = {"label_smoothing": 0.2, "weights": W}
    none = loss(S, Y, reduction="none", **kw)
    assert isinstance(none, np.ndarray)
    assert none.shape == (3,)
    assert isinstance(loss(S, Y, **kw), float)
    assert isinstance(loss(S, Y, reduction="sum", **kw), float)
    # a single example is a batch of one: under "mean" its class weight cancels
    for reduction in REDUCTIONS:
        one = loss(S[0], 0, reduction=reduction, **kw)
        assert isinstance(one, float)
        expected = none[0] / W[0] if reduction == "mean" else none[0]
        assert one == pytest.approx(expected, rel=1e-15)
        assert isinstance(loss(S[0], [0.5, 0.5, 0.0], reduction=reduction, **kw), float)
    assert loss(S[0], 0, weights=W) == pytest.approx(loss(S[0], 0), rel=1e-15)
    assert loss(S[0], 0, weights=W, reduction="sum") == pytest.approx(2 * loss(S[0], 0))
    # base b divides by ln b
    for base in (2.0, 10.0):
        np.testing.assert_allclose(
            loss(S, Y, base=base, reduction="none", **kw), none / math.log(base), rtol=1e-15
        )
        np.testing.assert_allclose(
            grad(S, Y, base=base, **kw), grad(S, Y, **kw) / math.log(base), rtol=1e-14
        )
    # an ignored single example: 0 for "sum" and "none"; its mean is refused
    assert loss(S[0], 1, ignore_index=1, reduction="sum") == 0.0
    assert grad(S[0], 1, ignore_index=1, reduction="none").tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="every example is ignored"):
        loss(S[0], 1, ignore_index=1)


def test_ignore_index_inside_the_class_range_and_with_weights():
    """ignore_index = 1 drops the car image; the weighted mean divides by the kept weights."""
    kept = loss(S[[0, 2]], Y[[0, 2]], weights=W, label_smoothing=0.1, reduction="sum")
    got = loss(S, Y, ignore_index=1, weights=W, label_smoothing=0.1)
    assert got == pytest.approx(kept / (W[0] + W[2]), rel=1e-15)
    g = grad(S, Y, ignore_index=1, weights=W, label_smoothing=0.1, reduction="none")
    assert g[1].tolist() == [0.0, 0.0, 0.0]
    # uint8 labels and a label value outside [0, C) that is ignored
    y8 = np.array([0, 255, 2], dtype=np.uint8)
    assert loss(S, y8, ignore_index=255) == pytest.approx(loss(S[[0, 2]], Y[[0, 2]]), rel=1e-15)


def test_empty_batches():
    empty = np.zeros((0, 3))
    for kw in ({"label_smoothing": 0.1}, {"weights": W}, {"ignore_index": -100}):
        assert loss(empty, [], reduction="sum", **kw) == 0.0
        assert loss(empty, [], reduction="none", **kw).shape == (0,)
        assert grad(empty, [], reduction="sum", **kw).shape == (0, 3)
        with pytest.raises(ValueError, match="empty batch"):
            loss(empty, [], **kw)
    assert loss(empty, np.zeros((0, 3)), reduction="sum") == 0.0
    with pytest.raises(ValueError, match="empty batch"):
        loss(empty, np.zeros((0, 3)))


def test_huge_scores():
    """Scores 1e300 apart: finite smoothed losses; a zero target weight times an infinite
    -ln p is 0, not nan."""
    s = np.array([[1e300, -1e300], [0.0, -1e4]])
    got = loss(s, [0, 0], label_smoothing=0.5, reduction="none")
    assert got[0] == pytest.approx(0.25 * 2e300, rel=1e-15)
    assert got[1] == pytest.approx(0.25 * 1e4, rel=1e-12)
    wide = np.array([1e308, -1e308])  # -ln p of the second class overflows: the loss is inf
    assert loss(wide, 0, label_smoothing=0.1) == math.inf
    assert loss(wide, [1.0, 0.0]) == 0.0
    assert loss(wide, 0, weights=[1.0, 0.0], label_smoothing=0.5) == 0.0
    g = grad(wide, 0, label_smoothing=0.1)
    assert np.isfinite(g).all()
    np.testing.assert_allclose(g, [0.05, -0.05], rtol=1e-15)


# --------------------------------------------------------------------------- #
# validation of the new keywords
# --------------------------------------------------------------------------- #
BAD_OPTIONS = [
    ({"label_smoothing": -0.1}, ValueError, r"label_smoothing must be in \[0, 1\].*got -0.1"),
    ({"label_smoothing": 1.5}, ValueError, r"label_smoothing must be in \[0, 1\]"),
    ({"label_smoothing": math.nan}, ValueError, "label_smoothing must be finite"),
    ({"label_smoothing": "0.1"}, TypeError, "label_smoothing must be a real number"),
    ({"label_smoothing": True}, TypeError, "label_smoothing must be a real number"),
    ({"weights": [1.0, 2.0]}, ValueError, r"weights must have shape \(3,\).*got shape \(2,\)"),
    ({"weights": np.ones((3, 1))}, ValueError, "weights must be a 1-D array"),
    ({"weights": [1.0, -2.0, 1.0]}, ValueError, "weights must be >= 0; got -2.0 at position 1"),
    ({"weights": [1.0, np.inf, 1.0]}, ValueError, "weights must be finite"),
    ({"weights": "abc"}, TypeError, "weights must be an array of real numbers"),
    ({"weights": [True, False, True]}, TypeError, "weights must be .*boolean"),
    ({"weights": [0.0, 1.0, 1.0], "labels": [0, 0, 0]}, ValueError, "weights of the labels"),
    ({"ignore_index": 1.0}, TypeError, "ignore_index must be an integer"),
    ({"ignore_index": True}, TypeError, "ignore_index must be an integer"),
    ({"ignore_index": "1"}, TypeError, "ignore_index must be an integer"),
    ({"ignore_index": 0, "labels": [0, 0, 0]}, ValueError, "every example is ignored"),
    ({"ignore_index": 0, "labels": [0, 3, 1]}, ValueError, r"labels must be integers in \[0, 3\)"),
    ({"ignore_index": -100, "labels": ONEHOT}, ValueError, "ignore_index applies to class-index"),
    ({"labels": ONEHOT * 0.9}, ValueError, "labels must sum to 1"),
    ({"labels": ONEHOT * 2 - 0.5}, ValueError, r"labels must be probabilities in \[0, 1\]"),
    ({"labels": np.where(ONEHOT > 0, np.nan, 0.0)}, ValueError, "labels must be finite"),
    ({"labels": np.eye(3, dtype=int)}, TypeError, "labels with the shape of scores .* float"),
    ({"labels": [0.0, 1.0, 2.0]}, TypeError, "integer dtype .* probability targets"),
]


@pytest.mark.parametrize("func", [loss, grad], ids=["loss", "grad"])
@pytest.mark.parametrize(("options", "exc", "message"), BAD_OPTIONS)
def test_bad_options_are_refused_with_a_message_naming_them(func, options, exc, message):
    kw = dict(options)
    labels = kw.pop("labels", Y)
    with pytest.raises(exc, match=message):
        func(S, labels, **kw)


@pytest.mark.parametrize("func", [loss, grad], ids=["loss", "grad"])
def test_refusals_that_depend_on_the_reduction(func):
    """A weighted mean with nothing to divide by is refused; its sum is 0 (PyTorch: nan)."""
    assert np.all(func(S, Y, weights=[0.0, 0.0, 0.0], reduction="sum") == 0.0)
    with pytest.raises(ValueError, match="use reduction='sum' or 'none'"):
        func(S, Y, weights=[0.0, 0.0, 0.0])
    # probability targets divide by N: zero weights are a zero loss, not an error
    assert np.all(func(S, ONEHOT, weights=[0.0, 0.0, 0.0]) == 0.0)


def test_the_smoothing_bounds_are_accepted():
    for eps in (0, 0.0, 1, 1.0, np.float32(0.5)):
        assert math.isfinite(loss(S, Y, label_smoothing=eps))
    # eps = 1: the uniform target; the label no longer matters
    assert loss(S, Y, label_smoothing=1.0) == pytest.approx(nll(S).mean(), rel=1e-15)
    assert loss(S, [1, 2, 0], label_smoothing=1.0) == pytest.approx(nll(S).mean(), rel=1e-15)


# --------------------------------------------------------------------------- #
# gradients against centred differences
# --------------------------------------------------------------------------- #
OPTIONS = [
    {"label_smoothing": 0.1},
    {"label_smoothing": 1.0},
    {"weights": [0.5, 2.0, 1.0, 0.0]},
    {"label_smoothing": 0.3, "weights": [0.5, 2.0, 1.0, 3.0]},
    {"ignore_index": 2},
    {"ignore_index": 2, "label_smoothing": 0.2, "weights": [1.0, 2.0, 3.0, 4.0]},
    {"soft": True},
    {"soft": True, "label_smoothing": 0.2, "weights": [0.5, 2.0, 1.0, 3.0]},
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("base", [math.e, 10.0])
@pytest.mark.parametrize("single", [False, True], ids=["batch", "single"])
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(sorted(o)))
def test_gradient_matches_centred_differences(options, single, base, reduction):
    kw = dict(options)
    soft = kw.pop("soft", False)
    labels = 1 if single else np.array([0, 3, 2, 2, 1])
    scores = RNG.standard_normal((4,) if single else (5, 4)) * 3
    if soft:
        rows = RNG.random((1, 4) if single else (5, 4))
        labels = rows / rows.sum(axis=1, keepdims=True)
        labels = labels[0] if single else labels
    kw.update(base=base, reduction=reduction)

    def f(s):
        return float(np.sum(loss(s, labels, **kw)))

    analytic = grad(scores, labels, **kw)
    assert analytic.shape == scores.shape
    numeric = lossref.numerical_gradient(f, scores)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
    if reduction == "none":
        np.testing.assert_array_equal(analytic, grad(scores, labels, **{**kw, "reduction": "sum"}))


# --------------------------------------------------------------------------- #
# hypothesis properties
# --------------------------------------------------------------------------- #
def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def batches(draw, lo=-30.0, hi=30.0):
    """(scores (N, C), labels (N,), probability targets (N, C), weights (C,), eps)."""
    n = draw(st.integers(1, 6))
    c = draw(st.integers(2, 8))
    s = draw(hnp.arrays(np.float64, (n, c), elements=floats(lo, hi)))
    y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    raw = draw(hnp.arrays(np.float64, (n, c), elements=st.one_of(st.just(0.0), floats(1e-3, 1))))
    raw[raw.sum(axis=1) == 0, 0] = 1.0
    q = raw / raw.sum(axis=1, keepdims=True)
    w = draw(hnp.arrays(np.float64, (c,), elements=floats(0.1, 10.0)))
    eps = draw(st.one_of(st.sampled_from([0.0, 1.0]), floats(0.0, 1.0)))
    return s, y, q, w, eps


def entropy_nats(q):
    out = np.zeros_like(q)
    np.log(q, out=out, where=q > 0)
    return -(q * out).sum(axis=1)


@SETTINGS
@given(batches())
def test_zero_smoothing_is_the_plain_loss(b):
    """label_smoothing = 0 (and weights of 1) give exactly the loss without the keywords."""
    s, y, q, _, _ = b
    for reduction in REDUCTIONS:
        plain = loss(s, y, reduction=reduction)
        assert np.array_equal(loss(s, y, label_smoothing=0.0, reduction=reduction), plain)
        np.testing.assert_allclose(
            loss(s, y, weights=np.ones(s.shape[1]), reduction=reduction), plain, rtol=1e-14
        )
        np.testing.assert_allclose(
            loss(s, q, label_smoothing=0.0, reduction=reduction),
            lossref.cross_entropy(lossref.softmax(s), q, reduction=reduction),
            rtol=1e-9,
            atol=1e-12,
        )
    np.testing.assert_array_equal(grad(s, y, label_smoothing=0.0), grad(s, y))


@SETTINGS
@given(batches())
def test_smoothing_is_linear_and_charges_the_lead_over_the_mean_score(b):
    """L_eps = (1 - eps) L_0 + eps L_1 for every target and weights; for index labels
    without weights L_eps = L_0 + eps (s_y - mean(s))."""
    s, y, q, w, eps = b
    rows = np.arange(len(y))
    for labels, weights in ((y, None), (y, w), (q, None), (q, w)):

        def at(e, labels=labels, weights=weights):
            return loss(s, labels, label_smoothing=e, weights=weights, reduction="none")

        scale = np.abs(at(0.0)) + np.abs(at(1.0))
        np.testing.assert_allclose(
            at(eps), (1 - eps) * at(0.0) + eps * at(1.0), atol=1e-13 * scale.max() + 1e-300
        )
    lead = s[rows, y] - s.mean(axis=1)
    got = loss(s, y, label_smoothing=eps, reduction="none")
    expected = loss(s, y, reduction="none") + eps * lead
    tol = 1e-13 * (np.abs(s).max(axis=1) + got)
    assert np.all(np.abs(got - expected) <= tol)


@SETTINGS
@given(batches())
def test_gibbs_bound_and_the_finite_optimum(b):
    """L >= H(q') per example (weights 1), with equality at s = ln q' + const, where the
    gradient vanishes; L_eps >= eps ln C; for index labels the optimal logit gap between
    the label and any other class is ln((1 - eps + eps / C) / (eps / C))."""
    s, y, q, _, eps = b
    n, c = s.shape
    for target in (np.eye(c)[y], q):
        smoothed = (1 - eps) * target + eps / c
        h = entropy_nats(smoothed)
        got = loss(s, target, label_smoothing=eps, reduction="none")
        assert np.all(got >= h - 1e-12 * (1 + h))
        assert np.all(got >= eps * math.log(c) - 1e-12)
        if (smoothed > 0).all():
            best = np.log(smoothed) + s[:, :1]  # any shift per row
            np.testing.assert_allclose(
                loss(best, target, label_smoothing=eps, reduction="none"), h, rtol=1e-12, atol=1e-14
            )
            assert np.abs(grad(best, target, label_smoothing=eps, reduction="sum")).max() < 1e-12
    if eps > 0:
        # A difference of logs: the ratio itself overflows for a subnormal eps.
        gap = math.log(1 - eps + eps / c) - math.log(eps / c)
        best = np.zeros((n, c))
        best[np.arange(n), y] = gap
        assert np.abs(grad(best, y, label_smoothing=eps, reduction="sum")).max() < 1e-12


@SETTINGS
@given(batches(), floats(-1e3, 1e3))
def test_shift_invariance_and_gradient_rows_sum_to_zero(b, shift):
    s, y, q, w, eps = b
    for labels in (y, q):
        kw = {"label_smoothing": eps, "weights": w, "reduction": "none"}
        base_loss = loss(s, labels, **kw)
        scale = np.abs(s).max() + abs(shift) + base_loss.max()
        np.testing.assert_allclose(loss(s + shift, labels, **kw), base_loss, atol=1e-12 * scale)
        g = grad(s, labels, **kw)
        np.testing.assert_allclose(
            g.sum(axis=1), 0.0, atol=1e-13 * (np.abs(g).sum(axis=1).max() + w.sum())
        )


@SETTINGS
@given(batches(), floats(0.01, 100.0))
def test_scaling_the_weights(b, k):
    """Index labels: the weighted mean ignores a common factor of the weights, the sum scales
    by it. Probability targets: both scale (the mean divides by N)."""
    s, y, q, w, eps = b
    kw = {"label_smoothing": eps}
    np.testing.assert_allclose(
        loss(s, y, weights=k * w, **kw), loss(s, y, weights=w, **kw), rtol=1e-12
    )
    np.testing.assert_allclose(
        loss(s, y, weights=k * w, reduction="sum", **kw),
        k * loss(s, y, weights=w, reduction="sum", **kw),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        loss(s, q, weights=k * w, **kw), k * loss(s, q, weights=w, **kw), rtol=1e-12
    )
    np.testing.assert_allclose(
        grad(s, y, weights=k * w, **kw), grad(s, y, weights=w, **kw), rtol=1e-11, atol=1e-15
    )


@SETTINGS
@given(batches(), st.data())
def test_ignoring_examples_is_dropping_them(b, data):
    """The mean and sum with ignore_index equal those of the batch without the ignored rows."""
    s, y, _, w, eps = b
    n = len(y)
    drop = data.draw(hnp.arrays(np.bool_, (n,)))
    if drop.all():
        drop[0] = False
    labels = np.where(drop, -1, y)
    kw = {"label_smoothing": eps, "weights": w}
    for reduction in ("mean", "sum"):
        np.testing.assert_allclose(
            loss(s, labels, ignore_index=-1, reduction=reduction, **kw),
            loss(s[~drop], y[~drop], reduction=reduction, **kw),
            rtol=1e-13,
        )
    g = grad(s, labels, ignore_index=-1, **kw)
    assert np.all(g[drop] == 0.0)
    np.testing.assert_allclose(g[~drop], grad(s[~drop], y[~drop], **kw), rtol=1e-12, atol=1e-16)


# --------------------------------------------------------------------------- #
# accuracy against mpmath
# --------------------------------------------------------------------------- #
def ref_smoothed(x, target, eps, w=None):
    """sum_c w_c ((1 - eps) q_c + eps / C) (-ln p_c), the target mixed exactly."""
    with mp.workdps(DPS):
        logp = ref_log_softmax(x)
        c = len(logp)
        e = mp.mpf(float(eps))
        qs = _mpf_list(target)
        ws = [mp.mpf(1)] * c if w is None else _mpf_list(w)
        return mp.fsum(
            wc * ((1 - e) * qc + e / c) * (-lp)
            for wc, qc, lp in zip(ws, qs, logp, strict=True)
            if wc * ((1 - e) * qc + e / c) != 0
        )


def test_smoothed_loss_on_hostile_scores_is_accurate():
    """Smoothing 0.1 and 0.5, with and without weights, index and probability targets, on the
    hostile scores of tests/test_accuracy.py (those differing by less than 1.8e308): a
    relative error of a few eps, also for tiny losses (probability targets on a confident
    prediction)."""
    worst = Worst("softmax_cross_entropy (smoothed, hostile)")
    for x in HOSTILE_LOGITS:
        if np.ptp(x) > 1e308:
            continue
        c = len(x)
        w = np.linspace(0.5, 2.0, c)
        for y in sorted({0, int(np.argmax(x)), c - 1}):
            onehot = np.eye(c)[y]
            for eps in (0.1, 0.5):
                for weights in (None, w):
                    v = ref_smoothed(x, onehot, eps, weights)
                    g = loss(x, y, label_smoothing=eps, weights=weights, reduction="sum")
                    worst.add(g, v, lambda x=x, y=y, e=eps: f"scores = {_fmt(x)}, y = {y}, eps {e}")
            # a soft target that puts all but 1e-30 on the arg-max: a tiny loss
        k = int(np.argmax(x))
        soft = np.zeros(c)
        soft[k] = 1.0
        if c > 1:
            soft[(k + 1) % c] = 1e-30
        v = ref_smoothed(x, soft, 0.0)
        g = loss(x, soft)
        worst.add(g, v, lambda x=x: f"scores = {_fmt(x)}, soft target")
    worst.check(BOUND_SMOOTHED)
