"""Time lossref's main losses against PyTorch (float64, CPU) on one (4096, 1000) batch.

Prints a table (function, lossref ms, torch ms, ratio) and the peak extra memory
of each lossref call (tracemalloc).  Asserts nothing.  Times are the best of
several runs (timeit).  Without PyTorch only lossref is timed.

    python benchmarks/bench_losses.py [--repeat R]

Both libraries run with their default number of threads and, in the "1thr"
columns, with one thread.  lossref splits large batches into blocks of rows
processed by os.cpu_count() threads (lossref._blocks.THREADS, private, sets the
number; the results do not depend on it).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import timeit
import tracemalloc

import numpy as np

import lossref
import lossref._blocks as lossref_blocks

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # the bench is still useful without torch
    torch = None

N, C = 4096, 1000
SEED = 12345


def best_ms(fn, repeat: int) -> float:
    """Best wall time of one call of ``fn`` over ``repeat`` runs, in milliseconds."""
    fn()  # warm up (first-call allocations, lazy imports)
    return 1e3 * min(timeit.Timer(fn).repeat(repeat=repeat, number=1))


def peak_extra_mib(fn) -> float:
    """Peak memory allocated during ``fn()`` beyond what was live before, in MiB."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs per timing (best is kept)")
    args = parser.parse_args()

    rng = np.random.default_rng(SEED)
    scores = rng.normal(0.0, 3.0, (N, C))
    labels = rng.integers(0, C, N)
    batch_mib = scores.nbytes / 2**20

    rows = [
        ("softmax_cross_entropy", lambda: lossref.softmax_cross_entropy(scores, labels)),
        ("softmax_cross_entropy_grad", lambda: lossref.softmax_cross_entropy_grad(scores, labels)),
        ("multiclass_hinge", lambda: lossref.multiclass_hinge(scores, labels)),
        ("multiclass_hinge_grad", lambda: lossref.multiclass_hinge_grad(scores, labels)),
    ]

    torch_rows: dict[str, tuple[str, object]] = {}
    if torch is not None:
        s_t = torch.from_numpy(scores)  # float64, shares memory
        y_t = torch.from_numpy(labels)
        onehot = F.one_hot(y_t, C).to(torch.float64)

        def ce_autograd():
            x = s_t.detach().requires_grad_()
            F.cross_entropy(x, y_t).backward()
            return x.grad

        def hinge_autograd():
            x = s_t.detach().requires_grad_()
            (C * F.multi_margin_loss(x, y_t)).backward()
            return x.grad

        torch_rows = {
            "softmax_cross_entropy": ("F.cross_entropy", lambda: F.cross_entropy(s_t, y_t)),
            "softmax_cross_entropy_grad": (
                "autograd fwd+bwd of F.cross_entropy",
                ce_autograd,
            ),
            "multiclass_hinge": (
                "C * F.multi_margin_loss",
                lambda: C * F.multi_margin_loss(s_t, y_t),
            ),
            "multiclass_hinge_grad": ("autograd fwd+bwd of C * multi_margin", hinge_autograd),
        }
        extra = (
            "softmax_cross_entropy_grad",
            "(softmax - onehot) / N, closed form",
            lambda: (torch.softmax(s_t, dim=1) - onehot) / N,
        )

    print(f"lossref benchmark: batch ({N}, {C}) float64 = {batch_mib:.1f} MiB, seed {SEED}")
    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{os.cpu_count()} CPUs, best of {args.repeat}"
    )
    if torch is None:
        print("PyTorch is not installed: timing lossref only.")
    else:
        print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads by default")
    print(f"lossref: {lossref_blocks._max_workers()} threads by default for large batches")
    print()

    header = f"{'function':<28} {'lossref ms':>10} {'1thr':>6} {'peak MiB':>9}"
    if torch is not None:
        header += f" {'torch ms':>9} {'ratio':>6} {'torch 1thr':>10} {'ratio':>6}  torch call"
    print(header)
    print("-" * len(header))

    def torch_times(fn):
        default_threads = torch.get_num_threads()
        t_default = best_ms(fn, args.repeat)
        torch.set_num_threads(1)
        try:
            t_one = best_ms(fn, args.repeat)
        finally:
            torch.set_num_threads(default_threads)
        return t_default, t_one

    def lossref_one_thread(fn):
        saved = lossref_blocks.THREADS
        lossref_blocks.THREADS = 1
        try:
            return best_ms(fn, args.repeat)
        finally:
            lossref_blocks.THREADS = saved

    for name, fn in rows:
        ours = best_ms(fn, args.repeat)
        ours_one = lossref_one_thread(fn)
        mem = peak_extra_mib(fn)
        line = f"{name:<28} {ours:>10.2f} {ours_one:>6.2f} {mem:>9.1f}"
        if torch is not None:
            label, tfn = torch_rows[name]
            t_default, t_one = torch_times(tfn)
            line += (
                f" {t_default:>9.2f} {ours / t_default:>6.2f} {t_one:>10.2f}"
                f" {ours_one / t_one:>6.2f}  {label}"
            )
        print(line)
        if torch is not None and name == extra[0]:
            t_default, t_one = torch_times(extra[2])
            print(
                f"{'':<28} {'':>10} {'':>6} {'':>9} {t_default:>9.2f} {ours / t_default:>6.2f}"
                f" {t_one:>10.2f} {ours_one / t_one:>6.2f}  {extra[1]}"
            )
    print()
    work = np.empty_like(scores)
    exp_ms = best_ms(lambda: np.exp(scores, out=work), args.repeat)
    print(f"for reference: np.exp over the whole batch alone takes {exp_ms:.2f} ms (one thread);")
    print("every softmax cross-entropy must exponentiate each of the N*C scores once.")
    print("ratio = lossref time / torch time with default threads, then both with one thread")
    print("(above 1: lossref is slower).")
    print("peak MiB = peak memory allocated during one lossref call (tracemalloc), in MiB;")
    print(f"the input batch itself is {batch_mib:.1f} MiB.")


if __name__ == "__main__":
    main()
