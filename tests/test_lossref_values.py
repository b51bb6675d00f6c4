"""Known values of lossref's losses: the lecture's worked examples and extreme inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lossref

# CS231n "Linear classification": scores of three images (rows) for the classes
# cat, car, frog (columns); the images are a cat, a car and a frog.
SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
LABELS = np.array([0, 1, 2])

# The lecture's models X and Y: predicted probabilities for three examples whose
# true classes are 2, 1 and 0 (one-hot targets).
PROBS_X = np.array([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]])
PROBS_Y = np.array([[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]])
ONE_HOT = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0]])
TRUE_CLASSES = np.array([2, 1, 0])


def close(value, expected, rel=1e-12):
    return value == pytest.approx(expected, rel=rel, abs=1e-300)


# --- multiclass hinge ------------------------------------------------------------


def test_hinge_per_image():
    per = lossref.multiclass_hinge(SCORES, LABELS, reduction="none")
    assert isinstance(per, np.ndarray)
    assert per.shape == (3,)
    np.testing.assert_allclose(per, [2.9, 0.0, 12.9], rtol=1e-13, atol=1e-15)


def test_hinge_mean_is_5_27_not_4_6():
    # The notes state 4.6; the correct mean of 2.9, 0 and 12.9 is 15.8 / 3.
    value = lossref.multiclass_hinge(SCORES, LABELS)
    assert type(value) is float
    assert close(value, 15.8 / 3)
    assert round(value, 2) == 5.27


def test_hinge_sum_and_single_example():
    assert close(lossref.multiclass_hinge(SCORES, LABELS, reduction="sum"), 15.8)
    single = lossref.multiclass_hinge(SCORES[0], 0)
    assert type(single) is float
    assert close(single, 2.9)
    # "none" on a single example is also a float
    assert type(lossref.multiclass_hinge(SCORES[0], 0, reduction="none")) is float


def test_hinge_variants():
    s, y = SCORES[0], 0  # margins: car 2.9, frog -3.9
    assert close(lossref.multiclass_hinge(s, y, squared=True), 2.9**2)
    assert close(lossref.multiclass_hinge(s, y, include_correct=True), 3.9)
    assert close(lossref.multiclass_hinge(s, y, include_correct=True, squared=True), 2.9**2 + 1)
    assert close(lossref.multiclass_hinge(s, y, margin=0.0), 1.9)
    assert close(lossref.multiclass_hinge(s, y, margin=5.0), 6.9 + 0.1)


def test_hinge_integer_scores_and_labels():
    assert lossref.multiclass_hinge([[1, 2, 3]], np.array([2], dtype=np.uint8)) == 0.0


def test_binary_hinge():
    per = lossref.binary_hinge([2.0, 0.5, -1.0, 1.0], [1, 1, 1, -1], reduction="none")
    np.testing.assert_allclose(per, [0.0, 0.5, 2.0, 2.0])
    assert lossref.binary_hinge(1.0, 1) == 0.0
    assert type(lossref.binary_hinge(0.25, 1.0)) is float
    assert close(lossref.binary_hinge([0.5], [-1.0], margin=2.0), 2.5)


# --- softmax cross-entropy -------------------------------------------------------


def test_softmax_cross_entropy_image_1():
    nats = lossref.softmax_cross_entropy(SCORES[0], 0)
    assert round(nats, 2) == 2.04
    expected = math.log(sum(math.exp(v) for v in SCORES[0])) - 3.2
    assert close(nats, expected)
    log10 = lossref.softmax_cross_entropy(SCORES[0], 0, base=10)
    assert round(log10, 2) == 0.89  # the notes' figure used log10
    assert close(log10, expected / math.log(10))
    assert close(lossref.softmax_cross_entropy(SCORES[0], 0, base=2), expected / math.log(2))


def test_softmax_cross_entropy_batch():
    per = lossref.softmax_cross_entropy(SCORES, LABELS, reduction="none")
    expected = [
        math.log(sum(math.exp(v) for v in row)) - row[y]
        for row, y in zip(SCORES, LABELS, strict=True)
    ]
    np.testing.assert_allclose(per, expected, rtol=1e-14)
    assert close(lossref.softmax_cross_entropy(SCORES, LABELS), sum(expected) / 3)
    assert close(lossref.softmax_cross_entropy(SCORES, LABELS, reduction="sum"), sum(expected))


@pytest.mark.parametrize("big", [1e4, 1e6, 1e300])
def test_softmax_cross_entropy_huge_logits(big):
    per = lossref.softmax_cross_entropy(
        [[big, -big], [-big, big], [big, big]], [0, 0, 0], reduction="none"
    )
    assert per.tolist() == [0.0, 2 * big, math.log(2)]
    grad = lossref.softmax_cross_entropy_grad([[big, -big]], [1], reduction="sum")
    assert grad.tolist() == [[1.0, -1.0]]


def test_softmax_cross_entropy_tiny_loss_keeps_relative_accuracy():
    # loss = log1p(exp(-92)) = 1.1000...e-40: must not be 0 nor 1e-16
    value = lossref.softmax_cross_entropy([0.0, -92.0], 0)
    assert close(value, math.exp(-92.0), rel=1e-15)
    # with a large offset, the subtraction s_j - max s is inexact: still exact result
    value = lossref.softmax_cross_entropy([100.123456789, 8.123456789012], 0)
    d = 8.123456789012 - 100.123456789  # rounded, so compare loosely here
    assert close(value, math.exp(d), rel=1e-12)
    grad = lossref.softmax_cross_entropy_grad([0.0, -92.0], 0)
    assert close(grad[0], -math.exp(-92.0), rel=1e-15)
    assert close(grad[1], math.exp(-92.0), rel=1e-15)


def test_log_softmax_and_logsumexp():
    assert close(lossref.logsumexp([1000.0, 1000.0]), 1000.0 + math.log(2))
    assert close(lossref.logsumexp([-1000.0, -1000.0]), -1000.0 + math.log(2))
    assert close(lossref.log_softmax([0.0, -100.0])[0], -math.exp(-100.0), rel=1e-15)
    out = lossref.log_softmax([[1.0, 2.0], [3.0, 5.0]], axis=0)
    np.testing.assert_allclose(out, np.log(lossref.softmax([[1.0, 2.0], [3.0, 5.0]], axis=0)))
    np.testing.assert_allclose(
        lossref.logsumexp([[1.0, 2.0], [3.0, 5.0]], axis=0),
        [math.log(math.exp(1) + math.exp(3)), math.log(math.exp(2) + math.exp(5))],
    )


def test_softmax_and_sigmoid():
    p = lossref.softmax([1.0, 2.0, 3.0])
    assert close(p.sum(), 1.0)
    np.testing.assert_allclose(p, np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum(), rtol=1e-15)
    assert lossref.softmax([1e4, -1e4]).tolist() == [1.0, 0.0]
    assert lossref.sigmoid(0.0) == 0.5
    assert close(lossref.sigmoid(-800.0 / 2), math.exp(-400.0), rel=1e-14)
    assert lossref.sigmoid([1e4, -1e4]).tolist() == [1.0, 0.0]
    assert close(lossref.log_sigmoid(-1e4), -1e4)
    assert close(lossref.log_sigmoid(50.0), -math.exp(-50.0), rel=1e-14)


# --- distributions: the lecture's models X and Y --------------------------------


def test_cross_entropy_models_x_y():
    ace_x = lossref.cross_entropy(PROBS_X, ONE_HOT)
    ace_y = lossref.cross_entropy(PROBS_Y, ONE_HOT)
    assert round(ace_x, 2) == 1.38
    assert round(ace_y, 2) == 0.64
    assert close(ace_x, -(math.log(0.4) + math.log(0.4) + math.log(0.1)) / 3)
    assert close(ace_y, -(math.log(0.7) + math.log(0.7) + math.log(0.3)) / 3)
    # cross-entropy of one-hot targets = softmax cross-entropy of the log-probabilities
    assert close(ace_x, lossref.softmax_cross_entropy(np.log(PROBS_X), TRUE_CLASSES))


def test_squared_error_models_x_y():
    per_x = lossref.squared_error(PROBS_X, ONE_HOT, reduction="none")
    per_y = lossref.squared_error(PROBS_Y, ONE_HOT, reduction="none")
    np.testing.assert_allclose(per_x, [0.54, 0.54, 1.34], rtol=1e-13)
    np.testing.assert_allclose(per_y, [0.14, 0.14, 0.74], rtol=1e-13)
    assert round(lossref.squared_error(PROBS_X, ONE_HOT), 2) == 0.81
    assert round(lossref.squared_error(PROBS_Y, ONE_HOT), 2) == 0.34
    assert close(lossref.squared_error(PROBS_X[0], ONE_HOT[0]), 0.54)
    # mean over every element instead of over examples
    assert close(lossref.mean_squared_error(PROBS_X, ONE_HOT), (0.54 + 0.54 + 1.34) / 9)


def test_models_x_y_have_the_same_classification_error():
    assert close(lossref.classification_error(PROBS_X, TRUE_CLASSES), 1 / 3)
    assert close(lossref.classification_error(PROBS_Y, TRUE_CLASSES), 1 / 3)
    assert close(lossref.accuracy(PROBS_Y, TRUE_CLASSES), 2 / 3)
    assert lossref.accuracy([0.5, 0.5], 0) == 1.0  # ties: first index, like np.argmax
    assert lossref.classification_error([0.5, 0.5], 1) == 1.0


def test_cross_entropy_conventions():
    assert lossref.cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0  # 0 log 0 = 0
    assert lossref.cross_entropy([0.0, 1.0], [1.0, 0.0]) == math.inf
    assert close(lossref.cross_entropy([0.5, 0.5], [0.5, 0.5], base=2), 1.0)
    soft = lossref.cross_entropy([0.25, 0.75], [0.5, 0.5])
    assert close(soft, -0.5 * math.log(0.25) - 0.5 * math.log(0.75))


def test_entropy_and_kl():
    assert lossref.entropy([0.5, 0.5], base=2) == 1.0
    assert lossref.entropy([1.0, 0.0]) == 0.0
    np.testing.assert_allclose(lossref.entropy([[0.25] * 4, [1.0, 0, 0, 0]], base=2), [2.0, 0.0])
    kl = lossref.kl_divergence([0.25, 0.75], [0.5, 0.5])
    assert close(kl, 0.5 * math.log(2) + 0.5 * math.log(0.5 / 0.75))
    assert lossref.kl_divergence(PROBS_X, PROBS_X).tolist() == [0.0, 0.0, 0.0]
    assert lossref.kl_divergence([1.0, 0.0], [0.5, 0.5]) == math.inf
    assert close(lossref.kl_divergence([0.5, 0.5], [1.0, 0.0], base=2), 1.0)
    # KL = cross-entropy - entropy
    ce = lossref.cross_entropy(PROBS_Y, PROBS_X, reduction="none")
    np.testing.assert_allclose(
        lossref.kl_divergence(PROBS_Y, PROBS_X), ce - lossref.entropy(PROBS_X), rtol=1e-13
    )


def test_kl_of_nearly_equal_distributions_has_no_cancellation():
    delta = 1e-9
    value = lossref.kl_divergence([0.5 + delta, 0.5 - delta], [0.5, 0.5])
    # 0.5 log(0.5/(0.5+d)) + 0.5 log(0.5/(0.5-d)) = 2 d^2 + O(d^4)
    assert close(value, 2 * delta**2, rel=1e-6)
    assert value > 0


def test_binary_cross_entropy():
    per = lossref.binary_cross_entropy([0.9, 0.2, 0.5], [1, 0, 0.5], reduction="none")
    np.testing.assert_allclose(per, [-math.log(0.9), -math.log(0.8), math.log(2)], rtol=1e-15)
    assert lossref.binary_cross_entropy(0.0, 1) == math.inf
    assert lossref.binary_cross_entropy(1.0, 1) == 0.0
    assert close(lossref.binary_cross_entropy(1e-20, 0), 1e-20, rel=1e-15)


def test_sigmoid_binary_cross_entropy():
    x = np.array([2.0, -1.0, 0.0, 30.0])
    t = np.array([1.0, 0.0, 0.3, 1.0])
    per = lossref.sigmoid_binary_cross_entropy(x, t, reduction="none")
    expected = [
        math.log1p(math.exp(-2.0)),
        math.log1p(math.exp(-1.0)),
        math.log(2),
        math.log1p(math.exp(-30.0)),
    ]
    np.testing.assert_allclose(per, expected, rtol=1e-15)
    assert lossref.sigmoid_binary_cross_entropy(1e4, 0) == 1e4
    assert close(lossref.sigmoid_binary_cross_entropy(50.0, 1), math.exp(-50.0), rel=1e-14)
    # on probabilities the same loss agrees, except where sigmoid(x) rounds near 1
    probs = lossref.sigmoid(x[:3])
    np.testing.assert_allclose(
        per[:3], lossref.binary_cross_entropy(probs, t[:3], reduction="none"), rtol=1e-12
    )


# --- regularisation ---------------------------------------------------------------


def test_penalties():
    w = np.array([[1.0, -2.0], [0.5, 0.0]])
    assert lossref.l2_penalty(w) == 5.25
    assert lossref.l1_penalty(w) == 3.5
    assert lossref.elastic_net_penalty(w, l1_ratio=0.25) == 0.25 * 3.5 + 0.75 * 5.25
    assert lossref.elastic_net_penalty(w, l1_ratio=1) == lossref.l1_penalty(w)
    assert lossref.elastic_net_penalty(w, l1_ratio=0) == lossref.l2_penalty(w)
    assert lossref.l2_penalty(np.ones((2, 2, 2))) == 8.0  # any shape
    assert lossref.l2_penalty([]) == 0.0


# --- types of results --------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: lossref.multiclass_hinge(SCORES, LABELS),
        lambda: lossref.softmax_cross_entropy(SCORES, LABELS, reduction="sum"),
        lambda: lossref.cross_entropy(PROBS_X, ONE_HOT),
        lambda: lossref.entropy(PROBS_X[0]),
        lambda: lossref.kl_divergence(PROBS_Y[0], PROBS_X[0]),
        lambda: lossref.logsumexp(SCORES[0]),
        lambda: lossref.sigmoid(1.0),
        lambda: lossref.mean_squared_error(PROBS_X, ONE_HOT),
        lambda: lossref.l1_penalty(SCORES),
        lambda: lossref.accuracy(SCORES, LABELS),
        lambda: lossref.binary_cross_entropy_grad(0.5, 1),
    ],
)
def test_scalar_results_are_python_floats(call):
    assert type(call()) is float


def test_float32_and_integer_input_are_computed_in_float64():
    s32 = SCORES.astype(np.float32)
    value = lossref.softmax_cross_entropy(s32, LABELS)
    assert close(value, lossref.softmax_cross_entropy(s32.astype(np.float64), LABELS))
    p32 = lossref.softmax(np.random.default_rng(0).standard_normal((4, 1000))).astype(np.float32)
    onehot = np.eye(1000, dtype=np.float32)[:4]
    assert np.isfinite(lossref.cross_entropy(p32, onehot))  # float32 rows pass the sum check
    assert lossref.softmax_cross_entropy_grad(s32, LABELS).dtype == np.float64


def test_empty_batches_with_sum_and_none():
    empty = np.zeros((0, 3))
    assert lossref.multiclass_hinge(empty, [], reduction="sum") == 0.0
    assert lossref.softmax_cross_entropy(empty, [], reduction="none").shape == (0,)
    assert lossref.softmax_cross_entropy_grad(empty, [], reduction="sum").shape == (0, 3)
    assert lossref.cross_entropy(empty, empty, reduction="sum") == 0.0
    assert lossref.softmax(empty).shape == (0, 3)


def test_inputs_are_not_modified():
    scores = SCORES.copy()
    probs = PROBS_X.copy()
    lossref.softmax_cross_entropy_grad(scores, LABELS)
    lossref.multiclass_hinge_grad(scores, LABELS, squared=True)
    lossref.softmax(scores)
    lossref.log_softmax(scores, axis=0)
    lossref.kl_divergence_grad(probs, PROBS_Y)
    lossref.numerical_gradient(lambda s: lossref.softmax_cross_entropy(s, LABELS), scores)
    np.testing.assert_array_equal(scores, SCORES)
    np.testing.assert_array_equal(probs, PROBS_X)


# --- linear toolkit ---------------------------------------------------------------


def test_linear_toolkit():
    X = lossref.add_bias_column([[1.0, 2.0], [2.0, -1.0]])
    W = np.array([[0.1, -0.2], [0.3, 0.0], [0.0, 0.1]])
    np.testing.assert_allclose(lossref.linear_scores(W, X), [[0.7, -0.1], [-0.1, -0.3]])
    assert close(lossref.objective(W, X, [0, 1], loss="hinge", reg=0.1), 0.7 + 0.015)
    expected_softmax = lossref.softmax_cross_entropy(X @ W, [0, 1]) + 0.1 * np.sum(W**2)
    assert close(lossref.objective(W, X, [0, 1], loss="softmax", reg=0.1), expected_softmax)


@pytest.mark.parametrize("loss", ["hinge", "softmax"])
@pytest.mark.parametrize("batch_size", [None, 2])
def test_gradient_descent_decreases_the_objective(loss, batch_size):
    rng = np.random.default_rng(0)
    X = lossref.add_bias_column(rng.standard_normal((20, 3)))
    y = np.argmax(X[:, :3], axis=1)
    W0 = np.zeros((4, 3))

    def train():
        return lossref.gradient_descent(
            W0, X, y, loss=loss, reg=1e-3, learning_rate=0.1, num_steps=200,
            batch_size=batch_size, seed=1,
        )  # fmt: skip

    W, history = train()
    assert history.shape == (200,)
    assert W.shape == (4, 3)
    assert np.all(W0 == 0)
    assert lossref.objective(W, X, y, loss=loss, reg=1e-3) < lossref.objective(
        W0, X, y, loss=loss, reg=1e-3
    )
    assert lossref.accuracy(lossref.linear_scores(W, X), y) >= 0.9
    # reproducible with a seed
    W2, history2 = train()
    np.testing.assert_array_equal(W, W2)
    np.testing.assert_array_equal(history, history2)


def test_gradient_check_result():
    err = lossref.gradient_check(
        lambda w: lossref.l2_penalty(w), lossref.l2_penalty_grad, [[1.0, -2.0], [0.5, 3.0]]
    )
    assert type(err) is float
    assert err < 1e-9
    bad = lossref.gradient_check(lambda w: lossref.l2_penalty(w), lambda w: 3.0 * w, [1.0, 2.0])
    assert bad == pytest.approx(0.2)
    assert lossref.gradient_check(lambda w: 0.0, lambda w: np.zeros_like(w), [0.0]) == 0.0
