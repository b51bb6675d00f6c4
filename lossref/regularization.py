"""Weight penalties: L2, L1 and elastic net, with their (sub)gradients.

Penalties accept weights of any shape (a matrix, a vector, a scalar, or
higher-dimensional tensors) and sum over all entries.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_finite, real_scalar

__all__ = [
    "elastic_net_penalty",
    "elastic_net_penalty_grad",
    "l1_penalty",
    "l1_penalty_grad",
    "l2_penalty",
    "l2_penalty_grad",
]


def _weights(weights: ArrayLike) -> np.ndarray:
    w = as_float_array(weights, "weights", ndims=None)
    check_finite(w, "weights")
    return w


def _l1_ratio(l1_ratio) -> float:
    value = real_scalar(l1_ratio, "l1_ratio")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"l1_ratio must be in [0, 1]; got {value!r}")
    return value


def _as_output(grad: np.ndarray) -> float | np.ndarray:
    return float(grad) if grad.ndim == 0 else grad


def l2_penalty(weights: ArrayLike) -> float:
    r"""Squared L2 norm of the weights, :math:`R(W) = \sum_{k} w_k^2` (no 1/2).

    This is the regulariser of the CS231n notes; the full loss is the mean data
    loss plus :math:`\lambda R(W)`.

    Parameters
    ----------
    weights : array_like, any shape
        Finite real weights.

    Returns
    -------
    float
        The sum of the squares of all entries (0.0 for an empty array).

    Raises
    ------
    TypeError
        If ``weights`` is not an array of real numbers.
    ValueError
        If ``weights`` contains NaN or infinity.

    See Also
    --------
    l2_penalty_grad, l1_penalty, elastic_net_penalty

    Notes
    -----
    Some texts (and scikit-learn's ``alpha``) use :math:`\frac12 \sum w^2`;
    multiply by 0.5 to compare.

    References
    ----------
    - CS231n, "Linear classification",
      https://cs231n.github.io/linear-classify/

    Examples
    --------
    >>> from lossref import l2_penalty
    >>> l2_penalty([[1.0, -2.0], [0.5, 0.0]])
    5.25
    """
    w = _weights(weights).reshape(-1)
    with np.errstate(over="ignore"):  # a penalty beyond 1.8e308 is inf
        return float(np.vecdot(w, w))


def l2_penalty_grad(weights: ArrayLike) -> float | np.ndarray:
    r"""Gradient of :func:`l2_penalty`: :math:`2W`.

    Parameters
    ----------
    weights : array_like, any shape
        Finite real weights.

    Returns
    -------
    float or ndarray
        Same shape as ``weights`` (a Python float for a scalar).

    Raises
    ------
    TypeError, ValueError
        As in :func:`l2_penalty`.

    Notes
    -----
    Exact: doubling a float is exact (barring overflow).

    Examples
    --------
    >>> from lossref import l2_penalty_grad
    >>> l2_penalty_grad([1.0, -2.0]).tolist()
    [2.0, -4.0]
    """
    w = _weights(weights)
    with np.errstate(over="ignore"):
        return _as_output(2.0 * w)


def l1_penalty(weights: ArrayLike) -> float:
    r"""L1 norm of the weights, :math:`R(W) = \sum_k |w_k|`.

    Parameters
    ----------
    weights : array_like, any shape
        Finite real weights.

    Returns
    -------
    float
        The sum of absolute values of all entries (0.0 for an empty array).

    Raises
    ------
    TypeError
        If ``weights`` is not an array of real numbers.
    ValueError
        If ``weights`` contains NaN or infinity.

    See Also
    --------
    l1_penalty_grad, l2_penalty, elastic_net_penalty

    Notes
    -----
    The sum of non-negative terms: a relative error of at most about
    ``log2(M)`` machine epsilons for M entries (pairwise summation).

    Examples
    --------
    >>> from lossref import l1_penalty
    >>> l1_penalty([[1.0, -2.0], [0.5, 0.0]])
    3.5
    """
    w = _weights(weights)
    with np.errstate(over="ignore"):
        return float(np.abs(w).sum())


def l1_penalty_grad(weights: ArrayLike) -> float | np.ndarray:
    r"""Subgradient of :func:`l1_penalty`: :math:`\operatorname{sign}(W)`.

    Parameters
    ----------
    weights : array_like, any shape
        Finite real weights.

    Returns
    -------
    float or ndarray
        Same shape as ``weights``, entries -1, 0 or 1 (a Python float for a
        scalar).

    Raises
    ------
    TypeError, ValueError
        As in :func:`l1_penalty`.

    Notes
    -----
    :math:`|w|` is not differentiable at 0; the subgradient
    :math:`\operatorname{sign}(0) = 0` is returned there.

    Examples
    --------
    >>> from lossref import l1_penalty_grad
    >>> l1_penalty_grad([1.5, -2.0, 0.0]).tolist()
    [1.0, -1.0, 0.0]
    """
    return _as_output(np.sign(_weights(weights)) + 0.0)


def elastic_net_penalty(weights: ArrayLike, *, l1_ratio: float) -> float:
    r"""Elastic-net penalty: a convex combination of the L1 and squared L2 norms.

    .. math::

        R(W) = \rho \sum_k |w_k| + (1 - \rho) \sum_k w_k^2,
        \qquad \rho = \text{l1\_ratio} \in [0, 1].

    Parameters
    ----------
    weights : array_like, any shape
        Finite real weights.
    l1_ratio : float
        The mixing weight :math:`\rho` in [0, 1] (keyword only, no default):
        1 gives :func:`l1_penalty`, 0 gives :func:`l2_penalty`.

    Returns
    -------
    float
        The penalty.

    Raises
    ------
    TypeError
        If ``weights`` is not an array of real numbers or ``l1_ratio`` is not
        a number.
    ValueError
        If ``weights`` is not finite or ``l1_ratio`` is outside [0, 1].

    See Also
    --------
    elastic_net_penalty_grad, l1_penalty, l2_penalty

    Notes
    -----
    scikit-learn's ``ElasticNet`` uses :math:`\rho \|w\|_1 + \frac{1 - \rho}{2}
    \|w\|_2^2` (with a factor 1/2 on the L2 part); this function has no 1/2,
    consistent with :func:`l2_penalty`.

    References
    ----------
    - H. Zou and T. Hastie, "Regularization and variable selection via
      the elastic net", J. R. Statist. Soc. B 67, 2005.

    Examples
    --------
    >>> from lossref import elastic_net_penalty
    >>> elastic_net_penalty([1.0, -2.0], l1_ratio=0.5)
    4.0
    """
    rho = _l1_ratio(l1_ratio)
    w = _weights(weights).reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):
        l1 = float(np.abs(w).sum())
        l2 = float(np.vecdot(w, w))
    # skip a zero-weighted term so that 0 * inf does not give nan
    return (rho * l1 if rho else 0.0) + ((1.0 - rho) * l2 if rho != 1.0 else 0.0)


def elastic_net_penalty_grad(weights: ArrayLike, *, l1_ratio: float) -> float | np.ndarray:
    r"""Subgradient of :func:`elastic_net_penalty`.

    .. math::

        \frac{\partial R}{\partial w_k} = \rho \operatorname{sign}(w_k) + 2 (1 - \rho) w_k,

    with :math:`\operatorname{sign}(0) = 0`.

    Parameters
    ----------
    weights, l1_ratio
        As in :func:`elastic_net_penalty`.

    Returns
    -------
    float or ndarray
        Same shape as ``weights`` (a Python float for a scalar).

    Raises
    ------
    TypeError, ValueError
        As in :func:`elastic_net_penalty`.

    Notes
    -----
    A few machine epsilons relative to the larger of the two terms; the
    subgradient at 0 is 0.

    Examples
    --------
    >>> from lossref import elastic_net_penalty_grad
    >>> elastic_net_penalty_grad([1.0, -2.0, 0.0], l1_ratio=0.5).tolist()
    [1.5, -2.5, 0.0]
    """
    rho = _l1_ratio(l1_ratio)
    w = _weights(weights)
    with np.errstate(over="ignore"):
        return _as_output(rho * np.sign(w) + 2.0 * (1.0 - rho) * w + 0.0)
