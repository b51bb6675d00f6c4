"""Every entry of the conventions page (book/framework_conventions.py), proved against the
framework it describes.

For each entry: the call's first two parameters have the stated names; fed the stated formats,
its default reduction returns lossref's per-example (or per-element) losses reduced as stated, in
float64 to 1e-12; and where the entry says the call clips, a prediction of exactly 0 for the
correct class gives the clipped, finite value where lossref gives inf. The data are chosen so
that any other reduction, argument order or format gives a different number.
"""

from __future__ import annotations

import inspect
import math
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import lossref

from .agreement import close

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "book"))
from framework_conventions import (
    CONVENTIONS,
    LOSSES,
    MORE,
    PREDICTIONS,
    REDUCTIONS,
    TARGETS,
)

N, C = 4, 3
RNG = np.random.default_rng(20261205)
SCORES = RNG.normal(scale=2.0, size=(N, C))
LABELS = np.array([0, 2, 1, 2])
BINARY_SCORES = RNG.normal(scale=2.0, size=N)
BINARY_TARGETS = np.array([1.0, 0.0, 0.0, 1.0])
VALUES = RNG.normal(scale=2.0, size=(N, C))
TARGET_VALUES = RNG.normal(scale=2.0, size=(N, C))
TARGET_PROBABILITIES = lossref.softmax(RNG.normal(size=(N, C)))
LOG_RATES = RNG.normal(size=(N, C))
COUNTS = RNG.poisson(2.0, size=(N, C)).astype(float)
VARIANCES = RNG.uniform(0.2, 3.0, size=(N, C))
MORE_VALUES = RNG.normal(scale=2.0, size=(N, C))  # a third argument: the triplet's negatives
TEACHER_LOGITS = RNG.normal(scale=2.0, size=(N, C))

# The family of each lossref loss: which data it takes, and in which formats lossref takes them.
FAMILY = {
    "softmax_cross_entropy": ("classes", "logits", "class index"),
    "cross_entropy": ("classes", "probabilities", "one-hot"),
    "multiclass_hinge": ("classes", "scores", "class index"),
    "sigmoid_binary_cross_entropy": ("binary", "logits", "0/1"),
    "binary_cross_entropy": ("binary", "probabilities", "0/1"),
    "binary_hinge": ("binary", "scores", "±1"),
    "squared_error": ("regression", "values", "values"),
    "mean_absolute_error": ("regression", "values", "values"),
    "huber_loss": ("regression", "values", "values"),
    "smooth_l1_loss": ("regression", "values", "values"),
    "pinball_loss": ("regression", "values", "values"),
    "kl_divergence": ("distributions", "probabilities", "probabilities"),
    "sigmoid_focal_loss": ("binary", "logits", "0/1"),
    "softmax_focal_loss": ("classes", "logits", "class index"),
    "gaussian_nll": ("regression", "values", "values"),
    "poisson_nll": ("counts", "log-rates", "counts"),
    "triplet_margin_loss": ("embeddings", "embeddings", "embeddings"),
    # at temperature 1; tests/frameworks/test_distillation.py has the others
    "distillation_loss": ("distillation", "logits", "logits"),
}


def prediction(family: str, kind: str, scores=None) -> np.ndarray:
    if family == "classes":
        s = SCORES if scores is None else scores
        return {"logits": s, "scores": s, "probabilities": lossref.softmax(s),
                "log-probabilities": lossref.log_softmax(s)}[kind]  # fmt: skip
    if family == "binary":
        s = BINARY_SCORES if scores is None else scores
        return {"logits": s, "scores": s, "probabilities": lossref.sigmoid(s)}[kind]
    if family in ("regression", "embeddings"):
        return {"values": VALUES, "embeddings": VALUES}[kind]
    if family == "counts":
        return {"log-rates": LOG_RATES, "rates": np.exp(LOG_RATES)}[kind]
    if family == "distillation":  # the student's logits
        return {"logits": SCORES, "probabilities": lossref.softmax(SCORES),
                "log-probabilities": lossref.log_softmax(SCORES)}[kind]  # fmt: skip
    p = lossref.softmax(SCORES) if scores is None else scores
    return {"probabilities": p, "log-probabilities": np.log(p)}[kind]


def target(family: str, kind: str) -> np.ndarray:
    if family == "classes":
        return {"class index": LABELS, "one-hot": np.eye(C)[LABELS]}[kind]
    if family == "binary":
        return {"0/1": BINARY_TARGETS, "±1": 2.0 * BINARY_TARGETS - 1.0}[kind]
    if family in ("regression", "embeddings"):
        return {"values": TARGET_VALUES, "embeddings": TARGET_VALUES}[kind]
    if family == "counts":
        return {"counts": COUNTS}[kind]
    if family == "distillation":  # the teacher's logits
        return {"logits": TEACHER_LOGITS, "probabilities": lossref.softmax(TEACHER_LOGITS)}[kind]
    return {"probabilities": TARGET_PROBABILITIES}[kind]


def more(convention) -> tuple[np.ndarray, ...]:
    """The call's third argument, if it takes one."""
    return {"": (), "variances": (VARIANCES,), "embeddings": (MORE_VALUES,)}[convention.more]


def lossref_losses(convention, first=None) -> np.ndarray:
    """lossref's losses, one per example or (for elementwise losses) per entry."""
    family, prediction_kind, target_kind = FAMILY[convention.loss]
    if family == "counts":  # poisson_nll takes log-rates or, with log_input=False, rates
        prediction_kind = convention.prediction
    first = prediction(family, prediction_kind) if first is None else first
    second = target(family, target_kind)
    function = getattr(lossref, convention.loss)
    options = dict(convention.lossref_options)
    if convention.loss == "kl_divergence":
        return function(first, second, **options)  # one divergence per row
    return function(first, second, *more(convention), reduction="none", **options)


def per_element(convention) -> np.ndarray:
    """lossref's loss of each entry: every entry an example of its own."""
    family, prediction_kind, target_kind = FAMILY[convention.loss]
    if family == "binary":
        return lossref_losses(convention)
    first = prediction(family, prediction_kind).reshape(-1, 1)
    second = target(family, target_kind).reshape(-1, 1)
    function = getattr(lossref, convention.loss)
    options = dict(convention.lossref_options)
    return function(first, second, reduction="none", **options).reshape(N, C)


def expected(convention, losses: np.ndarray) -> np.ndarray | float:
    if convention.reduction == "mean over N":
        return losses.sum() / N
    if convention.reduction == "mean over N·C":
        return losses.sum() / (N * C)
    if convention.reduction == "none: per example":
        assert losses.shape == (N,)
        return losses
    return per_element(convention)


# --------------------------------------------------------------------------- #
# calling the frameworks in float64
# --------------------------------------------------------------------------- #
def resolve(name: str):
    module, _, attribute = name.rpartition(".")
    if module.startswith(("optax", "keras")):
        os.environ.setdefault("KERAS_BACKEND", "jax")
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)  # float64 in jax, and in Keras on jax
    return getattr(pytest.importorskip(module), attribute)


def call(convention, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The framework's loss of (prediction, target), arguments in the call's own order; the
    warning the entry states must be given, and no other."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _call(convention, first, second)
    messages = [str(warning.message) for warning in caught]
    if convention.warning:
        assert any(convention.warning in message for message in messages), messages
    else:
        assert messages == []
    return result


def _call(convention, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    options = dict(convention.options)
    function = resolve(convention.call)
    args = ((first, second) if convention.prediction_first else (second, first)) + more(convention)
    if convention.framework == "PyTorch":
        import torch

        tensors = [
            torch.as_tensor(a) if a.dtype.kind == "i" else torch.as_tensor(a, dtype=torch.float64)
            for a in args
        ]
        return function(*tensors, **options).numpy()
    if convention.framework == "Keras 3":
        return np.asarray(function(dtype="float64", **options)(*args))
    if convention.framework == "optax":
        return np.asarray(function(*args, **options))
    return np.asarray(function(*args, **options))


def parameters(convention) -> list[str]:
    function = resolve(convention.call)
    if convention.framework == "Keras 3":
        function = function.__call__
    names = [name for name in inspect.signature(function).parameters if name != "self"]
    return names[: len(convention.arguments)]


def test_entries_use_the_known_vocabulary():
    for convention in CONVENTIONS:
        assert convention.loss in FAMILY, convention
        assert convention.prediction in PREDICTIONS, convention
        assert convention.target in TARGETS, convention
        assert convention.reduction in REDUCTIONS, convention
        assert convention.more in ("", *MORE), convention
        assert len(convention.arguments) == 2 + bool(convention.more), convention


def test_the_page_lists_every_loss_of_lossref_once():
    not_losses = {"entropy", "objective", "l1_penalty", "l2_penalty", "elastic_net_penalty"}
    losses = {
        name
        for name in lossref.__all__
        if f"{name}_grad" in lossref.__all__ and name not in not_losses
    }
    assert len(set(LOSSES)) == len(LOSSES)
    assert set(LOSSES) == losses - {"mean_squared_error"}
    assert {c.loss for c in CONVENTIONS} <= set(LOSSES)


IDS = [f"{c.loss}-{c.call.rpartition('.')[2]}-{c.prediction}-{c.target}" for c in CONVENTIONS]


@pytest.mark.parametrize("convention", CONVENTIONS, ids=IDS)
def test_the_call_takes_its_arguments_in_the_stated_order(convention):
    assert parameters(convention) == list(convention.arguments)


@pytest.mark.parametrize("convention", CONVENTIONS, ids=IDS)
def test_the_default_reduction_of_the_stated_formats_is_lossref_reduced_as_stated(convention):
    family = FAMILY[convention.loss][0]
    got = call(
        convention,
        prediction(family, convention.prediction),
        target(family, convention.target),
    )
    want = expected(convention, lossref_losses(convention))
    if convention.float32_mean:
        close(got, want, rtol=1e-6)
        assert not np.allclose(got, want, rtol=1e-12, atol=0), "it averages in float64"
    else:
        close(got, want)


def _certain_and_wrong(convention) -> tuple[np.ndarray, np.ndarray]:
    """Predictions that give the correct class of the first example probability 0 (and, for
    a binary target, the positive probability 0), for the call and for lossref."""
    family = FAMILY[convention.loss][0]
    if family == "binary":
        p = lossref.sigmoid(BINARY_SCORES)
        p[0] = 0.0  # the first target is 1
        return p, p
    p = lossref.softmax(SCORES)
    p[0] = np.eye(C)[(LABELS[0] + 1) % C]
    if convention.prediction == "log-probabilities":
        with np.errstate(divide="ignore"):
            return np.log(p), p
    return p, p


# distillation_loss takes logits, which cannot give a probability of exactly 0; Keras's
# KLDivergence clipping is proved on its kl_divergence entry, and against distillation in
# tests/frameworks/test_distillation.py.
CLIPPING = [
    (i, c)
    for i, c in zip(IDS, CONVENTIONS, strict=True)
    if c.clip and FAMILY[c.loss][0] != "distillation"
]


@pytest.mark.parametrize("convention", [c for _, c in CLIPPING], ids=[i for i, _ in CLIPPING])
def test_the_stated_clipping_makes_a_certain_mistake_finite(convention):
    family = FAMILY[convention.loss][0]
    for_call, p = _certain_and_wrong(convention)
    assert np.isinf(lossref_losses(convention, p)[0]), "lossref: a certain mistake costs inf"
    got = call(convention, for_call, target(family, convention.target))
    kind, value = convention.clip_value
    if kind == "probabilities":
        clipped = lossref_losses(convention, np.clip(p, value, 1.0 - value))
    else:  # each log clamped from below, as torch's binary_cross_entropy does
        t = target(family, "0/1")
        with np.errstate(divide="ignore"):
            logs = np.maximum(np.log(p), value), np.maximum(np.log1p(-p), value)
        clipped = -(t * logs[0] + (1 - t) * logs[1])
    assert math.isfinite(float(np.sum(got)))
    close(got, expected(convention, clipped), rtol=1e-6)
