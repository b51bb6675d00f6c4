"""The API reference pages document every public lossref function, once."""

from pathlib import Path

import lossref

BOOK = Path(__file__).resolve().parents[1] / "book"
API_PAGES = sorted(BOOK.glob("api-*.md"))  # one per family; book/api.md is their overview


def test_every_public_function_is_documented_once() -> None:
    text = "".join(page.read_text(encoding="utf-8") for page in API_PAGES)
    for name in lossref.__all__:
        assert text.count(f".. autofunction:: lossref.{name}\n") == 1, name


def test_every_public_function_has_a_runnable_example() -> None:
    for name in lossref.__all__:
        doc = getattr(lossref, name).__doc__ or ""
        assert "Examples\n" in doc, f"{name} has no Examples section"
        assert ">>> " in doc, f"{name} has no doctested example"


def test_the_overview_links_every_family_page() -> None:
    overview = (BOOK / "api.md").read_text(encoding="utf-8")
    assert API_PAGES
    for page in API_PAGES:
        assert f"]({page.name})" in overview, page.name
        assert f"\n{page.stem}\n" in overview, f"{page.stem} is not in the overview's toctree"
