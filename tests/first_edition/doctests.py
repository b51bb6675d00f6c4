"""Run a page's doctest blocks as one session, the way a reader pastes them into Python, then
check the page's bound numbers against the values that session computed."""

from __future__ import annotations

import ast
import doctest
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.bookcheck import formulas
from tests.bookcheck.arithmetic import relations
from tests.bookcheck.numbers import as_decimal, rounds_to

from .checker import RoundingOutputChecker
from .pages import Binding, Page, WhereValues

OPTIONFLAGS = doctest.NORMALIZE_WHITESPACE


@dataclass(frozen=True)
class Failure:
    path: Path
    line: int
    source: str
    message: str
    prompt: str = ">>> "  # how the source is shown: a doctest example, or a bound number

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}\n    {self.prompt}" + self.source.rstrip()


class CollectingRunner(doctest.DocTestRunner):
    """Keeps going after a failure and records each one with its line in the file."""

    def __init__(self) -> None:
        super().__init__(checker=RoundingOutputChecker(), optionflags=OPTIONFLAGS, verbose=False)
        self.failures_found: list[Failure] = []

    def _line(self, test: doctest.DocTest, example: doctest.Example) -> int:
        return (test.lineno or 0) + example.lineno + 1

    def report_failure(self, out, test, example, got):
        message = self._checker.output_difference(example, got, self.optionflags)
        self.failures_found.append(
            Failure(Path(test.filename), self._line(test, example), example.source, message)
        )

    def report_unexpected_exception(self, out, test, example, exc_info):
        exc_type, exc_value, _ = exc_info
        message = f"raised {exc_type.__name__}: {exc_value}"
        self.failures_found.append(
            Failure(Path(test.filename), self._line(test, example), example.source, message)
        )


def page_doctest(page: Page, name: str) -> doctest.DocTest:
    """All of a page's doctest blocks as one DocTest that shares one namespace."""
    parser = doctest.DocTestParser()
    examples: list[doctest.Example] = []
    for block in page.doctests:
        for example in parser.get_examples(block.source, name=f"{page.path}:{block.line}"):
            example.lineno += block.line - 1  # zero-based line in the page
            examples.append(example)
    return doctest.DocTest(
        examples,
        globs={"__name__": "__main__"},
        name=name,
        filename=str(page.path),
        lineno=0,
        docstring=None,
    )


def session(test: doctest.DocTest) -> tuple[list[Failure], dict]:
    """Run ``test`` and keep what its examples leave behind: the namespace bindings read."""
    runner = CollectingRunner()
    runner.run(test, clear_globs=False)
    return runner.failures_found, test.globs


def run(
    test: doctest.DocTest, bindings: list[Binding] = (), wheres: list[WhereValues] = ()
) -> list[Failure]:
    """Run ``test``; then check each binding, and each formula with the values its
    ``{where ...}`` lists give, in the namespace the examples left behind."""
    failures, namespace = session(test)
    failures += formula_failures(Path(test.filename), wheres, namespace)
    failures += [
        Failure(
            Path(test.filename),
            binding.line,
            f"{binding.number}{{={binding.expression}}}",
            why,
            prompt="in the page: ",
        )
        for binding in bindings
        if (why := binding_mismatch(binding, namespace)) is not None
    ]
    namespace.clear()
    return failures


def _computes(expression: str) -> bool:
    """Whether the expression uses a name; ``{=2.9}`` or ``{=1 + 1.9}`` would check nothing."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return True  # eval reports the syntax error with its own message
    return any(isinstance(node, ast.Name) for node in ast.walk(tree))


def binding_mismatch(binding: Binding, namespace: dict) -> str | None:
    """Why the bound number is not what its expression computes, or None when it is.

    The rule is the doctests' own: a float must be the value rounded to the digits written,
    an integer must be the value exactly.
    """
    where = f"the number {binding.number} is bound to `{binding.expression}`"
    if not _computes(binding.expression):
        return f"{where}, which computes nothing: bind it to a value the page's doctests compute"
    try:
        value = eval(binding.expression, namespace)
    except Exception as error:  # any failure is the page's to fix; report it, don't crash
        return f"{where}, which raised {type(error).__name__}: {error}"
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return f"{where}, whose value {value!r} is not a real number"
    written = binding.number.replace("\u2212", "-").replace(",", "")
    is_float = "." in written or "e" in written.lower()
    if is_float and rounds_to(repr(float(value)), written):
        return None
    if not is_float and float(value) == float(as_decimal(written)):
        return None
    kind = "does not round to it" if is_float else "is not that integer"
    return f"{where}, whose value {float(value)!r} {kind}"


def formula_failures(
    path: Path, wheres: list[WhereValues], namespace: dict, *, held: bool = True
) -> list[Failure]:
    """Each math with ``{where ...}`` values must hold under them, and (with ``held``) every
    number in it must be one that the values check (tests/bookcheck/formulas.py)."""
    failures = []
    by_math: dict[str, list[WhereValues]] = {}
    for where in wheres:
        by_math.setdefault(where.math, []).append(where)
    for math, lists in by_math.items():
        read, line = [], lists[0].math_line
        for where in lists:
            try:
                entries = split_entries(where.entries)
                stated = stated_quantities(math)
                read.append(formulas.Where.read(_computed(entries, stated, namespace)))
            except Exception as error:  # the page's to fix: report, don't crash
                failures.append(Failure(path, where.line, where.entries, str(error), "where: "))
        if len(read) < len(lists):
            continue
        try:
            found = formulas.problems(math, read, held=held)
        except formulas.FormulaError as error:
            found = [(0, str(error))]
        failures += [
            Failure(path, line + math.count("\n", 0, at), math.strip(), problem, "in: ")
            for at, problem in found
        ]
    return failures


def _computed(entries: list[tuple[str, str]], stated, namespace: dict) -> list[tuple[str, object]]:
    """The entries' values. What the math states (a side of its relations, or all of it) must
    be computed by the page's code: a value written by hand would check the formula against
    the writer's own arithmetic, not against lossref."""
    values = []
    for name, expression in entries:
        if stated(name) and not _computes(expression):
            raise ValueError(f"`{name} = {expression}` computes nothing: name a computed value")
        try:
            values.append((name, eval(expression, namespace)))
        except Exception as error:
            raise ValueError(f"`{expression}` raised {type(error).__name__}: {error}") from None
    return values


# How the first edition's ``{where ...}`` lists are read.
def split_entries(text: str) -> list[tuple[str, str]]:
    """``y_i = 0; \\Delta = 1`` as (name, Python expression) pairs; the name may be empty."""
    entries = []
    for entry in re.split(r";(?![^(){}\[\]]*[)}\]])", text):
        if entry.strip():
            name, equals, expression = entry.partition("=")
            if not equals or not expression.strip():
                raise formulas.FormulaError(f"`{entry.strip()}` is not `name = expression`")
            entries.append((name.strip(), expression.strip()))
    return entries


def stated_quantities(math_text: str) -> Callable[[str], bool]:
    """Whether a ``where`` name is what the math states: one side of its relations, or (the
    empty name) the math itself."""
    sides = set()
    for relation in relations(math_text):
        for side in (relation.left, relation.right):
            try:
                sides.add(formulas.parse(side.text))
            except formulas.FormulaError:
                continue

    def stated(name: str) -> bool:
        if not name.strip():
            return True
        try:
            return formulas.parse(name) in sides
        except formulas.FormulaError:
            return False

    return stated
