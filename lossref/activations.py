"""Numerically stable softmax, log-softmax, log-sum-exp and sigmoid.

Every function validates its input (finite real numbers, 1-D or 2-D) and works
in float64.  The private helpers defined here (the shifted exponentials of a
row and the softplus function) are shared with the loss modules, so that every
loss built on them inherits the same accuracy.

Accuracy.  For a row :math:`x` with maximum :math:`m` (at index :math:`k`) the
exponentials are computed as :math:`e_j = \\exp(x_j - m)` and the tail sum
:math:`t = \\sum_{j \\ne k} e_j` *without* the dominant term 1, so that
:math:`\\log \\sum_j e^{x_j - m} = \\operatorname{log1p}(t)` keeps full relative
accuracy even when :math:`t` is tiny (a confident prediction).  When the
rounding of :math:`x_j - m` could matter (large :math:`|x_j - m|` dominating a
small result) the rows concerned are recomputed with an error-free
transformation (Knuth's TwoSum) that recovers the exact difference.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from ._blocks import block_rows, for_row_blocks
from ._validation import as_float_array, check_finite

__all__ = ["log_sigmoid", "log_softmax", "logsumexp", "sigmoid", "softmax"]


# ---------------------------------------------------------------------------
# private helpers shared with the loss modules
# ---------------------------------------------------------------------------


def _exact_shift_exp(xs: np.ndarray, ms: np.ndarray, ds: np.ndarray, es: np.ndarray) -> None:
    """Correct ``es = exp(ds)`` in place, where ``ds = fl(xs - ms)``.

    TwoSum gives ``err`` with ``xs - ms == ds + err`` exactly, and
    ``exp(ds + err) = exp(ds) * (1 + err)`` to far below one ulp because
    ``|err| <= 2**-53 * |ds|``.
    """
    neg_m = -ms[:, None]
    with np.errstate(over="ignore", invalid="ignore"):  # nan only where ds = -inf, es = 0
        b_virtual = ds - xs
        a_virtual = ds - b_virtual
        err = (xs - a_virtual) + (neg_m - b_virtual)
    es += es * np.where(es > 0, err, 0.0)


def _softmax_rows(
    x: np.ndarray,
    *,
    scale=None,
    refine_all: bool = False,
    d_out: np.ndarray | None = None,
    e_out: np.ndarray | None = None,
    divisor=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Row statistics of ``exp(x - max)`` for a 2-D float64 array ``x`` (N, C).

    Returns ``(k, m, t, finite)``: for every row the index ``k`` of its
    maximum (the first one on ties), the maximum ``m`` and the tail sum
    ``t = sum_{j != k} exp(x_j - m)``, so that the row's sum of
    ``exp(x_j - m)`` is ``1 + t`` and its log-sum-exp is ``m + log1p(t)``.
    ``finite`` is False if ``x`` has a NaN or infinite entry: the finiteness
    check is folded into the row maximum and minimum (no separate pass), the
    rows concerned are skipped and the caller must raise (``check_finite`` on
    its argument gives the message) before using any result.

    ``d_out`` / ``e_out``, if given, receive ``fl(x - m)`` and
    ``exp(x - m)`` (with 0 at the maximum); they may be the same array when
    nothing is refined.  ``scale(start, stop, m, t)`` returns the magnitude of
    the final per-row results of rows ``start:stop``; the rows where the
    rounding of ``x - m`` could cause an error above about one ulp of that
    magnitude -- about ``2**-53 * sum_j e_j |d_j| / (1 + t)`` in ``log1p(t)``
    -- are recomputed exactly.  ``refine_all`` recomputes every row.

    ``divisor(start, stop, t)``, if given, returns one number per row of
    ``start:stop``; ``e_out`` then receives ``exp(x - m) / divisor`` with the
    entry of the maximum set to ``1 / divisor`` (the softmax for divisor
    ``1 + t``), normalised while the block is still in cache.
    """
    n, c = x.shape
    k = np.empty(n, dtype=np.intp)
    m = np.empty(n)
    t = np.empty(n)
    nonfinite = []  # appended to by any thread that meets a NaN or an infinity

    def make_worker():
        scratch = (min(block_rows(c), n), c)
        d_tmp = np.empty(scratch) if d_out is None else None
        e_tmp = np.empty(scratch) if e_out is None else None

        def work(start, stop):
            xb = x[start:stop]
            rows = np.arange(stop - start)
            kb = np.argmax(xb, axis=1)  # NaN-propagating: a row with NaN gives a NaN maximum
            mb = xb[rows, kb]
            with np.errstate(over="ignore", invalid="ignore"):
                spread = mb - np.min(xb, axis=1)
            # spread is inf or NaN iff the row has a NaN or an infinity, or (finite
            # entries) x - m < -1.8e308 rounds to -inf somewhere, where e = 0
            if not np.isfinite(spread).all():
                if not np.isfinite(xb[~np.isfinite(spread)]).all():
                    nonfinite.append(start)
                    return
                huge = True
            else:
                huge = False
            db = d_tmp[: stop - start] if d_out is None else d_out[start:stop]
            eb = e_tmp[: stop - start] if e_out is None else e_out[start:stop]
            with np.errstate(over="ignore"):
                np.subtract(xb, mb[:, None], out=db)
            np.exp(db, out=eb)
            eb[rows, kb] = 0.0
            tb = eb.sum(axis=1)
            if refine_all:
                sel = rows
            elif scale is not None:
                # e_j = 0 wherever d_j < -746 (d_j may be -inf): clamping d changes no product
                w = -np.vecdot(eb, np.maximum(db, -1e3) if huge else db)
                sel = np.flatnonzero(w / (1.0 + tb) > scale(start, stop, mb, tb))
            else:
                sel = rows[:0]
            if sel.size:
                es = eb[sel]
                _exact_shift_exp(xb[sel], mb[sel], db[sel], es)
                eb[sel] = es
                tb[sel] = es.sum(axis=1)
            if divisor is not None:
                eb[rows, kb] = 1.0
                eb /= divisor(start, stop, tb)[:, None]
            k[start:stop] = kb
            m[start:stop] = mb
            t[start:stop] = tb

        return work

    for_row_blocks(n, c, make_worker)
    return k, m, t, not nonfinite


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(x)) as max(x, 0) + log1p(exp(-|x|)): two terms >= 0."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, without overflow and with relative accuracy."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _rows_view(x: np.ndarray, axis: object, name: str) -> tuple[np.ndarray, int]:
    """Validate ``axis`` and return (2-D rows array, normalised axis)."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer; got {type(axis).__name__}")
    axis = int(axis)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"axis must be in [{-x.ndim}, {x.ndim}) for {name} with {x.ndim} dimensions; got {axis}"
        )
    axis %= x.ndim
    if x.shape[axis] == 0:
        raise ValueError(
            f"{name} must have at least one entry along axis {axis}; got shape {x.shape}"
        )
    moved = np.moveaxis(x, axis, -1)
    return moved.reshape(-1, moved.shape[-1]), axis


def _restore(rows_result: np.ndarray, x: np.ndarray, axis: int) -> np.ndarray:
    """Inverse of ``_rows_view`` for a result of the same shape as ``x``."""
    moved_shape = np.moveaxis(x, axis, -1).shape
    return np.moveaxis(rows_result.reshape(moved_shape), -1, axis)


def _score_rows(x: ArrayLike, axis: object) -> tuple[np.ndarray, np.ndarray, int]:
    """``x`` as float64, its 2-D rows and the normalised axis.

    Finiteness is checked by ``_softmax_rows`` on the way (no separate pass);
    a non-finite entry is still reported before a bad ``axis``.
    """
    arr = as_float_array(x, "x", ndims=(1, 2))
    try:
        rows, ax = _rows_view(arr, axis, "x")
    except (TypeError, ValueError):
        check_finite(arr, "x")
        raise
    return arr, rows, ax


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------


def logsumexp(x: ArrayLike, axis: int = -1) -> float | np.ndarray:
    r"""Log of the sum of exponentials, computed without overflow.

    .. math::

        \operatorname{logsumexp}(x) = \log \sum_j e^{x_j}
        = m + \operatorname{log1p}\Bigl(\sum_{j \ne k} e^{x_j - m}\Bigr),
        \qquad m = x_k = \max_j x_j .

    Parameters
    ----------
    x : array_like, shape (C,) or (N, C)
        Finite real numbers (for example class scores).
    axis : int, default -1
        Axis along which to sum.

    Returns
    -------
    float or ndarray
        A Python float for 1-D input, otherwise an array with ``axis`` removed.

    Raises
    ------
    TypeError
        If ``x`` is not an array of real numbers or ``axis`` is not an integer.
    ValueError
        If ``x`` is not 1-D or 2-D, has no entry along ``axis``, or contains
        NaN or infinity.

    Notes
    -----
    Scores of any magnitude (``1e4``, ``1e300``) are fine: nothing overflows.
    The result has a relative error of a few machine epsilons whenever it is
    not the result of cancellation, i.e. unless ``max(x) < 0`` and the result
    is much closer to 0 than ``max(x)``; in that case the error is a few
    epsilons of ``|max(x)|`` (absolute).

    References
    ----------
    - P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing
      the log-sum-exp and softmax functions", IMA Journal of Numerical
      Analysis 41, 2021.
    - D. E. Knuth, "The Art of Computer Programming", vol. 2, 3rd ed.,
      1997, section 4.2.2 (the TwoSum error-free transformation).

    Examples
    --------
    >>> from lossref import logsumexp
    >>> round(logsumexp([1.0, 2.0, 3.0]), 4)
    3.4076
    >>> round(logsumexp([1000.0, 1000.0]), 4)
    1000.6931
    >>> logsumexp([[0.0, 0.0], [1e4, -1e4]]).tolist()
    [0.6931471805599453, 10000.0]
    """
    arr, rows, _ = _score_rows(x, axis)
    _, m, t, finite = _softmax_rows(rows, scale=lambda _a, _b, m, t: np.abs(m + np.log1p(t)))
    if not finite:
        check_finite(arr, "x")  # raises
    out = m + np.log1p(t)
    if arr.ndim == 1:
        return float(out[0])
    return out


def log_softmax(x: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Logarithm of the softmax, computed without overflow or cancellation.

    .. math::

        \log \operatorname{softmax}(x)_j = x_j - \operatorname{logsumexp}(x)
        = (x_j - m) - \operatorname{log1p}\Bigl(\sum_{i \ne k} e^{x_i - m}\Bigr),

    where :math:`m = x_k` is the maximum.  Both terms are :math:`\le 0`, so
    they never cancel.

    Parameters
    ----------
    x : array_like, shape (C,) or (N, C)
        Finite real numbers (class scores, logits).
    axis : int, default -1
        Axis along which the softmax is normalised.

    Returns
    -------
    ndarray
        Same shape as ``x``; every entry is :math:`\le 0`.

    Raises
    ------
    TypeError
        If ``x`` is not an array of real numbers or ``axis`` is not an integer.
    ValueError
        If ``x`` is not 1-D or 2-D, has no entry along ``axis``, or contains
        NaN or infinity.

    Notes
    -----
    Every entry has a relative error of a few machine epsilons, including the
    entry of the maximum when it is tiny: ``log_softmax([0, -100])[0]`` is
    ``-3.72e-44``, not 0.

    References
    ----------
    - P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing
      the log-sum-exp and softmax functions", IMA Journal of Numerical
      Analysis 41, 2021.
    - D. E. Knuth, "The Art of Computer Programming", vol. 2, 3rd ed.,
      1997, section 4.2.2 (the TwoSum error-free transformation).

    Examples
    --------
    >>> from lossref import log_softmax
    >>> log_softmax([1.0, 2.0, 3.0]).round(4).tolist()
    [-2.4076, -1.4076, -0.4076]
    >>> print(f"{log_softmax([0.0, -100.0])[0]:.3g}")
    -3.72e-44
    """
    arr, rows, ax = _score_rows(x, axis)
    out = np.empty_like(rows)
    _, _, t, finite = _softmax_rows(rows, scale=lambda _a, _b, _m, t: np.log1p(t), d_out=out)
    if not finite:
        check_finite(arr, "x")  # raises
    out -= np.log1p(t)[:, None]
    return _restore(out, arr, ax)


def softmax(x: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Softmax function: exponentials normalised to sum to 1.

    .. math::

        \operatorname{softmax}(x)_j = \frac{e^{x_j}}{\sum_i e^{x_i}}
        = \frac{e^{x_j - m}}{1 + \sum_{i \ne k} e^{x_i - m}},
        \qquad m = x_k = \max_i x_i .

    Parameters
    ----------
    x : array_like, shape (C,) or (N, C)
        Finite real numbers (class scores, logits).
    axis : int, default -1
        Axis along which the result sums to 1.

    Returns
    -------
    ndarray
        Same shape as ``x``; entries in [0, 1].

    Raises
    ------
    TypeError
        If ``x`` is not an array of real numbers or ``axis`` is not an integer.
    ValueError
        If ``x`` is not 1-D or 2-D, has no entry along ``axis``, or contains
        NaN or infinity.

    Notes
    -----
    Shifting by the maximum avoids overflow, and the difference
    :math:`x_j - m` is computed exactly (TwoSum), so every entry, including
    very small probabilities, has a relative error of a few machine epsilons
    unless it underflows below the smallest normal float (about 2.2e-308).

    References
    ----------
    - P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing
      the log-sum-exp and softmax functions", IMA Journal of Numerical
      Analysis 41, 2021.
    - D. E. Knuth, "The Art of Computer Programming", vol. 2, 3rd ed.,
      1997, section 4.2.2 (the TwoSum error-free transformation).

    Examples
    --------
    >>> from lossref import softmax
    >>> softmax([1.0, 2.0, 3.0]).round(4).tolist()
    [0.09, 0.2447, 0.6652]
    >>> softmax([1e4, 0.0]).tolist()
    [1.0, 0.0]
    """
    arr, rows, ax = _score_rows(x, axis)
    out = np.empty_like(rows)
    *_, finite = _softmax_rows(rows, refine_all=True, e_out=out, divisor=lambda _a, _b, t: 1.0 + t)
    if not finite:
        check_finite(arr, "x")  # raises
    return _restore(out, arr, ax)


def sigmoid(x: ArrayLike) -> float | np.ndarray:
    r"""Logistic sigmoid, stable for large positive and negative inputs.

    .. math::

        \sigma(x) = \frac{1}{1 + e^{-x}} =
        \begin{cases} 1 / (1 + e^{-x}) & x \ge 0 \\
        e^{x} / (1 + e^{x}) & x < 0 \end{cases}

    Parameters
    ----------
    x : array_like, scalar, shape (N,) or (N, C)
        Finite real numbers.

    Returns
    -------
    float or ndarray
        A Python float for scalar input, otherwise an array of the same shape.

    Raises
    ------
    TypeError
        If ``x`` is not a real number or array of real numbers.
    ValueError
        If ``x`` has more than two dimensions or is not finite.

    Notes
    -----
    Only ``exp(-|x|)`` is evaluated, so nothing overflows; the result has a
    relative error of a few machine epsilons for every input (it underflows to
    0 below about ``x = -745``).

    References
    ----------
    - M. Maechler, "Accurately computing ``log(1 - exp(-|a|))``", Rmpfr
      package vignette, 2012.

    Examples
    --------
    >>> from lossref import sigmoid
    >>> sigmoid(0.0)
    0.5
    >>> sigmoid([-1e4, 2.0, 1e4]).round(4).tolist()
    [0.0, 0.8808, 1.0]
    >>> print(f"{sigmoid(-40.0):.3e}")
    4.248e-18
    """
    arr = as_float_array(x, "x", ndims=(0, 1, 2))
    check_finite(arr, "x")
    out = _sigmoid(arr)
    return float(out) if out.ndim == 0 else out


def log_sigmoid(x: ArrayLike) -> float | np.ndarray:
    r"""Logarithm of the sigmoid, :math:`\log\sigma(x) = -\log(1 + e^{-x})`.

    Computed as :math:`-\max(-x, 0) - \operatorname{log1p}(e^{-|x|})` (two
    terms of the same sign), so it neither overflows nor loses accuracy.

    Parameters
    ----------
    x : array_like, scalar, shape (N,) or (N, C)
        Finite real numbers.

    Returns
    -------
    float or ndarray
        A Python float for scalar input, otherwise an array of the same shape;
        every entry is :math:`\le 0`.

    Raises
    ------
    TypeError
        If ``x`` is not a real number or array of real numbers.
    ValueError
        If ``x`` has more than two dimensions or is not finite.

    Notes
    -----
    Relative error of a few machine epsilons for every input.

    References
    ----------
    - M. Maechler, "Accurately computing ``log(1 - exp(-|a|))``", Rmpfr
      package vignette, 2012.

    Examples
    --------
    >>> from lossref import log_sigmoid
    >>> round(log_sigmoid(0.0), 4)
    -0.6931
    >>> log_sigmoid(-1e4)
    -10000.0
    >>> print(f"{log_sigmoid(50.0):.4e}")
    -1.9287e-22
    """
    arr = as_float_array(x, "x", ndims=(0, 1, 2))
    check_finite(arr, "x")
    out = -_softplus(-arr)
    return float(out) if out.ndim == 0 else out
