"""A small linear-classifier toolkit for the book's training demonstrations.

The score function is :math:`f(x; W) = x W` for a row vector :math:`x`.  The
bias is handled by the "bias trick" of the CS231n notes: append a constant 1
to every example (:func:`add_bias_column`) so that the last row of :math:`W`
holds the biases.  The functions here never add a bias themselves.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_float_array,
    check_choice,
    check_finite,
    check_labels,
    nonnegative_scalar,
    positive_int,
    positive_scalar,
)
from .margin import multiclass_hinge, multiclass_hinge_grad
from .probabilistic import softmax_cross_entropy, softmax_cross_entropy_grad

__all__ = [
    "add_bias_column",
    "gradient_descent",
    "linear_scores",
    "objective",
    "objective_grad",
]

_LOSSES = {
    "hinge": (multiclass_hinge, multiclass_hinge_grad),
    "softmax": (softmax_cross_entropy, softmax_cross_entropy_grad),
}


def _data(X, name="X") -> np.ndarray:
    arr = as_float_array(X, name, ndims=(2,), what="(N, D)")
    check_finite(arr, name)
    return arr


def _weights_for(W, X: np.ndarray, name: str = "W") -> np.ndarray:
    w = as_float_array(W, name, ndims=(2,), what="(D, C)")
    check_finite(w, name)
    if w.shape[0] != X.shape[1]:
        raise ValueError(
            f"{name} must have shape (D, C) with D = {X.shape[1]} rows to match X of shape "
            f"{X.shape}; got shape {w.shape}"
        )
    if w.shape[1] == 0:
        raise ValueError(f"{name} must have at least one column (class); got shape {w.shape}")
    return w


def _loss_pair(loss):
    return _LOSSES[check_choice(loss, "loss", tuple(_LOSSES))]


def add_bias_column(X: ArrayLike) -> np.ndarray:
    """Append a column of ones to the data matrix (the bias trick).

    Parameters
    ----------
    X : array_like, shape (N, D)
        One example per row.

    Returns
    -------
    ndarray, shape (N, D + 1)
        ``X`` with a last column of ones, so that ``linear_scores(W, X1)``
        with ``W`` of shape (D + 1, C) computes :math:`x W_{:D} + b`.

    Raises
    ------
    TypeError
        If ``X`` is not an array of real numbers.
    ValueError
        If ``X`` is not 2-D or not finite.

    References
    ----------
    - CS231n, "Linear classification",
      https://cs231n.github.io/linear-classify/

    Examples
    --------
    >>> from lossref import add_bias_column
    >>> add_bias_column([[0.5, 2.0], [1.0, -1.0]]).tolist()
    [[0.5, 2.0, 1.0], [1.0, -1.0, 1.0]]
    """
    arr = _data(X)
    return np.hstack([arr, np.ones((arr.shape[0], 1))])


def linear_scores(W: ArrayLike, X: ArrayLike) -> np.ndarray:
    r"""Class scores of a linear classifier, :math:`S = X W`.

    Parameters
    ----------
    W : array_like, shape (D, C)
        Weights, one column per class (include the bias row if ``X`` has a
        column of ones; see :func:`add_bias_column`).
    X : array_like, shape (N, D)
        One example per row.

    Returns
    -------
    ndarray, shape (N, C)
        ``S[i, c]`` is the score of class ``c`` for example ``i``.

    Raises
    ------
    TypeError
        If an argument is not an array of real numbers.
    ValueError
        If ``X`` or ``W`` is not 2-D, their shapes do not match, or they are
        not finite.

    References
    ----------
    - CS231n, "Linear classification",
      https://cs231n.github.io/linear-classify/

    Examples
    --------
    >>> from lossref import linear_scores
    >>> W = [[1.0, 0.0, -1.0], [0.5, 2.0, 0.0], [0.1, 0.2, 0.3]]  # last row: biases
    >>> linear_scores(W, [[2.0, 1.0, 1.0]]).round(4).tolist()
    [[2.6, 2.2, -1.7]]
    """
    x = _data(X)
    w = _weights_for(W, x)
    return x @ w


def _objective_inputs(W, X, y, loss, reg, w_name="W"):
    loss_fn, grad_fn = _loss_pair(loss)
    x = _data(X)
    w = _weights_for(W, x, w_name)
    if x.shape[0] == 0:
        raise ValueError(f"X must have at least one example (row); got shape {x.shape}")
    labels = check_labels(y, w.shape[1], x.shape[0], name="y", classes_of=w_name, examples_of="X")
    lam = nonnegative_scalar(reg, "reg")
    return x, w, labels, lam, loss_fn, grad_fn


def objective(
    W: ArrayLike, X: ArrayLike, y: ArrayLike, *, loss: str = "hinge", reg: float = 0.0
) -> float:
    r"""Full training objective: mean data loss plus L2 regularisation.

    .. math::

        J(W) = \frac{1}{N} \sum_{i=1}^N L_i(x_i W, y_i) + \lambda \sum_{k,l} W_{kl}^2,

    with :math:`L_i` the multiclass hinge loss (margin 1) or the softmax
    cross-entropy (natural log).  The penalty covers every entry of
    :math:`W`, including a bias row, as in the CS231n assignments.

    Parameters
    ----------
    W : array_like, shape (D, C)
        Weights.
    X : array_like, shape (N, D)
        Training examples, one per row (append a ones column for a bias).
    y : array_like of int, shape (N,)
        Correct classes in [0, C).
    loss : {"hinge", "softmax"}, default "hinge"
        The data loss.
    reg : float, default 0.0
        Regularisation strength :math:`\lambda \ge 0`.

    Returns
    -------
    float
        The objective value.

    Raises
    ------
    TypeError
        If arguments have the wrong type (e.g. float labels).
    ValueError
        If shapes do not match, values are not finite, labels are out of
        range, ``loss`` is unknown, ``reg`` is negative or ``X`` is empty.

    See Also
    --------
    objective_grad, gradient_descent, multiclass_hinge, softmax_cross_entropy

    References
    ----------
    - CS231n, "Linear classification",
      https://cs231n.github.io/linear-classify/

    Examples
    --------
    >>> from lossref import objective
    >>> X = [[1.0, 2.0, 1.0], [2.0, -1.0, 1.0]]
    >>> W = [[0.1, -0.2], [0.3, 0.0], [0.0, 0.1]]
    >>> round(objective(W, X, [0, 1], loss="hinge", reg=0.1), 4)  # (0.2 + 1.2) / 2 + 0.015
    0.715
    """
    x, w, labels, lam, loss_fn, _ = _objective_inputs(W, X, y, loss, reg)
    return loss_fn(x @ w, labels) + lam * float(np.vecdot(w.reshape(-1), w.reshape(-1)))


def objective_grad(
    W: ArrayLike, X: ArrayLike, y: ArrayLike, *, loss: str = "hinge", reg: float = 0.0
) -> np.ndarray:
    r"""Gradient of :func:`objective` with respect to the weights.

    .. math::

        \nabla_W J = X^\top \frac{\partial \bar L}{\partial S} + 2 \lambda W,

    where :math:`\partial \bar L / \partial S` is the gradient of the mean
    data loss with respect to the scores :math:`S = X W`
    (:func:`multiclass_hinge_grad` or :func:`softmax_cross_entropy_grad`; the
    hinge uses the subgradient 0 at its kinks).

    Parameters
    ----------
    W, X, y, loss, reg
        As in :func:`objective`.

    Returns
    -------
    ndarray, shape (D, C)
        The gradient.

    Raises
    ------
    TypeError, ValueError
        As in :func:`objective`.

    References
    ----------
    - CS231n, "Linear classification",
      https://cs231n.github.io/linear-classify/

    Examples
    --------
    >>> from lossref import objective_grad
    >>> X = [[1.0, 2.0, 1.0], [2.0, -1.0, 1.0]]
    >>> W = [[0.1, -0.2], [0.3, 0.0], [0.0, 0.1]]
    >>> objective_grad(W, X, [0, 1], loss="hinge", reg=0.1).round(4).tolist()
    [[0.52, -0.54], [-1.44, 1.5], [0.0, 0.02]]
    """
    x, w, labels, lam, _, grad_fn = _objective_inputs(W, X, y, loss, reg)
    dscores = grad_fn(x @ w, labels)
    return x.T @ dscores + (2.0 * lam) * w


def gradient_descent(
    W0: ArrayLike,
    X: ArrayLike,
    y: ArrayLike,
    *,
    loss: str = "hinge",
    reg: float = 0.0,
    learning_rate: float,
    num_steps: int,
    batch_size: int | None = None,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Train a linear classifier by (minibatch) gradient descent.

    Each step evaluates the objective and its gradient on a batch and updates
    :math:`W \leftarrow W - \eta \nabla_W J_{\text{batch}}(W)`.

    Parameters
    ----------
    W0 : array_like, shape (D, C)
        Initial weights (not modified).
    X : array_like, shape (N, D)
        Training examples, one per row.
    y : array_like of int, shape (N,)
        Correct classes in [0, C).
    loss : {"hinge", "softmax"}, default "hinge"
        The data loss, as in :func:`objective`.
    reg : float, default 0.0
        Regularisation strength :math:`\lambda \ge 0`.
    learning_rate : float
        Step size :math:`\eta > 0`.
    num_steps : int
        Number of updates (>= 0).
    batch_size : int or None, default None
        ``None`` for full-batch gradient descent; otherwise each step uses
        ``batch_size`` examples drawn without replacement (within the step)
        from ``numpy.random.default_rng(seed)``.
    seed : int or None, default None
        Seed of the generator used for minibatches (ignored for full batch).

    Returns
    -------
    W : ndarray, shape (D, C)
        The final weights.
    history : ndarray, shape (num_steps,)
        The objective on the batch used at each step, evaluated before that
        step's update (the full objective for full-batch descent).

    Raises
    ------
    TypeError, ValueError
        As in :func:`objective`; also for a non-positive learning rate, a
        negative number of steps, a batch size outside [1, N] or a seed that
        is not a non-negative integer.

    See Also
    --------
    objective, objective_grad

    Notes
    -----
    The regularisation term is part of every step's objective (also for
    minibatches), as in the CS231n assignments; the learning rate is constant.

    References
    ----------
    - CS231n, "Optimization: stochastic gradient descent",
      https://cs231n.github.io/optimization-1/

    Examples
    --------
    >>> from lossref import add_bias_column, gradient_descent, accuracy, linear_scores
    >>> X = add_bias_column([[2.0, 0.0], [0.0, 2.0], [1.5, 0.5], [0.5, 1.5]])
    >>> y = [0, 1, 0, 1]
    >>> W, history = gradient_descent([[0.0, 0.0]] * 3, X, y, loss="softmax",
    ...                               learning_rate=0.5, num_steps=50)
    >>> history.shape
    (50,)
    >>> round(float(history[0]), 4)
    0.6931
    >>> bool(history[-1] < history[0])
    True
    >>> accuracy(linear_scores(W, X), y)
    1.0
    """
    x, w, labels, lam, loss_fn, grad_fn = _objective_inputs(W0, X, y, loss, reg, "W0")
    eta = positive_scalar(learning_rate, "learning_rate")
    steps = positive_int(num_steps, "num_steps", minimum=0)
    n = x.shape[0]
    if batch_size is not None:
        batch_size = positive_int(batch_size, "batch_size")
        if batch_size > n:
            raise ValueError(
                f"batch_size must be at most the number of examples {n}; got {batch_size}"
            )
    if seed is not None:
        seed = positive_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    w = w.copy()
    history = np.empty(steps)
    for step in range(steps):
        if batch_size is None:
            xb, yb = x, labels
        else:
            idx = rng.choice(n, size=batch_size, replace=False)
            xb, yb = x[idx], labels[idx]
        scores = xb @ w
        history[step] = loss_fn(scores, yb) + lam * float(np.vecdot(w.reshape(-1), w.reshape(-1)))
        w -= eta * (xb.T @ grad_fn(scores, yb) + (2.0 * lam) * w)
    return w, history
