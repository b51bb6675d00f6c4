"""Run a page's doctests in its notebook, so code cells and doctests share one namespace.

A page's worked examples are doctests (```` ```pycon ```` blocks): what a reader pastes into
Python. myst-nb shows them as code but executes only ``{code-cell}`` cells, so a hidden cell that
draws a figure or a table from the doctests' data would find none of it. After reading a page as
a notebook, this extension appends to each Markdown cell that holds doctests one hidden code cell
that runs them with Python's own ``doctest`` in the kernel's namespace. A doctest whose output
differs from what the page shows fails its cell, and so the build.

myst-nb offers no hook between reading a text notebook and executing it (a custom format for
``.md`` would also turn the plain pages into notebooks), so the reader is wrapped here.
"""

from __future__ import annotations

import copy
import functools

import nbformat
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from myst_nb.core import read
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser
from sphinx.application import Sphinx

HIDDEN = {"tags": ["remove-cell"], "doctest_cells": True}
RUNNER = """\
import doctest as _doctest
_test = _doctest.DocTestParser().get_doctest({source!r}, {{}}, {name!r}, {name!r}, {line})
_test.globs = globals()  # a DocTest copies the globals it is given; the notebook shares one
_runner, _report = _doctest.DocTestRunner(), []
_runner.run(_test, out=_report.append, clear_globs=False)
assert not _runner.failures, "".join(_report)
del _doctest, _test, _runner, _report
"""


@functools.cache
def _parser(extensions: frozenset[str]) -> MarkdownIt:
    return create_md_parser(MdParserConfig(enable_extensions=set(extensions)), RendererHTML)


def doctest_blocks(
    markdown: str, extensions: frozenset[str], *, top_level_only: bool = False
) -> list[tuple[str, int, int]]:
    """The ``>>>`` fences in a Markdown text, with nested directives' unless
    ``top_level_only``: each one's code, and the 0-based lines its body starts on and its
    fence ends before."""
    return [
        (code, body, end)
        for code, body, end, nested in _doctest_fences(markdown, extensions)
        if not (nested and top_level_only)
    ]


# A page's Markdown is searched when it is read and again when its download is made.
@functools.lru_cache(maxsize=256)
def _doctest_fences(markdown: str, extensions: frozenset[str]) -> tuple:
    found = []

    def walk(text: str, offset: int, nested: bool) -> None:
        for token in _parser(extensions).parse(text):
            if token.type not in {"fence", "colon_fence"} or not token.map:
                continue
            body = offset + token.map[0] + 1
            if token.info.startswith("{"):  # a directive: its body may hold doctests
                walk(token.content, body, True)
            elif token.content.lstrip().startswith(">>>"):
                found.append((token.content, body, offset + token.map[1], nested))

    walk(markdown, 0, False)
    return tuple(found)


def with_doctest_cells(notebook, extensions: frozenset[str], path: str):
    """A copy of ``notebook`` with a hidden doctest cell after each Markdown cell that has
    doctests; the source map (page lines of each cell) stays aligned."""
    cells, lines = [], []
    source_map = notebook.metadata.get("source_map") or [0] * len(notebook.cells)
    for cell, first_line in zip(notebook.cells, source_map, strict=True):
        cells.append(cell)
        lines.append(first_line)
        if cell.cell_type != "markdown":
            continue
        for source, body, _ in doctest_blocks(cell.source, extensions):
            line = first_line + body  # 0-based page line of the doctest's first line
            code = RUNNER.format(source=source, name=f"{path}:{line + 1}", line=line)
            cells.append(nbformat.v4.new_code_cell(code, metadata=dict(HIDDEN)))
            lines.append(line)
    notebook.cells = cells
    if "source_map" in notebook.metadata:
        notebook.metadata["source_map"] = lines
    return notebook


def _wrap_reader(app: Sphinx, config) -> None:
    extensions = frozenset(config.myst_enable_extensions)
    original = read.read_myst_markdown_notebook
    if getattr(original, "doctest_cells", False):
        return
    # The page this process read last, as read: making its download reads it again.
    last_read: dict[tuple, nbformat.NotebookNode] = {}

    @functools.wraps(original)
    def reader(text, config=None, add_source_map=False, path=None):
        key = (text, str(path), add_source_map, extensions)
        if key not in last_read:
            notebook = original(text, config=config, add_source_map=add_source_map, path=path)
            last_read.clear()
            last_read[key] = with_doctest_cells(notebook, extensions, str(path or "<page>"))
        return copy.deepcopy(last_read[key])  # myst-nb changes the notebook it is given

    reader.doctest_cells = True
    read.read_myst_markdown_notebook = reader


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _wrap_reader)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
