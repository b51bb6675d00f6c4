"""Knowledge distillation in PyTorch, optax and Keras 3 (jax backend), in float64, against
lossref's ``distillation_loss(student_logits, teacher_logits, temperature=T)``, which is
T^2 KL(softmax(t / T) || softmax(s / T)) averaged over the N examples.

* PyTorch: ``kl_div(input, target)`` takes ``input`` as log-probabilities (the student's) and
  ``target`` as probabilities, or as log-probabilities with ``log_target=True``; it computes
  ``target * (log(target) - input)`` entry by entry, 0 where ``target`` is 0.  Its default
  ``reduction="mean"`` divides the sum by N C, the number of entries, and warns;
  ``"batchmean"`` divides by N and is lossref's ``"mean"``: mean = batchmean / C exactly.
  Hinton et al.'s recipe ``T**2 * kl_div(log_softmax(s / T), softmax(t / T),
  reduction="batchmean")`` is lossref's loss and its autograd gradient lossref's gradient.
* optax: ``kl_divergence(log_predictions, targets)`` and
  ``kl_divergence_with_log_targets(log_predictions, log_targets)`` take the prediction first,
  in log space, and return one divergence per row (no reduction): lossref's ``"none"``
  divided by T^2.
* Keras 3: ``KLDivergence()(y_true, y_pred)`` takes the target first and both as
  probabilities, clips both to [1e-7, 1] (without renormalising) and averages over N.  It is
  exact where every probability is at least 1e-7; a teacher probability p below that adds
  ``1e-7 log(1e-7 / q) - p log(p / q)`` (negative where the student's q exceeds 1e-7),
  asserted term by term below.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lossref
from tests.frameworks.agreement import close

TEMPERATURES = (0.5, 1.0, 2.0, 4.0, 10.0)
KERAS_EPSILON = 1e-7


@pytest.fixture
def logits():
    rng = np.random.default_rng(1503)  # arXiv:1503.02531
    student = rng.normal(0, 2, (8, 5))
    teacher = rng.normal(0, 3, (8, 5))
    return student, teacher


def _softened(torch, s, t, temp, *, log_target=False):
    F = torch.nn.functional
    s_t = torch.tensor(s, dtype=torch.float64, requires_grad=True)
    log_p_student = F.log_softmax(s_t / temp, dim=1)
    teacher = torch.tensor(t, dtype=torch.float64) / temp
    target = F.log_softmax(teacher, dim=1) if log_target else F.softmax(teacher, dim=1)
    return s_t, log_p_student, target


@pytest.mark.parametrize("temperature", TEMPERATURES)
@pytest.mark.parametrize("log_target", [False, True])
def test_torch_batchmean_times_t_squared_is_lossref_with_its_gradient(
    torch, logits, temperature, log_target
):
    s, t = logits
    F = torch.nn.functional
    s_t, log_p, target = _softened(torch, s, t, temperature, log_target=log_target)
    loss = temperature**2 * F.kl_div(log_p, target, reduction="batchmean", log_target=log_target)
    close(loss.item(), lossref.distillation_loss(s, t, temperature=temperature))
    loss.backward()
    close(s_t.grad.numpy(), lossref.distillation_loss_grad(s, t, temperature=temperature))
    total = F.kl_div(log_p, target, reduction="sum", log_target=log_target).item()
    close(temperature**2 * total, lossref.distillation_loss(s, t, temperature=temperature,
                                                            reduction="sum"))  # fmt: skip
    rows = F.kl_div(log_p, target, reduction="none", log_target=log_target).sum(dim=1)
    close(
        temperature**2 * rows.detach().numpy(),
        lossref.distillation_loss(s, t, temperature=temperature, reduction="none"),
    )


def test_torch_mean_divides_by_n_times_c_and_warns(torch, logits):
    s, t = logits
    n, c = s.shape
    F = torch.nn.functional
    _, log_p, target = _softened(torch, s, t, 1.0)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        mean = F.kl_div(log_p, target).item()  # the default reduction, "mean"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batchmean = F.kl_div(log_p, target, reduction="batchmean").item()
    want = lossref.distillation_loss(s, t)
    close(batchmean, want)
    close(mean, want / c)  # mean = batchmean / C
    close(mean * n * c, lossref.distillation_loss(s, t, reduction="sum"))
    assert not np.isclose(mean, want, rtol=0.1)


def test_torch_takes_log_probabilities_as_input_not_probabilities(torch, logits):
    # passing the student's probabilities (a common slip) computes sum p_t (log p_t - p_s),
    # which is not a divergence: it is negative here
    s, t = logits
    F = torch.nn.functional
    p_s = torch.softmax(torch.tensor(s), dim=1)
    p_t = torch.softmax(torch.tensor(t), dim=1)
    wrong = F.kl_div(p_s, p_t, reduction="batchmean").item()
    entropy = lossref.entropy(p_t.numpy())
    close(wrong, np.mean(-entropy - np.sum(p_t.numpy() * p_s.numpy(), axis=1)))
    assert wrong < 0 < lossref.distillation_loss(s, t)
    # and a target given as log-probabilities without log_target=True is another number
    log_t = torch.log_softmax(torch.tensor(t), dim=1)
    log_s = torch.log_softmax(torch.tensor(s), dim=1)
    assert not np.isclose(
        F.kl_div(log_s, log_t, reduction="batchmean").item(), lossref.distillation_loss(s, t)
    )


def test_torch_kl_div_is_zero_where_the_target_is_unless_the_input_is_minus_inf(torch):
    F = torch.nn.functional
    target = torch.tensor([[0.25, 0.75, 0.0]], dtype=torch.float64)
    log_p = torch.log(torch.tensor([[0.5, 0.4, 0.1]], dtype=torch.float64))
    got = F.kl_div(log_p, target, reduction="none")
    assert got[0, 2].item() == 0.0  # target log target is 0 there (xlogy)
    close(got.sum().item(), lossref.kl_divergence([0.5, 0.4, 0.1], [0.25, 0.75, 0.0]))
    # but 0 * (0 - input) is nan for input = log 0 = -inf: a log_softmax is always finite
    log_p[0, 2] = -torch.inf
    assert torch.isnan(F.kl_div(log_p, target, reduction="none")[0, 2])


@pytest.mark.parametrize("temperature", TEMPERATURES)
def test_optax_returns_one_divergence_per_row_without_t_squared(jax64, logits, temperature):
    jnp = jax64.numpy
    import optax

    s, t = logits
    log_p_s = jax64.nn.log_softmax(jnp.asarray(s) / temperature, axis=-1)
    log_p_t = jax64.nn.log_softmax(jnp.asarray(t) / temperature, axis=-1)
    want = lossref.distillation_loss(s, t, temperature=temperature, reduction="none")
    got = optax.losses.kl_divergence(log_p_s, jnp.exp(log_p_t))
    assert got.shape == (len(s),)
    close(temperature**2 * np.asarray(got), want)
    got_log = optax.losses.kl_divergence_with_log_targets(log_p_s, log_p_t)
    close(temperature**2 * np.asarray(got_log), want)

    def loss(x):  # the mean over N and the T^2 are the caller's
        log_q = jax64.nn.log_softmax(x / temperature, axis=-1)
        kl = optax.losses.kl_divergence_with_log_targets(log_q, log_p_t)
        return temperature**2 * jnp.mean(kl)

    close(
        np.asarray(jax64.grad(loss)(jnp.asarray(s))),
        lossref.distillation_loss_grad(s, t, temperature=temperature),
    )


def test_optax_takes_the_prediction_first(jax64, logits):
    import inspect

    import optax

    names = list(inspect.signature(optax.losses.kl_divergence).parameters)[:2]
    assert names == ["log_predictions", "targets"]
    names = list(inspect.signature(optax.losses.kl_divergence_with_log_targets).parameters)[:2]
    assert names == ["log_predictions", "log_targets"]


@pytest.mark.parametrize("temperature", [1.0, 4.0])
def test_keras_agrees_where_no_probability_is_below_its_epsilon(jax64, logits, temperature):
    import keras

    s, t = logits
    p_s = lossref.softmax(s / temperature)
    p_t = lossref.softmax(t / temperature)
    assert min(p_s.min(), p_t.min()) > KERAS_EPSILON  # so Keras's clipping does nothing
    kl = keras.losses.KLDivergence(dtype="float64")
    got = float(kl(p_t, p_s))  # the target first
    close(temperature**2 * got, lossref.distillation_loss(s, t, temperature=temperature))
    per_row = np.asarray(keras.losses.kl_divergence(p_t, p_s))
    close(temperature**2 * per_row,
          lossref.distillation_loss(s, t, temperature=temperature, reduction="none"))  # fmt: skip


def test_keras_clips_both_distributions_at_its_epsilon(jax64):
    import keras

    # a confident teacher at a low temperature: its probabilities of classes 1 and 2 are far
    # below 1e-7; Keras raises each to 1e-7 (and the student's too) without renormalising
    s = np.array([[2.0, 1.0, -1.0], [0.0, 0.5, 0.2]])
    t = np.array([[9.0, -4.0, -6.0], [1.0, 0.0, 0.4]])
    temp = 0.5
    p_s = lossref.softmax(s / temp)
    p_t = lossref.softmax(t / temp)
    assert p_t[0, 1:].max() < KERAS_EPSILON <= p_t[1].min()
    got = np.asarray(keras.losses.kl_divergence(p_t, p_s))
    exact = lossref.distillation_loss(s, t, temperature=temp, reduction="none") / temp**2
    # the second row is untouched; the first gains, for each clipped teacher entry p with
    # student probability q, 1e-7 log(1e-7 / q) - p log(p / q)
    close(got[1], exact[1])
    ct, cs = np.clip(p_t, KERAS_EPSILON, 1), np.clip(p_s, KERAS_EPSILON, 1)
    extra = ct * np.log(ct / cs) - p_t * np.log(p_t / p_s)
    close(got[0], exact[0] + extra[0].sum())
    # the student gives those classes more than 1e-7, so each clipped term is negative:
    # Keras's loss is lower, by far more than rounding
    assert extra[0, 0] == 0.0
    assert extra[0, 1:].max() < 0
    assert cs[0, 1:].min() > KERAS_EPSILON
    assert exact[0] - got[0] > 2e-6


def test_the_book_pages_kl_div_numbers_are_what_torch_reports(torch):
    """distillation.md computes PyTorch's kl_div in NumPy on its batch at T = 4: 16 times
    "batchmean" is 1.0814, lossref's loss, and 16 times "mean" is 0.3605, a third of it."""
    s = np.array([[2.0, 1.0, 0.0], [0.5, 2.0, -1.0]])
    t = np.array([[6.0, 3.0, -2.0], [1.0, 4.0, 0.0]])
    F = torch.nn.functional
    _, log_p, target = _softened(torch, s, t, 4.0)
    batchmean = 16 * F.kl_div(log_p, target, reduction="batchmean").item()
    with pytest.warns(UserWarning, match="batchmean"):
        mean = 16 * F.kl_div(log_p, target).item()
    assert round(batchmean, 4) == 1.0814
    assert round(mean, 4) == 0.3605
    close(batchmean, lossref.distillation_loss(s, t, temperature=4.0))
    close(mean, batchmean / 3)
