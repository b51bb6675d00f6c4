"""The PDF edition has every chapter, with its worked numbers, as text a reader can search.

Needs ``_build/pdf/loss-functions.pdf`` (``nox -s pdf``, or the tests session) and Debian's
pdftotext (poppler-utils).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from tests.bookcheck import audit
from tests.bookcheck.pages import read_page

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "_build" / "pdf" / "loss-functions.pdf"
CHAPTERS = sorted(
    path
    for path in (ROOT / "book").glob("*.md")
    if not path.stem.startswith("_") and path.stem not in audit.REFERENCE_PAGES
)


@pytest.fixture(scope="module")
def pdf_pages() -> list[str]:
    if not PDF.is_file():
        pytest.fail(f"{PDF} was not printed: run `nox -s pdf` first")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(PDF), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [_comparable(page) for page in text.split("\f")]  # a form feed ends each page


@pytest.fixture(scope="module")
def pdf_text(pdf_pages: list[str]) -> str:
    return "".join(pdf_pages)


def _comparable(text: str) -> str:
    """Text as a PDF holds it is hard to compare: lines break anywhere, hyphens may break
    words, and ligatures (fi) are single characters."""
    text = re.sub(r"^\s*\d+ / \d+\s*$", "", text, flags=re.MULTILINE)  # page footers
    return re.sub(r"[\s\-\u2010\u2011\u00ad]+", "", unicodedata.normalize("NFKC", text))


def _title(page) -> str:
    return _comparable(re.sub(r"[`*$]", "", page.headings[1]))


@pytest.mark.parametrize("path", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_each_chapter_is_in_the_pdf_with_a_worked_number(path, pdf_text):
    page = read_page(path)
    assert _title(page) in pdf_text
    worked = [
        fragment
        for fragment in page.fragments
        if fragment.kind == "prose" and re.search(r"\d\.\d", fragment.text)
    ]
    assert worked, f"{path.name} states no decimal in its prose"
    number = re.search(r"\d+\.\d+", worked[0].text).group()
    assert number in pdf_text, f"{number} from {path.name}:{worked[0].line} is not in the PDF"


@pytest.mark.parametrize("path", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_each_chapter_starts_a_page(path, pdf_pages):
    title = _title(read_page(path))
    assert any(page.startswith(title) for page in pdf_pages), f"{path.name}: no page opens with it"


def _solution_openings(path: Path) -> list[str]:
    """The first words of each solution: its body's first line, up to any math, code or quote
    (which the PDF's text holds differently)."""
    openings = []
    for body in re.findall(
        r"^:{3,}\{solution\}[^\n]*\n(?::\w+:[^\n]*\n)*\n([^\n]+)",
        path.read_text(encoding="utf-8"),
        re.M,
    ):
        opening = _comparable(re.split(r"[$`'’(]", body)[0])
        if len(opening) >= 12:
            openings.append(opening)
    return openings


@pytest.mark.parametrize("path", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_solutions_print_open(path, pdf_text):
    """On screen a solution stays folded until opened; on paper it cannot be opened."""
    openings = _solution_openings(path)
    assert openings, f"{path.name}: no solution to look for"
    folded = [opening for opening in openings if opening not in pdf_text]
    assert not folded, f"{path.name}: solutions missing from the PDF: {folded}"


def test_korean_text_survives_printing(pdf_text):
    assert re.search("[\uac00-\ud7a3]", pdf_text), "no Hangul syllable in the PDF's text"
