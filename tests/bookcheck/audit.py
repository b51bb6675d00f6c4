"""The worked-number audit: every number a page states must be tied to what the page computes.

Prose, tables, headings, admonitions, captions and alt text state values, and each number in
them must be *bound*: written as ``2.9{=expression}`` (conf/_ext/bound_numbers.py), so that the
doctest session evaluates the expression after the page's doctests and fails unless it rounds
to the digits written. Changing the number, or anything it is computed from, then fails.

Math is checked the same way where it states a value (a bound number). The rest of a formula's
numbers (the 2 of a square, the 1 of a margin) must occur in one of the page's doctests, in its
code or its expected output, written with at least as many digits: prose "6" is matched by
``6.0``, "2.90" is not matched by ``2.9``.

A number inside a ``{nocheck}`` role is an explicit exemption; the report lists them. Numbers a
page inserts with ``{glue}`` come from executed code and are not written in the page.

Run ``python -m tests.bookcheck.audit [pages...]`` for the coverage report.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .numbers import Number, as_decimal, find_numbers
from .pages import BOUND_MARK, ROOT, Fragment, Page, read_page

BOOK = ROOT / "book"
# Fragments in which every number states a value. In math, numbers are also formula notation.
STATED = {"prose", "heading", "table", "caption", "directive-title"}
# Binding marks are private-use characters: shown to a writer, they are dropped.
UNMARK = dict.fromkeys(range(BOUND_MARK, BOUND_MARK + 6400))


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    number: str
    kind: str
    context: str

    def __str__(self) -> str:
        if self.kind in STATED:
            why = f"is not bound to a computed value; write it as {self.number}{{=expression}}"
        else:
            why = "is not checked by any doctest on this page"
        return (
            f"{self.path}:{self.line}: the number {self.number} in {self.kind} {why} "
            f"(in: {self.context.strip().translate(UNMARK)!r})"
        )


@dataclass
class AuditResult:
    page: Page
    bound: int = 0  # tied to one computed value each
    matched: int = 0  # formula numbers found in a doctest on the page
    unchecked: list[Finding] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return self.bound + self.matched

    @property
    def exempt(self) -> list[Fragment]:
        return self.page.exemptions

    @property
    def total(self) -> int:
        return self.checked + len(self.unchecked)


def doctest_numbers(page: Page) -> dict[Decimal, int]:
    """Each value the page's doctests write, with the finest decimal place it is written to."""
    finest: dict[Decimal, int] = {}
    for block in page.doctests:
        for number in find_numbers(block.source):
            value = abs(as_decimal(number.key))
            place = value.as_tuple().exponent
            finest[value] = min(place, finest.get(value, place))
    return finest


def is_checked(number: Number, known: dict[Decimal, int]) -> bool:
    value = abs(as_decimal(number.key))
    return value in known and known[value] <= value.as_tuple().exponent


def audit_page(page: Page) -> AuditResult:
    known = doctest_numbers(page)
    result = AuditResult(page)
    for fragment in page.fragments:
        for number in find_numbers(fragment.text, prose=True):
            if page.binding_after(fragment.text, number.end) is not None:
                result.bound += 1
            elif fragment.kind not in STATED and is_checked(number, known):
                result.matched += 1
            else:
                result.unchecked.append(
                    Finding(page.path, fragment.line, number.text, fragment.kind, fragment.text)
                )
    return result


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def report(results: list[AuditResult]) -> str:
    lines = [
        f"{'page':<32} {'numbers':>7} {'bound':>6} {'formula':>7} {'missing':>7} "
        f"{'exempt':>6} {'glued':>5}"
    ]
    for result in results:
        lines.append(
            f"{display_path(result.page.path):<32} {result.total:>7} {result.bound:>6} "
            f"{result.matched:>7} {len(result.unchecked):>7} {len(result.exempt):>6} "
            f"{len(result.page.glued):>5}"
        )
    exemptions = [(result.page.path, item) for result in results for item in result.exempt]
    lines.append(
        f"{len(results)} pages, {sum(r.total for r in results)} numbers stated, "
        f"{sum(r.bound for r in results)} bound, "
        f"{sum(r.matched for r in results)} formula numbers matched, "
        f"{sum(len(r.unchecked) for r in results)} unchecked, {len(exemptions)} exemptions"
    )
    for path, item in exemptions:
        lines.append(f"  exempt: {display_path(path)}:{item.line}: {item.text!r}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or sorted(BOOK.rglob("*.md"))
    results = [audit_page(read_page(path)) for path in paths]
    print(report(results))
    for result in results:
        for finding in result.unchecked:
            print(finding)
    return 1 if any(result.unchecked for result in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
