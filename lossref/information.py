"""Entropy and Kullback-Leibler divergence of discrete distributions.

Both functions work row-wise and have no ``reduction`` argument: a single
distribution of shape (C,) gives a Python float and a batch of shape (N, C)
gives an array of shape (N,) with one value per row.  Their gradients are the
per-row partial derivatives with respect to the first argument, which for the
divergence is the prediction (``kl_divergence(probs, targets)``), as in every loss.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ._validation import check_probabilities, check_same_shape, log_of_base

__all__ = ["entropy", "entropy_grad", "kl_divergence", "kl_divergence_grad"]

_TINY = np.finfo(np.float64).tiny
_HUGE = np.finfo(np.float64).max

# S(w) = sum_k w**k / (2k + 3) = (atanh(z) - z) / z**3 with w = z**2; 26 terms
# give full double precision for |z| <= 1/2 (truncation < 1e-17 relative).
_ATANH_TAIL = tuple(1.0 / (2 * k + 3) for k in range(26))


def _row_output(values: np.ndarray, single: bool) -> float | np.ndarray:
    return float(values[0]) if single else values


def _log_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log(a / b) for a, b >= 0 without losing accuracy to over/underflow."""
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        r = a / b
        out = np.log(r)
        bad = ~((r >= _TINY) & (r <= _HUGE))
        if bad.any():
            out[bad] = np.log(a[bad]) - np.log(b[bad])
    return out


def _kl_terms(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    r"""Terms :math:`p \log(p/q) - p + q \ge 0`, each to a few ulps.

    With :math:`z = (q - p) / (q + p)` one has
    :math:`p \log(p/q) - p + q = \frac{(q - p)^2}{q + p}
    \bigl(1 - z (1 - z) S(z^2)\bigr)`, where
    :math:`S(z^2) = (\operatorname{atanh} z - z) / z^3`; the bracket lies in
    [0.9, 1.3] for :math:`|z| \le 1/2`, so nothing cancels.  For
    :math:`|z| > 1/2` (ratio outside [1/3, 3]) the direct form
    :math:`(q - p) - p \log(q/p)` loses at most a factor 4.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        diff = q - p
        total = q + p
        z = diff / total
        near = np.abs(z) <= 0.5
        w = np.where(near, z * z, 0.0)
        tail = np.full_like(w, _ATANH_TAIL[-1])
        for c in _ATANH_TAIL[-2::-1]:
            tail *= w
            tail += c
        series = diff * diff / total * (1.0 - z * (1.0 - z) * tail)
        direct = diff - p * _log_ratio(q, p)
        terms = np.where(near, series, direct)
    zero_p = p == 0
    terms[zero_p] = q[zero_p]
    terms[(q == 0) & ~zero_p] = np.inf
    return terms


def _check_pair(probs, targets):
    q_arr = check_probabilities(probs, "probs")
    t_arr = check_probabilities(targets, "targets")
    check_same_shape(q_arr, t_arr, "probs", "targets")
    return q_arr, t_arr


def entropy(p: ArrayLike, *, base: float = math.e) -> float | np.ndarray:
    r"""Shannon entropy of a discrete distribution (row-wise).

    .. math::

        H(p) = -\sum_c p_c \log_b p_c, \qquad 0 \log 0 = 0 .

    Parameters
    ----------
    p : array_like, shape (C,) or (N, C)
        A distribution, or N distributions as rows; entries in [0, 1], rows
        summing to 1 (absolute tolerance ``max(1e-4, C * eps)``).
    base : float, default math.e
        Base of the logarithm (``math.e``: nats, ``2``: bits, ``10``).

    Returns
    -------
    float or ndarray
        A Python float for one distribution, an array of shape (N,) (one
        entropy per row) for a batch.  There is no reduction argument.

    Raises
    ------
    TypeError
        If ``p`` is not an array of real numbers or ``base`` not a number.
    ValueError
        If ``p`` is not 1-D or 2-D, has entries outside [0, 1] or not finite,
        rows not summing to 1, or ``base`` is not finite, > 0 and != 1.

    See Also
    --------
    entropy_grad, kl_divergence, cross_entropy

    Notes
    -----
    The terms :math:`-p_c \log p_c` are all :math:`\ge 0`, so the result has
    a relative error of a few machine epsilons.

    References
    ----------
    - C. E. Shannon, "A Mathematical Theory of Communication", Bell
      System Technical Journal 27, 1948.
    - T. M. Cover and J. A. Thomas, "Elements of Information Theory",
      2nd ed., Wiley, 2006.

    Examples
    --------
    >>> from lossref import entropy
    >>> entropy([0.5, 0.5], base=2)
    1.0
    >>> round(entropy([0.25, 0.25, 0.25, 0.25]), 4)
    1.3863
    >>> entropy([[1.0, 0.0], [0.5, 0.5]], base=2).tolist()
    [0.0, 1.0]
    """
    arr = check_probabilities(p, "p")
    ln_base = log_of_base(base)
    single = arr.ndim == 1
    rows = arr.reshape(1, -1) if single else arr
    logp = np.zeros_like(rows)
    np.log(rows, out=logp, where=rows > 0)
    h = 0.0 - np.vecdot(rows, logp)
    if ln_base != 1.0:
        h /= ln_base
    return _row_output(h, single)


def entropy_grad(p: ArrayLike, *, base: float = math.e) -> np.ndarray:
    r"""Partial derivatives of :func:`entropy` with respect to :math:`p`.

    Treating every :math:`p_c` as a free variable,

    .. math::

        \frac{\partial H}{\partial p_c} = -\frac{\log p_c + 1}{\ln b},

    which is :math:`+\infty` where :math:`p_c = 0`.

    Parameters
    ----------
    p, base
        As in :func:`entropy`.

    Returns
    -------
    ndarray
        Same shape as ``p``; row :math:`i` is the gradient of the entropy of
        row :math:`i`.

    Raises
    ------
    TypeError, ValueError
        As in :func:`entropy`.

    Notes
    -----
    A logarithm and an addition: a few machine epsilons relative to
    :math:`\max(|\log p_c|, 1)`.

    Examples
    --------
    >>> from lossref import entropy_grad
    >>> entropy_grad([0.5, 0.5], base=2).round(4).tolist()
    [-0.4427, -0.4427]
    """
    arr = check_probabilities(p, "p")
    ln_base = log_of_base(base)
    with np.errstate(divide="ignore"):
        grad = -1.0 - np.log(arr)
    if ln_base != 1.0:
        grad /= ln_base
    return grad


def kl_divergence(
    probs: ArrayLike, targets: ArrayLike, *, base: float = math.e
) -> float | np.ndarray:
    r"""Kullback-Leibler divergence of the predicted from the target distribution (row-wise).

    With :math:`q` = ``probs`` (the prediction) and :math:`t` = ``targets``,

    .. math::

        D(t \,\|\, q) = \sum_c t_c \log_b \frac{t_c}{q_c}
        = \frac{1}{\ln b} \sum_c \Bigl(t_c \ln \frac{t_c}{q_c} - t_c + q_c\Bigr),

    with :math:`0 \log(0/q) = 0`; it is :math:`+\infty` when some
    :math:`q_c = 0 < t_c`.  The second form equals the first for normalised
    rows and is what is evaluated: every term is :math:`\ge 0`.

    The prediction comes first, as in every lossref loss (``cross_entropy(probs,
    targets)``) and in PyTorch's ``kl_div(input, target)``; the divergence is
    measured *from* the targets, so ``kl_divergence(q, t) = cross_entropy(q, t)
    - entropy(t)``.

    Parameters
    ----------
    probs : array_like, shape (C,) or (N, C)
        The predicted (approximating) distribution(s) :math:`q`; rows in
        [0, 1] summing to 1 (absolute tolerance ``max(1e-4, C * eps)``).
    targets : array_like, same shape as ``probs``
        The target ("true") distribution(s) :math:`t`, rows as for ``probs``.
    base : float, default math.e
        Base of the logarithm (``math.e``: nats, ``2``: bits, ``10``).

    Returns
    -------
    float or ndarray
        A Python float for one pair of distributions, an array of shape (N,)
        for a batch (one divergence per row).  There is no reduction argument.
        The result is never negative, and exactly 0 when ``probs == targets``.

    Raises
    ------
    TypeError
        If an argument is not an array of real numbers or ``base`` is not a
        number.
    ValueError
        If shapes differ or are not 1-D/2-D, entries are outside [0, 1] or not
        finite, rows do not sum to 1, or ``base`` is invalid.

    See Also
    --------
    kl_divergence_grad, entropy, cross_entropy

    Notes
    -----
    The literal sum :math:`\sum t \log(t/q)` cancels catastrophically when
    :math:`q \approx t`.  Here each term
    :math:`t \log(t/q) - t + q \ge 0` (the generalised, or I-, divergence) is
    computed to a few ulps: with :math:`z = (q - t)/(q + t)` it equals
    :math:`\frac{(q-t)^2}{q+t}\bigl(1 - z(1-z)\,\frac{\operatorname{atanh} z
    - z}{z^3}\bigr)`, evaluated by a series for :math:`|z| \le 1/2`.  The
    result thus has a relative error of a few machine epsilons with respect to
    :math:`\sum_c (t_c \ln(t_c/q_c) - t_c + q_c)`, even for divergences as
    small as 1e-30.  For rows that sum to 1 only up to rounding, this differs
    from the literal :math:`\sum t \log(t/q)` by :math:`\sum_c (q_c - t_c)`,
    a few machine epsilons in absolute terms.

    References
    ----------
    - S. Kullback and R. A. Leibler, "On Information and Sufficiency",
      Annals of Mathematical Statistics 22, 1951.
    - I. Csiszar, "I-divergence geometry of probability distributions
      and minimization problems", Annals of Probability 3, 1975.

    Examples
    --------
    >>> from lossref import kl_divergence
    >>> round(kl_divergence([0.25, 0.75], [0.5, 0.5]), 4)
    0.1438
    >>> kl_divergence([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> print(f"{kl_divergence([0.5 + 1e-12, 0.5 - 1e-12], [0.5, 0.5]):.3g}")
    2e-24
    >>> kl_divergence([1.0, 0.0], [0.5, 0.5])
    inf
    """
    q_arr, t_arr = _check_pair(probs, targets)
    ln_base = log_of_base(base)
    single = q_arr.ndim == 1
    if single:
        q_arr, t_arr = q_arr.reshape(1, -1), t_arr.reshape(1, -1)
    d = _kl_terms(t_arr, q_arr).sum(axis=1)
    if ln_base != 1.0:
        d /= ln_base
    return _row_output(d, single)


def kl_divergence_grad(probs: ArrayLike, targets: ArrayLike, *, base: float = math.e) -> np.ndarray:
    r"""Partial derivatives of :func:`kl_divergence` with respect to ``probs``.

    Treating every :math:`q_c` as a free variable in the evaluated form
    :math:`\sum_c (t_c \ln(t_c/q_c) - t_c + q_c) / \ln b`,

    .. math::

        \frac{\partial D}{\partial q_c} = \frac{1 - t_c / q_c}{\ln b},

    which is :math:`-\infty` where :math:`q_c = 0 < t_c` (and
    :math:`1/\ln b` where both are 0).  The literal
    :math:`\sum t \log(t/q)` has derivative :math:`-t_c/(q_c \ln b)`; the
    two differ by a constant vector, which has no effect along the
    probability simplex.  It is :func:`cross_entropy_grad` plus that
    constant, since the entropy of the targets does not depend on ``probs``.

    Parameters
    ----------
    probs, targets, base
        As in :func:`kl_divergence`.

    Returns
    -------
    ndarray
        Same shape as ``probs``; row :math:`i` is the gradient of the
        divergence of row :math:`i`.

    Raises
    ------
    TypeError, ValueError
        As in :func:`kl_divergence`.

    Notes
    -----
    One division and one subtraction: an absolute error of about one machine
    epsilon relative to :math:`\max(1, t_c/q_c)`.

    Examples
    --------
    >>> from lossref import kl_divergence_grad
    >>> kl_divergence_grad([0.25, 0.75], [0.5, 0.5]).round(4).tolist()
    [-1.0, 0.3333]
    """
    q_arr, t_arr = _check_pair(probs, targets)
    ln_base = log_of_base(base)
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = 1.0 - t_arr / q_arr
    grad[(q_arr == 0) & (t_arr == 0)] = 1.0
    if ln_base != 1.0:
        grad /= ln_base
    return grad
