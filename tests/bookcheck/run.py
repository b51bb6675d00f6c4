"""Run a page: its doctests alone, as a reader pastes them, and the whole page in order.

``paste`` runs only the doctest blocks, in page order in one namespace, with Python's standard
``doctest`` and its default options: what a block shows must be exactly what Python prints.

``execute`` runs the page as the build does, doctests and code cells in page order in one
namespace, and keeps what each section computes: every number in its doctests (source and
output) and in the value of the last expression of each of its code cells. These are the values
the section's prose may state (tests/bookcheck/audit.py). A cell whose value is a dict keyed by
equation labels gives those equations the values of their symbols.
"""

from __future__ import annotations

import ast
import codeop
import contextlib
import doctest
import io
import numbers
import os
import sys
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .numbers import find_numbers
from .pages import ROOT, Code, Page


@dataclass(frozen=True)
class Failure:
    path: Path
    line: int
    message: str
    source: str = ""

    def __str__(self) -> str:
        where = f"{display_path(self.path)}:{self.line}: {self.message}"
        return f"{where}\n    {self.source.rstrip()}" if self.source else where


def display_path(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Value:
    """A number a section computes: its text (as printed, or the repr of a float) and the
    number of decimals it vouches for (None: all of them)."""

    text: str
    decimals: int | None


@dataclass
class Execution:
    failures: list[Failure] = field(default_factory=list)
    values: dict[int, list[Value]] = field(default_factory=lambda: defaultdict(list))
    equation_values: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))


class _Runner(doctest.DocTestRunner):
    """Records each failure with its page line instead of printing it."""

    def __init__(self) -> None:
        super().__init__(verbose=False)
        self.found: list[Failure] = []

    def _failure(self, test, example, message: str) -> None:
        line = test.lineno + example.lineno + 1
        self.found.append(Failure(Path(test.filename), line, message, ">>> " + example.source))

    def report_failure(self, out, test, example, got):
        self._failure(test, example, self._checker.output_difference(example, got, 0).strip())

    def report_unexpected_exception(self, out, test, example, exc_info):
        self._failure(test, example, f"raised {exc_info[0].__name__}: {exc_info[1]}")


def _doctest(code: Code, path: Path, namespace: dict) -> doctest.DocTest:
    name = f"{display_path(path)}:{code.line}"
    test = doctest.DocTestParser().get_doctest(code.source, {}, name, str(path), code.line - 1)
    test.globs = namespace  # a DocTest copies the globals it is given; the page shares one
    return test


def _unended_statements(code: Code, test: doctest.DocTest) -> list[int]:
    """Page lines of the examples that Python's interactive prompt would not run yet: a compound
    statement (``def``, ``for``, ``with`` …) runs once a blank line ends it, and a transcript
    shows that line as a bare ``...``. Doctest does not need it, but a reader pasting does."""
    lines = code.source.splitlines()
    unended = []
    for example in test.examples:
        after = example.lineno + example.source.count("\n")
        if codeop.compile_command(example.source.rstrip("\n"), symbol="single") is None and (
            after >= len(lines) or lines[after].strip() != "..."
        ):
            unended.append(code.line + example.lineno)
    return unended


def paste(page: Page) -> list[Failure]:
    """Run the page's doctests alone, in order in one namespace, as a reader would."""
    namespace = {"__name__": "__main__"}
    runner = _Runner()
    tests = [(code, _doctest(code, page.path, namespace)) for code in page.doctests]
    message = "Python's prompt runs this statement only after a blank line: end it with `...`"
    unended = [
        Failure(page.path, line, message)
        for code, test in tests
        for line in _unended_statements(code, test)
    ]
    with _quiet():
        for _, test in tests:
            runner.run(test, clear_globs=False)
    namespace.clear()
    return unended + runner.found


_EXECUTIONS: dict[tuple[Path, str], Execution] = {}


def execute(page: Page) -> Execution:
    """Run doctests and code cells in page order and keep what each section computes.

    A page's source is run once per test session: the audit and the mutation test share the
    result, which nothing modifies.
    """
    key = (page.path, page.source)
    if key not in _EXECUTIONS:
        # The build's kernel runs in the page's folder, so a page may import a module beside it.
        sys.path.insert(0, str(page.path.parent))
        try:
            _EXECUTIONS[key] = _execute(page)
        finally:
            sys.path.remove(str(page.path.parent))
    return _EXECUTIONS[key]


def _execute(page: Page) -> Execution:
    result = Execution()
    namespace = {"__name__": "__main__"}
    runner = _Runner()
    labels = set(page.equations)
    with _quiet():
        for code in page.code:
            if code.kind == "doctest":
                test = _doctest(code, page.path, namespace)
                runner.run(test, clear_globs=False)
                for example in test.examples:
                    result.values[code.section] += _printed(_without_comments(example.source))
                    result.values[code.section] += _printed(example.want)
                continue
            try:
                value = _run_cell(code, page.path, namespace)
            except Exception as error:  # the page's to fix: report it at the cell's line
                message = f"code cell raised {type(error).__name__}: {error}"
                result.failures.append(Failure(page.path, code.line, message))
                continue
            if _is_equation_values(value):
                for label, values in value.items():
                    if label not in labels:
                        message = f"no equation on this page is labelled {label!r}"
                        result.failures.append(Failure(page.path, code.line, message))
                    given = values if isinstance(values, list | tuple) else [values]
                    result.equation_values[label] += given
            else:
                result.values[code.section] += _computed(value)
    result.failures[:0] = runner.found
    namespace.clear()
    return result


def _is_equation_values(value: object) -> bool:
    """A dict from labels to the values of an equation's symbols (a dict, or a list of them)."""
    if not isinstance(value, dict) or not value:
        return False
    return all(
        isinstance(values, dict)
        or (
            isinstance(values, list | tuple) and values and all(isinstance(v, dict) for v in values)
        )
        for values in value.values()
    )


@contextlib.contextmanager
def _quiet():
    """Draw figures off screen, and keep the page's output out of the test log."""
    import matplotlib

    matplotlib.use("Agg")
    os.environ.setdefault("MATPLOTLIBRC", str(ROOT / "conf" / "matplotlibrc"))
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def _run_cell(code: Code, path: Path, namespace: dict) -> object:
    """Run a cell as Jupyter does and return the value of its last expression (or None)."""
    import matplotlib.pyplot as plt

    tree = ast.parse(code.source, filename=str(path))
    ast.increment_lineno(tree, code.line - 1)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the build fails on anything a cell writes to stderr
        try:
            exec(compile(tree, str(path), "exec"), namespace)
            if last is None:
                return None
            expression = ast.Expression(last.value)
            return eval(compile(expression, str(path), "eval"), namespace)
        finally:
            plt.close("all")


def _without_comments(source: str) -> str:
    import tokenize

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return source
    lines = source.split("\n")
    for token in reversed(tokens):
        if token.type == tokenize.COMMENT:
            row, column = token.start
            lines[row - 1] = lines[row - 1][:column]
    return "\n".join(lines)


def _printed(text: str) -> list[Value]:
    """Numbers as Python printed (or a doctest typed) them: each vouches for its own digits."""
    return [Value(number.text, _decimals(number.text)) for number in find_numbers(text)]


def _decimals(text: str) -> int:
    mantissa = text.lower().partition("e")[0]
    return len(mantissa.partition(".")[2])


def _computed(value: object) -> list[Value]:
    """Every number in a cell's value: a float vouches for all its digits."""
    if isinstance(value, bool | np.bool_):
        return []
    if isinstance(value, numbers.Integral):
        return [Value(str(int(value)), 0)]
    if isinstance(value, numbers.Real):
        return [Value(repr(float(value)), None)] if np.isfinite(float(value)) else []
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return [found for item in value.ravel().tolist() for found in _computed(item)]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [found for item in value for found in _computed(item)]
    return []
