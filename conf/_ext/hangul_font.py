"""Serve a Hangul font from the built site, so the glossary's Korean reads everywhere.

The glossary and a few pages quote the Korean source notes. A reader's machine without a Korean
font (a plain Linux install, Debian's chromium on CI) would show empty boxes, and a CDN font
would break the offline site. This extension fetches Noto Sans KR from the npm registry
(``@fontsource/noto-sans-kr``, see npm_assets.py) once into ``_build/vendor``. Fontsource splits
the font into many small woff2 files, each declared with the ``unicode-range`` it covers; the
build copies only those that cover a character the book's pages use, under the family name
``Book Hangul`` that ``book.css`` puts first in the page's font stack. A browser downloads a
file only when a page shows one of its characters, so pages without Korean load nothing extra.

The general index files each Korean glossary term under its first letter as Sphinx finds it,
the leading consonant of the decomposed syllable: a conjoining jamo (U+1100...), which no slice
of the font covers, so the index showed ㄱ, ㄴ... as empty boxes. The index shows the same letters
in their usual, compatibility form (U+3131...), whose slices the build serves.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import shutil
import unicodedata
from pathlib import Path

import tinycss2
from npm_assets import unpack_from_npm
from sphinx.application import Sphinx
from sphinx.config import Config

PACKAGE = "@fontsource/noto-sans-kr"
VERSION = "5.3.0"
FAMILY = "Book Hangul"
STYLESHEET = "hangul/hangul.css"
# The numbered slices hold the Korean glyphs; the latin, cyrillic and vietnamese ones are left
# to the theme's own fonts.
_SLICE = re.compile(r"noto-sans-kr-\d+-400-normal\.woff2")
CJK_START = 0x3000  # CJK punctuation, Hangul jamo and syllables, ideographs, full-width forms


def _font_file(name: str) -> str | None:
    relative = name.removeprefix("package/")
    if relative in {"400.css", "LICENSE"} or _SLICE.fullmatch(Path(relative).name):
        return relative
    return None


# Each compatibility jamo's decomposition is its conjoining form: read backwards, the map from
# the leading consonant Sphinx files a term under to the letter a reader knows.
_AS_WRITTEN = {
    unicodedata.normalize("NFKC", chr(code)): chr(code) for code in range(0x3131, 0x314F)
}


def _index_letter(char: str) -> str:
    return _AS_WRITTEN.get(unicodedata.normalize("NFD", char)[0], char)


def _characters_used(srcdir: Path) -> set[int]:
    used = {
        ord(char)
        for page in srcdir.rglob("*.md")
        for char in page.read_text(encoding="utf-8")
        if ord(char) >= CJK_START
    }
    return used | {ord(_index_letter(chr(code))) for code in used}  # the index's letters


def _index_letters_as_written(app: Sphinx, pagename: str, templatename: str, context, doctree):
    if pagename == "genindex" and "genindexentries" in context:
        # Sphinx's keys are already each term's decomposed first letter (or "Symbols").
        context["genindexentries"] = [
            (_AS_WRITTEN.get(key, key), entries) for key, entries in context["genindexentries"]
        ]


def _slices_for(stylesheet: str, used: set[int]) -> list[tuple[str, str]]:
    """The (woff2 file, unicode-range) of each slice that covers a character in ``used``."""
    chosen = []
    codes = sorted(used)
    for rule in tinycss2.parse_stylesheet(stylesheet, skip_comments=True, skip_whitespace=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face":
            continue
        declarations = {
            item.lower_name: item.value
            for item in tinycss2.parse_blocks_contents(
                rule.content, skip_comments=True, skip_whitespace=True
            )
            if item.type == "declaration"
        }
        files = [
            Path(token.value).name
            for token in declarations.get("src", [])
            if token.type == "url" and _SLICE.fullmatch(Path(token.value).name)
        ]
        # A slice also covers common punctuation and symbols (dashes, arrows, ellipses): the
        # font is declared for its CJK part only, so other text keeps the theme's fonts and a
        # page without Korean downloads no slice.
        ranges = [
            (max(token.start, CJK_START), token.end)
            for token in declarations.get("unicode-range", [])
            if token.type == "unicode-range" and token.end >= CJK_START
        ]
        if files and any(covers(codes, start, end) for start, end in ranges):
            chosen.append((files[0], ", ".join(_range_text(*span) for span in ranges)))
    return chosen


def unicode_ranges(stylesheet: str) -> list[tuple[int, int]]:
    """The characters a stylesheet's fonts cover (their ``unicode-range``)."""
    return [
        (token.start, token.end)
        for rule in tinycss2.parse_stylesheet(stylesheet, skip_comments=True)
        if rule.type == "at-rule"
        for token in rule.content or []
        if token.type == "unicode-range"
    ]


def covers(codes: list[int], start: int, end: int) -> bool:
    """Whether the sorted ``codes`` hold one in [start, end]."""
    i = bisect.bisect_left(codes, start)
    return i < len(codes) and codes[i] <= end


def _range_text(start: int, end: int) -> str:
    return f"U+{start:X}" if start == end else f"U+{start:X}-{end:X}"


def _serve_hangul(app: Sphinx, config: Config) -> None:
    vendor = Path(config.npm_vendor_dir) / f"noto-sans-kr-{VERSION}"
    if not (vendor / "400.css").is_file():
        unpack_from_npm(f"{PACKAGE}@{VERSION}", vendor, _font_file)
    used = _characters_used(Path(app.srcdir))
    # Parsing the font's 124 rules takes a noticeable part of a no-op rebuild: the slices are
    # kept for the characters they were chosen for.
    used_key = hashlib.sha256(repr(sorted(used)).encode()).hexdigest()[:12]
    chosen = vendor / f"slices-{used_key}.json"
    if chosen.is_file():
        slices = [tuple(pair) for pair in json.loads(chosen.read_text(encoding="utf-8"))]
    else:
        slices = _slices_for((vendor / "400.css").read_text(encoding="utf-8"), used)
        chosen.write_text(json.dumps(slices), encoding="utf-8")
    key = hashlib.sha256(repr(sorted(slices)).encode()).hexdigest()[:12]
    static = vendor.with_name(f"hangul-static-{key}")
    if not (static / STYLESHEET).is_file():
        staging = static.with_name(static.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "hangul").mkdir(parents=True)
        shutil.copyfile(vendor / "LICENSE", staging / "hangul" / "LICENSE")  # the OFL's terms
        rules = []
        for name, unicode_range in slices:
            shutil.copyfile(vendor / "files" / name, staging / "hangul" / name)
            rules.append(
                f'@font-face {{\n  font-family: "{FAMILY}";\n  font-style: normal;\n'
                f"  font-weight: 400;\n  font-display: swap;\n"
                f'  src: url("{name}") format("woff2");\n  unicode-range: {unicode_range};\n}}\n'
            )
        header = f"/* Noto Sans KR {VERSION} (SIL Open Font License): the slices the book uses */\n"
        (staging / STYLESHEET).write_text(header + "\n".join(rules), encoding="utf-8")
        staging.rename(static)
    config.html_static_path.append(str(static))
    app.add_css_file(STYLESHEET)


def setup(app: Sphinx) -> dict[str, object]:
    app.setup_extension("npm_assets")
    app.connect("config-inited", _serve_hangul)
    app.connect("html-page-context", _index_letters_as_written)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
