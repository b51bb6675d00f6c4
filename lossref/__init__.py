"""lossref: exact, numerically stable reference implementations of ML losses.

Every loss takes raw scores (logits) or probabilities as its first argument,
validates its input up front, returns a Python ``float`` for scalar results,
and has a ``*_grad`` companion giving the gradient of the reduced loss with
respect to the first argument.

Conventions shared by all functions:

* ``scores`` are raw class scores of shape (C,) for one example or (N, C) for
  a batch; ``labels`` are integer class indices (a scalar, or shape (N,)).
  Float labels such as ``1.0`` raise ``TypeError``; ``softmax_cross_entropy``
  also takes probability targets, a float array with the shape of the scores.
* ``reduction`` is ``"mean"`` (over the N examples, not the classes),
  ``"sum"`` or ``"none"`` (per-example losses; a float for a single example).
  The mean of an empty batch raises ``ValueError``.
* Arrays of real numbers (any integer or float dtype) are accepted and the
  computation is done in float64.  Boolean, complex, string and object
  inputs raise ``TypeError``; non-finite scores, shapes that do not match or
  have more than two dimensions raise ``ValueError`` (penalties accept
  weights of any shape).
* Rows of probabilities must lie in [0, 1] and sum to 1 within an absolute
  tolerance of ``max(1e-4, C * eps)``, ``eps`` being the machine epsilon of
  the input's float dtype.
* Nothing warns: a genuinely infinite loss (probability 0 on the true class)
  and a finite result beyond the float64 range (about 1.8e308) are returned
  as ``inf``.
"""

from .activations import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax
from .distillation import distillation_loss, distillation_loss_grad
from .gradcheck import gradient_check, numerical_gradient
from .imbalance import (
    sigmoid_focal_loss,
    sigmoid_focal_loss_grad,
    softmax_focal_loss,
    softmax_focal_loss_grad,
)
from .information import entropy, entropy_grad, kl_divergence, kl_divergence_grad
from .likelihood import (
    gaussian_nll,
    gaussian_nll_grad,
    poisson_nll,
    poisson_nll_grad,
)
from .linear import add_bias_column, gradient_descent, linear_scores, objective, objective_grad
from .margin import binary_hinge, binary_hinge_grad, multiclass_hinge, multiclass_hinge_grad
from .metric import (
    contrastive_loss,
    contrastive_loss_grad,
    info_nce,
    info_nce_grad,
    nt_xent,
    nt_xent_grad,
    triplet_margin_loss,
    triplet_margin_loss_grad,
)
from .metrics import accuracy, classification_error
from .probabilistic import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    cross_entropy,
    cross_entropy_grad,
    sigmoid_binary_cross_entropy,
    sigmoid_binary_cross_entropy_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)
from .regression import (
    huber_loss,
    huber_loss_grad,
    mean_absolute_error,
    mean_absolute_error_grad,
    mean_squared_error,
    mean_squared_error_grad,
    pinball_loss,
    pinball_loss_grad,
    smooth_l1_loss,
    smooth_l1_loss_grad,
    squared_error,
    squared_error_grad,
)
from .regularization import (
    elastic_net_penalty,
    elastic_net_penalty_grad,
    l1_penalty,
    l1_penalty_grad,
    l2_penalty,
    l2_penalty_grad,
)

__all__ = [
    "accuracy",
    "add_bias_column",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_hinge",
    "binary_hinge_grad",
    "classification_error",
    "contrastive_loss",
    "contrastive_loss_grad",
    "cross_entropy",
    "cross_entropy_grad",
    "distillation_loss",
    "distillation_loss_grad",
    "elastic_net_penalty",
    "elastic_net_penalty_grad",
    "entropy",
    "entropy_grad",
    "gaussian_nll",
    "gaussian_nll_grad",
    "gradient_check",
    "gradient_descent",
    "huber_loss",
    "huber_loss_grad",
    "info_nce",
    "info_nce_grad",
    "kl_divergence",
    "kl_divergence_grad",
    "l1_penalty",
    "l1_penalty_grad",
    "l2_penalty",
    "l2_penalty_grad",
    "linear_scores",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "mean_absolute_error",
    "mean_absolute_error_grad",
    "mean_squared_error",
    "mean_squared_error_grad",
    "multiclass_hinge",
    "multiclass_hinge_grad",
    "nt_xent",
    "nt_xent_grad",
    "numerical_gradient",
    "objective",
    "objective_grad",
    "pinball_loss",
    "pinball_loss_grad",
    "poisson_nll",
    "poisson_nll_grad",
    "sigmoid",
    "sigmoid_binary_cross_entropy",
    "sigmoid_binary_cross_entropy_grad",
    "sigmoid_focal_loss",
    "sigmoid_focal_loss_grad",
    "smooth_l1_loss",
    "smooth_l1_loss_grad",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "softmax_focal_loss",
    "softmax_focal_loss_grad",
    "squared_error",
    "squared_error_grad",
    "triplet_margin_loss",
    "triplet_margin_loss_grad",
]
