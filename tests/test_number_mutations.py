"""Changing a number the book states makes `nox -s doctest` fail.

Every number a page states is edited the way a typo or a stale copy would edit it: the last digit
one up or one down, and the sign of a signed number flipped. The audit says, for each edit,
whether it would be caught (tests/bookcheck/audit.py); an edit changes what a page states, not
what it computes, so the page is run once. Every edit of a decimal must be caught; the share
caught is reported by kind. (An integer that math states as a value must be checked too, but a
small integer is often also another value its section computes, so an edit of it may pass.) A
sample of edits is then made for real in each page's source, and the edited page, read again,
must fail.

Expected outputs in doctests need no such test: Python's doctest compares them exactly.
"""

from __future__ import annotations

import random

import pytest

from tests.bookcheck import audit, plugin, run
from tests.bookcheck.pages import ROOT, read_page

PAGES = sorted((ROOT / "book").glob("*.md"))
SAMPLE_PER_PAGE = 6


@pytest.mark.parametrize("path", PAGES, ids=[path.stem for path in PAGES])
def test_every_edit_of_a_checked_number_fails(path):
    page = read_page(path)
    execution = run.execute(page)
    result = audit.audit_page(page, execution)
    assert not result.failures, "the page must pass before its numbers are edited"
    survivors = []
    for item in result.stated:
        plugin.MUTATIONS_MADE[item.kind] += len(item.edits_caught)
        plugin.MUTATIONS_CAUGHT[item.kind] += sum(item.edits_caught)
        edits = audit._edits(item.number.text)
        if item.number.is_float:
            survivors += [
                f"{run.display_path(path)}:{item.line}: {item.number.text} -> {edit}"
                for edit, caught in zip(edits, item.edits_caught, strict=True)
                if not caught
            ]
    assert not survivors, "these edits would not fail the page:\n" + "\n".join(survivors)

    # The same, for real: edit the source, read the page again, and audit it.
    lines = page.source.split("\n")
    candidates = [
        item
        for item in result.stated
        if item.required and lines[item.line - 1].count(item.number.text) == 1
    ]
    for item in random.Random(path.stem).sample(candidates, min(SAMPLE_PER_PAGE, len(candidates))):
        for edit in audit._edits(item.number.text):
            edited = list(lines)
            edited[item.line - 1] = edited[item.line - 1].replace(item.number.text, edit)
            again = audit.audit_page(read_page(path, "\n".join(edited)), execution)
            assert again.failures, f"{run.display_path(path)}:{item.line}: {edit} passed"
