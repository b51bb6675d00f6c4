"""Classification accuracy and error rate from scores or probabilities."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import check_scores_labels

__all__ = ["accuracy", "classification_error"]


def _correct(scores, labels) -> np.ndarray:
    s, y, _, _ = check_scores_labels(scores, labels, "sum")
    if s.shape[0] == 0:
        raise ValueError("scores is an empty batch (0 examples): accuracy and error are undefined")
    return np.argmax(s, axis=1) == y


def accuracy(scores: ArrayLike, labels: ArrayLike) -> float:
    r"""Fraction of examples whose highest score is the correct class.

    .. math::

        \operatorname{accuracy} = \frac{1}{N} \sum_{i=1}^N
        \mathbb{1}\bigl[\operatorname{argmax}_j s_{ij} = y_i\bigr].

    Parameters
    ----------
    scores : array_like, shape (C,) or (N, C)
        Class scores or probabilities (only their order matters).
    labels : int or array_like of int, shape (N,)
        Correct classes, integers in [0, C); a single integer for 1-D scores.

    Returns
    -------
    float
        In [0, 1]; for one example 1.0 or 0.0.

    Raises
    ------
    TypeError
        If scores are not real numbers or labels are not integers.
    ValueError
        If shapes do not match, labels are out of range, scores are not finite
        or the batch is empty.

    See Also
    --------
    classification_error

    Notes
    -----
    Ties are broken like ``numpy.argmax``: the first (lowest) index with the
    maximal score is the prediction.

    References
    ----------
    - scikit-learn user guide, "Accuracy score",
      https://scikit-learn.org/stable/modules/model_evaluation.html#accuracy-score

    Examples
    --------
    >>> from lossref import accuracy
    >>> scores = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]
    >>> round(accuracy(scores, [0, 1, 2]), 4)
    0.3333
    >>> accuracy([0.5, 0.5], 0)  # tie: the first index wins
    1.0
    """
    correct = _correct(scores, labels)
    return float(np.count_nonzero(correct)) / correct.size


def classification_error(scores: ArrayLike, labels: ArrayLike) -> float:
    r"""Fraction of misclassified examples, ``1 - accuracy``.

    .. math::

        \operatorname{error} = \frac{1}{N} \sum_{i=1}^N
        \mathbb{1}\bigl[\operatorname{argmax}_j s_{ij} \ne y_i\bigr].

    Parameters
    ----------
    scores : array_like, shape (C,) or (N, C)
        Class scores or probabilities (only their order matters).
    labels : int or array_like of int, shape (N,)
        Correct classes, integers in [0, C); a single integer for 1-D scores.

    Returns
    -------
    float
        In [0, 1]; for one example 1.0 or 0.0.

    Raises
    ------
    TypeError
        If scores are not real numbers or labels are not integers.
    ValueError
        If shapes do not match, labels are out of range, scores are not finite
        or the batch is empty.

    See Also
    --------
    accuracy

    Notes
    -----
    Ties are broken like ``numpy.argmax`` (first index wins).  Models X and Y
    of the lecture's table have the same error, 1/3, although their
    cross-entropies differ.

    References
    ----------
    - scikit-learn user guide, "Accuracy score",
      https://scikit-learn.org/stable/modules/model_evaluation.html#accuracy-score

    Examples
    --------
    >>> from lossref import classification_error
    >>> probs_x = [[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]]
    >>> round(classification_error(probs_x, [2, 1, 0]), 4)
    0.3333
    """
    correct = _correct(scores, labels)
    return float(correct.size - np.count_nonzero(correct)) / correct.size
