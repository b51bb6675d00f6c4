"""The checkers must catch each way a page's numbers can go wrong, and say where."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.bookcheck import audit, run
from tests.bookcheck.numbers import rounds_to
from tests.bookcheck.pages import read_page

HEADER = """\
---
kernelspec:
  name: python3
  display_name: Python 3
---
"""


def page_from(tmp_path: Path, body: str, name: str = "page"):
    path = tmp_path / f"{name}.md"
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return read_page(path)


def line_of(page, needle: str) -> int:
    return next(n for n, line in enumerate(page.source.splitlines(), 1) if needle in line)


def failures(page) -> list[str]:
    return [str(failure) for failure in audit.audit_page(page).failures]


SCORES = """\
# Scores

## Worked example

```pycon
>>> import numpy as np
>>> s = np.array([3.2, 5.1, -1.7])
>>> round(float(np.maximum(0, s[1:] - s[0] + 1).sum()), 2)
2.9
```
"""


def test_paste_is_pythons_own_doctest(tmp_path):
    page = page_from(tmp_path, SCORES + "```pycon\n>>> 1 / 3\n0.3333\n```\n")
    (failure,) = run.paste(page)
    assert failure.line == line_of(page, ">>> 1 / 3")
    assert "0.3333333333333333" in failure.message


def test_a_compound_statement_shows_the_blank_line_that_ends_it(tmp_path):
    """Python's prompt runs ``def`` or ``for`` only after a blank line; doctest does not care."""
    unended = ">>> def twice(x):\n...     return 2 * x\n>>> twice(2)\n4\n"
    page = page_from(tmp_path, f"# P\n\n```pycon\n{unended}```\n")
    (failure,) = run.paste(page)
    assert failure.line == line_of(page, ">>> def twice")
    assert "blank line" in failure.message
    ended = unended.replace("x\n>>>", "x\n...\n>>>")
    assert run.paste(page_from(tmp_path, f"# P\n\n```pycon\n{ended}```\n")) == []
    one_line = ">>> for x in (1, 2): print(x)\n1\n2\n"
    assert len(run.paste(page_from(tmp_path, f"# P\n\n```pycon\n{one_line}```\n"))) == 1


def test_paste_does_not_see_code_cells(tmp_path):
    body = "# P\n\n```{code-cell} ipython3\nhidden = 2\n```\n\n```pycon\n>>> hidden\n2\n```\n"
    page = page_from(tmp_path, body)
    (failure,) = run.paste(page)
    assert "NameError" in failure.message
    assert not failures(page)  # the build runs both, in order, so the page itself runs


def test_a_number_its_section_prints_is_matched(tmp_path):
    page = page_from(tmp_path, SCORES + "\nThe loss is 2.9, and the car score 5.1.\n")
    assert not failures(page)
    counts = audit.audit_page(page).counts
    assert counts["matched"] == 2


def test_an_unmatched_decimal_fails_with_its_line(tmp_path):
    page = page_from(tmp_path, SCORES + "\nThe loss is 3.0.\n")
    (failure,) = failures(page)
    assert f"page.md:{line_of(page, 'The loss is 3.0')}:" in failure
    assert "3.0" in failure


def test_precision_and_sign_count(tmp_path):
    assert failures(page_from(tmp_path, SCORES + "\nThe loss is 2.90.\n"))  # printed 2.9
    assert failures(page_from(tmp_path, SCORES + "\nThe frog score is 1.7.\n"))  # it is -1.7
    assert not failures(page_from(tmp_path, SCORES + "\nThe frog score is −1.7.\n"))


def test_values_count_only_in_their_own_section(tmp_path):
    page = page_from(tmp_path, SCORES + "\n## Later\n\nThe loss was 2.9.\n")
    (failure,) = failures(page)
    assert "2.9" in failure


def test_a_removed_cell_states_values_for_its_section(tmp_path):
    cell = "round(float(np.maximum(0, s[1:] - s[0] + 1).sum()), 1)"
    body = SCORES + (
        "\n## Summary\n\nThe loss was 2.9.\n\n"
        f"```{{code-cell}} ipython3\n:tags: [remove-cell]\n{cell}\n```\n"
    )
    page = page_from(tmp_path, body)
    assert not failures(page)
    assert page.checking_characters > 0


def test_worked_arithmetic_pins_its_numbers_and_a_wrong_step_fails(tmp_path):
    right = page_from(tmp_path, "# P\n\n$$\n\\max(0,\\; 5.1 - 3.2 + 1) = 2.9\n$$\n")
    assert not failures(right)
    assert audit.audit_page(right).counts["pinned"] == 4
    wrong = page_from(tmp_path, "# P\n\n$$\n\\max(0,\\; 5.1 - 3.2 + 1) = 3.9\n$$\n")
    assert any("does not hold" in failure for failure in failures(wrong))


def test_arithmetic_of_more_than_ten_numbers_is_checked(tmp_path):
    """Each number becomes a symbol for sympy's parser; the eleventh once did not parse, and
    the chain went unchecked."""
    terms = " + ".join(["0.1"] * 11)
    right = page_from(tmp_path, f"# P\n\n$$\n{terms} = 1.1\n$$\n")
    assert not failures(right)
    assert audit.audit_page(right).counts["pinned"] == 12
    wrong = page_from(tmp_path, f"# P\n\n$$\n{terms} = 1.2\n$$\n")
    assert any("does not hold" in failure for failure in failures(wrong))


EQUATION = """\
# P

$$
L_i = \\sum_{j \\ne y_i} \\max(0,\\; s_j - s_{y_i} + \\Delta)
$$ (hinge)

```pycon
>>> import numpy as np
>>> s = np.array([3.2, 5.1, -1.7])
```

```{code-cell} ipython3
:tags: [remove-cell]
{"%s": [{"L_i": %s, "s": s, "y_i": 0, r"\\Delta": 1.0},
        {"L_i": 0.0, "s": np.array([3.0, 0.0, 0.0]), "y_i": 0, r"\\Delta": 1.0}]}
```
"""


def test_a_labelled_equation_is_evaluated_with_the_values_a_cell_gives(tmp_path):
    page = page_from(tmp_path, EQUATION % ("hinge", "2.9"))
    assert not failures(page)
    assert audit.audit_page(page).counts["evaluated"] == 1  # the 0 of max(0, .)
    wrong = page_from(tmp_path, EQUATION % ("hinge", "3.9"))
    assert any("(hinge)" in failure and "does not hold" in failure for failure in failures(wrong))
    unknown = page_from(tmp_path, EQUATION % ("hnge", "2.9"))
    assert any("labelled 'hnge'" in failure for failure in failures(unknown))


def test_a_failing_cell_is_reported_at_its_line(tmp_path):
    page = page_from(tmp_path, "# P\n\n```{code-cell} ipython3\n1 / 0\n```\n")
    (failure,) = failures(page)
    assert "ZeroDivisionError" in failure
    assert f"page.md:{line_of(page, '1 / 0')}:" in failure


def test_a_chapter_has_at_most_2200_words_of_prose(tmp_path):
    code = "```{code-cell} ipython3\n:tags: [remove-cell]\n" + "x = 1\n" * 3000 + "```\n"
    assert not failures(page_from(tmp_path, "# P\n\n" + "word " * 2199 + "\n\n" + code))
    (failure,) = failures(page_from(tmp_path, "# P\n\n" + "word " * 2200 + "\n"))
    assert "2201 words" in failure


def test_an_edit_that_another_value_matches_is_not_caught(tmp_path):
    body = "# P\n\n```pycon\n>>> 2.9, 2.8\n(2.9, 2.8)\n```\n\nThe loss is 2.9.\n"
    (stated,) = list(audit.audit_page(page_from(tmp_path, body)).stated)
    assert stated.how == "matched"
    assert stated.edits_caught == (True, False)  # 2.9 -> 2.0 is caught; 2.8 is matched too


def test_integers_math_states_must_be_checked_and_counts_need_not(tmp_path):
    assert not failures(page_from(tmp_path, "# P\n\nThree images, 3 classes, $x^2$.\n"))
    (failure,) = failures(page_from(tmp_path, "# P\n\nThe car image costs $L_2 = 0$.\n"))
    assert "the number 0 is not checked" in failure


def test_rounding_rule():
    assert rounds_to("2.8999999999999995", "2.9")
    assert rounds_to("5.266666666666667", "5.27")
    assert not rounds_to("0.3333", "0.34")


def test_a_bound_attained_up_to_rounding_holds_and_a_broken_one_does_not():
    from tests.bookcheck.formulas import Where, problems

    # 0.1 + 0.2 > 0.3 in floating point: the bound is attained, not broken
    attained = Where.read([("a", 0.1 + 0.2), ("b", 0.3)])
    assert problems(r"a \le b", [attained], held=False) == []
    assert problems(r"b \ge a", [attained], held=False) == []
    broken = Where.read([("a", 0.3 + 1e-6), ("b", 0.3)])
    assert problems(r"a \le b", [broken], held=False) != []
    assert problems(r"a < b", [attained], held=False) != []
