"""Every ``*_grad`` of lossref against centred differences of the loss itself.

For reduction "none" the gradient is each example's gradient with respect to its
own row, i.e. the gradient of the sum of the per-example losses; it is compared
with the numerical gradient of that sum and must equal the "sum" gradient.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lossref

RNG = np.random.default_rng(20240601)
REDUCTIONS = ["mean", "sum", "none"]


def _reduced(value):
    """Scalar to compare: the loss, or the sum of per-example losses for 'none'."""
    return float(np.sum(value))


def check(loss, grad, x, *, h=1e-5, rtol=1e-6, atol=1e-8):
    """Analytic gradient equals the numerical gradient of ``loss`` at ``x``."""
    x = np.asarray(x, dtype=float)
    analytic = grad(x)
    assert np.shape(analytic) == x.shape
    numeric = lossref.numerical_gradient(lambda v: _reduced(loss(v)), x, h=h)
    np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol)
    return analytic


def away_from_kinks(scores, labels, margin):
    """Random scores whose hinge terms are all at least 1e-3 away from 0."""
    s = np.atleast_2d(scores)
    y = np.atleast_1d(labels)
    h = s - s[np.arange(len(y)), y][:, None] + margin
    h[np.arange(len(y)), y] = 1.0
    return np.min(np.abs(h)) > 1e-3


def random_scores(shape, labels, margin=1.0):
    while True:
        s = RNG.standard_normal(shape) * 2
        if away_from_kinks(s, labels, margin):
            return s


# --- score-based losses ---------------------------------------------------------

HINGE_OPTIONS = [
    {},
    {"squared": True},
    {"include_correct": True},
    {"include_correct": True, "squared": True},
    {"margin": 0.5},
    {"margin": 0.0, "squared": True},
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", HINGE_OPTIONS, ids=str)
@pytest.mark.parametrize("single", [False, True], ids=["batch", "single"])
def test_multiclass_hinge_grad(reduction, options, single):
    labels = 2 if single else np.array([0, 3, 2, 2, 1])
    shape = (4,) if single else (5, 4)
    scores = random_scores(shape, labels, options.get("margin", 1.0))
    kw = dict(options, reduction=reduction)
    g = check(
        lambda s: lossref.multiclass_hinge(s, labels, **kw),
        lambda s: lossref.multiclass_hinge_grad(s, labels, **kw),
        scores,
    )
    if reduction == "none":
        np.testing.assert_array_equal(
            g, lossref.multiclass_hinge_grad(scores, labels, **dict(options, reduction="sum"))
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("base", [math.e, 2.0, 10.0])
@pytest.mark.parametrize("single", [False, True], ids=["batch", "single"])
def test_softmax_cross_entropy_grad(reduction, base, single):
    labels = 1 if single else np.array([0, 3, 2, 2, 1])
    scores = RNG.standard_normal((4,) if single else (5, 4)) * 3
    kw = {"reduction": reduction, "base": base}
    g = check(
        lambda s: lossref.softmax_cross_entropy(s, labels, **kw),
        lambda s: lossref.softmax_cross_entropy_grad(s, labels, **kw),
        scores,
    )
    if reduction == "none":
        np.testing.assert_array_equal(
            g, lossref.softmax_cross_entropy_grad(scores, labels, base=base, reduction="sum")
        )


def test_softmax_cross_entropy_grad_rows_sum_to_zero_and_match_softmax():
    scores = RNG.standard_normal((6, 5)) * 10
    labels = np.array([0, 1, 2, 3, 4, 0])
    g = lossref.softmax_cross_entropy_grad(scores, labels, reduction="sum")
    np.testing.assert_allclose(g.sum(axis=1), 0.0, atol=1e-15)
    expected = lossref.softmax(scores)
    expected[np.arange(6), labels] -= 1
    np.testing.assert_allclose(g, expected, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("single", [False, True], ids=["batch", "single"])
def test_binary_hinge_grad(reduction, single):
    if single:
        scores, targets = np.array(0.3), -1.0
    else:
        scores, targets = np.array([2.0, 0.5, -1.0, 0.2]), np.array([1, 1, 1, -1])
    kw = {"reduction": reduction, "margin": 1.0}
    check(
        lambda s: lossref.binary_hinge(s, targets, **kw),
        lambda s: lossref.binary_hinge_grad(s, targets, **kw),
        scores,
    )


# --- kinks: the documented subgradient ----------------------------------------


def test_multiclass_hinge_kink_uses_indicator_zero():
    # s_0 - s_1 + 1 = 0 and s_2 - s_1 + 1 = 0: both terms exactly at the kink
    scores = np.array([0.0, 1.0, 0.0])
    assert lossref.multiclass_hinge(scores, 1) == 0.0
    g = lossref.multiclass_hinge_grad(scores, 1)
    assert g.tolist() == [0.0, 0.0, 0.0]
    # the centred difference averages the one-sided slopes: a genuine kink
    numeric = lossref.numerical_gradient(lambda s: lossref.multiclass_hinge(s, 1), scores)
    np.testing.assert_allclose(numeric, [0.5, -1.0, 0.5], rtol=1e-6)
    # just past the kink the indicator switches on
    g = lossref.multiclass_hinge_grad([0.25, 1.0, 0.0], 1)
    assert g.tolist() == [1.0, -1.0, 0.0]
    # the squared hinge is differentiable at the kink: gradient 0 there
    assert lossref.multiclass_hinge_grad(scores, 1, squared=True).tolist() == [0.0, 0.0, 0.0]


def test_cs231n_image_gradients():
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    g = lossref.multiclass_hinge_grad(scores, [0, 1, 2], reduction="sum")
    assert g.tolist() == [[-1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, -2.0]]
    np.testing.assert_array_equal(lossref.multiclass_hinge_grad(scores, [0, 1, 2]), g / 3)


def test_binary_hinge_kink_and_l1_at_zero():
    assert lossref.binary_hinge_grad(1.0, 1) == 0.0  # t s = margin: subgradient 0
    assert lossref.binary_hinge_grad(0.999, 1) == -1.0
    assert lossref.l1_penalty_grad([0.0, -0.0, 2.0, -3.0]).tolist() == [0.0, 0.0, 1.0, -1.0]
    assert lossref.elastic_net_penalty_grad([0.0], l1_ratio=0.7).tolist() == [0.0]


# --- probability losses (free-variable partial derivatives) --------------------
# Rows must sum to 1 within 1e-6, so the steps are small enough to stay inside.


def random_distributions(n, c, floor=0.05):
    p = RNG.dirichlet(np.ones(c), size=n) + floor
    return p / p.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("base", [math.e, 2.0])
@pytest.mark.parametrize("single", [False, True], ids=["batch", "single"])
def test_cross_entropy_grad(reduction, base, single):
    q = random_distributions(4, 3)
    t = random_distributions(4, 3)
    t[0] = [0.0, 1.0, 0.0]  # a one-hot row: zero gradient where t = 0
    if single:
        q, t = q[0], t[0]
    kw = {"reduction": reduction, "base": base}
    g = check(
        lambda v: lossref.cross_entropy(v, t, **kw),
        lambda v: lossref.cross_entropy_grad(v, t, **kw),
        q,
        h=1e-8,
        rtol=1e-5,
    )
    assert np.all(np.atleast_2d(g)[0][[0, 2]] == 0.0)


@pytest.mark.parametrize("base", [math.e, 2.0])
@pytest.mark.parametrize("single", [False, True], ids=["batch", "single"])
def test_entropy_grad(base, single):
    p = random_distributions(3, 4)
    if single:
        p = p[0]
    check(
        lambda v: lossref.entropy(v, base=base),
        lambda v: lossref.entropy_grad(v, base=base),
        p,
        h=1e-8,
        rtol=1e-5,
    )


@pytest.mark.parametrize("base", [math.e, 10.0])
@pytest.mark.parametrize("single", [False, True], ids=["batch", "single"])
def test_kl_divergence_grad(base, single):
    q = random_distributions(3, 4)
    t = random_distributions(3, 4)
    if single:
        q, t = q[0], t[0]
    check(
        lambda v: lossref.kl_divergence(v, t, base=base),
        lambda v: lossref.kl_divergence_grad(v, t, base=base),
        q,
        h=1e-8,
        rtol=1e-5,
        atol=1e-7,
    )


def test_gradient_check_works_on_probabilities_with_its_default_step():
    """A step of 1e-5 on one entry keeps a row within the 1e-4 row-sum tolerance."""
    q, t = random_distributions(3, 4), random_distributions(3, 4)
    for loss, grad in [
        (lossref.cross_entropy, lossref.cross_entropy_grad),
        (lossref.kl_divergence, lossref.kl_divergence_grad),
    ]:
        error = lossref.gradient_check(
            lambda v, loss=loss: float(np.sum(loss(v, t))),
            lambda v, grad=grad: grad(v, t),
            q,
        )
        assert error < 1e-7, (loss.__name__, error)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("single", [False, True], ids=["batch", "single"])
def test_binary_cross_entropy_grad(reduction, single):
    if single:
        p, t = np.array(0.3), 0.8
    else:
        p, t = np.array([0.1, 0.5, 0.9, 0.4]), np.array([0.0, 1.0, 0.3, 1.0])
    kw = {"reduction": reduction}
    check(
        lambda v: lossref.binary_cross_entropy(v, t, **kw),
        lambda v: lossref.binary_cross_entropy_grad(v, t, **kw),
        p,
        h=1e-7,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("single", [False, True], ids=["batch", "single"])
def test_sigmoid_binary_cross_entropy_grad(reduction, single):
    if single:
        x, t = np.array(-1.3), 1.0
    else:
        x, t = np.array([3.0, -2.0, 0.0, 0.7, -40.0]), np.array([1.0, 1.0, 0.3, 0.0, 0.0])
    kw = {"reduction": reduction}
    check(
        lambda v: lossref.sigmoid_binary_cross_entropy(v, t, **kw),
        lambda v: lossref.sigmoid_binary_cross_entropy_grad(v, t, **kw),
        x,
    )


def test_sigmoid_binary_cross_entropy_grad_tiny_values():
    # sigma(50) - 1 = -sigma(-50) = -1.93e-22: no cancellation to 0
    g = lossref.sigmoid_binary_cross_entropy_grad(50.0, 1)
    assert g == pytest.approx(-math.exp(-50.0) / (1 + math.exp(-50.0)), rel=1e-14)


# --- regression and penalties ----------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("single", [False, True], ids=["batch", "single"])
def test_squared_error_grad(reduction, single):
    pred = RNG.standard_normal((3,) if single else (4, 3))
    targ = RNG.standard_normal(pred.shape)
    kw = {"reduction": reduction}
    check(
        lambda v: lossref.squared_error(v, targ, **kw),
        lambda v: lossref.squared_error_grad(v, targ, **kw),
        pred,
    )


@pytest.mark.parametrize("shape", [(), (5,), (4, 3)])
def test_mean_squared_error_grad(shape):
    pred = RNG.standard_normal(shape)
    targ = RNG.standard_normal(shape)
    check(
        lambda v: lossref.mean_squared_error(v, targ),
        lambda v: lossref.mean_squared_error_grad(v, targ),
        pred,
    )


@pytest.mark.parametrize("shape", [(), (5,), (4, 3), (2, 2, 2)])
@pytest.mark.parametrize(
    ("penalty", "grad"),
    [
        (lossref.l2_penalty, lossref.l2_penalty_grad),
        (lossref.l1_penalty, lossref.l1_penalty_grad),
        (
            lambda w: lossref.elastic_net_penalty(w, l1_ratio=0.3),
            lambda w: lossref.elastic_net_penalty_grad(w, l1_ratio=0.3),
        ),
    ],
    ids=["l2", "l1", "elastic"],
)
def test_penalty_grads(shape, penalty, grad):
    w = RNG.standard_normal(shape)
    w = np.where(np.abs(w) < 1e-3, 0.5, w)  # keep away from the kink of |w|
    check(penalty, grad, w)


# --- the linear toolkit ------------------------------------------------------------


@pytest.mark.parametrize("loss", ["hinge", "softmax"])
@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_objective_grad(loss, reg):
    X = lossref.add_bias_column(RNG.standard_normal((6, 3)))
    y = np.array([0, 1, 2, 3, 0, 1])
    while True:
        W = RNG.standard_normal((4, 4)) * 0.5
        if away_from_kinks(X @ W, y, 1.0):
            break
    check(
        lambda w: lossref.objective(w, X, y, loss=loss, reg=reg),
        lambda w: lossref.objective_grad(w, X, y, loss=loss, reg=reg),
        W,
    )


def test_gradient_check_agrees_with_assert_style():
    X = lossref.add_bias_column(RNG.standard_normal((5, 2)))
    y = np.array([0, 1, 2, 0, 1])
    W = RNG.standard_normal((3, 3))
    err = lossref.gradient_check(
        lambda w: lossref.objective(w, X, y, loss="softmax", reg=0.05),
        lambda w: lossref.objective_grad(w, X, y, loss="softmax", reg=0.05),
        W,
    )
    assert err < 1e-7
