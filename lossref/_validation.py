"""Input validation shared by every public function of lossref (private).

Each helper checks one idea and raises ``TypeError`` (wrong kind of object) or
``ValueError`` (right kind, wrong value or shape) with a message that names the
argument, says what was expected and reports what was received.  All checks run
before any computation, so no error or warning ever comes from inside NumPy.

Decisions documented here and in the public docstrings:

* Arrays of real numbers (integer or floating dtype) are accepted and converted
  to float64 (no copy when the input already is a float64 array).  Boolean,
  complex, string and object inputs (including ``None``) raise ``TypeError``.
* Class labels must have an integer dtype; float labels such as ``1.0`` raise
  ``TypeError`` (convert with ``labels.astype(int)``).
* Rows of probabilities must sum to 1 within an absolute tolerance of
  ``max(1e-4, C * eps)``, where ``C`` is the number of classes and ``eps`` the
  machine epsilon of the input's floating dtype (float64 for integer input), so
  that float32 softmax outputs pass, and so does a row with one entry moved by
  the default step (1e-5) of ``numerical_gradient``: the gradient check works
  on probabilities, treating the entries as free variables.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = [
    "REDUCTIONS",
    "as_float_array",
    "check_batch",
    "check_binary_targets",
    "check_callable",
    "check_finite",
    "check_labels",
    "check_probabilities",
    "check_reduction",
    "check_row_sums",
    "check_same_shape",
    "check_scores_labels",
    "check_unit_interval",
    "input_eps",
    "log_of_base",
    "nonnegative_scalar",
    "positive_int",
    "positive_scalar",
    "real_scalar",
]

REDUCTIONS = ("mean", "sum", "none")


def _describe(x: Any) -> str:
    """Short description of an offending object for error messages."""
    if isinstance(x, np.ndarray):
        return f"an array of dtype {x.dtype}"
    if x is None:
        return "None"
    return f"an object of type {type(x).__name__}"


def _position(mask: np.ndarray) -> str:
    """Index of the first True entry of ``mask``, formatted for a message."""
    idx = tuple(int(i) for i in np.argwhere(mask)[0])
    if len(idx) == 0:
        return ""
    if len(idx) == 1:
        return f" at position {idx[0]}"
    return f" at position {idx}"


def _first_value(x: np.ndarray, mask: np.ndarray) -> str:
    """The first offending value of ``x`` (where ``mask``) and its position."""
    value = x[mask].flat[0]
    return f"{value.item()!r}{_position(mask)}"


def _shape_phrase(ndims: tuple[int, ...]) -> str:
    names = ["a scalar" if n == 0 else f"{n}-D" for n in ndims]
    if len(names) == 1:
        return names[0] if ndims[0] == 0 else f"a {names[0]} array"
    listed = ", ".join(names[:-1]) + " or " + names[-1]
    return listed + " array" if ndims[0] == 0 else f"a {listed} array"


def as_float_array(
    x: Any, name: str, *, ndims: tuple[int, ...] | None = (1, 2), what: str = ""
) -> np.ndarray:
    """Convert ``x`` to a float64 array, checking its kind and dimension.

    ``ndims`` lists the accepted numbers of dimensions (``None``: any).  ``what``
    is a phrase such as ``"(C,) or (N, C)"`` appended to shape messages.
    Returns the converted array; float64 input is not copied.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of real numbers; got {_describe(x)}")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # e.g. ragged nested lists
        raise ValueError(
            f"{name} must be a rectangular array of real numbers; "
            f"could not convert {_describe(x)} ({exc})"
        ) from None
    kind = arr.dtype.kind
    if kind == "b":
        raise TypeError(
            f"{name} must be an array of real numbers; got a boolean array "
            f"(convert it with .astype(float) if that is intended)"
        )
    if kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers; got {_describe(arr)}")
    if ndims is not None and arr.ndim not in ndims:
        shape = f" of shape {what}" if what else ""
        raise ValueError(
            f"{name} must be {_shape_phrase(ndims)}{shape}; "
            f"got a {arr.ndim}-D array of shape {arr.shape}"
        )
    return np.asarray(arr, dtype=np.float64)


def input_eps(x: Any) -> float:
    """Machine epsilon of the floating dtype of ``x`` (float64 for non-floats)."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind == "f":
        return float(np.finfo(dtype).eps)
    return float(np.finfo(np.float64).eps)


def check_finite(x: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` unless every entry of ``x`` is finite."""
    if not np.isfinite(x).all():
        bad = ~np.isfinite(x)
        raise ValueError(f"{name} must be finite; got {_first_value(x, bad)}")


def check_unit_interval(x: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` unless every entry of ``x`` lies in [0, 1]."""
    if not ((x >= 0) & (x <= 1)).all():
        check_finite(x, name)
        bad = (x < 0) | (x > 1)
        raise ValueError(f"{name} must be probabilities in [0, 1]; got {_first_value(x, bad)}")


def check_row_sums(x: np.ndarray, name: str, eps: float) -> None:
    """Raise ``ValueError`` unless every row (last axis) of ``x`` sums to 1.

    The tolerance is ``max(1e-4, C * eps)`` with ``C = x.shape[-1]``.
    """
    if x.size == 0:
        return
    tol = max(1e-4, x.shape[-1] * eps)
    sums = x.sum(axis=-1)
    bad = np.abs(sums - 1.0) > tol
    if bad.any():
        where = "" if x.ndim == 1 else f" for row {int(np.argmax(bad))}"
        total = float(sums[bad].flat[0])
        raise ValueError(
            f"{name} must sum to 1 along the last axis (tolerance {tol:.3g}); "
            f"got a sum of {total!r}{where}"
        )


def check_probabilities(x: Any, name: str, *, ndims=(1, 2), rows: bool = True) -> np.ndarray:
    """Float64 array of probabilities in [0, 1]; rows summing to 1 if ``rows``."""
    what = "(C,) or (N, C)" if rows else ""
    arr = as_float_array(x, name, ndims=ndims, what=what)
    if rows and arr.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one class; got shape {arr.shape}")
    check_unit_interval(arr, name)
    if rows:
        check_row_sums(arr, name, input_eps(x))
    return arr


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_b} must have the same shape as {name_a} {a.shape}; got shape {b.shape}"
        )


def check_binary_targets(t: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` unless every entry of ``t`` is -1 or +1."""
    bad = (t != 1) & (t != -1)
    if bad.any():
        raise ValueError(
            f"{name} must be -1 or +1; got {_first_value(t, bad)} "
            f"(convert 0/1 labels with 2 * y - 1)"
        )


def integer_array(values: Any, name: str, what: str) -> np.ndarray:
    """``values`` as an integer array (an empty list counts as one), or a TypeError saying that
    they must be ``what``, e.g. "integer class indices"."""
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"{name} must be {what}; got {_describe(values)}")
    try:
        arr = np.asarray(values)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{name} must be a 1-D array of {what}; could not convert {_describe(values)} ({exc})"
        ) from None
    if arr.dtype.kind in "iu":
        return arr
    if arr.size == 0 and arr.dtype.kind == "f":  # np.asarray([]) is float64
        return arr.astype(np.intp)
    if arr.dtype.kind == "b":
        raise TypeError(
            f"{name} must be {what}; got a boolean array (convert it with {name}.astype(int))"
        )
    if arr.dtype.kind == "f":
        raise TypeError(
            f"{name} must have an integer dtype ({what}); got dtype {arr.dtype} "
            f"(use {name}.astype(int) if the values are whole numbers)"
        )
    raise TypeError(f"{name} must be {what}; got {_describe(arr)}")


def check_labels(
    labels: Any,
    n_classes: int,
    n_examples: int | None,
    *,
    name: str = "labels",
    classes_of: str = "scores",
    examples_of: str = "scores",
) -> np.ndarray:
    """Integer class indices in [0, n_classes) as an intp array.

    ``n_examples`` is ``None`` for a single example (labels must be a scalar) or
    the batch size N (labels must have shape (N,)).  ``classes_of`` and
    ``examples_of`` name the arguments that fix C and N, for the messages.
    """
    arr = integer_array(labels, name, "integer class indices")
    if n_examples is None:
        if arr.ndim != 0:
            raise ValueError(
                f"{name} must be a single integer for {examples_of} of shape "
                f"({n_classes},) (one example); got an array of shape {arr.shape}"
            )
    elif arr.shape != (n_examples,):
        raise ValueError(
            f"{name} must have shape ({n_examples},) to match {examples_of} with "
            f"{n_examples} examples; got shape {arr.shape}"
        )
    bad = (arr < 0) | (arr >= n_classes)
    if bad.any():
        raise ValueError(
            f"{name} must be integers in [0, {n_classes}) for {classes_of} with "
            f"{n_classes} classes; got {_first_value(arr, bad)}"
        )
    return arr.astype(np.intp, copy=False)


def check_scores_labels(
    scores: Any, labels: Any, reduction: Any, *, finite: bool = True
) -> tuple[np.ndarray, np.ndarray, str, bool]:
    """Validate class scores (C,) or (N, C), their labels and the reduction.

    Returns ``(scores2d, labels1d, reduction, single)``: the scores as a float64
    (N, C) array (a view with N = 1 for a single example), the labels as an
    intp array of shape (N,), and whether the input was a single example.

    ``finite=False`` leaves the finiteness of the scores to the caller (a
    kernel that detects it without a separate pass, then calls
    ``check_finite(scores, "scores")``); a non-finite score is still reported
    before a bad label.
    """
    reduction = check_reduction(reduction)
    s = as_float_array(scores, "scores", ndims=(1, 2), what="(C,) or (N, C)")
    single = s.ndim == 1
    if s.shape[-1] == 0:
        raise ValueError(f"scores must have at least one class; got shape {s.shape}")
    if finite:
        check_finite(s, "scores")
    try:
        y = check_labels(labels, s.shape[-1], None if single else s.shape[0])
    except (TypeError, ValueError):
        check_finite(s, "scores")
        raise
    s2 = s.reshape(1, -1) if single else s
    check_batch(s2.shape[0], reduction, "scores")
    return s2, y.reshape(-1), reduction, single


def check_choice(value: Any, name: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of the strings ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        listed = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
        raise ValueError(f"{name} must be {listed}; got {value!r}")
    return value


def check_flag(value: Any, name: str) -> bool:
    """Return ``value`` as a bool if it is one (0 and 1 are refused: they are usually a slip)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_reduction(reduction: Any) -> str:
    """Return ``reduction`` if it is one of "mean", "sum", "none"."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of 'mean', 'sum', 'none'; got {reduction!r}")
    return reduction


def check_batch(n_examples: int, reduction: str, name: str) -> None:
    """Refuse the mean of an empty batch."""
    if n_examples == 0 and reduction == "mean":
        raise ValueError(
            f"{name} is an empty batch (0 examples): the mean over examples is undefined; "
            f"use reduction='sum' or 'none'"
        )


def real_scalar(value: Any, name: str) -> float:
    """A finite real number (bools, strings, arrays rejected) as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {_describe(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return value


def nonnegative_scalar(value: Any, name: str) -> float:
    """A finite real number >= 0."""
    value = real_scalar(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0; got {value!r}")
    return value


def positive_scalar(value: Any, name: str) -> float:
    """A finite real number > 0."""
    value = real_scalar(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be > 0; got {value!r}")
    return value


def positive_int(value: Any, name: str, *, minimum: int = 1) -> int:
    """An integer >= ``minimum`` (bools rejected)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {_describe(value)}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return value


def log_of_base(base: Any) -> float:
    """Natural log of a logarithm base (finite, > 0 and != 1)."""
    value = real_scalar(base, "base")
    if value <= 0 or value == 1:
        raise ValueError(f"base must be a finite number > 0 and != 1; got {value!r}")
    return math.log(value)


def check_callable(f: Any, name: str) -> None:
    """Raise ``TypeError`` unless ``f`` is callable."""
    if not callable(f):
        raise TypeError(f"{name} must be callable; got {_describe(f)}")
