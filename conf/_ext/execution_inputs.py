"""Keep executed notebook outputs in step with the code they call.

jupyter-cache keys a notebook on its own code cells only, so editing ``lossref`` would otherwise
leave every page showing outputs computed by the old code. Two things fix that:

* the cache lives in a folder named after a hash of every file that can change an output
  (``lossref``, the kernel and its plot settings), so a change there is a cache miss;
* each page with code cells records those files as Sphinx dependencies, so Sphinx re-reads
  (and so re-executes) the page when one of them changes.

The cache sits beside the output folder (``_build/.jupyter_cache`` for ``_build/html``), so
builds into different folders never share, or prune, each other's cache.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment

ROOT = Path(__file__).resolve().parents[2]
INPUT_GLOBS = (
    "lossref/**/*.py",
    "conf/matplotlibrc",
    "conf/ipython/**/*.py",
    "conf/jupyter/kernels/**/*",
)


def execution_inputs() -> list[Path]:
    files = {path for pattern in INPUT_GLOBS for path in ROOT.glob(pattern)}
    return sorted(path for path in files if path.is_file() and "__pycache__" not in path.parts)


def inputs_digest() -> str:
    digest = hashlib.sha256()
    for path in execution_inputs():
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def prepare_cache(base: Path) -> Path:
    """Return the cache folder for the current inputs, created, with stale siblings removed."""
    cache_dir = base / inputs_digest()
    if base.is_dir():
        for stale in base.iterdir():
            if stale != cache_dir:
                shutil.rmtree(stale, ignore_errors=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    return cache_dir


def _note_execution_inputs(app: Sphinx, docname: str, source: list[str]) -> None:
    if "{code-cell}" in source[0]:
        for path in execution_inputs():
            app.env.note_dependency(str(path))


def _use_cache_for_inputs(app: Sphinx, config: Config) -> None:
    config.nb_execution_cache_path = str(prepare_cache(Path(app.outdir).parent / ".jupyter_cache"))


def _create_cache_database(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    # Once, before Sphinx forks its parallel readers: several processes creating the same
    # fresh SQLite file race. Only a build that reads pages needs jupyter-cache (0.5 s to import).
    if docnames:
        from jupyter_cache import get_cache

        _ = get_cache(app.config.nb_execution_cache_path).db


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _use_cache_for_inputs)
    app.connect("env-before-read-docs", _create_cache_database)
    app.connect("source-read", _note_execution_inputs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
