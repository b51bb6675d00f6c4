import os
import zlib

import numpy as np
import pytest
from hypothesis import settings

# The book's checks (page doctests, lossref docstring doctests, the worked-number audit).
pytest_plugins = ["tests.bookcheck.plugin"]

# CI runs the same examples every time, so a red run is reproducible; locally hypothesis explores.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _reseed_module_rng(request):
    """Give each test its own seeded ``RNG`` (the test modules' shared generator).

    A module-level generator hands each test whatever the tests before it left, and under
    pytest-xdist that depends on how the tests were split among workers: a test that passed
    alone could fail in the full run. Seeding from the test's id makes its data the same
    every time, however the run is scheduled.
    """
    module = request.module
    if module is not None and isinstance(getattr(module, "RNG", None), np.random.Generator):
        module.RNG = np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))
