"""pytest plugin: each book page gives a doctest item and an audit item; each lossref module
gives one doctest item per docstring with examples. All use the rounding output checker."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from . import audit, doctests
from .pages import ROOT, read_page

BOOK = ROOT / "book"
PACKAGE = ROOT / "lossref"
_AUDIT_RESULTS: list[audit.AuditResult] = []


class CheckFailed(Exception):
    """A doctest or audit failure; its message already names the file, line and number."""


README = ROOT / "README.md"


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix == ".md" and file_path.is_relative_to(BOOK):
        return BookPage.from_parent(parent, path=file_path)
    if file_path == README:  # its examples are run; it is not a book page, so not audited
        return BookPage.from_parent(parent, path=file_path, audited=False)
    if file_path.suffix == ".py" and file_path.is_relative_to(PACKAGE):
        return PackageModule.from_parent(parent, path=file_path)
    return None


class CheckItem(pytest.Item):
    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, self.name


def _raise_failures(failures: list) -> None:
    if failures:
        raise CheckFailed("\n\n".join(str(failure) for failure in failures))


class BookPage(pytest.File):
    def __init__(self, *, audited: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.audited = audited

    def collect(self):
        page = read_page(self.path)
        # The README shows the binding syntax in code spans; only book pages bind numbers.
        bindings = page.bindings if self.audited else []
        wheres = page.wheres if self.audited else []
        if page.doctests or bindings or wheres:
            yield PageDoctest.from_parent(
                self, name="doctest", page=page, bindings=bindings, wheres=wheres
            )
        if self.audited:
            yield PageAudit.from_parent(self, name="audit", page=page)


class PageDoctest(CheckItem):
    def __init__(self, *, page, bindings, wheres, **kwargs):
        super().__init__(**kwargs)
        self.page = page
        self.bindings = bindings
        self.wheres = wheres

    def runtest(self):
        test = doctests.page_doctest(self.page, name=audit.display_path(self.path))
        _raise_failures(doctests.run(test, self.bindings, self.wheres))


class PageAudit(CheckItem):
    def __init__(self, *, page, **kwargs):
        super().__init__(**kwargs)
        self.page = page

    def runtest(self):
        result = audit.audit_page(self.page)
        _AUDIT_RESULTS.append(result)
        _raise_failures(result.unchecked)


class PackageModule(pytest.File):
    def collect(self):
        relative = self.path.relative_to(ROOT).with_suffix("")
        module_name = ".".join(relative.parts).removesuffix(".__init__")
        module = importlib.import_module(module_name)
        finder = doctest.DocTestFinder(exclude_empty=True)
        for test in finder.find(module, module_name):
            if test.examples and test.filename == str(self.path):
                yield DocstringDoctest.from_parent(self, name=test.name, test=test)


class DocstringDoctest(CheckItem):
    def __init__(self, *, test, **kwargs):
        super().__init__(**kwargs)
        self.test = test

    def runtest(self):
        _raise_failures(doctests.run(self.test))


def pytest_terminal_summary(terminalreporter):
    if _AUDIT_RESULTS:
        terminalreporter.section("worked-number audit")
        terminalreporter.write_line(audit.report(_AUDIT_RESULTS))
