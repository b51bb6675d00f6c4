"""Each chapter's notebook download runs top to bottom with nothing but NumPy and lossref.

Needs ``_build/html`` (``nox -s docs``); conf/_ext/notebook_downloads.py writes the notebooks.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
import pytest

from tests.bookcheck.audit import REFERENCE_PAGES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conf" / "_ext"))
from kernel_sockets import SocketFileKernelManager  # pytest's workers start kernels side by side

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
BOOK = ROOT / "book"
ALLOWED_IMPORTS = {"numpy", "lossref"} | set(sys.stdlib_module_names)


def chapters_with_code() -> list[str]:
    return sorted(
        path.stem
        for path in BOOK.glob("*.md")
        if not path.stem.startswith("_")
        and path.stem not in REFERENCE_PAGES
        and "```{code-cell}" in path.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("stem", chapters_with_code())
def test_the_notebook_is_linked_and_runs_with_only_lossref(stem):
    from nbclient import NotebookClient

    notebook_path = SITE / "_sources" / f"{stem}.ipynb"
    if not notebook_path.is_file():
        pytest.fail(f"{notebook_path} was not built: run `nox -s docs` first")
    assert f"_sources/{stem}.ipynb" in (SITE / f"{stem}.html").read_text(encoding="utf-8")
    notebook = nbformat.read(notebook_path, as_version=4)
    nbformat.validate(notebook)  # the build writes the cells without nbformat's checks
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert code, "a chapter's notebook has code"
    for source in code:
        assert ">>>" not in source, "doctest prompts stay out of the notebook's code"
        for node in ast.walk(ast.parse(source)):
            names = [alias.name for alias in getattr(node, "names", [])]
            module = getattr(node, "module", None)
            if isinstance(node, ast.ImportFrom) and module:
                names = [module]
            if isinstance(node, ast.Import | ast.ImportFrom):
                assert {name.split(".")[0] for name in names} <= ALLOWED_IMPORTS, source
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", kernel_manager_class=SocketFileKernelManager
    ).execute(cwd=str(notebook_path.parent))
