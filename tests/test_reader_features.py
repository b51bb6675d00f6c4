"""What a reader of an executable book expects, checked in a real Chromium: copy buttons copy
runnable code, each chapter offers its notebook, citations lead to the bibliography, solutions
stay hidden until opened, and equations are referred to by their numbers.

Needs ``_build/html`` (``nox -s docs``) and Debian's ``chromium``.
"""

from __future__ import annotations

import re

import pytest

from tests.bookcheck.audit import REFERENCE_PAGES
from tests.bookcheck.pages import read_page
from tests.test_site_browser import (  # noqa: F401 (fixtures)
    EVERYTHING_LAID_OUT,
    ROOT,
    browser,
    chromium,
    server,
)

pytestmark = pytest.mark.browser

CHAPTERS = sorted(
    path.stem
    for path in (ROOT / "book").glob("*.md")
    if not path.stem.startswith("_")
    and path.stem not in REFERENCE_PAGES
    and "```{code-cell}" in path.read_text(encoding="utf-8")
)


@pytest.fixture(scope="module", params=CHAPTERS)
def chapter(request, browser, server):  # noqa: F811 (fixtures)
    """One chapter, loaded once for all the checks below (pytest groups them by chapter)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.goto(f"{server}/{request.param}.html", wait_until="networkidle")
    page.stem = request.param
    yield page
    context.close()


def test_copy_button_copies_a_doctest_without_prompts_or_output(chapter):
    """What a reader pastes at Python's prompt: the code, and the blank lines (bare ``...``)
    that end compound statements; shown on the chapter's first block that has one."""
    blocks = read_page(ROOT / "book" / f"{chapter.stem}.md").doctests
    assert chapter.locator("div.highlight-pycon").count() == len(blocks)
    shown = chapter.evaluate(  # not in a solution, which stays hidden until opened
        "Array.from(document.querySelectorAll('div.highlight-pycon'), b => !b.closest('.solution'))"
    )
    ended = [
        i for i, code in enumerate(blocks) if shown[i] and re.search(r"^\.\.\.$", code.source, re.M)
    ]
    index = ended[0] if ended else 0
    expected = [
        found.group(3)
        for line in blocks[index].source.splitlines()
        if (found := re.match(r"(>>>|\.\.\.)( |$)(.*)", line))
    ]
    block = chapter.locator("div.highlight-pycon").nth(index)
    block.hover()
    block.locator("button.copybtn").click()
    copied = chapter.evaluate("navigator.clipboard.readText()")
    assert ">>>" not in copied
    assert copied.strip("\n") == "\n".join(expected).strip("\n")


def test_each_chapter_links_its_notebook(chapter, server):  # noqa: F811
    link = chapter.locator(f'a[href$="_sources/{chapter.stem}.ipynb"]')
    assert link.count() == 1, "the download menu offers the notebook"
    response = chapter.request.get(f"{server}/_sources/{chapter.stem}.ipynb")
    assert response.status == 200
    assert response.json()["nbformat"] == 4


def test_solutions_are_hidden_until_opened(chapter):
    exercises = chapter.locator("article .exercise")
    solutions = chapter.locator("article .solution")
    assert exercises.count() >= 3, f"{chapter.stem} ends with at least three exercises"
    assert solutions.count() >= 1
    solution = solutions.first
    # On screen first: the browser lays out only the sections near it (content-visibility), and
    # what it has not laid out counts as hidden, opened or not.
    solution.scroll_into_view_if_needed()
    body = solution.locator(".admonition-body, section, div.highlight, p").last
    assert not body.is_visible(), "a solution is hidden until the reader opens it"
    # The button, at the title's end: the middle of the title may be its link to the exercise.
    solution.locator(".toggle-button").click()
    body.wait_for(state="visible", timeout=5_000)


def test_equations_are_referred_to_by_number(chapter):
    chapter.add_style_tag(content=EVERYTHING_LAID_OUT)  # or those off screen show no text
    numbers = chapter.locator("article .eqno").all_inner_texts()
    assert numbers, f"{chapter.stem} numbers its display equations"
    references = chapter.locator("article a[href*='#equation-']:not(.headerlink)")
    # Permalinks are links to equations too, but show no text until hovered.
    texts = [text.strip() for text in references.all_inner_texts() if text.strip()]
    assert texts, f"{chapter.stem} refers to an equation by its number"
    for text in texts:
        assert re.fullmatch(r"\(?\d+\)?", text), f"a reference shows a number, not {text!r}"


# Last, since it leaves the chapter.
def test_citations_lead_to_the_bibliography(chapter):
    citations = chapter.locator("article a[href*='bibliography.html#']")
    assert citations.count() >= 1, f"{chapter.stem} cites its sources"
    citations.first.click()
    chapter.wait_for_load_state("load")
    assert chapter.url.split("#")[0].endswith("bibliography.html")
    target = chapter.url.split("#")[1]
    assert chapter.locator(f"[id='{target}']").count() == 1
