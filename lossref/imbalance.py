"""Focal losses for imbalanced classes: cross-entropy scaled down on examples the model already
gets right (Lin et al., 2017), in the sigmoid form (one yes/no label per entry) and the softmax
form (one class among C).

Natural logarithms; reductions as in the rest of lossref ("mean" over the N examples; an
example with K labels has the sum of their losses).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._reduction import reduce_grad, reduce_loss
from ._validation import (
    as_float_array,
    check_finite,
    check_scores_labels,
    nonnegative_scalar,
    real_scalar,
)
from .probabilistic import (
    _check_binary_logits,
    _neg_log_softmax,
    _reduce_binary,
    _reduce_binary_grad,
    _sigmoid_pair,
    _softmax_probs,
    _softplus_pair,
)

__all__ = [
    "sigmoid_focal_loss",
    "sigmoid_focal_loss_grad",
    "softmax_focal_loss",
    "softmax_focal_loss_grad",
]


def _gamma(value: Any) -> float:
    return nonnegative_scalar(value, "gamma")


def _alpha_weights(alpha: Any, t: np.ndarray) -> np.ndarray | float:
    """alpha_t = alpha t + (1 - alpha)(1 - t), or 1 without alpha."""
    if alpha is None:
        return 1.0
    a = real_scalar(alpha, "alpha")
    if not 0.0 <= a <= 1.0:
        raise ValueError(f"alpha must be in [0, 1] (the weight of the positive term); got {a!r}")
    return a * t + (1.0 - a) * (1.0 - t)


class _SigmoidFocalTerms(NamedTuple):
    """What the sigmoid focal loss and its gradient share, computed once."""

    x: np.ndarray  # logits
    t: np.ndarray  # targets
    gamma: float
    alpha: np.ndarray | float  # alpha_t, per entry, or 1
    ce: np.ndarray  # binary cross-entropy per entry
    factor: np.ndarray  # (1 - p_t) ** gamma
    sig_x: np.ndarray
    sig_negx: np.ndarray
    reduction: str


def _sigmoid_focal_terms(logits, targets, gamma, alpha, reduction) -> _SigmoidFocalTerms:
    x, t, reduction = _check_binary_logits(logits, targets, reduction)
    g = _gamma(gamma)
    a = _alpha_weights(alpha, t)
    minus, plus = _softplus_pair(x)
    sig_x, sig_negx = _sigmoid_pair(x)
    # 1 - p_t = t sigma(-x) + (1 - t) sigma(x): two terms >= 0, so no cancellation
    miss = t * sig_negx + (1.0 - t) * sig_x
    ce = t * minus + (1.0 - t) * plus
    with np.errstate(under="ignore"):
        factor = miss**g if g != 0.0 else np.ones_like(miss)
    return _SigmoidFocalTerms(x, t, g, a, ce, factor, sig_x, sig_negx, reduction)


def sigmoid_focal_loss(
    logits: ArrayLike,
    targets: ArrayLike,
    *,
    gamma: float = 2.0,
    alpha: float | None = None,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Sigmoid focal loss of Lin et al. (2017).

    With :math:`p = \sigma(x)` and :math:`p_t = p t + (1 - p)(1 - t)` the
    probability given to the target,

    .. math::

        L = -\alpha_t (1 - p_t)^\gamma \log p_t, \qquad
        \alpha_t = \alpha t + (1 - \alpha)(1 - t),

    in nats; without ``alpha``, :math:`\alpha_t = 1`.  For soft targets
    :math:`\log p_t` is replaced by the binary cross-entropy
    :math:`t \log p + (1 - t) \log(1 - p)` (optax's definition).  With
    :math:`\gamma = 0` and no ``alpha`` it is
    :func:`sigmoid_binary_cross_entropy`.

    Parameters
    ----------
    logits : float or array_like, shape (N,) or (N, K)
        Finite real scores :math:`x`, one per example or K per example.
    targets : float or array_like, same shape
        Targets in [0, 1].
    gamma : float, default 2.0
        :math:`\gamma \ge 0`, the focusing parameter: the loss of an entry
        the model gets right with probability :math:`p_t` is multiplied by
        :math:`(1 - p_t)^\gamma`.
    alpha : float in [0, 1], optional
        :math:`\alpha`, the weight of the positive term (the negative term
        gets :math:`1 - \alpha`).  Lin et al. use :math:`\alpha = 0.25`
        with :math:`\gamma = 2`; the default, no weighting, is optax's.
    reduction : {"mean", "sum", "none"}, default "mean"
        Over examples, an example's loss being the sum over its K labels, as
        in :func:`sigmoid_binary_cross_entropy`.

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
        finite, targets are outside [0, 1], ``gamma`` is negative or not
        finite, ``alpha`` is outside [0, 1], the reduction is unknown or the
        mean of an empty batch is requested.

    See Also
    --------
    sigmoid_focal_loss_grad, softmax_focal_loss, sigmoid_binary_cross_entropy

    Notes
    -----
    :math:`1 - p_t` is computed as :math:`t \sigma(-x) + (1 - t) \sigma(x)`,
    a sum of non-negative terms, and the cross-entropy from softplus terms,
    so the loss keeps its relative accuracy for confident correct entries
    (:math:`p_t \to 1`), where it is tiny.  optax's ``sigmoid_focal_loss``
    returns one loss per entry; torchvision's defaults are :math:`\alpha =
    0.25`, :math:`\gamma = 2` and no reduction.

    References
    ----------
    - T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollár, "Focal Loss for
      Dense Object Detection", ICCV 2017.

    Examples
    --------
    >>> from lossref import sigmoid_focal_loss
    >>> sigmoid_focal_loss([2.0, -1.0], [1, 0], reduction="none").round(4).tolist()
    [0.0018, 0.0227]
    >>> sigmoid_focal_loss([2.0, -1.0], [1, 0], gamma=0.0, reduction="none").round(4).tolist()
    [0.1269, 0.3133]
    """
    f = _sigmoid_focal_terms(logits, targets, gamma, alpha, reduction)
    return _reduce_binary(f.alpha * f.factor * f.ce, f.reduction, f.x)


def sigmoid_focal_loss_grad(
    logits: ArrayLike,
    targets: ArrayLike,
    *,
    gamma: float = 2.0,
    alpha: float | None = None,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Gradient of :func:`sigmoid_focal_loss` with respect to the logits.

    With :math:`m = 1 - p_t` and :math:`\ell` the binary cross-entropy,

    .. math::

        \frac{\partial L}{\partial x} = \alpha_t\, m^\gamma \left[
            \gamma (1 - 2t)\, r\, \ell + (1 - t)\,\sigma(x) - t\,\sigma(-x) \right],
        \qquad r = \frac{\sigma(x)\,\sigma(-x)}{m},

    since :math:`\partial m / \partial x = (1 - 2t)\,\sigma(x)\sigma(-x)`.  The
    second part is the cross-entropy's gradient :math:`\sigma(x) - t`, scaled
    by :math:`\alpha_t m^\gamma`; the first is what focusing adds.

    Parameters
    ----------
    logits, targets, gamma, alpha, reduction
        As in :func:`sigmoid_focal_loss`.

    Returns
    -------
    float or ndarray
        Same shape as ``logits`` (a Python float for scalar input); divided by
        N for ``"mean"``.

    Raises
    ------
    TypeError, ValueError
        As in :func:`sigmoid_focal_loss`.

    Notes
    -----
    Writing the factor as :math:`m^\gamma r` rather than
    :math:`m^{\gamma - 1}` keeps it finite for :math:`0 < \gamma < 1` as
    :math:`m \to 0`; :math:`r` equals :math:`\sigma(x)` for :math:`t = 1` and
    :math:`\sigma(-x)` for :math:`t = 0`.

    Examples
    --------
    >>> from lossref import sigmoid_focal_loss_grad
    >>> sigmoid_focal_loss_grad([2.0, -1.0], [1, 0], reduction="none").round(4).tolist()
    [-0.0049, 0.0526]
    """
    x, t, g, a, ce, factor, sig_x, sig_negx, reduction = _sigmoid_focal_terms(
        logits, targets, gamma, alpha, reduction
    )
    # r = sigma(x) sigma(-x) / m = 1 / (t / sigma(x) + (1 - t) / sigma(-x)), terms with a zero
    # coefficient left out, so r stays finite where m underflows
    inverse = np.zeros_like(x)
    with np.errstate(divide="ignore", over="ignore"):
        np.add(inverse, np.divide(t, sig_x, where=t > 0, out=np.zeros_like(x)), out=inverse)
        np.add(inverse, np.divide(1.0 - t, sig_negx, where=t < 1, out=np.zeros_like(x)),
               out=inverse)  # fmt: skip
        r = 1.0 / inverse
    focus = g * (1.0 - 2.0 * t) * r * ce if g != 0.0 else 0.0
    grad = a * factor * (focus + (1.0 - t) * sig_x - t * sig_negx)
    return _reduce_binary_grad(grad, reduction, x)


def _class_alpha(alpha: Any, n_classes: int) -> np.ndarray | float:
    if alpha is None:
        return 1.0
    if np.ndim(alpha) == 0:
        a = real_scalar(alpha.item() if isinstance(alpha, np.ndarray) else alpha, "alpha")
        if a < 0:
            raise ValueError(f"alpha must be >= 0; got {a!r}")
        return a
    w = as_float_array(alpha, "alpha", ndims=(1,))
    if w.shape != (n_classes,):
        raise ValueError(
            f"alpha must be a number or have shape ({n_classes},), one weight per class; "
            f"got shape {w.shape}"
        )
    check_finite(w, "alpha")
    if (w < 0).any():
        raise ValueError(f"alpha must be >= 0; got {float(w[w < 0][0])!r}")
    return w


class _SoftmaxFocalTerms(NamedTuple):
    """What the softmax focal loss and its gradient share, computed once."""

    s: np.ndarray  # scores, (N, C)
    y: np.ndarray  # labels
    reduction: str
    single: bool  # one example given as a 1-D row
    gamma: float
    alpha_y: np.ndarray | float  # the correct class's alpha, per example, or 1
    p: np.ndarray  # softmax probabilities
    nll: np.ndarray  # -log p_y
    miss: np.ndarray  # 1 - p_y
    factor: np.ndarray  # (1 - p_y) ** gamma


def _softmax_focal_terms(scores, labels, gamma, alpha, reduction) -> _SoftmaxFocalTerms:
    s, y, reduction, single = check_scores_labels(scores, labels, reduction)
    g = _gamma(gamma)
    a = _class_alpha(alpha, s.shape[1])
    a_y = a[y] if isinstance(a, np.ndarray) else np.full(y.shape, a)
    rows = np.arange(s.shape[0])
    p = _softmax_probs(s)
    nll = _neg_log_softmax(s)[rows, y]
    # 1 - p_y as the sum of the other probabilities when p_y > 1/2: no cancellation as p_y -> 1
    p_y = p[rows, y]
    others = p.copy()
    others[rows, y] = 0.0
    miss = np.where(p_y > 0.5, others.sum(axis=1), 1.0 - p_y)
    with np.errstate(under="ignore"):
        factor = miss**g if g != 0.0 else np.ones_like(miss)
    return _SoftmaxFocalTerms(s, y, reduction, single, g, a_y, p, nll, miss, factor)


def softmax_focal_loss(
    scores: ArrayLike,
    labels: ArrayLike,
    *,
    gamma: float = 2.0,
    alpha: ArrayLike | float | None = None,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Softmax (multi-class) focal loss.

    For an example with scores :math:`s`, :math:`p = \operatorname{softmax}(s)`
    and correct class :math:`y`

    .. math::

        L = -\alpha_y (1 - p_y)^\gamma \ln p_y ,

    the softmax cross-entropy scaled by :math:`(1 - p_y)^\gamma`; with
    :math:`\gamma = 0` and no ``alpha`` it is :func:`softmax_cross_entropy`.

    Parameters
    ----------
    scores : array_like, shape (C,) or (N, C)
        Raw class scores (logits).
    labels : int or array_like of int, shape (N,)
        Correct classes, integers in [0, C).
    gamma : float, default 2.0
        :math:`\gamma \ge 0`, the focusing parameter.
    alpha : float or array_like of shape (C,), optional
        :math:`\alpha_y \ge 0`: one weight for every class (Keras's
        ``CategoricalFocalCrossentropy`` uses 0.25) or one per class.
        Default: 1.
    reduction : {"mean", "sum", "none"}, default "mean"
        Over the N examples.

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or per-example losses.

    Raises
    ------
    TypeError
        If scores are not real numbers, labels are not integers, or ``gamma``
        or ``alpha`` is not a number.
    ValueError
        If shapes do not match, labels are out of range, scores are not
        finite, ``gamma`` or a weight is negative, the reduction is unknown or
        the mean of an empty batch is requested.

    See Also
    --------
    softmax_focal_loss_grad, sigmoid_focal_loss, softmax_cross_entropy

    Notes
    -----
    :math:`1 - p_y` is the sum of the other classes' probabilities when
    :math:`p_y > 1/2`, so it keeps its relative accuracy as :math:`p_y \to 1`;
    :math:`-\ln p_y` comes from the same accurate log-softmax as
    :func:`softmax_cross_entropy`.

    References
    ----------
    - T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollár, "Focal Loss for
      Dense Object Detection", ICCV 2017.

    Examples
    --------
    >>> from lossref import softmax_focal_loss
    >>> round(softmax_focal_loss([3.2, 5.1, -1.7], 0), 4)
    1.5444
    >>> round(softmax_focal_loss([3.2, 5.1, -1.7], 1), 4)
    0.0024
    """
    f = _softmax_focal_terms(scores, labels, gamma, alpha, reduction)
    return reduce_loss(f.alpha_y * f.factor * f.nll, f.reduction, f.single)


def softmax_focal_loss_grad(
    scores: ArrayLike,
    labels: ArrayLike,
    *,
    gamma: float = 2.0,
    alpha: ArrayLike | float | None = None,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`softmax_focal_loss` with respect to the scores.

    With :math:`m = 1 - p_y` and :math:`\ell = -\ln p_y`,

    .. math::

        \frac{\partial L}{\partial s_j} = \alpha_y \left(p_j - [j = y]\right)
            m^\gamma \left(1 + \gamma\, p_y \frac{\ell}{m}\right),

    the cross-entropy's gradient scaled by :math:`\alpha_y m^\gamma (1 + \gamma
    p_y \ell / m)`.

    Parameters
    ----------
    scores, labels, gamma, alpha, reduction
        As in :func:`softmax_focal_loss`.

    Returns
    -------
    ndarray
        Same shape as ``scores``; divided by N for ``"mean"``.

    Raises
    ------
    TypeError, ValueError
        As in :func:`softmax_focal_loss`.

    Notes
    -----
    :math:`\ell / m \to 1` as :math:`m \to 0`, so the factor is finite for
    every :math:`\gamma \ge 0`; it is computed as ``-log1p(-m) / m``.

    Examples
    --------
    >>> from lossref import softmax_focal_loss_grad
    >>> softmax_focal_loss_grad([3.2, 5.1, -1.7], 0).round(4).tolist()
    [-1.06, 1.0589, 0.0012]
    """
    s, y, reduction, single, g, a_y, p, nll, miss, factor = _softmax_focal_terms(
        scores, labels, gamma, alpha, reduction
    )
    ratio = np.ones_like(miss)  # l / m, which tends to 1 as m -> 0
    np.divide(nll, miss, out=ratio, where=miss > 0)
    scale = a_y * factor * (1.0 + g * (1.0 - miss) * ratio)
    grad = p.copy()
    grad[np.arange(s.shape[0]), y] = -miss  # p_y - 1, without cancellation
    grad *= scale[:, None]
    grad = reduce_grad(grad, reduction, s.shape[0])
    return grad.reshape(-1) if single else grad
