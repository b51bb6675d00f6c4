"""Regression losses: squared error and the mean squared error, and the robust losses
(mean absolute error, Huber, smooth L1 and the pinball or quantile loss).

The elementwise losses (all but :func:`squared_error`) accept a scalar or an array of
one or two dimensions; their ``"mean"`` divides by the number of entries M, as
PyTorch's regression losses and scikit-learn's metrics do.  Residuals are
prediction minus target, except in the pinball loss, which follows Koenker and
Bassett's target minus prediction.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._reduction import reduce_grad, reduce_loss
from ._validation import (
    as_float_array,
    check_batch,
    check_finite,
    check_reduction,
    check_same_shape,
    nonnegative_scalar,
    positive_scalar,
    real_scalar,
)

__all__ = [
    "huber_loss",
    "huber_loss_grad",
    "mean_absolute_error",
    "mean_absolute_error_grad",
    "mean_squared_error",
    "mean_squared_error_grad",
    "pinball_loss",
    "pinball_loss_grad",
    "smooth_l1_loss",
    "smooth_l1_loss_grad",
    "squared_error",
    "squared_error_grad",
]


def _check_pair(predictions, targets, ndims, what):
    pred = as_float_array(predictions, "predictions", ndims=ndims, what=what)
    check_finite(pred, "predictions")
    targ = as_float_array(targets, "targets", ndims=ndims, what=what)
    check_same_shape(pred, targ, "predictions", "targets")
    check_finite(targ, "targets")
    return pred, targ


def _check_squared_error(predictions, targets, reduction):
    reduction = check_reduction(reduction)
    pred, targ = _check_pair(predictions, targets, (1, 2), "(K,) or (N, K)")
    single = pred.ndim == 1
    if single:
        pred, targ = pred.reshape(1, -1), targ.reshape(1, -1)
    check_batch(pred.shape[0], reduction, "predictions")
    return pred, targ, reduction, single


def squared_error(
    predictions: ArrayLike, targets: ArrayLike, *, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Sum of squared errors over each example's outputs, reduced over examples.

    For an example with prediction vector :math:`\hat y` and target :math:`y`
    (both with K components)

    .. math::

        L = \sum_{k=1}^{K} (\hat y_k - y_k)^2 ,

    the squared Euclidean distance (no factor 1/2).  Used in the lecture on
    probabilistic losses with predicted probabilities and one-hot targets.

    Parameters
    ----------
    predictions : array_like, shape (K,) or (N, K)
        One example with K outputs or N examples.  For N examples with a
        single output each, pass shape (N, 1).
    targets : array_like, same shape as ``predictions``
        Target values.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the N examples (not over the K outputs: see
        :func:`mean_squared_error` for that), ``"sum"`` adds them and
        ``"none"`` returns the per-example losses (a float for one example).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or per-example losses.

    Raises
    ------
    TypeError
        If an argument is not an array of real numbers.
    ValueError
        If shapes differ or are not 1-D/2-D, values are not finite, the
        reduction is unknown or the mean of an empty batch is requested.

    See Also
    --------
    squared_error_grad, mean_squared_error

    Notes
    -----
    A sum of non-negative squares: relative error of a few machine epsilons
    relative to the exact function of the rounded differences.

    References
    ----------
    - scikit-learn user guide, "Mean squared error",
      https://scikit-learn.org/stable/modules/model_evaluation.html#mean-squared-error

    Examples
    --------
    >>> from lossref import squared_error
    >>> squared_error([0.3, 0.3, 0.4], [0, 0, 1])
    0.54
    >>> probs = [[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]]
    >>> targets = [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
    >>> squared_error(probs, targets, reduction="none").round(4).tolist()
    [0.14, 0.14, 0.74]
    >>> squared_error(probs, targets)
    0.34
    """
    pred, targ, reduction, single = _check_squared_error(predictions, targets, reduction)
    with np.errstate(over="ignore"):  # results beyond 1.8e308 are inf
        diff = pred - targ
        per = np.vecdot(diff, diff)
    return reduce_loss(per, reduction, single)


def squared_error_grad(
    predictions: ArrayLike, targets: ArrayLike, *, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`squared_error` with respect to the predictions.

    .. math::

        \frac{\partial L}{\partial \hat y_k} = 2 (\hat y_k - y_k),

    divided by N for ``"mean"``.

    Parameters
    ----------
    predictions, targets, reduction
        As in :func:`squared_error`.

    Returns
    -------
    ndarray
        Same shape as ``predictions``; for ``"none"`` each row is the gradient
        of that example's own loss (equal to the ``"sum"`` gradient).

    Raises
    ------
    TypeError, ValueError
        As in :func:`squared_error`.

    Notes
    -----
    A subtraction and a scaling by a power of two (or by 2/M): correctly
    rounded up to about two machine epsilons.

    Examples
    --------
    >>> from lossref import squared_error_grad
    >>> squared_error_grad([0.5, 0.5], [0, 1]).tolist()
    [1.0, -1.0]
    """
    pred, targ, reduction, single = _check_squared_error(predictions, targets, reduction)
    with np.errstate(over="ignore"):
        grad = pred - targ
        grad *= 2.0
    grad = reduce_grad(grad, reduction, pred.shape[0])
    return grad.reshape(-1) if single else grad


def _check_mse(predictions, targets):
    pred, targ = _check_pair(predictions, targets, (0, 1, 2), "")
    if pred.size == 0:
        raise ValueError(
            f"predictions is empty (shape {pred.shape}): the mean squared error is undefined"
        )
    return pred, targ


def mean_squared_error(predictions: ArrayLike, targets: ArrayLike) -> float:
    r"""Mean squared error over every element, as in PyTorch and scikit-learn.

    .. math::

        \operatorname{MSE} = \frac{1}{M} \sum_{i=1}^{M} (\hat y_i - y_i)^2,

    where the sum runs over all M entries of the arrays (for an (N, K) batch,
    M = N K; compare :func:`squared_error`, which averages over N only).

    Parameters
    ----------
    predictions : array_like, scalar, shape (N,) or (N, K)
        Predicted values.
    targets : array_like, same shape as ``predictions``
        Target values.

    Returns
    -------
    float
        The mean squared error.

    Raises
    ------
    TypeError
        If an argument is not an array of real numbers.
    ValueError
        If shapes differ or have more than two dimensions, values are not
        finite, or the arrays are empty.

    See Also
    --------
    mean_squared_error_grad, squared_error

    Notes
    -----
    Equals ``torch.nn.functional.mse_loss`` (default reduction) and
    ``sklearn.metrics.mean_squared_error`` for 1-D input (scikit-learn averages
    over outputs after averaging over samples, which gives the same value).

    References
    ----------
    - scikit-learn user guide, "Mean squared error",
      https://scikit-learn.org/stable/modules/model_evaluation.html#mean-squared-error

    Examples
    --------
    >>> from lossref import mean_squared_error
    >>> round(mean_squared_error([[0.3, 0.3, 0.4]], [[0, 0, 1]]), 4)
    0.18
    >>> mean_squared_error([1.0, 2.0], [1.5, 2.0])
    0.125
    """
    pred, targ = _check_mse(predictions, targets)
    with np.errstate(over="ignore"):  # a result beyond 1.8e308 is inf
        diff = (pred - targ).reshape(-1)
        return float(np.vecdot(diff, diff)) / diff.size


def mean_squared_error_grad(predictions: ArrayLike, targets: ArrayLike) -> float | np.ndarray:
    r"""Gradient of :func:`mean_squared_error` with respect to the predictions.

    .. math::

        \frac{\partial \operatorname{MSE}}{\partial \hat y_i} = \frac{2 (\hat y_i - y_i)}{M}.

    Parameters
    ----------
    predictions, targets
        As in :func:`mean_squared_error`.

    Returns
    -------
    float or ndarray
        Same shape as ``predictions`` (a Python float for a scalar).

    Raises
    ------
    TypeError, ValueError
        As in :func:`mean_squared_error`.

    Notes
    -----
    A subtraction and a scaling by a power of two (or by 2/M): correctly
    rounded up to about two machine epsilons.

    Examples
    --------
    >>> from lossref import mean_squared_error_grad
    >>> mean_squared_error_grad([1.0, 2.0], [1.5, 2.0]).tolist()
    [-0.5, 0.0]
    """
    pred, targ = _check_mse(predictions, targets)
    with np.errstate(over="ignore"):
        grad = pred - targ
        grad *= 2.0 / pred.size
    return float(grad) if grad.ndim == 0 else grad


# ---------------------------------------------------------------------------
# robust regression: absolute error, Huber, smooth L1, pinball (quantile)
# ---------------------------------------------------------------------------


def _check_elementwise(predictions, targets, reduction):
    """Validated float64 arrays (any of 0, 1 or 2 dimensions) and the reduction."""
    reduction = check_reduction(reduction)
    pred, targ = _check_pair(predictions, targets, (0, 1, 2), "")
    if pred.size == 0 and reduction == "mean":
        raise ValueError(
            f"predictions is empty (shape {pred.shape}): the mean over its entries is "
            f"undefined; use reduction='sum' or 'none'"
        )
    return pred, targ, reduction


def _reduce_elementwise(values: np.ndarray, reduction: str) -> float | np.ndarray:
    """``"mean"`` over all M entries, ``"sum"``, or ``"none"`` (the array, a float if 0-D)."""
    if reduction == "none":
        return float(values) if values.ndim == 0 else values
    with np.errstate(over="ignore"):  # a total beyond 1.8e308 is inf
        total = float(np.sum(values))
    return total if reduction == "sum" else total / values.size


def _grad_elementwise(grad: np.ndarray, reduction: str) -> float | np.ndarray:
    """Divide by M for ``"mean"``; a Python float for 0-D input."""
    if reduction == "mean" and grad.size > 1:
        grad /= grad.size
    return float(grad) if grad.ndim == 0 else grad


def _residuals(pred: np.ndarray, targ: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # differences beyond 1.8e308 are inf
        return pred - targ


def _tau(tau) -> float:
    value = real_scalar(tau, "tau")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"tau must be in [0, 1] (the quantile level); got {value!r}")
    return value


def mean_absolute_error(
    predictions: ArrayLike, targets: ArrayLike, *, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Mean absolute error (L1 loss) over every entry.

    .. math::

        \operatorname{MAE} = \frac{1}{M} \sum_{i=1}^{M} \lvert \hat y_i - y_i \rvert ,

    where the sum runs over all M entries of the arrays (for an (N, K) batch,
    M = N K), as in :func:`mean_squared_error`.  Minimizing it over a constant
    prediction gives a median of the targets (the mean squared error gives
    their mean).

    Parameters
    ----------
    predictions : array_like, scalar, shape (N,) or (N, K)
        Predicted values.
    targets : array_like, same shape as ``predictions``
        Target values.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` divides the sum by the number M of entries, ``"sum"`` adds
        them and ``"none"`` returns the absolute errors, an array of the
        input's shape (a float for scalars).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the elementwise losses.

    Raises
    ------
    TypeError
        If an argument is not an array of real numbers.
    ValueError
        If shapes differ or have more than two dimensions, values are not
        finite, the reduction is unknown, or the mean of empty arrays is
        requested.

    See Also
    --------
    mean_absolute_error_grad, huber_loss, pinball_loss

    Notes
    -----
    Equals ``torch.nn.functional.l1_loss`` (every reduction) and
    ``sklearn.metrics.mean_absolute_error(targets, predictions)``.  Keras's
    ``MeanAbsoluteError()(targets, predictions)`` averages each row's K
    outputs, then the rows (the same value for a rectangular batch), but
    computes the means in float32 except on the TensorFlow backend, so it
    agrees to float32 precision only.  Exact up to one rounding of each
    difference and of the sum.

    References
    ----------
    - Koenker, R. and Bassett, G. (1978), "Regression Quantiles",
      *Econometrica* 46(1), 33-50 (least absolute error as the 0.5 quantile).

    Examples
    --------
    >>> from lossref import mean_absolute_error
    >>> mean_absolute_error([2.5, 0.0, 2.0], [3.0, -0.5, 2.0])
    0.3333333333333333
    >>> mean_absolute_error([2.5, 0.0, 2.0], [3.0, -0.5, 2.0], reduction="none").tolist()
    [0.5, 0.5, 0.0]
    """
    pred, targ, reduction = _check_elementwise(predictions, targets, reduction)
    return _reduce_elementwise(np.abs(_residuals(pred, targ)), reduction)


def mean_absolute_error_grad(
    predictions: ArrayLike, targets: ArrayLike, *, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Gradient of :func:`mean_absolute_error` with respect to the predictions.

    .. math::

        \frac{\partial \operatorname{MAE}}{\partial \hat y_i}
        = \frac{\operatorname{sign}(\hat y_i - y_i)}{M},

    without the division by M for ``"sum"`` and ``"none"``.

    Parameters
    ----------
    predictions, targets, reduction
        As in :func:`mean_absolute_error`.

    Returns
    -------
    float or ndarray
        Same shape as ``predictions`` (a Python float for a scalar).  For
        ``"none"`` each entry is the derivative of its own absolute error.

    Raises
    ------
    TypeError, ValueError
        As in :func:`mean_absolute_error`.

    Notes
    -----
    :math:`\lvert r \rvert` has no derivative at :math:`r = 0`; the subgradient
    :math:`\operatorname{sign}(0) = 0` is returned there, as PyTorch's
    autograd of ``l1_loss`` does.

    Examples
    --------
    >>> from lossref import mean_absolute_error_grad
    >>> mean_absolute_error_grad([2.5, 0.0, 2.0], [3.0, -0.5, 2.0], reduction="sum").tolist()
    [-1.0, 1.0, 0.0]
    """
    pred, targ, reduction = _check_elementwise(predictions, targets, reduction)
    return _grad_elementwise(np.sign(_residuals(pred, targ)) + 0.0, reduction)


def huber_loss(
    predictions: ArrayLike,
    targets: ArrayLike,
    *,
    delta: float = 1.0,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Huber loss: quadratic for small residuals, linear beyond ``delta``.

    For each residual :math:`r = \hat y - y`

    .. math::

        h_\delta(r) =
        \begin{cases}
            \tfrac12 r^2 & \lvert r \rvert \le \delta, \\
            \delta \left(\lvert r \rvert - \tfrac12 \delta\right) & \lvert r \rvert > \delta,
        \end{cases}

    the loss of Huber's (1964) location estimator: continuous with a
    continuous slope :math:`\psi_\delta(r) = \max(-\delta, \min(r, \delta))`.
    For :math:`\delta \ge \max_i \lvert r_i \rvert` the mean is exactly half the
    mean squared error; for every :math:`\delta`,
    :math:`\delta \operatorname{MAE} - \delta^2/2 \le` mean Huber
    :math:`\le \delta \operatorname{MAE}`, so the loss divided by
    :math:`\delta` tends to the MAE as :math:`\delta \to 0`.

    Parameters
    ----------
    predictions : array_like, scalar, shape (N,) or (N, K)
        Predicted values.
    targets : array_like, same shape as ``predictions``
        Target values.
    delta : float, default 1.0
        Where the quadratic part ends; must be finite and > 0.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` divides the sum by the number M of entries, ``"sum"`` adds
        them and ``"none"`` returns the elementwise losses (a float for
        scalars).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the elementwise losses.

    Raises
    ------
    TypeError
        If an argument is not an array of real numbers or ``delta`` is not a
        real number.
    ValueError
        If ``delta`` is not finite and > 0, shapes differ or have more than
        two dimensions, values are not finite, the reduction is unknown, or the
        mean of empty arrays is requested.

    See Also
    --------
    huber_loss_grad, smooth_l1_loss, mean_absolute_error

    Notes
    -----
    Equals ``torch.nn.functional.huber_loss`` (every reduction) and
    ``optax.losses.huber_loss`` (elementwise: optax does not reduce).
    Keras's ``Huber(delta)(targets, predictions)`` takes a mean over the last
    axis, then over the batch (the same for a rectangular batch), computed in
    float32 except on the TensorFlow backend: it agrees to float32 precision.
    PyTorch's ``smooth_l1_loss`` is this loss divided by ``delta`` (see
    :func:`smooth_l1_loss`).

    Computed as :math:`\tfrac12 m^2 + \delta(\lvert r \rvert - m)` with
    :math:`m = \min(\lvert r \rvert, \delta)`: a sum of non-negative terms,
    accurate to a few ulps of the function of the rounded residual (the
    kink included), and :math:`r^2` is never formed for large residuals.

    References
    ----------
    - Huber, P. J. (1964), "Robust Estimation of a Location Parameter",
      *The Annals of Mathematical Statistics* 35(1), 73-101.

    Examples
    --------
    >>> from lossref import huber_loss
    >>> huber_loss([0.5, 3.0], [0.0, 0.0], reduction="none").tolist()
    [0.125, 2.5]
    >>> huber_loss([0.5, 3.0], [0.0, 0.0])
    1.3125
    >>> huber_loss([0.5, 3.0], [0.0, 0.0], delta=5.0)  # half the MSE
    2.3125
    """
    delta = positive_scalar(delta, "delta")
    pred, targ, reduction = _check_elementwise(predictions, targets, reduction)
    a = np.abs(_residuals(pred, targ))
    m = np.minimum(a, delta)
    with np.errstate(over="ignore"):  # a loss beyond 1.8e308 is inf
        values = 0.5 * m * m + delta * (a - m)
    return _reduce_elementwise(values, reduction)


def huber_loss_grad(
    predictions: ArrayLike,
    targets: ArrayLike,
    *,
    delta: float = 1.0,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Gradient of :func:`huber_loss` with respect to the predictions.

    .. math::

        \frac{\partial h_\delta}{\partial \hat y} = \psi_\delta(r)
        = \max(-\delta, \min(r, \delta)), \qquad r = \hat y - y,

    the residual clipped to :math:`[-\delta, \delta]`, divided by M for
    ``"mean"``.  The loss has a continuous derivative, so there is no
    subgradient to choose.

    Parameters
    ----------
    predictions, targets, delta, reduction
        As in :func:`huber_loss`.

    Returns
    -------
    float or ndarray
        Same shape as ``predictions`` (a Python float for a scalar).  For
        ``"none"`` each entry is the derivative of its own loss.

    Raises
    ------
    TypeError, ValueError
        As in :func:`huber_loss`.

    Examples
    --------
    >>> from lossref import huber_loss_grad
    >>> huber_loss_grad([0.5, 3.0, -7.0], [0.0, 0.0, 0.0], reduction="sum").tolist()
    [0.5, 1.0, -1.0]
    """
    delta = positive_scalar(delta, "delta")
    pred, targ, reduction = _check_elementwise(predictions, targets, reduction)
    grad = np.clip(_residuals(pred, targ), -delta, delta)
    return _grad_elementwise(grad, reduction)


def smooth_l1_loss(
    predictions: ArrayLike,
    targets: ArrayLike,
    *,
    beta: float = 1.0,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Smooth L1 loss (Fast R-CNN; PyTorch's ``smooth_l1_loss``).

    For each residual :math:`r = \hat y - y`

    .. math::

        \operatorname{SmoothL1}_\beta(r) =
        \begin{cases}
            \dfrac{r^2}{2\beta} & \lvert r \rvert < \beta, \\
            \lvert r \rvert - \tfrac12 \beta & \lvert r \rvert \ge \beta,
        \end{cases}
        \qquad = \frac{h_\beta(r)}{\beta} ,

    the Huber loss :math:`h_\beta` (:func:`huber_loss` with ``delta=beta``)
    divided by :math:`\beta`: its linear parts have slope one whatever
    :math:`\beta`, where Huber's have slope :math:`\delta`.  ``beta=0`` gives
    the absolute error (:func:`mean_absolute_error`), as in PyTorch.
    Girshick's Fast R-CNN uses :math:`\beta = 1`, where the two losses agree.

    Parameters
    ----------
    predictions : array_like, scalar, shape (N,) or (N, K)
        Predicted values.
    targets : array_like, same shape as ``predictions``
        Target values.
    beta : float, default 1.0
        Where the quadratic part ends; must be finite and >= 0.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` divides the sum by the number M of entries, ``"sum"`` adds
        them and ``"none"`` returns the elementwise losses (a float for
        scalars).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the elementwise losses.

    Raises
    ------
    TypeError
        If an argument is not an array of real numbers or ``beta`` is not a
        real number.
    ValueError
        If ``beta`` is not finite and >= 0, shapes differ or have more than
        two dimensions, values are not finite, the reduction is unknown, or the
        mean of empty arrays is requested.

    See Also
    --------
    smooth_l1_loss_grad, huber_loss

    Notes
    -----
    Equals ``torch.nn.functional.smooth_l1_loss`` (every reduction).
    Computed as :math:`\tfrac12 m (m / \beta) + (\lvert r \rvert - m)` with
    :math:`m = \min(\lvert r \rvert, \beta)`, a sum of non-negative terms.

    References
    ----------
    - Girshick, R. (2015), "Fast R-CNN", Proceedings of the IEEE
      International Conference on Computer Vision (ICCV).

    Examples
    --------
    >>> from lossref import smooth_l1_loss
    >>> smooth_l1_loss([0.5, 3.0], [0.0, 0.0], beta=2.0, reduction="none").tolist()
    [0.0625, 2.0]
    >>> smooth_l1_loss([0.5, 3.0], [0.0, 0.0], beta=0.0)  # the MAE
    1.75
    """
    beta = nonnegative_scalar(beta, "beta")
    pred, targ, reduction = _check_elementwise(predictions, targets, reduction)
    a = np.abs(_residuals(pred, targ))
    if beta == 0.0:
        return _reduce_elementwise(a, reduction)
    m = np.minimum(a, beta)
    with np.errstate(over="ignore"):  # a loss beyond 1.8e308 is inf
        values = 0.5 * m * (m / beta) + (a - m)
    return _reduce_elementwise(values, reduction)


def smooth_l1_loss_grad(
    predictions: ArrayLike,
    targets: ArrayLike,
    *,
    beta: float = 1.0,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Gradient of :func:`smooth_l1_loss` with respect to the predictions.

    .. math::

        \frac{\partial \operatorname{SmoothL1}_\beta}{\partial \hat y}
        = \max\!\left(-1, \min\!\left(\frac{r}{\beta}, 1\right)\right),
        \qquad r = \hat y - y,

    divided by M for ``"mean"``; for ``beta=0`` it is
    :math:`\operatorname{sign}(r)`, with the subgradient 0 at :math:`r = 0`.

    Parameters
    ----------
    predictions, targets, beta, reduction
        As in :func:`smooth_l1_loss`.

    Returns
    -------
    float or ndarray
        Same shape as ``predictions`` (a Python float for a scalar).  For
        ``"none"`` each entry is the derivative of its own loss.

    Raises
    ------
    TypeError, ValueError
        As in :func:`smooth_l1_loss`.

    Examples
    --------
    >>> from lossref import smooth_l1_loss_grad
    >>> smooth_l1_loss_grad([0.5, 3.0], [0.0, 0.0], beta=2.0, reduction="sum").tolist()
    [0.25, 1.0]
    """
    beta = nonnegative_scalar(beta, "beta")
    pred, targ, reduction = _check_elementwise(predictions, targets, reduction)
    r = _residuals(pred, targ)
    grad = np.sign(r) + 0.0 if beta == 0.0 else np.clip(r / beta, -1.0, 1.0)
    return _grad_elementwise(grad, reduction)


def pinball_loss(
    predictions: ArrayLike,
    targets: ArrayLike,
    *,
    tau: float = 0.5,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Pinball (quantile) loss of Koenker and Bassett at level ``tau``.

    For each residual :math:`u = y - \hat y` (target minus prediction)

    .. math::

        \rho_\tau(u) = u \left(\tau - [u < 0]\right) = \max(\tau u, (\tau - 1) u),

    so a prediction below the target costs :math:`\tau` per unit and one above
    it :math:`1 - \tau` per unit.  Minimizing the mean over a constant
    prediction gives a :math:`\tau`-quantile of the targets; at
    :math:`\tau = 0.5` the loss is half the absolute error.

    Parameters
    ----------
    predictions : array_like, scalar, shape (N,) or (N, K)
        Predicted values (of the :math:`\tau`-quantile).
    targets : array_like, same shape as ``predictions``
        Target values.
    tau : float, default 0.5
        The quantile level, in [0, 1] (scikit-learn's ``alpha``).
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` divides the sum by the number M of entries, ``"sum"`` adds
        them and ``"none"`` returns the elementwise losses (a float for
        scalars).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the elementwise losses.

    Raises
    ------
    TypeError
        If an argument is not an array of real numbers or ``tau`` is not a
        real number.
    ValueError
        If ``tau`` is outside [0, 1], shapes differ or have more than two
        dimensions, values are not finite, the reduction is unknown, or the
        mean of empty arrays is requested.

    See Also
    --------
    pinball_loss_grad, mean_absolute_error

    Notes
    -----
    Equals ``sklearn.metrics.mean_pinball_loss(targets, predictions,
    alpha=tau)`` (note the argument order: scikit-learn takes the truth
    first; for (N, K) arrays it averages each output over N, then the K
    outputs, the same value).  The asymmetry is in the residual's sign:
    ``pinball_loss(p, y, tau=t) == pinball_loss(y, p, tau=1 - t)``.

    References
    ----------
    - Koenker, R. and Bassett, G. (1978), "Regression Quantiles",
      *Econometrica* 46(1), 33-50.

    Examples
    --------
    >>> from lossref import pinball_loss
    >>> pinball_loss([1.0, 1.0], [3.0, 0.0], tau=0.9, reduction="none").round(4).tolist()
    [1.8, 0.1]
    >>> pinball_loss([1.0, 1.0], [3.0, 0.0], tau=0.5)  # half the MAE
    0.75
    """
    tau = _tau(tau)
    pred, targ, reduction = _check_elementwise(predictions, targets, reduction)
    u = _residuals(targ, pred)
    weight = np.where(u >= 0, tau, 1.0 - tau)
    with np.errstate(over="ignore", invalid="ignore"):  # 0 * inf where a difference overflows
        values = np.where(weight == 0.0, 0.0, weight * np.abs(u))
    return _reduce_elementwise(values, reduction)


def pinball_loss_grad(
    predictions: ArrayLike,
    targets: ArrayLike,
    *,
    tau: float = 0.5,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Gradient of :func:`pinball_loss` with respect to the predictions.

    .. math::

        \frac{\partial \rho_\tau(y - \hat y)}{\partial \hat y} =
        \begin{cases}
            -\tau & \hat y < y, \\
            1 - \tau & \hat y > y, \\
            0 & \hat y = y,
        \end{cases}

    divided by M for ``"mean"``.  At :math:`\hat y = y` every slope in
    :math:`[-\tau, 1 - \tau]` is a subgradient; 0 is returned, which makes
    the gradient at ``tau=0.5`` half that of :func:`mean_absolute_error_grad`.

    Parameters
    ----------
    predictions, targets, tau, reduction
        As in :func:`pinball_loss`.

    Returns
    -------
    float or ndarray
        Same shape as ``predictions`` (a Python float for a scalar).  For
        ``"none"`` each entry is the derivative of its own loss.

    Raises
    ------
    TypeError, ValueError
        As in :func:`pinball_loss`.

    Examples
    --------
    >>> from lossref import pinball_loss_grad
    >>> g = pinball_loss_grad([1.0, 1.0, 1.0], [3.0, 0.0, 1.0], tau=0.9, reduction="sum")
    >>> g.round(4).tolist()
    [-0.9, 0.1, 0.0]
    """
    tau = _tau(tau)
    pred, targ, reduction = _check_elementwise(predictions, targets, reduction)
    grad = np.select([pred < targ, pred > targ], [-tau, 1.0 - tau], 0.0)
    return _grad_elementwise(grad, reduction)
