"""Read a MyST page the way MyST does (markdown-it-py with MyST's own configuration).

A page yields, in page order, its code (doctest blocks and ``{code-cell}`` cells, nested
directives included) and the text a reader sees (prose, headings, tables, admonitions and other
directive bodies, captions and alt text, and math). Every piece carries its 1-based page line
and the section it belongs to (a section is the text between two headings), so a failure points
at the line a writer has to fix, and a number is checked against what its own section computes.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

ROOT = Path(__file__).resolve().parents[2]
CONF_FILE = ROOT / "conf" / "conf.py"

# Directive bodies that are code, not text: their numbers are computed, not stated.
CODE_DIRECTIVES = {"code-cell", "code-block", "code", "sourcecode", "literalinclude", "raw"}
# Directive bodies that are not MyST to read: bibliography options, toctree entries.
SKIPPED_DIRECTIVES = {"toctree", "bibliography", "eval-rst"}
TEXT_OPTIONS = {"caption", "alt", "title"}  # option values a reader sees as text
MATH_TOKENS = {"math_block", "math_block_label", "amsmath"}
INLINE_MATH = {"math_inline", "math_inline_double"}


@dataclass(frozen=True)
class Math:
    text: str
    line: int  # page line of the math's first line
    section: int
    label: str | None = None  # a display equation's MyST label: ``$$ ... $$ (label)``


@dataclass(frozen=True)
class Fragment:
    """A piece of text a reader sees. Math is one fragment per formula."""

    kind: str  # prose, heading, table, caption, math
    text: str
    line: int
    section: int
    math: Math | None = None

    def line_of(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)


@dataclass(frozen=True)
class Code:
    """A doctest block or a code cell, as the page runs them."""

    kind: str  # doctest or cell
    source: str
    line: int  # page line of the first line of source
    section: int
    tags: tuple[str, ...] = ()

    @property
    def removed(self) -> bool:
        return "remove-cell" in self.tags


@dataclass
class Page:
    path: Path
    source: str
    code: list[Code] = field(default_factory=list)
    fragments: list[Fragment] = field(default_factory=list)
    headings: list[str] = field(default_factory=lambda: ["(top of page)"])
    prose_words: int = 0

    @property
    def doctests(self) -> list[Code]:
        return [code for code in self.code if code.kind == "doctest"]

    @property
    def equations(self) -> dict[str, Math]:
        return {
            fragment.math.label: fragment.math
            for fragment in self.fragments
            if fragment.math is not None and fragment.math.label
        }

    @property
    def checking_characters(self) -> int:
        """Characters of code that only checks: cells removed from the rendered page."""
        return sum(len(code.source) for code in self.code if code.removed)


@functools.cache
def myst_extensions() -> frozenset[str]:
    """The MyST extensions conf.py enables, read without running conf.py."""
    for node in ast.parse(CONF_FILE.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "myst_enable_extensions"
            for target in node.targets
        ):
            return frozenset(ast.literal_eval(node.value))
    raise LookupError(f"{CONF_FILE} does not set myst_enable_extensions")


@functools.cache
def parser() -> MarkdownIt:
    return create_md_parser(MdParserConfig(enable_extensions=set(myst_extensions())), RendererHTML)


def read_page(path: Path, text: str | None = None) -> Page:
    source = path.read_text(encoding="utf-8") if text is None else text
    page = Page(path=path, source=source)
    _Reader(page).walk(parser().parse(source), line_offset=0)
    return page


class _Reader:
    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def section(self) -> int:
        return len(self.page.headings) - 1

    def text(self, kind: str, text: str, line: int, math: Math | None = None) -> None:
        self.page.fragments.append(Fragment(kind, text, line, self.section, math))

    def walk(self, tokens: list[Token], line_offset: int) -> None:
        kinds: list[str] = []
        for token in tokens:
            line = line_offset + (token.map[0] if token.map else 0) + 1
            if token.type in {"heading_open", "table_open"}:
                if token.type == "heading_open":
                    self.page.headings.append("")
                kinds.append("heading" if token.type == "heading_open" else "table")
            elif token.type in {"heading_close", "table_close"}:
                kinds.pop()
            elif token.type == "inline":
                kind = kinds[-1] if kinds else "prose"
                if kind == "heading":
                    self.page.headings[-1] = token.content
                self.inline(token, line, kind)
            elif token.type in MATH_TOKENS:
                label = token.info.strip() or None if token.type == "math_block_label" else None
                math = Math(token.content, line + 1, self.section, label)
                self.text("math", token.content, line + 1, math)
            elif token.type in {"fence", "colon_fence"}:
                self.fence(token, line)
            elif token.type == "html_block":
                self.text("prose", token.content, line)

    def inline(self, token: Token, line: int, kind: str) -> None:
        for child in token.children or []:
            if child.type in {"softbreak", "hardbreak"}:
                line += 1
            elif child.type == "text":
                self.text(kind, child.content, line)
                self.page.prose_words += len(child.content.split())
            elif child.type in INLINE_MATH or (
                child.type == "myst_role" and child.meta.get("name") == "math"
            ):
                self.text("math", child.content, line, Math(child.content, line, self.section))
                self.page.prose_words += 1
            elif child.type == "image":
                alt = "".join(grandchild.content for grandchild in child.children or [])
                self.text("caption", alt, line)
            elif child.type in {"code_inline", "myst_role"}:
                self.page.prose_words += 1
            if child.type != "text":
                line += child.content.count("\n")

    def fence(self, token: Token, line: int) -> None:
        body_line = line + 1  # the body starts on the line after the opening fence
        info = token.info.strip()
        if not info.startswith("{"):
            if token.content.lstrip().startswith(">>>"):
                self.page.code.append(Code("doctest", token.content, body_line, self.section))
            return
        name, _, argument = info[1:].partition("}")
        name, argument = name.strip(), argument.strip()
        options, body, body_line = split_options(token.content, body_line)
        for key, value in _walk_options(options):
            if key in TEXT_OPTIONS and isinstance(value, str):
                self.text("caption", value, line)
        if name == "code-cell":
            tags = tuple(options.get("tags", ())) if isinstance(options, dict) else ()
            self.page.code.append(Code("cell", body, body_line, self.section, tags))
        if name in CODE_DIRECTIVES or name in SKIPPED_DIRECTIVES:
            return
        if argument and name not in {"solution", "figure", "image"}:  # not a label or a path
            self.text("heading" if name == "exercise" else "caption", argument, line)
        if name == "math":
            self.text("math", body, body_line, Math(body, body_line, self.section))
        else:
            self.walk(parser().parse(body), line_offset=body_line - 1)


def split_options(content: str, body_line: int) -> tuple[dict, str, int]:
    """Separate a directive's options (``:key: value`` lines or a YAML block) from its body."""
    lines = content.splitlines(keepends=True)
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() == "---":
                options = yaml.safe_load("".join(lines[1:end])) or {}
                return options, "".join(lines[end + 1 :]), body_line + end + 1
    options = {}
    count = 0
    for line in lines:
        stripped = line.strip()
        if not (stripped.startswith(":") and stripped.count(":") >= 2):
            break
        key, _, value = stripped[1:].partition(":")
        value = value.strip()
        options[key.strip()] = yaml.safe_load(value) if value.startswith("[") else value
        count += 1
    return options, "".join(lines[count:]), body_line + count


def _walk_options(options: object) -> Iterator[tuple[str, object]]:
    if isinstance(options, dict):
        for key, value in options.items():
            yield str(key), value
            yield from _walk_options(value)
    elif isinstance(options, list):
        for item in options:
            yield from _walk_options(item)
