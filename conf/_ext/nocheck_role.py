"""The ``{nocheck}`` role: text with a number in it that is not a worked number.

A year in a citation or the number of a lecture is not a result and has no doctest. Writing it
as ``{nocheck}`2017``` tells the worked-number audit (tests/bookcheck) to skip it; the audit
lists and counts every such exemption, and the reader sees plain text.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx


def nocheck_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [nodes.inline(rawtext, text, classes=["nocheck"])], []


def setup(app: Sphinx) -> dict[str, object]:
    app.add_role("nocheck", nocheck_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
