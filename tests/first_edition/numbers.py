"""How numbers are found in text, and what it means for a computed value to match a written one.

Shared by the doctest output checker and the worked-number audit, so that both read a number the
same way.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterator
from dataclasses import dataclass

# A number not glued to a word: "L2", "log10", "CS231n" and "float64" contain no number, while
# "2W" (two times W) and "3rd" do. Thousands separators ("100,000"), a Unicode minus and an
# exponent ("1e-40") belong to the number.
NUMBER = re.compile(
    r"(?<![\w.])"
    r"(?P<sign>[-+\u2212])?"
    r"(?P<body>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\.\d+|\d+)"
    r"(?P<dot>\.(?![\w.]))?"
    r"(?P<exponent>[eE][-+]?\d+)?"
)


@dataclass(frozen=True)
class Number:
    text: str  # as written, sign included
    start: int
    end: int
    is_float: bool

    @property
    def key(self) -> str:
        """The number with its sign and digit grouping removed: what the audit compares."""
        return normalise(self.text)


def normalise(text: str) -> str:
    return text.lstrip("-+\u2212").replace(",", "").replace("_", "").lower()


def find_numbers(text: str, *, prose: bool = False) -> Iterator[Number]:
    """The numbers in ``text``.

    A dot right after the digits ends a sentence in prose, but marks a float in program output
    (NumPy prints ``0.``).
    """
    for match in NUMBER.finditer(text):
        trailing_dot = match["dot"] is not None and not prose and match["exponent"] is None
        end = match.end() if trailing_dot or match["dot"] is None else match.start("dot")
        written = (match["sign"] or "") + match["body"] + ("." if trailing_dot else "")
        written += match["exponent"] or ""
        yield Number(
            text=written,
            start=match.start(),
            end=end if match["exponent"] is None else match.end(),
            is_float="." in written or match["exponent"] is not None,
        )


def as_decimal(text: str) -> decimal.Decimal:
    return decimal.Decimal(text.replace("\u2212", "-").replace(",", ""))


def rounds_to(computed: str, written: str) -> bool:
    """Whether the value printed as ``computed`` rounds to ``written`` at the precision written.

    The value is the exact binary float behind the printed text, rounded half-to-even; at an
    exact tie either neighbour is accepted. ``2.9`` accepts ``2.8999999999999995`` and
    ``5.27`` accepts ``5.2667``, while ``0.34`` rejects ``0.3333``.
    """
    target = as_decimal(written)
    try:
        exact = decimal.Decimal(float(computed.replace("\u2212", "-")))
    except (ValueError, OverflowError):
        return False
    if not exact.is_finite():
        return False
    with decimal.localcontext() as context:
        context.prec = 1200  # enough digits for any float64 at any quantum
        quantum = decimal.Decimal(1).scaleb(target.as_tuple().exponent)
        roundings = {
            exact.quantize(quantum, rounding=mode)
            for mode in (decimal.ROUND_HALF_EVEN, decimal.ROUND_HALF_UP)
        }
    return target in roundings
