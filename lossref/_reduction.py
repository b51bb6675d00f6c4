"""Reduction of per-example losses and gradients (private).

Conventions shared by every loss of lossref:

* ``"mean"`` divides by the number of examples N (not the number of classes);
* ``"sum"`` adds the per-example losses;
* ``"none"`` returns the per-example losses, an array of shape (N,), or a Python
  float when the input is a single example.

Gradients are those of the reduced loss.  For ``"none"`` the gradient of each
example's loss with respect to its own row is returned, which is the same
array as for ``"sum"``.
"""

from __future__ import annotations

import numpy as np


def reduce_loss(per_example: np.ndarray, reduction: str, single: bool) -> float | np.ndarray:
    """Apply ``reduction`` to a 1-D array of per-example losses."""
    if single:
        return float(per_example.reshape(-1)[0])
    if reduction == "none":
        return per_example
    with np.errstate(over="ignore"):  # a total beyond 1.8e308 is inf
        total = float(np.sum(per_example))
    if reduction == "sum":
        return total
    return total / per_example.shape[0]


def reduce_grad(grad: np.ndarray, reduction: str, n_examples: int) -> np.ndarray:
    """Scale per-example gradients (in place) for the ``"mean"`` reduction."""
    if reduction == "mean" and n_examples > 1:
        grad /= n_examples
    return grad
