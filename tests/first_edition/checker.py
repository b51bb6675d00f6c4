"""A doctest output checker that compares floats at the precision the page writes them."""

from __future__ import annotations

import doctest
import re

from tests.bookcheck.numbers import find_numbers, rounds_to

_WHITESPACE = re.compile(r"\s+")


def _split(text: str) -> tuple[list[str], list[tuple[str, bool]]]:
    """Text segments between numbers (whitespace removed) and the numbers themselves."""
    segments, numbers, position = [], [], 0
    for number in find_numbers(text):
        segments.append(_WHITESPACE.sub("", text[position : number.start]))
        numbers.append((number.text, number.is_float))
        position = number.end
    segments.append(_WHITESPACE.sub("", text[position:]))
    return segments, numbers


def first_number_mismatch(want: str, got: str) -> str | None:
    """Explain why ``got`` does not match ``want``, or return None when it matches.

    Text must match exactly (up to whitespace), integers must match exactly, and every written
    float must be the computed value rounded to the digits written.
    """
    want_segments, want_numbers = _split(want)
    got_segments, got_numbers = _split(got)
    if want_segments != got_segments or len(want_numbers) != len(got_numbers):
        return "the output's text differs from the expected text"
    for (written, is_float), (computed, _) in zip(want_numbers, got_numbers, strict=True):
        if is_float:
            if not rounds_to(computed, written):
                return f"expected {written}, but the computed {computed} does not round to it"
        elif written.replace("\u2212", "-") != computed:
            return f"expected the integer {written}, computed {computed}"
    return None


class RoundingOutputChecker(doctest.OutputChecker):
    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        if super().check_output(want, got, optionflags):
            return True
        return first_number_mismatch(want, got) is None

    def output_difference(self, example: doctest.Example, got: str, optionflags: int) -> str:
        reason = first_number_mismatch(example.want, got)
        difference = super().output_difference(example, got, optionflags)
        return f"{reason}\n{difference}" if reason else difference
