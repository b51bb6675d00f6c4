"""The worked-number audit: every number a page states is tied to what the page computes.

A page carries no checking markup. Each number a reader sees in prose, headings, tables,
admonitions, captions, alt text and math is checked in one of three ways:

* *pinned*: it is part of worked arithmetic in math (tests/bookcheck/arithmetic.py), and no
  small edit of it leaves the arithmetic true;
* *evaluated*: it is part of a labelled equation that a code cell gives values to, and no small
  edit of it leaves the equation true at those values (tests/bookcheck/formulas.py);
* *matched*: a value its section computes rounds to it at the precision written
  (tests/bookcheck/run.py says which values a section computes).

Every decimal must be checked, and so must an integer that math states as a value (all of an
inline formula, ``$0$``; one side of a relation whose other side is a symbol, ``C - 1 = 2``; an
entry of a literal list, ``[10, -2, 3]``). Other integers may be counts, indices or notation
(``3 classes``, ``[0, 1]``, ``x^2``): they are checked when they can be and counted when not.

For the mutation test, each checked number also says which of its small edits (last digit up or
down, sign flipped) the audit would catch, without running the page again: an edit changes what
is stated, not what is computed.

Run ``python -m tests.bookcheck.audit [pages...]`` for the per-page report.
"""

from __future__ import annotations

import functools
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import arithmetic, formulas
from .numbers import Number, find_numbers, rounds_to
from .pages import ROOT, Fragment, Math, Page, read_page
from .run import Execution, Failure, Value, display_path, execute

BOOK = ROOT / "book"
WORD_LIMIT = 2200
# Pages that are reference material, not chapters: the word limit is for chapters.
REFERENCE_PAGES = {"index", "api", "conventions", "errata", "glossary", "bibliography"} | {
    page.stem for page in (Path(__file__).resolve().parents[2] / "book").glob("api-*.md")
}  # the API reference's family pages


@dataclass(frozen=True)
class Stated:
    """One number a page states, how it is checked, and which of its edits are caught."""

    fragment: Fragment
    number: Number
    required: bool  # a decimal, or an integer math states as a value
    how: str | None  # pinned, evaluated, matched, or None
    edits_caught: tuple[bool, ...]

    @property
    def kind(self) -> str:
        where = "math" if self.fragment.kind == "math" else "prose"
        return f"{where} {'decimal' if self.number.is_float else 'integer'}"

    @property
    def line(self) -> int:
        return self.fragment.line_of(self.number.start)


@dataclass
class AuditResult:
    page: Page
    stated: list[Stated] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(item.how or "unchecked" for item in self.stated)


def audit_page(page: Page, execution: Execution | None = None) -> AuditResult:
    execution = execute(page) if execution is None else execution
    result = AuditResult(page, failures=list(execution.failures))
    result.failures += _equation_failures(page, execution)
    stem = page.path.stem
    if stem not in REFERENCE_PAGES and page.prose_words > WORD_LIMIT:
        message = f"{page.prose_words} words of prose; a chapter has at most {WORD_LIMIT}"
        result.failures.append(Failure(page.path, 1, message))
    for fragment in page.fragments:
        if fragment.kind == "math":
            result.failures += _arithmetic_failures(page, fragment)
        for number in find_numbers(fragment.text, prose=True):
            item = _check(page, fragment, number, execution)
            result.stated.append(item)
            if item.required and item.how is None:
                result.failures.append(
                    Failure(
                        page.path,
                        item.line,
                        f"the number {number.text} is not checked: no worked arithmetic pins "
                        "it, and nothing its section computes rounds to it",
                        _line_text(fragment, number),
                    )
                )
    return result


def _line_text(fragment: Fragment, number: Number) -> str:
    return fragment.text.split("\n")[fragment.text.count("\n", 0, number.start)].strip()


def _check(page: Page, fragment: Fragment, number: Number, execution: Execution) -> Stated:
    values = execution.values.get(fragment.section, [])
    math = fragment.math
    required = number.is_float
    how = None
    if math is not None:
        worked = _arithmetic(math.text)
        required = required or number.start in worked.stated
        if number.start in worked.pinned:
            how = "pinned"
        elif math.label in execution.equation_values and _evaluated(
            math, number, execution.equation_values[math.label]
        ):
            how = "evaluated"
    if how is None and _matched(number.text, values):
        how = "matched"
    if how in {"pinned", "evaluated"}:
        caught = (True,) * len(_edits(number.text))
    else:
        caught = tuple(required and not _matched(edit, values) for edit in _edits(number.text))
    return Stated(fragment, number, required, how, caught)


def _edits(written: str) -> list[str]:
    return arithmetic.mutations(written.replace("\u2212", "-").replace(",", ""))


def _matched(written: str, values: list[Value]) -> bool:
    written = written.replace("\u2212", "-").replace(",", "")
    decimals = len(written.lower().partition("e")[0].partition(".")[2])
    return any(
        (value.decimals is None or value.decimals >= decimals) and rounds_to(value.text, written)
        for value in values
    )


@functools.cache
def _arithmetic(math_text: str) -> arithmetic.ArithmeticResult:
    return arithmetic.check(math_text)


def _arithmetic_failures(page: Page, fragment: Fragment) -> list[Failure]:
    return [
        Failure(
            page.path,
            fragment.line_of(relation.right.start),
            "this worked arithmetic does not hold",
            " ".join(
                [
                    relation.left.text,
                    "\\approx" if relation.approximate else "=",
                    relation.right.text,
                ]
            ),
        )
        for relation in _arithmetic(fragment.text).wrong
    ]


def _wheres(values: list[dict]) -> list[formulas.Where]:
    return [formulas.Where.read(entry.items()) for entry in values]


def _evaluated(math: Math, number: Number, values: list[dict]) -> bool:
    try:
        return formulas.surviving_edit(math.text, number, _wheres(values)) is None
    except formulas.FormulaError:
        return False


def _equation_failures(page: Page, execution: Execution) -> list[Failure]:
    failures = []
    equations = page.equations
    for label, values in execution.equation_values.items():
        math = equations.get(label)
        if math is None:
            continue  # run.execute reported the unknown label
        try:
            found = formulas.problems(math.text, _wheres(values), held=False)
        except formulas.FormulaError as error:
            found = [(0, str(error))]
        failures += [
            Failure(page.path, math.line + math.text.count("\n", 0, at), f"({label}) {problem}")
            for at, problem in found
        ]
    return failures


REPORT_HEADER = (
    f"{'page':<30} {'words':>5} {'numbers':>7} {'pinned':>6} {'evaluated':>9} "
    f"{'matched':>7} {'unchecked':>9} {'checking code':>13}"
)
REPORT_FOOTER = (
    "unchecked: integers that may be counts, indices or notation (a decimal, or an integer "
    "math states as a value, must be checked); checking code: share of the page's source in "
    "cells removed from the rendered page"
)


def report_row(result: AuditResult) -> str:
    """One page's line of the audit report: plain text, so test workers can send it."""
    counts, page = result.counts, result.page
    share = page.checking_characters / max(len(page.source), 1)
    return (
        f"{display_path(page.path):<30} {page.prose_words:>5} {len(result.stated):>7} "
        f"{counts['pinned']:>6} {counts['evaluated']:>9} {counts['matched']:>7} "
        f"{counts['unchecked']:>9} {share:>12.1%}"
    )


def report(rows: list[str]) -> str:
    return "\n".join([REPORT_HEADER, *sorted(rows), REPORT_FOOTER])


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or sorted(BOOK.glob("*.md"))
    results = [audit_page(read_page(path)) for path in paths]
    print(report([report_row(result) for result in results]))
    for result in results:
        for failure in result.failures:
            print(failure)
    return 1 if any(result.failures for result in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
