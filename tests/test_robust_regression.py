"""The robust regression losses of lossref: mean absolute error, Huber, smooth L1, pinball.

Values and conventions, validation of their options, gradients against centred
differences, hypothesis properties (the limits of the Huber loss stated exactly,
symmetry, shift invariance, what each loss estimates) and accuracy against 50-digit
mpmath references on hostile inputs (residuals at the Huber kink, tiny and huge
residuals, tiny and huge ``delta``).
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

RNG = np.random.default_rng(20250101)
REDUCTIONS = ["mean", "sum", "none"]
SETTINGS = settings(deadline=None, max_examples=80)

# name -> (loss, grad, options of a typical call)
LOSSES = {
    "mae": (lossref.mean_absolute_error, lossref.mean_absolute_error_grad, {}),
    "huber": (lossref.huber_loss, lossref.huber_loss_grad, {"delta": 0.7}),
    "smooth_l1": (lossref.smooth_l1_loss, lossref.smooth_l1_loss_grad, {"beta": 0.7}),
    "smooth_l1_beta0": (lossref.smooth_l1_loss, lossref.smooth_l1_loss_grad, {"beta": 0.0}),
    "pinball": (lossref.pinball_loss, lossref.pinball_loss_grad, {"tau": 0.8}),
}


# --------------------------------------------------------------------------- #
# values and conventions
# --------------------------------------------------------------------------- #
def test_hand_values():
    p, y = np.array([0.5, 3.0, -2.0]), np.zeros(3)
    # residuals 0.5, 3, -2: |r| = 0.5, 3, 2
    assert lossref.mean_absolute_error(p, y, reduction="none").tolist() == [0.5, 3.0, 2.0]
    # Huber, delta = 1: 0.125, 1 * (3 - 0.5) = 2.5, 1 * (2 - 0.5) = 1.5
    assert lossref.huber_loss(p, y, reduction="none").tolist() == [0.125, 2.5, 1.5]
    # delta = 2: 0.125, 2 * (3 - 1) = 4, the kink |r| = 2: 2 = 2 * (2 - 1)
    assert lossref.huber_loss(p, y, delta=2.0, reduction="none").tolist() == [0.125, 4.0, 2.0]
    # smooth L1, beta = 2: 0.25 / 4 = 0.0625, 3 - 1 = 2, 2 - 1 = 1 (= Huber / 2)
    assert lossref.smooth_l1_loss(p, y, beta=2.0, reduction="none").tolist() == [0.0625, 2.0, 1.0]
    # pinball, tau = 0.9, u = y - p = -0.5, -3, 2: 0.1 * 0.5, 0.1 * 3, 0.9 * 2
    np.testing.assert_allclose(
        lossref.pinball_loss(p, y, tau=0.9, reduction="none"), [0.05, 0.3, 1.8], rtol=1e-15
    )


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_reductions_and_shapes(name):
    loss, grad, kw = LOSSES[name]
    p, y = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    none = loss(p, y, reduction="none", **kw)
    assert isinstance(none, np.ndarray)
    assert none.shape == (4, 3)
    total = loss(p, y, reduction="sum", **kw)
    mean = loss(p, y, **kw)
    assert isinstance(mean, float)
    assert isinstance(total, float)
    assert total == pytest.approx(none.sum(), rel=1e-15)
    assert mean == pytest.approx(total / 12, rel=1e-15)  # the mean divides by all M entries
    np.testing.assert_allclose(grad(p, y, **kw) * 12, grad(p, y, reduction="sum", **kw))
    np.testing.assert_array_equal(
        grad(p, y, reduction="none", **kw), grad(p, y, reduction="sum", **kw)
    )
    # scalars give Python floats, for the loss and its gradient
    for reduction in REDUCTIONS:
        assert isinstance(loss(1.5, 0.25, reduction=reduction, **kw), float)
        assert isinstance(grad(1.5, 0.25, reduction=reduction, **kw), float)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_empty_arrays(name):
    loss, grad, kw = LOSSES[name]
    with pytest.raises(ValueError, match=r"predictions is empty .* use reduction='sum' or 'none'"):
        loss([], [], **kw)
    with pytest.raises(ValueError, match="predictions is empty"):
        grad(np.zeros((0, 2)), np.zeros((0, 2)), **kw)
    assert loss([], [], reduction="sum", **kw) == 0.0
    assert loss(np.zeros((0, 2)), np.zeros((0, 2)), reduction="none", **kw).shape == (0, 2)


def test_huge_residuals_do_not_overflow_before_the_result_does():
    # Huber and smooth L1 never square a residual beyond delta / beta
    assert lossref.huber_loss(1e200, -1e200) == pytest.approx(2e200, rel=1e-15)
    assert lossref.smooth_l1_loss(1e200, 0.0, beta=1e-200) == pytest.approx(1e200, rel=1e-15)
    # a difference beyond the float64 range is inf, not nan, and the gradient is bounded
    assert lossref.huber_loss(1e308, -1e308) == math.inf
    assert lossref.huber_loss_grad(1e308, -1e308, delta=2.0) == 2.0
    assert lossref.pinball_loss(1e308, -1e308, tau=0.3) == math.inf
    # weight 0 on an overflowing side is 0 (tau = 0 ignores targets above the prediction)
    assert lossref.pinball_loss(-1e308, 1e308, tau=0.0) == 0.0


def test_subgradients_at_the_kinks():
    """sign(0) = 0 for the absolute error and for smooth L1 with beta = 0; 0 for pinball;
    Huber and smooth L1 (beta > 0) have a continuous derivative: +-delta at |r| = delta."""
    assert lossref.mean_absolute_error_grad([1.0, 2.0], [1.0, 1.0], reduction="sum").tolist() == [
        0.0,
        1.0,
    ]
    assert lossref.smooth_l1_loss_grad(1.0, 1.0, beta=0.0) == 0.0
    assert lossref.pinball_loss_grad(1.0, 1.0, tau=0.9) == 0.0
    assert lossref.huber_loss_grad(
        [3.0, -1.0], [1.0, 1.0], delta=2.0, reduction="sum"
    ).tolist() == [
        2.0,
        -2.0,
    ]


# --------------------------------------------------------------------------- #
# validation of the options (the arrays and reduction: tests/test_lossref_validation.py)
# --------------------------------------------------------------------------- #
BAD_OPTIONS = [
    ("huber_loss", "delta", 0.0, ValueError, "delta must be > 0; got 0.0"),
    ("huber_loss", "delta", -1.0, ValueError, "delta must be > 0; got -1.0"),
    ("huber_loss", "delta", math.inf, ValueError, "delta must be finite; got inf"),
    ("huber_loss", "delta", math.nan, ValueError, "delta must be finite; got nan"),
    ("huber_loss", "delta", "1", TypeError, "delta must be a real number"),
    ("huber_loss", "delta", True, TypeError, "delta must be a real number"),
    ("huber_loss", "delta", np.array([1.0]), TypeError, "delta must be a real number"),
    ("smooth_l1_loss", "beta", -0.5, ValueError, "beta must be >= 0; got -0.5"),
    ("smooth_l1_loss", "beta", math.nan, ValueError, "beta must be finite"),
    ("smooth_l1_loss", "beta", None, TypeError, "beta must be a real number"),
    ("pinball_loss", "tau", 1.5, ValueError, "tau must be in [0, 1] (the quantile level); got 1.5"),
    ("pinball_loss", "tau", -0.1, ValueError, "tau must be in [0, 1]"),
    ("pinball_loss", "tau", math.nan, ValueError, "tau must be finite"),
    ("pinball_loss", "tau", "0.5", TypeError, "tau must be a real number"),
]


@pytest.mark.parametrize("grad", [False, True], ids=["loss", "grad"])
@pytest.mark.parametrize(
    ("name", "arg", "value", "exc", "fragment"),
    BAD_OPTIONS,
    ids=[f"{c[0]}-{c[1]}-{c[2]!r}" for c in BAD_OPTIONS],
)
def test_bad_option_is_rejected(name, arg, value, exc, fragment, grad):
    func = getattr(lossref, name + ("_grad" if grad else ""))
    with pytest.raises(exc) as info:
        func([1.0, 2.0], [0.0, 0.0], **{arg: value})
    assert fragment in str(info.value)


def test_edge_options_are_accepted():
    assert lossref.smooth_l1_loss([3.0], [1.0], beta=0.0) == 2.0
    assert lossref.pinball_loss([3.0, 0.0], [1.0, 1.0], tau=0.0) == 1.0  # over-prediction only
    assert lossref.pinball_loss([3.0, 0.0], [1.0, 1.0], tau=1.0) == 0.5  # under-prediction only
    assert lossref.huber_loss([3.0], [1.0], delta=1e-300) == pytest.approx(2e-300, rel=1e-15)


def test_shape_mismatch_names_both_arguments():
    with pytest.raises(ValueError, match=r"targets must have the same shape as predictions \(3,\)"):
        lossref.huber_loss([1.0, 2.0, 3.0], [1.0, 2.0])


# --------------------------------------------------------------------------- #
# gradients against centred differences
# --------------------------------------------------------------------------- #
def _away_from_kinks(shape, kinks):
    """Residual pairs whose residuals keep 1e-3 away from every kink (0 and +-delta)."""
    while True:
        p, y = RNG.normal(0, 2, shape), RNG.normal(0, 2, shape)
        r = np.abs(p - y)
        if all(np.min(np.abs(r - k)) > 1e-3 for k in kinks):
            return p, y


@pytest.mark.parametrize("shape", [(), (5,), (4, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_grad_matches_numerical_gradient(name, reduction, shape):
    loss, grad, kw = LOSSES[name]
    kinks = [0.0, *kw.values()] if name != "pinball" else [0.0]
    p, y = _away_from_kinks(shape, kinks)
    analytic = grad(p, y, reduction=reduction, **kw)
    assert np.shape(analytic) == np.shape(p)
    numeric = lossref.numerical_gradient(
        lambda v: float(np.sum(loss(v, y, reduction=reduction, **kw))), p
    )
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_gradient_check_passes_with_default_step():
    p, y = _away_from_kinks((6,), [0.0, 1.0])
    for name in ("huber", "pinball"):
        loss, grad, kw = LOSSES[name]

        def f(v, loss=loss, kw=kw):
            return loss(v, y, **kw)

        def g(v, grad=grad, kw=kw):
            return grad(v, y, **kw)

        assert lossref.gradient_check(f, g, p) < 1e-7


# --------------------------------------------------------------------------- #
# hypothesis properties
# --------------------------------------------------------------------------- #
def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def pairs(draw, lo=-1e3, hi=1e3):
    shape = draw(st.sampled_from([(1,), (5,), (3, 4), (8, 2)]))
    p = draw(hnp.arrays(np.float64, shape, elements=floats(lo, hi)))
    y = draw(hnp.arrays(np.float64, shape, elements=floats(lo, hi)))
    return p, y


# (a delta near 1e-300 makes delta * |r| underflow: the float64 limit, tested apart)
DELTAS = st.one_of(floats(1e-6, 1e4), st.sampled_from([1.0, 0.5, 1e-6]))
TAUS = st.one_of(floats(0.0, 1.0), st.sampled_from([0.0, 0.5, 1.0, 0.1, 0.9]))


@SETTINGS
@given(pairs(), DELTAS)
def test_huber_lies_between_its_two_limits(py, delta):
    """For every delta > 0 (lossref's Huber has slope delta beyond delta):

        delta * MAE - delta**2 / 2  <=  huber  <=  min(MSE / 2, delta * MAE),

    so huber -> MSE / 2 as delta -> inf (with equality once delta >= max |r|) and
    huber / delta -> MAE as delta -> 0 (|huber / delta - MAE| <= delta / 2)."""
    p, y = py
    huber = lossref.huber_loss(p, y, delta=delta)
    mae = lossref.mean_absolute_error(p, y)
    half_mse = lossref.mean_squared_error(p, y) / 2
    slack = 1e-12 * max(half_mse, delta * mae, 1e-300)
    assert huber <= min(half_mse, delta * mae) + slack
    assert huber >= delta * mae - delta**2 / 2 - slack
    assert abs(huber / delta - mae) <= delta / 2 * (1 + 1e-12) + 1e-12 * mae


@SETTINGS
@given(pairs())
def test_huber_is_half_the_mse_once_delta_covers_every_residual(py):
    p, y = py
    delta = float(np.max(np.abs(p - y))) + 1e-9
    assert lossref.huber_loss(p, y, delta=delta) == pytest.approx(
        lossref.mean_squared_error(p, y) / 2, rel=1e-13, abs=1e-300
    )
    np.testing.assert_allclose(
        lossref.huber_loss_grad(p, y, delta=delta),
        lossref.mean_squared_error_grad(p, y) / 2,
        rtol=1e-14,
        atol=1e-300,
    )


@SETTINGS
@given(pairs(), floats(1e-10, 1e-4))
def test_huber_over_delta_tends_to_the_mae(py, delta):
    p, y = py
    mae = lossref.mean_absolute_error(p, y)
    assert abs(lossref.huber_loss(p, y, delta=delta) / delta - mae) <= delta / 2 + 1e-12 * mae
    # and the gradient over delta is the sign, wherever |r| > delta
    r = p - y
    far = np.abs(r) > delta
    g = lossref.huber_loss_grad(p, y, delta=delta, reduction="none") / delta
    np.testing.assert_array_equal(g[far], np.sign(r[far]))


@SETTINGS
@given(pairs(), DELTAS)
def test_smooth_l1_is_huber_divided_by_beta(py, beta):
    p, y = py
    np.testing.assert_allclose(
        lossref.smooth_l1_loss(p, y, beta=beta, reduction="none"),
        lossref.huber_loss(p, y, delta=beta, reduction="none") / beta,
        rtol=1e-14,
        atol=1e-300,
    )
    np.testing.assert_allclose(
        lossref.smooth_l1_loss_grad(p, y, beta=beta),
        lossref.huber_loss_grad(p, y, delta=beta) / beta,
        rtol=1e-14,
        atol=1e-300,
    )


@SETTINGS
@given(pairs())
def test_smooth_l1_with_beta_zero_is_the_mae(py):
    p, y = py
    assert lossref.smooth_l1_loss(p, y, beta=0.0) == lossref.mean_absolute_error(p, y)
    np.testing.assert_array_equal(
        lossref.smooth_l1_loss_grad(p, y, beta=0.0), lossref.mean_absolute_error_grad(p, y)
    )


@SETTINGS
@given(pairs())
def test_pinball_at_one_half_is_half_the_mae(py):
    p, y = py
    np.testing.assert_array_equal(
        lossref.pinball_loss(p, y, tau=0.5, reduction="none"),
        lossref.mean_absolute_error(p, y, reduction="none") / 2,
    )
    assert lossref.pinball_loss(p, y, tau=0.5) == pytest.approx(
        lossref.mean_absolute_error(p, y) / 2, rel=1e-15, abs=1e-300
    )
    np.testing.assert_array_equal(
        lossref.pinball_loss_grad(p, y, tau=0.5), lossref.mean_absolute_error_grad(p, y) / 2
    )


@SETTINGS
@given(pairs(), DELTAS, TAUS)
def test_symmetry(py, delta, tau):
    """MAE, Huber and smooth L1 depend on |r| only: swapping prediction and target changes
    nothing, exactly.  Pinball swaps its two slopes: rho_tau(u) = rho_(1 - tau)(-u)."""
    p, y = py
    for loss, kw in [
        (lossref.mean_absolute_error, {}),
        (lossref.huber_loss, {"delta": delta}),
        (lossref.smooth_l1_loss, {"beta": delta}),
    ]:
        np.testing.assert_array_equal(
            loss(p, y, reduction="none", **kw), loss(y, p, reduction="none", **kw)
        )
    np.testing.assert_allclose(
        lossref.pinball_loss(p, y, tau=tau, reduction="none"),
        lossref.pinball_loss(y, p, tau=1.0 - tau, reduction="none"),
        rtol=1e-15,
        atol=1e-12,  # 1 - (1 - tau) differs from tau by up to an ulp of 1
    )


@SETTINGS
@given(
    hnp.arrays(np.float64, (6,), elements=st.integers(-(10**6), 10**6).map(float)),
    hnp.arrays(np.float64, (6,), elements=st.integers(-(10**6), 10**6).map(float)),
    st.integers(-(10**9), 10**9).map(float),
    DELTAS,
    TAUS,
)
def test_shift_invariance(p, y, shift, delta, tau):
    """Every loss is a function of the residual: shifting prediction and target together
    changes nothing (exactly, for whole numbers, where the shift is exact)."""
    for loss, kw in [
        (lossref.mean_absolute_error, {}),
        (lossref.huber_loss, {"delta": delta}),
        (lossref.smooth_l1_loss, {"beta": delta}),
        (lossref.pinball_loss, {"tau": tau}),
    ]:
        assert loss(p + shift, y + shift, **kw) == loss(p, y, **kw)


@SETTINGS
@given(
    hnp.arrays(np.float64, st.sampled_from([1, 5, 9, 21]), elements=floats(-100, 100)),
    floats(-150, 150),
    TAUS,
)
def test_what_each_loss_estimates(x, c, tau):
    """Over a constant prediction c: the mean minimizes the MSE, a median the MAE, and the
    tau-quantile x_(ceil(n tau)) (NumPy's "inverted_cdf") the pinball loss."""
    n = x.size

    def at(loss, c, **kw):
        return loss(np.full(n, c), x, **kw)

    slack = 1e-9 * (1 + np.max(np.abs(x)))
    assert (
        at(lossref.mean_squared_error, np.mean(x)) <= at(lossref.mean_squared_error, c) + slack**2
    )
    assert (
        at(lossref.mean_absolute_error, np.median(x)) <= at(lossref.mean_absolute_error, c) + slack
    )
    q = np.quantile(x, tau, method="inverted_cdf")
    assert at(lossref.pinball_loss, q, tau=tau) <= at(lossref.pinball_loss, c, tau=tau) + slack


@SETTINGS
@given(pairs(), DELTAS, TAUS)
def test_bounded_influence(py, delta, tau):
    """psi, the derivative of the loss in the residual, is bounded for the robust losses:
    |psi| <= 1 (MAE, smooth L1), <= delta (Huber), in {-tau, 0, 1 - tau} (pinball)."""
    p, y = py
    kw = {"reduction": "none"}
    assert np.all(np.abs(lossref.mean_absolute_error_grad(p, y, **kw)) <= 1)
    assert np.all(np.abs(lossref.huber_loss_grad(p, y, delta=delta, **kw)) <= delta)
    assert np.all(np.abs(lossref.smooth_l1_loss_grad(p, y, beta=delta, **kw)) <= 1)
    g = lossref.pinball_loss_grad(p, y, tau=tau, **kw)
    assert np.all(np.isin(g, [-tau, 0.0, 1.0 - tau]))


# --------------------------------------------------------------------------- #
# accuracy against mpmath
# --------------------------------------------------------------------------- #
DPS = 50
EPS = mp.mpf(2) ** -52
TINY = mp.mpf(2) ** -1022
MAX_FLOAT = mp.mpf(np.finfo(np.float64).max)
# Worst error measured on these inputs, in eps = 2**-52 (NumPy 2.4, x86-64), and the bound
# asserted (about 2x headroom).
BOUND_MAE = 1  # measured 0.49
BOUND_HUBER = 3  # measured 1.39
BOUND_SMOOTH_L1 = 3  # measured 1.48
BOUND_PINBALL = 2  # measured 0.94


def _err(computed, exact):
    """|computed - exact| in units of eps relative to |exact| (floor: the smallest normal)."""
    if exact == 0:
        return 0.0 if computed == 0.0 else math.inf
    if abs(exact) > MAX_FLOAT:  # beyond the float64 range the answer is inf
        return 0.0 if computed == math.inf else math.inf
    with mp.workdps(DPS):
        return float(abs(mp.mpf(float(computed)) - exact) / (EPS * max(abs(exact), TINY)))


def _mp_huber(r, delta):
    a = abs(r)
    return r * r / 2 if a <= delta else delta * (a - delta / 2)


def _mp_smooth_l1(r, beta):
    a = abs(r)
    return r * r / (2 * beta) if a < beta else a - beta / 2


def _mp_pinball(r, tau):
    u = -r  # target minus prediction
    return tau * u if u >= 0 else (tau - 1) * u


def _hostile_residuals(scale):
    """Prediction/target pairs around a scale: residuals at the kink (|r| = scale exactly and
    one or a few ulps either side), tiny and huge relative to the scale (target 0, so the
    residual is exact); independent random pairs (the residual is rounded); nearly equal
    pairs (the residual cancels, exactly)."""
    k = np.array([0.0, 1.0, -1.0, 2.0, -3.0, 16.0])
    at_kink = scale * (1.0 + k * 2.0**-52)
    near = np.nextafter(scale, [0.0, np.inf])
    exact = np.concatenate(
        [
            at_kink,
            -at_kink,
            near,
            scale * np.array([1e-300, 1e-160, 1e-8, 0.5, 0.999, 1.001, 3.0, 1e8, 1e150]),
        ]
    )
    p_random, y_random = RNG.normal(0, scale, (2, 24))
    y_close = RNG.normal(0, scale, 8)
    preds = np.concatenate([exact, p_random, 3 * y_random, y_close * (1 + 1e-9)])
    targets = np.concatenate([np.zeros(exact.size), y_random, y_random, y_close])
    return preds, targets


SCALES = (1e-200, 1e-6, 0.5, 1.0, 3.0, 1e6, 1e150)


def _check_accuracy(loss, reference, option, bound):
    worst, where = -1.0, ""
    with mp.workdps(DPS):
        for scale in SCALES:
            p, y = _hostile_residuals(scale)
            for value in (scale, 1.0):
                kw = {option: value} if option else {}
                got = loss(p, y, reduction="none", **kw)
                for pi, yi, gi in zip(p, y, got, strict=True):
                    r = mp.mpf(float(pi)) - mp.mpf(float(yi))
                    exact = reference(r, mp.mpf(value))
                    e = _err(gi, exact)
                    if e > worst:
                        worst, where = e, f"p={pi!r}, y={yi!r}, {option}={value!r}: {gi!r}"
                # the mean: within the bound plus the rounding of a sum of positive terms
                total = mp.fsum(
                    reference(mp.mpf(float(a)) - mp.mpf(float(b)), mp.mpf(value))
                    for a, b in zip(p, y, strict=True)
                )
                assert _err(loss(p, y, **kw), total / len(p)) <= bound + 2 * len(p)
    assert worst <= bound, f"worst error {worst:.3g} eps at {where}"
    return worst


def test_mean_absolute_error_accuracy():
    _check_accuracy(lossref.mean_absolute_error, lambda r, _: abs(r), None, BOUND_MAE)


def test_huber_accuracy_including_the_kink():
    _check_accuracy(lossref.huber_loss, _mp_huber, "delta", BOUND_HUBER)


def test_smooth_l1_accuracy_including_the_kink():
    _check_accuracy(lossref.smooth_l1_loss, _mp_smooth_l1, "beta", BOUND_SMOOTH_L1)


@pytest.mark.parametrize("tau", [0.5, 0.1, 0.9, 1e-9, 1 - 2.0**-40])
def test_pinball_accuracy(tau):
    _check_accuracy(
        lambda p, y, reduction="mean", **_: lossref.pinball_loss(
            p, y, tau=tau, reduction=reduction
        ),
        lambda r, _: _mp_pinball(r, mp.mpf(tau)),
        None,
        BOUND_PINBALL,
    )


def test_huber_gradient_is_exact_at_and_around_the_kink():
    """psi(r) = clip(r, -delta, delta) involves one rounding (the residual): at the kink and
    one ulp either side it is exactly the residual or exactly +-delta."""
    delta = 0.3
    r = np.array([np.nextafter(delta, 0), delta, np.nextafter(delta, 1)])
    g = lossref.huber_loss_grad(r, np.zeros(3), delta=delta, reduction="none")
    assert g.tolist() == [r[0], delta, delta]
    assert lossref.huber_loss_grad(-r, np.zeros(3), delta=delta, reduction="none").tolist() == [
        -r[0],
        -delta,
        -delta,
    ]
