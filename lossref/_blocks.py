"""Row blocks for the row-wise kernels, processed by a few threads (private).

Why blocks: the temporaries of a block of rows stay in cache and are reused,
instead of streaming full-size temporaries through memory.

Why threads: the cost of a softmax is dominated by ``np.exp`` (scalar for
float64 on many CPUs), and NumPy's ufuncs release the GIL, so independent row
blocks run in parallel on several cores.  Only large inputs use the pool, so
small calls pay nothing, and the pool is created on first use, never at import.

Why the results do not depend on the threads: the block boundaries depend only
on the number of columns, every row is computed inside exactly one block with
the same operations, and blocks write to disjoint rows.  Threads only decide
*who* computes a block, never *how*, so the results are bit-identical for any
number of threads (``THREADS``) and any scheduling.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

__all__ = ["block_rows", "for_row_blocks"]

# Rows are processed in blocks of about this many entries, so that a block's
# temporaries stay in cache (1 << 15 measured no faster).
BLOCK_ENTRIES = 1 << 16

# Below this many entries one thread does all the work: the hand-off to the
# pool (tens of microseconds) would cost more than it saves.
PARALLEL_MIN_ENTRIES = 1 << 18

# Number of threads for large inputs; None means os.cpu_count().  Private
# (the benchmark sets it to compare with one thread); results do not depend on it.
THREADS: int | None = None

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _max_workers() -> int:
    return max(1, THREADS or os.cpu_count() or 1)


def _get_pool(helpers: int) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=helpers, thread_name_prefix="lossref")
        return _pool


def block_rows(n_cols: int) -> int:
    """Number of rows per block for rows of ``n_cols`` entries."""
    return max(1, BLOCK_ENTRIES // max(1, n_cols))


def for_row_blocks(n_rows: int, n_cols: int, make_worker: Callable[[], Callable]) -> None:
    """Call ``work(start, stop)`` once for every block of rows of an (n_rows, n_cols) array.

    ``make_worker()`` is called once per participating thread and returns its
    ``work`` function, so that each thread can own its scratch buffers.  The
    calling thread takes part, the others come from a shared pool; blocks are
    handed out one at a time (load balancing on a busy machine).  Each thread
    runs in a copy of the caller's context, so ``np.errstate`` and the like
    apply as if the caller had done all the work.  Exceptions are re-raised in
    the caller after every thread has stopped.
    """
    step = block_rows(n_cols)
    starts = range(0, n_rows, step)
    n_threads = min(_max_workers(), len(starts))
    if n_threads < 2 or n_rows * n_cols < PARALLEL_MIN_ENTRIES:
        work = make_worker()
        for start in starts:
            work(start, min(start + step, n_rows))
        return

    pending = iter(starts)
    lock = threading.Lock()

    def run() -> None:
        work = make_worker()
        while True:
            with lock:
                start = next(pending, None)
            if start is None:
                return
            work(start, min(start + step, n_rows))

    pool = _get_pool(_max_workers() - 1)
    futures = [pool.submit(contextvars.copy_context().run, run) for _ in range(n_threads - 1)]
    try:
        run()
    finally:
        # Every block is taken once run() returns: a helper that has not started
        # (pool busy with another caller, or a forked child without the pool's
        # threads) is not waited for.  The others are, before returning.
        errors = [f.exception() for f in futures if not f.cancel()]
    for error in errors:
        if error is not None:
            raise error
