"""What "agrees" means in the framework comparisons: float64 on both sides, moderate inputs,
so equality to 1e-12 relative (1e-15 absolute near zero)."""

import numpy as np

RTOL = 1e-12
ATOL = 1e-15


def close(a, b, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol, atol)
