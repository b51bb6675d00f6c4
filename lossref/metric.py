"""Metric and contrastive learning: the triplet margin loss, the contrastive loss of Hadsell,
Chopra and LeCun, InfoNCE and SimCLR's NT-Xent.

Embeddings are rows: shape (N, D) for N examples of dimension D (the triplet and contrastive
losses also take one example of shape (D,)).  These losses compare embeddings with each other,
so every argument is computed by the model and ``*_grad`` takes a keyword ``wrt`` naming the
argument to differentiate with respect to; its default is the first argument, as for every
``*_grad`` of lossref.  ``"mean"`` divides by the number of examples N (the number of triplets,
pairs or queries; 2N views for NT-Xent).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._reduction import reduce_grad, reduce_loss
from ._validation import (
    as_float_array,
    check_batch,
    check_choice,
    check_finite,
    check_flag,
    check_reduction,
    check_same_shape,
    integer_array,
    nonnegative_scalar,
    positive_scalar,
    real_scalar,
)
from .probabilistic import softmax_cross_entropy, softmax_cross_entropy_grad

__all__ = [
    "contrastive_loss",
    "contrastive_loss_grad",
    "info_nce",
    "info_nce_grad",
    "nt_xent",
    "nt_xent_grad",
    "triplet_margin_loss",
    "triplet_margin_loss_grad",
]

SIMILARITIES = ("cosine", "dot")


# ---------------------------------------------------------------------------
# shared checks and kernels
# ---------------------------------------------------------------------------


def _embeddings(x: Any, name: str, ndims: tuple[int, ...] = (1, 2)) -> np.ndarray:
    what = "(D,) or (N, D)" if ndims == (1, 2) else "(N, D)"
    arr = as_float_array(x, name, ndims=ndims, what=what)
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one dimension (D >= 1); got shape {arr.shape}")
    check_finite(arr, name)
    return arr


def _same_shape_rows(arrays: dict[str, Any], reduction: str) -> tuple[list[np.ndarray], bool]:
    """Validated embeddings of one shape, (N, D) each (a view with N = 1 for one example)."""
    names = list(arrays)
    out = []
    for name in names:
        arr = _embeddings(arrays[name], name)
        if out:
            check_same_shape(out[0], arr, names[0], name)
        out.append(arr)
    single = out[0].ndim == 1
    if single:
        out = [arr.reshape(1, -1) for arr in out]
    check_batch(out[0].shape[0], reduction, names[0])
    return out, single


def _norm_degree(p: Any) -> float:
    value = real_scalar(p, "p")
    if value < 1.0:
        raise ValueError(f"p must be >= 1 (a norm); got {value!r}")
    return value


def _scaled(v: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(m, r, n)`` with ``||v||_p = m * n`` along the last axis: ``m = max |v_i|``,
    ``r = |v| / m`` in [0, 1] and ``n = ||r||_p`` in [1, D^(1/p)] (0 for a zero row).

    Scaling by the largest entry keeps every power and sum in range.  A row with infinite
    entries (a difference beyond 1.8e308) has ``m = inf`` and ``r`` the indicator of them.
    """
    a = np.abs(v)
    m = a.max(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = a / np.where(m > 0, m, 1.0)[..., None]
    big = np.isinf(m)
    if big.any():
        r[big] = np.isinf(a[big])
    if p == 1.0:
        n = r.sum(axis=-1)
    elif p == 2.0:
        n = np.sqrt(np.vecdot(r, r))
    else:
        n = (r**p).sum(axis=-1) ** (1.0 / p)
    return m, r, n


def _distances(v: np.ndarray, p: float) -> np.ndarray:
    m, _, n = _scaled(v, p)
    with np.errstate(over="ignore"):  # a distance beyond 1.8e308 is inf
        return m * n


def _distance_grad(v: np.ndarray, p: float) -> np.ndarray:
    """The gradient of ``||v||_p`` along the last axis: ``sign(v) (|v| / ||v||)^(p - 1)``;
    0 for a zero row (PyTorch's autograd gives the same)."""
    _, r, n = _scaled(v, p)
    if p == 1.0:
        return np.sign(v)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = r / np.where(n > 0, n, 1.0)[..., None]
    if p != 2.0:
        ratio = ratio ** (p - 1.0)
    return np.sign(v) * ratio


def _difference(x: np.ndarray, y: np.ndarray, eps: float = 0.0) -> np.ndarray:
    with np.errstate(over="ignore"):  # a difference beyond 1.8e308 is inf
        d = x - y
        if eps != 0.0:
            d += eps
    return d


# ---------------------------------------------------------------------------
# triplet margin loss
# ---------------------------------------------------------------------------

_TRIPLET_WRT = ("anchors", "positives", "negatives")


def _check_triplet(anchors, positives, negatives, margin, p, eps, swap, reduction):
    reduction = check_reduction(reduction)
    (a, pos, neg), single = _same_shape_rows(
        {"anchors": anchors, "positives": positives, "negatives": negatives}, reduction
    )
    margin = nonnegative_scalar(margin, "margin")
    p = _norm_degree(p)
    eps = nonnegative_scalar(eps, "eps")
    swap = check_flag(swap, "swap")
    return a, pos, neg, margin, p, eps, swap, reduction, single


def _triplet_parts(a, pos, neg, margin, p, eps, swap):
    """Differences, distances, the hinge and the weight of d(a, n) in the negative distance
    (1, or with ``swap`` 1, 0.5 at a tie or 0 where d(p, n) is smaller)."""
    u, v = _difference(a, pos, eps), _difference(a, neg, eps)
    d_ap, d_an = _distances(u, p), _distances(v, p)
    w = d_pn = None
    use_an = np.ones(a.shape[0])
    if swap:
        w = _difference(pos, neg, eps)
        d_pn = _distances(w, p)
        use_an = np.where(d_an < d_pn, 1.0, np.where(d_an == d_pn, 0.5, 0.0))
        d_neg = np.minimum(d_an, d_pn)
    else:
        d_neg = d_an
    both = np.isinf(d_ap) & np.isinf(d_neg)
    if both.any():
        row = int(np.argmax(both))
        raise ValueError(
            f"triplet {row} is so spread out that both of its distances overflow (beyond "
            f"1.8e308): its loss is undefined in float64; scale the embeddings down"
        )
    with np.errstate(over="ignore"):  # a loss beyond 1.8e308 is inf
        hinge = (d_ap - d_neg) + margin
    return u, v, w, np.maximum(hinge, 0.0), use_an


def triplet_margin_loss(
    anchors: ArrayLike,
    positives: ArrayLike,
    negatives: ArrayLike,
    *,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Triplet margin loss of FaceNet, with PyTorch's distance.

    For an anchor :math:`a`, a positive :math:`x^+` (same identity) and a negative
    :math:`x^-` (another identity)

    .. math::

        L = \max\bigl(d(a, x^+) - d(a, x^-) + m,\; 0\bigr), \qquad
        d(x, y) = \lVert x - y + \epsilon \mathbf{1} \rVert_p ,

    zero once the negative is at least the margin :math:`m` further from the anchor than the
    positive.  Like ``torch.nn.functional.pairwise_distance``, the distance adds
    :math:`\epsilon` to every component of the *difference* (not to the norm), so
    :math:`d(x, x) = \epsilon D^{1/p}`, and :math:`d(x, y) \ne d(y, x)` unless
    :math:`\epsilon = 0`.  With ``swap=True`` (Balntas et al.'s distance swap) the negative
    distance is :math:`\min(d(a, x^-), d(x^+, x^-))`.

    Parameters
    ----------
    anchors : array_like, shape (D,) or (N, D)
        Embeddings of the anchors: one triplet or N, one per row.
    positives, negatives : array_like, same shape as ``anchors``
        Embeddings of each anchor's positive and negative.
    margin : float, default 1.0
        The margin :math:`m \ge 0`.  PyTorch refuses :math:`m \le 0` (with :math:`m = 0`
        collapsing every embedding to one point costs nothing); lossref accepts 0.
    p : float, default 2.0
        The degree of the norm, finite and :math:`\ge 1`.
    eps : float, default 1e-6
        :math:`\epsilon \ge 0`, added to each component of the differences (PyTorch's and
        optax's default 1e-6).
    swap : bool, default False
        Use :math:`\min(d(a, x^-), d(x^+, x^-))` as the negative distance.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the N triplets, ``"sum"`` adds them, ``"none"`` returns
        them (shape (N,); a float for one triplet).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the per-triplet losses.

    Raises
    ------
    TypeError
        If an embedding is not an array of real numbers, a parameter is not a real number, or
        ``swap`` is not a bool.
    ValueError
        If the shapes differ or are not 1-D/2-D, D = 0, an entry is not finite, ``margin`` or
        ``eps`` is negative, ``p < 1`` or a parameter is infinite, the reduction is unknown,
        the mean of an empty batch is requested, or both distances of a triplet overflow.

    See Also
    --------
    triplet_margin_loss_grad, contrastive_loss, info_nce

    Notes
    -----
    Equals ``torch.nn.functional.triplet_margin_loss`` (every ``p``, ``eps``, ``swap`` and
    reduction; float64) and, for ``reduction="none"``, ``optax.losses.triplet_margin_loss``
    with ``eps=0``: optax adds :math:`\epsilon` to the sum of the powers,
    :math:`(\sum_i |a_i - x_i|^p + \epsilon)^{1/p}`, and leaves the absolute value out, so
    it agrees only for even ``p`` and ``eps=0``.

    **Accuracy.** Each distance is computed as :math:`\max_i |v_i|` times the norm of
    :math:`v / \max_i |v_i|`, so no power overflows or underflows; it has a relative error of
    a few machine epsilons (plus about D/2 epsilons from the sum).  The hinge
    :math:`(d^+ - d^-) + m` then has an absolute error of a few epsilons times
    :math:`d^+ + d^- + m`.  A distance beyond 1.8e308 is ``inf``; a loss with both
    distances infinite raises ``ValueError``.

    References
    ----------
    - F. Schroff, D. Kalenichenko and J. Philbin, "FaceNet: A Unified Embedding for Face
      Recognition and Clustering", CVPR 2015.
    - V. Balntas, E. Riba, D. Ponsa and K. Mikolajczyk, "Learning local feature descriptors
      with triplets and shallow convolutional neural networks", BMVC 2016 (distance swap).
    - PyTorch, ``torch.nn.TripletMarginLoss``.

    Examples
    --------
    >>> from lossref import triplet_margin_loss
    >>> a, pos, neg = [0.0, 0.0], [3.0, 4.0], [6.0, -8.0]    # distances 5 and 10
    >>> triplet_margin_loss(a, pos, neg, margin=6.0, eps=0.0)
    1.0
    >>> triplet_margin_loss(a, pos, neg, margin=4.0, eps=0.0)  # far enough
    0.0
    >>> round(triplet_margin_loss(a, pos, neg, margin=6.0), 7)  # PyTorch's eps = 1e-6
    0.9999984
    >>> triplet_margin_loss([[0.0, 0.0], [1.0, 0.0]], [[0.0, 1.0], [1.0, 2.0]],
    ...                     [[2.0, 0.0], [1.0, 2.5]], eps=0.0, reduction="none").tolist()
    [0.0, 0.5]
    """
    a, pos, neg, margin, p, eps, swap, reduction, single = _check_triplet(
        anchors, positives, negatives, margin, p, eps, swap, reduction
    )
    *_, hinge, _ = _triplet_parts(a, pos, neg, margin, p, eps, swap)
    return reduce_loss(hinge, reduction, single)


def triplet_margin_loss_grad(
    anchors: ArrayLike,
    positives: ArrayLike,
    negatives: ArrayLike,
    *,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
    wrt: str = "anchors",
) -> np.ndarray:
    r"""Gradient of :func:`triplet_margin_loss` with respect to the anchors (or ``wrt``).

    With :math:`u = a - x^+ + \epsilon`, :math:`v = a - x^- + \epsilon` and
    :math:`g(z) = \nabla \lVert z \rVert_p = \operatorname{sign}(z)
    (|z| / \lVert z \rVert_p)^{p-1}` (:math:`z / \lVert z \rVert_2` for :math:`p = 2`), a
    triplet whose hinge is positive has

    .. math::

        \frac{\partial L}{\partial a} = g(u) - g(v), \qquad
        \frac{\partial L}{\partial x^+} = -g(u), \qquad
        \frac{\partial L}{\partial x^-} = g(v),

    and a triplet with a zero hinge has zero gradients.  The three sum to 0: moving all three
    embeddings together changes nothing.  With ``swap`` and :math:`d(x^+, x^-)` the smaller,
    :math:`v` is replaced by :math:`w = x^+ - x^- + \epsilon`, whose gradient goes to
    :math:`x^+` and :math:`x^-` (at a tie each distance gets half, as in PyTorch).

    Parameters
    ----------
    anchors, positives, negatives, margin, p, eps, swap, reduction
        As in :func:`triplet_margin_loss`.
    wrt : {"anchors", "positives", "negatives"}, default "anchors"
        The argument to differentiate with respect to.  All three are embeddings computed by
        the model, so training needs all three gradients.

    Returns
    -------
    ndarray
        The shape of ``anchors``; for ``"mean"`` divided by N.  For ``"none"`` each row is the
        gradient of that triplet's own loss (the same array as for ``"sum"``).

    Raises
    ------
    TypeError, ValueError
        As in :func:`triplet_margin_loss`, and ``ValueError`` for an unknown ``wrt``.

    Notes
    -----
    Where the loss has no derivative the value returned is PyTorch's: 0 at a hinge of exactly
    0, 0 for a zero difference (:math:`g(0) = 0`; possible with ``eps=0``) and, for
    :math:`p = 1`, :math:`\operatorname{sign}(0) = 0` for a zero component.

    Examples
    --------
    >>> from lossref import triplet_margin_loss_grad
    >>> a, pos, neg = [0.0, 0.0], [3.0, 4.0], [6.0, -8.0]
    >>> triplet_margin_loss_grad(a, pos, neg, margin=6.0, eps=0.0).tolist()
    [0.0, -1.6]
    >>> triplet_margin_loss_grad(a, pos, neg, margin=6.0, eps=0.0, wrt="positives").tolist()
    [0.6, 0.8]
    """
    wrt = check_choice(wrt, "wrt", _TRIPLET_WRT)
    a, pos, neg, margin, p, eps, swap, reduction, single = _check_triplet(
        anchors, positives, negatives, margin, p, eps, swap, reduction
    )
    u, v, w, hinge, use_an = _triplet_parts(a, pos, neg, margin, p, eps, swap)
    active = (hinge > 0.0)[:, None]
    g_u = _distance_grad(u, p)
    g_v = _distance_grad(v, p) * use_an[:, None]
    g_w = _distance_grad(w, p) * (1.0 - use_an)[:, None] if swap else 0.0
    if wrt == "anchors":
        grad = g_u - g_v
    elif wrt == "positives":
        grad = -g_u - g_w
    else:
        grad = g_v + g_w
    grad = np.where(active, grad, 0.0)
    grad = reduce_grad(grad, reduction, a.shape[0])
    return grad.reshape(-1) if single else grad


# ---------------------------------------------------------------------------
# contrastive loss (Hadsell, Chopra and LeCun)
# ---------------------------------------------------------------------------

_PAIR_WRT = ("embeddings1", "embeddings2")


def _pair_labels(labels: Any, n: int | None) -> np.ndarray:
    """0/1 pair labels: a single integer for one pair, else shape (N,)."""
    arr = integer_array(labels, "labels", "integers 0 or 1 (1: similar pair, 0: dissimilar)")
    expected = () if n is None else (n,)
    if arr.shape != expected:
        what = "a single integer for one pair of shape (D,)" if n is None else f"shape ({n},)"
        raise ValueError(f"labels must be {what}, one per pair; got shape {arr.shape}")
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        idx = np.argwhere(bad.reshape(-1))[0, 0]
        raise ValueError(
            f"labels must be 0 or 1 (1: similar pair, 0: dissimilar); "
            f"got {arr.reshape(-1)[idx].item()!r} at position {idx} "
            f"(convert -1/+1 labels with (y + 1) // 2)"
        )
    return arr.reshape(-1).astype(bool)


def _check_contrastive(embeddings1, embeddings2, labels, margin, reduction):
    reduction = check_reduction(reduction)
    (x1, x2), single = _same_shape_rows(
        {"embeddings1": embeddings1, "embeddings2": embeddings2}, reduction
    )
    similar = _pair_labels(labels, None if single else x1.shape[0])
    margin = nonnegative_scalar(margin, "margin")
    return x1, x2, similar, margin, reduction, single


def contrastive_loss(
    embeddings1: ArrayLike,
    embeddings2: ArrayLike,
    labels: ArrayLike,
    *,
    margin: float = 1.0,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Contrastive loss of Hadsell, Chopra and LeCun (2006) on pairs of embeddings.

    With :math:`d = \lVert x_1 - x_2 \rVert_2` the Euclidean distance of a pair and
    :math:`y = 1` for a similar pair, :math:`y = 0` for a dissimilar one,

    .. math::

        L = y \, \tfrac12 d^2 + (1 - y) \, \tfrac12 \max(m - d, 0)^2 :

    similar pairs are pulled together, dissimilar pairs pushed apart until they are at least
    the margin :math:`m` apart.  The paper writes :math:`Y = 0` for similar pairs; lossref's
    :math:`y = 1 - Y` follows PyTorch's embedding losses, where 1 means similar.

    Parameters
    ----------
    embeddings1, embeddings2 : array_like, shape (D,) or (N, D)
        The two embeddings of each pair, one pair per row.
    labels : int or array_like of int, shape (N,)
        1 for a similar pair, 0 for a dissimilar one (a single integer for 1-D embeddings).
        Float and boolean labels are refused.
    margin : float, default 1.0
        The margin :math:`m \ge 0` of the dissimilar pairs.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the N pairs, ``"sum"`` adds them, ``"none"`` returns them
        (shape (N,); a float for one pair).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the per-pair losses.

    Raises
    ------
    TypeError
        If embeddings are not arrays of real numbers, labels are not integers, or the margin
        is not a real number.
    ValueError
        If shapes differ or are not 1-D/2-D, D = 0, an entry is not finite, a label is not 0
        or 1, the margin is negative or infinite, the reduction is unknown, or the mean of an
        empty batch is requested.

    See Also
    --------
    contrastive_loss_grad, triplet_margin_loss

    Notes
    -----
    Variants: without the factors :math:`\tfrac12` (twice this loss); with the unsquared
    hinge :math:`\max(m - d, 0)`; on squared distances; or with separate margins for the
    positive pairs.  PyTorch has none of them built in; its ``HingeEmbeddingLoss`` applied to
    the distances, with targets :math:`\pm 1`, is the unsquared form
    :math:`y\, d + (1 - y) \max(m - d, 0)`.

    **Accuracy.** :math:`d` is computed by scaling, without overflow or underflow of the
    squares, with a relative error of a few epsilons (about D/2 from the sum).  A similar
    pair's loss is then accurate to a few epsilons relative to itself; a dissimilar pair's
    :math:`m - d` has an absolute error of a few epsilons times :math:`d`.

    References
    ----------
    - R. Hadsell, S. Chopra and Y. LeCun, "Dimensionality Reduction by Learning an Invariant
      Mapping", CVPR 2006.

    Examples
    --------
    >>> from lossref import contrastive_loss
    >>> x1 = [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    >>> x2 = [[0.6, 0.8], [0.3, 0.4], [3.0, 4.0]]       # distances 1, 0.5 and 5
    >>> contrastive_loss(x1, x2, [1, 0, 0], reduction="none").tolist()
    [0.5, 0.125, 0.0]
    >>> contrastive_loss(x1, x2, [1, 0, 0])
    0.20833333333333334
    """
    x1, x2, similar, margin, reduction, single = _check_contrastive(
        embeddings1, embeddings2, labels, margin, reduction
    )
    u = _difference(x1, x2)
    m, r, n = _scaled(u, 2.0)
    with np.errstate(over="ignore", under="ignore"):  # a loss beyond 1.8e308 is inf
        d = m * n
        gap = np.maximum(margin - d, 0.0)
        # d^2 / 2 without rounding d first: the plain sum of squares where no square can
        # overflow or underflow, else scaled
        safe = (m > 1e-140) & (m < 1e140)
        half_d2 = 0.5 * np.where(safe, np.vecdot(u, u), (m * m) * np.vecdot(r, r))
        per = np.where(similar, half_d2, 0.5 * gap * gap)
    return reduce_loss(per, reduction, single)


def contrastive_loss_grad(
    embeddings1: ArrayLike,
    embeddings2: ArrayLike,
    labels: ArrayLike,
    *,
    margin: float = 1.0,
    reduction: str = "mean",
    wrt: str = "embeddings1",
) -> np.ndarray:
    r"""Gradient of :func:`contrastive_loss` with respect to ``embeddings1`` (or ``wrt``).

    With :math:`u = x_1 - x_2` and :math:`d = \lVert u \rVert_2`,

    .. math::

        \frac{\partial L}{\partial x_1} = y\, u - (1 - y) \max(m - d, 0) \frac{u}{d},
        \qquad \frac{\partial L}{\partial x_2} = -\frac{\partial L}{\partial x_1} .

    Parameters
    ----------
    embeddings1, embeddings2, labels, margin, reduction
        As in :func:`contrastive_loss`.
    wrt : {"embeddings1", "embeddings2"}, default "embeddings1"
        The argument to differentiate with respect to.

    Returns
    -------
    ndarray
        The shape of ``embeddings1``; for ``"mean"`` divided by N.  For ``"none"`` each row is
        the gradient of that pair's own loss (the same array as for ``"sum"``).

    Raises
    ------
    TypeError, ValueError
        As in :func:`contrastive_loss`, and ``ValueError`` for an unknown ``wrt``.

    Notes
    -----
    A dissimilar pair at distance 0 (with :math:`m > 0`) sits on a peak of the loss, which
    has no derivative there; the gradient returned is 0, what PyTorch's autograd gives for the
    norm of a zero vector.

    Examples
    --------
    >>> from lossref import contrastive_loss_grad
    >>> x1 = [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    >>> x2 = [[0.6, 0.8], [0.3, 0.4], [3.0, 4.0]]
    >>> contrastive_loss_grad(x1, x2, [1, 0, 0], reduction="sum").round(4).tolist()
    [[-0.6, -0.8], [0.3, 0.4], [0.0, 0.0]]
    """
    wrt = check_choice(wrt, "wrt", _PAIR_WRT)
    x1, x2, similar, margin, reduction, single = _check_contrastive(
        embeddings1, embeddings2, labels, margin, reduction
    )
    u = _difference(x1, x2)
    d = _distances(u, 2.0)
    g = _distance_grad(u, 2.0)  # u / d, 0 for d = 0
    gap = np.maximum(margin - d, 0.0)  # 0 where d is infinite
    grad = np.where(similar[:, None], u, -gap[:, None] * g)  # d (u / d) = u, exactly
    if wrt == "embeddings2":
        grad = -grad
    grad = reduce_grad(grad, reduction, x1.shape[0])
    return grad.reshape(-1) if single else grad


# ---------------------------------------------------------------------------
# InfoNCE and NT-Xent
# ---------------------------------------------------------------------------


def _unit_rows(x: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows divided by their Euclidean norms, and the norms; a zero row is refused."""
    m, r, n = _scaled(x, 2.0)
    if (m == 0).any():
        row = int(np.argmax(m == 0))
        raise ValueError(
            f"{name} row {row} is zero: its cosine similarity is undefined "
            f"(use similarity='dot', or drop the row)"
        )
    unit = np.sign(x) * r / n[:, None]
    with np.errstate(over="ignore"):
        return unit, m * n


def _similarities(
    x: np.ndarray, y: np.ndarray, similarity: str, temperature: float, names: tuple[str, str]
):
    """``(logits, x_unit, y_unit, x_norms, y_norms)``: sim(x, y) / temperature, (N, M)."""
    if similarity == "cosine":
        xu, xn = _unit_rows(x, names[0])
        yu, yn = (xu, xn) if y is x else _unit_rows(y, names[1])
    else:
        xu, yu, xn, yn = x, y, None, None
    with np.errstate(over="ignore", invalid="ignore"):
        logits = (xu @ yu.T) / temperature
    if not np.isfinite(logits).all():
        raise ValueError(
            f"the similarities of {names[0]} and {names[1]} divided by the temperature "
            f"overflow (beyond 1.8e308); scale the embeddings down or raise the temperature"
        )
    return logits, xu, yu, xn, yn


def _through_norm(grad_unit: np.ndarray, unit: np.ndarray, norms) -> np.ndarray:
    """Back through x -> x / ||x||: (I - u u^T) g / ||x|| per row (identity for dot)."""
    if norms is None:
        return grad_unit
    radial = np.vecdot(unit, grad_unit)[:, None] * unit
    return (grad_unit - radial) / norms[:, None]


def _check_info_nce(queries, keys, temperature, similarity, reduction):
    reduction = check_reduction(reduction)
    q = _embeddings(queries, "queries", ndims=(2,))
    k = _embeddings(keys, "keys", ndims=(2,))
    if k.shape[1] != q.shape[1]:
        raise ValueError(
            f"keys must have D = {q.shape[1]} columns like queries {q.shape}; got shape {k.shape}"
        )
    if k.shape[0] < max(q.shape[0], 1):
        raise ValueError(
            f"keys must have at least as many rows as queries ({q.shape[0]}, and at least 1): "
            f"row i of keys is the positive of query i; got shape {k.shape}"
        )
    check_batch(q.shape[0], reduction, "queries")
    temperature = positive_scalar(temperature, "temperature")
    similarity = check_choice(similarity, "similarity", SIMILARITIES)
    return q, k, temperature, similarity, reduction


def info_nce(
    queries: ArrayLike,
    keys: ArrayLike,
    *,
    temperature: float = 0.1,
    similarity: str = "cosine",
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""InfoNCE loss (van den Oord et al. 2018): softmax cross-entropy over similarities.

    Row :math:`i` of the keys is the positive of query :math:`i`; every other key is one of
    its negatives.  With :math:`s_{ij} = \operatorname{sim}(q_i, k_j) / \tau`,

    .. math::

        L_i = -\ln \frac{e^{s_{ii}}}{\sum_{j=1}^{M} e^{s_{ij}}}
            = \operatorname{softmax\_cross\_entropy}(s_{i \cdot},\, i) ,

    and this function computes exactly that: ``softmax_cross_entropy(S, arange(N))`` of the
    (N, M) matrix of similarities over the temperature.  ``similarity="cosine"``
    (SimCLR's and CLIP's choice) uses :math:`q^\top k / (\lVert q \rVert \lVert k \rVert)`,
    ``"dot"`` the plain :math:`q^\top k`.  At equal similarities
    :math:`L_i = \ln M`; InfoNCE's bound on the mutual information is
    :math:`I \ge \ln M - L`.

    Parameters
    ----------
    queries : array_like, shape (N, D)
        N query embeddings, one per row.
    keys : array_like, shape (M, D), M >= N
        Key embeddings: row i is the positive of query i; rows N to M - 1, if any, are extra
        negatives for every query (a memory bank, as in MoCo).
    temperature : float, default 0.1
        :math:`\tau > 0`, finite.
    similarity : {"cosine", "dot"}, default "cosine"
        How queries and keys are compared.  Cosine refuses zero rows.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the N queries, ``"sum"`` adds them, ``"none"`` returns them
        (shape (N,)).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the per-query losses.

    Raises
    ------
    TypeError
        If queries or keys are not arrays of real numbers or the temperature is not a real
        number.
    ValueError
        If queries or keys are not 2-D with the same D >= 1, keys have fewer rows than
        queries, an entry is not finite, a row is zero under ``"cosine"``, the temperature is
        not finite and > 0, the similarities over the temperature overflow, ``similarity`` or
        the reduction is unknown, or the mean of an empty batch is requested.

    See Also
    --------
    info_nce_grad, nt_xent, softmax_cross_entropy

    Notes
    -----
    Equals ``torch.nn.functional.cross_entropy(S, torch.arange(N))`` with ``S`` the
    similarity matrix over the temperature (``F.normalize`` of both for cosine).

    **Accuracy.** The similarity matrix is a rounded matrix product (absolute error about
    :math:`D \epsilon` times :math:`\lVert q \rVert \lVert k \rVert / \tau`); the cross-entropy
    of it is computed without overflow or cancellation by :func:`softmax_cross_entropy`, so
    a small temperature or large similarities never overflow, and the loss has an error of a
    few epsilons relative to itself plus the largest :math:`|s_{ij}|`.

    References
    ----------
    - A. van den Oord, Y. Li and O. Vinyals, "Representation Learning with Contrastive
      Predictive Coding", arXiv:1807.03748, 2018.
    - T. Chen, S. Kornblith, M. Norouzi and G. Hinton, "A Simple Framework for Contrastive
      Learning of Visual Representations", ICML 2020.

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> from lossref import info_nce, softmax_cross_entropy
    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> k = np.array([[2.0, 0.0], [1.0, 1.0]])
    >>> round(info_nce(q, k, temperature=0.5), 4)
    0.3301
    >>> S = np.array([[1.0, 1 / math.sqrt(2)], [0.0, 1 / math.sqrt(2)]]) / 0.5
    >>> round(softmax_cross_entropy(S, [0, 1]), 4)
    0.3301
    >>> round(info_nce(q, q, similarity="dot", temperature=1e9), 4)  # ln 2
    0.6931
    """
    q, k, temperature, similarity, reduction = _check_info_nce(
        queries, keys, temperature, similarity, reduction
    )
    logits, *_ = _similarities(q, k, similarity, temperature, ("queries", "keys"))
    return softmax_cross_entropy(logits, np.arange(q.shape[0]), reduction=reduction)


def info_nce_grad(
    queries: ArrayLike,
    keys: ArrayLike,
    *,
    temperature: float = 0.1,
    similarity: str = "cosine",
    reduction: str = "mean",
    wrt: str = "queries",
) -> np.ndarray:
    r"""Gradient of :func:`info_nce` with respect to the queries (or the keys).

    With :math:`G = \partial L / \partial S`, the gradient of the softmax cross-entropy
    (``softmax(S) - onehot``, divided by N for the mean), and for ``"dot"``

    .. math::

        \frac{\partial L}{\partial Q} = \frac{G K}{\tau}, \qquad
        \frac{\partial L}{\partial K} = \frac{G^\top Q}{\tau} .

    For ``"cosine"`` these are the gradients with respect to the unit rows
    :math:`\hat q = q / \lVert q \rVert`, and each row then goes through the normalization:
    :math:`\partial L / \partial q = (I - \hat q \hat q^\top)\, (\partial L / \partial \hat q)
    / \lVert q \rVert`, which has no component along :math:`q`.

    Parameters
    ----------
    queries, keys, temperature, similarity, reduction
        As in :func:`info_nce`.
    wrt : {"queries", "keys"}, default "queries"
        The argument to differentiate with respect to.

    Returns
    -------
    ndarray
        The shape of ``queries`` (or of ``keys``).  For ``"none"`` the gradient of the sum.

    Raises
    ------
    TypeError, ValueError
        As in :func:`info_nce`, and ``ValueError`` for an unknown ``wrt``.

    Examples
    --------
    >>> import numpy as np
    >>> from lossref import info_nce_grad
    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> info_nce_grad(q, q, similarity="dot", temperature=1.0).round(4).tolist()
    [[-0.1345, 0.1345], [0.1345, -0.1345]]
    """
    wrt = check_choice(wrt, "wrt", ("queries", "keys"))
    q, k, temperature, similarity, reduction = _check_info_nce(
        queries, keys, temperature, similarity, reduction
    )
    logits, qu, ku, qn, kn = _similarities(q, k, similarity, temperature, ("queries", "keys"))
    g = softmax_cross_entropy_grad(logits, np.arange(q.shape[0]), reduction=reduction)
    g /= temperature
    if wrt == "queries":
        return _through_norm(g @ ku, qu, qn)
    return _through_norm(g.T @ qu, ku, kn)


def _check_nt_xent(embeddings1, embeddings2, temperature, similarity, reduction):
    reduction = check_reduction(reduction)
    z1 = _embeddings(embeddings1, "embeddings1", ndims=(2,))
    z2 = _embeddings(embeddings2, "embeddings2", ndims=(2,))
    check_same_shape(z1, z2, "embeddings1", "embeddings2")
    check_batch(z1.shape[0], reduction, "embeddings1")
    temperature = positive_scalar(temperature, "temperature")
    similarity = check_choice(similarity, "similarity", SIMILARITIES)
    if similarity == "cosine":  # refuse a zero row under its own name and row number
        _unit_rows(z1, "embeddings1")
        _unit_rows(z2, "embeddings2")
    return z1, z2, temperature, similarity, reduction


def _nt_xent_logits(z, similarity, temperature):
    """The (2N, 2N - 1) logits without the diagonal, the labels, and the unit rows."""
    logits, zu, _, zn, _ = _similarities(
        z, z, similarity, temperature, ("embeddings1", "embeddings2")
    )
    two_n = z.shape[0]
    off = ~np.eye(two_n, dtype=bool)
    reduced = logits[off].reshape(two_n, two_n - 1)
    rows = np.arange(two_n)
    partner = (rows + two_n // 2) % two_n
    labels = partner - (partner > rows)  # the column of the partner once the diagonal is out
    return reduced, labels, off, zu, zn


def nt_xent(
    embeddings1: ArrayLike,
    embeddings2: ArrayLike,
    *,
    temperature: float = 0.1,
    similarity: str = "cosine",
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""NT-Xent, SimCLR's normalized temperature-scaled cross-entropy (Chen et al. 2020).

    Row :math:`i` of ``embeddings1`` and row :math:`i` of ``embeddings2`` are two views of
    the same example.  Stack them into :math:`z_1, \dots, z_{2N}`; each :math:`z_a` has one
    positive, its other view :math:`z_{a^+}`, and :math:`2N - 2` negatives, every other row.
    With :math:`s_{ab} = \operatorname{sim}(z_a, z_b) / \tau`,

    .. math::

        L_a = -\ln \frac{e^{s_{a a^+}}}{\sum_{b \ne a} e^{s_{ab}}} ,

    averaged over all 2N rows: the softmax cross-entropy of the (2N, 2N) similarity matrix
    with its diagonal (each row's similarity with itself) left out, which is how it is
    computed here.

    Parameters
    ----------
    embeddings1, embeddings2 : array_like, shape (N, D)
        The first and second views, one example per row.
    temperature : float, default 0.1
        :math:`\tau > 0`, finite (optax's ``ntxent`` defaults to 0.07).
    similarity : {"cosine", "dot"}, default "cosine"
        Cosine is SimCLR's; ``"dot"`` compares the rows as given.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the 2N rows, ``"sum"`` adds them, ``"none"`` returns them
        (shape (2N,): the N rows of ``embeddings1``, then those of ``embeddings2``).

    Returns
    -------
    float or ndarray
        The reduced loss as a Python float, or the 2N per-row losses.

    Raises
    ------
    TypeError, ValueError
        As in :func:`info_nce`, with ``embeddings2`` of the shape of ``embeddings1``.

    See Also
    --------
    nt_xent_grad, info_nce

    Notes
    -----
    Equals ``optax.losses.ntxent(concatenate([z1, z2]), labels=[0..N-1, 0..N-1])`` at the
    same temperature (optax clips squared norms below its dtype's epsilon; rows that short
    are refused here).  Unlike :func:`info_nce` of the two views, each row's negatives include
    the other rows of its own view, and both directions count.

    References
    ----------
    - T. Chen, S. Kornblith, M. Norouzi and G. Hinton, "A Simple Framework for Contrastive
      Learning of Visual Representations", ICML 2020.

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> from lossref import nt_xent
    >>> z = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> round(nt_xent(z, z, temperature=1e9), 4)   # equal similarities: ln(2N - 1)
    1.0986
    >>> round(math.log(3), 4)
    1.0986
    """
    z1, z2, temperature, similarity, reduction = _check_nt_xent(
        embeddings1, embeddings2, temperature, similarity, reduction
    )
    if z1.shape[0] == 0:  # an empty batch: "sum" and "none" (the mean was refused)
        return 0.0 if reduction == "sum" else np.zeros(0)
    reduced, labels, *_ = _nt_xent_logits(np.concatenate([z1, z2]), similarity, temperature)
    return softmax_cross_entropy(reduced, labels, reduction=reduction)


def nt_xent_grad(
    embeddings1: ArrayLike,
    embeddings2: ArrayLike,
    *,
    temperature: float = 0.1,
    similarity: str = "cosine",
    reduction: str = "mean",
    wrt: str = "embeddings1",
) -> np.ndarray:
    r"""Gradient of :func:`nt_xent` with respect to ``embeddings1`` (or ``embeddings2``).

    With :math:`G = \partial L / \partial S` (zero on the diagonal) and the stacked rows
    :math:`Z`, the similarity matrix :math:`S = Z Z^\top / \tau` (of the unit rows for
    cosine) gives :math:`\partial L / \partial Z = (G + G^\top) Z / \tau`: every row is a
    query of its own loss and a key of the others.  For cosine each row then goes through
    the normalization, as in :func:`info_nce_grad`.

    Parameters
    ----------
    embeddings1, embeddings2, temperature, similarity, reduction
        As in :func:`nt_xent`.
    wrt : {"embeddings1", "embeddings2"}, default "embeddings1"
        The view to differentiate with respect to.

    Returns
    -------
    ndarray
        Shape (N, D).  For ``"none"`` the gradient of the sum.

    Raises
    ------
    TypeError, ValueError
        As in :func:`nt_xent`, and ``ValueError`` for an unknown ``wrt``.

    Examples
    --------
    >>> import numpy as np
    >>> from lossref import nt_xent_grad
    >>> z = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> nt_xent_grad(z, z, similarity="dot", temperature=1.0).round(4).tolist()
    [[-0.2119, 0.2119], [0.2119, -0.2119]]
    """
    wrt = check_choice(wrt, "wrt", _PAIR_WRT)
    z1, z2, temperature, similarity, reduction = _check_nt_xent(
        embeddings1, embeddings2, temperature, similarity, reduction
    )
    if z1.shape[0] == 0:
        return np.zeros_like(z1)
    z = np.concatenate([z1, z2])
    reduced, labels, off, zu, zn = _nt_xent_logits(z, similarity, temperature)
    g_reduced = softmax_cross_entropy_grad(reduced, labels, reduction=reduction)
    g = np.zeros((z.shape[0], z.shape[0]))
    g[off] = g_reduced.reshape(-1)
    grad = _through_norm((g + g.T) @ zu / temperature, zu, zn)
    n = z1.shape[0]
    return grad[:n] if wrt == "embeddings1" else grad[n:]
