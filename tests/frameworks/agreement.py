"""What "agrees" means in the framework comparisons: float64 on both sides, moderate inputs,
so equality to 1e-12 relative (1e-15 absolute near zero)."""

import numpy as np

RTOL = 1e-12
ATOL = 1e-15


def close(a, b, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol, atol)


def as_tensor(torch, a, grad=False):
    """``a`` as a float64 tensor (one that records its gradient with ``grad``)."""
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def as_numpy(x):
    """A tensor's values: a float for a scalar, else an array."""
    x = x.detach().numpy()
    return float(x) if x.ndim == 0 else x
