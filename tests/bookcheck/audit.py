"""The worked-number audit: every number a page states must be checked on that page.

A number counts as checked when the same number (sign and digit grouping aside) occurs in one of
the page's doctests, in its code or in its expected output, where the doctest run proves it. The
doctest may write it with more digits but not with fewer: prose "6" is checked by ``6.0``, prose
"2.90" is not checked by ``2.9``. A
number written inside a ``{nocheck}`` role is an explicit exemption; the report lists them.
Numbers a page inserts with ``{glue}`` come from executed code and are not written in the page.

Run ``python -m tests.bookcheck.audit [pages...]`` for the coverage report.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .numbers import Number, as_decimal, find_numbers
from .pages import ROOT, Fragment, Page, read_page

BOOK = ROOT / "book"


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    number: str
    kind: str
    context: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: the number {self.number} in {self.kind} is not checked by "
            f"any doctest on this page (in: {self.context.strip()!r})"
        )


@dataclass
class AuditResult:
    page: Page
    checked: int = 0
    unchecked: list[Finding] = field(default_factory=list)

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
            if is_checked(number, known):
                result.checked += 1
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
        f"{'page':<40} {'numbers':>7} {'checked':>7} {'missing':>7} {'exempt':>6} {'glued':>5}"
    ]
    for result in results:
        lines.append(
            f"{display_path(result.page.path):<40} {result.total:>7} {result.checked:>7} "
            f"{len(result.unchecked):>7} {len(result.exempt):>6} {len(result.page.glued):>5}"
        )
    exemptions = [(result.page.path, item) for result in results for item in result.exempt]
    lines.append(
        f"{len(results)} pages, {sum(r.total for r in results)} numbers stated, "
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
