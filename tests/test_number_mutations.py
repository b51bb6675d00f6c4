"""Changing a number the book states makes the doctest session fail.

For every number on every page that the audit counts as checked by value (bound to a computed
value, pinned by the worked arithmetic around it, or in a formula evaluated with computed
values), the page's source is edited the way a typo or a stale copy would edit it: the last
digit one up or one down, and the sign of a signed number flipped. Each edited page must fail
the checks `nox -s doctest` runs: a binding stops holding, a relation in the math or a formula
stops holding, or the audit finds the number unchecked.

Expected outputs in doctests need no such test: the rounding rule accepts exactly one value at
the precision written, so any edit of one fails (tests/test_bookcheck.py shows it does).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bookcheck import arithmetic, audit, doctests
from tests.bookcheck.pages import ROOT, read_page

PAGES = sorted((ROOT / "book").glob("*.md"))


def fails(path: Path, text: str, namespace: dict) -> bool:
    page = read_page(path, text)
    if any(doctests.binding_mismatch(binding, namespace) for binding in page.bindings):
        return True
    # The original page's run showed each of its formulas' numbers held; an edit must break
    # a relation, which is all that needs looking at here.
    if doctests.formula_failures(path, page.wheres, namespace, held=False):
        return True
    return bool(audit.audit_page(page).unchecked)


@pytest.mark.parametrize("path", PAGES, ids=[path.name for path in PAGES])
def test_every_stated_number_fails_when_edited(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    page = read_page(path, text, locate=True)
    result = audit.audit_page(page)
    assert not result.unchecked, "the page must pass the audit before it is mutated"
    failures, namespace = doctests.session(doctests.page_doctest(page, name=path.name))
    assert not failures, "the page's doctests must pass before it is mutated"
    edited, survivors = 0, []
    for fragment, number, verdict in result.verdicts:
        if verdict not in {"bound", "pinned", "evaluated"}:
            continue  # notation only matched by membership, and exemptions
        start, end = page.source_span(fragment.text, number.end)
        written = text[start:end]
        for edit in arithmetic.mutations(written.replace("\u2212", "-")):
            edited += 1
            if not fails(path, text[:start] + edit + text[end:], namespace):
                line = text.count("\n", 0, start) + 1
                survivors.append(f"{path.name}:{line}: {written} -> {edit} passed ({verdict})")
    assert not survivors, "\n".join(survivors)
    checked = result.bound + result.pinned + result.evaluated
    assert edited >= checked * 2 or not result.verdicts
