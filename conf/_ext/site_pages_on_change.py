"""The general index, search and 404 pages are written again only when some page is.

Sphinx writes these pages on every build, even one that writes no page of the book. Each
renders the theme's sidebar, whose table of contents pydata-sphinx-theme rewrites with
BeautifulSoup; in a fresh process that first compiles soupsieve's regular expressions. Then,
since a page was written, lean_pages.py makes the site lean again. All of it cost a no-op
rebuild about 1 s, to write the same bytes: four no-ops of each, taking turns, took 4.7-5.7 s
with these pages written and 3.7-4.5 s without.

What these pages show comes from the pages' doctrees, the configuration and the templates. A
build in which any of them changed writes some page: a read page is written, a configuration
change makes Sphinx read every page, and a template newer than a page makes Sphinx write it
again. So a build that writes no page keeps these pages as they are, unless one is missing.
"""

from __future__ import annotations

import functools
from pathlib import Path

from sphinx.builders import Builder
from sphinx.builders.html import StandaloneHTMLBuilder

_wrote_pages = False


def _start_build(app) -> None:
    global _wrote_pages
    _wrote_pages = False


def _noting_writes(method):
    @functools.wraps(method)
    def write_documents(self, docnames):
        global _wrote_pages
        _wrote_pages = _wrote_pages or bool(docnames)
        return method(self, docnames)

    return write_documents


def _only_when_pages_written(method):
    @functools.wraps(method)
    def handle_page(self, pagename, *args, outfilename=None, **kwargs):
        unchanged = not _wrote_pages and self.name == "html" and pagename not in self.env.all_docs
        if unchanged and Path(outfilename or self.get_outfilename(pagename)).is_file():
            return None
        return method(self, pagename, *args, outfilename=outfilename, **kwargs)

    return handle_page


def setup(app):
    app.connect("builder-inited", _start_build)
    for cls, name, wrap in (
        (Builder, "write_documents", _noting_writes),
        (StandaloneHTMLBuilder, "handle_page", _only_when_pages_written),
    ):
        method = getattr(cls, name)
        if not getattr(method, "site_pages_on_change", False):  # a second build in one process
            wrapped = wrap(method)
            wrapped.site_pages_on_change = True
            setattr(cls, name, wrapped)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
