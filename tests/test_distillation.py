"""Knowledge distillation: distillation_loss and its gradient. Values by hand, reductions,
gradients against centred differences, properties with hypothesis (invariance to shifting a
row of either set of logits, zero for equal logits, non-negativity, the high-temperature limit
and why T^2), and accuracy against a 400-digit mpmath reference on hostile inputs (large
logits, small and large temperatures, student close to or far from the teacher). Bad
arguments: tests/test_lossref_validation.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from mpmath import mp

import lossref

SETTINGS = settings(max_examples=60, deadline=None)
REDUCTIONS = ["mean", "sum", "none"]
EPS = 2.0**-52


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_values_by_hand():
    s = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    t = np.array([[3.0, 1.0, -1.0], [0.5, 0.5, 2.0]])
    for temp in (0.5, 1.0, 4.0):
        ps, pt = softmax(s / temp), softmax(t / temp)
        per = temp**2 * np.sum(pt * np.log(pt / ps), axis=1)
        got = lossref.distillation_loss(s, t, temperature=temp, reduction="none")
        np.testing.assert_allclose(got, per, rtol=1e-13)
        assert lossref.distillation_loss(s, t, temperature=temp) == pytest.approx(
            per.mean(), rel=1e-13
        )
        assert lossref.distillation_loss(s, t, temperature=temp, reduction="sum") == (
            pytest.approx(per.sum(), rel=1e-13)
        )
        assert lossref.distillation_loss(s[1], t[1], temperature=temp) == pytest.approx(
            per[1], rel=1e-13
        )
        grad = temp * (ps - pt)
        np.testing.assert_allclose(
            lossref.distillation_loss_grad(s, t, temperature=temp, reduction="sum"),
            grad,
            rtol=1e-13,
        )
        np.testing.assert_allclose(
            lossref.distillation_loss_grad(s, t, temperature=temp), grad / 2, rtol=1e-13
        )
        np.testing.assert_allclose(
            lossref.distillation_loss_grad(s[0], t[0], temperature=temp), grad[0], rtol=1e-13
        )


def test_temperature_one_is_the_kl_divergence_of_the_softmaxes():
    rng = np.random.default_rng(5)
    s, t = rng.normal(scale=3, size=(2, 6, 4))
    np.testing.assert_allclose(
        lossref.distillation_loss(s, t, reduction="none"),
        lossref.kl_divergence(lossref.softmax(s), lossref.softmax(t)),
        rtol=1e-13,
    )


def test_empty_batch_sums_to_zero():
    empty = np.zeros((0, 3))
    assert lossref.distillation_loss(empty, empty, reduction="sum") == 0.0
    assert lossref.distillation_loss(empty, empty, reduction="none").shape == (0,)
    assert lossref.distillation_loss_grad(empty, empty, reduction="sum").shape == (0, 3)


@pytest.mark.parametrize("temperature", [0.3, 1.0, 4.0, 20.0])
@pytest.mark.parametrize("shape", [(5,), (4, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_grad_matches_centred_differences(temperature, shape, reduction):
    rng = np.random.default_rng(11)
    s, t = rng.normal(scale=2.0, size=(2, *shape))

    def f(z):
        return np.sum(lossref.distillation_loss(z, t, temperature=temperature, reduction=reduction))

    got = lossref.distillation_loss_grad(s, t, temperature=temperature, reduction=reduction)
    np.testing.assert_allclose(got, lossref.numerical_gradient(f, s), rtol=1e-6, atol=1e-9)


def test_huge_logits_and_tiny_temperatures_stay_finite():
    s = np.array([1e300, 0.0, -1e300])
    t = np.array([-1e300, 0.0, 1e300])
    # the student puts everything on class 0, the teacher on class 2
    assert lossref.distillation_loss(s, t) == pytest.approx(2e300, rel=1e-15)  # ln p_s,2
    assert np.all(np.isfinite(lossref.distillation_loss_grad(s, t)))
    np.testing.assert_array_equal(lossref.distillation_loss_grad(s, t), [1.0, 0.0, -1.0])
    s, t = np.array([3.0, 1.0, 0.0]), np.array([1.0, 3.0, 0.0])
    # a temperature of 1e-3 divides the logits into the thousands: no overflow, and the
    # loss is T^2 (s_0 - s_1) / T = T (3 - 1), the student's log-probability gap
    assert lossref.distillation_loss(s, t, temperature=1e-3) == pytest.approx(2e-3, rel=1e-12)
    # an underflowing temperature is refused, naming it
    with pytest.raises(ValueError, match="temperature 1e-310 is too small"):
        lossref.distillation_loss(s, t, temperature=1e-310)
    # logits so large that their differences overflow are refused too, never a NaN
    with pytest.raises(ValueError, match="differences of student_logits and teacher_logits"):
        lossref.distillation_loss_grad([1e308, -1e308], [-1e308, 1e308])


# --------------------------------------------------------------------------- #
# properties
# --------------------------------------------------------------------------- #
@st.composite
def pairs(draw, bound=30.0):
    n = draw(st.integers(1, 4))
    c = draw(st.integers(1, 6))
    elements = st.floats(-bound, bound)
    s = draw(arrays(np.float64, (n, c), elements=elements))
    t = draw(arrays(np.float64, (n, c), elements=elements))
    return s, t


TEMPERATURES = st.floats(0.05, 50.0)


@SETTINGS
@given(pairs(), TEMPERATURES, st.data())
def test_shifting_a_row_of_either_logits_changes_nothing(st_pair, temp, data):
    s, t = st_pair
    shift_s = data.draw(arrays(np.float64, (len(s), 1), elements=st.floats(-100, 100)))
    shift_t = data.draw(arrays(np.float64, (len(s), 1), elements=st.floats(-100, 100)))
    base = lossref.distillation_loss(s, t, temperature=temp, reduction="none")
    grad = lossref.distillation_loss_grad(s, t, temperature=temp, reduction="none")
    for s2, t2 in ((s + shift_s, t), (s, t + shift_t)):
        # the shift itself rounds the logits by up to eps * 130, so the tolerance is absolute
        np.testing.assert_allclose(
            lossref.distillation_loss(s2, t2, temperature=temp, reduction="none"),
            base,
            rtol=1e-9,
            atol=1e-11 * max(1.0, temp),
        )
        np.testing.assert_allclose(
            lossref.distillation_loss_grad(s2, t2, temperature=temp, reduction="none"),
            grad,
            rtol=1e-9,
            atol=1e-11,
        )


@SETTINGS
@given(pairs(), TEMPERATURES)
def test_non_negative_zero_for_equal_logits_and_gradient_rows_sum_to_zero(st_pair, temp):
    s, t = st_pair
    assert np.all(lossref.distillation_loss(s, t, temperature=temp, reduction="none") >= 0)
    assert np.all(lossref.distillation_loss(t, t, temperature=temp, reduction="none") == 0)
    assert np.all(lossref.distillation_loss_grad(t, t, temperature=temp) == 0)
    grad = lossref.distillation_loss_grad(s, t, temperature=temp, reduction="none")
    # entries are accurate to about eps times the condition number (see the accuracy test)
    cond = 1.0 + max(np.ptp(s), np.ptp(t)) / temp
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=8 * EPS * temp * s.shape[1] * cond)
    assert np.all(np.abs(grad) <= temp)


def _centred(x):
    return x - x.mean(axis=-1, keepdims=True)


@SETTINGS
@given(pairs(bound=5.0), st.floats(1e4, 1e8))
def test_high_temperature_limit(st_pair, temp):
    # T^2 KL(softmax(t/T) || softmax(s/T)) -> sum_c ((s_c - s_bar) - (t_c - t_bar))^2 / (2C)
    # and its gradient -> ((s - s_bar) - (t - t_bar)) / C, both with an O(1/T) error
    s, t = st_pair
    c = s.shape[1]
    diff = _centred(s) - _centred(t)
    limit = np.sum(diff**2, axis=1) / (2 * c)
    got = lossref.distillation_loss(s, t, temperature=temp, reduction="none")
    # the third-order term is at most (max |diff|)^3 / T; diff entries are below 20
    # the relative correction is of order (spread of the logits) / T: p and q differ from
    # uniform by (s - s_bar) / T and (t - t_bar) / T
    spread = np.ptp(s, axis=1) + np.ptp(t, axis=1)
    np.testing.assert_allclose(got, limit, rtol=4 * spread.max() / temp + 1e-9, atol=1e-20)
    grad = lossref.distillation_loss_grad(s, t, temperature=temp, reduction="none")
    np.testing.assert_allclose(grad, diff / c, rtol=0, atol=1e3 / temp + 1e-12)


def test_without_t_squared_the_gradient_vanishes_like_one_over_t_squared():
    s = np.array([1.0, 2.0, 0.5])
    t = np.array([3.0, 1.0, -1.0])
    limit = (_centred(s) - _centred(t)) / 3
    for temp in (1e2, 1e3, 1e4):
        scaled = lossref.distillation_loss_grad(s, t, temperature=temp)
        unscaled = scaled / temp**2  # the gradient of the bare KL divergence
        np.testing.assert_allclose(temp**2 * unscaled, limit, atol=2 / temp)
        assert np.abs(unscaled).max() < 2 * np.abs(limit).max() / temp**2


# --------------------------------------------------------------------------- #
# accuracy against mpmath
# --------------------------------------------------------------------------- #
def _reference(s, t, temp):
    """T^2 KL and T (p_s - p_t) at the exact float64 inputs, in 400-digit arithmetic, from the
    non-negative terms p_t (d - 1 + exp(-d)), d = log p_t - log p_s (no cancellation)."""
    with mp.workdps(400):
        temp = mp.mpf(temp)
        a = [mp.mpf(x) / temp for x in t]
        b = [mp.mpf(x) / temp for x in s]
        la = mp.log(mp.fsum(mp.exp(x) for x in a))
        lb = mp.log(mp.fsum(mp.exp(x) for x in b))
        d = [(x - la) - (y - lb) for x, y in zip(a, b, strict=True)]
        pt = [mp.exp(x - la) for x in a]
        ps = [mp.exp(y - lb) for y in b]
        loss = temp**2 * mp.fsum(p * (di - 1 + mp.exp(-di)) for p, di in zip(pt, d, strict=True))
        grad = [temp * (q - p) for q, p in zip(ps, pt, strict=True)]
        return loss, grad


def _hostile_cases():
    rng = np.random.default_rng(20261205)
    for scale in (1e-3, 1.0, 10.0, 1e2, 1e3):
        for temp in (0.01, 0.1, 1.0, 4.0, 100.0, 1e6):
            for closeness in (None, 1e-12, 1e-6, 1e-2):
                s = rng.normal(scale=scale, size=5)
                if closeness is None:
                    t = rng.normal(scale=scale, size=5)
                else:
                    t = s + closeness * scale * rng.normal(size=5)
                yield s, t, temp


# Error in units of eps times the condition number 1 + (largest spread of a row of logits) / T:
# dividing a logit x by T rounds x / T by eps |x / T|, which moves a probability by that
# relative amount, so no float64 algorithm working on x / T can do better. Measured worst:
# 2.15 for the loss, 2.06 for the gradient (NumPy 2.x, x86-64).
BOUND_LOSS = 4
BOUND_GRAD = 4


def test_loss_and_gradient_are_accurate_on_hostile_inputs():
    worst_loss = worst_grad = 0.0
    for s, t, temp in _hostile_cases():
        cond = 1.0 + max(np.ptp(s), np.ptp(t)) / temp
        loss, grad = _reference(s, t, temp)
        got = lossref.distillation_loss(s, t, temperature=temp)
        err = abs(mp.mpf(got) - loss) / (EPS * max(loss, mp.mpf(2) ** -1022) * cond)
        worst_loss = max(worst_loss, float(err))
        got_grad = lossref.distillation_loss_grad(s, t, temperature=temp)
        # relative to the largest entry: one entry of p_s - p_t may vanish by coincidence
        scale = max(max(abs(r) for r in grad), mp.mpf(2) ** -1022)
        for g, r in zip(got_grad, grad, strict=True):
            worst_grad = max(worst_grad, float(abs(mp.mpf(g) - r) / (EPS * scale * cond)))
    assert worst_loss <= BOUND_LOSS, worst_loss
    assert worst_grad <= BOUND_GRAD, worst_grad


def test_a_tiny_divergence_is_not_flushed_to_zero():
    # the teacher moves one logit by 1e-9: the loss is about 1e-19 and must come out as such,
    # where the literal sum p_t (log p_t - log p_s) would return rounding noise near 1e-17
    s = np.array([2.0, -1.0, 0.5, 0.0])
    t = s + np.array([1e-9, 0.0, 0.0, 0.0])
    loss, _ = _reference(s, t, 1.0)
    got = lossref.distillation_loss(s, t)
    assert abs(mp.mpf(got) - loss) <= 4 * EPS * loss
    ps, pt = softmax(s), softmax(t)
    literal = float(np.sum(pt * (np.log(pt) - np.log(ps))))
    assert abs(literal - float(loss)) > 100 * float(loss) * EPS
