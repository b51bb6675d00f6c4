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
import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._reduction import reduce_grad, reduce_loss
from ._validation import (
    as_float_array,
    check_batch,
    check_finite,
    check_labels,
    check_probabilities,
    check_reduction,
    check_row_sums,
    check_same_shape,
    check_scores_labels,
    check_unit_interval,
    input_eps,
    log_of_base,
    nonnegative_scalar,
    real_scalar,
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


def _label_nll(s: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, bool]:
    """``-ln softmax(s)[i, y_i]`` for the rows of ``s`` (N, C), and whether ``s`` is finite.

    With ``m = max_j s_j`` at ``k`` and ``t = sum_{j != k} exp(s_j - m)`` the loss is
    ``(m - s_y) + log1p(t)``: two terms >= 0; the rows where the rounding of
    ``s_j - m`` would matter are recomputed exactly.
    """
    rows = np.arange(s.shape[0])
    correct = s[rows, y]

    def result_scale(start, stop, m, t):
        with np.errstate(over="ignore"):
            return (m - correct[start:stop]) + np.log1p(t)

    _, m, t, finite = _softmax_rows(s, scale=result_scale)
    if not finite:
        return m, False
    with np.errstate(over="ignore"):  # a loss beyond 1.8e308 is inf
        loss = (m - correct) + np.log1p(t)
    return loss, True


def _softmax_minus_onehot(s: np.ndarray, y: np.ndarray, factor: float) -> tuple[np.ndarray, bool]:
    """``(softmax(s) - onehot(y)) / factor`` for ``s`` (N, C), and whether ``s`` is finite.

    The entry of the correct class, ``p_y - 1``, is ``-t / (1 + t)`` when ``y`` is the
    arg-max (no cancellation), else ``p_y - 1`` with ``p_y <= 1/2``.
    """
    grad = np.empty_like(s)
    k, _, t, finite = _softmax_rows(
        s, d_out=grad, e_out=grad, divisor=lambda _a, _b, t: (1.0 + t) * factor
    )
    if not finite:
        return grad, False
    rows = np.arange(s.shape[0])
    grad[rows, y] = np.where(y == k, 0.0 - t / ((1.0 + t) * factor), grad[rows, y] - 1.0 / factor)
    return grad, True


def _neg_log_softmax(s: np.ndarray) -> np.ndarray:
    """``-ln softmax(s)`` of finite rows (N, C) as ``log1p(t) - (s_j - m)``: two terms >= 0.

    ``s_j - m`` below -1.8e308 is -inf, and that entry is inf.
    """
    d = np.empty_like(s)
    _, _, t, _ = _softmax_rows(s, scale=lambda _a, _b, _m, t: np.log1p(t), d_out=d)
    return np.log1p(t)[:, None] - d


def _softmax_probs(s: np.ndarray) -> np.ndarray:
    """``softmax(s)`` of finite rows (N, C), every entry to a few ulps."""
    out = np.empty_like(s)
    _softmax_rows(s, refine_all=True, e_out=out, divisor=lambda _a, _b, t: 1.0 + t)
    return out


def _weighted_row_sums(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``sum_c a_c x_c`` per row, a term being 0 wherever ``a_c = 0`` (even if ``x_c = inf``)."""
    terms = np.zeros(np.broadcast_shapes(a.shape, x.shape))
    with np.errstate(over="ignore"):
        np.multiply(a, x, out=terms, where=a > 0)
        return terms.sum(axis=-1)


def _label_smoothing(value: Any) -> float:
    eps = real_scalar(value, "label_smoothing")
    if not 0.0 <= eps <= 1.0:
        raise ValueError(
            f"label_smoothing must be in [0, 1] (the weight of the uniform distribution "
            f"mixed into the target); got {eps!r}"
        )
    return eps


def _ignore_index(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"ignore_index must be an integer class index or None; "
            f"got an object of type {type(value).__name__}"
        )
    return int(value)


def _class_weights(weights: Any, n_classes: int) -> np.ndarray | None:
    if weights is None:
        return None
    w = as_float_array(weights, "weights", ndims=(1,), what=f"({n_classes},), one per class")
    if w.shape != (n_classes,):
        raise ValueError(
            f"weights must have shape ({n_classes},), one weight per class of scores; "
            f"got shape {w.shape}"
        )
    check_finite(w, "weights")
    if (w < 0).any():
        j = int(np.flatnonzero(w < 0)[0])
        raise ValueError(f"weights must be >= 0; got {float(w[j])!r} at position {j}")
    return w


def _is_distribution(scores: Any, labels: Any) -> bool:
    """Whether ``labels`` are probability targets: a float array with the scores' shape.

    Integer labels with the scores' shape raise ``TypeError`` (one-hot rows must be
    floats, as in PyTorch); anything else is left to the checks of class indices.
    """
    if isinstance(labels, (str, bytes)) or labels is None:
        return False
    try:
        lab = np.asarray(labels)
        shape = np.shape(scores)
    except (ValueError, TypeError):  # ragged input: the checks below report it
        return False
    if lab.ndim == 0 or lab.shape != shape:
        return False
    if lab.dtype.kind in "iu":
        raise TypeError(
            f"labels with the shape of scores {shape} are probability targets and must have "
            f"a float dtype; got dtype {lab.dtype} (use labels.astype(float) for one-hot "
            f"rows, or class indices of shape {shape[:-1] or '()'})"
        )
    return lab.dtype.kind == "f"


def _with_soft_hint(exc: TypeError, shape: Any) -> TypeError:
    """The TypeError of float labels, with a pointer to probability targets."""
    if "integer dtype" not in str(exc):
        return exc
    return TypeError(
        f"{exc}; probability targets (soft labels) must be a float array with the shape "
        f"of scores {shape}"
    )


def _is_plain(scores, labels, eps, weights, ignore_index) -> bool:
    """The defaults: index labels, no smoothing, weights or ignore_index."""
    return (
        eps == 0.0
        and weights is None
        and _ignore_index(ignore_index) is None
        and not _is_distribution(scores, labels)
    )


class _Targets:
    """Validated softmax cross-entropy input, every example a row.

    ``s`` (N, C) scores; for index targets ``y`` (N,) labels (0 where ignored), ``keep``
    (N,) bool and ``coef`` (N,) = (1 - eps) w_y keep; for probability targets ``a``
    (N, C) = w * ((1 - eps) q + eps / C) and ``y = None``.  ``w`` (C,) or None;
    ``divisor``: what ``"mean"`` divides the sum by.
    """

    def __init__(self, scores, labels, reduction, label_smoothing, weights, ignore_index):
        self.eps = _label_smoothing(label_smoothing)
        ignore = _ignore_index(ignore_index)
        soft = _is_distribution(scores, labels)
        self.reduction = check_reduction(reduction)
        s = as_float_array(scores, "scores", ndims=(1, 2), what="(C,) or (N, C)")
        if s.shape[-1] == 0:
            raise ValueError(f"scores must have at least one class; got shape {s.shape}")
        check_finite(s, "scores")
        self.single = s.ndim == 1
        self.s = s.reshape(1, -1) if self.single else s
        n, c = self.s.shape
        self.w = _class_weights(weights, c)
        if soft:
            if ignore is not None:
                raise ValueError(
                    "ignore_index applies to class-index labels only; labels are probability "
                    "targets (a float array with the shape of scores); drop the examples to "
                    "ignore instead"
                )
            q = as_float_array(labels, "labels", ndims=(1, 2))
            check_unit_interval(q, "labels")
            check_row_sums(q, "labels", input_eps(labels))
            q = q.reshape(n, c)
            target = q if self.eps == 0.0 else (1.0 - self.eps) * q + self.eps / c
            self.a = target if self.w is None else target * self.w
            self.y = None
            check_batch(n, self.reduction, "scores")
            self.divisor = float(n)
            return
        raw = labels
        keep = None
        if ignore is not None and not isinstance(labels, (str, bytes)) and labels is not None:
            try:
                arr = np.asarray(labels)
            except (ValueError, TypeError):
                arr = None
            if arr is not None and arr.dtype.kind in "iu":
                keep = arr != ignore
                raw = np.where(keep, arr, 0).astype(arr.dtype, copy=False)
        try:
            y = check_labels(raw, c, None if self.single else n)
        except TypeError as exc:
            raise _with_soft_hint(exc, s.shape) from None
        self.y = y.reshape(-1)
        self.keep = np.ones(n, dtype=bool) if keep is None else keep.reshape(-1)
        check_batch(n, self.reduction, "scores")
        w_y = np.ones(n) if self.w is None else self.w[self.y]
        w_y = np.where(self.keep, w_y, 0.0)
        self.divisor = float(np.sum(w_y))
        if self.reduction == "mean" and self.divisor == 0.0 and n > 0:
            if not self.keep.any():
                raise ValueError(
                    f"every example is ignored (all labels equal ignore_index={ignore}): the "
                    f"mean over the remaining examples is undefined; use reduction='sum' or "
                    f"'none'"
                )
            raise ValueError(
                "weights of the labels' classes sum to 0 over the batch: the weighted mean "
                "(divided by sum_i weights[labels[i]]) is undefined; use reduction='sum' "
                "or 'none'"
            )
        self.coef = (1.0 - self.eps) * w_y

    def reduce(self, per: np.ndarray, ln_base: float) -> float | np.ndarray:
        """Divide per-example losses by ``ln b`` and apply the reduction."""
        if ln_base != 1.0:
            per = per / ln_base
        if self.reduction == "none":
            return float(per[0]) if self.single else per
        with np.errstate(over="ignore"):  # a total beyond 1.8e308 is inf
            total = float(np.sum(per))
        return total if self.reduction == "sum" else total / self.divisor


def softmax_cross_entropy(
    scores: ArrayLike,
    labels: ArrayLike,
    *,
    base: float = math.e,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    weights: ArrayLike | None = None,
    ignore_index: int | None = None,
) -> float | np.ndarray:
    r"""Softmax cross-entropy (multinomial logistic loss) of class scores.

    For an example with scores :math:`s`, probabilities :math:`p =
    \operatorname{softmax}(s)` and correct class :math:`y`

    .. math::

        L = -\log_b \frac{e^{s_y}}{\sum_j e^{s_j}}
          = \frac{\operatorname{logsumexp}(s) - s_y}{\ln b},

    the negative log-probability that the softmax of the scores gives to the
    correct class, in base :math:`b` (natural logarithm by default).

    In general, with a target distribution :math:`q` over the C classes (the
    one-hot row of an index label, or a row of probability targets), label
    smoothing :math:`\varepsilon` and class weights :math:`w`,

    .. math::

        q' = (1 - \varepsilon)\, q + \frac{\varepsilon}{C}, \qquad
        L = -\sum_c w_c\, q'_c \log_b p_c ,

    which is the loss above for :math:`\varepsilon = 0` and :math:`w = 1`.  For an
    index label and no weights, :math:`L = L_{\varepsilon=0} + \varepsilon (s_y -
    \bar s) / \ln b` with :math:`\bar s` the mean score: smoothing charges the
    correct score's lead over the mean.

    Parameters
    ----------
    scores : array_like, shape (C,) or (N, C)
        Raw class scores (logits) of one example or of N examples.
    labels : int or array_like
        The dtype decides what they are.  *Class indices* (an integer dtype): a
        single integer for 1-D ``scores``, else shape (N,), values in [0, C).
        *Probability targets* (soft labels; a float dtype): exactly the shape
        of ``scores``, entries in [0, 1], rows summing to 1 (absolute tolerance
        ``max(1e-4, C * eps)``, ``eps`` the machine epsilon of their dtype),
        used as given (not renormalized).  Float labels of any other shape
        (``1.0``, ``[0.0, 2.0]``) are rejected, and one-hot rows must be given
        as floats, as in PyTorch.
    base : float, default math.e
        Base of the logarithm: ``math.e`` (nats), ``2`` (bits) or ``10``.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the examples: over the N examples by
        default, a weighted mean with ``weights`` or ``ignore_index`` (see
        Notes); ``"sum"`` adds the per-example losses and ``"none"`` returns
        them (shape (N,), 0 for an ignored example; a float for a single
        example).
    label_smoothing : float in [0, 1], default 0.0
        :math:`\varepsilon`: the target becomes :math:`(1 - \varepsilon) q +
        \varepsilon / C`, a mix with the uniform distribution over all C
        classes (the correct class included), for index and probability
        targets alike: PyTorch's, Keras's and optax's definition.
    weights : array_like, shape (C,), optional
        A weight :math:`w_c \ge 0` per class (PyTorch's ``weight``); each term
        of class c is multiplied by :math:`w_c`.
    ignore_index : int, optional
        For index labels only: examples whose label equals it contribute 0 to
        the loss and nothing to the divisor of the mean (PyTorch's
        ``ignore_index``; its default -100 never matches a label, like
        ``None`` here).  It may lie outside [0, C).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the per-example losses.

    Raises
    ------
    TypeError
        If scores or weights are not real numbers, labels are neither integers
        nor float probability targets of the scores' shape, ``base`` or
        ``label_smoothing`` is not a number, or ``ignore_index`` is not an
        integer.
    ValueError
        If shapes do not match, labels are out of range, scores or weights
        are not finite, probability targets are outside [0, 1] or do not sum
        to 1, ``label_smoothing`` is outside [0, 1], a weight is negative,
        ``ignore_index`` is given with probability targets, ``base`` is not a
        finite number > 0 other than 1, the reduction is unknown, or a mean
        has nothing to divide by (an empty batch, every example ignored, or
        the labels' weights summing to 0).

    See Also
    --------
    softmax_cross_entropy_grad, cross_entropy, log_softmax

    Notes
    -----
    **What the mean divides by.**  For index labels, as in PyTorch's
    ``cross_entropy``, ``"mean"`` is the weighted mean

    .. math::

        L = \frac{\sum_i L_i}{\sum_{i \text{ kept}} w_{y_i}}, \qquad
        L_i = (1 - \varepsilon)\, w_{y_i} \ell_{i y_i}
            + \frac{\varepsilon}{C} \sum_c w_c \ell_{ic},

    with :math:`\ell_{ic} = -\log_b p_{ic}` and the sum in the divisor over
    the examples not ignored.  It divides by the labels' weights even with
    smoothing (not by :math:`\sum_c w_c q'_c`); scaling every weight by a
    constant leaves it unchanged, and a single example gets its unweighted
    loss.  The other normalization, :math:`\frac{1}{N} \sum_i L_i` (Keras's
    default reduction of a ``sample_weight``), is ``reduction="sum"``
    divided by N.  For probability targets PyTorch and lossref divide by N,
    with or without weights: one-hot float rows with ``weights`` give
    :math:`\sum_i w_{y_i} / N` times the loss of the same labels as indices.
    Where the divisor is 0 lossref raises ``ValueError`` and PyTorch returns
    ``nan``.  PyTorch also accepts negative weights and probability rows
    that are not distributions, and treats a negative ``label_smoothing`` as
    0; lossref refuses all three, and both refuse ``ignore_index`` with
    probability targets.  Keras's ``sample_weight`` multiplies each
    example's whole loss, so ``sample_weight=w[labels]`` matches ``weights=w``
    only without smoothing.

    **Accuracy.**  With the defaults, with :math:`m = \max_j s_j` attained at
    index :math:`k`, the loss is computed as

    .. math::

        L = (m - s_y) + \operatorname{log1p}\Bigl(\sum_{j \ne k} e^{s_j - m}\Bigr),

    a sum of two non-negative terms, so there is no cancellation: the result
    has a relative error of a few machine epsilons for every input, including
    scores of magnitude ``1e4`` or more and confidently correct examples whose
    loss is tiny (``1e-40`` is returned as such, not as 0).  Rows where the
    rounding of :math:`s_j - m` would matter are recomputed exactly.  With
    smoothing, weights or probability targets the loss is
    :math:`\sum_c a_c \ell_c` with every :math:`a_c, \ell_c \ge 0` (the
    :math:`\ell_c` from the same accurate log-softmax), so there is no
    cancellation either.  A loss beyond the float64 range (scores differing
    by more than about 1.8e308) is returned as ``inf``.

    References
    ----------
    - CS231n, "Linear classification",
      https://cs231n.github.io/linear-classify/
    - C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens and Z. Wojna,
      "Rethinking the Inception Architecture for Computer Vision", CVPR 2016
      (label smoothing).
    - R. Müller, S. Kornblith and G. E. Hinton, "When does label smoothing
      help?", NeurIPS 2019.

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

    Smoothing adds 0.1 times the cat score's lead over the mean score, 3.2 - 2.2:

    >>> round(softmax_cross_entropy([3.2, 5.1, -1.7], 0, label_smoothing=0.1), 4)
    2.1404
    >>> round(softmax_cross_entropy([3.2, 5.1, -1.7], [0.9, 0.1, 0.0]), 4)  # soft label
    1.8504

    Class weights (a weighted mean) and an ignored example:

    >>> scores = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]
    >>> round(softmax_cross_entropy(scores, [0, 1, 2], weights=[2.0, 1.0, 1.0]), 4)
    2.5791
    >>> softmax_cross_entropy(scores, [0, -100, 2], ignore_index=-100,
    ...                       reduction="none").round(4).tolist()
    [2.0404, 0.0, 6.1565]
    """
    eps = _label_smoothing(label_smoothing)
    if not _is_plain(scores, labels, eps, weights, ignore_index):
        tg = _Targets(scores, labels, reduction, label_smoothing, weights, ignore_index)
        ln_base = log_of_base(base)
        nll = _neg_log_softmax(tg.s) if tg.y is None or tg.eps > 0.0 else None
        if tg.y is None:
            per = _weighted_row_sums(tg.a, nll)
        else:
            nll_y, _ = _label_nll(tg.s, tg.y)
            per = np.zeros_like(nll_y)
            with np.errstate(over="ignore"):
                np.multiply(tg.coef, nll_y, out=per, where=tg.coef > 0)
            if tg.eps > 0.0:
                w = np.ones(tg.s.shape[1]) if tg.w is None else tg.w
                smooth = _weighted_row_sums(w, nll) * (tg.eps / tg.s.shape[1])
                with np.errstate(over="ignore"):
                    per = per + np.where(tg.keep, smooth, 0.0)
        return tg.reduce(per, ln_base)

    try:
        s, y, reduction, single = check_scores_labels(scores, labels, reduction, finite=False)
    except TypeError as exc:
        raise _with_soft_hint(exc, np.shape(scores)) from None
    ln_base = log_of_base(base)
    loss, finite = _label_nll(s, y)
    if not finite:
        check_finite(s.reshape(-1) if single else s, "scores")  # raises
    if ln_base != 1.0:
        loss /= ln_base
    return reduce_loss(loss, reduction, single)


def softmax_cross_entropy_grad(
    scores: ArrayLike,
    labels: ArrayLike,
    *,
    base: float = math.e,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    weights: ArrayLike | None = None,
    ignore_index: int | None = None,
) -> np.ndarray:
    r"""Gradient of :func:`softmax_cross_entropy` with respect to the scores.

    For one example, with :math:`p = \operatorname{softmax}(s)` and the
    weighted, smoothed target :math:`a_c = w_c q'_c` of
    :func:`softmax_cross_entropy`,

    .. math::

        \frac{\partial L}{\partial s_j} = \frac{p_j \sum_c a_c - a_j}{\ln b},

    which is :math:`(p_j - \mathbb{1}[j = y]) / \ln b` with the defaults and
    :math:`(p_j - q'_j) / \ln b` without weights.  Every row sums to 0.

    Parameters
    ----------
    scores, labels, base, reduction, label_smoothing, weights, ignore_index
        As in :func:`softmax_cross_entropy`.

    Returns
    -------
    ndarray
        Same shape as ``scores``; for ``"mean"`` divided by what the loss's
        mean divides by (N, or the sum of the labels' weights).  For
        ``"none"`` each row is the gradient of that example's own loss (the
        same array as for ``"sum"``); the rows of ignored examples are 0.

    Raises
    ------
    TypeError, ValueError
        As in :func:`softmax_cross_entropy`.

    Notes
    -----
    The entry of the correct class, :math:`p_y - 1`, is computed as
    :math:`-\sum_{j \ne y} e^{s_j - m} / \sum_j e^{s_j - m}` when :math:`y`
    is the arg-max, so it keeps its relative accuracy when :math:`p_y \approx
    1`.  With the defaults every entry has a relative error of at most about
    :math:`(4 + |s_j - \max s|)\,\epsilon`.  With smoothing, weights or
    probability targets an entry :math:`p_j \sum_c a_c - a_j` cancels where
    the prediction matches the target (the gradient vanishes at the optimum);
    its error is then a few epsilons of the larger term.

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

    With smoothing 0.1 the target is (0.9333, 0.0333, 0.0333), and the
    gradient is the softmax minus it:

    >>> softmax_cross_entropy_grad([3.2, 5.1, -1.7], 0, label_smoothing=0.1).round(4).tolist()
    [-0.8034, 0.8357, -0.0324]
    """
    eps = _label_smoothing(label_smoothing)
    if not _is_plain(scores, labels, eps, weights, ignore_index):
        tg = _Targets(scores, labels, reduction, label_smoothing, weights, ignore_index)
        ln_base = log_of_base(base)
        c = tg.s.shape[1]
        with np.errstate(over="ignore"):
            if tg.y is None:
                grad = _softmax_probs(tg.s) * tg.a.sum(axis=1, keepdims=True) - tg.a
            else:
                grad, _ = _softmax_minus_onehot(tg.s, tg.y, 1.0)
                grad *= tg.coef[:, None]
                if tg.eps > 0.0:
                    w = np.ones(c) if tg.w is None else tg.w
                    smooth = _softmax_probs(tg.s) * np.sum(w) - w
                    grad += (tg.eps / c) * np.where(tg.keep[:, None], smooth, 0.0)
            scale = (tg.divisor if tg.reduction == "mean" else 1.0) * ln_base
            if scale != 1.0:
                grad /= scale
        return grad.reshape(-1) if tg.single else grad

    try:
        s, y, reduction, single = check_scores_labels(scores, labels, reduction, finite=False)
    except TypeError as exc:
        raise _with_soft_hint(exc, np.shape(scores)) from None
    ln_base = log_of_base(base)
    # the gradient of the reduced loss: (p - onehot(y)) / factor
    factor = (s.shape[0] if reduction == "mean" else 1) * ln_base
    grad, finite = _softmax_minus_onehot(s, y, factor)
    if not finite:
        check_finite(s.reshape(-1) if single else s, "scores")  # raises
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
    """Logits and targets of shape (), (N,) or (N, K) (K independent labels per example)."""
    reduction = check_reduction(reduction)
    x = as_float_array(logits, "logits", ndims=(0, 1, 2), what="(), (N,) or (N, K)")
    check_finite(x, "logits")
    t = as_float_array(targets, "targets", ndims=(0, 1, 2), what="(), (N,) or (N, K)")
    check_same_shape(x, t, "logits", "targets")
    check_unit_interval(t, "targets")
    check_batch(x.shape[0] if x.ndim else 1, reduction, "logits")
    return x, t, reduction


def _pos_weight(value: Any, x: np.ndarray) -> np.ndarray | float:
    """A weight >= 0 of the positive term: a number, or one per label (shape (K,))."""
    if value is None:
        return 1.0
    if x.ndim == 2 and np.ndim(value) == 1:
        w = as_float_array(value, "pos_weight", ndims=(1,))
        if w.shape != x.shape[1:]:
            raise ValueError(
                f"pos_weight must be a number or have shape ({x.shape[1]},), one weight per "
                f"label of logits {x.shape}; got shape {w.shape}"
            )
        check_finite(w, "pos_weight")
        if (w < 0).any():
            raise ValueError(f"pos_weight must be >= 0; got {float(w[w < 0][0])!r}")
        return w
    if np.ndim(value) != 0:
        raise ValueError(
            f"pos_weight must be a number, or for logits of shape (N, K) one weight per label; "
            f"got shape {np.shape(value)} for logits of shape {x.shape}"
        )
    if isinstance(value, np.ndarray):
        value = value.item()
    return nonnegative_scalar(value, "pos_weight")


def _softplus_pair(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``softplus(-x)`` and ``softplus(x)``, each ``max(±x, 0) + log1p(exp(-|x|))``: >= 0."""
    tail = np.log1p(np.exp(-np.abs(x)))
    return np.maximum(-x, 0.0) + tail, np.maximum(x, 0.0) + tail


def _sigmoid_pair(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sigmoid(x)`` and ``sigmoid(-x)``, each to a few ulps (no ``1 - sigmoid``)."""
    e = np.exp(-np.abs(x))
    big = 1.0 / (1.0 + e)  # sigma(|x|)
    small = e * big  # sigma(-|x|)
    nonneg = x >= 0
    return np.where(nonneg, big, small), np.where(nonneg, small, big)


def _reduce_binary(per_entry: np.ndarray, reduction: str, x: np.ndarray) -> float | np.ndarray:
    """An example's loss is the sum over its K labels; then the usual reduction over N."""
    per_example = per_entry.sum(axis=1) if x.ndim == 2 else per_entry.reshape(-1)
    return reduce_loss(per_example, reduction, x.ndim == 0)


def _reduce_binary_grad(grad: np.ndarray, reduction: str, x: np.ndarray) -> float | np.ndarray:
    if x.ndim == 0:
        return float(grad)
    return reduce_grad(grad, reduction, x.shape[0])


def sigmoid_binary_cross_entropy(
    logits: ArrayLike,
    targets: ArrayLike,
    *,
    pos_weight: ArrayLike | None = None,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Binary cross-entropy of the sigmoid of logits (logistic loss).

    .. math::

        L = -w_+ t \log \sigma(x) - (1 - t) \log(1 - \sigma(x))
          = w_+ t \operatorname{softplus}(-x) + (1 - t) \operatorname{softplus}(x),

    with :math:`\operatorname{softplus}(x) = \log(1 + e^x)`, in nats, and
    :math:`w_+` = ``pos_weight`` (1 by default).  For labels :math:`t \in \{0,
    1\}` and :math:`w_+ = 1` this is the logistic loss :math:`\log(1 +
    e^{-(2t - 1) x})`.

    Parameters
    ----------
    logits : float or array_like, shape (N,) or (N, K)
        Finite real scores :math:`x`: one per example, or K per example for
        multi-label classification (K independent yes/no labels).
    targets : float or array_like, same shape
        Targets in [0, 1] (0/1 labels or soft targets).
    pos_weight : float or array_like of shape (K,), optional
        :math:`w_+ \ge 0`, the weight of the positive term (PyTorch's
        ``pos_weight``): a number, or one per label for (N, K) logits.  With
        :math:`w_+ = N_- / N_+` the positives of a label weigh as much in
        total as its negatives.
    reduction : {"mean", "sum", "none"}, default "mean"
        Over examples.  An example's loss is the sum over its K labels (the
        negative log-likelihood of K independent labels); ``"mean"``
        averages it over the N examples, ``"sum"`` adds them and ``"none"``
        returns them, shape (N,) (a float for scalar input).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or per-example losses.

    Raises
    ------
    TypeError
        If an argument is not a real number or an array of real numbers.
    ValueError
        If shapes differ or have more than two dimensions, logits are not
        finite, targets are outside [0, 1], ``pos_weight`` is negative, not
        finite or of the wrong shape, the reduction is unknown or the mean of
        an empty batch is requested.

    See Also
    --------
    sigmoid_binary_cross_entropy_grad, binary_cross_entropy, sigmoid_focal_loss

    Notes
    -----
    PyTorch's ``binary_cross_entropy_with_logits`` and Keras's
    ``BinaryCrossentropy`` average over all N K entries by default, which is
    this mean divided by K; optax returns one loss per entry.

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

    Two examples with three labels each; positives weigh three times as much:

    >>> logits = [[2.0, -1.0, 0.5], [0.0, 1.5, -2.0]]
    >>> labels = [[1, 0, 0], [1, 1, 0]]
    >>> round(sigmoid_binary_cross_entropy(logits, labels), 4)
    1.2179
    >>> round(sigmoid_binary_cross_entropy(logits, labels, pos_weight=3.0), 4)
    2.2394
    """
    x, t, reduction = _check_binary_logits(logits, targets, reduction)
    w = _pos_weight(pos_weight, x)
    minus, plus = _softplus_pair(x)
    per = w * t * minus + (1.0 - t) * plus
    return _reduce_binary(per, reduction, x)


def sigmoid_binary_cross_entropy_grad(
    logits: ArrayLike,
    targets: ArrayLike,
    *,
    pos_weight: ArrayLike | None = None,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Gradient of :func:`sigmoid_binary_cross_entropy` with respect to the logits.

    .. math::

        \frac{\partial L}{\partial x} = (1 - t)\,\sigma(x) - w_+ t\,\sigma(-x),

    which is :math:`\sigma(x) - t` for :math:`w_+ = 1`.

    Parameters
    ----------
    logits, targets, pos_weight, reduction
        As in :func:`sigmoid_binary_cross_entropy`.

    Returns
    -------
    float or ndarray
        Same shape as ``logits`` (a Python float for scalar input); divided by
        N for ``"mean"``; for ``"none"`` each row is the gradient of that
        example's own loss.

    Raises
    ------
    TypeError, ValueError
        As in :func:`sigmoid_binary_cross_entropy`.

    Notes
    -----
    The form avoids the cancellation in :math:`\sigma(x) - 1` for confident
    correct predictions: with 0/1 targets the result has a relative error of
    a few machine epsilons.

    Examples
    --------
    >>> from lossref import sigmoid_binary_cross_entropy_grad
    >>> sigmoid_binary_cross_entropy_grad([0.0, 50.0], [1, 1], reduction="none").tolist()
    [-0.5, -1.9287498479639178e-22]
    """
    x, t, reduction = _check_binary_logits(logits, targets, reduction)
    w = _pos_weight(pos_weight, x)
    sig_x, sig_negx = _sigmoid_pair(x)
    grad = (1.0 - t) * sig_x - w * t * sig_negx
    return _reduce_binary_grad(grad, reduction, x)
