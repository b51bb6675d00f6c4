"""Every public function of lossref rejects bad input up front with a clear message.

Each function is described once by valid keyword arguments and the *role* of each
argument; every bad value of a role is then tried on every function that has an
argument with that role.  The message must name the argument and say what was
expected.  The repository runs pytest with ``filterwarnings = error``, so any
warning raised on the way would fail these tests too.
"""

from __future__ import annotations

import numpy as np
import pytest

import lossref

S = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
Y = np.array([0, 1, 2])
P = np.array([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]])
T = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
W = np.array([[0.1, -0.2], [0.3, 0.0], [0.0, 0.1]])
X = np.array([[1.0, 2.0, 1.0], [2.0, -1.0, 1.0]])


def f_of_sum(v):
    return float(np.sum(v**2))


# name -> (valid keyword arguments, {argument: role})
SPECS = {
    "multiclass_hinge": (
        {"scores": S, "labels": Y},
        {
            "scores": "scores",
            "labels": "labels",
            "reduction": "reduction",
            "margin": "margin",
            "squared": "flag",
            "include_correct": "flag",
        },
    ),
    "softmax_cross_entropy": (
        {"scores": S, "labels": Y},
        {"scores": "scores", "labels": "labels", "reduction": "reduction", "base": "base"},
    ),
    "accuracy": ({"scores": S, "labels": Y}, {"scores": "scores", "labels": "labels"}),
    "classification_error": ({"scores": S, "labels": Y}, {"scores": "scores", "labels": "labels"}),
    "binary_hinge": (
        {"scores": [2.0, 0.5, -1.0], "targets": [1, -1, 1]},
        {"scores": "vector", "targets": "pm1", "reduction": "reduction", "margin": "margin"},
    ),
    "cross_entropy": (
        {"probs": P, "targets": T},
        {"probs": "rows", "targets": "rows", "reduction": "reduction", "base": "base"},
    ),
    "binary_cross_entropy": (
        {"probs": [0.9, 0.2, 0.5], "targets": [1.0, 0.0, 0.5]},
        {"probs": "unit", "targets": "unit", "reduction": "reduction"},
    ),
    "sigmoid_binary_cross_entropy": (
        {"logits": [2.0, -1.0, 0.0], "targets": [1.0, 0.0, 0.5]},
        {
            "logits": "labels_logits",
            "targets": "labels_unit",
            "reduction": "reduction",
            "pos_weight": "pos_weight",
        },
    ),
    "sigmoid_focal_loss": (
        {"logits": [2.0, -1.0, 0.0], "targets": [1.0, 0.0, 0.5]},
        {
            "logits": "labels_logits",
            "targets": "labels_unit",
            "reduction": "reduction",
            "gamma": "gamma",
            "alpha": "alpha_unit",
        },
    ),
    "softmax_focal_loss": (
        {"scores": S, "labels": Y},
        {
            "scores": "scores",
            "labels": "labels",
            "reduction": "reduction",
            "gamma": "gamma",
            "alpha": "alpha_classes",
        },
    ),
    "distillation_loss": (
        {"student_logits": S, "teacher_logits": S[::-1]},
        {
            "student_logits": "matrix",
            "teacher_logits": "logits_pair",
            "temperature": "temperature",
            "reduction": "reduction",
        },
    ),
    "entropy": ({"p": P}, {"p": "dist", "base": "base"}),
    "kl_divergence": (
        {"probs": T * 0.7 + 0.1, "targets": P},
        {"probs": "rows", "targets": "rows", "base": "base"},
    ),
    "squared_error": (
        {"predictions": P, "targets": T},
        {"predictions": "matrix", "targets": "matrix", "reduction": "reduction"},
    ),
    "mean_squared_error": (
        {"predictions": P, "targets": T},
        {"predictions": "matrix", "targets": "matrix"},
    ),
    # the robust regression losses; delta, beta and tau: tests/test_robust_regression.py
    **{
        name: (
            {"predictions": P, "targets": T},
            {"predictions": "matrix", "targets": "matrix", "reduction": "reduction"},
        )
        for name in ("mean_absolute_error", "huber_loss", "smooth_l1_loss", "pinball_loss")
    },
    # the likelihoods; eps and the clamp: tests/test_likelihood.py
    "gaussian_nll": (
        {"predictions": P, "targets": T, "variances": P + 0.5},
        {
            "predictions": "matrix",
            "targets": "matrix",
            "variances": "variances",
            "reduction": "reduction",
            "full": "flag",
        },
    ),
    "poisson_nll": (
        {"predictions": P, "targets": T},
        {
            "predictions": "matrix",
            "targets": "matrix",
            "reduction": "reduction",
            "log_input": "flag",
            "full": "flag",
        },
    ),
    "l2_penalty": ({"weights": W}, {"weights": "weights"}),
    "l1_penalty": ({"weights": W}, {"weights": "weights"}),
    "elastic_net_penalty": (
        {"weights": W, "l1_ratio": 0.5},
        {"weights": "weights", "l1_ratio": "ratio"},
    ),
    "softmax": ({"x": S}, {"x": "matrix", "axis": "axis"}),
    "log_softmax": ({"x": S}, {"x": "matrix", "axis": "axis"}),
    "logsumexp": ({"x": S}, {"x": "matrix", "axis": "axis"}),
    "sigmoid": ({"x": S}, {"x": "matrix"}),
    "log_sigmoid": ({"x": S}, {"x": "matrix"}),
    "numerical_gradient": ({"f": f_of_sum, "x": W}, {"f": "callable", "x": "weights", "h": "step"}),
    "gradient_check": (
        {"f": f_of_sum, "grad_f": lambda v: 2 * v, "x": W},
        {"f": "callable", "grad_f": "callable", "x": "weights", "h": "step"},
    ),
    "linear_scores": ({"W": W, "X": X}, {"W": "weights_matrix", "X": "data"}),
    "add_bias_column": ({"X": X}, {"X": "data"}),
    "objective": (
        {"W": W, "X": X, "y": [0, 1]},
        {"W": "weights_matrix", "X": "data", "y": "y", "loss": "loss", "reg": "reg"},
    ),
    "gradient_descent": (
        {"W0": W, "X": X, "y": [0, 1], "learning_rate": 0.1, "num_steps": 3},
        {
            "W0": "weights_matrix",
            "X": "data",
            "y": "y",
            "loss": "loss",
            "reg": "reg",
            "learning_rate": "rate",
            "num_steps": "steps",
            "batch_size": "batch",
            "seed": "seed",
        },
    ),
}
# every loss and penalty has a gradient with the same arguments
for _name in list(SPECS):
    if _name in {
        "multiclass_hinge",
        "softmax_cross_entropy",
        "binary_hinge",
        "cross_entropy",
        "binary_cross_entropy",
        "sigmoid_binary_cross_entropy",
        "entropy",
        "kl_divergence",
        "squared_error",
        "mean_squared_error",
        "mean_absolute_error",
        "huber_loss",
        "smooth_l1_loss",
        "pinball_loss",
        "sigmoid_focal_loss",
        "softmax_focal_loss",
        "distillation_loss",
        "l2_penalty",
        "l1_penalty",
        "elastic_net_penalty",
        "objective",
        "gaussian_nll",
        "poisson_nll",
    }:
        SPECS[_name + "_grad"] = SPECS[_name]
SPECS["gaussian_nll_grad"] = (SPECS["gaussian_nll"][0], {**SPECS["gaussian_nll"][1], "wrt": "wrt"})

BAD_ARRAY_TYPES = [
    ("a string", "abc", TypeError, "must be an array of real numbers"),
    ("None", None, TypeError, "must be an array of real numbers"),
    ("an object", object(), TypeError, "must be an array of real numbers"),
    ("a dict", {"a": 1}, TypeError, "must be an array of real numbers"),
    ("complex", np.array([[1j, 2.0, 3.0]] * 3), TypeError, "must be an array of real numbers"),
]

# role -> list of (case id, bad value, exception, message fragment)
BAD = {
    "scores": [
        *BAD_ARRAY_TYPES,
        ("bool", S > 2, TypeError, "boolean"),
        ("3-D", np.zeros((3, 3, 1)), ValueError, "3-D"),
        ("scalar", 1.0, ValueError, "(C,) or (N, C)"),
        (
            "nan",
            np.where(S > 5, np.nan, S),
            ValueError,
            "must be finite; got nan at position (0, 1)",
        ),
        ("inf", np.where(S > 5, np.inf, S), ValueError, "must be finite; got inf"),
        ("ragged", [[1.0, 2.0, 3.0], [1.0, 2.0], [1.0]], ValueError, "rectangular"),
        ("no classes", np.zeros((3, 0)), ValueError, "at least one class"),
        ("wrong number of examples", S[:2], ValueError, "labels must have shape (2,)"),
    ],
    "labels": [
        (
            "out of range",
            [0, 3, 1],
            ValueError,
            "labels must be integers in [0, 3) for scores with 3 classes; got 3 at position 1",
        ),
        ("negative", [0, 1, -1], ValueError, "got -1 at position 2"),
        ("float", [0.0, 1.0, 2.0], TypeError, "must have an integer dtype"),
        ("bool", [True, False, True], TypeError, "boolean"),
        ("string", "012", TypeError, "integer class indices"),
        ("None", None, TypeError, "integer class indices"),
        ("too few", [0, 1], ValueError, "must have shape (3,)"),
        ("2-D", [[0], [1], [2]], ValueError, "must have shape (3,)"),
    ],
    "rows": [
        *BAD_ARRAY_TYPES,
        ("negative", np.array([[-0.1, 0.6, 0.5]] * 3), ValueError, "in [0, 1]; got -0.1"),
        ("above one", np.array([[1.5, -0.5, 0.0]] * 3), ValueError, "in [0, 1]"),
        ("row sum", np.array([[0.3, 0.3, 0.3]] * 3), ValueError, "must sum to 1"),
        ("nan", np.array([[np.nan, 0.5, 0.5]] * 3), ValueError, "must be finite"),
        ("inf", np.array([[np.inf, 0.5, 0.5]] * 3), ValueError, "must be finite"),
        ("shape", np.array([[0.5, 0.5]] * 3), ValueError, "same shape"),
        ("3-D", np.full((3, 3, 1), 1.0), ValueError, "3-D"),
        ("scalar", 1.0, ValueError, "got a 0-D array"),
        ("bool", T > 0, TypeError, "boolean"),
    ],
    "y": [
        ("out of range", [0, 2], ValueError, "must be integers in [0, 2) for W"),
        ("float", [0.0, 1.0], TypeError, "y must have an integer dtype"),
        ("too few", [0], ValueError, "y must have shape (2,) to match X with 2 examples"),
        ("None", None, TypeError, "y must be integer class indices"),
    ],
    "unit": [
        *BAD_ARRAY_TYPES[:4],
        ("negative", [0.5, -0.5, 0.5], ValueError, "in [0, 1]; got -0.5 at position 1"),
        ("above one", [0.5, 1.5, 0.5], ValueError, "in [0, 1]; got 1.5"),
        ("nan", [0.5, np.nan, 0.5], ValueError, "must be finite"),
        ("shape", [0.5, 0.5], ValueError, "same shape"),
        ("2-D", [[0.5, 0.5, 0.5]], ValueError, "2-D"),
    ],
    "labels_unit": [
        *BAD_ARRAY_TYPES[:4],
        ("negative", [0.5, -0.5, 0.5], ValueError, "in [0, 1]; got -0.5 at position 1"),
        ("nan", [0.5, np.nan, 0.5], ValueError, "must be finite"),
        ("shape", [[0.5, 0.5, 0.5]], ValueError, "same shape"),
        ("3-D", np.full((3, 1, 1), 0.5), ValueError, "3-D"),
    ],
    "labels_logits": [
        *BAD_ARRAY_TYPES[:4],
        ("nan", [2.0, np.nan, 0.0], ValueError, "must be finite; got nan at position 1"),
        ("3-D", np.zeros((3, 1, 1)), ValueError, "3-D"),
        ("bool", [True, False, True], TypeError, "boolean"),
    ],
    "temperature": [
        ("zero", 0.0, ValueError, "temperature must be > 0; got 0.0"),
        ("negative", -2.0, ValueError, "temperature must be > 0; got -2.0"),
        ("nan", float("nan"), ValueError, "temperature must be finite"),
        ("inf", float("inf"), ValueError, "temperature must be finite"),
        ("string", "4", TypeError, "temperature must be a real number"),
        ("array", np.array([4.0]), TypeError, "temperature must be a real number"),
        ("too small", 1e-308, ValueError, "temperature 1e-308 is too small"),
    ],
    "pos_weight": [
        ("negative", -1.0, ValueError, "pos_weight must be >= 0; got -1.0"),
        ("nan", float("nan"), ValueError, "pos_weight must be finite"),
        ("string", "2", TypeError, "pos_weight must be a real number"),
        ("one per example", [1.0, 2.0, 3.0], ValueError, "pos_weight must be a number"),
    ],
    "gamma": [
        ("negative", -1.0, ValueError, "gamma must be >= 0; got -1.0"),
        ("nan", float("nan"), ValueError, "gamma must be finite"),
        ("string", "2", TypeError, "gamma must be a real number"),
    ],
    "alpha_unit": [
        ("above one", 1.5, ValueError, "alpha must be in [0, 1]"),
        ("negative", -0.25, ValueError, "alpha must be in [0, 1]"),
        ("string", "a", TypeError, "alpha must be a real number"),
    ],
    "alpha_classes": [
        ("negative", -0.25, ValueError, "alpha must be >= 0"),
        ("wrong shape", [1.0, 2.0], ValueError, "alpha must be a number or have shape (3,)"),
        ("nan entry", [1.0, np.nan, 1.0], ValueError, "alpha must be finite"),
        ("string", "a", TypeError, "alpha must be"),
    ],
    "pm1": [
        ("zero-one labels", [1, 0, 1], ValueError, "must be -1 or +1; got 0"),
        ("two", [1, 2, 1], ValueError, "must be -1 or +1; got 2"),
        ("nan", [1, np.nan, 1], ValueError, "must be -1 or +1; got nan"),
        ("shape", [1, 1], ValueError, "same shape"),
        ("string", "abc", TypeError, "must be an array of real numbers"),
    ],
    "vector": [
        *BAD_ARRAY_TYPES[:4],
        ("nan", [2.0, np.nan, 0.0], ValueError, "must be finite; got nan at position 1"),
        ("inf", [2.0, -np.inf, 0.0], ValueError, "must be finite; got -inf"),
        ("2-D", [[2.0, 1.0, 0.0]], ValueError, "2-D"),
        ("bool", [True, False, True], TypeError, "boolean"),
    ],
    "matrix": [
        *BAD_ARRAY_TYPES,
        ("nan", np.where(S > 5, np.nan, S), ValueError, "must be finite"),
        ("3-D", np.zeros((3, 3, 1)), ValueError, "3-D"),
        ("bool", S > 0, TypeError, "boolean"),
    ],
    "weights": [
        *BAD_ARRAY_TYPES[:4],
        ("nan", [1.0, np.nan], ValueError, "must be finite"),
        ("bool", [True, False], TypeError, "boolean"),
    ],
    "variances": [
        *BAD_ARRAY_TYPES[:4],
        ("negative", P - 0.5, ValueError, "variances must be >= 0; got -0.2 at position (0, 0)"),
        ("nan", np.full((3, 3), np.nan), ValueError, "variances must be finite"),
        ("shape", [1.0, 1.0], ValueError, "variances must have the shape of predictions"),
        ("bool", P > 0, TypeError, "boolean"),
    ],
    "weights_matrix": [
        *BAD_ARRAY_TYPES[:4],
        ("1-D", [0.1, 0.2, 0.3], ValueError, "2-D"),
        ("wrong rows", np.zeros((2, 2)), ValueError, "D = 3 rows"),
        ("nan", np.full((3, 2), np.nan), ValueError, "must be finite"),
    ],
    "data": [
        *BAD_ARRAY_TYPES[:4],
        ("1-D", [1.0, 2.0, 1.0], ValueError, "2-D"),
        ("inf", np.full((2, 3), np.inf), ValueError, "must be finite"),
    ],
    "reduction": [
        ("unknown", "avg", ValueError, "reduction must be one of 'mean', 'sum', 'none'; got 'avg'"),
        ("None", None, ValueError, "reduction must be one of"),
        ("upper case", "MEAN", ValueError, "reduction must be one of"),
    ],
    "base": [
        ("one", 1, ValueError, "base must be a finite number > 0 and != 1; got 1.0"),
        ("zero", 0, ValueError, "base must be"),
        ("negative", -2.0, ValueError, "base must be"),
        ("inf", float("inf"), ValueError, "base must be finite"),
        ("nan", float("nan"), ValueError, "base must be finite"),
        ("string", "e", TypeError, "base must be a real number"),
        ("bool", True, TypeError, "base must be a real number"),
    ],
    "margin": [
        ("negative", -1.0, ValueError, "margin must be >= 0; got -1.0"),
        ("inf", float("inf"), ValueError, "margin must be finite"),
        ("nan", float("nan"), ValueError, "margin must be finite"),
        ("string", "1", TypeError, "margin must be a real number"),
        ("array", np.array([1.0]), TypeError, "margin must be a real number"),
    ],
    "flag": [("number", 1, TypeError, "must be True or False")],
    "ratio": [
        ("too big", 1.5, ValueError, "l1_ratio must be in [0, 1]; got 1.5"),
        ("negative", -0.1, ValueError, "l1_ratio must be in [0, 1]"),
        ("None", None, TypeError, "l1_ratio must be a real number"),
    ],
    "axis": [
        ("out of range", 2, ValueError, "axis must be in [-2, 2)"),
        ("float", 1.0, TypeError, "axis must be an integer"),
    ],
    "callable": [("not callable", 3, TypeError, "must be callable")],
    "step": [
        ("zero", 0.0, ValueError, "h must be > 0"),
        ("nan", float("nan"), ValueError, "h must be finite"),
    ],
    "loss": [("unknown", "svm", ValueError, "loss must be 'hinge' or 'softmax'; got 'svm'")],
    "reg": [("negative", -0.1, ValueError, "reg must be >= 0")],
    "rate": [
        ("zero", 0.0, ValueError, "learning_rate must be > 0"),
        ("string", "fast", TypeError, "learning_rate must be a real number"),
    ],
    "steps": [
        ("negative", -1, ValueError, "num_steps must be an integer >= 0"),
        ("float", 2.0, TypeError, "num_steps must be an integer"),
    ],
    "batch": [
        ("too big", 5, ValueError, "batch_size must be at most the number of examples 2"),
        ("zero", 0, ValueError, "batch_size must be an integer >= 1"),
    ],
    "seed": [("negative", -1, ValueError, "seed must be an integer >= 0")],
}


BAD["logits_pair"] = [
    *BAD["matrix"],
    ("shape", S[:, :2], ValueError, "must have the same shape as student_logits (3, 3)"),
    ("one example", S[0], ValueError, "got shape (3,)"),
]


BAD["dist"] = [case for case in BAD["rows"] if case[0] != "shape"]

# metric and contrastive learning (lossref/metric.py); embeddings are rows, like S's
_TRIPLET = {"anchors": S, "positives": S[::-1], "negatives": S[:, ::-1]}
_PAIRS = {"embeddings1": S, "embeddings2": S[::-1]}
_METRIC_SPECS = {
    "triplet_margin_loss": (
        _TRIPLET,
        {
            **dict.fromkeys(_TRIPLET, "matrix"),
            "margin": "margin",
            "p": "norm_degree",
            "eps": "eps",
            "swap": "flag",
            "reduction": "reduction",
        },
    ),
    "contrastive_loss": (
        {**_PAIRS, "labels": [1, 0, 1]},
        {
            **dict.fromkeys(_PAIRS, "matrix"),
            "labels": "pair_labels",
            "margin": "margin",
            "reduction": "reduction",
        },
    ),
    "info_nce": (
        {"queries": S, "keys": S[::-1]},
        {
            "queries": "matrix",
            "keys": "matrix",
            "temperature": "temperature",
            "similarity": "similarity",
            "reduction": "reduction",
        },
    ),
    "nt_xent": (
        _PAIRS,
        {
            **dict.fromkeys(_PAIRS, "matrix"),
            "temperature": "temperature",
            "similarity": "similarity",
            "reduction": "reduction",
        },
    ),
}
SPECS.update(_METRIC_SPECS)
SPECS.update(
    {
        name + "_grad": (valid, {**roles, "wrt": "wrt"})
        for name, (valid, roles) in _METRIC_SPECS.items()
    }
)
BAD.update(
    {
        "pair_labels": [
            (
                "two",
                [1, 2, 0],
                ValueError,
                "labels must be 0 or 1 (1: similar pair, 0: dissimilar)",
            ),
            ("float", [1.0, 0.0, 1.0], TypeError, "labels must have an integer dtype"),
            ("bool", [True, False, True], TypeError, "boolean"),
            ("too few", [1, 0], ValueError, "labels must be shape (3,), one per pair"),
            ("None", None, TypeError, "labels must be integers 0 or 1"),
        ],
        "norm_degree": [
            ("below one", 0.5, ValueError, "p must be >= 1 (a norm); got 0.5"),
            ("inf", float("inf"), ValueError, "p must be finite"),
            ("string", "2", TypeError, "p must be a real number"),
        ],
        "eps": [
            ("negative", -1e-6, ValueError, "eps must be >= 0; got -1e-06"),
            ("nan", float("nan"), ValueError, "eps must be finite"),
        ],
        "temperature": [
            ("zero", 0.0, ValueError, "temperature must be > 0; got 0.0"),
            ("negative", -0.1, ValueError, "temperature must be > 0"),
            ("inf", float("inf"), ValueError, "temperature must be finite"),
            ("string", "0.1", TypeError, "temperature must be a real number"),
        ],
        "similarity": [("unknown", "l2", ValueError, "similarity must be 'cosine' or 'dot'")],
        "wrt": [("unknown", "x", ValueError, "wrt must be ")],
    }
)


def _cases():
    for name, (valid, roles) in SPECS.items():
        for arg, role in roles.items():
            for case_id, value, exc, fragment in BAD[role]:
                yield pytest.param(
                    name, valid, arg, value, exc, fragment, id=f"{name}-{arg}-{case_id}"
                )


@pytest.mark.parametrize("name", sorted(SPECS))
def test_valid_arguments_are_accepted(name):
    valid, _ = SPECS[name]
    getattr(lossref, name)(**valid)


@pytest.mark.parametrize(("name", "valid", "arg", "value", "exc", "fragment"), list(_cases()))
def test_bad_argument_is_rejected(name, valid, arg, value, exc, fragment):
    func = getattr(lossref, name)
    with pytest.raises(exc) as info:
        func(**{**valid, arg: value})
    message = str(info.value)
    assert fragment in message
    # the message names the offending argument (or, for a batch-size mismatch between
    # scores and labels, the labels it is checked against)
    assert arg in message or "labels" in message


def test_every_public_function_is_covered():
    assert set(SPECS) | {"numerical_gradient"} >= set(lossref.__all__)


# --- single example and empty batch --------------------------------------------

SCORE_LOSSES = [
    "multiclass_hinge",
    "multiclass_hinge_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "softmax_focal_loss",
    "softmax_focal_loss_grad",
]


@pytest.mark.parametrize("name", [*SCORE_LOSSES, "accuracy", "classification_error"])
def test_single_example_needs_a_scalar_label(name):
    func = getattr(lossref, name)
    with pytest.raises(ValueError, match=r"labels must be a single integer for scores of shape"):
        func(S[0], [0])
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 3\).*got 5"):
        func(S[0], 5)
    with pytest.raises(TypeError, match="integer dtype"):
        func(S[0], 1.0)


@pytest.mark.parametrize("name", SCORE_LOSSES)
def test_mean_of_empty_batch_is_refused(name):
    func = getattr(lossref, name)
    with pytest.raises(ValueError, match="empty batch"):
        func(np.zeros((0, 3)), [])
    func(np.zeros((0, 3)), [], reduction="sum")
    func(np.zeros((0, 3)), [], reduction="none")


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("cross_entropy", (np.zeros((0, 3)), np.zeros((0, 3)))),
        ("cross_entropy_grad", (np.zeros((0, 3)), np.zeros((0, 3)))),
        ("binary_hinge", ([], [])),
        ("binary_hinge_grad", ([], [])),
        ("binary_cross_entropy", ([], [])),
        ("binary_cross_entropy_grad", ([], [])),
        ("sigmoid_binary_cross_entropy", ([], [])),
        ("sigmoid_binary_cross_entropy_grad", ([], [])),
        ("sigmoid_binary_cross_entropy", (np.zeros((0, 2)), np.zeros((0, 2)))),
        ("sigmoid_focal_loss", ([], [])),
        ("sigmoid_focal_loss_grad", (np.zeros((0, 2)), np.zeros((0, 2)))),
        ("squared_error", (np.zeros((0, 2)), np.zeros((0, 2)))),
        ("distillation_loss", (np.zeros((0, 3)), np.zeros((0, 3)))),
        ("distillation_loss_grad", (np.zeros((0, 3)), np.zeros((0, 3)))),
        ("squared_error_grad", (np.zeros((0, 2)), np.zeros((0, 2)))),
    ],
)
def test_mean_of_other_empty_batches_is_refused(name, args):
    func = getattr(lossref, name)
    with pytest.raises(ValueError, match="empty batch"):
        func(*args)
    func(*args, reduction="sum")


@pytest.mark.parametrize("name", ["accuracy", "classification_error"])
def test_metrics_of_empty_batch_are_refused(name):
    with pytest.raises(ValueError, match="empty batch"):
        getattr(lossref, name)(np.zeros((0, 3)), [])


@pytest.mark.parametrize("name", ["mean_squared_error", "mean_squared_error_grad"])
def test_mse_of_empty_arrays_is_refused(name):
    with pytest.raises(ValueError, match="predictions is empty"):
        getattr(lossref, name)([], [])


@pytest.mark.parametrize("name", ["entropy", "entropy_grad", "softmax", "logsumexp"])
def test_no_classes_is_refused(name):
    with pytest.raises(ValueError, match="at least one"):
        getattr(lossref, name)(np.zeros((2, 0)))


def test_row_sum_tolerance():
    # within 1e-4 (a gradient-check step moves a row by 1e-5) is accepted, beyond is refused;
    # the message reports the sum and the row
    lossref.entropy([0.5, 0.5 + 5e-5])
    with pytest.raises(ValueError, match=r"tolerance 0.0001\); got a sum of 1.001 for row 1"):
        lossref.entropy([[0.5, 0.5], [0.5, 0.501]])
    # float32 rows get a tolerance of C * eps(float32)
    p32 = np.full((1, 1000), 1e-3, dtype=np.float32)
    p32[0, 0] += 1.1e-4
    lossref.entropy(p32)


def test_gradient_check_rejects_wrong_gradient_shape():
    with pytest.raises(ValueError, match=r"grad_f\(x\) must have the shape of x"):
        lossref.gradient_check(f_of_sum, lambda v: np.zeros(5), W)
    with pytest.raises(TypeError, match="f must return a real number"):
        lossref.numerical_gradient(lambda v: v, W)


def test_infinite_losses_give_no_warning():
    # -W error / filterwarnings=error turns any warning into a failure
    assert lossref.cross_entropy([0.0, 1.0], [1.0, 0.0]) == np.inf
    assert lossref.binary_cross_entropy([0.0, 1.0], [1.0, 0.0], reduction="none").tolist() == [
        np.inf,
        np.inf,
    ]
    assert lossref.kl_divergence([0.0, 1.0], [0.5, 0.5]) == np.inf
    assert lossref.cross_entropy_grad([0.0, 1.0], [1.0, 0.0]).tolist() == [-np.inf, 0.0]
    assert lossref.binary_cross_entropy_grad([0.0, 1.0], [1.0, 0.0], reduction="none").tolist() == [
        -np.inf,
        np.inf,
    ]
    assert lossref.entropy_grad([0.0, 1.0]).tolist() == [np.inf, -1.0]
    assert lossref.kl_divergence_grad([0.0, 1.0], [0.5, 0.5])[0] == -np.inf
    assert lossref.kl_divergence_grad([0.0, 1.0], [0.0, 1.0]).tolist() == [1.0, 0.0]
