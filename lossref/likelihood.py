"""Losses as likelihoods: the Gaussian negative log-likelihood with a predicted variance and
the Poisson negative log-likelihood of counts, as PyTorch's ``GaussianNLLLoss`` and
``PoissonNLLLoss`` define them.

Shapes and reduction.  ``predictions`` of shape (N,) are N examples with one output each,
(N, D) are N examples with D outputs each, and a scalar is one example.  An example's loss
is the **sum** over its D outputs (the negative log-likelihood of the example when its
outputs are independent), and ``"mean"`` averages over the N examples, as everywhere in
lossref.  PyTorch's ``"mean"`` divides by all N D entries instead: it is lossref's mean
divided by D (the two agree for 1-D input).  ``reduction="none"`` returns the N per-example
losses (a float for a scalar).  Logarithms are natural (nats).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ._reduction import reduce_grad, reduce_loss
from ._validation import (
    _first_value,
    as_float_array,
    check_batch,
    check_choice,
    check_finite,
    check_flag,
    check_reduction,
    check_same_shape,
    nonnegative_scalar,
    positive_scalar,
)

__all__ = [
    "gaussian_nll",
    "gaussian_nll_grad",
    "poisson_nll",
    "poisson_nll_grad",
]

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)  # the constant of full=True
_LOG_2PI = math.log(2.0 * math.pi)
_SHIFT = 700.0  # exp(x) is evaluated as exp(x - 700) * exp(700) beyond x = 700
_EXP_SHIFT = math.exp(_SHIFT)
_EXP_MINUS_SHIFT = math.exp(-_SHIFT)


# ---------------------------------------------------------------------------
# shared checks and reductions
# ---------------------------------------------------------------------------


def _check_pair(predictions, targets, reduction):
    """Validated float64 predictions and targets of shape (), (N,) or (N, D)."""
    reduction = check_reduction(reduction)
    what = "(N,) or (N, D)"
    pred = as_float_array(predictions, "predictions", ndims=(0, 1, 2), what=what)
    check_finite(pred, "predictions")
    targ = as_float_array(targets, "targets", ndims=(0, 1, 2), what=what)
    check_same_shape(pred, targ, "predictions", "targets")
    check_finite(targ, "targets")
    if pred.ndim:
        check_batch(pred.shape[0], reduction, "predictions")
    return pred, targ, reduction


def _reduce(values: np.ndarray, reduction: str) -> float | np.ndarray:
    """Sum each example's D outputs, then apply the reduction over the N examples."""
    with np.errstate(over="ignore", invalid="ignore"):  # a total beyond 1.8e308 is inf
        per = values.sum(axis=1) if values.ndim == 2 else values
    return reduce_loss(per.reshape(-1), reduction, per.ndim == 0)


def _reduce_grad(grad: np.ndarray, reduction: str, n: int) -> float | np.ndarray:
    """Divide by the N examples for ``"mean"``; a Python float for a 0-D gradient (a scalar
    input, or the derivative with respect to one shared variance)."""
    grad = reduce_grad(grad, reduction, n)
    return float(grad) if grad.ndim == 0 else grad


# ---------------------------------------------------------------------------
# Gaussian negative log-likelihood
# ---------------------------------------------------------------------------


def _check_gaussian(predictions, targets, variances, full, eps, reduction):
    full = check_flag(full, "full")
    eps = positive_scalar(eps, "eps")
    pred, targ, reduction = _check_pair(predictions, targets, reduction)
    var = as_float_array(variances, "variances", ndims=None)
    per_example = pred.ndim == 2 and var.shape == (pred.shape[0], 1)
    if var.shape not in (pred.shape, ()) and not per_example:
        hint = (
            " (one variance per example of 2-D predictions has shape (N, 1))"
            if pred.ndim == 2 and var.shape == (pred.shape[0],)
            else ""
        )
        shapes = f"{pred.shape}, (N, 1)" if pred.ndim == 2 else f"{pred.shape}"
        raise ValueError(
            f"variances must have the shape of predictions {shapes} or be a scalar; "
            f"got shape {var.shape}{hint}"
        )
    check_finite(var, "variances")
    if (var < 0).any():
        raise ValueError(f"variances must be >= 0; got {_first_value(var, var < 0)}")
    n = pred.shape[0] if pred.ndim else 1
    return pred, targ, var, full, eps, reduction, n


def _gaussian_parts(pred, targ, var, eps):
    """The residual r, the clamped variance v = max(var, eps) (broadcast) and z = r / sqrt(v)."""
    v = np.broadcast_to(np.maximum(var, eps), pred.shape)
    with np.errstate(over="ignore"):  # differences beyond 1.8e308 are inf
        r = pred - targ
        z = r / np.sqrt(v)
    return r, v, z


def gaussian_nll(
    predictions: ArrayLike,
    targets: ArrayLike,
    variances: ArrayLike,
    *,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Gaussian negative log-likelihood with predicted means and variances.

    For a target :math:`y` with predicted mean :math:`\mu` and variance
    :math:`\sigma^2`, with :math:`v = \max(\sigma^2, \varepsilon)`,

    .. math::

        \ell = \frac12 \left( \ln v + \frac{(y - \mu)^2}{v} \right)
               \left[ + \frac12 \ln(2\pi) \right],

    the negative log-density of :math:`\mathcal N(\mu, v)` at :math:`y`; the
    constant :math:`\frac12 \ln(2\pi)` is added only with ``full=True``.  An
    example's loss is the sum of :math:`\ell` over its D outputs.  This is
    PyTorch's ``GaussianNLLLoss`` (same ``full``, ``eps`` and clamp), except
    that ``"mean"`` divides by the N examples, not by all N D entries.

    Parameters
    ----------
    predictions : array_like, scalar, shape (N,) or (N, D)
        Predicted means :math:`\mu`.
    targets : array_like, same shape as ``predictions``
        Observed values :math:`y`.
    variances : array_like
        Predicted variances :math:`\sigma^2 \ge 0` (variances, not standard
        deviations or log-variances): the shape of ``predictions``, (N, 1)
        for one variance per example of (N, D) predictions, or a scalar
        shared by every entry.
    full : bool, default False
        Add the constant :math:`\frac12 \ln(2\pi)` per entry, which makes the
        loss the exact negative log-likelihood.
    eps : float, default 1e-6
        Variances below ``eps`` are replaced by ``eps`` (PyTorch's clamp);
        must be finite and > 0.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages the per-example losses over the N examples,
        ``"sum"`` adds them and ``"none"`` returns them, shape (N,) (a float
        for a scalar input).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the per-example losses.

    Raises
    ------
    TypeError
        If an array is not an array of real numbers, ``full`` is not a bool
        or ``eps`` is not a real number.
    ValueError
        If a variance is negative, ``eps`` is not finite and > 0, shapes do
        not match, values are not finite, the reduction is unknown or the
        mean of an empty batch is requested.

    See Also
    --------
    gaussian_nll_grad, mean_squared_error

    Notes
    -----
    **The clamp.**  PyTorch clamps a copy of the variances inside
    ``torch.no_grad()``, so the clamp is invisible to autograd: the loss is
    evaluated at :math:`\max(\sigma^2, \varepsilon)`, and the derivative with
    respect to a variance below ``eps`` is the derivative at ``eps`` passed
    straight through (not 0).  :func:`gaussian_nll_grad` with
    ``wrt="variances"`` returns the same.

    **Fixed variance.**  With one variance :math:`\sigma^2` for every entry
    and (N,) input, the mean loss is
    :math:`\operatorname{MSE} / (2\sigma^2) + \frac12 \ln \sigma^2`: the
    mean squared error up to a scale and a constant.

    **Accuracy.**  Each entry is computed as
    :math:`\frac12 (\ln v + z^2)` with :math:`z = (\mu - y) / \sqrt v`, so
    :math:`(\mu - y)^2` is never formed and neither overflows nor underflows
    where :math:`z^2` does not (tiny variances included).  The error is a few
    machine epsilons relative to :math:`\frac12 (\lvert \ln v \rvert + z^2)`;
    where the two terms nearly cancel, the loss itself is ill-conditioned.

    References
    ----------
    - D. A. Nix and A. S. Weigend, "Estimating the mean and variance of the
      target probability distribution", Proceedings of the IEEE International
      Conference on Neural Networks (ICNN), 1994.
    - C. M. Bishop, *Pattern Recognition and Machine Learning*, Springer,
      2006, sections 1.2.5 and 3.1.1.
    - PyTorch, ``torch.nn.GaussianNLLLoss``,
      https://docs.pytorch.org/docs/stable/generated/torch.nn.GaussianNLLLoss.html

    Examples
    --------
    >>> from lossref import gaussian_nll
    >>> gaussian_nll([1.0, 2.0], [1.5, 1.0], [0.25, 1.0], reduction="none").round(4).tolist()
    [-0.1931, 0.5]
    >>> round(gaussian_nll([1.0, 2.0], [1.5, 1.0], [0.25, 1.0]), 4)
    0.1534
    >>> round(gaussian_nll(0.0, 0.0, 1.0, full=True), 4)  # -ln of the N(0, 1) density at 0
    0.9189
    >>> gaussian_nll(0.0, 0.0, 0.0) == gaussian_nll(0.0, 0.0, 1e-6)  # the clamp
    True
    """
    pred, targ, var, full, eps, reduction, _ = _check_gaussian(
        predictions, targets, variances, full, eps, reduction
    )
    _, v, z = _gaussian_parts(pred, targ, var, eps)
    with np.errstate(over="ignore"):
        values = 0.5 * (np.log(v) + z * z)
        if full:
            values = values + HALF_LOG_2PI
    return _reduce(values, reduction)


def gaussian_nll_grad(
    predictions: ArrayLike,
    targets: ArrayLike,
    variances: ArrayLike,
    *,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
    wrt: str = "predictions",
) -> float | np.ndarray:
    r"""Gradient of :func:`gaussian_nll` with respect to the predicted means (or ``wrt``).

    With :math:`v = \max(\sigma^2, \varepsilon)`,

    .. math::

        \frac{\partial \ell}{\partial \mu} = \frac{\mu - y}{v},
        \qquad
        \frac{\partial \ell}{\partial \sigma^2}
        = \frac12 \left( \frac{1}{v} - \frac{(\mu - y)^2}{v^2} \right),

    divided by N for ``"mean"``.  The mean is pulled by the residual weighted
    by the precision; the variance's derivative is zero where
    :math:`v = (\mu - y)^2`, the variance that fits the residual.  A variance
    shared by several entries (a scalar, or shape (N, 1)) gets the sum of
    their derivatives.  ``full`` adds a constant and changes neither.  For a
    log-variance :math:`s = \ln \sigma^2`, the chain rule gives
    :math:`\partial \ell / \partial s = \sigma^2 \, \partial \ell / \partial
    \sigma^2` (above ``eps``).

    Parameters
    ----------
    predictions, targets, variances, full, eps, reduction
        As in :func:`gaussian_nll`.
    wrt : {"predictions", "variances"}, default "predictions"
        The argument to differentiate with respect to: the model predicts
        both.

    Returns
    -------
    float or ndarray
        The shape of the ``wrt`` argument (a Python float for a scalar); for
        ``"none"`` each entry is the derivative of its own example's loss.

    Raises
    ------
    TypeError, ValueError
        As in :func:`gaussian_nll`, and ``ValueError`` for an unknown ``wrt``.

    See Also
    --------
    gaussian_nll

    Notes
    -----
    **Below eps** the variance's derivative is evaluated at
    :math:`v = \varepsilon`, as PyTorch's autograd does (its clamp runs under
    ``torch.no_grad()`` and passes the gradient straight through).  The loss
    is constant in :math:`\sigma^2` there, so this is not its derivative, and
    a numerical gradient check fails below ``eps``.  It lets a gradient step
    raise a variance that fell below ``eps`` when
    :math:`(\mu - y)^2 > \varepsilon` (the clamp would otherwise leave it
    stuck); it lowers it further otherwise.

    **Accuracy.**  The means' gradient is one subtraction and one division,
    about one machine epsilon relative to the exact function of the rounded
    residual.  The variances' is computed as :math:`\frac12 (1 - z^2) / v`
    with :math:`z = (\mu - y) / \sqrt v`: a few machine epsilons relative to
    :math:`\frac12 (1 + z^2) / v`.

    Examples
    --------
    >>> from lossref import gaussian_nll_grad
    >>> gaussian_nll_grad([1.0, 2.0], [1.5, 1.0], [0.25, 1.0], reduction="sum").tolist()
    [-2.0, 1.0]
    >>> gaussian_nll_grad([1.0, 2.0], [1.5, 1.0], [0.25, 1.0], reduction="sum",
    ...                   wrt="variances").tolist()
    [0.0, 0.0]
    >>> gaussian_nll_grad([1.0, 2.0], [1.5, 1.0], 1.0, reduction="sum", wrt="variances")
    0.375
    """
    wrt = check_choice(wrt, "wrt", ("predictions", "variances"))
    pred, targ, var, _, eps, reduction, n = _check_gaussian(
        predictions, targets, variances, full, eps, reduction
    )
    r, v, z = _gaussian_parts(pred, targ, var, eps)
    with np.errstate(over="ignore", invalid="ignore"):
        if wrt == "predictions":
            return _reduce_grad(r / v, reduction, n)
        grad = 0.5 * (1.0 - z * z) / v
        if var.ndim == 0:
            grad = np.sum(grad)
        elif var.shape != pred.shape:  # (N, 1) for (N, D) predictions
            grad = np.sum(grad, axis=1, keepdims=True)
    return _reduce_grad(np.asarray(grad, dtype=np.float64), reduction, n)


# ---------------------------------------------------------------------------
# Poisson negative log-likelihood
# ---------------------------------------------------------------------------


def _check_poisson(predictions, targets, log_input, full, eps, reduction):
    log_input = check_flag(log_input, "log_input")
    full = check_flag(full, "full")
    eps = nonnegative_scalar(eps, "eps")
    pred, targ, reduction = _check_pair(predictions, targets, reduction)
    if (targ < 0).any():
        raise ValueError(
            f"targets must be >= 0 (counts, or non-negative rates); "
            f"got {_first_value(targ, targ < 0)}"
        )
    if not log_input and (pred < 0).any():
        raise ValueError(
            f"predictions must be >= 0 with log_input=False (they are rates; pass "
            f"log-rates with log_input=True); got {_first_value(pred, pred < 0)}"
        )
    n = pred.shape[0] if pred.ndim else 1
    return pred, targ, log_input, full, eps, reduction, n


def _exp_minus(x: np.ndarray, t: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``exp(x) - t * u``, with no overflow of ``exp(x)`` where the result is finite.

    Beyond ``x = 700`` the difference is formed as ``(exp(x - 700) - t * (u * e**-700))``
    times ``e**700``.  ``u`` is ``x`` (the loss) or 1 (its gradient); for ``x`` beyond
    about 1409.8 ``exp(x - 700)`` overflows and the result, in which ``exp(x)`` dominates
    ``t * u`` for every finite ``t``, is ``inf``.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.exp(x) - t * u
        big = x > _SHIFT
        if big.any():
            xb = x[big]
            scaled = np.exp(xb - _SHIFT) - t[big] * (u[big] * _EXP_MINUS_SHIFT)
            out[big] = np.where(np.isnan(scaled), np.inf, scaled) * _EXP_SHIFT
    return out


def _log_rate(x: np.ndarray, eps: float) -> np.ndarray:
    """``ln(x + eps)``; with ``log1p`` near 1 and no overflow of the sum."""
    with np.errstate(over="ignore", divide="ignore"):
        u = x + eps
        out = np.log(u)
        near = (x >= 0.5) & (x <= 2.0)  # x - 1 is exact there
        out[near] = np.log1p((x[near] - 1.0) + eps)
        over = np.isinf(u)
        out[over] = np.log(0.5 * x[over] + 0.5 * eps) + math.log(2.0)
    return out


def _stirling(t: np.ndarray) -> np.ndarray:
    """PyTorch's Stirling term ``t ln t - t + ln(2 pi t) / 2`` where ``t > 1``, else 0."""
    out = np.zeros_like(t)
    big = t > 1.0
    tb = t[big]
    lt = np.log(tb)
    with np.errstate(over="ignore"):
        out[big] = tb * (lt - 1.0) + 0.5 * (_LOG_2PI + lt)
    return out


def poisson_nll(
    predictions: ArrayLike,
    targets: ArrayLike,
    *,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Poisson negative log-likelihood of counts, as PyTorch's ``PoissonNLLLoss``.

    For a count :math:`t` with predicted rate :math:`\lambda`, the negative
    log of :math:`\lambda^t e^{-\lambda} / t!` is
    :math:`\lambda - t \ln \lambda + \ln t!`.  Without the last term, which
    does not depend on the prediction, each entry is

    .. math::

        \ell = e^{x} - t x \quad (\texttt{log\_input=True},\ x = \ln \lambda),
        \qquad
        \ell = x - t \ln(x + \varepsilon) \quad (\texttt{log\_input=False},\ x = \lambda).

    With ``full=True``, PyTorch's Stirling approximation of :math:`\ln t!`,

    .. math::

        t \ln t - t + \tfrac12 \ln(2 \pi t) \quad \text{for } t > 1,
        \qquad 0 \quad \text{for } t \le 1,

    is added (exact, 0, for the counts 0 and 1; for :math:`t = 2` it is
    0.6518 where :math:`\ln 2! = 0.6931`).  An example's loss is the sum over
    its D outputs; ``"mean"`` divides by the N examples (PyTorch divides by
    all N D entries).

    Parameters
    ----------
    predictions : array_like, scalar, shape (N,) or (N, D)
        Log-rates :math:`x = \ln \lambda` (any finite real) with
        ``log_input=True``, rates :math:`\lambda \ge 0` with
        ``log_input=False``.
    targets : array_like, same shape as ``predictions``
        Observed counts :math:`t \ge 0`.  Non-integer values are accepted,
        as in PyTorch and Keras: the loss is then the Poisson
        quasi-likelihood (its minimizer over a constant rate is still the
        mean of the targets), and ``full=True`` applies the same formula.
    log_input : bool, default True
        Whether the predictions are log-rates (PyTorch's default) or rates.
    full : bool, default False
        Add the Stirling term above.
    eps : float, default 1e-8
        Added to the rate inside the logarithm when ``log_input=False``;
        must be finite and >= 0 (0 gives the exact NLL, with
        :math:`0 \ln 0 = 0` for a count 0 at rate 0 and ``inf`` for a
        positive count at rate 0).  Unused when ``log_input=True``.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages the per-example losses over the N examples,
        ``"sum"`` adds them and ``"none"`` returns them, shape (N,) (a float
        for a scalar input).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the per-example losses.

    Raises
    ------
    TypeError
        If an array is not an array of real numbers, ``log_input`` or
        ``full`` is not a bool or ``eps`` is not a real number.
    ValueError
        If a target is negative, a rate is negative (``log_input=False``),
        ``eps`` is not finite and >= 0, shapes do not match, values are not
        finite, the reduction is unknown or the mean of an empty batch is
        requested.

    See Also
    --------
    poisson_nll_grad, gaussian_nll

    Notes
    -----
    Keras's ``Poisson()(y_true, y_pred)`` is the ``log_input=False`` form with
    ``eps=1e-7``, averaged over the last axis.  SciPy's
    ``poisson.logpmf(t, rate)`` is exactly :math:`-(\lambda - t \ln \lambda +
    \ln \Gamma(t + 1))`; ``full=True`` differs from it by PyTorch's Stirling
    error.

    **Accuracy.**  :math:`e^x` is evaluated as :math:`e^{x - 700} e^{700}`
    beyond :math:`x = 700`, so the loss is finite wherever its value is (and
    ``inf``, never ``nan``, beyond), and :math:`\ln(x + \varepsilon)` uses
    ``log1p`` near 1.  The error is a few machine epsilons relative to the
    sum of the absolute values of the terms.

    References
    ----------
    - P. McCullagh and J. A. Nelder, *Generalized Linear Models*, 2nd ed.,
      Chapman and Hall, 1989 (log-linear models for counts, and
      quasi-likelihood).
    - PyTorch, ``torch.nn.PoissonNLLLoss``,
      https://docs.pytorch.org/docs/stable/generated/torch.nn.PoissonNLLLoss.html

    Examples
    --------
    >>> import math
    >>> from lossref import poisson_nll
    >>> rates, counts = [0.5, 2.0, 4.0], [0.0, 2.0, 5.0]
    >>> poisson_nll(rates, counts, log_input=False, eps=0.0, reduction="none").round(4).tolist()
    [0.5, 0.6137, -2.9315]
    >>> log_rates = [math.log(r) for r in rates]
    >>> poisson_nll(log_rates, counts, reduction="none").round(4).tolist()
    [0.5, 0.6137, -2.9315]
    >>> poisson_nll(log_rates, counts, full=True, reduction="none").round(4).tolist()
    [0.5, 1.2655, 1.8394]
    """
    pred, targ, log_input, full, eps, reduction, _ = _check_poisson(
        predictions, targets, log_input, full, eps, reduction
    )
    shape = pred.shape
    pred, targ = np.atleast_1d(pred), np.atleast_1d(targ)
    if log_input:
        values = _exp_minus(pred, targ, pred)
    else:
        log_rate = _log_rate(pred, eps)
        term = np.zeros_like(pred)
        with np.errstate(over="ignore"):
            np.multiply(targ, log_rate, out=term, where=targ > 0)  # 0 ln 0 = 0
            values = pred - term
    if full:
        with np.errstate(over="ignore", invalid="ignore"):
            values = values + _stirling(targ)
    return _reduce(values.reshape(shape), reduction)


def poisson_nll_grad(
    predictions: ArrayLike,
    targets: ArrayLike,
    *,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Gradient of :func:`poisson_nll` with respect to the predictions.

    .. math::

        \frac{\partial \ell}{\partial x} = e^{x} - t \quad (\texttt{log\_input=True}),
        \qquad
        \frac{\partial \ell}{\partial x} = 1 - \frac{t}{x + \varepsilon}
        \quad (\texttt{log\_input=False}),

    divided by N for ``"mean"``: the predicted rate minus the count, and that
    difference divided by the rate.  The Stirling term of ``full=True`` does
    not depend on the prediction.

    Parameters
    ----------
    predictions, targets, log_input, full, eps, reduction
        As in :func:`poisson_nll`.

    Returns
    -------
    float or ndarray
        Same shape as ``predictions`` (a Python float for a scalar); for
        ``"none"`` each row is the gradient of that example's own loss.

    Raises
    ------
    TypeError, ValueError
        As in :func:`poisson_nll`.

    Notes
    -----
    A count 0 at rate 0 with ``eps=0`` has derivative 1 (from
    :math:`0 \ln 0 = 0`); a positive count at rate 0 gives ``-inf``.
    :math:`e^x - t` is formed without overflow as in :func:`poisson_nll`.

    Examples
    --------
    >>> import math
    >>> from lossref import poisson_nll_grad
    >>> rates, counts = [0.5, 2.0, 4.0], [0.0, 2.0, 5.0]
    >>> poisson_nll_grad([math.log(r) for r in rates], counts, reduction="sum").round(4).tolist()
    [0.5, 0.0, -1.0]
    >>> poisson_nll_grad(rates, counts, log_input=False, eps=0.0, reduction="sum").tolist()
    [1.0, 0.0, -0.25]
    """
    pred, targ, log_input, _, eps, reduction, n = _check_poisson(
        predictions, targets, log_input, full, eps, reduction
    )
    shape = pred.shape
    pred, targ = np.atleast_1d(pred), np.atleast_1d(targ)
    if log_input:
        grad = _exp_minus(pred, targ, np.ones_like(pred))
    else:
        ratio = np.zeros_like(pred)
        with np.errstate(over="ignore", divide="ignore"):
            np.divide(targ, pred + eps, out=ratio, where=targ > 0)
        grad = 1.0 - ratio
    return _reduce_grad(grad.reshape(shape), reduction, n)
