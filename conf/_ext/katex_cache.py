"""Keep each page's rendered math from one build to the next.

KaTeX renders every formula of a page that is written, in node: about 1 ms a formula, 1.9 s of
an ``-E`` rebuild's writing for the book's 2,000 formulas, to give the same HTML as last time.
The HTML depends only on the formula and KaTeX's options and release, so each written page
leaves the HTML of its formulas, under those three, in ``<doctrees>/katex/<page>.json``, and a
later build looks formulas up there before it asks node. A page's file is rewritten whenever
the page is written, so it holds only the page's current formulas; the files of pages that are
gone are removed. A clean build (no doctrees folder) renders everything.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import sphinxcontrib.katex
from sphinx.application import Sphinx

_render = sphinxcontrib.katex.render_latex
_folder: Path | None = None  # where the html builder keeps the pages' files
_known: dict[str, str] | None = None  # every page's formulas as the last build left them
_rendered: dict[str, str] = {}  # this page's, since the last page this process wrote


def _key(latex: str, options: dict | None) -> str:
    katex_options = {**sphinxcontrib.katex.KATEX_DEFAULT_OPTIONS, **(options or {})}
    return json.dumps([sphinxcontrib.katex.katex_version, katex_options, latex], sort_keys=True)


def render_latex(latex: str, options: dict | None = None) -> str:
    global _known
    if _known is None:  # read by each process that writes pages, at its first formula
        _known = {}
        for path in sorted(_folder.rglob("*.json")) if _folder is not None else []:
            _known.update(json.loads(path.read_text(encoding="utf-8")))
    key = _key(latex, options)
    html = _known.get(key)
    if html is None:
        html = _render(latex, options)
    _rendered[key] = html
    return html


def _use_folder(app: Sphinx) -> None:
    global _folder
    if app.builder.name == "html":
        _folder = Path(app.doctreedir) / "katex"


def _save(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if _folder is None or doctree is None:
        return
    path = _folder / f"{pagename}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Whole or not at all: another writer may be reading the files at its first formula.
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(_rendered, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)
    _rendered.clear()


def _remove_pages_gone(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and _folder is not None and _folder.is_dir():
        for path in _folder.rglob("*.json"):
            if path.relative_to(_folder).with_suffix("").as_posix() not in app.env.all_docs:
                path.unlink()


def setup(app: Sphinx) -> dict[str, object]:
    # The translators call the module's render_latex by name at each formula.
    sphinxcontrib.katex.render_latex = render_latex
    app.connect("builder-inited", _use_folder)
    app.connect("html-page-context", _save)
    app.connect("build-finished", _remove_pages_gone)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
