"""The Gaussian and Poisson negative log-likelihoods of lossref against PyTorch, Keras 3,
optax (which has neither), SciPy and scikit-learn.

Each test name and docstring states the claim it checks; the book's likelihoods page cites
them. Agreement is equality to ``rtol=1e-12`` on float64 (``tests.frameworks.agreement``);
where a library uses another convention the exact relationship is asserted.

* PyTorch ``F.gaussian_nll_loss`` and ``F.poisson_nll_loss`` compute lossref's elementwise
  terms (same ``full``, same ``eps``, same clamp of the variance, same Stirling term), but
  their ``"mean"`` divides by all N D entries: for (N, D) input it is lossref's mean divided
  by D, and their ``"none"`` is the (N, D) array whose row sums are lossref's ``"none"``.
  Autograd's gradient with respect to a variance below ``eps`` is the derivative at ``eps``
  (the clamp runs under ``no_grad``), which ``gaussian_nll_grad(..., wrt="variances")``
  returns.  With a rate 0, a count 0 and ``eps=0`` PyTorch returns nan (0 ln 0), lossref 0.
* Keras 3 (jax backend): ``Poisson()(y_true, y_pred)`` takes rates and computes
  ``y_pred - y_true ln(y_pred + 1e-7)``, averaged over the last axis, then over the batch:
  lossref's ``poisson_nll(rates, counts, log_input=False, eps=1e-7)`` divided by D, to
  float32 precision (Keras's means are float32); it exceeds the exact NLL (``eps=0``) by
  ``-t ln(1 + 1e-7 / rate)`` per entry, divided by D.
* optax 0.2 has no Gaussian or Poisson NLL; ``jax.scipy.stats`` gives both full forms.
* SciPy: ``norm.logpdf(y, mu, sqrt(v))`` is minus the full Gaussian NLL;
  ``poisson.logpmf(t, rate)`` is minus the exact Poisson NLL, and lossref's ``full=True``
  (PyTorch's) differs from it by the error of Stirling's approximation of ``ln t!``.
* scikit-learn: ``mean_poisson_deviance`` is twice the Poisson NLL minus its value at the
  saturated rate (each rate equal to its count).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lossref
from tests.frameworks.agreement import as_numpy, as_tensor, close

SEED = 141421
REDUCTIONS = ("mean", "sum", "none")
F32_RTOL = 4 * float(np.finfo(np.float32).eps)


@pytest.fixture
def gauss():
    """Means, targets and variances (N, D) = (16, 3); some variances below 1e-6, 0 and 0.05."""
    rng = np.random.default_rng(SEED)
    mu = rng.normal(0, 2, (16, 3))
    y = mu + rng.normal(0, 1, (16, 3))
    var = rng.uniform(0.1, 3.0, (16, 3))
    var[0, :] = (0.0, 3e-7, 0.05)
    return mu, y, var


@pytest.fixture
def counts():
    """Log-rates (N, D) = (16, 3) and counts with 0, 1, a non-integer and large counts."""
    rng = np.random.default_rng(SEED + 1)
    x = rng.normal(1.0, 1.2, (16, 3))
    t = rng.poisson(np.exp(x)).astype(float)
    t[0, :] = (0.0, 1.0, 0.5)
    t[1, :] = (2.0, 37.0, 1.5)
    return x, t


def _stirling(t):
    t = np.asarray(t, dtype=float)
    safe = np.where(t > 1, t, 2.0)
    return np.where(t > 1, safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe), 0.0)


# --------------------------------------------------------------------------- #
# PyTorch
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("eps", [1e-6, 0.1])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_is_torch_times_d_for_the_mean(torch, gauss, reduction, full, eps):
    """F.gaussian_nll_loss(mu, y, var, full, eps): the same elementwise terms and clamp.
    "sum" agrees; "none" is (N, D) and its row sums are lossref's per-example losses;
    "mean" divides by N D = 48, lossref's by N = 16: lossref == D * torch.  For 1-D input
    (D = 1) every reduction agrees."""
    F = torch.nn.functional
    mu, y, var = gauss
    d = mu.shape[1]
    kw = {"full": full, "eps": eps}
    ours = lossref.gaussian_nll(mu, y, var, reduction=reduction, **kw)
    theirs = as_numpy(
        F.gaussian_nll_loss(
            as_tensor(torch, mu),
            as_tensor(torch, y),
            as_tensor(torch, var),
            **kw,
            reduction=reduction,
        )
    )
    if reduction == "none":
        assert theirs.shape == (16, 3)
        close(ours, theirs.sum(axis=1))
    elif reduction == "mean":
        close(ours, d * theirs)
        assert not np.isclose(ours, theirs)
    else:
        close(ours, theirs)
    flat = lossref.gaussian_nll(mu[:, 0], y[:, 0], var[:, 0], reduction=reduction, **kw)
    close(
        flat,
        as_numpy(
            F.gaussian_nll_loss(
                as_tensor(torch, mu[:, 0]),
                as_tensor(torch, y[:, 0]),
                as_tensor(torch, var[:, 0]),
                reduction=reduction,
                **kw,
            )
        ),
    )


@pytest.mark.parametrize("eps", [1e-6, 0.1])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gaussian_gradients_are_torch_autograd_including_the_clamp(torch, gauss, reduction, eps):
    """Autograd of F.gaussian_nll_loss: with respect to the means, (mu - y) / max(var, eps);
    with respect to the variances, the derivative at max(var, eps) even below eps, where the
    clamped loss is flat (torch clamps a clone under no_grad): lossref's two gradients,
    times D for the mean."""
    F = torch.nn.functional
    mu, y, var = gauss
    d = mu.shape[1]
    m, v = as_tensor(torch, mu, grad=True), as_tensor(torch, var, grad=True)
    F.gaussian_nll_loss(m, as_tensor(torch, y), v, eps=eps, reduction=reduction).backward()
    factor = d if reduction == "mean" else 1
    close(
        lossref.gaussian_nll_grad(mu, y, var, eps=eps, reduction=reduction), factor * m.grad.numpy()
    )
    g_var = lossref.gaussian_nll_grad(mu, y, var, eps=eps, reduction=reduction, wrt="variances")
    close(g_var, factor * v.grad.numpy())
    below = var < eps
    assert below.any()
    r = mu - y
    expected_below = 0.5 * (1 / eps - r[below] ** 2 / eps**2)
    close(v.grad.numpy()[below] * factor, expected_below / (16 if reduction == "mean" else 1))
    assert (v.grad.numpy()[below] != 0).all()


def test_gaussian_homoscedastic_variances_are_torch_broadcasts(torch, gauss):
    """One variance per example, shape (N, 1), and one float for everything are torch's
    homoscedastic cases; the gradient with respect to a shared variance sums its entries."""
    F = torch.nn.functional
    mu, y, var = gauss
    per_example = var[:, :1] + 0.2
    v = as_tensor(torch, per_example, grad=True)
    loss = F.gaussian_nll_loss(as_tensor(torch, mu), as_tensor(torch, y), v, reduction="sum")
    loss.backward()
    close(lossref.gaussian_nll(mu, y, per_example, reduction="sum"), as_numpy(loss))
    close(
        lossref.gaussian_nll_grad(mu, y, per_example, reduction="sum", wrt="variances"),
        v.grad.numpy(),
    )
    close(
        lossref.gaussian_nll(mu, y, 0.7, reduction="sum"),
        as_numpy(
            F.gaussian_nll_loss(as_tensor(torch, mu), as_tensor(torch, y), 0.7, reduction="sum")
        ),
    )


def test_mse_over_two_sigma_squared_plus_a_constant_in_torch(torch, gauss):
    """With a fixed variance s2, torch's Gaussian NLL is F.mse_loss / (2 s2) + ln(s2) / 2:
    minimizing it is minimizing the MSE; lossref's (1-D) agrees."""
    F = torch.nn.functional
    mu, y, _ = gauss
    s2 = 0.8
    a, b = as_tensor(torch, mu[:, 1]), as_tensor(torch, y[:, 1])
    nll = as_numpy(F.gaussian_nll_loss(a, b, s2 * torch.ones_like(a)))
    close(nll, as_numpy(F.mse_loss(a, b)) / (2 * s2) + 0.5 * math.log(s2))
    close(lossref.gaussian_nll(mu[:, 1], y[:, 1], s2), nll)


def test_torch_refuses_negative_variances_as_lossref_does(torch):
    F = torch.nn.functional
    with pytest.raises(ValueError, match="var has negative entry"):
        F.gaussian_nll_loss(
            as_tensor(torch, [0.0, 1.0]),
            as_tensor(torch, [0.0, 0.0]),
            as_tensor(torch, [1.0, -1.0]),
        )
    with pytest.raises(ValueError, match="variances must be >= 0"):
        lossref.gaussian_nll([0.0, 1.0], [0.0, 0.0], [1.0, -1.0])


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_poisson_nll_is_torch_times_d_for_the_mean(torch, counts, reduction, log_input, full):
    """F.poisson_nll_loss(x, t, log_input, full): the same terms (exp(x) - t x, or
    x - t ln(x + 1e-8)), the same Stirling term for t > 1 (0 for t <= 1, non-integer t
    included); "mean" divides by N D, so lossref == D * torch; gradients agree likewise."""
    F = torch.nn.functional
    x, t = counts
    pred = x if log_input else np.exp(x)
    d = x.shape[1]
    kw = {"log_input": log_input, "full": full}
    ours = lossref.poisson_nll(pred, t, reduction=reduction, **kw)
    xt = as_tensor(torch, pred, grad=True)
    out = F.poisson_nll_loss(xt, as_tensor(torch, t), reduction=reduction, **kw)
    theirs = as_numpy(out)
    if reduction == "none":
        close(ours, theirs.sum(axis=1))
        return
    factor = d if reduction == "mean" else 1
    close(ours, factor * theirs)
    out.backward()
    close(lossref.poisson_nll_grad(pred, t, reduction=reduction, **kw), factor * xt.grad.numpy())


def test_torch_stirling_term_is_zero_up_to_one_and_stirling_beyond(torch):
    """full=True minus full=False, per entry, is t ln t - t + ln(2 pi t) / 2 for t > 1 and 0
    for t <= 1, so it jumps from 0 to about -0.0811 just above t = 1."""
    F = torch.nn.functional
    t = np.array([0.0, 0.5, 1.0, 1.0 + 1e-9, 2.0, 10.0, 1e6])
    x = np.zeros_like(t)
    diff = as_numpy(
        F.poisson_nll_loss(as_tensor(torch, x), as_tensor(torch, t), full=True, reduction="none")
    ) - as_numpy(F.poisson_nll_loss(as_tensor(torch, x), as_tensor(torch, t), reduction="none"))
    close(diff, _stirling(t), atol=1e-9)
    ours = lossref.poisson_nll(x, t, full=True, reduction="none") - lossref.poisson_nll(
        x, t, reduction="none"
    )
    close(ours, diff, atol=1e-9)
    assert diff[3] == pytest.approx(0.5 * math.log(2 * math.pi) - 1, abs=1e-8)


def test_torch_rate_zero_count_zero_is_nan_where_lossref_gives_zero(torch):
    """With eps=0 a count 0 at rate 0 is 0 * ln 0: nan in torch, 0 in lossref (the limit,
    and the Poisson probability of 0 events at rate 0 is 1); a positive count at rate 0 is
    inf in both."""
    F = torch.nn.functional
    out = as_numpy(
        F.poisson_nll_loss(
            as_tensor(torch, [0.0, 0.0]),
            as_tensor(torch, [0.0, 3.0]),
            log_input=False,
            eps=0.0,
            reduction="none",
        )
    )
    assert math.isnan(out[0])
    assert out[1] == math.inf
    ours = lossref.poisson_nll([0.0, 0.0], [0.0, 3.0], log_input=False, eps=0.0, reduction="none")
    assert ours.tolist() == [0.0, math.inf]


def test_torch_log_input_overflows_where_lossref_does_not(torch):
    """exp(710) overflows float64, so torch gives inf (or nan) for exp(x) - t x even where
    the difference is finite; lossref evaluates exp(x - 700) exp(700) and returns it."""
    F = torch.nn.functional
    x = np.array([710.0])
    t = np.array([math.exp(700.0) * math.exp(10.0 - math.log(710.0)) * 0.999])
    theirs = as_numpy(F.poisson_nll_loss(as_tensor(torch, x), as_tensor(torch, t), reduction="sum"))
    assert not math.isfinite(theirs)
    ours = lossref.poisson_nll(x, t, reduction="sum")
    assert math.isfinite(ours)
    assert ours == pytest.approx(0.001 * math.exp(700.0) * math.exp(10.0), rel=1e-9)


# --------------------------------------------------------------------------- #
# Keras 3 on the jax backend
# --------------------------------------------------------------------------- #
def _float32_mean(values, axis):
    return np.asarray(values, dtype=np.float32).mean(axis=axis, dtype=np.float32).astype(float)


def test_keras_poisson_is_the_rate_form_with_eps_1e7_over_d(keras, counts):
    """keras.losses.poisson(y_true, y_pred): truth first, rates (not log-rates), elementwise
    y_pred - y_true ln(y_pred + 1e-7), averaged over the last axis in float32;
    Poisson()(y_true, y_pred) then averages the N rows: lossref's
    poisson_nll(rates, counts, log_input=False, eps=1e-7) divided by D, to float32 precision."""
    x, t = counts
    rates = np.exp(x)
    n, d = rates.shape
    assert keras.backend.epsilon() == 1e-7
    elementwise = lossref.poisson_nll(
        rates.ravel(), t.ravel(), log_input=False, eps=1e-7, reduction="none"
    ).reshape(n, d)
    per = np.asarray(keras.losses.poisson(t, rates))
    np.testing.assert_allclose(per, _float32_mean(elementwise, -1), rtol=F32_RTOL)
    np.testing.assert_allclose(
        per,
        lossref.poisson_nll(rates, t, log_input=False, eps=1e-7, reduction="none") / d,
        rtol=F32_RTOL,
        atol=F32_RTOL * np.abs(elementwise).max(),  # a row's terms may cancel
    )
    loss = float(keras.losses.Poisson(dtype="float64")(t, rates))
    expected = lossref.poisson_nll(rates, t, log_input=False, eps=1e-7) / d
    np.testing.assert_allclose(loss, expected, rtol=F32_RTOL)
    assert abs(loss / expected - 1) > 1e-12  # float32, not float64


def test_keras_poisson_exceeds_the_exact_nll_by_its_eps(keras):
    """Against the exact NLL (eps = 0, or log-rates), Keras adds -t ln(1 + 1e-7 / rate) per
    entry (divided by D): nothing for a count 0, about -1e-7 t / rate otherwise, and a finite
    -t ln(1e-7) instead of inf at rate 0."""
    rates = np.array([[0.5, 2.0], [4.0, 1e-3]])
    t = np.array([[0.0, 2.0], [5.0, 3.0]])
    exact = lossref.poisson_nll(np.log(rates), t, reduction="none")
    keras64 = lossref.poisson_nll(rates, t, log_input=False, eps=1e-7, reduction="none")
    close(keras64 - exact, (-t * np.log1p(1e-7 / rates)).sum(axis=1), atol=1e-14)
    per = np.asarray(keras.losses.poisson(t, rates))
    np.testing.assert_allclose(per, keras64 / 2, rtol=F32_RTOL)
    at_zero = float(np.asarray(keras.losses.poisson(np.array([[3.0]]), np.array([[0.0]])))[0])
    np.testing.assert_allclose(at_zero, -3 * math.log(1e-7), rtol=F32_RTOL)
    assert lossref.poisson_nll([0.0], [3.0], log_input=False, eps=0.0) == math.inf


# --------------------------------------------------------------------------- #
# optax and jax.scipy
# --------------------------------------------------------------------------- #
def test_optax_has_no_gaussian_or_poisson_nll(jax64):
    """optax.losses (0.2.x) offers neither loss: no name mentions gauss, poisson or nll."""
    optax = pytest.importorskip("optax")
    names = [n.lower() for n in dir(optax.losses)]
    assert not [n for n in names if "gauss" in n or "poisson" in n or "nll" in n]
    assert "sigmoid_binary_cross_entropy" in names  # the Bernoulli NLL is there


def test_jax_scipy_log_densities_are_the_full_forms(jax64, gauss, counts):
    """jax.scipy.stats.norm.logpdf(y, mu, sqrt(v)) == -gaussian_nll(full=True) per entry
    (variances above eps); jax.scipy.stats.poisson.logpmf(t, rate) (integer counts) ==
    -(poisson_nll + ln t!)."""
    jnp = jax64.numpy
    stats = jax64.scipy.stats
    special = jax64.scipy.special
    mu, y, var = gauss
    mu, y, var = mu[1:].ravel(), y[1:].ravel(), var[1:].ravel()
    close(
        -np.asarray(stats.norm.logpdf(jnp.asarray(y), jnp.asarray(mu), jnp.sqrt(var))),
        lossref.gaussian_nll(mu, y, var, full=True, reduction="none"),
    )
    x, t = counts
    x, t = x[2:].ravel(), t[2:].ravel()
    log_fact = np.asarray(special.gammaln(jnp.asarray(t) + 1))
    close(
        -np.asarray(stats.poisson.logpmf(jnp.asarray(t), jnp.exp(x))),
        lossref.poisson_nll(x, t, reduction="none") + log_fact,
    )


def test_optax_sigmoid_and_softmax_cross_entropy_are_bernoulli_and_categorical_nll(jax64):
    """-ln of the Bernoulli probability of y under p = sigmoid(s) is optax's and lossref's
    sigmoid binary cross-entropy; -ln softmax(s)[y] is their softmax cross-entropy."""
    optax = pytest.importorskip("optax")
    jnp = jax64.numpy
    rng = np.random.default_rng(SEED + 2)
    s, yb = rng.normal(0, 3, 20), rng.integers(0, 2, 20).astype(float)
    bernoulli = -np.asarray(jax64.scipy.stats.bernoulli.logpmf(yb, jax64.nn.sigmoid(s)))
    close(
        np.asarray(optax.losses.sigmoid_binary_cross_entropy(jnp.asarray(s), jnp.asarray(yb))),
        lossref.sigmoid_binary_cross_entropy(s, yb, reduction="none"),
    )
    close(bernoulli, lossref.sigmoid_binary_cross_entropy(s, yb, reduction="none"), rtol=1e-10)
    scores, labels = rng.normal(0, 3, (10, 4)), rng.integers(0, 4, 10)
    close(
        np.asarray(
            optax.losses.softmax_cross_entropy_with_integer_labels(
                jnp.asarray(scores), jnp.asarray(labels)
            )
        ),
        lossref.softmax_cross_entropy(scores, labels, reduction="none"),
    )


# --------------------------------------------------------------------------- #
# SciPy
# --------------------------------------------------------------------------- #
@pytest.fixture
def stats():
    return pytest.importorskip("scipy.stats")


def test_scipy_norm_logpdf_is_minus_the_full_gaussian_nll(stats, gauss):
    """scipy.stats.norm.logpdf(y, loc=mu, scale=sqrt(v)) == -gaussian_nll(full=True) per
    entry; without full the two differ by ln(2 pi) / 2 exactly."""
    mu, y, var = gauss
    mu, y, var = mu[1:].ravel(), y[1:].ravel(), var[1:].ravel()
    logpdf = stats.norm.logpdf(y, loc=mu, scale=np.sqrt(var))
    close(-logpdf, lossref.gaussian_nll(mu, y, var, full=True, reduction="none"))
    close(
        -logpdf - lossref.gaussian_nll(mu, y, var, reduction="none"),
        np.full(mu.size, 0.5 * math.log(2 * math.pi)),
    )


def test_scipy_poisson_logpmf_and_the_stirling_error(stats, counts):
    """scipy.stats.poisson.logpmf(t, rate) == -(poisson_nll + ln t!) for integer counts;
    lossref's full=True (PyTorch's) is -logpmf plus Stirling(t) - ln t!, which is 0 for
    t in {0, 1}, about -0.0413 at t = 2 and shrinks like -1 / (12 t)."""
    from scipy.special import gammaln

    x, t = counts
    x, t = x[2:].ravel(), t[2:].ravel()
    rates = np.exp(x)
    logpmf = stats.poisson.logpmf(t, rates)
    close(-logpmf, lossref.poisson_nll(x, t, reduction="none") + gammaln(t + 1))
    close(
        -logpmf,
        lossref.poisson_nll(rates, t, log_input=False, eps=0.0, reduction="none") + gammaln(t + 1),
    )
    full = lossref.poisson_nll(x, t, full=True, reduction="none")
    close(full - (-logpmf), _stirling(t) - gammaln(t + 1), atol=1e-12)
    k = np.array([0.0, 1.0, 2.0, 10.0, 100.0])
    gap = _stirling(k) - gammaln(k + 1)
    assert gap[:2].tolist() == [0.0, 0.0]
    assert round(float(gap[2]), 4) == -0.0413
    close(gap[3:] * 12 * k[3:], -np.ones(2), rtol=1e-2)


# --------------------------------------------------------------------------- #
# scikit-learn
# --------------------------------------------------------------------------- #
def test_sklearn_mean_poisson_deviance_is_twice_the_nll_above_the_saturated_one(counts):
    """sklearn.metrics.mean_poisson_deviance(y_true, y_pred) = mean 2 (t ln(t / rate) - t +
    rate) = 2 (poisson_nll(rates, t) - poisson_nll(t, t)), rate form with eps = 0 (1-D)."""
    metrics = pytest.importorskip("sklearn.metrics")
    x, t = counts
    rates, t1 = np.exp(x[:, 0]), t[:, 0]
    kw = {"log_input": False, "eps": 0.0}
    close(
        metrics.mean_poisson_deviance(t1, rates),
        2 * (lossref.poisson_nll(rates, t1, **kw) - lossref.poisson_nll(t1, t1, **kw)),
    )
