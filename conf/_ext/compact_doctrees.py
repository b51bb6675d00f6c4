"""Save each page's doctree without copies of the build environment inside it.

MyST parses each ``{eval-rst}`` block (the API pages' ``autofunction`` lists) into a document
of its own that shares the page's settings, and with them ``settings.env``, the whole build
environment. The parsed nodes then move into the page, but docutils points only the top ones
at their new document: the nodes below still name the block's document. Pickling the page
took that document along, settings and environment too. So each API page's doctree carried a
copy of the environment as it was when the page was read: up to 1.1 MB instead of 0.18 MB, and
230 ms to unpickle instead of 15 ms. Sphinx unpickles every page's doctree to number the book's
figures and equations after any page is read, and each page's doctree again to write it. An
``-E`` rebuild took 16.9 s instead of 17.8 s (twice each, taking turns), a prose edit 6.7-7.1 s
instead of 7.0-7.4 s (four times each), with the same output.

Before Sphinx saves a doctree, every node is pointed at the page's own document.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx


def _adopt_nodes(app: Sphinx, doctree: nodes.document) -> None:
    for node in doctree.findall(include_self=False):
        if node.__dict__.get("_document") not in (None, doctree):
            node.document = doctree


def setup(app: Sphinx) -> dict[str, object]:
    # Last, after every listener that adds nodes; Sphinx saves the doctree right after.
    app.connect("doctree-read", _adopt_nodes, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
