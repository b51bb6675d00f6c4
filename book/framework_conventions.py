"""How PyTorch, Keras 3, optax and scikit-learn compute the book's losses: the data behind the
conventions page (book/conventions.md), which draws its tables from it, and behind
tests/frameworks/test_conventions.py, which proves every entry against the framework itself.

An entry says which call computes a lossref loss and, with that call's defaults: the names and
order of its two arguments, what each must hold, what the default reduction divides by, and
where probabilities or logarithms are clipped. The proof feeds the call the stated formats and
compares what it returns with lossref's per-example losses reduced as stated, so an entry that
says "mean over N" where the call divides by N·C fails.
"""

from __future__ import annotations

from dataclasses import dataclass

# What an argument holds. Classes: N examples of C classes; binary: N scores or probabilities
# of the positive class; regression: N examples of C outputs (values, or the log-rates or rates
# of counts); distributions: N rows of C probabilities; embeddings: N rows of C coordinates.
PREDICTIONS = (
    "logits", "scores", "probabilities", "log-probabilities", "values", "log-rates", "rates",
    "embeddings",
)  # fmt: skip
TARGETS = ("class index", "one-hot", "0/1", "±1", "values", "counts", "probabilities", "embeddings")
MORE = ("variances", "embeddings")  # what a call's third argument holds, if it has one
REDUCTIONS = ("mean over N", "mean over N·C", "none: per example", "none: per element")


@dataclass(frozen=True)
class Convention:
    loss: str  # the lossref function
    framework: str  # "PyTorch", "Keras 3", "optax" or "scikit-learn"
    call: str  # the importable name; Keras entries are loss classes, called on (y_true, y_pred)
    arguments: tuple[str, ...]  # the call's first two (or three) parameters, in order
    prediction_first: bool  # whether the first of them takes the prediction
    prediction: str  # one of PREDICTIONS
    target: str  # one of TARGETS
    reduction: str  # one of REDUCTIONS: what the default reduction returns
    options: tuple[tuple[str, object], ...] = ()  # keywords the call needs to compute the loss
    lossref_options: tuple[tuple[str, object], ...] = ()  # lossref's keywords for the same loss
    clip: str = ""  # "probabilities: 1e-07" or "log: -100", as the call does it
    float32_mean: bool = False  # averages in float32, even given float64 (Keras's ops.mean on jax)
    warning: str = ""  # part of the warning the call gives with these defaults
    note: str = ""
    more: str = ""  # one of MORE: what a third positional argument holds

    @property
    def notes(self) -> str:
        extra = ["averages in float32, even given float64"] if self.float32_mean else []
        return "; ".join([self.note] * bool(self.note) + extra)

    @property
    def options_text(self) -> str:
        return ", ".join(f"{key}={value!r}" for key, value in self.options)

    @property
    def lossref_text(self) -> str:
        options = ", ".join(f"{key}={value!r}" for key, value in self.lossref_options)
        return f"{self.loss}({options})" if options else self.loss

    @property
    def call_text(self) -> str:
        return f"{self.call}({self.options_text})" if self.options else self.call

    @property
    def arguments_text(self) -> str:
        kinds = (self.prediction, self.target)
        if not self.prediction_first:
            kinds = kinds[::-1]
        kinds += (self.more,) * bool(self.more)
        return ", ".join(
            f"{name}: {kind}" for name, kind in zip(self.arguments, kinds, strict=True)
        )

    @property
    def clip_text(self) -> str:
        if not self.clip_value:
            return ""
        kind, value = self.clip_value
        if kind == "log":
            return f"clamps each log at {value:g}"
        return f"clips probabilities at {value:g}"

    @property
    def clip_value(self) -> tuple[str, float] | None:
        if not self.clip:
            return None
        kind, _, value = self.clip.partition(": ")
        return kind, float(value)


# Each framework's module of loss calls, whether its calls take the prediction first, and
# the reduction its calls default to.
FRAMEWORK_DEFAULTS = {
    "PyTorch": ("torch.nn.functional", True, "mean over N"),
    "Keras 3": ("keras.losses", False, "mean over N"),
    "optax": ("optax.losses", True, "none: per example"),
    "scikit-learn": ("sklearn.metrics", False, "mean over N"),
}


def _entry(framework, loss, call, arguments, prediction, target, reduction=None, **kw):
    module, prediction_first, default_reduction = FRAMEWORK_DEFAULTS[framework]
    return Convention(loss, framework, f"{module}.{call}", arguments, prediction_first,
                      prediction, target, reduction or default_reduction, **kw)  # fmt: skip


def _torch(loss, call, *formats, arguments=("input", "target"), **kw):
    return _entry("PyTorch", loss, call, arguments, *formats, **kw)


def _keras(loss, call, *formats, **kw):  # Keras's loss classes are called on (y_true, y_pred)
    return _entry("Keras 3", loss, call, ("y_true", "y_pred"), *formats, **kw)


def _optax(loss, call, arguments, *formats, **kw):
    return _entry("optax", loss, call, arguments, *formats, **kw)


def _sklearn(loss, call, arguments, *formats, **kw):
    return _entry("scikit-learn", loss, call, arguments, *formats, **kw)


KERAS_CLIP = "probabilities: 1e-07"
SKLEARN_CLIP = "probabilities: 2.220446049250313e-16"  # float64's machine epsilon

CONVENTIONS = [
    # softmax cross-entropy of class scores
    _torch("softmax_cross_entropy", "cross_entropy", "logits", "class index"),
    _keras(
        "softmax_cross_entropy",
        "SparseCategoricalCrossentropy",
        "logits",
        "class index",
        options=(("from_logits", True),),
    ),
    _optax(
        "softmax_cross_entropy",
        "softmax_cross_entropy_with_integer_labels",
        ("logits", "labels"),
        "logits",
        "class index",
    ),
    _optax(
        "softmax_cross_entropy", "softmax_cross_entropy", ("logits", "labels"), "logits", "one-hot"
    ),
    # cross-entropy of predicted probabilities
    _torch(
        "cross_entropy",
        "nll_loss",
        "log-probabilities",
        "class index",
        note="takes the log of the probabilities",
    ),
    _keras("cross_entropy", "CategoricalCrossentropy", "probabilities", "one-hot", clip=KERAS_CLIP),
    _keras(
        "cross_entropy",
        "SparseCategoricalCrossentropy",
        "probabilities",
        "class index",
        clip=KERAS_CLIP,
    ),
    _sklearn(
        "cross_entropy",
        "log_loss",
        ("y_true", "y_proba"),
        "probabilities",
        "class index",
        clip=SKLEARN_CLIP,
    ),
    # binary cross-entropy
    _torch("sigmoid_binary_cross_entropy", "binary_cross_entropy_with_logits", "logits", "0/1"),
    _keras(
        "sigmoid_binary_cross_entropy",
        "BinaryCrossentropy",
        "logits",
        "0/1",
        reduction="mean over N",
        options=(("from_logits", True),),
        float32_mean=True,
    ),
    _optax(
        "sigmoid_binary_cross_entropy",
        "sigmoid_binary_cross_entropy",
        ("logits", "labels"),
        "logits",
        "0/1",
        reduction="none: per element",
    ),
    _torch(
        "binary_cross_entropy", "binary_cross_entropy", "probabilities", "0/1", clip="log: -100"
    ),
    _keras(
        "binary_cross_entropy",
        "BinaryCrossentropy",
        "probabilities",
        "0/1",
        clip=KERAS_CLIP,
        float32_mean=True,
    ),
    _sklearn(
        "binary_cross_entropy",
        "log_loss",
        ("y_true", "y_proba"),
        "probabilities",
        "0/1",
        clip=SKLEARN_CLIP,
    ),
    # focal losses
    _keras(
        "sigmoid_focal_loss",
        "BinaryFocalCrossentropy",
        "logits",
        "0/1",
        options=(("from_logits", True),),
        float32_mean=True,
        note="ignores its alpha unless apply_class_balancing=True",
    ),
    _optax(
        "sigmoid_focal_loss",
        "sigmoid_focal_loss",
        ("logits", "labels"),
        "logits",
        "0/1",
        reduction="none: per element",
    ),
    _keras(
        "softmax_focal_loss",
        "CategoricalFocalCrossentropy",
        "logits",
        "one-hot",
        options=(("from_logits", True),),
        lossref_options=(("alpha", 0.25),),
        note="weights every class by alpha=0.25 by default",
    ),
    # hinge losses
    _torch(
        "multiclass_hinge",
        "multi_margin_loss",
        "scores",
        "class index",
        reduction="mean over N·C",
        note="divides each example's loss by C",
    ),
    _keras("binary_hinge", "Hinge", "scores", "±1", float32_mean=True),
    _sklearn("binary_hinge", "hinge_loss", ("y_true", "pred_decision"), "scores", "±1"),
    # regression
    _torch("squared_error", "mse_loss", "values", "values", reduction="mean over N·C"),
    _keras(
        "squared_error",
        "MeanSquaredError",
        "values",
        "values",
        reduction="mean over N·C",
        float32_mean=True,
    ),
    _optax(
        "squared_error",
        "squared_error",
        ("predictions", "targets"),
        "values",
        "values",
        reduction="none: per element",
    ),
    _sklearn(
        "squared_error",
        "mean_squared_error",
        ("y_true", "y_pred"),
        "values",
        "values",
        reduction="mean over N·C",
    ),
    _torch("mean_absolute_error", "l1_loss", "values", "values", reduction="mean over N·C"),
    _keras(
        "mean_absolute_error",
        "MeanAbsoluteError",
        "values",
        "values",
        reduction="mean over N·C",
        float32_mean=True,
    ),
    _sklearn(
        "mean_absolute_error",
        "mean_absolute_error",
        ("y_true", "y_pred"),
        "values",
        "values",
        reduction="mean over N·C",
    ),
    _torch("huber_loss", "huber_loss", "values", "values", reduction="mean over N·C"),
    _keras("huber_loss", "Huber", "values", "values", reduction="mean over N·C", float32_mean=True),
    _optax(
        "huber_loss",
        "huber_loss",
        ("predictions", "targets"),
        "values",
        "values",
        reduction="none: per element",
    ),
    _torch("smooth_l1_loss", "smooth_l1_loss", "values", "values", reduction="mean over N·C"),
    _sklearn(
        "pinball_loss",
        "mean_pinball_loss",
        ("y_true", "y_pred"),
        "values",
        "values",
        reduction="mean over N·C",
        options=(("alpha", 0.9),),
        lossref_options=(("tau", 0.9),),
    ),
    # likelihoods
    _torch(
        "gaussian_nll",
        "gaussian_nll_loss",
        "values",
        "values",
        arguments=("input", "target", "var"),
        more="variances",
        reduction="mean over N·C",
    ),
    _torch("poisson_nll", "poisson_nll_loss", "log-rates", "counts", reduction="mean over N·C"),
    _keras(
        "poisson_nll",
        "Poisson",
        "rates",
        "counts",
        reduction="mean over N·C",
        lossref_options=(("log_input", False), ("eps", 1e-07)),
        float32_mean=True,
        note="adds 1e-07 to the rate inside the log",
    ),
    # embeddings
    _torch(
        "triplet_margin_loss",
        "triplet_margin_loss",
        "embeddings",
        "embeddings",
        arguments=("anchor", "positive", "negative"),
        more="embeddings",
    ),
    # divergences
    _torch(
        "kl_divergence",
        "kl_div",
        "log-probabilities",
        "probabilities",
        reduction="mean over N·C",
        warning="batchmean",
        note='warns: reduction="batchmean" divides by N',
    ),
    _keras("kl_divergence", "KLDivergence", "probabilities", "probabilities", clip=KERAS_CLIP),
    _optax(
        "kl_divergence",
        "kl_divergence",
        ("log_predictions", "targets"),
        "log-probabilities",
        "probabilities",
    ),
    # knowledge distillation: the divergence of the student's softened distribution from the
    # teacher's, fed as log_softmax(student / T) and softmax(teacher / T), times T**2
    _torch(
        "distillation_loss",
        "kl_div",
        "log-probabilities",
        "probabilities",
        reduction="mean over N",
        options=(("reduction", "batchmean"),),
        note="of log_softmax(s / T) and softmax(t / T); times T²",
    ),
    _keras(
        "distillation_loss",
        "KLDivergence",
        "probabilities",
        "probabilities",
        clip=KERAS_CLIP,
        note="of softmax(t / T) and softmax(s / T); times T²",
    ),
    _optax(
        "distillation_loss",
        "kl_divergence",
        ("log_predictions", "targets"),
        "log-probabilities",
        "probabilities",
        note="of log_softmax(s / T) and softmax(t / T); times T²",
    ),
]

FRAMEWORKS = ("PyTorch", "Keras 3", "optax", "scikit-learn")

# Every loss of lossref that the page lists, in the book's order; a loss with no entry has no
# call with its definition in these frameworks. (mean_squared_error is squared_error's mean
# over N·C, so squared_error's rows cover it.)
LOSSES = (
    "softmax_cross_entropy", "cross_entropy", "sigmoid_binary_cross_entropy",
    "binary_cross_entropy", "sigmoid_focal_loss", "softmax_focal_loss", "multiclass_hinge",
    "binary_hinge", "squared_error", "mean_absolute_error", "huber_loss", "smooth_l1_loss",
    "pinball_loss", "gaussian_nll", "poisson_nll", "kl_divergence", "distillation_loss",
    "triplet_margin_loss",
    "contrastive_loss", "info_nce", "nt_xent",
)  # fmt: skip
