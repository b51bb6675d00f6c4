"""The API reference page documents every public lossref function, once."""

from pathlib import Path

import lossref

API_PAGE = Path(__file__).resolve().parents[1] / "book" / "api.md"


def test_every_public_function_is_documented_once() -> None:
    text = API_PAGE.read_text(encoding="utf-8")
    for name in lossref.__all__:
        assert text.count(f".. autofunction:: lossref.{name}\n") == 1, name


def test_every_public_function_has_a_runnable_example() -> None:
    for name in lossref.__all__:
        doc = getattr(lossref, name).__doc__ or ""
        assert "Examples\n" in doc, f"{name} has no Examples section"
        assert ">>> " in doc, f"{name} has no doctested example"
