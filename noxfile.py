"""Sessions for building and checking the Loss Functions book.

python3 -m nox -s docs        # build the HTML book into _build/html
python3 -m nox -s tests       # everything: unit, properties, doctests, audit, browser
python3 -m nox -s doctest     # page and docstring doctests plus the worked-number audit
python3 -m nox -s serve       # live preview on http://127.0.0.1:8000
python3 -m nox -s lint        # ruff
python3 -m nox -s bench       # timings and sizes, printed
python3 -m nox -s frameworks  # lossref against PyTorch, jax/optax, Keras, scikit-learn and SciPy
python3 -m nox -s pdf         # the whole book as _build/pdf/loss-functions.pdf
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

# uv installs a session's packages in seconds where pip takes a minute and a half; without uv
# (plain `pip install nox`), sessions fall back to the standard library's venv and pip.
nox.options.default_venv_backend = "uv|venv"
# uv installs modules without their bytecode, which pip compiles as it installs. Where Python
# does not write bytecode either (PYTHONDONTWRITEBYTECODE, set on the project's machines),
# every process then compiled every module it imported, every time: a no-op rebuild took 8.0 s
# instead of 3.4 s, and each notebook kernel paid it again.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
nox.options.reuse_venv = "yes"
nox.options.sessions = ["docs", "tests"]

ROOT = Path(__file__).resolve().parent
BUILD = ROOT / "_build"
HTML = BUILD / "html"
PYTHON = "3"  # any Python 3.11+ found on PATH as python3
# The one torch that installs in seconds here: a CPU build kept on this machine's disk.
TORCH = "torch==2.13.0"
SPHINX_STRICT = ["-W", "--keep-going", "-n"]


def build_html(session: nox.Session, *extra: str) -> None:
    session.run(
        "sphinx-build", "-c", "conf", "book", str(HTML), *SPHINX_STRICT, "-j", "auto", *extra
    )


# Debian's packages the tests drive: the browser (browser test, PDF) and pdftotext (PDF test).
DEBIAN_TOOLS = {"chromium": "chromium", "pdftotext": "poppler-utils"}


def ensure_debian_tools(session: nox.Session) -> None:
    """Install the Debian packages the tests need when they are missing and we may."""
    missing = [package for command, package in DEBIAN_TOOLS.items() if not shutil.which(command)]
    if not missing:
        return
    if sys.platform == "linux" and hasattr(os, "geteuid") and os.geteuid() == 0:
        session.run("apt-get", "update", "-qq", external=True)
        session.run(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            *missing,
            external=True,
            env={"DEBIAN_FRONTEND": "noninteractive"},
        )
    else:
        packages = " ".join(missing)
        session.error(f"The tests need Debian's {packages}: run `sudo apt-get install {packages}`.")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the book into _build/html, executing pages whose code or lossref changed."""
    session.install("-e", ".[docs]")
    build_html(session, *session.posargs)
    session.log(f"The book is in {HTML / 'index.html'}")


@nox.session(python=PYTHON)
def doctest(session: nox.Session) -> None:
    """Run every doctest in book/**/*.md and lossref's docstrings, and the number audit."""
    session.install("-e", ".[test]")
    session.run("pytest", *(session.posargs or ["book", "lossref", "README.md"]))


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Everything but the framework comparisons: build the PDF and the site, then unit,
    property, doctest, audit, notebook, PDF and browser tests."""
    ensure_debian_tools(session)
    session.install("-e", ".[test]")
    session.run("python", "conf/_ext/pdf_edition.py")
    build_html(session)
    # --durations: the slowest tests are where the next speed-up is.
    session.run(
        "pytest",
        "--numprocesses=auto",
        "--durations=12",
        "--ignore=tests/frameworks",
        *session.posargs,
    )


def install_with_torch(session: nox.Session, *packages: str) -> None:
    """Install torch and ``packages``. uv does not read pip's configuration, which on this
    project's machines points at a folder of local wheels holding torch's CPU build: uv is
    given the same folder, or it would download the CUDA build, as pip would without it."""
    env = {}
    if session.venv_backend == "uv":
        folders = os.environ.get("PIP_FIND_LINKS") or subprocess.run(
            [sys.executable, "-m", "pip", "config", "get", "global.find-links"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
        env = {"UV_FIND_LINKS": ",".join(folders.split())} if folders else {}
    session.install(TORCH, *packages, env=env)


@nox.session(python=PYTHON)
def frameworks(session: nox.Session) -> None:
    """Check lossref against PyTorch, jax/optax, Keras 3, scikit-learn and SciPy."""
    install_with_torch(session, "-e", ".[frameworks]")
    # The book checks in the root conftest need the docs stack; this session does not.
    session.run(
        "pytest",
        "--confcutdir=tests/frameworks",
        "tests/frameworks",
        *session.posargs,
        env={"LOSSREF_FRAMEWORKS": "1", "KERAS_BACKEND": "jax"},
    )


@nox.session(python=PYTHON)
def serve(session: nox.Session) -> None:
    """Live preview on 127.0.0.1, rebuilt on edits to book/, conf/ and lossref/."""
    session.install("-e", ".[docs]", "sphinx-autobuild")
    session.run(
        "sphinx-autobuild",
        "-c",
        "conf",
        "book",
        str(HTML),
        "-n",
        "--keep-going",
        "--host",
        "127.0.0.1",
        "--port",
        "8000",
        "--watch",
        "conf",
        "--watch",
        "lossref",
        *session.posargs,
    )


@nox.session(python=PYTHON)
def pdf(session: nox.Session) -> None:
    """Print the whole book to _build/pdf/loss-functions.pdf with Chromium, then rebuild the
    HTML so the site links the PDF."""
    ensure_debian_tools(session)
    session.install("-e", ".[test]")
    session.run("python", "conf/_ext/pdf_edition.py")
    build_html(session)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff, and the CI and publishing files checked against their schemas."""
    session.install("ruff", "check-jsonschema")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    workflows = sorted(str(path) for path in (ROOT / ".github" / "workflows").glob("*.yml"))
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    session.run("check-jsonschema", "--builtin-schema", "vendor.readthedocs", ".readthedocs.yaml")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Print build times, site sizes and lossref's speed against PyTorch (asserts nothing)."""
    ensure_debian_tools(session)
    install_with_torch(session, "-e", ".[test]")
    session.run("python", "benchmarks/bench_losses.py")
    session.run("python", "benchmarks/bench_build.py")
