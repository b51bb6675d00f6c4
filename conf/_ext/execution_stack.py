"""Import the notebook execution stack only in a build that reads a page.

myst-nb imports its execution clients when Sphinx loads it, and with them jupyter-cache,
SQLAlchemy, nbclient and jupyter-client: 0.6-0.9 s of a no-op rebuild's 3.2 s, in a build
that executes nothing. So this extension, loaded before myst-nb, puts a stand-in for
``myst_nb.core.execute`` in ``sys.modules``: the real module object, its body not yet run, with
the names myst-nb's other modules import from it at start-up. The body runs, and the stack is
configured, when the build is about to read pages: before Sphinx forks its parallel readers, so
they inherit it. Should a reader ask first (a build that reads without Sphinx's usual event),
``create_client`` loads it then.

If myst-nb's layout is not the one described here, nothing is deferred and the build imports
as before; tests/test_build_pipeline.py notices that the no-op imports too much.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

DEFERRED = "myst_nb.core.execute"
# What myst-nb's modules import from it as they load; all of them live in its ``base`` module.
BASE_NAMES = ("ExecutionError", "ExecutionResult", "NotebookClientBase")

_pending: ModuleType | None = None  # the stand-in, until its body has run
_loaded = False


def _defer() -> ModuleType | None:
    if DEFERRED in sys.modules:
        return None
    spec = importlib.util.find_spec(DEFERRED)
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[DEFERRED] = module
    try:
        base = importlib.import_module(f"{DEFERRED}.base")
        stand_ins = {name: getattr(base, name) for name in BASE_NAMES}
    except (ImportError, AttributeError):
        del sys.modules[DEFERRED]
        return None
    vars(module).update(stand_ins)

    def create_client(*args, **kwargs):
        load_execution_stack()
        return module.create_client(*args, **kwargs)

    module.create_client = create_client
    return module


def load_execution_stack() -> None:
    """Run the deferred module's body, then set up the clients it makes (once)."""
    global _pending, _loaded
    if _loaded:
        return
    if _pending is not None:
        _pending.__spec__.loader.exec_module(_pending)
        _pending = None

    import kernel_sockets
    import nbclient

    # A page's kernel is stopped at once after its last cell, whose outputs are in by then:
    # waiting for a clean exit cost each executed page about 0.4 s. myst-nb passes the client
    # no options, so the class's defaults are where a build can choose.
    nbclient.NotebookClient.shutdown_kernel.default_value = "immediate"
    kernel_sockets.use_socket_kernels()
    _loaded = True


def _load_before_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if docnames:
        load_execution_stack()


def setup(app: Sphinx) -> dict[str, object]:
    global _pending
    _pending = _defer()
    app.connect("env-before-read-docs", _load_before_reading)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
