"""Offer each chapter as a Jupyter notebook a reader can download and run.

The executed page comes from the execution cache (jupyter-cache; myst-nb's own copy in
``jupyter_execute/`` has no outputs when the cache answered). That notebook holds what only the
build needs: the hidden cells that run the doctests
(conf/_ext/doctest_cells.py) and the cells that check the page's numbers. The download is made
from it for a reader instead:

* each top-level ``>>>`` block becomes a code cell without prompts (a block that shows an error
  catches it and prints it, so the notebook runs top to bottom);
* cells removed from the rendered page are dropped;
* a cell whose code the page hides (a table, a figure) becomes its output: a Markdown table or
  an image attached to a Markdown cell, so the notebook needs nothing beyond ``lossref``;
* cells whose code the page shows stay code.

The notebook is written to ``_sources/<page>.ipynb`` as the page is read (pages are read side by
side, written one after another), and the theme's download menu links it.
"""

from __future__ import annotations

import base64
import doctest
import json
import textwrap
from pathlib import Path

import nbformat
from doctest_cells import doctest_blocks
from docutils import nodes
from sphinx.application import Sphinx

PREAMBLE = (
    "This notebook is a page of *Loss Functions*, an executable textbook. It needs NumPy and "
    "`lossref` (`pip install lossref`, or the book's checkout on `sys.path`). Run it top to "
    "bottom. MyST markup such as `{{eq}}` and `{{cite}}` shows as written; the book's site, "
    "{title}, renders it."
)


# nbformat's new_*_cell() check each cell against the notebook schema, which cost the build a
# second; the tests check each download whole (tests/test_notebooks.py).
def _markdown_cell(source: str) -> nbformat.NotebookNode:
    return nbformat.from_dict({"cell_type": "markdown", "metadata": {}, "source": source})


def _code_cell(source: str) -> nbformat.NotebookNode:
    return nbformat.from_dict(
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": source,
        }
    )


def _code_from_doctest(block: str) -> str:
    """The code of a doctest block, run as a notebook runs it."""
    lines = []
    for example in doctest.DocTestParser().get_examples(block):
        source = example.source.rstrip("\n")
        if example.exc_msg is not None:
            error = example.exc_msg.split(":")[0].strip() or "Exception"
            source = f"try:\n{textwrap.indent(source, '    ')}\nexcept {error} as error:\n"
            source += "    print(f'{type(error).__name__}: {error}')"
        lines.append(source)
    return "\n".join(lines)


def _split_markdown(source: str, extensions: frozenset[str]) -> list:
    """A Markdown cell, with each of its top-level doctest blocks turned into a code cell."""
    lines = source.split("\n")
    cells, start = [], 0
    for block, body, end in doctest_blocks(source, extensions, top_level_only=True):
        before = "\n".join(lines[start : body - 1]).strip()
        if before:
            cells.append(_markdown_cell(before))
        cells.append(_code_cell(_code_from_doctest(block)))
        start = end
    rest = "\n".join(lines[start:]).strip()
    if rest:
        cells.append(_markdown_cell(rest))
    return cells


def _outputs_as_markdown(cell, name: str) -> list:
    cells = []
    for index, output in enumerate(cell.get("outputs", [])):
        data = output.get("data", {})
        if "text/markdown" in data:
            cells.append(_markdown_cell(data["text/markdown"]))
            continue
        for mime, suffix in (("image/svg+xml", "svg"), ("image/png", "png")):
            if mime in data:
                attachment = f"{name}-{index}.{suffix}"
                markdown = _markdown_cell(f"![figure](attachment:{attachment})")
                content = data[mime]
                if mime == "image/svg+xml" and not isinstance(content, str):
                    content = "".join(content)
                if mime == "image/svg+xml":  # attachments are base64, like PNG data
                    content = base64.b64encode(content.encode()).decode()
                markdown["attachments"] = {attachment: {mime: content}}
                cells.append(markdown)
                break
    return cells


def reader_notebook(executed, extensions: frozenset[str], title: str):
    """The notebook a reader downloads, made from the build's executed notebook."""
    cells = [_markdown_cell(PREAMBLE.format(title=title))]
    for number, cell in enumerate(executed.cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown":
            cells += _split_markdown(cell.source, extensions)
        elif (
            cell.cell_type != "code" or cell.metadata.get("doctest_cells") or "remove-cell" in tags
        ):
            continue
        elif "remove-input" in tags:
            cells += _outputs_as_markdown(cell, f"cell{number}")
        else:
            cells.append(_code_cell(cell.source))
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"  # nbformat's are random: the same page gives the same bytes
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def executed_notebook(app: Sphinx, pagename: str):
    """The page as the build executed it, from the execution cache; None for a page that is
    not a notebook or has no code."""
    from jupyter_cache import get_cache
    from myst_nb.core import read  # read.read_myst_markdown_notebook is doctest_cells' wrapper
    from myst_parser.config.main import MdParserConfig

    path = Path(app.env.doc2path(pagename))
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".md" or not read.is_myst_markdown_notebook(text):
        return None
    config = MdParserConfig(enable_extensions=set(app.config.myst_enable_extensions))
    notebook = read.read_myst_markdown_notebook(
        text, config=config, add_source_map=True, path=str(path)
    )
    if not any(cell.cell_type == "code" for cell in notebook.cells):
        return None
    cache = get_cache(app.env.mystnb_config.execution_cache_path)
    return cache.merge_match_into_notebook(notebook)[1]


def _write_download(app: Sphinx, doctree: nodes.document) -> None:
    """Write the page's download as the page is read: readers run side by side, and the
    executed notebook is in the cache by then. A page without code loses a stale download."""
    pagename = app.env.docname
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    notebook = executed_notebook(app, pagename)
    if notebook is None:
        target.unlink(missing_ok=True)
        return
    title_node = doctree.next_node(nodes.title)
    title = f"“{title_node.astext() if title_node else pagename}”"
    download = reader_notebook(notebook, frozenset(app.config.myst_enable_extensions), title)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(download, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


def _link_download(app: Sphinx, pagename: str, templatename, context: dict, doctree) -> None:
    if doctree is not None and (Path(app.outdir) / "_sources" / f"{pagename}.ipynb").is_file():
        context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("doctree-read", _write_download)
    # Before the theme builds its download menu (priority 501).
    app.connect("html-page-context", _link_download, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
