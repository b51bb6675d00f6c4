"""Margin (hinge) losses: the multiclass SVM loss of CS231n and the binary hinge."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._reduction import reduce_grad, reduce_loss
from ._validation import (
    as_float_array,
    check_batch,
    check_binary_targets,
    check_finite,
    check_flag,
    check_reduction,
    check_same_shape,
    check_scores_labels,
    nonnegative_scalar,
)

__all__ = ["binary_hinge", "binary_hinge_grad", "multiclass_hinge", "multiclass_hinge_grad"]


def _hinge_margins(s, y, margin, include_correct):
    """max(0, s_j - s_y + margin), zero in the true column unless included."""
    rows = np.arange(s.shape[0])
    correct = s[rows, y][:, None]
    with np.errstate(over="ignore"):  # a margin beyond 1.8e308 is inf
        out = s - correct
        out += margin
    np.maximum(out, 0.0, out=out)
    if not include_correct:
        out[rows, y] = 0.0
    return rows, out


def _check_hinge_options(margin, squared, include_correct):
    margin = nonnegative_scalar(margin, "margin")
    check_flag(squared, "squared")
    check_flag(include_correct, "include_correct")
    return margin


def multiclass_hinge(
    scores: ArrayLike,
    labels: ArrayLike,
    *,
    margin: float = 1.0,
    squared: bool = False,
    include_correct: bool = False,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Multiclass SVM (hinge) loss of Weston and Watkins, as in CS231n.

    For an example with scores :math:`s` and correct class :math:`y`

    .. math::

        L = \sum_{j \ne y} \max(0,\; s_j - s_y + \Delta),

    or :math:`\sum_{j \ne y} \max(0, s_j - s_y + \Delta)^2` with
    ``squared=True``.  With ``include_correct=True`` the sum also runs over
    :math:`j = y`, whose term is always :math:`\Delta` (:math:`\Delta^2` if
    squared); this is the variant obtained by forgetting to skip the correct
    class.

    Parameters
    ----------
    scores : array_like, shape (C,) or (N, C)
        Raw class scores of one example or of a batch of N examples.
    labels : int or array_like of int, shape (N,)
        Correct class of each example, integers in [0, C).  A single integer
        for 1-D ``scores``.  Float labels are rejected.
    margin : float, default 1.0
        The margin :math:`\Delta \ge 0`.
    squared : bool, default False
        Square each hinge term (the "L2-SVM" loss).
    include_correct : bool, default False
        Also add the term of the correct class.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the N examples, ``"sum"`` adds them and
        ``"none"`` returns the per-example losses (shape (N,); a float for a
        single example).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or per-example losses.

    Raises
    ------
    TypeError
        If an argument has the wrong type (labels not integers, boolean or
        string arrays, non-numeric margin, non-boolean flags).
    ValueError
        If shapes do not match, labels are out of range, scores are not
        finite, the margin is negative or infinite, the reduction is unknown or
        the mean of an empty batch is requested.

    See Also
    --------
    multiclass_hinge_grad, binary_hinge, softmax_cross_entropy

    Notes
    -----
    The loss is computed as :math:`(s_j - s_y) + \Delta` per term, as written
    in the CS231n notes; every result is within a few machine epsilons of the
    exact value (relative to the scores' magnitude).

    PyTorch's ``multi_margin_loss`` divides each example's loss by the number
    of classes C; this function does not.

    References
    ----------
    - J. Weston and C. Watkins, "Support Vector Machines for Multi-Class
      Pattern Recognition", ESANN 1999.
    - CS231n, "Linear classification",
      https://cs231n.github.io/linear-classify/

    Examples
    --------
    The three images of the CS231n notes (classes cat, car, frog):

    >>> from lossref import multiclass_hinge
    >>> scores = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]
    >>> labels = [0, 1, 2]
    >>> multiclass_hinge(scores, labels, reduction="none").round(4).tolist()
    [2.9, 0.0, 12.9]
    >>> round(multiclass_hinge(scores, labels), 4)
    5.2667
    >>> round(multiclass_hinge(scores[0], 0), 4)
    2.9
    >>> round(multiclass_hinge(scores[0], 0, include_correct=True), 4)
    3.9
    """
    s, y, reduction, single = check_scores_labels(scores, labels, reduction)
    margin = _check_hinge_options(margin, squared, include_correct)
    _, terms = _hinge_margins(s, y, margin, include_correct)
    if squared:
        with np.errstate(over="ignore"):
            np.square(terms, out=terms)
    return reduce_loss(terms.sum(axis=1), reduction, single)


def multiclass_hinge_grad(
    scores: ArrayLike,
    labels: ArrayLike,
    *,
    margin: float = 1.0,
    squared: bool = False,
    include_correct: bool = False,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`multiclass_hinge` with respect to the scores.

    With :math:`h_j = s_j - s_y + \Delta` and the indicator
    :math:`\mathbb{1}[h_j > 0]`, for one example

    .. math::

        \frac{\partial L}{\partial s_j} = \mathbb{1}[h_j > 0]
        \quad (j \ne y), \qquad
        \frac{\partial L}{\partial s_y} = -\sum_{j \ne y} \mathbb{1}[h_j > 0],

    and with ``squared=True`` the indicator is replaced by
    :math:`2 \max(0, h_j)`.  The term of the correct class added by
    ``include_correct=True`` is the constant :math:`\Delta`, so it does not
    change the gradient.

    Parameters
    ----------
    scores, labels, margin, squared, include_correct, reduction
        As in :func:`multiclass_hinge`.

    Returns
    -------
    ndarray
        Same shape as ``scores``: the gradient of the reduced loss (divided by
        N for ``"mean"``).  For ``"none"`` each row is the gradient of that
        example's own loss, which equals the ``"sum"`` gradient.

    Raises
    ------
    TypeError, ValueError
        As in :func:`multiclass_hinge`.

    Notes
    -----
    The hinge is not differentiable at :math:`h_j = 0`; there the subgradient
    with indicator 0 is returned (the test is ``h_j > 0`` on the computed
    :math:`h_j`), as in the CS231n assignments.  The squared hinge is
    differentiable everywhere.

    References
    ----------
    - CS231n, "Optimization: stochastic gradient descent",
      https://cs231n.github.io/optimization-1/

    Examples
    --------
    >>> from lossref import multiclass_hinge_grad
    >>> multiclass_hinge_grad([3.2, 5.1, -1.7], 0).tolist()
    [-1.0, 1.0, 0.0]
    >>> multiclass_hinge_grad([0.0, 1.0, 0.0], 1).tolist()  # both at the kink
    [0.0, 0.0, 0.0]
    """
    s, y, reduction, single = check_scores_labels(scores, labels, reduction)
    margin = _check_hinge_options(margin, squared, include_correct)
    rows, terms = _hinge_margins(s, y, margin, include_correct=False)
    if squared:
        grad = terms
        with np.errstate(over="ignore"):
            grad *= 2.0
    else:
        grad = np.greater(terms, 0.0, out=terms)  # indicator, in place (0.0 / 1.0)
    grad[rows, y] = 0.0 - grad.sum(axis=1)
    grad = reduce_grad(grad, reduction, s.shape[0])
    return grad.reshape(-1) if single else grad


def _check_binary(scores, targets, reduction, margin):
    reduction = check_reduction(reduction)
    s = as_float_array(scores, "scores", ndims=(0, 1), what="() or (N,)")
    check_finite(s, "scores")
    t = as_float_array(targets, "targets", ndims=(0, 1), what="() or (N,)")
    check_same_shape(s, t, "scores", "targets")
    check_binary_targets(t, "targets")
    margin = nonnegative_scalar(margin, "margin")
    check_batch(s.size, reduction, "scores")
    return s, t, reduction, margin


def binary_hinge(
    scores: ArrayLike, targets: ArrayLike, *, margin: float = 1.0, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Binary hinge loss for targets in {-1, +1}: :math:`\max(0, \Delta - t s)`.

    Parameters
    ----------
    scores : float or array_like, shape (N,)
        Real-valued scores (the decision function), one per example.
    targets : float or array_like, shape (N,)
        The labels, each -1 or +1 (integers or floats).  0/1 labels are
        rejected; convert them with ``2 * y - 1``.
    margin : float, default 1.0
        The margin :math:`\Delta \ge 0`.
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
        If an argument has the wrong type.
    ValueError
        If shapes differ, targets are not -1 or +1, scores are not finite, the
        margin is negative or infinite, the reduction is unknown or the mean of
        an empty batch is requested.

    See Also
    --------
    binary_hinge_grad, multiclass_hinge

    Notes
    -----
    Computed as ``max(0, margin - targets * scores)``: two roundings.

    References
    ----------
    - C. Cortes and V. Vapnik, "Support-vector networks", Machine
      Learning 20, 1995.

    Examples
    --------
    >>> from lossref import binary_hinge
    >>> binary_hinge([2.0, 0.5, -1.0], [1, 1, 1], reduction="none").tolist()
    [0.0, 0.5, 2.0]
    >>> round(binary_hinge([2.0, 0.5, -1.0], [1, 1, 1]), 4)
    0.8333
    >>> binary_hinge(-0.3, -1)
    0.7
    """
    s, t, reduction, margin = _check_binary(scores, targets, reduction, margin)
    per = np.maximum(margin - t * s, 0.0)
    return reduce_loss(per.reshape(-1), reduction, s.ndim == 0)


def binary_hinge_grad(
    scores: ArrayLike, targets: ArrayLike, *, margin: float = 1.0, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Gradient of :func:`binary_hinge` with respect to the scores.

    .. math::

        \frac{\partial}{\partial s} \max(0, \Delta - t s)
        = -t \, \mathbb{1}[\Delta - t s > 0].

    Parameters
    ----------
    scores, targets, margin, reduction
        As in :func:`binary_hinge`.

    Returns
    -------
    float or ndarray
        Same shape as ``scores`` (a Python float for scalar scores); divided by
        N for ``"mean"``.  For ``"none"`` each entry is the derivative of that
        example's own loss (equal to the ``"sum"`` gradient).

    Raises
    ------
    TypeError, ValueError
        As in :func:`binary_hinge`.

    Notes
    -----
    At the kink :math:`t s = \Delta` the subgradient 0 is returned.

    References
    ----------
    - CS231n, "Optimization: stochastic gradient descent",
      https://cs231n.github.io/optimization-1/

    Examples
    --------
    >>> from lossref import binary_hinge_grad
    >>> binary_hinge_grad([2.0, 0.5, -1.0], [1, 1, -1], reduction="sum").tolist()
    [0.0, -1.0, 0.0]
    """
    s, t, reduction, margin = _check_binary(scores, targets, reduction, margin)
    grad = np.where(margin - t * s > 0, -t, 0.0)
    if s.ndim == 0:
        return float(grad)
    return reduce_grad(grad, reduction, s.shape[0])
