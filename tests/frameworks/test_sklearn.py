"""lossref against scikit-learn's metrics, float64.

Each test name and docstring states the claim it checks; the book cites them.
The conventions asserted here are those of the installed scikit-learn (1.9 when
written): log_loss clips probabilities to [eps, 1 - eps] (eps = float64
machine epsilon) and does not renormalise rows; multiclass hinge_loss is the
Crammer-Singer loss.
"""

import math
import warnings

import numpy as np
import pytest

metrics = pytest.importorskip("sklearn.metrics")

import lossref  # noqa: E402
from tests.frameworks.agreement import close  # noqa: E402

SEED = 161803
EPS = np.finfo(np.float64).eps


@pytest.fixture
def data():
    rng = np.random.default_rng(SEED)
    n_ex, c = 40, 5
    scores = rng.normal(0, 2, (n_ex, c))
    labels = rng.integers(0, c, n_ex)
    return {
        "scores": scores,
        "labels": labels,
        "c": c,
        "probs": lossref.softmax(scores),
        "p1": rng.uniform(0.01, 0.99, n_ex),
        "y01": rng.integers(0, 2, n_ex),
        "s1": rng.normal(0, 2, n_ex),
        "pred": rng.normal(0, 1, (n_ex, 3)),
        "target": rng.normal(0, 1, (n_ex, 3)),
    }


# --------------------------------------------------------------------------- #
# log_loss
# --------------------------------------------------------------------------- #
def test_log_loss_is_mean_cross_entropy_and_softmax_cross_entropy(data):
    """log_loss(y, P, labels=range(C)) == lossref.cross_entropy(P, onehot(y))
    == lossref.softmax_cross_entropy(S, y) for P = softmax(S) (all inside [eps, 1 - eps])."""
    s, y, p, c = data["scores"], data["labels"], data["probs"], data["c"]
    sk = metrics.log_loss(y, p, labels=np.arange(c))
    close(lossref.cross_entropy(p, np.eye(c)[y]), sk)
    close(lossref.softmax_cross_entropy(s, y), sk)
    close(
        lossref.softmax_cross_entropy(s, y, reduction="sum"),
        metrics.log_loss(y, p, labels=np.arange(c), normalize=False),
    )


def test_binary_log_loss_is_binary_cross_entropy(data):
    """log_loss(y, p), y in {0, 1}, p = P(y = 1) 1-D, == lossref.binary_cross_entropy(p, y)."""
    close(
        lossref.binary_cross_entropy(data["p1"], data["y01"]),
        metrics.log_loss(data["y01"], data["p1"]),
    )


def test_log_loss_clips_probabilities_to_eps_and_one_minus_eps():
    """log_loss == mean(-log(clip(p_y, eps, 1 - eps))), eps = float64 machine epsilon.

    Probability 0 on the true class gives -log(eps) = 36.04 in scikit-learn and
    inf in lossref; probability 1 gives -log(1 - eps) = 2.2e-16 in
    scikit-learn and exactly 0 in lossref.
    """
    p = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])
    y = np.array([0, 0, 2])
    onehot = np.eye(3)[y]
    sk_each = [metrics.log_loss([yi], [pi], labels=[0, 1, 2]) for yi, pi in zip(y, p, strict=True)]
    assert sk_each[0] == pytest.approx(-math.log(EPS), rel=1e-15)  # 36.04
    assert sk_each[1] == pytest.approx(EPS, rel=1e-6)  # -log(1 - eps) ~ eps
    ours = lossref.cross_entropy(p, onehot, reduction="none")
    assert ours[0] == math.inf
    assert ours[1] == 0.0
    clipped = np.clip(p, EPS, 1 - EPS)
    close(
        metrics.log_loss(y, p, labels=[0, 1, 2]),
        -np.mean(np.log(clipped[np.arange(3), y])),
        rtol=1e-15,
        atol=0,
    )
    close(sk_each[2], ours[2], rtol=1e-15, atol=0)


def test_log_loss_does_not_renormalise_rows_lossref_rejects_them():
    """Rows not summing to 1: log_loss warns (UserWarning) and uses the values as given
    (no renormalisation); lossref.cross_entropy raises ValueError."""
    p = np.array([[0.2, 0.2], [0.1, 0.3]])
    y = np.array([0, 1])
    with pytest.warns(UserWarning, match="do not sum to one"):
        sk = metrics.log_loss(y, p, labels=[0, 1])
    close(sk, -(math.log(0.2) + math.log(0.3)) / 2, rtol=1e-15, atol=0)
    with pytest.raises(ValueError, match="sum to 1"):
        lossref.cross_entropy(p, np.eye(2)[y])


# --------------------------------------------------------------------------- #
# mean squared error
# --------------------------------------------------------------------------- #
def test_sklearn_mean_squared_error_is_lossref_mse_and_squared_error_over_c(data):
    """sklearn mean_squared_error(Y, P) == lossref.mean_squared_error(P, Y)
    == lossref.squared_error(P, Y) / C
    (argument order: sklearn takes y_true first); also for 1-D arrays."""
    pred, target = data["pred"], data["target"]
    sk = metrics.mean_squared_error(target, pred)
    close(lossref.mean_squared_error(pred, target), sk)
    close(lossref.squared_error(pred, target) / pred.shape[1], sk)
    close(
        lossref.mean_squared_error(pred[:, 0], target[:, 0]),
        metrics.mean_squared_error(target[:, 0], pred[:, 0]),
    )


# --------------------------------------------------------------------------- #
# hinge loss
# --------------------------------------------------------------------------- #
def test_binary_hinge_loss_is_lossref_binary_hinge(data):
    """hinge_loss(t, s) with t in {-1, +1} == lossref.binary_hinge(s, t) (margin 1, mean);
    with 0/1 labels scikit-learn maps 0 to -1: == binary_hinge(s, 2y - 1)."""
    s, y = data["s1"], data["y01"]
    pm = 2 * y - 1
    close(lossref.binary_hinge(s, pm), metrics.hinge_loss(pm, s))
    close(lossref.binary_hinge(s, pm), metrics.hinge_loss(y, s))


def _crammer_singer(s, y):
    rows = np.arange(len(s))
    others = s.copy()
    others[rows, y] = -np.inf
    return float(np.mean(np.maximum(0.0, 1.0 + others.max(axis=1) - s[rows, y])))


def test_multiclass_hinge_loss_is_crammer_singer_not_weston_watkins(data):
    """Multiclass hinge_loss == mean_i max(0, 1 + max_{j != y} s_ij - s_iy) (Crammer-Singer);
    lossref.multiclass_hinge (Weston-Watkins, CS231n) sums over j != y, so it is >= sklearn's,
    with equality exactly when no example has two or more violating classes."""
    s, y, c = data["scores"], data["labels"], data["c"]
    sk = metrics.hinge_loss(y, s, labels=np.arange(c))
    close(sk, _crammer_singer(s, y))
    ours = lossref.multiclass_hinge(s, y)
    rows = np.arange(len(s))
    violations = (s - s[rows, y][:, None] + 1.0 > 0).sum(axis=1) - 1  # minus the j = y term
    assert violations.max() >= 2
    assert ours > sk
    few = violations <= 1
    close(
        lossref.multiclass_hinge(s[few], y[few]),
        metrics.hinge_loss(y[few], s[few], labels=np.arange(c)),
    )


def test_multiclass_hinge_two_violating_classes_example():
    """Scores (0, 0.5, 0.8), label 0 (classes 0, 1, 2): lossref (sum) 1.5 + 1.8 = 3.3,
    sklearn (max) 1.8."""
    s = np.array([[0.0, 0.5, 0.8], [3.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
    y = np.array([0, 0, 2])
    assert lossref.multiclass_hinge(s[:1], y[:1]) == pytest.approx(3.3, rel=1e-15)
    sk = metrics.hinge_loss(y, s, labels=[0, 1, 2])
    assert sk == pytest.approx(1.8 / 3, rel=1e-15)
    assert lossref.multiclass_hinge(s, y) == pytest.approx(3.3 / 3, rel=1e-15)


# --------------------------------------------------------------------------- #
# 0-1 loss and accuracy
# --------------------------------------------------------------------------- #
def test_zero_one_loss_and_accuracy_score_equal_lossref_on_argmax_predictions(data):
    """zero_one_loss(y, argmax S) == lossref.classification_error(S, y);
    accuracy_score(y, argmax S) == lossref.accuracy(S, y), ties going to the lowest index."""
    s, y = data["scores"].copy(), data["labels"]
    s[0] = [1.0, 2.0, 2.0, 0.0, -1.0]  # a tie: argmax picks class 1
    pred = np.argmax(s, axis=1)
    close(lossref.classification_error(s, y), metrics.zero_one_loss(y, pred))
    close(lossref.accuracy(s, y), metrics.accuracy_score(y, pred))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lossref.accuracy(s, y) + lossref.classification_error(s, y) == pytest.approx(1.0)
