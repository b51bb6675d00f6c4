"""Keep every page's index entries in the search index when a build writes only some pages.

Sphinx collects a page's index entries for the search page (``indexentries`` in
``searchindex.js``: every API function, every glossary term) only while it writes that page, and
does not read them back from the last build's index (Sphinx issue #12599, open). So a no-op
rebuild wrote a search index with no entries at all, and a rebuild after one prose edit one with
that page's entries only: the site then differed from a clean build of the same sources.

The environment keeps every page's entries, as read, in its index domain. Before the search
index is written, each page this build did not write gets its entries from there, split as
Sphinx's ``IndexBuilder.feed`` splits them, and the pages are put in one order.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util.index_entries import split_index_msg


def _entries_for_search(entries) -> list[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for entry_type, value, target_id, main, _category_key in entries:
        try:
            words = split_index_msg(entry_type, value)
        except ValueError:
            continue
        target_id = target_id or ""
        if entry_type in {"see", "seealso"}:
            found.add((words[0], target_id, main))
        found |= {(word, target_id, main) for word in words}
    return sorted(found)


def _add_unwritten_pages(app: Sphinx) -> list:
    indexer = getattr(app.builder, "indexer", None)
    if indexer is None:  # a builder without a search page, or search turned off
        return []
    entries = indexer._index_entries  # by page, in the order this build wrote the pages
    by_page = app.env.domains.index_domain.entries
    # The pages whose words the index holds, whether written now or by an earlier build.
    pages = sorted(indexer._titles)
    complete = [
        (page, entries[page] if page in entries else _entries_for_search(by_page.get(page, ())))
        for page in pages
    ]
    # In page order, the index is the same whichever pages this build wrote, and in what order.
    entries.clear()
    entries.update(complete)
    return []  # html-collect-pages expects pages to write: this adds none


def setup(app: Sphinx) -> dict[str, object]:
    # html-collect-pages comes after the pages are written and before the search index is.
    app.connect("html-collect-pages", _add_unwritten_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
