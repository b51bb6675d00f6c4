"""The first edition's checks, kept for the pages not yet rewritten in the second edition's style.

A first-edition page ties its numbers to code with inline markup (``2.9{=L[0]}``, ``{where ...}``
lists, ``{nocheck}`` roles; conf/_ext/bound_numbers.py strips it at build time) and shows
doctest outputs rounded to the digits its text needs. Until each such page is rewritten (issue
11), these modules check it exactly as they did before the second edition, so every number on
it stays checked. A rewritten page carries no markup and is checked by tests/bookcheck; this
package goes when the last first-edition page does.
"""

from __future__ import annotations

import re
from pathlib import Path

FIRST_EDITION_MARKUP = re.compile(r"(?<=\d)\{=|\{where\s|\{nocheck\}`")


def is_first_edition(path: Path) -> bool:
    return bool(FIRST_EDITION_MARKUP.search(path.read_text(encoding="utf-8")))


def items(parent):
    """The first edition's two checks of a page: its doctests with bound numbers and formula
    values, and the audit that every stated number is bound, pinned or evaluated."""
    from tests.bookcheck.plugin import CheckItem

    from . import audit, doctests
    from .pages import read_page

    page = read_page(parent.path)

    def run_doctests():
        test = doctests.page_doctest(page, name=audit.display_path(parent.path))
        return doctests.run(test, page.bindings, page.wheres)

    yield CheckItem.from_parent(parent, name="first-edition-doctest", check=run_doctests)
    yield CheckItem.from_parent(
        parent, name="first-edition-audit", check=lambda: audit.audit_page(page).unchecked
    )
