"""Labelled equations checked against the values a page computes.

A formula's notation (the 2 of ``W^2``, the 1 of ``\\frac{1}{N}``, the 0 of ``\\max(0, h)``)
states nothing on its own. What holds it is the formula's meaning: evaluated with the values the
page's code computes, each relation in it must be true. A code cell of the page (usually removed
from the rendered page) ends with a dict from an equation's MyST label to the values of its
symbols, keyed as the math writes them: ``{"svm-loss": {"L_i": loss, "s": s, "y_i": 0,
r"\\Delta": 1.0}}``, or a list of such dicts, one per example (tests/bookcheck/run.py). A key
can be a symbol (``\\Delta``), a vector the math indexes (``s`` for ``s_j``), a function
(``\\sigma``), or any piece of the math that no rule evaluates
(``\\frac{\\partial L_i}{\\partial s_j}``); the key ``""`` is the value of math that has no
relation of its own.

The audit then asks of every number in the equation whether changing it (last digit up or down,
a sign flipped) makes some relation false for one of the examples. A number that no edit
survives is *evaluated*; one that survives is counted as unchecked notation, and a writer who
wants it checked picks examples that tell the formulas apart (a score below the margin as well
as one above it).

The notation read here is the book's: sums over ``\\sum_{i=1}^{N}``, ``\\sum_{j \\ne y_i}``,
``\\sum_{i: p_i > 0}``, ``\\sum_k`` or a whole array (``\\sum W^2``); Iverson brackets
``[h_j > 0]``; ``\\max``, ``\\min``, ``\\ln``, ``\\log`` (natural, or ``\\log_2``), ``\\exp``,
``e^x``, ``\\sqrt``, ``|x|``, ``\\|w\\|``, ``\\frac``, ``\\cdot`` (a dot product between two
vectors), ``x^\\top``, and a product written by juxtaposition (of matrices that fit, the matrix
product). A sum from 1 counts positions: its ``x_i`` is ``x[i - 1]``. A sum with no bounds runs
over the indices of what it subscripts, from 0, as class labels do. ``W_{kl}`` inside sums over
``k`` and ``l`` has two indices.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from lark import Lark, Token, Tree
from lark.exceptions import LarkError

from .arithmetic import Relation, mutations, operand, relations
from .numbers import find_numbers, rounds_to

_GRAMMAR = r"""
?start: sum

?sum: product
    | "-" product               -> neg
    | "+" product
    | sum "+" product           -> add
    | sum "-" product           -> sub

?product: factor
    | product MULTIPLY factor   -> multiply
    | product "/" factor        -> divide
    | product factor            -> juxtapose

?factor: postfix
    | SUM limits body           -> total

?body: product
    | "-" product               -> neg

limits: ["_" lower] ["^" script]
?lower: LETTER | SYMBOL | "{" lower_inner "}"
lower_inner: sum                        -> over
    | sum REL sum                       -> over_where
    | sum ":" sum REL sum               -> over_such_that

?postfix: atom
    | postfix "_" script        -> subscript
    | postfix "^" script        -> power
    | postfix "'"               -> prime
    | postfix "(" arguments ")" -> apply

?script: "{" arguments "}"
    | NUMBER_DIGIT                       -> number
    | LETTER                             -> symbol
    | SYMBOL                             -> symbol
    | TOP                                -> symbol
    | SIGN                               -> symbol

arguments: sum (("," | ";") sum)*

?atom: NUMBER                            -> number
    | LETTER                             -> symbol
    | SYMBOL                             -> symbol
    | TOP                                -> symbol
    | ACCENT (LETTER | SYMBOL | "{" (LETTER | SYMBOL) "}") -> accent
    | "(" sum ")"
    | "{" sum "}"
    | "(" sum ("," sum)+ ")"             -> vector
    | "[" sum ("," sum)+ "]"             -> vector
    | "[" sum REL sum "]"                -> iverson
    | "[" sum "]"
    | FRAC "{" sum "}" "{" sum "}"       -> fraction
    | "\\sqrt" "{" sum "}"               -> root
    | "\\lvert" sum "\\rvert"            -> absolute
    | "\\lVert" sum "\\rVert"            -> norm
    | "\\underbrace" "{" sum "}" "_" script -> underbrace
    | FUNCTION argument                  -> function
    | FUNCTION "_" script argument       -> log_base
    | EXTREMUM "(" arguments ")"         -> extremum
    | EXTREMUM "_" lower postfix         -> extremum_over

// ``\log \sum_j e^{s_j}``: a function takes a sum as a reader does, up to the next + or -.
?argument: postfix
    | SUM limits body                    -> total

MULTIPLY: "\\cdot" | "\\times"
SUM: "\\sum"
REL: "\\le" "q"? | "\\ge" "q"? | "\\neq" | "\\ne" | "<" | ">" | "="
FRAC: "\\frac" | "\\dfrac" | "\\tfrac"
FUNCTION.2: /\\(ln|log|exp)(?![A-Za-z])/
EXTREMUM.2: /\\(max|min)(?![A-Za-z])/
ACCENT.2: /\\(hat|bar|tilde|vec)(?![A-Za-z])/
TOP.2: "\\top"
// ``s_+``, ``s_-``: a subscript that names, like the scores of two classes
SIGN: /[+-]/
SYMBOL: /\\(operatorname|mathrm|mathbb|mathcal|text|texttt|mathit)\{[^{}]*\}/
    | /\\(?!(RESERVED)(?![A-Za-z]))[A-Za-z]+/
LETTER: /[A-Za-z]/
NUMBER: /\d+(\.\d+)?/
NUMBER_DIGIT.2: /\d/

%ignore /\s+/
%ignore /\\[,;:! ]/
%ignore /\\q?quad(?![A-Za-z])/
%ignore /\\([Bb]igg?|left|right)[lr]?(?![A-Za-z])/
"""

# Commands the grammar reads itself: never the name of a quantity.
_RESERVED = (
    "le|ge|leq|geq|ne|neq|cdot|times|sum|[dt]?frac|sqrt|[lr]vert|[lr]Vert|underbrace|top"
    "|ln|log|exp|max|min|hat|bar|tilde|vec|left|right|[Bb]igg?[lr]?|q?quad"
)
_CONSTANTS = {"\\pi": math.pi, "\\infty": math.inf}


@functools.cache
def _parser() -> Lark:
    return Lark(_GRAMMAR.replace("RESERVED", _RESERVED), parser="lalr", maybe_placeholders=False)


class FormulaError(ValueError):
    """Math that cannot be read or evaluated with the values given."""


# Rewrites to the grammar's spelling. ``|x|`` and ``\\|w\\|`` open and close with the same
# mark, which only their order tells apart.
def _normal(latex: str) -> str:
    # ``\\operatorname{KL}(p \\| q)``, ``D_{\\mathrm{KL}}(p \\| q)``: the bars separate the two
    # distributions.
    latex = re.sub(r"(KL\}+\s*\()([^()]*?)\\\|", r"\1\2,", latex)
    latex = re.sub(r"\\([dt]?frac)\s*(\d)\s*(\d)", r"\\\1{\2}{\3}", latex)
    latex = re.sub(r"\\[lr]vert(?![A-Za-z])", "|", latex)
    latex = re.sub(r"\\[lr]Vert(?![A-Za-z])", r"\\|", latex)
    latex = _pair(latex, r"\|", r"\lVert ", r"\rVert ")
    return _pair(latex, "|", r"\lvert ", r"\rvert ")


def _pair(latex: str, mark: str, opening: str, closing: str) -> str:
    pieces = re.split(r"(\\\||\\[A-Za-z]+|\|)", latex)
    opened = False
    for index, piece in enumerate(pieces):
        if piece == mark:
            pieces[index] = closing if opened else opening
            opened = not opened
    return "".join(pieces)


@functools.cache
def parse(latex: str) -> Tree:
    try:
        return _parser().parse(_normal(latex))
    except LarkError as error:
        raise FormulaError(f"cannot read `{latex.strip()}`: {str(error).splitlines()[0]}") from None


@dataclass(frozen=True)
class Where:
    """One example: each named piece of math with its computed value."""

    values: dict  # parsed math -> value
    value_of_whole: object = None  # the entry with no name

    @classmethod
    def read(cls, entries: Iterable[tuple[str, object]]) -> Where:
        values, whole = {}, None
        for name, value in entries:
            if isinstance(value, list | tuple):
                value = np.asarray(value, dtype=float)
            if name.strip():
                values[parse(name)] = value
            else:
                whole = value
        return cls(values, whole)


class _Evaluator:
    def __init__(self, where: Where) -> None:
        self.where = where
        self.indices: dict[str, tuple[int, int]] = {}  # a sum's index: (value, first value)

    def value(self, tree) -> object:
        if _name(tree) in self.indices:  # a sum's own index, whatever the list gives
            return self.indices[_name(tree)][0]
        if tree in self.where.values:
            return self._named(tree, self.where.values[tree])
        if isinstance(tree, Token):
            raise FormulaError(f"no value for `{tree}`")
        method = getattr(self, f"_{tree.data}", None)
        if method is None:
            raise FormulaError(f"no value for `{_text(tree)}`")
        return method(*tree.children)

    def _named(self, tree, family):
        """A named value. ``L_i = losses`` names the whole family, so inside a sum over ``i``
        its ``L_i`` is one of them: the one that the sum's index in the name picks."""
        if isinstance(tree, Tree) and np.ndim(family) >= 1:
            bound = {_name(node) for node in tree.iter_subtrees()} & set(self.indices)
            if len(bound) == 1:
                index, first = self.indices[bound.pop()]
                return np.asarray(family)[index - first]
        return family

    def _number(self, token):
        return float(token)

    def _symbol(self, token):
        name = str(token)
        if name in self.indices:
            return self.indices[name][0]
        if name == "e":
            return math.e
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        raise FormulaError(f"no value for `{name}`")

    def _accent(self, accent, name):
        raise FormulaError(f"no value for `{accent}{{{name}}}`")

    def _neg(self, operand):
        return -self.value(operand)

    def _add(self, left, right):
        return self.value(left) + self.value(right)

    def _sub(self, left, right):
        return self.value(left) - self.value(right)

    def _multiply(self, left, operator, right):
        a, b = self.value(left), self.value(right)
        if operator == "\\cdot" and np.ndim(a) == 1 and np.ndim(b) == 1:
            return float(np.dot(a, b))
        return a * b

    def _juxtapose(self, left, right):
        return _product(self.value(left), self.value(right))

    def _divide(self, left, right):
        return _divide(self.value(left), self.value(right))

    def _fraction(self, _command, numerator, denominator):
        return _divide(self.value(numerator), self.value(denominator))

    def _power(self, base, exponent):
        if _name(_parts(exponent)[0]) == "\\top":
            return np.transpose(self.value(base))
        exponent = self._one(exponent)
        if isinstance(base, Tree) and base.data == "apply" and base not in self.where.values:
            callee = self.value(base.children[0])
            if not callable(callee):  # ``2 (a - t)^2`` squares the parenthesis, not the product
                return _product(callee, np.power(self._apply_argument(base), exponent))
        if _name(base) == "e":
            return np.exp(exponent)
        return np.power(self.value(base), exponent)

    def _one(self, script):
        """A script's value: ``{...}`` holds one expression, a bare token is one."""
        if isinstance(script, Tree) and script.data == "arguments":
            if len(script.children) != 1:
                raise FormulaError(f"`{_text(script)}` is not one value")
            return self.value(script.children[0])
        return self.value(script)

    def _subscript(self, base, script):
        array = np.asarray(self.value(base))
        parts = _parts(script, split=lambda name: name in self.indices)
        position = tuple(self._position(part) for part in parts)
        if array.ndim < len(position):
            raise FormulaError(f"`{_text(base)}` has no index {_text(script)}")
        try:
            return array[position]
        except IndexError:
            raise FormulaError(f"`{_text(base)}_{{{_text(script)}}}` is out of range") from None

    def _position(self, part) -> int:
        value = self.value(part)
        first = self.indices.get(_name(part), (0, 0))[1]
        if float(value) != int(value):
            raise FormulaError(f"the index `{_text(part)}` is {value}, not an integer")
        return int(value) - first

    def _apply_argument(self, tree):
        arguments = tree.children[1].children
        if len(arguments) != 1:
            raise FormulaError(f"`{_text(tree.children[0])}` is not a function")
        return self.value(arguments[0])

    def _prime(self, operand):
        raise FormulaError(f"no value for `{_text(operand)}'`")

    def _apply(self, function, arguments):
        callee = self.value(function)
        values = [self.value(argument) for argument in arguments.children]
        if callable(callee):
            return callee(*values)
        if len(values) == 1:  # ``a (1 - a)``: a product
            return _product(callee, values[0])
        raise FormulaError(f"`{_text(function)}` is not a function of {len(values)} values")

    def _vector(self, *items):
        return np.asarray([self.value(item) for item in items], dtype=float)

    def _iverson(self, left, relation, right):
        return np.where(_compare(self.value(left), relation, self.value(right)), 1.0, 0.0)[()]

    def _root(self, operand):
        return np.sqrt(self.value(operand))

    def _absolute(self, operand):
        return np.abs(self.value(operand))

    def _norm(self, operand):
        return float(np.linalg.norm(np.ravel(self.value(operand))))

    def _underbrace(self, operand, _label):
        return self.value(operand)

    def _function(self, name, operand):
        function = {"\\ln": np.log, "\\log": np.log, "\\exp": np.exp}[str(name)]
        return function(self.value(operand))

    def _log_base(self, _name, base, operand):
        return np.log(self.value(operand)) / np.log(self._one(base))

    def _extremum(self, name, arguments):
        values = [self.value(argument) for argument in arguments.children]
        combine = np.maximum if str(name) == "\\max" else np.minimum
        return functools.reduce(combine, values)

    def _total(self, _sum, limits, body):
        lower = limits.children[0] if limits.children and _is_lower(limits.children[0]) else None
        upper = [child for child in limits.children if child is not lower]
        if lower is None:
            if upper:
                raise FormulaError(f"the sum over `{_text(body)}` has an upper limit but no index")
            return np.sum(self.value(body))  # ``\\sum W^2``: over the whole array
        return functools.reduce(np.add, self._terms(lower, upper, body), 0.0)

    def _extremum_over(self, name, lower, body):
        """``\\max_j s_j``: the largest of the body's values over the index."""
        terms = list(self._terms(lower, [], body))
        if not terms:
            raise FormulaError(f"`{name}_{{{_text(lower)}}}` runs over no values")
        return functools.reduce(np.maximum if str(name) == "\\max" else np.minimum, terms)

    def _terms(self, lower, upper, body):
        """The body's value for each value of the index below a sum or a max."""
        index, keep, values, first = self._range(lower, upper, body)
        saved = dict(self.indices)
        try:
            for value in values:
                self.indices[index] = (value, first)
                if keep is None or keep():
                    yield self.value(body)
        finally:
            self.indices = saved

    def _range(self, lower, upper, body):
        """The index a sum runs over, the condition on it, its values, and the value that is
        the first position (1 for a sum from 1, whose ``x_i`` is ``x[i - 1]``; 0 for a sum from
        0 and for one without bounds)."""
        if isinstance(lower, Token):
            index, relation = str(lower), None
        elif lower.data == "over":
            index, relation = _name(lower.children[0]), None
        else:
            index, relation = _name(lower.children[0]), lower.children[1:]
        if index is None:
            raise FormulaError(f"`{_text(lower)}` does not name the index of a sum")
        if relation is not None and lower.data == "over_where" and relation[0] == "=":
            first = int(self.value(relation[1]))
            last = int(self._one(upper[0])) if upper else None
            if last is None:
                raise FormulaError(f"the sum from `{_text(lower)}` has no upper limit")
            # Positions count from 1 in a sum from 1 (or from 2: x_2 is still the second).
            return index, None, list(range(first, last + 1)), min(first, 1)
        if upper:
            raise FormulaError(f"the sum over `{_text(lower)}` cannot also have an upper limit")
        length = self._length(index, body)
        keep = None
        if relation is not None:
            condition = relation if lower.data == "over_such_that" else None
            if condition is None:
                excluded = relation[1]
                keep = lambda: _compare(self.indices[index][0], relation[0], self.value(excluded))  # noqa: E731
            else:
                keep = lambda: bool(  # noqa: E731
                    _compare(self.value(condition[0]), condition[1], self.value(condition[2]))
                )
        return index, keep, list(range(length)), 0

    def _length(self, index: str, body) -> int:
        """How many values an unbounded index takes: the length of what it subscripts, or of
        a named family the index picks from (``L_i = losses``)."""
        for node in body.iter_subtrees() if isinstance(body, Tree) else ():
            family = self.where.values.get(node)
            if np.ndim(family) >= 1 and index in {_name(n) for n in node.iter_subtrees()}:
                return np.shape(family)[0]
            if node.data != "subscript":
                continue
            # ``W_{kl}``: k runs along the first axis (l may not be bound yet).
            parts = _parts(node.children[1], split=lambda name: name is not None)
            for axis, part in enumerate(parts):
                if _name(part) == index:
                    try:
                        return np.shape(self.value(node.children[0]))[axis]
                    except (FormulaError, IndexError):
                        continue
        raise FormulaError(f"nothing in `{_text(body)}` tells how far the index {index} runs")


def _is_lower(node) -> bool:
    if isinstance(node, Token):
        return node.type in {"LETTER", "SYMBOL"}
    return node.data.startswith("over")


def _letters(tree) -> list:
    """The factors of a product written by juxtaposition, ``k l`` in ``W_{kl}``."""
    if isinstance(tree, Tree) and tree.data == "juxtapose":
        return _letters(tree.children[0]) + _letters(tree.children[1])
    return [tree]


def _parts(script, split: Callable[[str | None], bool] = lambda name: False) -> list:
    """The indices of a subscript: ``W_{k,l}`` has two, and so has ``W_{kl}`` when ``split``
    accepts the name of each of its letters (inside sums over both, ``k l`` is not a product)."""
    parts = script.children if isinstance(script, Tree) and script.data == "arguments" else [script]
    letters = _letters(parts[0]) if len(parts) == 1 else []
    if len(letters) > 1 and all(split(_name(letter)) for letter in letters):
        return letters
    return parts


def _product(a, b):
    """A product written by juxtaposition: of matrices that fit (``X^\\top (P - Y)``), the
    matrix product; otherwise element by element (a column of per-example values times a
    matrix of their rows scales each row)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim == 2 and b.ndim in (1, 2) and a.shape[-1] == b.shape[0]:
        return np.matmul(a, b)  # ``J^\\top 2 (q - y)``: a matrix times a vector, too
    return a * b


def _divide(numerator, denominator):
    return np.divide(numerator, denominator)


_COMPARISONS: dict[str, Callable] = {
    "<": np.less,
    ">": np.greater,
    "\\lt": np.less,
    "\\gt": np.greater,
    "\\le": np.less_equal,
    "\\leq": np.less_equal,
    "\\ge": np.greater_equal,
    "\\geq": np.greater_equal,
    "\\ne": np.not_equal,
    "\\neq": np.not_equal,
    "=": np.equal,
}


_NON_STRICT = {"\\le", "\\leq", "\\ge", "\\geq"}


def _compare(left, relation, right):
    return _COMPARISONS[str(relation)](left, right)


def _name(node) -> str | None:
    """The name of a one-symbol piece of math: ``i`` for ``i``, None for ``i + 1``."""
    if isinstance(node, Token):
        return str(node) if node.type in {"LETTER", "SYMBOL"} else None
    if node.data == "symbol":
        return str(node.children[0])
    return None


def _text(node) -> str:
    if isinstance(node, Token):
        return str(node)
    return " ".join(_text(child) for child in node.children)


def evaluate(latex: str, where: Where):
    try:
        # An edit can take a log or a root out of its domain: the value is then nan, which
        # agrees with nothing, so the edit is caught like any other.
        with np.errstate(all="ignore"):
            return _Evaluator(where).value(parse(latex))
    except FormulaError:
        raise
    except (ArithmeticError, IndexError, TypeError, ValueError) as error:
        # Shapes that do not fit, an index past the end: the math does not hold there.
        raise FormulaError(f"`{latex.strip()}` cannot be evaluated: {error}") from None


def _agree(left, right) -> bool:
    left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
    if left.shape != right.shape and left.size != 1 and right.size != 1:
        return False
    return bool(np.allclose(left, right, rtol=1e-9, atol=1e-12, equal_nan=False))


def _holds(relation: Relation, where: Where) -> bool:
    left = evaluate(relation.left.text, where)
    right = evaluate(relation.right.text, where)
    if relation.comparison is not None:  # ``KL \\ge 0`` must hold at every value given
        holds = _compare(left, relation.comparison, right)
        if str(relation.comparison) in _NON_STRICT:  # a bound attained, up to rounding
            with np.errstate(all="ignore"):
                holds = holds | np.isclose(left, right, rtol=1e-9, atol=1e-12)
        return bool(np.all(holds))
    for side, other in ((relation.right, left), (relation.left, right)):
        written = [number.text for number in find_numbers(side.text, prose=True)]
        if len(written) == 1 and written[0] == side.text.replace(" ", "") and np.size(other) == 1:
            stated = written[0]
            if relation.approximate or "." in stated or "e" in stated.lower():
                return rounds_to(repr(float(other)), stated)
    if relation.approximate:
        raise FormulaError(
            f"`{relation.left.text} \\approx {relation.right.text}` says how close two formulas "
            "are, not that they are equal: only a number after \\approx can be checked"
        )
    return _agree(left, right)


def problems(math_text: str, wheres: list[Where], *, held: bool = True) -> list[tuple[int, str]]:
    """Why the math is not true for its examples, or (with ``held``) which of its
    numbers the values leave unchecked, each with where in the math it is; empty when every
    relation holds and every number is held."""
    if not wheres:
        return []
    found = []
    for where in wheres:
        wrong = _wrong(math_text, where)
        if wrong:
            return wrong
    for number in find_numbers(math_text, prose=True) if held else ():
        survivor = surviving_edit(math_text, number, wheres)
        if survivor is not None:
            found.append(
                (
                    number.start,
                    f"the number {number.text} in this math is not checked by its values: the "
                    f"math still holds when it is {survivor}; choose values that tell them apart",
                )
            )
    return found


def _wrong(math_text: str, where: Where) -> list[tuple[int, str]]:
    found = relations(math_text, inequalities=True)
    start = len(math_text) - len(math_text.lstrip())
    if not found:
        if where.value_of_whole is None:
            why = "this math has no relation: give its value as `{where ...; = expression}`"
            return [(start, why)]
        try:
            value = evaluate(math_text, where)
        except FormulaError as error:
            return [(start, str(error))]
        if _agree(value, where.value_of_whole):
            return []
        return [
            (start, f"`{math_text.strip()}` is {_show(value)}, not {_show(where.value_of_whole)}")
        ]
    wrong = []
    for relation in found:
        try:
            if not _holds(relation, where):
                wrong.append(
                    (
                        relation.right.start,
                        f"`{relation.left.text} {relation.comparison or '='} "
                        f"{relation.right.text}` does not hold: "
                        f"{_show(evaluate(relation.left.text, where))} and "
                        f"{_show(evaluate(relation.right.text, where))}",
                    )
                )
        except FormulaError as error:
            wrong.append((relation.right.start, str(error)))
    return wrong


def _show(value) -> str:
    return repr(float(value)) if np.size(value) == 1 else np.array2string(np.asarray(value))


def surviving_edit(math_text: str, number, wheres: list[Where]) -> str | None:
    """An edit of the number under which the math still holds for every ``where``."""
    start, text = operand(math_text, number)
    for edit in mutations(text):
        edited = math_text[:start] + edit + math_text[number.end :]
        try:
            if all(not _wrong(edited, where) for where in wheres):
                return edit
        except FormulaError:
            continue
    return None
