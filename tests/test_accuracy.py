"""Accuracy of lossref against 50-digit mpmath references.

Every reference is computed with ``mpmath`` (at least 50 significant digits)
from the *exact* binary value of each float64 input, with formulas that keep
full relative precision (``log1p`` of the off-maximum terms, 0*log 0 = 0), so
it is the true value of the function at the float64 inputs, correct to far
below one float64 ulp.

Error measure.  For a lossref result ``c`` and reference ``v`` the error is

    err = |c - v| / (eps * max(scale, 2**-1022))      (eps = 2**-52)

in units of eps, with ``scale = |v|`` (plain relative error) for every
function except logsumexp, where ``scale = |v| + max(0, -max(x))``: the
result ``max(x) + log1p(...)`` may cancel when ``max(x) < 0`` (documented in
its docstring), and there the error is relative to ``|max(x)|``.

So a confident example whose true loss is 3.7e-41 must come out as 3.7e-41,
not 0 and not 1e-16; this holds for random logits too (lossref recomputes the
rows where rounding of ``x_j - max(x)`` would matter with TwoSum).  The floor
``2**-1022`` (smallest normal) turns the measure into "a few subnormal ulps"
when the true value underflows.  Where the true value is exactly 0 (0*log 0,
log 1, KL(p||p)) the result must be exactly 0.

kl_divergence evaluates the generalised (I-) divergence
``sum p log(p/q) - p + q`` (every term >= 0, documented), which is what the
reference computes; for rows that sum to 1 only up to rounding it differs from
the literal ``sum p log(p/q)`` by ``sum (q - p)``, asserted separately.

The asserted bounds (in eps) are the ``BOUND_*`` constants below: lossref's
worst error on these seeded (hence deterministic) inputs, rounded up with a
little headroom.
"""

import math

import numpy as np
import pytest
from mpmath import mp

import lossref

DPS = 50
EPS = mp.mpf(2) ** -52
TINY = mp.mpf(2) ** -1022
SEED = 20240611
SCALES = (1e-3, 1e-1, 1.0, 1e1, 1e2, 1e3, 1e4)

# Asserted bounds, in units of eps = 2**-52 (see module docstring); the worst error measured
# on these inputs (NumPy 2.4, x86-64) is given in the comment, the bound leaves ~2x headroom.
BOUND_LOGSUMEXP = 2  # measured 0.91
BOUND_LOG_SOFTMAX = 3  # measured 1.44
BOUND_SOFTMAX_CE = 3  # measured 1.42
BOUND_CROSS_ENTROPY = 3  # measured 1.48
BOUND_ENTROPY = 3  # measured 1.41
BOUND_KL = 3  # measured 1.37
BOUND_BCE = 2  # measured 1.08
BOUND_SIGMOID_BCE = 2  # measured 1.02


# --------------------------------------------------------------------------- #
# error bookkeeping
# --------------------------------------------------------------------------- #
def _fmt(x):
    return np.array2string(np.asarray(x), precision=17, threshold=12, edgeitems=3)


class Worst:
    """The worst error of one function over many cases."""

    def __init__(self, what):
        self.what = what
        self.err = -1.0
        self.where = "no case checked"
        self.count = 0

    def add(self, computed, exact, describe, scale=None):
        """Record one case; ``describe`` is a zero-argument callable (called lazily)."""
        self.count += 1
        c = float(computed)
        scale = abs(exact) if scale is None else scale
        note = ""
        if exact == 0:
            err = 0.0 if c == 0.0 else math.inf
            note = " (the true value is exactly 0)"
        elif not math.isfinite(c):
            err = math.inf
        else:
            with mp.workdps(DPS):
                err = float(abs(mp.mpf(c) - exact) / (EPS * max(scale, TINY)))
        if err > self.err:
            self.err = err
            self.where = f"{describe()}: lossref gave {c!r}, exact {mp.nstr(exact, 17)}{note}"

    def check(self, bound):
        assert self.count > 0
        assert self.err <= bound, (
            f"{self.what}: worst error {self.err:.3g} eps exceeds the asserted {bound} eps "
            f"at {self.where}"
        )


def _mpf_list(x):
    return [mp.mpf(float(v)) for v in np.ravel(x)]


# --------------------------------------------------------------------------- #
# mpmath references
# --------------------------------------------------------------------------- #
def _lse_parts(x):
    """(xs, m, L) with logsumexp(x) = m + L, L = log1p(sum_{j != argmax} e^(x_j - m)).

    L keeps full relative precision even when it is ~1e-40.
    """
    xs = _mpf_list(x)
    k = max(range(len(xs)), key=xs.__getitem__)
    m = xs[k]
    rest = mp.fsum(mp.exp(v - m) for j, v in enumerate(xs) if j != k)
    return xs, m, mp.log1p(rest)


def ref_logsumexp(x):
    """(value, scale): scale is |value| + |max x| when max x < 0 (possible cancellation)."""
    with mp.workdps(DPS):
        _, m, L = _lse_parts(x)
        v = m + L
        return v, abs(v) + max(-m, 0)


def ref_log_softmax(x):
    """log_softmax(x)_i = (x_i - m) - L: two terms <= 0, no cancellation."""
    with mp.workdps(DPS):
        xs, m, L = _lse_parts(x)
        return [(v - m) - L for v in xs]


def ref_cross_entropy(probs, targets, base=None):
    """-sum_i t_i log p_i (terms with t_i = 0 are exactly 0)."""
    with mp.workdps(DPS):
        v = -mp.fsum(
            t * mp.log(p)
            for p, t in zip(_mpf_list(probs), _mpf_list(targets), strict=True)
            if t != 0
        )
        return v if base is None else v / mp.log(base)


def ref_entropy(p, base=None):
    return ref_cross_entropy(p, p, base)


def ref_kl_terms(p, q):
    """Terms p log(p/q) - p + q >= 0 (0 log 0 = 0), at 100 digits: they cancel to ~(q-p)^2."""
    with mp.workdps(2 * DPS):
        return [
            (pi * mp.log(pi / qi) if pi != 0 else 0) - pi + qi
            for pi, qi in zip(_mpf_list(p), _mpf_list(q), strict=True)
        ]


def ref_kl(p, q, base=None):
    """The generalised KL divergence sum_i p_i log(p_i/q_i) - p_i + q_i evaluated by lossref."""
    with mp.workdps(DPS):
        v = mp.fsum(ref_kl_terms(p, q))
        return v if base is None else v / mp.log(base)


def ref_kl_literal(p, q):
    """The literal sum_i p_i log(p_i / q_i) of the float inputs."""
    with mp.workdps(2 * DPS):
        ps, qs = _mpf_list(p), _mpf_list(q)
        return mp.fsum(pi * mp.log(pi / qi) for pi, qi in zip(ps, qs, strict=True) if pi != 0)


def ref_bce(p, t):
    """-(t log p + (1-t) log(1-p)) with 0*log 0 = 0."""
    with mp.workdps(DPS):
        p, t = mp.mpf(float(p)), mp.mpf(float(t))
        v = mp.mpf(0)
        if t != 0:
            v -= t * mp.log(p)
        if t != 1:
            v -= (1 - t) * mp.log1p(-p)
        return v


def ref_sigmoid_bce(x, t):
    """softplus(x) - t x = max(x,0) - t x + log1p(exp(-|x|)) (both parts >= 0 for t in [0,1])."""
    with mp.workdps(DPS):
        x, t = mp.mpf(float(x)), mp.mpf(float(t))
        return max(x, 0) - t * x + mp.log1p(mp.exp(-abs(x)))


# --------------------------------------------------------------------------- #
# inputs
# --------------------------------------------------------------------------- #
def random_logit_batches():
    """{C: (N, C) array}: rows at every scale of SCALES, shifted by a random offset."""
    rng = np.random.default_rng(SEED)
    batches = {}
    for c, reps in ((2, 3), (3, 2), (10, 2), (100, 2), (1000, 1)):
        rows = [rng.normal(0.0, s, c) + rng.normal(0.0, s) for s in SCALES for _ in range(reps)]
        batches[c] = np.array(rows)
    return batches


HOSTILE_LOGITS = [
    np.array(v, dtype=float)
    for v in (
        [0.0, -92.0],  # logsumexp = log1p(e^-92) = 1.1e-40
        [0.0, -40.0],  # 4.2e-18, below eps: log(1 + tiny) would give 0
        [0.0, -745.0],  # subnormal 5e-324
        [0.0, -1e4],  # underflows to 0
        [1e4, -1e4],
        [1e4, 1e4 - 92.0],  # exact difference 92 at magnitude 1e4
        [-1e4, -1e4],
        [1e300, -1e300],
        [1e300, 1e300],
        [-1e300, -1e300, -1e300],
        [1e308, 1e308],  # exp(x) overflows: needs the shift by max(x)
        [5e-324, 0.0, -5e-324],
        [1e-300, -1e-300],
        [0.0] * 999 + [100.0],  # one huge logit among 1000: loss 3.7e-41
        [0.0] * 1000,  # all equal: log 1000
        [3.5] * 7,
        [1e4] * 5 + [1e4 - 36.0] * 5,
        [-0.6931471805599453, -0.6931471805599453],  # logsumexp = ln 2 - fl(ln 2) = 2.3e-17
        [0.1, 0.2, 0.30000000000000004, -123.456],
    )
]


def _labels_for(x):
    c = len(x)
    return sorted(set(range(c)) if c <= 10 else {0, int(np.argmax(x)), c - 1})


# --------------------------------------------------------------------------- #
# logsumexp / log_softmax
# --------------------------------------------------------------------------- #
def test_logsumexp_random_inputs():
    worst = Worst("logsumexp (random)")
    for batch in random_logit_batches().values():
        got = np.asarray(lossref.logsumexp(batch), dtype=float)
        assert got.shape == (len(batch),)
        for row, g in zip(batch, got, strict=True):
            v, scale = ref_logsumexp(row)
            worst.add(g, v, lambda row=row: f"x = {_fmt(row)}", scale)
        one = lossref.logsumexp(batch[-1])
        assert isinstance(one, float), "logsumexp of a 1-D input must be a Python float"
        assert one == got[-1]
    worst.check(BOUND_LOGSUMEXP)


def test_logsumexp_hostile_inputs():
    """Logits +-1e4, +-1e300, 1e308, subnormals, tiny results (1e-40) and all-equal rows."""
    worst = Worst("logsumexp (hostile)")
    for x in HOSTILE_LOGITS:
        v, scale = ref_logsumexp(x)
        worst.add(lossref.logsumexp(x), v, lambda x=x: f"x = {_fmt(x)}", scale)
    worst.check(BOUND_LOGSUMEXP)


def test_log_softmax_random_inputs_relative():
    worst = Worst("log_softmax (random)")
    for batch in random_logit_batches().values():
        got = np.asarray(lossref.log_softmax(batch), dtype=float)
        assert got.shape == batch.shape
        for row, grow in zip(batch, got, strict=True):
            for i, (g, v) in enumerate(zip(grow, ref_log_softmax(row), strict=True)):
                worst.add(g, v, lambda row=row, i=i: f"x = {_fmt(row)}, entry {i}")
    worst.check(BOUND_LOG_SOFTMAX)


def test_log_softmax_hostile_inputs_relative():
    worst = Worst("log_softmax (hostile)")
    for x in HOSTILE_LOGITS:
        got = np.asarray(lossref.log_softmax(x), dtype=float)
        for i, (g, v) in enumerate(zip(got, ref_log_softmax(x), strict=True)):
            worst.add(g, v, lambda x=x, i=i: f"x = {_fmt(x)}, entry {i}")
    worst.check(BOUND_LOG_SOFTMAX)


# --------------------------------------------------------------------------- #
# softmax_cross_entropy
# --------------------------------------------------------------------------- #
def test_softmax_cross_entropy_random_inputs_relative():
    """Per-example losses, their sum and mean, in nats, bits and base 10."""
    worst = Worst("softmax_cross_entropy (random)")
    rng = np.random.default_rng(SEED + 1)
    for c, batch in random_logit_batches().items():
        labels = rng.integers(0, c, len(batch))
        vals = [-ref_log_softmax(row)[y] for row, y in zip(batch, labels, strict=True)]
        got = np.asarray(
            lossref.softmax_cross_entropy(batch, labels, reduction="none"), dtype=float
        )
        assert got.shape == (len(batch),)
        for row, y, g, v in zip(batch, labels, got, vals, strict=True):
            worst.add(g, v, lambda row=row, y=y: f"scores = {_fmt(row)}, label = {y}")
        with mp.workdps(DPS):
            total = mp.fsum(vals)
            for reduction, ref in (("sum", total), ("mean", total / len(batch))):
                g = lossref.softmax_cross_entropy(batch, labels, reduction=reduction)
                assert isinstance(g, float), f"reduction={reduction!r} must give a Python float"
                worst.add(g, ref, lambda c=c, r=reduction: f"C = {c}, reduction = {r}")
            for base in (2.0, 10.0):
                g = lossref.softmax_cross_entropy(batch, labels, base=base, reduction="none")
                lnb = mp.log(base)
                for row, y, gi, v in zip(batch, labels, g, vals, strict=True):
                    worst.add(
                        gi,
                        v / lnb,
                        lambda row=row, y=y, b=base: f"scores = {_fmt(row)}, label {y}, base {b}",
                    )
    worst.check(BOUND_SOFTMAX_CE)


def test_softmax_cross_entropy_hostile_inputs_relative():
    """One huge logit among 1000 (loss 3.7e-41), logits +-1e4 and +-1e300, all-equal logits."""
    worst = Worst("softmax_cross_entropy (hostile)")
    for x in HOSTILE_LOGITS:
        ref = ref_log_softmax(x)
        for y in _labels_for(x):
            v = -ref[y]
            g = lossref.softmax_cross_entropy(x, y)
            assert isinstance(g, float)
            worst.add(g, v, lambda x=x, y=y: f"scores = {_fmt(x)}, label = {y}")
            with mp.workdps(DPS):
                v2 = v / mp.log(2)
            g2 = lossref.softmax_cross_entropy(x, y, base=2)
            worst.add(g2, v2, lambda x=x, y=y: f"scores = {_fmt(x)}, label = {y}, base 2")
    worst.check(BOUND_SOFTMAX_CE)


def test_softmax_cross_entropy_of_a_confident_example_is_not_flushed_to_zero():
    """Scores 100 (correct class) and 0 (999 others): the loss is 3.7e-41, not 0 and not 1e-16."""
    scores = np.zeros(1000)
    scores[7] = 100.0
    got = lossref.softmax_cross_entropy(scores, 7)
    with mp.workdps(DPS):
        exact = float(mp.log1p(999 * mp.exp(-100)))
    assert got == pytest.approx(exact, rel=4 * 2.0**-52, abs=0)
    assert 3.7e-41 < got < 3.8e-41


# --------------------------------------------------------------------------- #
# cross_entropy / entropy / kl_divergence on probabilities
# --------------------------------------------------------------------------- #
def random_prob_batches(seed):
    """{(C, alpha): (N, C)} Dirichlet rows; entries floored at 1e-300 (no exact zeros)."""
    rng = np.random.default_rng(seed)
    out = {}
    for c in (2, 10, 100, 1000):
        for alpha in (0.05, 1.0, 50.0):
            n = 2 if c == 1000 else 6
            out[c, alpha] = np.maximum(rng.dirichlet(np.full(c, alpha), size=n), 1e-300)
    return out


HOSTILE_PROBS = [
    np.array(v, dtype=float)
    for v in (
        [1.0, 0.0],
        [0.0, 0.0, 1.0],
        [1.0 - 2.0**-53, 2.0**-53],
        [1.0 - 2.0**-30, 2.0**-30],
        [1.0, 1e-300],
        [1.0, 5e-324],
        [1.0, 1e-310, 1e-320],
        [0.5, 0.5],
        [0.25, 0.25, 0.5],
        [0.999, 0.001],
        [1e-300, 1.0 - 1e-17],
    )
]


def test_cross_entropy_random_inputs_relative():
    """One-hot and soft targets, nats and bits, C from 2 to 1000, probabilities down to 1e-300."""
    worst = Worst("cross_entropy (random)")
    rng = np.random.default_rng(SEED + 2)
    for (c, _), probs in random_prob_batches(SEED + 3).items():
        onehot = np.eye(c)[rng.integers(0, c, len(probs))]
        soft = rng.dirichlet(np.ones(c), size=len(probs))
        for targets in (onehot, soft):
            for base in (None, 2.0):
                kw = {} if base is None else {"base": base}
                got = lossref.cross_entropy(probs, targets, reduction="none", **kw)
                assert got.shape == (len(probs),)
                for p, t, g in zip(probs, targets, got, strict=True):
                    worst.add(
                        g,
                        ref_cross_entropy(p, t, base),
                        lambda p=p, t=t, b=base: (
                            f"probs = {_fmt(p)}, targets = {_fmt(t)}, base {b}"
                        ),
                    )
    worst.check(BOUND_CROSS_ENTROPY)


def test_cross_entropy_hostile_inputs_relative():
    """Probabilities 1, 1 - 2**-53, 1e-300, subnormals; exactly 0 where the true value is 0."""
    worst = Worst("cross_entropy (hostile)")
    for p in HOSTILE_PROBS:
        for k in np.flatnonzero(p):
            onehot = np.zeros_like(p)
            onehot[k] = 1.0
            for targets in (onehot, p):
                worst.add(
                    lossref.cross_entropy(p, targets),
                    ref_cross_entropy(p, targets),
                    lambda p=p, t=targets: f"probs = {_fmt(p)}, targets = {_fmt(t)}",
                )
    worst.check(BOUND_CROSS_ENTROPY)


def test_cross_entropy_of_a_certain_correct_prediction_is_exactly_zero():
    assert lossref.cross_entropy([0.0, 1.0, 0.0], [0.0, 1.0, 0.0]) == 0.0


def test_entropy_relative():
    """Random rows (nats and bits) and hostile ones (one-hot, 1 - 2**-53, subnormal entries)."""
    worst = Worst("entropy")
    for probs in random_prob_batches(SEED + 4).values():
        for base in (None, 2.0):
            kw = {} if base is None else {"base": base}
            got = lossref.entropy(probs, **kw)
            assert got.shape == (len(probs),)
            for p, g in zip(probs, got, strict=True):
                worst.add(g, ref_entropy(p, base), lambda p=p, b=base: f"p = {_fmt(p)}, base {b}")
    for p in HOSTILE_PROBS:
        worst.add(lossref.entropy(p), ref_entropy(p), lambda p=p: f"p = {_fmt(p)}")
    worst.check(BOUND_ENTROPY)


def test_entropy_of_a_one_hot_distribution_is_exactly_zero():
    assert lossref.entropy([0.0, 0.0, 1.0, 0.0]) == 0.0


def _tiny_kl_pairs():
    """(p, q) with q a relative perturbation of p of size 1e-3 ... 1e-15: KL from 1e-7 to 1e-31."""
    rng = np.random.default_rng(SEED + 5)
    pairs = [
        (np.array([0.5, 0.5]), np.array([0.5 + 1e-12, 0.5 - 1e-12])),
        (np.array([0.5, 0.25, 0.25]), np.array([0.5 + 2.0**-30, 0.25 - 2.0**-30, 0.25])),
        (np.array([1.0 - 2.0**-52, 2.0**-52]), np.array([1.0 - 2.0**-51, 2.0**-51])),
        (np.array([0.0, 0.5, 0.5]), np.array([1e-300, 0.5, 0.5])),
    ]
    for c in (2, 10, 100):
        for rel in (1e-3, 1e-6, 1e-9, 1e-12, 1e-15):
            p = rng.dirichlet(np.ones(c))
            q = p * (1 + rel * rng.standard_normal(c))
            pairs.append((p, q / q.sum()))
    return pairs


def test_kl_divergence_random_inputs_relative():
    """Random Dirichlet pairs, C from 2 to 1000 (nats and bits)."""
    worst = Worst("kl_divergence (random)")
    qs = random_prob_batches(SEED + 6)
    for key, ps in random_prob_batches(SEED + 7).items():
        for p, q in zip(ps, qs[key], strict=True):
            for base in (None, 2.0):
                kw = {} if base is None else {"base": base}
                worst.add(
                    lossref.kl_divergence(q, p, **kw),
                    ref_kl(p, q, base),
                    lambda p=p, q=q, b=base: f"p = {_fmt(p)}, q = {_fmt(q)}, base {b}",
                )
        got = lossref.kl_divergence(qs[key], ps)
        assert got.shape == (len(ps),)
        for p, q, g in zip(ps, qs[key], got, strict=True):
            worst.add(g, ref_kl(p, q), lambda p=p, q=q: f"batched: p = {_fmt(p)}, q = {_fmt(q)}")
    worst.check(BOUND_KL)


def test_kl_divergence_tiny_values_relative():
    """q ~= p: KL down to ~1e-31 keeps its relative accuracy (no cancellation to 0 or 1e-17)."""
    worst = Worst("kl_divergence (q ~= p)")
    for p, q in _tiny_kl_pairs():
        worst.add(
            lossref.kl_divergence(q, p),
            ref_kl(p, q),
            lambda p=p, q=q: f"p = {_fmt(p)}, q = {_fmt(q)}",
        )
    for p in HOSTILE_PROBS:
        for q in HOSTILE_PROBS:
            if p.shape == q.shape and np.all(q[p > 0] > 0):
                worst.add(
                    lossref.kl_divergence(q, p),
                    ref_kl(p, q),
                    lambda p=p, q=q: f"p = {_fmt(p)}, q = {_fmt(q)}",
                )
    worst.check(BOUND_KL)


def test_kl_divergence_differs_from_the_literal_sum_by_sum_q_minus_p():
    """|kl_divergence - sum p log(p/q)| <= |sum(q - p)| + 8 eps * KL (documented)."""
    pairs = _tiny_kl_pairs() + [
        (p, q)
        for (ps, qs) in zip(
            random_prob_batches(SEED + 8).values(),
            random_prob_batches(SEED + 9).values(),
            strict=True,
        )
        for p, q in zip(ps[:2], qs[:2], strict=True)
    ]
    for p, q in pairs:
        got = lossref.kl_divergence(q, p)
        with mp.workdps(2 * DPS):
            literal = ref_kl_literal(p, q)
            drift = abs(mp.fsum(b - a for a, b in zip(_mpf_list(p), _mpf_list(q), strict=True)))
            assert abs(got - literal) <= drift + 8 * EPS * abs(literal) + TINY, (
                f"p = {_fmt(p)}, q = {_fmt(q)}: got {got!r}, literal {mp.nstr(literal, 17)}"
            )


def test_kl_divergence_of_identical_distributions_is_exactly_zero():
    for p in HOSTILE_PROBS:
        assert lossref.kl_divergence(p, p) == 0.0, f"KL(p||p) != 0 for p = {_fmt(p)}"


# --------------------------------------------------------------------------- #
# binary cross-entropy
# --------------------------------------------------------------------------- #
def test_binary_cross_entropy_relative():
    """Probabilities 1e-300 .. 1 - 1e-16, subnormals, exactly 0 and 1; hard and soft targets."""
    worst = Worst("binary_cross_entropy")
    rng = np.random.default_rng(SEED + 10)
    n = 150
    probs = np.concatenate(
        [
            10.0 ** rng.uniform(-300, 0, n),
            1.0 - 10.0 ** rng.uniform(-16, 0, n),
            rng.uniform(0, 1, n),
            [1e-310, 5e-324, 2.0**-53, 1.0 - 2.0**-53, 0.5, 1e-17, 1.0 - 1e-10],
        ]
    )
    m = len(probs)
    for targets in (
        rng.integers(0, 2, m).astype(float),
        1.0 - rng.integers(0, 2, m).astype(float),
        rng.uniform(0, 1, m),
    ):
        got = lossref.binary_cross_entropy(probs, targets, reduction="none")
        assert got.shape == (m,)
        for p, t, g in zip(probs, targets, got, strict=True):
            worst.add(g, ref_bce(p, t), lambda p=p, t=t: f"p = {p!r}, t = {t!r}")
    for p, t in ((1.0, 1.0), (0.0, 0.0), (0.0, 0.0), (1.0, 1.0)):
        worst.add(
            lossref.binary_cross_entropy(p, t), ref_bce(p, t), lambda p=p, t=t: f"p = {p}, t = {t}"
        )
    worst.check(BOUND_BCE)


def test_sigmoid_binary_cross_entropy_relative():
    """Logits at every scale plus +-1e4, +-100, +-745, +-1e300; 0/1 and soft targets."""
    worst = Worst("sigmoid_binary_cross_entropy")
    rng = np.random.default_rng(SEED + 11)
    logits = np.concatenate(
        [rng.normal(0, s, 40) for s in SCALES]
        + [[1e4, -1e4, 100.0, -100.0, 745.0, -745.0, 36.0, -36.0, 1e300, -1e300, 0.0, 5e-324]]
    )
    m = len(logits)
    for targets in (np.zeros(m), np.ones(m), rng.uniform(0, 1, m)):
        got = lossref.sigmoid_binary_cross_entropy(logits, targets, reduction="none")
        assert got.shape == (m,)
        for x, t, g in zip(logits, targets, got, strict=True):
            worst.add(g, ref_sigmoid_bce(x, t), lambda x=x, t=t: f"logit = {x!r}, target = {t!r}")
    worst.check(BOUND_SIGMOID_BCE)
