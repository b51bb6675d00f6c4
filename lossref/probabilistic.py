"""Cross-entropy losses: softmax cross-entropy, cross-entropy of distributions,
binary cross-entropy on probabilities and on logits.

Logarithms are natural (nats) by default; ``base=10`` reproduces lecture slides
that used :math:`\\log_{10}` and ``base=2`` gives bits.  The convention
:math:`0 \\log 0 = 0` holds throughout; a genuinely infinite loss (probability 0
on an outcome that has positive target weight) is returned as ``inf`` without
any warning.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ._reduction import reduce_grad, reduce_loss
from ._validation import (
    as_float_array,
    check_batch,
    check_finite,
    check_probabilities,
    check_reduction,
    check_same_shape,
    check_scores_labels,
    check_unit_interval,
    log_of_base,
)
from .activations import _softmax_rows

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "cross_entropy",
    "cross_entropy_grad",
    "sigmoid_binary_cross_entropy",
    "sigmoid_binary_cross_entropy_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
]


# ---------------------------------------------------------------------------
# softmax cross-entropy on scores
# ---------------------------------------------------------------------------


def softmax_cross_entropy(
    scores: ArrayLike, labels: ArrayLike, *, base: float = math.e, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Softmax cross-entropy (multinomial logistic loss) of class scores.

    For an example with scores :math:`s` and correct class :math:`y`

    .. math::

        L = -\log_b \frac{e^{s_y}}{\sum_j e^{s_j}}
          = \frac{\operatorname{logsumexp}(s) - s_y}{\ln b},

    the negative log-probability that the softmax of the scores gives to the
    correct class, in base :math:`b` (natural logarithm by default).

    Parameters
    ----------
    scores : array_like, shape (C,) or (N, C)
        Raw class scores (logits) of one example or of N examples.
    labels : int or array_like of int, shape (N,)
        Correct class of each example, integers in [0, C); a single integer
        for 1-D ``scores``.  Float labels are rejected.
    base : float, default math.e
        Base of the logarithm: ``math.e`` (nats), ``2`` (bits) or ``10``.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the N examples, ``"sum"`` adds them and
        ``"none"`` returns the per-example losses (shape (N,); a float for a
        single example).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the per-example losses.

    Raises
    ------
    TypeError
        If scores are not real numbers, labels are not integers, or ``base``
        is not a number.
    ValueError
        If shapes do not match, labels are out of range, scores are not
        finite, ``base`` is not a finite number > 0 other than 1, the
        reduction is unknown or the mean of an empty batch is requested.

    See Also
    --------
    softmax_cross_entropy_grad, cross_entropy, log_softmax

    Notes
    -----
    With :math:`m = \max_j s_j` attained at index :math:`k`, the loss is
    computed as

    .. math::

        L = (m - s_y) + \operatorname{log1p}\Bigl(\sum_{j \ne k} e^{s_j - m}\Bigr),

    a sum of two non-negative terms, so there is no cancellation: the result
    has a relative error of a few machine epsilons for every input, including
    scores of magnitude ``1e4`` or more and confidently correct examples whose
    loss is tiny (``1e-40`` is returned as such, not as 0).  Rows where the
    rounding of :math:`s_j - m` would matter are recomputed exactly.  A loss
    beyond the float64 range (scores differing by more than about 1.8e308)
    is returned as ``inf``.

    References
    ----------
    - CS231n, "Linear classification",
      https://cs231n.github.io/linear-classify/

    Examples
    --------
    Image 1 of the CS231n notes (cat 3.2, car 5.1, frog -1.7; label cat):

    >>> import math
    >>> from lossref import softmax_cross_entropy
    >>> round(softmax_cross_entropy([3.2, 5.1, -1.7], 0), 2)
    2.04
    >>> round(softmax_cross_entropy([3.2, 5.1, -1.7], 0, base=10), 2)  # the notes' 0.89
    0.89
    >>> softmax_cross_entropy([[1e4, 0.0], [0.0, 1e4]], [0, 0], reduction="none").tolist()
    [0.0, 10000.0]
    >>> print(f"{softmax_cross_entropy([0.0, -92.0], 0):.2g}")  # tiny, not rounded to 0
    1.1e-40
    """
    s, y, reduction, single = check_scores_labels(scores, labels, reduction, finite=False)
    ln_base = log_of_base(base)
    rows = np.arange(s.shape[0])
    correct = s[rows, y]

    def result_scale(start, stop, m, t):
        with np.errstate(over="ignore"):
            return (m - correct[start:stop]) + np.log1p(t)

    _, m, t, finite = _softmax_rows(s, scale=result_scale)
    if not finite:
        check_finite(s.reshape(-1) if single else s, "scores")  # raises
    with np.errstate(over="ignore"):  # a loss beyond 1.8e308 is inf
        loss = (m - correct) + np.log1p(t)
    if ln_base != 1.0:
        loss /= ln_base
    return reduce_loss(loss, reduction, single)


def softmax_cross_entropy_grad(
    scores: ArrayLike, labels: ArrayLike, *, base: float = math.e, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`softmax_cross_entropy` with respect to the scores.

    For one example, with :math:`p = \operatorname{softmax}(s)`,

    .. math::

        \frac{\partial L}{\partial s_j} = \frac{p_j - \mathbb{1}[j = y]}{\ln b}.

    Parameters
    ----------
    scores, labels, base, reduction
        As in :func:`softmax_cross_entropy`.

    Returns
    -------
    ndarray
        Same shape as ``scores``; divided by N for ``"mean"``.  For
        ``"none"`` each row is the gradient of that example's own loss (the
        same array as for ``"sum"``).

    Raises
    ------
    TypeError, ValueError
        As in :func:`softmax_cross_entropy`.

    Notes
    -----
    The entry of the correct class, :math:`p_y - 1`, is computed as
    :math:`-\sum_{j \ne y} e^{s_j - m} / \sum_j e^{s_j - m}` when :math:`y`
    is the arg-max, so it keeps its relative accuracy when :math:`p_y \approx
    1`.  Every entry has a relative error of at most about
    :math:`(4 + |s_j - \max s|)\,\epsilon`.

    References
    ----------
    - CS231n, "Softmax classifier" in "Linear classification",
      https://cs231n.github.io/linear-classify/

    Examples
    --------
    >>> from lossref import softmax_cross_entropy_grad
    >>> softmax_cross_entropy_grad([3.2, 5.1, -1.7], 0).round(4).tolist()
    [-0.87, 0.869, 0.001]
    >>> print(f"{softmax_cross_entropy_grad([0.0, -92.0], 0)[0]:.2g}")
    -1.1e-40
    """
    s, y, reduction, single = check_scores_labels(scores, labels, reduction, finite=False)
    ln_base = log_of_base(base)
    # the gradient of the reduced loss: (p - onehot(y)) / factor
    factor = (s.shape[0] if reduction == "mean" else 1) * ln_base
    grad = np.empty_like(s)
    k, _, t, finite = _softmax_rows(
        s, d_out=grad, e_out=grad, divisor=lambda _a, _b, t: (1.0 + t) * factor
    )
    if not finite:
        check_finite(s.reshape(-1) if single else s, "scores")  # raises
    rows = np.arange(s.shape[0])
    # p_y - 1: -t / (1 + t) when y is the arg-max (no cancellation), else
    # p_y - 1 with p_y <= 1/2
    grad[rows, y] = np.where(y == k, 0.0 - t / ((1.0 + t) * factor), grad[rows, y] - 1.0 / factor)
    return grad.reshape(-1) if single else grad


# ---------------------------------------------------------------------------
# cross-entropy of distributions
# ---------------------------------------------------------------------------


def _check_distributions(probs, targets, reduction):
    reduction = check_reduction(reduction)
    q = check_probabilities(probs, "probs")
    t = check_probabilities(targets, "targets")
    check_same_shape(q, t, "probs", "targets")
    single = q.ndim == 1
    if single:
        q, t = q.reshape(1, -1), t.reshape(1, -1)
    check_batch(q.shape[0], reduction, "probs")
    return q, t, reduction, single


def cross_entropy(
    probs: ArrayLike, targets: ArrayLike, *, base: float = math.e, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Cross-entropy between target and predicted distributions.

    For one example with predicted distribution :math:`q` and target
    distribution :math:`t` (one-hot or soft labels)

    .. math::

        H(t, q) = -\sum_c t_c \log_b q_c, \qquad 0 \log 0 = 0 .

    Parameters
    ----------
    probs : array_like, shape (C,) or (N, C)
        Predicted probabilities; each row must lie in [0, 1] and sum to 1.
    targets : array_like, same shape as ``probs``
        Target distributions (one-hot rows for hard labels); each row must lie
        in [0, 1] and sum to 1.
    base : float, default math.e
        Base of the logarithm (``math.e``: nats, ``2``: bits, ``10``).
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the N examples (rows), ``"sum"`` adds them and
        ``"none"`` returns the per-example losses (a float for one example).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the per-example losses.  It is
        ``inf`` when some :math:`q_c = 0` has :math:`t_c > 0`.

    Raises
    ------
    TypeError
        If an argument is not an array of real numbers or ``base`` is not a
        number.
    ValueError
        If shapes differ or are not 1-D/2-D, entries are outside [0, 1] or not
        finite, a row does not sum to 1 (absolute tolerance ``max(1e-4, C *
        eps)``, ``eps`` the machine epsilon of the input dtype), ``base`` is
        invalid, the reduction is unknown or the mean of an empty batch is
        requested.

    See Also
    --------
    cross_entropy_grad, softmax_cross_entropy, kl_divergence

    Notes
    -----
    Every term :math:`-t_c \log q_c` is :math:`\ge 0`, so the sum has a
    relative error of a few machine epsilons.

    References
    ----------
    - T. M. Cover and J. A. Thomas, "Elements of Information Theory",
      2nd ed., Wiley, 2006, section 2.3.

    Examples
    --------
    Model X of the lecture's table (true classes 2, 1, 0):

    >>> from lossref import cross_entropy
    >>> probs = [[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]]
    >>> targets = [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
    >>> round(cross_entropy(probs, targets), 2)
    1.38
    >>> cross_entropy([0.5, 0.5], [0.5, 0.5], base=2)
    1.0
    >>> cross_entropy([1.0, 0.0], [0.0, 1.0])
    inf
    """
    q, t, reduction, single = _check_distributions(probs, targets, reduction)
    ln_base = log_of_base(base)
    logq = np.zeros_like(q)
    with np.errstate(divide="ignore"):
        np.log(q, out=logq, where=t > 0)
    per = 0.0 - np.vecdot(t, logq)
    if ln_base != 1.0:
        per /= ln_base
    return reduce_loss(per, reduction, single)


def cross_entropy_grad(
    probs: ArrayLike, targets: ArrayLike, *, base: float = math.e, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to the predicted probabilities.

    The plain partial derivatives, treating every :math:`q_c` as a free
    variable (no constraint that the row sums to 1):

    .. math::

        \frac{\partial H}{\partial q_c} = -\frac{t_c}{q_c \ln b},

    which is 0 where :math:`t_c = 0` and :math:`-\infty` where :math:`q_c = 0
    < t_c`.

    Parameters
    ----------
    probs, targets, base, reduction
        As in :func:`cross_entropy`.

    Returns
    -------
    ndarray
        Same shape as ``probs``; divided by N for ``"mean"``; for ``"none"``
        each row is the gradient of that example's own loss.

    Raises
    ------
    TypeError, ValueError
        As in :func:`cross_entropy`.

    Notes
    -----
    Each entry is a single division (and a scaling for the base and the
    mean), so it is correctly rounded up to about two machine epsilons.

    Examples
    --------
    >>> from lossref import cross_entropy_grad
    >>> cross_entropy_grad([0.3, 0.3, 0.4], [0, 0, 1]).tolist()
    [0.0, 0.0, -2.5]
    """
    q, t, reduction, single = _check_distributions(probs, targets, reduction)
    ln_base = log_of_base(base)
    grad = np.zeros_like(q)
    with np.errstate(divide="ignore"):
        np.divide(t, q, out=grad, where=t > 0)
    scale = ln_base * (q.shape[0] if reduction == "mean" else 1)
    grad = 0.0 - (grad if scale == 1.0 else grad / scale)
    return grad.reshape(-1) if single else grad


# ---------------------------------------------------------------------------
# binary cross-entropy
# ---------------------------------------------------------------------------


def _check_binary_probs(probs, targets, reduction):
    reduction = check_reduction(reduction)
    p = as_float_array(probs, "probs", ndims=(0, 1), what="() or (N,)")
    check_unit_interval(p, "probs")
    t = as_float_array(targets, "targets", ndims=(0, 1), what="() or (N,)")
    check_same_shape(p, t, "probs", "targets")
    check_unit_interval(t, "targets")
    check_batch(p.size, reduction, "probs")
    return p, t, reduction


def binary_cross_entropy(
    probs: ArrayLike, targets: ArrayLike, *, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Binary cross-entropy (log loss) of predicted probabilities.

    .. math::

        L = -t \log p - (1 - t) \log(1 - p), \qquad 0 \log 0 = 0,

    in nats, where :math:`p` is the predicted probability of the positive
    class and :math:`t \in [0, 1]` the target (0/1 labels or soft targets).

    Parameters
    ----------
    probs : float or array_like, shape (N,)
        Predicted probabilities in [0, 1].
    targets : float or array_like, shape (N,)
        Targets in [0, 1], same shape as ``probs``.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the N examples, ``"sum"`` adds them and
        ``"none"`` returns the per-example losses (a float for scalar input).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or per-example losses; ``inf``
        when the target puts weight on an outcome of probability 0.

    Raises
    ------
    TypeError
        If an argument is not a real number or an array of real numbers.
    ValueError
        If shapes differ or are not scalar/1-D, values are outside [0, 1] or
        not finite, the reduction is unknown or the mean of an empty batch is
        requested.

    See Also
    --------
    binary_cross_entropy_grad, sigmoid_binary_cross_entropy

    Notes
    -----
    Computed as :math:`t \cdot (-\log p) + (1 - t) \cdot
    (-\operatorname{log1p}(-p))`: two non-negative terms, and
    :math:`\log(1 - p)` is evaluated with ``log1p``, so the result has a
    relative error of a few machine epsilons, also for tiny losses.  Unlike
    PyTorch's ``binary_cross_entropy``, logarithms are not clamped at -100.

    References
    ----------
    - I. Goodfellow, Y. Bengio and A. Courville, "Deep Learning", MIT
      Press, 2016, section 6.2.2.

    Examples
    --------
    >>> from lossref import binary_cross_entropy
    >>> binary_cross_entropy([0.9, 0.2], [1, 0], reduction="none").round(4).tolist()
    [0.1054, 0.2231]
    >>> binary_cross_entropy(1e-20, 0)
    1e-20
    >>> binary_cross_entropy(0.0, 1)
    inf
    """
    p, t, reduction = _check_binary_probs(probs, targets, reduction)
    log_p = np.zeros_like(p)
    log_q = np.zeros_like(p)
    with np.errstate(divide="ignore"):
        np.log(p, out=log_p, where=t > 0)
        np.log1p(-p, out=log_q, where=t < 1)
    per = 0.0 - (t * log_p + (1.0 - t) * log_q)
    return reduce_loss(per.reshape(-1), reduction, p.ndim == 0)


def binary_cross_entropy_grad(
    probs: ArrayLike, targets: ArrayLike, *, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Gradient of :func:`binary_cross_entropy` with respect to the probabilities.

    .. math::

        \frac{\partial L}{\partial p} = -\frac{t}{p} + \frac{1 - t}{1 - p},

    the plain partial derivative (each term is dropped when its weight
    :math:`t` or :math:`1 - t` is 0); it is :math:`\mp\infty` at an infinite
    loss.

    Parameters
    ----------
    probs, targets, reduction
        As in :func:`binary_cross_entropy`.

    Returns
    -------
    float or ndarray
        Same shape as ``probs`` (a Python float for scalar input); divided by
        N for ``"mean"``; for ``"none"`` each entry is the derivative of that
        example's own loss.

    Raises
    ------
    TypeError, ValueError
        As in :func:`binary_cross_entropy`.

    Notes
    -----
    Both terms are computed separately (each to a few ulps); where they nearly
    cancel (the prediction equals a soft target) the error is a few epsilons
    of the larger term.

    Examples
    --------
    >>> from lossref import binary_cross_entropy_grad
    >>> binary_cross_entropy_grad([0.8, 0.5], [1, 0], reduction="none").round(4).tolist()
    [-1.25, 2.0]
    """
    p, t, reduction = _check_binary_probs(probs, targets, reduction)
    pos = np.zeros_like(p)
    neg = np.zeros_like(p)
    with np.errstate(divide="ignore"):
        np.divide(t, p, out=pos, where=t > 0)
        np.divide(1.0 - t, 1.0 - p, out=neg, where=t < 1)
    grad = neg - pos
    if p.ndim == 0:
        return float(grad)
    return reduce_grad(grad, reduction, p.shape[0])


def _check_binary_logits(logits, targets, reduction):
    reduction = check_reduction(reduction)
    x = as_float_array(logits, "logits", ndims=(0, 1), what="() or (N,)")
    check_finite(x, "logits")
    t = as_float_array(targets, "targets", ndims=(0, 1), what="() or (N,)")
    check_same_shape(x, t, "logits", "targets")
    check_unit_interval(t, "targets")
    check_batch(x.size, reduction, "logits")
    return x, t, reduction


def sigmoid_binary_cross_entropy(
    logits: ArrayLike, targets: ArrayLike, *, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Binary cross-entropy of the sigmoid of logits (logistic loss).

    .. math::

        L = -t \log \sigma(x) - (1 - t) \log(1 - \sigma(x))
          = t \operatorname{softplus}(-x) + (1 - t) \operatorname{softplus}(x),

    with :math:`\operatorname{softplus}(x) = \log(1 + e^x)`, in nats.  For
    labels :math:`t \in \{0, 1\}` this is the logistic loss
    :math:`\log(1 + e^{-(2t - 1) x})`.

    Parameters
    ----------
    logits : float or array_like, shape (N,)
        Finite real scores :math:`x`.
    targets : float or array_like, shape (N,)
        Targets in [0, 1] (0/1 labels or soft targets), same shape.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the N examples, ``"sum"`` adds them and
        ``"none"`` returns the per-example losses (a float for scalar input).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or per-example losses.

    Raises
    ------
    TypeError
        If an argument is not a real number or an array of real numbers.
    ValueError
        If shapes differ or are not scalar/1-D, logits are not finite, targets
        are outside [0, 1], the reduction is unknown or the mean of an empty
        batch is requested.

    See Also
    --------
    sigmoid_binary_cross_entropy_grad, binary_cross_entropy

    Notes
    -----
    The two softplus terms are non-negative and each is computed as
    :math:`\max(\pm x, 0) + \operatorname{log1p}(e^{-|x|})`, so nothing
    overflows for any finite logit and the result has a relative error of a
    few machine epsilons, also for tiny losses (the common form
    :math:`\max(x, 0) - x t + \operatorname{log1p}(e^{-|x|})` loses them).

    References
    ----------
    - I. Goodfellow, Y. Bengio and A. Courville, "Deep Learning", MIT
      Press, 2016, section 6.2.2.

    Examples
    --------
    >>> from lossref import sigmoid_binary_cross_entropy
    >>> sigmoid_binary_cross_entropy([2.0, -1.0], [1, 0], reduction="none").round(4).tolist()
    [0.1269, 0.3133]
    >>> sigmoid_binary_cross_entropy(1e4, 0)
    10000.0
    >>> print(f"{sigmoid_binary_cross_entropy(50.0, 1):.4e}")
    1.9287e-22
    """
    x, t, reduction = _check_binary_logits(logits, targets, reduction)
    tail = np.log1p(np.exp(-np.abs(x)))
    per = t * (np.maximum(-x, 0.0) + tail) + (1.0 - t) * (np.maximum(x, 0.0) + tail)
    return reduce_loss(per.reshape(-1), reduction, x.ndim == 0)


def sigmoid_binary_cross_entropy_grad(
    logits: ArrayLike, targets: ArrayLike, *, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Gradient of :func:`sigmoid_binary_cross_entropy` with respect to the logits.

    .. math::

        \frac{\partial L}{\partial x} = \sigma(x) - t
        = (1 - t)\,\sigma(x) - t\,\sigma(-x).

    Parameters
    ----------
    logits, targets, reduction
        As in :func:`sigmoid_binary_cross_entropy`.

    Returns
    -------
    float or ndarray
        Same shape as ``logits`` (a Python float for scalar input); divided by
        N for ``"mean"``; for ``"none"`` each entry is the derivative of that
        example's own loss.

    Raises
    ------
    TypeError, ValueError
        As in :func:`sigmoid_binary_cross_entropy`.

    Notes
    -----
    The second form avoids the cancellation in :math:`\sigma(x) - 1` for
    confident correct predictions: with 0/1 targets the result has a relative
    error of a few machine epsilons.

    Examples
    --------
    >>> from lossref import sigmoid_binary_cross_entropy_grad
    >>> sigmoid_binary_cross_entropy_grad([0.0, 50.0], [1, 1], reduction="none").tolist()
    [-0.5, -1.9287498479639178e-22]
    """
    x, t, reduction = _check_binary_logits(logits, targets, reduction)
    e = np.exp(-np.abs(x))
    big = 1.0 / (1.0 + e)  # sigma(|x|)
    small = e * big  # sigma(-|x|)
    nonneg = x >= 0
    sig_x = np.where(nonneg, big, small)
    sig_negx = np.where(nonneg, small, big)
    grad = (1.0 - t) * sig_x - t * sig_negx
    if x.ndim == 0:
        return float(grad)
    return reduce_grad(grad, reduction, x.shape[0])
