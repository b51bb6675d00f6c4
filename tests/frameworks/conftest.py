"""Guard for the ``frameworks`` nox session.

The framework-comparison modules skip themselves (``pytest.importorskip``) when
PyTorch, SciPy or scikit-learn is missing, so the default test session, which
does not install them, still passes.  The ``frameworks`` session sets
``LOSSREF_FRAMEWORKS=1``; then a missing library is an error, never a silent
skip.
"""

import importlib
import os

import pytest

REQUIRED = ("torch", "scipy", "sklearn")

if os.environ.get("LOSSREF_FRAMEWORKS") == "1":
    _missing = []
    for _name in REQUIRED:
        try:
            importlib.import_module(_name)
        except Exception as exc:  # any import failure must stop the session
            _missing.append(f"{_name}: {exc!r}")
    if _missing:
        raise pytest.UsageError(
            "LOSSREF_FRAMEWORKS=1 but the framework comparison needs libraries that cannot be "
            "imported: " + "; ".join(_missing)
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under LOSSREF_FRAMEWORKS=1 a skipped framework test counts as a failure."""
    outcome = yield
    report = outcome.get_result()
    if (
        os.environ.get("LOSSREF_FRAMEWORKS") == "1"
        and report.skipped
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        report.longrepr = f"skipped under LOSSREF_FRAMEWORKS=1: {report.longrepr}"


# The libraries, for the tests that compare with them; each skips where its library is missing
# (an error in the frameworks session, above).
@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.fixture
def jax64():
    """jax computing in float64, as every comparison here does (Keras on jax included)."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax


@pytest.fixture
def keras(jax64):
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "jax":
        pytest.skip(f"Keras runs on the {keras.backend.backend()} backend, not jax")
    return keras
