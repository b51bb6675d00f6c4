"""Losses as likelihoods: the Gaussian and Poisson negative log-likelihoods of lossref.

Values by hand, shapes and reductions (an example's loss sums its D outputs, "mean" divides
by N), validation of every option, gradients against centred differences, PyTorch's clamp
(the loss is constant below eps, the variance gradient is the one at eps passed straight
through), hypothesis properties (MSE is the Gaussian NLL with a fixed variance, the best
variance is the squared residual, the two Poisson forms agree, the best rate is the mean
count, Bernoulli and categorical NLL are the sigmoid and softmax cross-entropies) and
accuracy against 50-digit mpmath references on hostile inputs (tiny and huge variances,
log-rates beyond the overflow of exp).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from mpmath import mp

import lossref

RNG = np.random.default_rng(20250413)
REDUCTIONS = ["mean", "sum", "none"]
SETTINGS = settings(deadline=None, max_examples=60)
HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)

gnll = lossref.gaussian_nll
gnll_grad = lossref.gaussian_nll_grad
gnll_grad_var = functools.partial(lossref.gaussian_nll_grad, wrt="variances")
pnll = lossref.poisson_nll
pnll_grad = lossref.poisson_nll_grad


# --------------------------------------------------------------------------- #
# values by hand
# --------------------------------------------------------------------------- #
def test_gaussian_hand_values():
    # residuals -0.5 and 1; variances 0.25 and 1: z^2 = 1 and 1
    per = gnll([1.0, 2.0], [1.5, 1.0], [0.25, 1.0], reduction="none")
    np.testing.assert_allclose(per, [0.5 * (math.log(0.25) + 1), 0.5], rtol=1e-15)
    assert gnll([1.0, 2.0], [1.5, 1.0], [0.25, 1.0]) == pytest.approx(per.mean(), rel=1e-15)
    full = gnll([1.0, 2.0], [1.5, 1.0], [0.25, 1.0], full=True, reduction="none")
    np.testing.assert_allclose(full, per + HALF_LOG_2PI, rtol=1e-15)
    # the standard normal density at 0 is 1 / sqrt(2 pi)
    assert gnll(0.0, 0.0, 1.0, full=True) == pytest.approx(HALF_LOG_2PI, rel=1e-15)
    # gradients: r / v = -2 and 1; (1 - r^2 / v) / (2 v) = 0 and 0
    assert gnll_grad([1.0, 2.0], [1.5, 1.0], [0.25, 1.0], reduction="sum").tolist() == [-2.0, 1.0]
    assert gnll_grad_var([1.0, 2.0], [1.5, 1.0], [0.25, 1.0], reduction="sum").tolist() == [
        0.0,
        0.0,
    ]
    # a shared variance 1 gets the sum: (1 - 0.25) / 2 + (1 - 1) / 2
    assert gnll_grad_var([1.0, 2.0], [1.5, 1.0], 1.0, reduction="sum") == 0.375


def test_poisson_hand_values():
    rates, counts = np.array([0.5, 2.0, 4.0]), np.array([0.0, 2.0, 5.0])
    expected = rates - counts * np.log(rates)  # 0.5, 2 - 2 ln 2, 4 - 5 ln 4
    np.testing.assert_allclose(
        pnll(rates, counts, log_input=False, eps=0.0, reduction="none"), expected, rtol=1e-15
    )
    np.testing.assert_allclose(
        pnll(np.log(rates), counts, reduction="none"), expected, rtol=1e-15, atol=1e-16
    )
    # PyTorch's Stirling term: 0 for t <= 1, t ln t - t + ln(2 pi t) / 2 for t > 1
    stirling = [0.0, 2 * math.log(2) - 2 + 0.5 * math.log(4 * math.pi)]
    stirling.append(5 * math.log(5) - 5 + 0.5 * math.log(10 * math.pi))
    np.testing.assert_allclose(
        pnll(np.log(rates), counts, full=True, reduction="none"),
        expected + stirling,
        rtol=1e-15,
        atol=1e-16,
    )
    assert pnll([0.3], [1.0], full=True) == pnll([0.3], [1.0])  # t = 1: nothing added
    # eps inside the log of the rate form (PyTorch's default 1e-8)
    assert pnll(2.0, 3.0, log_input=False) == pytest.approx(2 - 3 * math.log(2 + 1e-8), rel=1e-15)
    # gradients: rate minus count, and 1 - count / rate
    np.testing.assert_allclose(
        pnll_grad(np.log(rates), counts, reduction="none"), rates - counts, atol=1e-15
    )
    assert pnll_grad(rates, counts, log_input=False, eps=0.0, reduction="sum").tolist() == [
        1.0,
        0.0,
        -0.25,
    ]


def test_poisson_zero_rate_and_zero_count():
    # eps = 0: 0 ln 0 = 0 for a count 0 at rate 0; a positive count at rate 0 is impossible
    assert pnll([0.0, 0.0], [0.0, 2.0], log_input=False, eps=0.0, reduction="none").tolist() == [
        0.0,
        math.inf,
    ]
    assert pnll_grad(
        [0.0, 0.0], [0.0, 2.0], log_input=False, eps=0.0, reduction="none"
    ).tolist() == [
        1.0,
        -math.inf,
    ]
    # with PyTorch's eps the loss is finite: -2 ln(1e-8)
    assert pnll(0.0, 2.0, log_input=False) == pytest.approx(-2 * math.log(1e-8), rel=1e-15)


# --------------------------------------------------------------------------- #
# shapes and reductions
# --------------------------------------------------------------------------- #
CASES = {
    "gaussian": (
        lambda p, y, **kw: gnll(p, y, np.abs(y) + 0.5, **kw),
        lambda p, y, **kw: gnll_grad(p, y, np.abs(y) + 0.5, **kw),
    ),
    "gaussian_full": (
        lambda p, y, **kw: gnll(p, y, np.abs(y) + 0.5, full=True, **kw),
        lambda p, y, **kw: gnll_grad(p, y, np.abs(y) + 0.5, full=True, **kw),
    ),
    "poisson": (
        lambda p, y, **kw: pnll(p, np.abs(y), **kw),
        lambda p, y, **kw: pnll_grad(p, np.abs(y), **kw),
    ),
    "poisson_rate_full": (
        lambda p, y, **kw: pnll(np.abs(p) + 0.1, 3 * np.abs(y), log_input=False, full=True, **kw),
        lambda p, y, **kw: pnll_grad(
            np.abs(p) + 0.1, 3 * np.abs(y), log_input=False, full=True, **kw
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_example_sums_its_outputs_and_the_mean_divides_by_n(name):
    loss, grad = CASES[name]
    p, y = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    none = loss(p, y, reduction="none")
    assert none.shape == (4,)
    elementwise = np.array([[loss(p[i, j], y[i, j]) for j in range(3)] for i in range(4)])
    np.testing.assert_allclose(none, elementwise.sum(axis=1), rtol=1e-14)
    total, mean = loss(p, y, reduction="sum"), loss(p, y)
    assert isinstance(total, float)
    assert isinstance(mean, float)
    assert total == pytest.approx(none.sum(), rel=1e-15)
    assert mean == pytest.approx(total / 4, rel=1e-15)  # N = 4 examples, not N D = 12
    # 1-D input: N examples of one output
    np.testing.assert_allclose(loss(p[:, 0], y[:, 0], reduction="none"), elementwise[:, 0])
    # the gradient has the predictions' shape; "none" is the gradient of each row's own loss
    g = grad(p, y)
    assert g.shape == (4, 3)
    np.testing.assert_allclose(g * 4, grad(p, y, reduction="sum"), rtol=1e-15)
    np.testing.assert_array_equal(grad(p, y, reduction="none"), grad(p, y, reduction="sum"))
    # scalars give Python floats for every reduction
    for reduction in REDUCTIONS:
        assert isinstance(loss(1.5, 0.25, reduction=reduction), float)
        assert isinstance(grad(1.5, 0.25, reduction=reduction), float)


def test_variance_shapes_scalar_per_example_and_per_entry():
    p, y = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3))
    per_example = RNG.uniform(0.5, 2.0, size=(5, 1))
    full = np.broadcast_to(per_example, (5, 3))
    assert gnll(p, y, per_example) == gnll(p, y, full)
    assert gnll(p, y, 0.7) == gnll(p, y, np.full((5, 3), 0.7))
    # the variance gradient has the variances' shape: shared entries add up
    g_full = gnll_grad_var(p, y, full, reduction="sum")
    np.testing.assert_allclose(
        gnll_grad_var(p, y, per_example, reduction="sum"), g_full.sum(axis=1, keepdims=True)
    )
    g_shared = gnll_grad_var(p, y, 0.7)
    assert isinstance(g_shared, float)
    assert g_shared == pytest.approx(gnll_grad_var(p, y, np.full((5, 3), 0.7)).sum(), rel=1e-13)


def test_empty_batches():
    for func, args in [
        (gnll, (np.zeros(0), np.zeros(0), 1.0)),
        (gnll_grad_var, (np.zeros((0, 2)), np.zeros((0, 2)), 1.0)),
        (pnll, (np.zeros((0, 2)), np.zeros((0, 2)))),
        (pnll_grad, (np.zeros(0), np.zeros(0))),
    ]:
        with pytest.raises(ValueError, match="empty batch"):
            func(*args)
        func(*args, reduction="sum")
    assert gnll(np.zeros((0, 2)), np.zeros((0, 2)), 1.0, reduction="none").shape == (0,)


# --------------------------------------------------------------------------- #
# validation of the options and of the variances, targets and rates
# --------------------------------------------------------------------------- #
P2, Y2 = np.zeros((3, 2)), np.ones((3, 2))
BAD = [
    (gnll, (P2, Y2, -np.ones((3, 2))), {}, ValueError, "variances must be >= 0; got -1.0"),
    (gnll, ([0.0], [1.0], [np.nan]), {}, ValueError, "variances must be finite; got nan"),
    (gnll, ([0.0], [1.0], [np.inf]), {}, ValueError, "variances must be finite; got inf"),
    (gnll, ([0.0], [1.0], "1"), {}, TypeError, "variances must be an array of real numbers"),
    (gnll, ([0.0], [1.0], [True]), {}, TypeError, "variances must be an array of real numbers"),
    (gnll, (P2, Y2, np.ones(3)), {}, ValueError, "one variance per example of 2-D predictions"),
    (gnll, (P2, Y2, np.ones((2, 3))), {}, ValueError, "variances must have the shape of"),
    (gnll, (P2, Y2, np.ones((3, 2, 1))), {}, ValueError, "got shape (3, 2, 1)"),
    (gnll, ([0.0], [1.0], 1.0), {"eps": 0.0}, ValueError, "eps must be > 0; got 0.0"),
    (gnll, ([0.0], [1.0], 1.0), {"eps": -1e-6}, ValueError, "eps must be > 0"),
    (gnll, ([0.0], [1.0], 1.0), {"eps": math.nan}, ValueError, "eps must be finite"),
    (gnll, ([0.0], [1.0], 1.0), {"eps": "1e-6"}, TypeError, "eps must be a real number"),
    (gnll, ([0.0], [1.0], 1.0), {"full": 1}, TypeError, "full must be True or False; got 1"),
    (gnll, ([0.0], [1.0], 1.0), {"reduction": "avg"}, ValueError, "reduction must be one of"),
    (gnll, ([0.0, 1.0], [1.0], 1.0), {}, ValueError, "targets must have the same shape"),
    (gnll, (np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), 1.0), {}, ValueError, "(N,) or (N, D)"),
    (pnll, ([0.0, 1.0], [1.0, -2.0]), {}, ValueError, "targets must be >= 0 (counts"),
    (pnll, ([0.0, 1.0], [1.0, -2.0]), {}, ValueError, "got -2.0 at position 1"),
    (
        pnll,
        ([0.5, -1.0], [1.0, 2.0]),
        {"log_input": False},
        ValueError,
        "predictions must be >= 0 with log_input=False",
    ),
    (pnll, ([0.5], [1.0]), {"eps": -1e-8}, ValueError, "eps must be >= 0; got -1e-08"),
    (pnll, ([0.5], [1.0]), {"eps": math.inf}, ValueError, "eps must be finite"),
    (pnll, ([0.5], [1.0]), {"log_input": "yes"}, TypeError, "log_input must be True or False"),
    (pnll, ([0.5], [1.0]), {"full": None}, TypeError, "full must be True or False"),
    (pnll, ([0.5], [np.nan]), {}, ValueError, "targets must be finite"),
    (pnll, ([np.inf], [1.0]), {}, ValueError, "predictions must be finite"),
]
GRADS = {gnll: (gnll_grad, gnll_grad_var), pnll: (pnll_grad,)}


@pytest.mark.parametrize(
    ("func", "args", "kw", "exc", "fragment"),
    BAD,
    ids=[f"{b[0].__name__}-{b[4][:40]}" for b in BAD],
)
def test_bad_input_is_rejected_by_the_loss_and_its_gradients(func, args, kw, exc, fragment):
    for f in (func, *GRADS[func]):
        with pytest.raises(exc) as info:
            f(*args, **kw)
        assert fragment in str(info.value), f.__name__


def test_edge_options_are_accepted():
    assert gnll(0.0, 0.0, 0.0) == 0.5 * math.log(1e-6)  # variance 0 is clamped to eps
    assert pnll(1.0, 2.5) == pytest.approx(math.e - 2.5, rel=1e-15)  # non-integer count
    assert pnll([0.0], [0.0], log_input=False, eps=0.0) == 0.0
    assert pnll(-5.0, 0.0) == pytest.approx(math.exp(-5.0), rel=1e-15)


# --------------------------------------------------------------------------- #
# PyTorch's clamp of the variance
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("eps", [1e-6, 0.1])
def test_the_clamp_is_constant_below_eps_and_passes_the_gradient_straight_through(eps):
    """Below eps the loss is that at eps; the gradient with respect to the variance is the
    derivative at eps, (1 - r^2 / eps) / (2 eps), as torch's autograd gives (the clamp runs
    under no_grad), not the clamped function's derivative 0; the mean's gradient uses eps."""
    r = np.array([0.0, 1e-4, 0.5, 3.0])
    below = np.array([0.0, eps / 2, eps / 10, eps * (1 - 2.0**-40)])
    at_eps = np.full(4, eps)
    zeros = np.zeros(4)
    np.testing.assert_array_equal(
        gnll(r, zeros, below, eps=eps, reduction="none"),
        gnll(r, zeros, at_eps, eps=eps, reduction="none"),
    )
    g = gnll_grad_var(r, zeros, below, eps=eps, reduction="none")
    np.testing.assert_allclose(g, 0.5 * (1 / eps - r**2 / eps**2), rtol=1e-14)
    assert (g != 0).all()
    np.testing.assert_array_equal(g, gnll_grad_var(r, zeros, at_eps, eps=eps, reduction="none"))
    np.testing.assert_allclose(gnll_grad(r, zeros, below, eps=eps, reduction="none"), r / eps)
    # a numerical derivative of the loss in the variance is 0 there: the two differ
    h = eps / 100
    numeric = (
        gnll(r, zeros, below + h, eps=eps, reduction="none")
        - gnll(r, zeros, below + 0.0, eps=eps, reduction="none")
    ) / h
    assert (numeric[:3] == 0).all()


# --------------------------------------------------------------------------- #
# gradients against centred differences
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("shape", [(), (6,), (4, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_gradients_match_numerical_gradients(shape, reduction, full):
    p, y = RNG.normal(size=shape), RNG.normal(size=shape)
    v = RNG.uniform(0.2, 3.0, size=shape)
    kw = {"full": full, "reduction": reduction}

    def total(pp, vv):
        return float(np.sum(gnll(pp, y, vv, **kw)))

    np.testing.assert_allclose(
        gnll_grad(p, y, v, **kw),
        lossref.numerical_gradient(lambda q: total(q, v), p),
        rtol=1e-6,
        atol=1e-9,
    )
    np.testing.assert_allclose(
        gnll_grad_var(p, y, v, **kw),
        lossref.numerical_gradient(lambda q: total(p, q), v),
        rtol=1e-6,
        atol=1e-9,
    )
    # a scalar variance and one per example
    np.testing.assert_allclose(
        gnll_grad_var(p, y, 0.8, **kw),
        lossref.numerical_gradient(lambda q: total(p, float(q)), np.array(0.8)),
        rtol=1e-6,
    )
    if len(shape) == 2:
        v1 = v[:, :1]
        np.testing.assert_allclose(
            gnll_grad_var(p, y, v1, **kw),
            lossref.numerical_gradient(lambda q: total(p, q), v1),
            rtol=1e-6,
            atol=1e-9,
        )


@pytest.mark.parametrize("shape", [(), (6,), (4, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("log_input", "full"), [(True, False), (True, True), (False, True)])
def test_poisson_gradients_match_numerical_gradients(shape, reduction, log_input, full):
    x = RNG.normal(0, 1.5, size=shape)
    if not log_input:
        x = np.exp(x)
    t = RNG.poisson(2.0, size=shape).astype(float)
    kw = {"log_input": log_input, "full": full, "reduction": reduction}
    np.testing.assert_allclose(
        pnll_grad(x, t, **kw),
        lossref.numerical_gradient(lambda q: float(np.sum(pnll(q, t, **kw))), x),
        rtol=1e-6,
        atol=1e-9,
    )


def test_gradient_check_passes_with_default_step():
    p, y, v = RNG.normal(size=8), RNG.normal(size=8), RNG.uniform(0.5, 2, size=8)
    assert lossref.gradient_check(lambda q: gnll(q, y, v), lambda q: gnll_grad(q, y, v), p) < 1e-7
    assert (
        lossref.gradient_check(lambda q: gnll(p, y, q), lambda q: gnll_grad_var(p, y, q), v) < 1e-7
    )
    t = RNG.poisson(3.0, size=8).astype(float)
    assert lossref.gradient_check(lambda q: pnll(q, t), lambda q: pnll_grad(q, t), p) < 1e-7


# --------------------------------------------------------------------------- #
# hypothesis properties
# --------------------------------------------------------------------------- #
def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def pairs(draw, lo=-100.0, hi=100.0):
    n = draw(st.integers(1, 12))
    p = draw(hnp.arrays(np.float64, n, elements=floats(lo, hi)))
    y = draw(hnp.arrays(np.float64, n, elements=floats(lo, hi)))
    return p, y


@SETTINGS
@given(pairs(), floats(1e-3, 1e3), st.booleans())
def test_mse_is_the_gaussian_nll_with_a_fixed_variance(py, sigma2, full):
    """With one variance s2 for every (N,) entry: mean NLL = MSE / (2 s2) + ln(s2) / 2
    (+ ln(2 pi) / 2 with full), and its gradient is the MSE's divided by 2 s2."""
    p, y = py
    mse = lossref.mean_squared_error(p, y)
    const = 0.5 * math.log(sigma2) + (HALF_LOG_2PI if full else 0.0)
    got = gnll(p, y, sigma2, full=full)
    assert got == pytest.approx(mse / (2 * sigma2) + const, rel=1e-12, abs=1e-12 * (1 + mse))
    np.testing.assert_allclose(
        gnll_grad(p, y, sigma2, full=full),
        lossref.mean_squared_error_grad(p, y) / (2 * sigma2),
        rtol=1e-13,
        atol=1e-300,
    )


@SETTINGS
@given(pairs(), floats(1e-4, 1e4))
def test_the_best_variance_is_the_squared_residual(py, factor):
    """For fixed residuals the variance gradient vanishes at v = r^2 and the loss there is
    no larger than at any other variance (the NLL in v is minimized at r^2)."""
    p, y = py
    r2 = (p - y) ** 2
    assume = r2 > 1e-4  # above the clamp
    p, y, r2 = p[assume], y[assume], r2[assume]
    if p.size == 0:
        return
    g = gnll_grad_var(p, y, r2, reduction="none")
    np.testing.assert_allclose(g * r2, 0.0, atol=1e-12)  # (1 - r^2 / v) / 2 at v = r^2
    best = gnll(p, y, r2, reduction="sum")
    assert best <= gnll(p, y, r2 * factor, reduction="sum") + 1e-12 * (1 + abs(best))


@SETTINGS
@given(pairs(-3.0, 3.0), floats(-5.0, 5.0), floats(0.01, 100.0))
def test_gaussian_shift_and_scale(py, shift, scale):
    """Shifting mean and target changes nothing; scaling them by a and the variance by a^2
    adds ln|a| per entry (the density of a y is that of y divided by |a|)."""
    p, y = py
    v = np.abs(y) + 0.5
    base = gnll(p, y, v, reduction="sum")
    assert gnll(p + shift, y + shift, v, reduction="sum") == pytest.approx(base, rel=1e-9, abs=1e-9)
    scaled = gnll(scale * p, scale * y, scale**2 * v, reduction="sum")
    assert scaled == pytest.approx(base + p.size * math.log(scale), rel=1e-11, abs=1e-11)


@SETTINGS
@given(pairs(-20.0, 20.0))
def test_the_two_poisson_forms_agree_at_log_rates(py):
    """poisson_nll(x, t) == poisson_nll(exp(x), t, log_input=False, eps=0), and the
    gradients differ by the chain rule: d/dx = rate * d/d rate."""
    x, t = py
    t = np.round(np.abs(t))
    rate = np.exp(x)
    for full in (False, True):
        a = pnll(x, t, full=full, reduction="none")
        b = pnll(rate, t, log_input=False, eps=0.0, full=full, reduction="none")
        scale = rate + t * np.abs(x) + t * np.log1p(t) + 1
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13 * scale.max())
    np.testing.assert_allclose(
        pnll_grad(x, t, reduction="none"),
        rate * pnll_grad(rate, t, log_input=False, eps=0.0, reduction="none"),
        rtol=1e-12,
        atol=1e-12 * (rate + t).max(),
    )


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(1, 20), elements=st.integers(0, 50).map(float)))
def test_the_best_constant_rate_is_the_mean_count(t):
    """Over a constant rate the summed gradient vanishes at the mean count, in both forms
    (for a positive mean), and the loss there is a minimum."""
    m = float(t.mean())
    if m == 0:
        return
    n = t.size
    g = pnll_grad(np.full(n, m), t, log_input=False, eps=0.0, reduction="sum").sum()
    assert abs(g) <= 1e-12 * n
    g_log = pnll_grad(np.full(n, math.log(m)), t, reduction="sum").sum()
    assert abs(g_log) <= 1e-12 * n * m
    at = pnll(np.full(n, m), t, log_input=False, eps=0.0, reduction="sum")
    for other in (0.9 * m, 1.1 * m):
        assert at <= pnll(np.full(n, other), t, log_input=False, eps=0.0, reduction="sum")


@SETTINGS
@given(
    hnp.arrays(np.float64, st.integers(1, 10), elements=floats(-30.0, 30.0)),
    st.data(),
)
def test_bernoulli_nll_is_sigmoid_binary_cross_entropy(logits, data):
    """-ln P(y | p = sigmoid(s)) = -(y ln sigmoid(s) + (1 - y) ln sigmoid(-s)) is lossref's
    sigmoid_binary_cross_entropy, for 0/1 labels; and binary_cross_entropy of sigmoid(s)."""
    y = data.draw(hnp.arrays(np.float64, logits.shape, elements=st.sampled_from([0.0, 1.0])))
    nll = -np.where(y == 1, lossref.log_sigmoid(logits), lossref.log_sigmoid(-logits))
    np.testing.assert_allclose(
        lossref.sigmoid_binary_cross_entropy(logits, y, reduction="none"), nll, rtol=1e-13
    )
    moderate = np.abs(logits) < 15  # where sigmoid(s) is not rounded to 1
    if moderate.any():
        np.testing.assert_allclose(
            lossref.binary_cross_entropy(
                lossref.sigmoid(logits[moderate]), y[moderate], reduction="none"
            ),
            nll[moderate],
            rtol=1e-8,
            atol=1e-12,
        )


@SETTINGS
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(2, 5)),
        elements=floats(-30.0, 30.0),
    ),
    st.data(),
)
def test_categorical_nll_is_softmax_cross_entropy(scores, data):
    """-ln P(y | p = softmax(s)) is softmax_cross_entropy; and cross_entropy of the
    probabilities against one-hot rows."""
    n, c = scores.shape
    y = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, c - 1)))
    nll = -lossref.log_softmax(scores)[np.arange(n), y]
    np.testing.assert_allclose(
        lossref.softmax_cross_entropy(scores, y, reduction="none"), nll, rtol=1e-13, atol=1e-300
    )
    probs = lossref.softmax(scores)
    ok = probs[np.arange(n), y] > 1e-300
    np.testing.assert_allclose(
        lossref.cross_entropy(probs, np.eye(c)[y], reduction="none")[ok],
        nll[ok],
        rtol=1e-12,
        atol=1e-15,
    )


# --------------------------------------------------------------------------- #
# accuracy against mpmath
# --------------------------------------------------------------------------- #
DPS = 50
EPS = mp.mpf(2) ** -52
TINY = mp.mpf(2) ** -1022
# Worst error on these inputs, in eps = 2**-52 relative to the sum of the absolute values of
# the terms (NumPy 2.4, x86-64), and the bound asserted (about 2x headroom).
BOUND_GAUSSIAN = 3  # measured 1.53
BOUND_GAUSSIAN_GRAD = 2  # measured 0.69
BOUND_GAUSSIAN_GRAD_VAR = 3  # measured 1.24
BOUND_POISSON = 2  # measured 0.92
BOUND_POISSON_GRAD = 2  # measured 0.71


class Worst:
    def __init__(self):
        self.err, self.where = -1.0, ""

    def add(self, got, exact, scale, where):
        with mp.workdps(DPS):
            if not math.isfinite(got):
                err = 0.0 if abs(exact) > mp.mpf(np.finfo(float).max) else math.inf
            else:
                err = float(abs(mp.mpf(got) - exact) / (EPS * max(scale, TINY)))
        if err > self.err:
            self.err, self.where = err, f"{where}: got {got!r}, exact {mp.nstr(exact, 17)}"

    def check(self, bound):
        assert self.err <= bound, f"worst error {self.err:.3g} eps at {self.where}"


VARIANCES = (1e-300, 1e-200, 1e-40, 1e-8, 0.3, 1.0, 1.0 + 2.0**-40, 7.0, 1e30, 1e300)


def _gaussian_inputs():
    """(prediction, target, variance) with z = r / sqrt(v) from 1e-10 to 1e10 at every
    variance: r^2 underflows below v = 1e-300 at z = 1e-10 and overflows at v = 1e300."""
    cases = []
    for v in VARIANCES:
        for z in (0.0, 1e-10, 1e-3, 0.7, 1.0, 3.0, 1e5, 1e10):
            r = z * math.sqrt(v)
            cases.append((r, 0.0, v))
            cases.append((0.3 + r, 0.3, v))  # the residual is rounded
        for p, y in RNG.normal(0, math.sqrt(v), (6, 2)):
            cases.append((p, y, v))
    return np.array(cases).T


def test_gaussian_accuracy_with_tiny_and_huge_variances():
    p, y, v = _gaussian_inputs()
    kw = {"eps": 1e-310, "reduction": "none"}  # eps below every variance: no clamp
    worst = {"loss": Worst(), "full": Worst(), "grad": Worst(), "grad_var": Worst()}
    got = {
        "loss": gnll(p, y, v, **kw),
        "full": gnll(p, y, v, full=True, **kw),
        "grad": gnll_grad(p, y, v, **kw),
        "grad_var": gnll_grad_var(p, y, v, **kw),
    }
    with mp.workdps(DPS):
        for i in range(p.size):
            r = mp.mpf(float(p[i])) - mp.mpf(float(y[i]))
            vv = mp.mpf(float(v[i]))
            log_v, q = mp.log(vv), r * r / vv
            where = f"p={p[i]!r}, y={y[i]!r}, v={v[i]!r}"
            worst["loss"].add(got["loss"][i], (log_v + q) / 2, (abs(log_v) + q) / 2, where)
            half_log_2pi = mp.log(2 * mp.pi) / 2
            worst["full"].add(
                got["full"][i],
                (log_v + q) / 2 + half_log_2pi,
                (abs(log_v) + q) / 2 + half_log_2pi,
                where,
            )
            worst["grad"].add(got["grad"][i], r / vv, abs(r / vv), where)
            worst["grad_var"].add(got["grad_var"][i], (1 - q) / (2 * vv), (1 + q) / (2 * vv), where)
    worst["loss"].check(BOUND_GAUSSIAN)
    worst["full"].check(BOUND_GAUSSIAN)
    worst["grad"].check(BOUND_GAUSSIAN_GRAD)
    worst["grad_var"].check(BOUND_GAUSSIAN_GRAD_VAR)


def test_the_naive_formula_fails_where_lossref_does_not():
    """(mu - y)^2 / v loses the quadratic term where the square overflows or is subnormal
    although the ratio is not: lossref forms z = (mu - y) / sqrt(v) first."""
    # the square overflows: r = 1e160, v = 1e300, z^2 = 1e20
    assert math.isinf(1e160 * 1e160)
    assert gnll(1e160, 0.0, 1e300) == pytest.approx(0.5 * (math.log(1e300) + 1e20), rel=1e-15)
    # the square is subnormal: r = 1e-160, v = 1e-320 (eps below it), z^2 close to 1
    r, v = 1e-160, 1e-320
    with mp.workdps(DPS):
        z2 = (mp.mpf(r) / mp.sqrt(mp.mpf(v))) ** 2
        exact = (mp.log(mp.mpf(v)) + z2) / 2
        naive = (math.log(v) + r * r / v) / 2
        got = gnll(r, 0.0, v, eps=1e-322)
        assert abs(mp.mpf(naive) - exact) > 1e-6
        assert abs(mp.mpf(got) - exact) < 4 * EPS * abs(exact)


LOG_RATES = (-745.0, -700.0, -30.0, -1.0, -1e-10, 0.0, 1e-10, 0.5, 1.0, 5.0, 50.0, 700.0)
LOG_RATES += (705.0, 709.7, 709.9, 710.0, 720.0, 1000.0, 1409.0, 1500.0)
COUNTS = (0.0, 0.5, 1.0, 1.0 + 2.0**-30, 2.0, 3.5, 7.0, 1e3, 1e10, 1e300)


def _mp_stirling(t):
    if t <= 1:
        return mp.mpf(0)
    return t * mp.log(t) - t + mp.log(2 * mp.pi * t) / 2


def test_poisson_accuracy_including_log_rates_beyond_the_overflow_of_exp():
    """log_input=True: exp(x) - t x; values beyond the float64 range must be +-inf (never
    nan), and those within it must be accurate although exp(x) alone overflows."""
    x = np.repeat(LOG_RATES, len(COUNTS))
    t = np.tile(COUNTS, len(LOG_RATES))
    near_optimum = np.log(np.array(COUNTS[3:]))  # x = ln t: the rate equals the count
    x = np.concatenate([x, near_optimum, near_optimum + 1e-9])
    t = np.concatenate([t, COUNTS[3:], COUNTS[3:]])
    # e^x - t x is finite although e^x overflows: t = e^x / x (1 + small)
    big = np.array([709.9, 710.0, 712.0])
    with mp.workdps(DPS):
        t_big = [float(mp.exp(mp.mpf(b)) / b * mp.mpf("0.999")) for b in big]
    x = np.concatenate([x, big])
    t = np.concatenate([t, t_big])
    loss_w, full_w, grad_w = Worst(), Worst(), Worst()
    got = pnll(x, t, reduction="none")
    got_full = pnll(x, t, full=True, reduction="none")
    got_grad = pnll_grad(x, t, reduction="none")
    assert not np.isnan(got).any()
    assert not np.isnan(got_grad).any()
    with mp.workdps(DPS):
        for i in range(x.size):
            xx, tt = mp.mpf(float(x[i])), mp.mpf(float(t[i]))
            ex = mp.exp(xx)
            where = f"x={x[i]!r}, t={t[i]!r}"
            loss_w.add(got[i], ex - tt * xx, ex + abs(tt * xx), where)
            s = _mp_stirling(tt)
            full_w.add(got_full[i], ex - tt * xx + s, ex + abs(tt * xx) + abs(s), where)
            grad_w.add(got_grad[i], ex - tt, ex + tt, where)
    loss_w.check(BOUND_POISSON)
    full_w.check(BOUND_POISSON)
    grad_w.check(BOUND_POISSON_GRAD)


RATES = (0.0, 1e-300, 1e-9, 0.3, 0.5, 0.999, 1.0, 1.0 + 2.0**-40, 1.7, 2.0, 3.0, 1e5, 1e300)


@pytest.mark.parametrize("eps", [0.0, 1e-8, 1e-3])
def test_poisson_rate_form_accuracy(eps):
    """log_input=False: x - t ln(x + eps), with log1p near x + eps = 1."""
    x = np.repeat(RATES, len(COUNTS))
    t = np.tile(COUNTS, len(RATES))
    loss_w, grad_w = Worst(), Worst()
    got = pnll(x, t, log_input=False, eps=eps, full=True, reduction="none")
    got_grad = pnll_grad(x, t, log_input=False, eps=eps, reduction="none")
    with mp.workdps(DPS):
        for i in range(x.size):
            xx, tt = mp.mpf(float(x[i])), mp.mpf(float(t[i]))
            u = xx + mp.mpf(eps)
            where = f"x={x[i]!r}, t={t[i]!r}, eps={eps}"
            if u == 0:
                expected_loss = 0.0 if tt == 0 else math.inf
                assert got[i] == expected_loss, where
                assert got_grad[i] == (1.0 if tt == 0 else -math.inf), where
                continue
            term = tt * mp.log(u)
            s = _mp_stirling(tt)
            loss_w.add(got[i], xx - term + s, xx + abs(term) + abs(s), where)
            grad_w.add(got_grad[i], 1 - tt / u, 1 + tt / u, where)
    loss_w.check(BOUND_POISSON)
    grad_w.check(BOUND_POISSON_GRAD)
