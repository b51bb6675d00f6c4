"""lossref against SciPy (scipy.special, scipy.stats), float64.

Each test name and docstring states the claim it checks; the book cites them.
"""

import math

import numpy as np
import pytest

scipy_special = pytest.importorskip("scipy.special")
scipy_stats = pytest.importorskip("scipy.stats")

import lossref  # noqa: E402
from tests.frameworks.agreement import close  # noqa: E402

SEED = 271828


@pytest.fixture
def data():
    rng = np.random.default_rng(SEED)
    n_ex, c = 24, 6
    probs = rng.dirichlet(np.ones(c), n_ex)
    probs[0, 2] = 0.0  # a zero probability where the target has no weight
    probs[0] /= probs[0].sum()
    onehot = np.eye(c)[rng.integers(0, c, n_ex)]
    onehot[0] = np.eye(c)[1]
    return {
        "scores": rng.normal(0, 4, (n_ex, c)),
        "x": rng.normal(0, 10, 50),
        "probs": probs,
        "onehot": onehot,
        "soft": rng.dirichlet(np.ones(c), n_ex),
        "q": rng.dirichlet(np.full(c, 2.0), n_ex),
    }


def test_special_logsumexp_softmax_log_softmax_expit_log_expit_agree(data):
    """scipy.special.logsumexp/softmax/log_softmax (axis=-1), expit, log_expit == lossref's."""
    s, x = data["scores"], data["x"]
    close(lossref.logsumexp(s), scipy_special.logsumexp(s, axis=-1))
    close(lossref.softmax(s), scipy_special.softmax(s, axis=-1))
    close(lossref.log_softmax(s), scipy_special.log_softmax(s, axis=-1))
    close(lossref.sigmoid(x), scipy_special.expit(x))
    close(lossref.log_sigmoid(x), scipy_special.log_expit(x))


def test_special_logsumexp_keeps_tiny_results_like_lossref_but_log_softmax_does_not():
    """For scores (0, -92): scipy.special.logsumexp gives 1.1e-40 like lossref, but
    scipy.special.log_softmax gives 0.0 for the first entry where lossref gives -1.1e-40."""
    x = np.array([0.0, -92.0])
    exact = 1.1089390193121365e-40
    assert lossref.logsumexp(x) == pytest.approx(exact, rel=1e-15)
    assert scipy_special.logsumexp(x) == pytest.approx(exact, rel=1e-14)
    assert scipy_special.log_softmax(x)[0] == 0.0
    assert lossref.log_softmax(x)[0] == pytest.approx(-exact, rel=1e-15)


def test_cross_entropy_is_minus_sum_of_xlogy(data):
    """lossref.cross_entropy(q, t) == -sum_c xlogy(t_c, q_c) per row (0 log 0 = 0), any base."""
    q, onehot, soft = data["probs"], data["onehot"], data["soft"]
    close(
        lossref.cross_entropy(q, onehot, reduction="none"),
        -scipy_special.xlogy(onehot, q).sum(axis=1),
    )
    qq = data["q"]
    close(
        lossref.cross_entropy(qq, soft, base=2, reduction="none"),
        -scipy_special.xlogy(soft, qq).sum(axis=1) / math.log(2),
    )


@pytest.mark.parametrize("base", [None, 2.0, 10.0])
def test_stats_entropy_with_axis_1_is_lossref_entropy(data, base):
    """scipy.stats.entropy(p, base=b, axis=1) == lossref.entropy(p, base=b) (None means e)."""
    p = data["probs"]
    kw = {} if base is None else {"base": base}
    close(lossref.entropy(p, **kw), scipy_stats.entropy(p, axis=1, **kw))


def test_stats_entropy_reduces_over_axis_0_by_default(data):
    """scipy.stats.entropy(P) for an (N, C) array is the entropy of each COLUMN (axis=0),
    after normalising it: lossref.entropy(P.T / column sums)."""
    p = data["probs"]
    cols = p.T / p.T.sum(axis=1, keepdims=True)
    close(scipy_stats.entropy(p), lossref.entropy(cols))
    assert scipy_stats.entropy(p).shape == (p.shape[1],)


def test_stats_entropy_normalises_its_input_lossref_rejects_unnormalised_rows():
    """scipy.stats.entropy(w) == lossref.entropy(w / sum(w)) and scipy.stats.entropy(w, v) ==
    lossref.kl_divergence(v / sum(v), w / sum(w)); lossref.entropy(w) raises ValueError."""
    w = np.array([0.1, 0.2, 0.5])
    v = np.array([0.3, 0.3, 0.2])
    close(scipy_stats.entropy(w), lossref.entropy(w / w.sum()))
    close(scipy_stats.entropy(w, v), lossref.kl_divergence(v / v.sum(), w / w.sum()))
    with pytest.raises(ValueError, match="sum to 1"):
        lossref.entropy(w)


@pytest.mark.parametrize("base", [None, 2.0])
def test_stats_entropy_of_two_distributions_is_kl_divergence(data, base):
    """scipy.stats.entropy(p, q, base=b, axis=1) == lossref.kl_divergence(q, p, base=b)."""
    p, q = data["soft"], data["q"]
    kw = {} if base is None else {"base": base}
    close(lossref.kl_divergence(q, p, **kw), scipy_stats.entropy(p, q, axis=1, **kw))


def test_kl_divergence_is_row_sum_of_special_kl_div_and_of_rel_entr(data):
    """lossref.kl_divergence(q, p) == sum_c scipy.special.kl_div(p, q) (p log(p/q) - p + q,
    exactly the form lossref evaluates) == sum_c rel_entr(p, q) + sum_c (q - p)."""
    p, q = data["probs"], data["q"]
    ours = lossref.kl_divergence(q, p)
    close(ours, scipy_special.kl_div(p, q).sum(axis=1))
    rel = scipy_special.rel_entr(p, q).sum(axis=1)
    close(ours, rel + (q - p).sum(axis=1))
    close(ours, rel, rtol=1e-12, atol=p.shape[1] * np.finfo(float).eps)
