"""Read a MyST page the way MyST does (markdown-it-py with MyST's own configuration).

A page yields its doctest blocks (fenced code whose first line starts with ``>>>``), the
pieces of text in which a reader sees numbers: prose, headings, tables, admonitions and other
directive bodies, figure captions and alt text, and math, and its bound numbers
(``2.9{=L[0]}``, see conf/_ext/bound_numbers.py). Every piece carries its line in the page
(1-based), so failures point at the line a writer has to fix.

A binding is replaced, before parsing, by one private-use character right after its number
(``BOUND_MARK + index``), so a fragment's number followed by such a character is bound to
``page.bindings[index]``. The values a math's symbols take (``{where s = scores}``, see
tests/bookcheck/formulas.py) are replaced the same way, by ``WHERE_MARK + index`` for
``page.wheres[index]``.
"""

from __future__ import annotations

import ast
import doctest
import functools
import importlib.util
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from tests.bookcheck.numbers import find_numbers

ROOT = Path(__file__).resolve().parents[2]
CONF_FILE = ROOT / "conf" / "conf.py"
BINDINGS_FILE = ROOT / "conf" / "_ext" / "bound_numbers.py"
BOUND_MARK = 0xE000  # start of Unicode's private-use area: never written in a page
SOURCE_MARK = 0xF0000  # another private-use plane: where a number is in the page's source
WHERE_MARK = 0x100000  # the last private-use plane: a math's ``{where ...}`` values
UNLOCATE = dict.fromkeys(range(SOURCE_MARK, SOURCE_MARK + 0xFFFE))
UNWHERE = dict.fromkeys(range(WHERE_MARK, WHERE_MARK + 0xFFFE))
# Every mark this module puts in a page's text: shown to a writer, they are dropped.
UNMARK = dict.fromkeys(range(BOUND_MARK, BOUND_MARK + 6400)) | UNLOCATE | UNWHERE

# Directive bodies that are code, not text. Their numbers are computed, not stated.
CODE_DIRECTIVES = {"code-cell", "code-block", "code", "sourcecode", "literalinclude", "raw"}
MATH_DIRECTIVES = {"math"}
# Option values a reader sees as text.
TEXT_OPTIONS = {"caption", "alt", "title"}


@dataclass(frozen=True)
class Fragment:
    """A piece of text that a reader sees, with the page line its first character is on."""

    kind: str  # prose, heading, table, math, caption, directive-title
    text: str
    line: int
    # Math is checked as a whole (tests/bookcheck/arithmetic.py): the math this line is part
    # of, and where in it this line starts.
    block: str | None = None
    offset: int = 0


@dataclass(frozen=True)
class DoctestBlock:
    source: str
    line: int  # page line of the block's first line


@dataclass(frozen=True)
class Binding:
    """A number tied to the expression that computes it: ``2.9{=L[0]}``."""

    number: str  # as written, sign included
    expression: str
    line: int


@dataclass
class WhereValues:
    """The values a math's symbols take: ``{where s = scores; y_i = 0}``."""

    entries: str
    line: int
    math: str = ""  # the math it is written in, without marks; set once the page is read
    math_line: int = 0  # the page line that math starts on


@dataclass
class Page:
    path: Path
    doctests: list[DoctestBlock] = field(default_factory=list)
    fragments: list[Fragment] = field(default_factory=list)
    exemptions: list[Fragment] = field(default_factory=list)  # {nocheck} role contents
    glued: list[Fragment] = field(default_factory=list)  # {glue} insertions of computed output
    bindings: list[Binding] = field(default_factory=list)
    wheres: list[WhereValues] = field(default_factory=list)
    # With ``read_page(..., locate=True)``: the source span of each number a fragment shows.
    spans: list[tuple[int, int]] = field(default_factory=list)

    def binding_after(self, text: str, end: int) -> Binding | None:
        """The binding of the number that ends at ``text[end]``, if it is bound."""
        if end < len(text) and BOUND_MARK <= ord(text[end]) < BOUND_MARK + len(self.bindings):
            return self.bindings[ord(text[end]) - BOUND_MARK]
        return None

    def wheres_in(self, math: str) -> list[WhereValues]:
        """The ``{where ...}`` lists written in this math."""
        return [
            self.wheres[ord(char) - WHERE_MARK]
            for char in math
            if WHERE_MARK <= ord(char) < WHERE_MARK + len(self.wheres)
        ]

    def source_span(self, text: str, end: int) -> tuple[int, int] | None:
        """Where in the page's source the number ending at ``text[end]`` is written."""
        if self.binding_after(text, end) is not None:
            end += 1
        while end < len(text) and WHERE_MARK <= ord(text[end]) < WHERE_MARK + len(self.wheres):
            end += 1  # ``\ln 10{where ...}``: the values, then the number's source mark
        if end < len(text) and SOURCE_MARK <= ord(text[end]) < SOURCE_MARK + len(self.spans):
            return self.spans[ord(text[end]) - SOURCE_MARK]
        return None


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
    config = MdParserConfig(enable_extensions=set(myst_extensions()))
    return create_md_parser(config, RendererHTML)


@functools.cache
def _bindings_extension():
    spec = importlib.util.spec_from_file_location("bound_numbers", BINDINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def binding_syntax():
    """The regular expression the build uses to strip bindings, from the extension itself."""
    return _bindings_extension().BINDING


def where_syntax():
    """The regular expression the build uses to strip ``{where ...}`` lists."""
    return _bindings_extension().WHERE


def read_page(path: Path, text: str | None = None, *, locate: bool = False) -> Page:
    """Read a page. With ``locate``, every number also records where the source writes it
    (``Page.source_span``), so a test can edit exactly the number a fragment shows."""
    page = Page(path=path)
    source = path.read_text(encoding="utf-8") if text is None else text
    _walk(page, parser().parse(_mark(page, source, locate)), line_offset=0)
    for fragment in page.fragments:
        if fragment.kind == "math":
            for where in page.wheres_in(fragment.block):
                where.math = fragment.block.translate(UNMARK)
                where.math_line = fragment.line - fragment.block.count("\n", 0, fragment.offset)
    return page


def _mark(page: Page, source: str, locate: bool) -> str:
    """Replace each binding by its mark and, with ``locate``, put a source mark after each
    number (after its binding mark, if it has one)."""
    bindings = list(binding_syntax().finditer(source))
    wheres = list(where_syntax().finditer(source))
    binding_at = {match.start(): match for match in bindings}
    where_at = {match.start(): match for match in wheres}
    inside = [(match.start(), match.end()) for match in bindings + wheres]
    numbers = []
    if locate:
        numbers = [
            number
            for number in find_numbers(source, prose=True)
            if not any(start <= number.start < end for start, end in inside)
            and not _is_list_marker(source, number)
        ]
    number_ending_at = {number.end: number for number in numbers}
    events = sorted(set(binding_at) | set(where_at) | set(number_ending_at))
    pieces, position = [], 0
    for at in events:
        if at in where_at:  # values for a math's symbols: a mark in the math
            pieces.append(source[position:at])
            pieces.append(chr(WHERE_MARK + len(page.wheres)))
            line = source.count("\n", 0, at) + 1
            page.wheres.append(WhereValues(where_at[at]["entries"].strip(), line))
            position = where_at[at].end()
            if at in number_ending_at:
                pieces.append(_source_mark(page, number_ending_at[at]))
        elif at in binding_at:  # a binding: its mark replaces it, the number's source mark follows
            pieces.append(source[position:at])
            pieces.append(chr(BOUND_MARK + len(page.bindings)))
            page.bindings.append(_binding(source, binding_at[at]))
            position = binding_at[at].end()
            if at in number_ending_at:
                pieces.append(_source_mark(page, number_ending_at[at]))
        else:  # an unbound number: its source mark follows it
            pieces.append(source[position:at])
            pieces.append(_source_mark(page, number_ending_at[at]))
            position = at
    pieces.append(source[position:])
    return "".join(pieces)


# "1. " opening an ordered list item is markup; a mark after its digits would undo the list.
_LIST_NUMBER = re.compile(r"[ \t>]*\d+[.)](?:[ \t]|$)")


def _is_list_marker(source: str, number) -> bool:
    marker = _LIST_NUMBER.match(source, source.rfind("\n", 0, number.start) + 1)
    return marker is not None and number.start < marker.end()


def _source_mark(page: Page, number) -> str:
    page.spans.append((number.start, number.end))
    return chr(SOURCE_MARK + len(page.spans) - 1)


def _binding(source: str, match) -> Binding:
    line_start = source.rfind("\n", 0, match.start()) + 1
    before = source[line_start : match.start()]
    number = [found for found in find_numbers(before, prose=True) if found.end == len(before)]
    written = number[-1].text if number else before[-1:]
    line = source.count("\n", 0, match.start()) + 1
    return Binding(written, match["expression"].strip(), line)


def _walk(page: Page, tokens: list[Token], line_offset: int) -> None:
    kind_stack: list[str] = []
    for token in tokens:
        first_line = line_offset + (token.map[0] if token.map else 0)
        if token.type in {"heading_open", "table_open"}:
            kind_stack.append("heading" if token.type == "heading_open" else "table")
        elif token.type in {"heading_close", "table_close"}:
            kind_stack.pop()
        elif token.type == "inline":
            _inline(page, token, first_line, kind_stack[-1] if kind_stack else "prose")
        elif token.type in {"math_block", "math_block_label", "amsmath"}:
            _add_lines(page.fragments, "math", token.content, first_line)
        elif token.type in {"fence", "colon_fence"}:
            _fence(page, token, first_line)
        elif token.type in {"html_block"}:
            _add_lines(page.fragments, "prose", token.content, first_line)


def _inline(page: Page, token: Token, first_line: int, kind: str) -> None:
    line = first_line
    for child in token.children or []:
        if child.type in {"softbreak", "hardbreak"}:
            line += 1
        elif child.type == "text":
            page.fragments.append(Fragment(kind, child.content, line + 1))
        elif child.type == "math_inline" or child.type == "math_inline_double":
            page.fragments.append(Fragment("math", child.content, line + 1, child.content))
        elif child.type == "image":
            alt = "".join(grandchild.content for grandchild in child.children or [])
            page.fragments.append(Fragment("caption", alt, line + 1))
        elif child.type == "myst_role":
            role = child.meta.get("name", "")
            fragment = Fragment(kind, child.content, line + 1)
            if role == "nocheck":
                page.exemptions.append(fragment)
            elif role.startswith("glue"):
                page.glued.append(fragment)
            elif role == "math":
                page.fragments.append(Fragment("math", child.content, line + 1, child.content))
        line += child.content.count("\n") if child.type != "text" else 0


def _fence(page: Page, token: Token, first_line: int) -> None:
    body_line = first_line + 1  # the body starts on the line after the opening fence
    info = token.info.strip()
    if not info.startswith("{"):
        if token.content.lstrip().startswith(">>>"):
            page.doctests.append(DoctestBlock(token.content.translate(UNLOCATE), body_line + 1))
            _doctest_comments(page, token.content, body_line + 1)
        return
    name, _, argument = info[1:].partition("}")
    name, argument = name.strip(), argument.strip()
    options, body, body_line = _split_options(token.content, body_line)
    if name in CODE_DIRECTIVES:
        _option_text(page, options, first_line + 1)
        if name == "code-cell":
            _code_comments(page, body, body_line + 1)
        return
    if argument:
        page.fragments.append(Fragment("directive-title", argument, first_line + 1))
    _option_text(page, options, first_line + 1)
    if name in MATH_DIRECTIVES:
        _add_lines(page.fragments, "math", body, body_line)
    elif name in {"figure", "image"}:
        _walk_caption(page, body, body_line)
    else:
        _walk(page, parser().parse(body), line_offset=body_line)


def _doctest_comments(page: Page, content: str, first_line: int) -> None:
    """A comment in a doctest is prose a reader takes at its word: ``# all scores near 0``."""
    located = content.split("\n")
    for example in doctest.DocTestParser().get_examples(content.translate(UNLOCATE)):
        prompt = example.indent + len(">>> ")
        for row, column in comments(example.source):
            line = example.lineno + row
            page.fragments.append(_comment(located[line], prompt + column, first_line + line, page))


def _code_comments(page: Page, code: str, first_line: int) -> None:
    """A comment in a code cell, like one in a doctest, states what it says."""
    located = code.split("\n")
    for row, column in comments(code.translate(UNLOCATE)):
        page.fragments.append(_comment(located[row], column, first_line + row, page))


def comments(code: str) -> Iterator[tuple[int, int]]:
    """Where Python's tokenizer finds comments: zero-based row and column."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return  # the doctest run or the build reports code that does not parse
    for token in tokens:
        if token.type == tokenize.COMMENT:
            yield token.start[0] - 1, token.start[1]


def _comment(line: str, column: int, line_number: int, page: Page) -> Fragment:
    """The comment starting at ``column`` of the unmarked line, cut from the marked line: a
    source mark after a number is not a character the tokenizer saw."""
    seen, position = 0, 0
    while seen < column:
        if not SOURCE_MARK <= ord(line[position]) < SOURCE_MARK + 0xFFFE:
            seen += 1
        position += 1
    return Fragment("comment", line[position:], line_number)


def _walk_caption(page: Page, body: str, body_line: int) -> None:
    before = len(page.fragments)
    _walk(page, parser().parse(body), line_offset=body_line)
    page.fragments[before:] = [
        Fragment("caption", fragment.text, fragment.line) for fragment in page.fragments[before:]
    ]


def _split_options(content: str, body_line: int) -> tuple[dict, str, int]:
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
        options[key.strip()] = value.strip()
        count += 1
    return options, "".join(lines[count:]), body_line + count


def _option_text(page: Page, options: object, line: int) -> None:
    for key, value in _walk_options(options):
        if key in TEXT_OPTIONS and isinstance(value, str):
            page.fragments.append(Fragment("caption", value, line))


def _walk_options(options: object) -> Iterator[tuple[str, object]]:
    if isinstance(options, dict):
        for key, value in options.items():
            yield str(key), value
            yield from _walk_options(value)
    elif isinstance(options, list):
        for item in options:
            yield from _walk_options(item)


def _add_lines(fragments: list[Fragment], kind: str, content: str, first_line: int) -> None:
    block = content if kind == "math" else None
    start = 0
    for index, text in enumerate(content.split("\n")):
        if text.strip():
            fragments.append(Fragment(kind, text, first_line + index + 1, block, start))
        start += len(text) + 1
