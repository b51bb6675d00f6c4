"""Class imbalance: pos_weight and multi-label logits for sigmoid_binary_cross_entropy, and the
sigmoid and softmax focal losses. Values by hand, reductions, gradients against centred
differences, limits and symmetries with hypothesis, and accuracy against mpmath where the loss
is tiny (a confident, correct prediction). Bad options: tests/test_lossref_validation.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from mpmath import mp

import lossref

SETTINGS = settings(max_examples=60, deadline=None)
REDUCTIONS = ["mean", "sum", "none"]


def softplus(x):
    return np.logaddexp(0.0, x)


def test_pos_weight_and_multi_label_values_by_hand():
    x = np.array([[2.0, -1.0, 0.5], [0.0, 1.5, -2.0]])
    t = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]])
    w = np.array([3.0, 1.0, 0.5])
    entries = w * t * softplus(-x) + (1 - t) * softplus(x)
    per_example = entries.sum(axis=1)
    got = lossref.sigmoid_binary_cross_entropy(x, t, pos_weight=w, reduction="none")
    np.testing.assert_allclose(got, per_example, rtol=1e-15)
    assert lossref.sigmoid_binary_cross_entropy(x, t, pos_weight=w) == pytest.approx(
        per_example.mean(), rel=1e-15
    )
    # a weight of one is the plain loss; a 1-D batch is N examples of one label each
    assert lossref.sigmoid_binary_cross_entropy(x, t, pos_weight=1.0) == (
        lossref.sigmoid_binary_cross_entropy(x, t)
    )
    column = t[:, 0] * softplus(-x[:, 0]) + (1 - t[:, 0]) * softplus(x[:, 0])
    assert lossref.sigmoid_binary_cross_entropy(x[:, 0], t[:, 0], reduction="sum") == (
        pytest.approx(column.sum(), rel=1e-15)
    )


def test_focal_values_by_hand():
    x = np.array([2.0, -1.0, 0.3])
    t = np.array([1.0, 0.0, 1.0])
    p = 1 / (1 + np.exp(-x))
    p_t = p * t + (1 - p) * (1 - t)
    for gamma in (0.0, 0.5, 2.0):
        for alpha in (None, 0.25):
            a_t = 1.0 if alpha is None else alpha * t + (1 - alpha) * (1 - t)
            want = -a_t * (1 - p_t) ** gamma * np.log(p_t)
            got = lossref.sigmoid_focal_loss(x, t, gamma=gamma, alpha=alpha, reduction="none")
            np.testing.assert_allclose(got, want, rtol=1e-14)
    s = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0]])
    y = np.array([0, 1])
    q = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    p_y = q[[0, 1], y]
    alpha = np.array([0.5, 2.0, 1.0])
    want = -alpha[y] * (1 - p_y) ** 2 * np.log(p_y)
    got = lossref.softmax_focal_loss(s, y, alpha=alpha, reduction="none")
    np.testing.assert_allclose(got, want, rtol=1e-13)


OPTIONS = [
    {},
    {"gamma": 0.0},
    {"gamma": 0.5, "alpha": 0.25},
    {"gamma": 3.0, "alpha": 0.9},
]


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("shape", [(), (5,), (4, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sigmoid_focal_grad_matches_centred_differences(options, shape, reduction):
    rng = np.random.default_rng(7)
    x = rng.normal(scale=2.0, size=shape)
    t = rng.uniform(size=shape)

    def f(z):
        return np.sum(lossref.sigmoid_focal_loss(z, t, reduction=reduction, **options))

    got = lossref.sigmoid_focal_loss_grad(x, t, reduction=reduction, **options)
    np.testing.assert_allclose(got, lossref.numerical_gradient(f, x), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("pos_weight", [None, 2.5, np.array([0.0, 1.0, 4.0])], ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_multi_label_grad_matches_centred_differences(pos_weight, reduction):
    rng = np.random.default_rng(8)
    x = rng.normal(scale=2.0, size=(4, 3))
    t = (rng.uniform(size=(4, 3)) > 0.5).astype(float)

    def f(z):
        loss = lossref.sigmoid_binary_cross_entropy(
            z, t, pos_weight=pos_weight, reduction=reduction
        )
        return np.sum(loss)

    got = lossref.sigmoid_binary_cross_entropy_grad(
        x, t, pos_weight=pos_weight, reduction=reduction
    )
    np.testing.assert_allclose(got, lossref.numerical_gradient(f, x), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("options", [{}, {"gamma": 0.5}, {"gamma": 2.0, "alpha": [1, 2, 3.0]}])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_softmax_focal_grad_matches_centred_differences(options, reduction):
    rng = np.random.default_rng(9)
    s = rng.normal(scale=2.0, size=(4, 3))
    y = np.array([0, 2, 1, 1])

    def f(z):
        return np.sum(lossref.softmax_focal_loss(z, y, reduction=reduction, **options))

    got = lossref.softmax_focal_loss_grad(s, y, reduction=reduction, **options)
    np.testing.assert_allclose(got, lossref.numerical_gradient(f, s), rtol=1e-6, atol=1e-9)


# --------------------------------------------------------------------------- #
# properties
# --------------------------------------------------------------------------- #
LOGITS = arrays(np.float64, st.integers(1, 6), elements=st.floats(-30, 30))


@st.composite
def logits_and_targets(draw):
    x = draw(LOGITS)
    t = draw(arrays(np.float64, x.shape, elements=st.floats(0, 1)))
    return x, t


@SETTINGS
@given(logits_and_targets())
def test_focal_with_gamma_zero_is_binary_cross_entropy(xt):
    x, t = xt
    np.testing.assert_array_equal(
        lossref.sigmoid_focal_loss(x, t, gamma=0.0, reduction="none"),
        lossref.sigmoid_binary_cross_entropy(x, t, reduction="none"),
    )
    np.testing.assert_array_equal(
        lossref.sigmoid_focal_loss_grad(x, t, gamma=0.0, reduction="none"),
        lossref.sigmoid_binary_cross_entropy_grad(x, t, reduction="none"),
    )


@SETTINGS
@given(logits_and_targets(), st.floats(0, 5))
def test_focal_is_at_most_the_cross_entropy_and_alpha_one_half_halves_it(xt, gamma):
    x, t = xt
    focal = lossref.sigmoid_focal_loss(x, t, gamma=gamma, reduction="none")
    assert np.all(focal <= lossref.sigmoid_binary_cross_entropy(x, t, reduction="none"))
    half = lossref.sigmoid_focal_loss(x, t, gamma=gamma, alpha=0.5, reduction="none")
    np.testing.assert_allclose(half, focal / 2, rtol=1e-15)


@SETTINGS
@given(LOGITS, st.floats(0, 5), st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), st.data())
def test_flipping_labels_and_logits_swaps_alpha(x, gamma, alpha, data):
    # targets and weights whose 1 - t and 1 - alpha are exact
    t = data.draw(arrays(np.float64, x.shape, elements=st.sampled_from([0, 0.25, 0.5, 1.0])))
    np.testing.assert_allclose(
        lossref.sigmoid_focal_loss(x, t, gamma=gamma, alpha=alpha, reduction="none"),
        lossref.sigmoid_focal_loss(-x, 1 - t, gamma=gamma, alpha=1 - alpha, reduction="none"),
        rtol=1e-12,
        atol=1e-300,
    )


@SETTINGS
@given(logits_and_targets(), st.floats(0, 100))
def test_pos_weight_scales_the_positive_term_only(xt, w):
    x, t = xt
    positive = lossref.sigmoid_binary_cross_entropy(x, np.ones_like(x), reduction="none")
    negative = lossref.sigmoid_binary_cross_entropy(x, np.zeros_like(x), reduction="none")
    np.testing.assert_allclose(
        lossref.sigmoid_binary_cross_entropy(x, t, pos_weight=w, reduction="none"),
        w * t * positive + (1 - t) * negative,
        rtol=1e-12,
        atol=1e-300,
    )


@SETTINGS
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 5)),
              elements=st.floats(-30, 30)), st.data())  # fmt: skip
def test_softmax_focal_with_gamma_zero_is_softmax_cross_entropy_and_shift_invariant(s, data):
    y = np.array(data.draw(st.lists(st.integers(0, s.shape[1] - 1), min_size=len(s),
                                    max_size=len(s))))  # fmt: skip
    np.testing.assert_allclose(
        lossref.softmax_focal_loss(s, y, gamma=0.0, reduction="none"),
        lossref.softmax_cross_entropy(s, y, reduction="none"),
        rtol=1e-14,
        atol=1e-300,
    )
    shift = data.draw(st.floats(-100, 100))
    np.testing.assert_allclose(
        lossref.softmax_focal_loss(s + shift, y, reduction="none"),
        lossref.softmax_focal_loss(s, y, reduction="none"),
        rtol=1e-9,
        atol=1e-300,
    )
    assert np.allclose(lossref.softmax_focal_loss_grad(s, y).sum(axis=1), 0.0, atol=1e-12)


# --------------------------------------------------------------------------- #
# accuracy where the loss is tiny
# --------------------------------------------------------------------------- #
def _sigmoid_focal_reference(x: float, t: float, gamma: float) -> mp.mpf:
    with mp.workdps(60):
        x = mp.mpf(x)
        miss = t / (1 + mp.exp(x)) + (1 - t) / (1 + mp.exp(-x))  # no 1 - p: it cancels
        ce = t * mp.log1p(mp.exp(-x)) + (1 - t) * mp.log1p(mp.exp(x))
        return miss**gamma * ce


# Up to where the true value underflows float64.
@pytest.mark.parametrize("x", [5.0, 20.0, 36.0, 50.0, 200.0])
@pytest.mark.parametrize("gamma", [0.5, 2.0])
def test_sigmoid_focal_loss_is_accurate_for_confident_correct_entries(x, gamma):
    for logit, target in ((x, 1.0), (-x, 0.0)):
        got = lossref.sigmoid_focal_loss(logit, target, gamma=gamma)
        want = _sigmoid_focal_reference(logit, target, gamma)
        assert got > 0
        assert abs(mp.mpf(got) - want) <= 8 * mp.eps * want, (logit, got, want)


@pytest.mark.parametrize("lead", [5.0, 20.0, 36.0, 100.0, 200.0])
def test_softmax_focal_loss_is_accurate_for_confident_correct_examples(lead):
    s = np.array([lead, 0.0, -1.0])
    got = lossref.softmax_focal_loss(s, 0)
    with mp.workdps(60):
        others = mp.exp(-mp.mpf(lead)) + mp.exp(-mp.mpf(lead) - 1)
        miss = others / (1 + others)
        want = miss**2 * mp.log1p(others)
    assert got > 0
    assert abs(mp.mpf(got) - want) <= 8 * mp.eps * want, (lead, got, want)


def test_huge_logits_do_not_overflow():
    assert lossref.sigmoid_focal_loss(1e300, 0.0) == pytest.approx(1e300)
    assert lossref.sigmoid_focal_loss(-1e300, 0.0) == 0.0
    assert math.isfinite(lossref.sigmoid_focal_loss_grad(1e300, 0.0))
    assert np.all(np.isfinite(lossref.softmax_focal_loss_grad([1e300, 0.0, -1e300], 2)))
