"""Write pages with one process per core.

With ``-j N``, Sphinx reads pages in N processes but writes them in N - 1, keeping the main
process to resolve each page's references before handing it to a writer. Resolving a page
takes much less time than writing it, so on two cores one writer left a core mostly idle: in
a ``-E`` rebuild of this book, writing took 13 to 16 s with one writer and 10 s with two. This
gives the writers one more process; ``-j 1`` still builds serially.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _one_writer_per_process(app: Sphinx, builder: object) -> None:
    if app.parallel > 1:
        app.parallel += 1


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("write-started", _one_writer_per_process)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
