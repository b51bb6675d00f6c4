"""Numerical gradients by centred differences and the CS231n gradient check."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_callable, check_finite, positive_scalar

__all__ = ["gradient_check", "numerical_gradient"]

_TINY = np.finfo(np.float64).tiny


def _call_scalar(f, x, what):
    value = f(x)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"f must return a real number; got {type(value).__name__} {what}")
    return float(value)


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: ArrayLike, *, h: float = 1e-5
) -> np.ndarray:
    r"""Gradient of a scalar function by centred differences.

    .. math::

        \frac{\partial f}{\partial x_i} \approx
        \frac{f(x + h e_i) - f(x - h e_i)}{2h},

    one pair of evaluations per entry of ``x`` (the loop over entries is the
    method; it is meant for checking small problems).

    Parameters
    ----------
    f : callable
        Function of a float64 array shaped like ``x``, returning a real number.
        It receives a private copy of ``x`` (one entry perturbed at a time) and
        must not keep a reference to it.
    x : array_like, any shape
        The point, finite real numbers.  The caller's array is never modified.
    h : float, default 1e-5
        The step, > 0.

    Returns
    -------
    ndarray
        Float64 array of the same shape as ``x``.

    Raises
    ------
    TypeError
        If ``f`` is not callable or does not return a real number, ``x`` is not
        an array of real numbers, or ``h`` is not a number.
    ValueError
        If ``x`` is not finite or ``h`` is not a finite positive number.

    See Also
    --------
    gradient_check

    Notes
    -----
    The truncation error is :math:`O(h^2)` and the rounding error about
    :math:`\epsilon |f| / h`; ``h = 1e-5`` balances them for functions of
    order 1.  Near a kink (hinge losses) the estimate averages the two
    one-sided slopes.  For inputs of size ``|x|`` much larger than 1 scale
    ``h`` with them.  Losses of probabilities (``cross_entropy``,
    ``kl_divergence``, ...) accept rows that sum to 1 within 1e-4, so the
    default step works on them; the result is the partial derivative with the
    entries treated as free variables, which is what their ``*_grad``
    functions return.

    References
    ----------
    - CS231n, "Optimization: stochastic gradient descent",
      https://cs231n.github.io/optimization-1/

    Examples
    --------
    >>> import numpy as np
    >>> from lossref import numerical_gradient
    >>> numerical_gradient(lambda v: float(np.sum(v ** 2)), [1.0, -2.0]).round(6).tolist()
    [2.0, -4.0]
    """
    check_callable(f, "f")
    step = positive_scalar(h, "h")
    point = as_float_array(x, "x", ndims=None).copy()
    check_finite(point, "x")
    grad = np.zeros_like(point)
    flat_point = point.reshape(-1)
    flat_grad = grad.reshape(-1)
    for i in range(flat_point.size):
        old = flat_point[i]
        flat_point[i] = old + step
        plus = _call_scalar(f, point, "at x + h")
        flat_point[i] = old - step
        minus = _call_scalar(f, point, "at x - h")
        flat_point[i] = old
        flat_grad[i] = (plus - minus) / (2.0 * step)
    return grad


def gradient_check(
    f: Callable[[np.ndarray], float],
    grad_f: Callable[[np.ndarray], ArrayLike],
    x: ArrayLike,
    *,
    h: float = 1e-5,
) -> float:
    r"""Maximum relative error between an analytic and a numerical gradient.

    .. math::

        \max_i \frac{|a_i - n_i|}{\max(|a_i| + |n_i|,\ \text{tiny})},

    where :math:`a = \text{grad\_f}(x)` and :math:`n` is
    :func:`numerical_gradient` of ``f``; entries where both are 0 count as 0.
    The CS231n notes grade the result: above 1e-2 the gradient is probably
    wrong; between 1e-2 and 1e-4 be uncomfortable; 1e-4 is acceptable for
    objectives with kinks (hinge losses, L1) but too high otherwise; 1e-7 and
    below is good.

    Parameters
    ----------
    f : callable
        Scalar function of an array shaped like ``x``.
    grad_f : callable
        Its claimed gradient, returning an array of the same shape as ``x``.
    x : array_like, any shape
        The point (never modified).
    h : float, default 1e-5
        Step of the centred differences.

    Returns
    -------
    float
        The maximum relative error (0.0 for an empty ``x``).

    Raises
    ------
    TypeError, ValueError
        As in :func:`numerical_gradient`; also ``ValueError`` if ``grad_f``
        returns an array of the wrong shape or non-finite values.

    See Also
    --------
    numerical_gradient

    Notes
    -----
    Near a kink (for example a hinge term exactly at 0) the centred difference
    averages the two one-sided slopes, so a large error there does not mean
    that the analytic subgradient is wrong.  See :func:`numerical_gradient`
    for choosing ``h`` (large inputs, probability arguments).

    References
    ----------
    - CS231n, "Neural Networks Part 3: Gradient checks",
      https://cs231n.github.io/neural-networks-3/#gradcheck

    Examples
    --------
    >>> import numpy as np
    >>> from lossref import gradient_check, softmax_cross_entropy, softmax_cross_entropy_grad
    >>> scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0]])
    >>> error = gradient_check(
    ...     lambda s: softmax_cross_entropy(s, [0, 1]),
    ...     lambda s: softmax_cross_entropy_grad(s, [0, 1]),
    ...     scores,
    ... )
    >>> error < 1e-7
    True

    Probability inputs work with the default step:

    >>> from lossref import cross_entropy, cross_entropy_grad
    >>> targets = np.array([0.0, 1.0, 0.0])
    >>> gradient_check(
    ...     lambda q: cross_entropy(q, targets),
    ...     lambda q: cross_entropy_grad(q, targets),
    ...     np.array([0.2, 0.5, 0.3]),
    ... ) < 1e-7
    True
    """
    check_callable(grad_f, "grad_f")
    numeric = numerical_gradient(f, x, h=h)
    point = as_float_array(x, "x", ndims=None).copy()
    analytic = as_float_array(grad_f(point), "grad_f(x)", ndims=None)
    if analytic.shape != numeric.shape:
        raise ValueError(
            f"grad_f(x) must have the shape of x {numeric.shape}; got shape {analytic.shape}"
        )
    check_finite(analytic, "grad_f(x)")
    if numeric.size == 0:
        return 0.0
    err = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), _TINY)
    return float(err.max())
