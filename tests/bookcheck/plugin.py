"""pytest plugin: each book page gives two items, ``paste`` (its doctests alone, with Python's
standard doctest, as a reader pastes them) and ``audit`` (the whole page run in order, then
every number it states checked). The README's examples are pasted too. lossref's docstring
examples are pytest's own ``--doctest-modules`` items (pyproject.toml)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from . import audit, run
from .pages import ROOT, read_page

BOOK = ROOT / "book"
README = ROOT / "README.md"
# The report's rows, pages audited and edits made; pytest-xdist's workers send theirs to the
# controller, which prints the report.
AUDIT_ROWS: list[str] = []
# Filled by tests/test_number_mutations.py: edits made and caught, by kind of number.
MUTATIONS_MADE: Counter = Counter()
MUTATIONS_CAUGHT: Counter = Counter()


class CheckFailed(Exception):
    """A doctest or audit failure; its message already names the file, line and number."""


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix == ".md" and file_path.parent == BOOK:
        return BookPage.from_parent(parent, path=file_path)
    if file_path == README:
        return BookPage.from_parent(parent, path=file_path, audited=False)
    return None


class BookPage(pytest.File):
    def __init__(self, *, audited: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.audited = audited

    def collect(self):
        page = read_page(self.path)
        if page.doctests:
            yield CheckItem.from_parent(self, name="paste", check=lambda: run.paste(page))
        if self.audited:
            yield CheckItem.from_parent(self, name="audit", check=lambda: _audit(page))


def _audit(page) -> list:
    result = audit.audit_page(page)
    AUDIT_ROWS.append(audit.report_row(result))
    return result.failures


class CheckItem(pytest.Item):
    def __init__(self, *, check, **kwargs):
        super().__init__(**kwargs)
        self.check = check

    def runtest(self):
        failures = self.check()
        if failures:
            raise CheckFailed("\n\n".join(str(failure) for failure in failures))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, self.name


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker
        workeroutput["audit_rows"] = AUDIT_ROWS
        workeroutput["mutations"] = (dict(MUTATIONS_MADE), dict(MUTATIONS_CAUGHT))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    output = getattr(node, "workeroutput", {})
    AUDIT_ROWS.extend(output.get("audit_rows", []))
    made, caught = output.get("mutations", ({}, {}))
    MUTATIONS_MADE.update(made)
    MUTATIONS_CAUGHT.update(caught)


def pytest_terminal_summary(terminalreporter):
    if AUDIT_ROWS:
        terminalreporter.section("worked-number audit")
        terminalreporter.write_line(audit.report(AUDIT_ROWS))
    if MUTATIONS_MADE:
        terminalreporter.section("number edits caught, by kind")
        for kind in sorted(MUTATIONS_MADE):
            made, caught = MUTATIONS_MADE[kind], MUTATIONS_CAUGHT[kind]
            terminalreporter.write_line(
                f"{kind:<16} {caught:>6} of {made:>6} ({caught / made:.0%})"
            )
        terminalreporter.write_line(
            "Every edit of a decimal must be caught; an integer may be a count or notation, or "
            "collide with another small integer (README: what the checks do not promise)."
        )
