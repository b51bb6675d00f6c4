"""lossref against PyTorch (CPU, float64).

Each test name and docstring states the claim it checks; the book cites them.
Where PyTorch uses another convention the exact relationship is asserted.
Agreement means equality to ``rtol=1e-12`` (both sides are float64; inputs are
moderate so that both are accurate).
"""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

import lossref  # noqa: E402
from tests.frameworks.agreement import close  # noqa: E402

SEED = 314159


def t(a, grad=False):
    """float64 tensor (optionally requiring grad) from array-like ``a``."""
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def n(x):
    """NumPy array (or float) from a tensor."""
    x = x.detach().numpy()
    return float(x) if x.ndim == 0 else x


def autograd(loss_fn, x):
    """Gradient of the scalar ``loss_fn(tensor)`` w.r.t. ``x`` by torch autograd."""
    xt = t(x, grad=True)
    loss_fn(xt).backward()
    return xt.grad.numpy()


@pytest.fixture
def batch():
    """Scores (N, C), labels, probabilities, soft targets, binary data, regression data."""
    rng = np.random.default_rng(SEED)
    n_ex, c = 32, 7
    scores = rng.normal(0, 3, (n_ex, c))
    labels = rng.integers(0, c, n_ex)
    probs = rng.dirichlet(np.ones(c), n_ex)
    soft = rng.dirichlet(np.ones(c), n_ex)
    return {
        "scores": scores,
        "labels": labels,
        "probs": probs,
        "soft": soft,
        "p1": rng.uniform(0.01, 0.99, n_ex),
        "y01": rng.integers(0, 2, n_ex).astype(float),
        "tsoft": rng.uniform(0, 1, n_ex),
        "logits": rng.normal(0, 5, n_ex),
        "pm1": np.where(rng.integers(0, 2, n_ex) == 1, 1.0, -1.0),
        "pred": rng.normal(0, 2, (n_ex, 3)),
        "target": rng.normal(0, 2, (n_ex, 3)),
    }


REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- #
# activations
# --------------------------------------------------------------------------- #
def test_softmax_log_softmax_logsumexp_sigmoid_logsigmoid_agree_with_torch(batch):
    """lossref.softmax/log_softmax/logsumexp/sigmoid/log_sigmoid == torch's (dim=-1)."""
    s = batch["scores"]
    close(lossref.softmax(s), n(torch.softmax(t(s), dim=-1)))
    close(lossref.log_softmax(s), n(torch.log_softmax(t(s), dim=-1)))
    close(lossref.logsumexp(s), n(torch.logsumexp(t(s), dim=-1)))
    x = batch["logits"]
    close(lossref.sigmoid(x), n(torch.sigmoid(t(x))))
    close(lossref.log_sigmoid(x), n(F.logsigmoid(t(x))))


def test_torch_rounds_tiny_log_softmax_values_to_zero_where_lossref_keeps_them():
    """torch's float64 logsumexp/log_softmax/cross_entropy are accurate only in absolute terms.

    For scores (0, -92), logsumexp is 1.1e-40 and the loss of class 0 is 1.1e-40;
    PyTorch returns exactly 0.0, lossref returns 1.1e-40.  For 999 zeros and one
    score 100 (the correct class) the loss is 3.7e-41: again 0.0 in PyTorch.
    """
    x = np.array([0.0, -92.0])
    assert n(torch.logsumexp(t(x), dim=0)) == 0.0
    assert n(torch.log_softmax(t(x), dim=0))[0] == 0.0
    assert lossref.logsumexp(x) == pytest.approx(1.1089390193121365e-40, rel=1e-15)
    assert lossref.log_softmax(x)[0] == pytest.approx(-1.1089390193121365e-40, rel=1e-15)
    scores = np.zeros((1, 1000))
    scores[0, 0] = 100.0
    assert n(F.cross_entropy(t(scores), torch.tensor([0]))) == 0.0
    assert lossref.softmax_cross_entropy(scores, [0]) == pytest.approx(
        999 * math.exp(-100), rel=1e-13
    )


# --------------------------------------------------------------------------- #
# softmax cross-entropy
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_softmax_cross_entropy_equals_torch_cross_entropy(batch, reduction):
    """lossref.softmax_cross_entropy == F.cross_entropy (same "mean" over N)
    == F.nll_loss(F.log_softmax(scores))."""
    s, y = batch["scores"], batch["labels"]
    ours = lossref.softmax_cross_entropy(s, y, reduction=reduction)
    close(ours, n(F.cross_entropy(t(s), torch.tensor(y), reduction=reduction)))
    close(ours, n(F.nll_loss(F.log_softmax(t(s), dim=1), torch.tensor(y), reduction=reduction)))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_softmax_cross_entropy_grad_equals_torch_autograd(batch, reduction):
    """lossref.softmax_cross_entropy_grad == autograd of F.cross_entropy ((softmax - onehot)/N)."""
    s, y = batch["scores"], batch["labels"]
    expected = autograd(lambda x: F.cross_entropy(x, torch.tensor(y), reduction=reduction), s)
    close(lossref.softmax_cross_entropy_grad(s, y, reduction=reduction), expected)


def test_torch_cross_entropy_with_probability_targets_is_cross_entropy_of_softmax(batch):
    """F.cross_entropy(scores, soft targets t) == lossref.cross_entropy(softmax(scores), t)."""
    s, soft = batch["scores"], batch["soft"]
    close(
        lossref.cross_entropy(lossref.softmax(s), soft),
        n(F.cross_entropy(t(s), t(soft))),
        rtol=1e-11,
    )


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_and_grad_equal_torch_nll_loss_of_log_probabilities(batch, reduction):
    """lossref.cross_entropy(probs, onehot) == F.nll_loss(log(probs)); grads via autograd agree."""
    p, y = batch["probs"], batch["labels"]
    onehot = np.eye(p.shape[1])[y]
    close(
        lossref.cross_entropy(p, onehot, reduction=reduction),
        n(F.nll_loss(torch.log(t(p)), torch.tensor(y), reduction=reduction)),
    )
    expected = autograd(lambda q: F.nll_loss(torch.log(q), torch.tensor(y), reduction=reduction), p)
    close(lossref.cross_entropy_grad(p, onehot, reduction=reduction), expected)


# --------------------------------------------------------------------------- #
# binary cross-entropy
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_and_grad_equal_torch(batch, reduction):
    """lossref.binary_cross_entropy(_grad) == F.binary_cross_entropy (+autograd), p in .01...99."""
    p = batch["p1"]
    for target in (batch["y01"], batch["tsoft"]):
        ours = lossref.binary_cross_entropy(p, target, reduction=reduction)
        close(ours, n(F.binary_cross_entropy(t(p), t(target), reduction=reduction)))
        if reduction != "none":
            expected = autograd(
                lambda q, target=target: F.binary_cross_entropy(q, t(target), reduction=reduction),
                p,
            )
            close(lossref.binary_cross_entropy_grad(p, target, reduction=reduction), expected)


def test_torch_binary_cross_entropy_clamps_each_log_at_minus_100():
    """F.binary_cross_entropy = -(t max(log p, -100) + (1-t) max(log(1-p), -100)).

    lossref does not clamp.

    So PyTorch reports 100.0 for p = 1e-50 (true loss 115.13) and for p = 0
    (true loss inf) when t = 1.
    """
    p = np.array([1e-50, 0.0, 1e-44, 3e-44, 0.3, 1.0 - 1e-17, 1e-20, 1.0])
    target = np.array([1.0, 1.0, 1.0, 1.0, 0.5, 0.0, 0.0, 0.0])
    torch_per = n(F.binary_cross_entropy(t(p), t(target), reduction="none"))
    with np.errstate(divide="ignore"):
        clamped = -(
            target * np.maximum(np.log(p), -100.0) + (1 - target) * np.maximum(np.log1p(-p), -100.0)
        )
    close(torch_per, clamped, rtol=4e-16, atol=0)
    ours = lossref.binary_cross_entropy(p, target, reduction="none")
    assert torch_per[0] == 100.0
    assert ours[0] == pytest.approx(50 * math.log(10), rel=1e-15)
    assert torch_per[1] == 100.0
    assert ours[1] == math.inf
    unclamped = (p >= math.exp(-100)) & (1 - p >= math.exp(-100))
    close(ours[unclamped], torch_per[unclamped], rtol=4e-16, atol=0)


def test_torch_binary_cross_entropy_grad_clamps_its_denominator_at_1e_12():
    """autograd of F.binary_cross_entropy = (p - t) / max(p (1 - p), float32(1e-12)) / N.

    lossref.binary_cross_entropy_grad = -t/p + (1-t)/(1-p) is not clamped: for
    p = 1e-30, t = 1 it gives -1e30 where PyTorch gives about -1e12.
    """
    p = np.array([1e-30, 1e-13, 1e-6, 0.5, 1 - 1e-13])
    target = np.array([1.0, 1.0, 0.0, 1.0, 0.0])
    got = autograd(lambda q: F.binary_cross_entropy(q, t(target), reduction="sum"), p)
    clamp = float(np.float32(1e-12))
    close(got, (p - target) / np.maximum(p * (1 - p), clamp), rtol=1e-12, atol=0)
    ours = lossref.binary_cross_entropy_grad(p, target, reduction="sum")
    assert ours[0] == pytest.approx(-1e30, rel=1e-15)
    assert got[0] == pytest.approx(-1 / clamp, rel=1e-15)
    close(ours[2:4], got[2:4])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sigmoid_binary_cross_entropy_and_grad_equal_torch_bce_with_logits(batch, reduction):
    """sigmoid_binary_cross_entropy(_grad) == F.binary_cross_entropy_with_logits (+ autograd)."""
    x = batch["logits"]
    for target in (batch["y01"], batch["tsoft"]):
        ours = lossref.sigmoid_binary_cross_entropy(x, target, reduction=reduction)
        close(ours, n(F.binary_cross_entropy_with_logits(t(x), t(target), reduction=reduction)))
        if reduction != "none":
            expected = autograd(
                lambda z, target=target: F.binary_cross_entropy_with_logits(
                    z, t(target), reduction=reduction
                ),
                x,
            )
            close(
                lossref.sigmoid_binary_cross_entropy_grad(x, target, reduction=reduction), expected
            )


def test_torch_soft_margin_loss_is_sigmoid_bce_with_targets_mapped_to_0_1(batch):
    """F.soft_margin_loss(x, y), y = +-1, == sigmoid_binary_cross_entropy(x, (y + 1) / 2)."""
    x, y = batch["logits"], batch["pm1"]
    close(lossref.sigmoid_binary_cross_entropy(x, (y + 1) / 2), n(F.soft_margin_loss(t(x), t(y))))


# --------------------------------------------------------------------------- #
# squared error
# --------------------------------------------------------------------------- #
def test_torch_mse_loss_is_mean_squared_error_and_squared_error_over_c(batch):
    """F.mse_loss == lossref.mean_squared_error == lossref.squared_error / C (mean of N*C elements).

    F.mse_loss(reduction="sum") == lossref.squared_error(reduction="sum"); gradients
    agree with autograd.
    """
    pred, target = batch["pred"], batch["target"]
    c = pred.shape[1]
    torch_mse = n(F.mse_loss(t(pred), t(target)))
    close(lossref.mean_squared_error(pred, target), torch_mse)
    close(lossref.squared_error(pred, target) / c, torch_mse)
    close(
        lossref.squared_error(pred, target, reduction="sum"),
        n(F.mse_loss(t(pred), t(target), reduction="sum")),
    )
    close(
        lossref.mean_squared_error_grad(pred, target),
        autograd(lambda z: F.mse_loss(z, t(target)), pred),
    )
    close(
        lossref.squared_error_grad(pred, target),
        autograd(lambda z: F.mse_loss(z, t(target), reduction="sum") / len(pred), pred),
    )


# --------------------------------------------------------------------------- #
# hinge losses
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("squared", [False, True])
@pytest.mark.parametrize("margin", [1.0, 0.5, 2.0])
def test_multiclass_hinge_is_c_times_torch_multi_margin_loss(batch, reduction, squared, margin):
    """lossref.multiclass_hinge == C * F.multi_margin_loss(p=1; p=2 for squared=True).

    PyTorch divides each example's sum over j != y by the number of classes C;
    the gradients (autograd) obey the same factor C.
    """
    s, y = batch["scores"], batch["labels"]
    c = s.shape[1]
    p = 2 if squared else 1

    def torch_loss(x):
        return c * F.multi_margin_loss(x, torch.tensor(y), p=p, margin=margin, reduction=reduction)

    ours = lossref.multiclass_hinge(s, y, margin=margin, squared=squared, reduction=reduction)
    close(ours, n(torch_loss(t(s))))
    if reduction != "none":
        close(
            lossref.multiclass_hinge_grad(
                s, y, margin=margin, squared=squared, reduction=reduction
            ),
            autograd(torch_loss, s),
        )


def test_torch_multi_margin_loss_example_with_two_violations():
    """Scores (0, 0.5, 0.8), label 0: CS231n hinge 1.5 + 1.8 = 3.3; PyTorch 3.3 / 3 = 1.1."""
    s, y = np.array([[0.0, 0.5, 0.8]]), np.array([0])
    assert lossref.multiclass_hinge(s, y) == pytest.approx(3.3, rel=1e-15)
    assert n(F.multi_margin_loss(t(s), torch.tensor(y))) == pytest.approx(1.1, rel=1e-15)


@pytest.mark.parametrize("margin", [1.0, 0.3])
def test_binary_hinge_is_torch_hinge_embedding_loss_of_t_times_s_with_label_minus_1(batch, margin):
    """lossref.binary_hinge(s, t) == F.hinge_embedding_loss(t * s, -1, margin) (+ autograd).

    hinge_embedding_loss is a different loss (for distances): per element it is
    x where the label is +1 and max(0, margin - x) where it is -1, so
    hinge_embedding_loss(s, t) != binary_hinge(s, t); asserted too.
    """
    s, y = batch["logits"], batch["pm1"]
    minus = -torch.ones(len(s), dtype=torch.float64)

    def torch_loss(x):
        return F.hinge_embedding_loss(t(y) * x, minus, margin=margin)

    close(lossref.binary_hinge(s, y, margin=margin), n(torch_loss(t(s))))
    close(lossref.binary_hinge_grad(s, y, margin=margin), autograd(torch_loss, s))
    direct = n(F.hinge_embedding_loss(t(s), t(y), margin=margin, reduction="none"))
    close(direct, np.where(y == 1, s, np.maximum(0, margin - s)))
    assert not np.allclose(direct, lossref.binary_hinge(s, y, margin=margin, reduction="none"))


# --------------------------------------------------------------------------- #
# KL divergence and entropy
# --------------------------------------------------------------------------- #
def test_torch_kl_div_takes_log_q_and_batchmean_is_lossref_mean_over_rows(batch):
    """F.kl_div(log q, p, reduction=...) vs lossref.kl_divergence(q, p) (row-wise, no reduction).

    * input is log q (log-probabilities), target is p: the same order as lossref's, prediction
      first, but PyTorch takes the prediction's logarithm;
    * "batchmean" == mean over the N rows of lossref.kl_divergence(q, p);
    * "sum" == sum over rows; "none" gives elements whose row sums are lossref's values;
    * "mean" averages over all N*C ELEMENTS: it is lossref's mean / C (and torch warns);
    * log_target=True takes log p as target, same values.
    """
    p, q = batch["soft"], batch["probs"]
    c = p.shape[1]
    ours = lossref.kl_divergence(q, p)
    assert ours.shape == (len(p),)
    logq = torch.log(t(q))
    close(ours.mean(), n(F.kl_div(logq, t(p), reduction="batchmean")))
    close(ours.sum(), n(F.kl_div(logq, t(p), reduction="sum")))
    close(ours, n(F.kl_div(logq, t(p), reduction="none")).sum(axis=1))
    with pytest.warns(UserWarning, match="batchmean"):  # PyTorch itself warns about "mean"
        elementwise_mean = n(F.kl_div(logq, t(p), reduction="mean"))
    close(ours.mean() / c, elementwise_mean)
    close(ours.mean(), n(F.kl_div(logq, torch.log(t(p)), reduction="batchmean", log_target=True)))
    close(
        ours,
        n(
            torch.distributions.kl_divergence(
                torch.distributions.Categorical(probs=t(p)),
                torch.distributions.Categorical(probs=t(q)),
            )
        ),
    )


def test_kl_divergence_grad_is_torch_autograd_plus_one(batch):
    """lossref.kl_divergence_grad(q, p) = 1 - p/q (of sum p log(p/q) - p + q, with respect to
    the prediction q); autograd of F.kl_div(log q, p) with respect to q is -p/q: they differ by
    the constant 1, which has no effect along the probability simplex.
    """
    p, q = batch["soft"], batch["probs"]
    torch_grad = autograd(lambda qt: F.kl_div(torch.log(qt), t(p), reduction="sum"), q)
    close(lossref.kl_divergence_grad(q, p), torch_grad + 1.0)


def test_entropy_and_grad_equal_torch(batch):
    """lossref.entropy == Categorical(probs).entropy() == torch.special.entr(p).sum(-1);
    lossref.entropy_grad == autograd of entr(p).sum() = -(log p + 1).
    """
    p = batch["probs"]
    ours = lossref.entropy(p)
    close(ours, n(torch.distributions.Categorical(probs=t(p)).entropy()))
    close(ours, n(torch.special.entr(t(p)).sum(-1)))
    close(lossref.entropy_grad(p), autograd(lambda z: torch.special.entr(z).sum(), p))


# --------------------------------------------------------------------------- #
# regularisation
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("weight_decay", [0.1, 0.01])
def test_torch_weight_decay_is_half_lambda_times_l2_penalty(weight_decay):
    """An SGD step with weight_decay=lambda equals a step on loss + (lambda/2) * l2_penalty(w).

    lossref.l2_penalty is sum w**2 (no 1/2), so its gradient is 2w.
    """
    rng = np.random.default_rng(SEED + 1)
    w0, x, target = rng.normal(size=5), rng.normal(size=(8, 5)), rng.normal(size=8)
    lr = 0.05

    def data_loss(w):
        return F.mse_loss(t(x) @ w, t(target))

    w = t(w0, grad=True)
    opt = torch.optim.SGD([w], lr=lr, weight_decay=weight_decay)
    data_loss(w).backward()
    opt.step()
    data_grad = autograd(data_loss, w0)
    manual = w0 - lr * (data_grad + weight_decay / 2 * lossref.l2_penalty_grad(w0))
    close(n(w), manual)
    assert lossref.l2_penalty(w0) == pytest.approx(float(np.sum(w0**2)), rel=1e-15)
