"""Knowledge distillation (Hinton, Vinyals and Dean, 2015): the Kullback-Leibler divergence of
a student's temperature-softened distribution from its teacher's, multiplied by the squared
temperature.

Both arguments are logits, the student's first (the prediction, as in every lossref loss) and
the teacher's second.  Natural logarithms; ``"mean"`` divides by the N examples (rows), which
is PyTorch's ``reduction="batchmean"`` of ``kl_div``, not its ``"mean"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._reduction import reduce_grad, reduce_loss
from ._validation import (
    as_float_array,
    check_batch,
    check_finite,
    check_reduction,
    check_same_shape,
    positive_scalar,
)
from .probabilistic import _neg_log_softmax, _softmax_probs

__all__ = ["distillation_loss", "distillation_loss_grad"]

# psi(d) = (d - 1 + exp(-d)) / d**2 = sum_k (-d)**k / (k + 2)!; 18 terms give full double
# precision for |d| <= 1 (the first term left out, 1/20!, is below 5e-19).
_PSI = tuple(1.0 / float(np.prod(np.arange(1, k + 3, dtype=float))) for k in range(18))


def _psi(d: np.ndarray) -> np.ndarray:
    """(d - 1 + exp(-d)) / d**2 for |d| <= 1, by its Taylor series (Horner)."""
    out = np.full_like(d, _PSI[-1])
    for c in _PSI[-2::-1]:
        out *= -d
        out += c
    return out


def _check(student_logits: Any, teacher_logits: Any, temperature: Any, reduction: Any):
    reduction = check_reduction(reduction)
    s = as_float_array(student_logits, "student_logits", what="(C,) or (N, C)")
    t = as_float_array(teacher_logits, "teacher_logits", what="(C,) or (N, C)")
    check_same_shape(s, t, "student_logits", "teacher_logits")
    if s.shape[-1] == 0:
        raise ValueError(f"student_logits must have at least one class; got shape {s.shape}")
    check_finite(s, "student_logits")
    check_finite(t, "teacher_logits")
    temp = positive_scalar(temperature, "temperature")
    single = s.ndim == 1
    if single:
        s, t = s.reshape(1, -1), t.reshape(1, -1)
    check_batch(s.shape[0], reduction, "student_logits")
    with np.errstate(over="ignore"):
        a, b = t / temp, s / temp
    for name, scaled, raw in (("teacher_logits", a, t), ("student_logits", b, s)):
        if not np.isfinite(scaled).all():
            raise ValueError(
                f"{name} / temperature must be finite; temperature {temp!r} is too small for "
                f"logits of magnitude {float(np.max(np.abs(raw))):.3g}"
            )
    return s, t, temp, a, b, reduction, single


def _log_ratios(s, t, temp, a, b):
    """``d = log p_t - log p_s`` per entry, with ``p_t = softmax(a)``, ``p_s = softmax(b)``.

    With ``delta = (t - s) / T`` shifted to 0 at the student's top class k,
    ``d_c = delta_c - log sum_j p_s,j exp(delta_j)``; the log is ``log1p(sum_j p_s,j
    expm1(delta_j))`` when that sum is well conditioned (student close to teacher, where d is
    small and must keep its relative accuracy), else a log-sum-exp of ``log p_s + delta``.
    No probability is ever logged, so none can have underflowed.
    """
    rows = np.arange(s.shape[0])
    k = np.argmax(b, axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        # Two ways to round (t_c - s_c) - (t_k - s_k), each nearly exact where the other is
        # not: differences of student and teacher first (exact when the student is close to
        # the teacher), or of each row's own logits first (exact when one is close to the other
        # plus a constant); every row takes the one with the smaller rounding error bound.
        diff = t - s
        centred_t = t - t[rows, k][:, None]
        centred_s = s - s[rows, k][:, None]
        by_pair = diff - diff[rows, k][:, None]
        by_row = centred_t - centred_s
        bound_pair = np.max(np.abs(diff), axis=1) + np.abs(diff[rows, k])
        bound_row = np.max(np.abs(centred_t) + np.abs(centred_s), axis=1)
        pick_row = ~np.isfinite(bound_pair) | (bound_row < bound_pair)
        delta = np.where(pick_row[:, None], by_row, by_pair) / temp
    if not np.isfinite(delta).all():
        raise ValueError(
            "differences of student_logits and teacher_logits divided by temperature overflow "
            f"float64 (temperature {temp!r}, logits up to "
            f"{float(max(np.abs(s).max(), np.abs(t).max())):.3g} in magnitude); scale them down"
        )
    log_ps = -_neg_log_softmax(b)
    p_s = _softmax_probs(b)
    mu = np.empty(s.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):
        small = np.max(delta, axis=1) <= 700.0
        grow = np.where(small[:, None], delta, 0.0)
        terms = p_s * np.expm1(grow)
        well = small & (np.sum(np.abs(terms), axis=1) <= 0.5)
        mu[well] = np.log1p(terms[well].sum(axis=1))
        v = log_ps[~well] + delta[~well]
        top = np.max(v, axis=1)
        mu[~well] = top + np.log(np.sum(np.exp(v - top[:, None]), axis=1))
    return delta - mu[:, None], p_s


def distillation_loss(
    student_logits: ArrayLike,
    teacher_logits: ArrayLike,
    *,
    temperature: float = 1.0,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Distillation loss: the squared temperature times the KL divergence of softened outputs.

    With student logits :math:`s`, teacher logits :math:`t`, temperature :math:`T`,
    :math:`p^s = \operatorname{softmax}(s / T)` and :math:`p^t = \operatorname{softmax}(t / T)`,
    each example's loss is

    .. math::

        L = T^2 \, D\bigl(p^t \,\|\, p^s\bigr)
          = T^2 \sum_c p^t_c \ln \frac{p^t_c}{p^s_c} ,

    in nats: the soft-target term of Hinton et al. (2015).  The factor :math:`T^2` keeps its
    gradient, :math:`T (p^s - p^t)`, of order one as :math:`T` grows (see
    :func:`distillation_loss_grad`).  With :math:`T = 1` it is
    ``kl_divergence(softmax(s), softmax(t))``.

    Parameters
    ----------
    student_logits : array_like, shape (C,) or (N, C)
        The student's raw scores :math:`s` (the prediction); finite real numbers.
    teacher_logits : array_like, same shape
        The teacher's raw scores :math:`t` (the target); finite real numbers.
    temperature : float, default 1.0
        :math:`T > 0`; both sets of logits are divided by it.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` divides the sum by the number of examples N (PyTorch's
        ``reduction="batchmean"``; PyTorch's ``"mean"`` divides by N C).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or per-example losses (a float for one example).
        Never negative; exactly 0 when the student's logits equal the teacher's.

    Raises
    ------
    TypeError
        If the logits are not arrays of real numbers or ``temperature`` is not a number.
    ValueError
        If the shapes differ or are not 1-D/2-D, there is no class, a logit is not finite,
        ``temperature`` is not a finite number > 0 or so small that a logit divided by it
        overflows (or the logits so large, beyond about 1e307, that their differences
        overflow), the reduction is unknown or the mean of an empty batch is requested.

    See Also
    --------
    distillation_loss_grad, kl_divergence, softmax_cross_entropy

    Notes
    -----
    The divergence is computed from the logits, without taking the log of a probability
    that may have underflowed.  With :math:`d_c = \ln p^t_c - \ln p^s_c` (obtained from
    :math:`(t - s) / T` shifted, and a ``log1p`` where the student is close to the teacher)
    the sum is evaluated as :math:`\sum_c p^t_c (d_c - 1 + e^{-d_c})`, a sum of terms
    :math:`\ge 0` equal to the divergence because both distributions sum to one; the bracket
    comes from its Taylor series for :math:`|d_c| \le 1`.  So tiny divergences keep their
    relative accuracy, and large logits or a small temperature do not overflow.  Against a
    400-digit reference (tests/test_distillation.py) the relative error stays within a few
    machine epsilons times :math:`1 + \max(\operatorname{spread}(s), \operatorname{spread}(t))
    / T`, the spread being a row's largest minus smallest logit: rounding the logits divided
    by :math:`T` in float64 already moves the exponents by about that many epsilons.

    For large :math:`T`, :math:`L \to \frac{1}{2C} \sum_c \bigl((s_c - \bar s) -
    (t_c - \bar t)\bigr)^2`, the bars denoting means over the C classes.

    References
    ----------
    - G. Hinton, O. Vinyals and J. Dean, "Distilling the Knowledge in a Neural Network",
      NIPS Deep Learning Workshop, 2015, arXiv:1503.02531.

    Examples
    --------
    >>> from lossref import distillation_loss
    >>> s, t = [1.0, 2.0, 0.5], [3.0, 1.0, -1.0]
    >>> round(distillation_loss(s, t), 4)
    0.9139
    >>> round(distillation_loss(s, t, temperature=4.0), 4)
    1.2629
    >>> distillation_loss(t, t, temperature=4.0)
    0.0
    """
    s, t, temp, a, b, reduction, single = _check(
        student_logits, teacher_logits, temperature, reduction
    )
    if s.shape[0] == 0:
        return reduce_loss(np.zeros(0), reduction, single)
    d, p_s = _log_ratios(s, t, temp, a, b)
    p_t = _softmax_probs(a)
    terms = np.empty_like(d)
    near = np.abs(d) <= 1.0
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        # |d| <= 1: T^2 p_t phi(d) = p_t (T d)^2 psi(d), which neither under- nor overflows
        dn = np.where(near, d, 0.0)
        terms[near] = (p_t * (temp * dn) ** 2 * _psi(dn))[near]
        # d > 1: phi(d) = (d - 1) + exp(-d), two terms >= 0
        up = d > 1.0
        terms[up] = temp * (temp * (p_t[up] * ((d[up] - 1.0) + np.exp(-d[up]))))
        # d < -1: p_t exp(-d) = p_s, and p_t (d - 1) + p_s loses at most a factor 4
        down = d < -1.0
        terms[down] = temp * (temp * (p_t[down] * (d[down] - 1.0) + p_s[down]))
        per_example = terms.sum(axis=1)
    return reduce_loss(per_example, reduction, single)


def distillation_loss_grad(
    student_logits: ArrayLike,
    teacher_logits: ArrayLike,
    *,
    temperature: float = 1.0,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`distillation_loss` with respect to the student's logits.

    Since :math:`\partial \ln p^s_c / \partial s_j = ([c = j] - p^s_j) / T` and the
    :math:`p^t_c` sum to one,

    .. math::

        \frac{\partial L}{\partial s_j} = T^2 \cdot \frac{1}{T} \bigl(p^s_j - p^t_j\bigr)
        = T \bigl(p^s_j - p^t_j\bigr) ,

    divided by N for ``"mean"``.  Without the factor :math:`T^2` the gradient would be
    :math:`(p^s - p^t) / T`, which shrinks like :math:`1 / T^2` as :math:`T` grows; with it
    the gradient tends to :math:`\bigl((s - \bar s) - (t - \bar t)\bigr) / C`.

    Parameters
    ----------
    student_logits, teacher_logits, temperature, reduction
        As in :func:`distillation_loss`.

    Returns
    -------
    ndarray
        Same shape as ``student_logits``; each row sums to 0.

    Raises
    ------
    TypeError, ValueError
        As in :func:`distillation_loss`.

    Notes
    -----
    :math:`p^s_j - p^t_j` is computed as :math:`-p^s_j \operatorname{expm1}(d_j)` with
    :math:`d_j = \ln p^t_j - \ln p^s_j` where :math:`d_j \le 1`, so it keeps its relative
    accuracy when the student is close to the teacher; elsewhere the two terms differ by more
    than a factor e and nothing cancels.

    Examples
    --------
    >>> from lossref import distillation_loss_grad
    >>> s, t = [1.0, 2.0, 0.5], [3.0, 1.0, -1.0]
    >>> distillation_loss_grad(s, t).round(4).tolist()
    [-0.6356, 0.5112, 0.1244]
    >>> distillation_loss_grad(s, t, temperature=4.0).round(4).tolist()
    [-0.7627, 0.3932, 0.3695]
    """
    s, t, temp, a, b, reduction, single = _check(
        student_logits, teacher_logits, temperature, reduction
    )
    if s.shape[0] == 0:
        return np.zeros_like(s)
    d, p_s = _log_ratios(s, t, temp, a, b)
    p_t = _softmax_probs(a)
    with np.errstate(over="ignore"):
        grad = np.where(d <= 1.0, -p_s * np.expm1(np.minimum(d, 1.0)), p_s - p_t)
    grad *= temp
    grad = reduce_grad(grad, reduction, s.shape[0])
    return grad.reshape(-1) if single else grad
