"""Regression losses: per-example sum of squared errors and the mean squared error."""

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
)

__all__ = [
    "mean_squared_error",
    "mean_squared_error_grad",
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
    >>> mean_squared_error([[0.3, 0.3, 0.4]], [[0, 0, 1]])
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
