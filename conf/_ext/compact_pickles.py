"""Save the doctrees and the environment without copies of each other inside them.

MyST parses each ``{eval-rst}`` block (the API pages' ``autofunction`` lists) into a document
of its own that shares the page's settings, and with them ``settings.env``, the whole build
environment. The parsed nodes then move into the page, but docutils points only the top ones
at their new document: the nodes below still name the block's document. Pickling the page
took that document along, settings and environment too. So each API page's doctree carried a
copy of the environment as it was when the page was read: up to 1.1 MB instead of 0.18 MB, and
230 ms to unpickle instead of 15 ms. Sphinx unpickles every page's doctree to number the book's
figures and equations after any page is read, and each page's doctree again to write it. An
``-E`` rebuild took 16.9 s instead of 17.8 s (twice each, taking turns), a prose edit 6.7-7.1 s
instead of 7.0-7.4 s (four times each), with the same output. So before Sphinx saves a
doctree, every node is pointed at the page's own document.

The other way round, sphinx-exercise keeps every exercise and solution node in the environment,
to number and title them across pages, and each of those nodes named its page's document: the
environment carried a copy of every page with exercises, 1.6 MB of its 2.2 MB, which every
rebuild unpickles (0.2-0.3 s) before it can find that nothing changed. So the nodes it keeps are
detached copies, which name no document.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx


def _adopt_nodes(app: Sphinx, doctree: nodes.document) -> None:
    for node in doctree.findall(include_self=False):
        if node.__dict__.get("_document") not in (None, doctree):
            node.document = doctree


def _detach_exercise_nodes(app: Sphinx, doctree: nodes.document) -> None:
    registry = getattr(app.env, "sphinx_exercise_registry", {})
    for entry in registry.values():
        if entry.get("docname") == app.env.docname:
            detached = entry["node"].deepcopy()
            for node in detached.findall():
                node.document = None
            entry["node"] = detached


def setup(app: Sphinx) -> dict[str, object]:
    # Last, after every listener that adds nodes; Sphinx saves the doctree right after.
    app.connect("doctree-read", _adopt_nodes, priority=999)
    app.connect("doctree-read", _detach_exercise_nodes, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
