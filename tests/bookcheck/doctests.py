"""Run a page's doctest blocks as one session, the way a reader pastes them into Python."""

from __future__ import annotations

import doctest
from dataclasses import dataclass
from pathlib import Path

from .checker import RoundingOutputChecker
from .pages import Page

OPTIONFLAGS = doctest.NORMALIZE_WHITESPACE


@dataclass(frozen=True)
class Failure:
    path: Path
    line: int
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}\n    >>> " + self.source.rstrip()


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


def run(test: doctest.DocTest) -> list[Failure]:
    runner = CollectingRunner()
    runner.run(test, clear_globs=True)
    return runner.failures_found
