"""The worked-number audit: every number a page states must be tied to what the page computes.

Prose, tables, headings, admonitions, captions, alt text and the comments in doctests state
values, and each number in them must be *bound*: written as ``2.9{=expression}``
(conf/_ext/bound_numbers.py), so that the doctest session evaluates the expression after the
page's doctests and fails unless it rounds to the digits written. Changing the number, or
anything it is computed from, then fails.

In math, worked arithmetic checks itself (tests/bookcheck/arithmetic.py): its relations must
hold, and a number that a relation pins (no small edit of it leaves the relation true) needs no
binding. Any other float in math states a value and must be bound, and so must an integer that
math states as a value: all of an inline formula (``$0$``), one side of a relation with a
symbol (``N = 3``), or an entry of a literal list (``[10, -2, 3]``). The remaining integers are
a formula's notation (the 2 of a square, the 1 of a margin). A formula written with the values
its symbols take (``{where s = scores; L_i = loss}``, tests/bookcheck/formulas.py) is evaluated
by the doctest session, which fails unless its relations hold and every number in it is one
those values check; its numbers are *evaluated*. Notation in any other math must occur in one of
the page's doctests, in its code or expected output, written with at least as many digits: "6"
is matched by ``6.0``, "2.90" is not matched by ``2.9``.

A number inside a ``{nocheck}`` role is an explicit exemption; the report lists them. Numbers a
page inserts with ``{glue}`` come from executed code and are not written in the page.

Run ``python -m tests.bookcheck.audit [pages...]`` for the coverage report.
"""

from __future__ import annotations

import doctest
import functools
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from tests.bookcheck import arithmetic
from tests.bookcheck.numbers import Number, as_decimal, find_numbers

from .pages import ROOT, UNMARK, Fragment, Page, comments, read_page

BOOK = ROOT / "book"
# Fragments in which every number states a value. In math, numbers are also formula notation.
STATED = {"prose", "heading", "table", "caption", "directive-title", "comment"}


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    number: str
    kind: str
    context: str
    states_value: bool = True

    def __str__(self) -> str:
        if self.kind == "arithmetic":
            why = "does not follow from the arithmetic before it"
        elif self.states_value:
            why = f"is not bound to a computed value; write it as {self.number}{{=expression}}"
        else:
            why = "is not checked by any doctest on this page"
        return (
            f"{self.path}:{self.line}: the number {self.number} in "
            f"{'math' if self.kind == 'arithmetic' else self.kind} {why} "
            f"(in: {self.context.strip().translate(UNMARK)!r})"
        )


@dataclass
class AuditResult:
    page: Page
    bound: int = 0  # tied to one computed value each
    pinned: int = 0  # held in place by the worked arithmetic around them
    evaluated: int = 0  # in formulas evaluated with computed values
    matched: int = 0  # formula numbers found in a doctest on the page
    unchecked: list[Finding] = field(default_factory=list)
    # Every number with how it is checked: "bound", "pinned", "evaluated", "formula" or
    # "unchecked".
    verdicts: list[tuple[Fragment, Number, str]] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return self.bound + self.pinned + self.evaluated + self.matched

    @property
    def exempt(self) -> list[Fragment]:
        return self.page.exemptions

    @property
    def total(self) -> int:
        return self.checked + len(self.unchecked)


def doctest_numbers(page: Page) -> dict[Decimal, int]:
    """Each value the page's doctests compute with or print, with the finest decimal place it
    is written to. Comments are left out: a number in a comment is a claim, not a check."""
    finest: dict[Decimal, int] = {}
    parser = doctest.DocTestParser()
    for block in page.doctests:
        for example in parser.get_examples(block.source):
            for text in (_without_comments(example.source), example.want):
                for number in find_numbers(text):
                    value = abs(as_decimal(number.key))
                    place = value.as_tuple().exponent
                    finest[value] = min(place, finest.get(value, place))
    return finest


def _without_comments(code: str) -> str:
    lines = code.split("\n")
    for row, column in comments(code):
        lines[row] = lines[row][:column]
    return "\n".join(lines)


def is_checked(number: Number, known: dict[Decimal, int]) -> bool:
    value = abs(as_decimal(number.key))
    return value in known and known[value] <= value.as_tuple().exponent


def audit_page(page: Page) -> AuditResult:
    known = doctest_numbers(page)
    result = AuditResult(page)
    reported: set[tuple[str, int]] = set()  # math blocks whose wrong relations are listed
    for fragment in page.fragments:
        worked = _arithmetic(fragment.block) if fragment.block is not None else None
        if worked is not None:
            first_line = fragment.line - _line_in(fragment.block, fragment.offset)
            if (fragment.block, first_line) not in reported:
                reported.add((fragment.block, first_line))
                result.unchecked += [
                    Finding(
                        page.path,
                        first_line + _line_in(fragment.block, relation.right.start),
                        relation.right.text.translate(UNMARK),
                        "arithmetic",
                        fragment.block,
                    )
                    for relation in worked.wrong
                ]
        for number in find_numbers(fragment.text, prose=True):
            verdict = _verdict(page, fragment, number, worked, known)
            result.verdicts.append((fragment, number, verdict))
            if verdict == "bound":
                result.bound += 1
            elif verdict == "pinned":
                result.pinned += 1
            elif verdict == "evaluated":
                result.evaluated += 1
            elif verdict == "formula":
                result.matched += 1
            else:
                result.unchecked.append(
                    Finding(
                        page.path,
                        fragment.line,
                        number.text,
                        fragment.kind,
                        fragment.text,
                        _states_value(fragment, number, worked),
                    )
                )
    return result


def _verdict(page: Page, fragment: Fragment, number: Number, worked, known) -> str:
    if page.binding_after(fragment.text, number.end) is not None:
        return "bound"
    if worked is not None and fragment.offset + number.start in worked.pinned:
        return "pinned"
    if fragment.block is not None and page.wheres_in(fragment.block):
        return "evaluated"
    if not _states_value(fragment, number, worked) and is_checked(number, known):
        return "formula"
    return "unchecked"


def _states_value(fragment: Fragment, number: Number, worked) -> bool:
    """Whether the number states a value (and so must be bound) rather than being notation."""
    if fragment.kind in STATED or number.is_float:
        return True
    return worked is not None and fragment.offset + number.start in worked.stated


@functools.cache
def _arithmetic(math_text: str) -> arithmetic.ArithmeticResult:
    # Binding marks become spaces: the offsets of the numbers stay where the fragments put them.
    return arithmetic.check(math_text.translate(dict.fromkeys(UNMARK, " ")))


def _line_in(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def report(results: list[AuditResult]) -> str:
    lines = [
        f"{'page':<32} {'numbers':>7} {'bound':>6} {'pinned':>6} {'evaluated':>9} "
        f"{'notation':>8} {'missing':>7} {'exempt':>6} {'glued':>5}"
    ]
    for result in results:
        lines.append(
            f"{display_path(result.page.path):<32} {result.total:>7} {result.bound:>6} "
            f"{result.pinned:>6} {result.evaluated:>9} {result.matched:>8} "
            f"{len(result.unchecked):>7} "
            f"{len(result.exempt):>6} {len(result.page.glued):>5}"
        )
    exemptions = [(result.page.path, item) for result in results for item in result.exempt]
    lines.append(
        f"{len(results)} pages, {sum(r.total for r in results)} numbers stated, "
        f"{sum(r.bound for r in results)} bound, "
        f"{sum(r.pinned for r in results)} pinned by worked arithmetic, "
        f"{sum(r.evaluated for r in results)} in formulas evaluated with computed values, "
        f"{sum(r.matched for r in results)} notation numbers matched, "
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
