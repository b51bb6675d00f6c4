"""Worked arithmetic in math checks itself.

In ``\\max(0,\\; 5.1 - 3.2 + 1) = \\max(0,\\; 2.9) = 2.9`` every side of the chain is plain
arithmetic on numbers, so the chain can be evaluated (sympy's LaTeX parser) and each relation
tested: a side that is one number must be the neighbouring side's value rounded to its digits
(an integer after ``=`` is exact, as far as the other side's rounded floats allow), and two
expressions must agree within what the later one's rounded floats allow. A relation
that fails is a wrong equation on the page. Two sides of the same shape are also read part by
part (``\\max(0,\\; -1.7 - 3.2 + 1) = \\max(0,\\; -3.9)`` says ``-1.7 - 3.2 + 1 = -3.9``), so
a wrong step stays wrong when a max or a product hides it from the total.

A number in such a chain is *pinned* when changing it (its last digit one up or one down, or
the sign it is written with) breaks a relation: it cannot be edited without the audit noticing.
A number the chain does not see, such as the ``-3.9`` inside ``\\max(0,\\; -3.9) = 0``, is not
pinned and must be checked like any other stated value (tests/bookcheck/audit.py).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from .numbers import NUMBER, as_decimal, find_numbers, rounds_to

# Separators at brace depth 0. Relations join the sides of a chain; the others end a chain.
_TOKEN = re.compile(
    r"\\[,;:! ]|\\\\|\\approx|\\quad|\\qquad|\\begin\{[^}]*\}|\\end\{[^}]*\}|\\text\{[^}]*\}"
    r"|\\(?:le|ge|leq|geq|ne|neq|in|to|mapsto|Rightarrow|implies|iff|lt|gt)(?![A-Za-z])"
    r"|[=<>,;&{}()\[\]]"
)


@dataclass(frozen=True)
class Side:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Relation:
    left: Side
    right: Side
    approximate: bool = False  # ``\\approx`` rather than ``=``
    comparison: str | None = None  # ``<``, ``\\le``, ...: an inequality (see ``relations``)


# Inequalities, as ``relations(..., inequalities=True)`` reads them.
INEQUALITIES = {"<", ">", "\\le", "\\ge", "\\leq", "\\geq", "\\lt", "\\gt"}


def relations(math_text: str, *, inequalities: bool = False) -> list[Relation]:
    """The ``=`` and ``\\approx`` relations between neighbouring sides, in order; with
    ``inequalities``, also ``<``, ``\\le`` and the like. Worked arithmetic states equalities;
    a formula checked with values (tests/bookcheck/formulas.py) can state either."""
    pieces: list[tuple[Side, str | None]] = []  # each side with the separator after it
    depth, side_start = 0, 0
    for match in _TOKEN.finditer(math_text):
        token = match.group()
        if token in "{([":
            depth += 1
        elif token in "})]":
            depth -= 1
        elif depth == 0 and not _is_spacing(token):
            pieces.append((_side(math_text, side_start, match.start()), token))
            side_start = match.end()
    pieces.append((_side(math_text, side_start, len(math_text)), None))

    joining = {"=", "\\approx"} | (INEQUALITIES if inequalities else set())
    found: list[Relation] = []
    previous, related, approximate, comparison = None, False, False, None
    for index, (side, separator) in enumerate(pieces):
        if side.text:
            if related and previous is not None:
                found.append(Relation(previous, side, approximate, comparison))
            previous, related = side, False
        if separator in joining:
            related, approximate = True, separator == "\\approx"
            comparison = separator if separator in INEQUALITIES else None
        elif separator == "\\\\":
            # A row break continues the chain only when the next row opens with a relation.
            following = pieces[index + 1] if index + 1 < len(pieces) else None
            if not (following and not following[0].text and following[1] in {"=", "\\approx"}):
                previous, related = None, False
        elif separator is not None:
            previous, related = None, False
    return found


def _is_spacing(token: str) -> bool:
    return token == "&" or token.startswith("\\text") or (len(token) == 2 and token[1] in ",;:! ")


def _side(math_text: str, start: int, end: int) -> Side:
    raw = math_text[start:end].replace("&", " ")  # alignment marks; same length keeps offsets
    stripped = raw.strip().rstrip(".,").strip()
    offset = start + (len(raw) - len(raw.lstrip()))
    return Side(offset, offset + len(stripped), stripped)


# LaTeX commands that arithmetic on numbers may use; any other command makes a side a formula.
_ARITHMETIC_COMMANDS = {
    "max",
    "min",
    "frac",
    "dfrac",
    "tfrac",
    "ln",
    "log",
    "exp",
    "sqrt",
    "cdot",
    "times",
    "left",
    "right",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "big",
    "Big",
    "lvert",
    "rvert",
}
_COMMAND = re.compile(r"\\([A-Za-z]+)")


@dataclass(frozen=True)
class Arithmetic:
    """A side of a relation with its numbers turned into symbols: parsed once, then evaluated
    for the numbers as written or for any edit of them."""

    text: str
    starts: tuple[int, ...]  # where each number starts in the side, sign included
    written: tuple[str, ...]  # each number as it enters the arithmetic
    symbols: tuple
    expression: object  # a sympy expression in ``symbols``

    @property
    def one_number(self) -> int | None:
        """Which number the side is, when it is one number and nothing else."""
        if self.expression in self.symbols:
            return self.symbols.index(self.expression)
        return None

    def first_number(self) -> int | None:
        """Where the side's first number is in the text; None when it has none."""
        indices = [self.symbols.index(symbol) for symbol in self.expression.free_symbols]
        return min(indices, default=None)

    def value(self, written: tuple[str, ...] | None = None) -> float | None:
        import sympy

        numbers = {
            symbol: sympy.Float(str(as_decimal(text)), 30)
            for symbol, text in zip(self.symbols, written or self.written, strict=True)
        }
        try:
            value = complex(self.expression.xreplace(numbers).evalf(30))
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        if value.imag or not math.isfinite(value.real):
            return None
        return value.real

    def uncertainty(self, written: tuple[str, ...] | None = None) -> float:
        """How far the value can be from exact because its floats are rounded: each float
        written to d places may be off by half a unit in its last place (integers are exact)."""
        written = written or self.written
        base = self.value(written)
        total = 0.0
        for index, text in enumerate(written):
            number = as_decimal(text)
            if "." not in text and "e" not in text.lower():
                continue
            moved = list(written)
            moved[index] = str(number + Decimal(5).scaleb(number.as_tuple().exponent - 1))
            shifted = self.value(tuple(moved))
            if shifted is not None and base is not None:
                total += abs(shifted - base)
        return total


@functools.cache
def arithmetic_of(text: str) -> Arithmetic | None:
    """The side as arithmetic on numbers, or None when it is a formula (or not readable)."""
    commands = set(_COMMAND.findall(text))
    if not text or not commands <= _ARITHMETIC_COMMANDS:
        return None
    if re.search(r"[A-DF-Za-df-z]|E", _COMMAND.sub(" ", text)):
        return None  # a letter other than Euler's e: a symbol, so a formula
    template, starts, written, position = [], [], [], 0
    for index, number in enumerate(find_numbers(text, prose=True)):
        start, body = operand(text, number)
        template.append(text[position:start])
        template.append(f"{{z_{{{index}}}}}")
        starts.append(number.start)
        written.append(body)
        position = number.end
    template.append(text[position:])
    parsed = _parse(_conventional("".join(template)), len(written))
    if parsed is None:
        return None
    arithmetic = Arithmetic(text, tuple(starts), tuple(written), *parsed)
    return arithmetic if arithmetic.value() is not None else None


def operand(text: str, number) -> tuple[int, str]:
    """Where the number starts as an operand, and how it is written (ASCII minus): in
    ``5.1 -3.2`` the minus is an operator, and the operand is ``3.2``."""
    start, body = number.start, number.text.replace("\u2212", "-")
    before = text[: number.start].rstrip()
    if body[0] in "+-" and before and (before[-1].isalnum() or before[-1] in ")]}"):
        return start + 1, body[1:]
    return start, body


# Rewrites that leave the arithmetic as a reader reads it but as sympy's grammar can take it.
_READINGS = [
    # ``\\bigl( ... \\bigr)`` size a parenthesis, as ``\\left( ... \\right)`` does.
    (re.compile(r"\\[Bb]ig{1,2}l(?![a-z])"), r"\\left"),
    (re.compile(r"\\[Bb]ig{1,2}r(?![a-z])"), r"\\right"),
    # ``\\lvert x \\rvert`` is the absolute value ``|x|``.
    (re.compile(r"\\[lr]vert(?![a-z])"), "|"),
    # ``2 (0.1 - 1)``: a product written by juxtaposition.
    (re.compile(r"(\{z_\{\d+\}\}|\))\s*(?=\(|\\left\()"), r"\1 \\cdot "),
]


def _closest_reading(readings: list) -> object:
    """Of the ways the grammar can read a side, the one a reader means: a function written
    without parentheses takes as little as it can (``\\ln 0.4 + \\ln 0.1`` adds two logs, and
    ``\\ln 0.3 \\cdot 0`` is a log times 0). None when that still leaves two values."""
    import sympy

    def reach(expression) -> int:
        return sum(
            sympy.count_ops(argument)
            for function in expression.atoms(sympy.Function)
            for argument in function.args
        )

    readings = [reading for reading in readings if isinstance(reading, sympy.Basic)]
    if not readings:
        return None
    least = min(reach(reading) for reading in readings)
    closest = {reading for reading in readings if reach(reading) == least}
    return closest.pop() if len(closest) == 1 else None


def _conventional(template: str) -> str:
    for pattern, replacement in _READINGS:
        template = pattern.sub(replacement, template)
    return template


# What sympy's LaTeX grammar reads each number's placeholder ``{z_{n}}`` as: one letter, Euler's
# e and the imaginary unit aside. The Earley parser takes about half as long as with
# ``z_{n}``, which also stops at ``z_{10}`` (a subscript of two digits is not in the grammar).
_LETTERS = "abcfghjklmnopqrstuvwxyzABCDFGHJKLMNOPQRSTUVWXYZ"
_PLACEHOLDER = re.compile(r"\{z_\{(\d+)\}\}")


@functools.cache
def _parse(template: str, count: int) -> tuple[tuple, object] | None:
    """Parse once per template: a side and its edited copies share one (parsing is slow)."""
    import sympy
    from sympy.parsing.latex import parse_latex

    if count > len(_LETTERS):
        return None
    latex = _PLACEHOLDER.sub(lambda found: f" {_LETTERS[int(found.group(1))]} ", template)
    try:
        expression = parse_latex(latex, backend="lark")
    except Exception:  # sympy cannot read it: not plain arithmetic
        return None
    if getattr(expression, "data", None) == "_ambig":
        expression = _closest_reading(expression.children)
    if not isinstance(expression, sympy.Basic):
        return None
    symbols = tuple(sympy.Symbol(letter) for letter in _LETTERS[:count])
    expression = expression.subs(sympy.Symbol("e"), sympy.E)
    if not expression.free_symbols <= set(symbols):
        return None
    return symbols, expression


def holds(
    left: Arithmetic,
    right: Arithmetic,
    left_written=None,
    right_written=None,
    *,
    approximate: bool = False,
) -> bool | None:
    """Whether the relation holds; None when a side has no value (an edit made it undefined)."""
    left_written, right_written = left_written or left.written, right_written or right.written
    left_value, right_value = left.value(left_written), right.value(right_written)
    if left_value is None or right_value is None:
        return None
    # A side that is one number states the other side's value rounded to the digits written;
    # an integer after ``=`` states it exactly, as far as the other side's rounded floats allow.
    for number, stating, side, written, value in (
        (right.one_number, right_written, left, left_written, left_value),
        (left.one_number, left_written, right, right_written, right_value),
    ):
        if number is None:
            continue
        stated = stating[number]
        if approximate or "." in stated or "e" in stated.lower():
            return rounds_to(repr(value), stated)
        slack = side.uncertainty(written) + 1e-12 * max(abs(value), 1.0)
        return abs(value - float(as_decimal(stated))) <= slack
    tolerance = right.uncertainty(right_written) + 1e-12 * max(abs(left_value), 1.0)
    return abs(left_value - right_value) <= tolerance


@dataclass(frozen=True)
class ArithmeticResult:
    wrong: list[Relation]  # relations between numeric sides that do not hold
    pinned: set[int]  # start offsets of numbers that no relation lets change
    stated: set[int] = frozenset()  # start offsets of numbers that state a value (see below)


# One symbol, as math names a quantity: ``N``, ``\\Delta``, ``\\sigma^2``, ``s_{y_i}``, ``w_1``.
_SYMBOL = re.compile(
    r"(?:\\[A-Za-z]+(?:\{[A-Za-z]\})?|[A-Za-z])"
    r"(?:[_^](?:\\[A-Za-z]+|[A-Za-z0-9]|\{[^{}]*\}))*'?"
)
# A literal list of three or more numbers: a score vector ``[10, -2, 3]`` or ``(1, 2, 0)``.
# Two numbers in brackets are as often an interval, ``[0, 1]``, as a vector.
_ENTRY = r"\s*[-+\u2212]?\d+(?:\.\d+)?\s*"
_LIST = re.compile(rf"[\[(](?:{_ENTRY},){{2,}}{_ENTRY}[\])]")


def stated_values(math_text: str, math_relations: list[Relation]) -> set[int]:
    """Numbers that math states as values rather than uses as notation.

    A number is stated when it is all the math there is (``$0$`` in a sentence), when it is
    one side of one of the math's relations (``math_relations``) whose other side is one symbol
    (``N = 3``, ``\\sigma^2 = 4``), or when it is an entry of a literal list of numbers
    (``s = [10, -2, 3]``). The 2 of ``\\sigma^2`` and the 1 of ``\\frac{1}{N}`` are notation.
    """
    found: set[int] = set()
    if NUMBER.fullmatch(math_text.strip()):
        found.add(len(math_text) - len(math_text.lstrip()))
    for relation in math_relations:
        for side, other in ((relation.left, relation.right), (relation.right, relation.left)):
            if _SYMBOL.fullmatch(other.text) and NUMBER.fullmatch(side.text.replace(" ", "")):
                found.add(side.start)
    for match in _LIST.finditer(math_text):
        found.update(match.start() + number.start for number in find_numbers(match.group()))
    return found


# Functions whose arguments may be written in any order: parts are paired in the order written.
_COMMUTATIVE = {"Add", "Mul", "Max", "Min"}


def parts(left: Arithmetic, right: Arithmetic) -> Iterator[tuple[Arithmetic, Arithmetic]]:
    """The corresponding parts of two sides of the same shape, each pair a relation too.

    ``\\max(0, -1.7 - 3.2 + 1) = \\max(0, -3.9)`` holds whatever the 1 is, because the max
    hides it; read part by part, ``-1.7 - 3.2 + 1 = -3.9`` must hold as well. A step that
    rewrites one part of an expression says that the part equals its rewrite.
    """
    a, b = left.expression, right.expression
    if a.func != b.func or len(a.args) != len(b.args) or not a.args or a.is_Atom:
        return
    pairs = list(zip(a.args, b.args, strict=True))
    if a.func.__name__ in _COMMUTATIVE:
        left_parts = [replace(left, expression=arg) for arg in a.args]
        right_parts = [replace(right, expression=arg) for arg in b.args]
        if any(part.first_number() is None for part in left_parts + right_parts):
            return  # a part without numbers cannot be placed: leave the pairing alone
        left_parts.sort(key=Arithmetic.first_number)
        right_parts.sort(key=Arithmetic.first_number)
        pairs = [(x.expression, y.expression) for x, y in zip(left_parts, right_parts, strict=True)]
    for x, y in pairs:
        left_part, right_part = replace(left, expression=x), replace(right, expression=y)
        if left_part.value() is None or right_part.value() is None:
            continue
        yield left_part, right_part
        yield from parts(left_part, right_part)


def check(math_text: str) -> ArithmeticResult:
    found = relations(math_text)
    stated = stated_values(math_text, found)
    numeric = []
    for relation in found:
        left, right = arithmetic_of(relation.left.text), arithmetic_of(relation.right.text)
        if left is not None and right is not None:
            numeric.append((relation, left, right))
            numeric += [(relation, *pair) for pair in parts(left, right)]
    wrong = list(
        dict.fromkeys(
            relation
            for relation, left, right in numeric
            if not holds(left, right, approximate=relation.approximate)
        )
    )
    pinned: set[int] = set()
    if wrong:
        return ArithmeticResult(wrong, pinned, stated)
    for relation, left, right in numeric:
        for side, arithmetic in ((relation.left, left), (relation.right, right)):
            for index, start in enumerate(arithmetic.starts):
                if side.start + start not in pinned and _is_pinned(
                    relation, left, right, arithmetic, index
                ):
                    pinned.add(side.start + start)
    return ArithmeticResult(wrong, pinned, stated)


def mutations(written: str) -> list[str]:
    """The small edits a number must not survive: last digit up and down, and the sign of a
    number written with one flipped."""
    body = written.lstrip("-+")
    sign = written[: len(written) - len(body)]
    last = max(index for index, char in enumerate(body) if char.isdigit())
    edits = [
        sign + body[:last] + str((int(body[last]) + step) % 10) + body[last + 1 :]
        for step in (1, -1)
    ]
    if sign:
        edits.append(body if sign == "-" else "-" + body)
    return [edit for edit in edits if as_decimal(edit) != as_decimal(written)]


def _is_pinned(
    relation: Relation, left: Arithmetic, right: Arithmetic, side: Arithmetic, index: int
) -> bool:
    for edit in mutations(side.written[index]):
        edited = list(side.written)
        edited[index] = edit
        trial = (tuple(edited), None) if side is left else (None, tuple(edited))
        if holds(left, right, *trial, approximate=relation.approximate):
            return False
    return True
