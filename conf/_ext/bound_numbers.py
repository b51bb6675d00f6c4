"""Bound numbers: a number in a page tied to the one computed value it states.

This is the first edition's markup, kept for the pages not yet rewritten in the second
edition's style (issue 11); a second-edition page carries none (tests/first_edition says how
such pages are checked until then).

A writer puts the expression right after the digits, ``the cat image's loss is 2.9{=L[0]}``,
anywhere a reader sees text: prose, tables, headings, captions, alt text and math. The doctest
session (tests/bookcheck) evaluates ``L[0]`` in the namespace the page's doctests leave behind
and fails unless the value rounds to the digits written, so changing either the number or what
it is computed from fails. The reader sees only ``2.9``: this extension removes the bindings from
the source before MyST parses it.

Math can also carry the values its symbols take, ``{where s = scores; y_i = 0; L_i = loss}``,
so that the doctest session evaluates the formula and checks the numbers of its notation
(tests/bookcheck/formulas.py). Those are removed the same way.
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx

# The digits come first, so Python code (``{x=}`` f-strings, dict literals) never matches.
BINDING = re.compile(r"(?<=\d)\{=(?P<expression>[^{}\n]+)\}")
# Math names may hold braces three deep: ``\frac{\partial L^{\text{CE}}}{\partial s_j}``.
_BRACED = r"\{(?:[^{}\n]|\{(?:[^{}\n]|\{[^{}\n]*\})*\})*\}"
WHERE = re.compile(rf"\{{where\s(?P<entries>(?:[^{{}}\n]|{_BRACED})+)\}}")


def strip_bindings(text: str) -> str:
    return WHERE.sub("", BINDING.sub("", text))


def _strip(app: Sphinx, docname: str, source: list[str]) -> None:
    source[0] = strip_bindings(source[0])


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("source-read", _strip)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def is_first_edition(text: str) -> bool:
    """Whether a page still ties its numbers with the first edition's markup."""
    return bool(BINDING.search(text) or WHERE.search(text) or "{nocheck}`" in text)
