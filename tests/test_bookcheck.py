"""The checkers must catch each way a page's numbers can go wrong, and say where."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.bookcheck import arithmetic, audit, doctests, formulas
from tests.bookcheck.checker import first_number_mismatch
from tests.bookcheck.numbers import find_numbers, rounds_to
from tests.bookcheck.pages import read_page

HEADER = """\
---
kernelspec:
  name: python3
  display_name: Python 3
---
"""


def write_page(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "page.md"
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def check(path: Path) -> tuple[list[doctests.Failure], audit.AuditResult]:
    page = read_page(path)
    failures = doctests.run(doctests.page_doctest(page, name="page"), page.bindings, page.wheres)
    return failures, audit.audit_page(page)


@pytest.mark.parametrize(
    ("computed", "written", "expected"),
    [
        ("2.8999999999999995", "2.9", True),
        ("5.266666666666667", "5.27", True),
        ("0.3333333333333333", "0.34", False),
        ("0.3333333333333333", "0.33", True),
        ("2.9", "2.90000001", False),  # more precision than is true
        ("1.0000000000000001e-40", "1e-40", True),
        ("1.51e-40", "1.5e-40", True),
        ("1e-16", "1e-40", False),
        ("0.125", "0.12", True),  # an exact tie may round either way
        ("0.125", "0.13", True),
        ("0.1251", "0.12", False),
        ("inf", "1.0", False),
    ],
)
def test_rounds_to(computed: str, written: str, expected: bool) -> None:
    assert rounds_to(computed, written) is expected


def test_text_and_integers_match_exactly() -> None:
    assert first_number_mismatch("[2.9, 0.0, 12.9]", "[2.8999999999999995, 0.0, 12.9]") is None
    assert first_number_mismatch("3", "3") is None
    assert "integer" in first_number_mismatch("3", "4")
    assert "text" in first_number_mismatch("2.9", "np.float64(2.8999999999999995)")
    assert "text" in first_number_mismatch("[2.9]", "[2.9, 1.0]")


def test_a_correct_page_passes(tmp_path: Path) -> None:
    path = write_page(
        tmp_path,
        """\
        # The cat image

        Its hinge loss is 2.9{=loss}, from scores 3.2{=s[0]}, 5.1{=s[1]} and −1.7{=s[2]}
        with margin 1{=margin}.

        | image | loss |
        |---|---|
        | cat | 2.9{=loss} |

        $$ L = \\max(0,\\; 5.1 - 3.2 + 1) + \\max(0,\\; -3.9{=s[2] - s[0] + margin}) = 2.9 $$

        ```pycon
        >>> s = [3.2, 5.1, -1.7]
        >>> margin = 1
        >>> loss = max(0, s[1] - s[0] + margin) + max(0, s[2] - s[0] + margin)
        >>> round(loss, 10)
        2.9
        ```

        Published in {nocheck}`1999`.
        """,
    )
    failures, result = check(path)
    assert failures == []
    assert result.unchecked == []
    # The first max's 0 changes nothing when edited: it is notation, found in the doctest.
    assert (result.bound, result.pinned, result.matched) == (7, 5, 1)
    assert [item.text for item in result.exempt] == ["1999"]


def test_unchecked_number_is_reported_with_page_line_and_number(tmp_path: Path) -> None:
    path = write_page(
        tmp_path,
        """\
        The average loss is 5.27{=average}.

        :::{note}
        The notes print 4.6 here.
        :::

        ```pycon
        >>> average = (2.9 + 0 + 12.9) / 3
        >>> round(average, 2)
        5.27
        ```
        """,
    )
    _, result = check(path)
    (finding,) = result.unchecked
    assert finding.number == "4.6"
    assert finding.line == line_of(path, "4.6")
    assert str(finding).startswith(f"{path}:{finding.line}: the number 4.6")
    assert "not bound" in str(finding)


def test_prose_that_disagrees_with_its_doctest_fails(tmp_path: Path) -> None:
    path = write_page(
        tmp_path,
        """\
        The loss of the cat image is 2.8{=loss}.

        ```pycon
        >>> loss = 5.1 - 3.2 + 1
        >>> round(loss, 10)
        2.9
        ```
        """,
    )
    (failure,), result = check(path)
    assert result.unchecked == []
    assert failure.line == line_of(path, "is 2.8")
    assert str(failure).startswith(f"{path}:{failure.line}: the number 2.8 is bound to `loss`")
    assert "does not round to it" in failure.message


def test_an_unbound_number_fails_even_when_a_doctest_has_it(tmp_path: Path) -> None:
    # Membership would let 0.3 become 0.4 unnoticed: both are in the doctest.
    path = write_page(
        tmp_path,
        """\
        The first probability is 0.4.

        ```pycon
        >>> [0.3, 0.4]
        [0.3, 0.4]
        ```
        """,
    )
    _, result = check(path)
    assert [f.number for f in result.unchecked] == ["0.4"]


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("0.34{=third}", "does not round to it"),
        ("0.3334{=third}", "does not round to it"),  # more digits than are true
        ("3{=third}", "is not that integer"),
        ("0.33{=0.33}", "computes nothing"),
        ("0.33{=thrid}", "raised NameError"),
        ("0.33{=[third]}", "not a real number"),
    ],
)
def test_a_binding_fails_with_its_reason(tmp_path: Path, written: str, reason: str) -> None:
    path = write_page(
        tmp_path,
        f"""\
        One third is {written}.

        ```pycon
        >>> third = 1 / 3
        ```
        """,
    )
    (failure,), result = check(path)
    assert reason in failure.message
    assert failure.line == line_of(path, "One third")
    assert result.unchecked == []


def test_a_changed_bound_number_always_fails(tmp_path: Path) -> None:
    body = """\
        Scores 3.2{=s[0]}, 5.1{=s[1]} and −1.7{=s[2]} give the loss 2.9{=loss}.

        ```pycon
        >>> s = [3.2, 5.1, -1.7]
        >>> loss = max(0, s[1] - s[0] + 1) + max(0, s[2] - s[0] + 1)
        ```
        """
    assert check(write_page(tmp_path, body))[0] == []
    for original in ["3.2{", "5.1{", "−1.7{", "2.9{", "[0]", "[1]", "[2]"]:
        for edit in {
            "3.2{": ["3.3{", "5.1{"],
            "5.1{": ["5.2{"],
            "−1.7{": ["1.7{", "−1.8{"],
            "2.9{": ["3.9{", "2.8{"],
            "[0]": ["[1]"],
            "[1]": ["[2]"],
            "[2]": ["[0]"],
        }[original]:
            changed = body.replace(original, edit, 1)
            assert check(write_page(tmp_path, changed))[0], f"{original} -> {edit} passed"


def test_the_build_shows_the_number_without_its_binding() -> None:
    from tests.bookcheck.pages import binding_syntax

    text = 'loss 2.9{=L[0]}, $5.1{=S[0, 1]} - 3.2$ and f"{x=}" {1: 2}'
    assert binding_syntax().sub("", text) == 'loss 2.9, $5.1 - 3.2$ and f"{x=}" {1: 2}'


def test_worked_arithmetic_pins_its_numbers_and_reports_a_wrong_step(tmp_path: Path) -> None:
    path = write_page(
        tmp_path,
        """\
        $$
        \\begin{aligned}
        L &= \\max(0,\\; 5.1 - 3.2 + 1) + \\max(0,\\; -1.7 - 3.2 + 1) \\\\
          &= \\max(0,\\; 2.9) + \\max(0,\\; -3.9) = 2.9 + 0 = 2.9 .
        \\end{aligned}
        $$

        $$ \\frac{1}{3}(2.9 + 0 + 12.9) = 5.4 $$

        $$ \\max(0,\\; -1.7 - 3.2 + 1) = \\max(0,\\; -3.8) = 0 $$
        """,
    )
    _, result = check(path)
    # Every number of the first chain is pinned, -1.7 too: the max hides it from the total,
    # but read part by part, -1.7 - 3.2 + 1 = -3.9 must hold.
    assert not [f for f in result.unchecked if f.line == line_of(path, "5.1 - 3.2")]
    assert result.pinned == 15  # a block with a wrong step pins nothing
    wrong = sorted((f.number, f.line) for f in result.unchecked if f.kind == "arithmetic")
    assert wrong == [
        ("5.4", line_of(path, "= 5.4")),
        ("\\max(0,\\; -3.8)", line_of(path, "-3.8")),  # the part that the max hides
    ]
    assert all(
        "does not follow from the arithmetic" in str(f)
        for f in result.unchecked
        if f.kind == "arithmetic"
    )


def test_wrong_expected_value_fails_at_its_line(tmp_path: Path) -> None:
    path = write_page(
        tmp_path,
        """\
        The loss is 3.9.

        ```pycon
        >>> 5.1 - 3.2 + 1
        3.9
        ```
        """,
    )
    (failure,) = check(path)[0]
    assert failure.line == line_of(path, ">>> 5.1")
    assert "expected 3.9" in failure.message
    assert str(failure).startswith(f"{path}:{failure.line}:")


def test_overprecise_float_fails(tmp_path: Path) -> None:
    path = write_page(
        tmp_path,
        """\
        One third is 0.3334.

        ```pycon
        >>> 1 / 3
        0.3334
        ```
        """,
    )
    (failure,) = check(path)[0]
    assert "expected 0.3334" in failure.message
    assert failure.line == line_of(path, ">>> 1 / 3")


def test_numbers_in_math_captions_and_headings_are_audited(tmp_path: Path) -> None:
    path = write_page(
        tmp_path,
        """\
        # Section 7

        $$
        x = 8
        $$

        ```{figure} plot.svg
        :alt: a curve through 9

        Caption with 10.
        ```

        ```{code-cell} ipython3
        ---
        mystnb:
          figure:
            caption: Loss after 11 steps
        ---
        x = 12  # code is not prose
        ```
        """,
    )
    _, result = check(path)
    assert sorted((f.number, f.kind) for f in result.unchecked) == [
        ("10", "caption"),
        ("11", "caption"),
        ("7", "heading"),
        ("8", "math"),
        ("9", "caption"),
    ]
    assert {f.line for f in result.unchecked if f.number == "8"} == {line_of(path, "x = 8")}


def test_doctests_share_one_namespace_across_blocks(tmp_path: Path) -> None:
    path = write_page(
        tmp_path,
        """\
        ```pycon
        >>> x = 40
        ```

        Some prose.

        ```pycon
        >>> x + 2
        42
        ```
        """,
    )
    failures, result = check(path)
    assert failures == []
    assert result.unchecked == []


def test_closing_fence_is_not_part_of_expected_output(tmp_path: Path) -> None:
    path = write_page(
        tmp_path,
        """\
        ```pycon
        >>> print("done")
        done
        ```
        """,
    )
    assert check(path)[0] == []


def test_formula_notation_may_round_less_than_its_doctest_but_not_more(tmp_path: Path) -> None:
    path = write_page(
        tmp_path,
        """\
        $$ R(W) = \\sum W^2 \\quad\\text{and}\\quad x^3 $$

        ```pycon
        >>> W = [2.0]
        >>> sum(w ** 2.0 for w in W)
        4.0
        ```
        """,
    )
    _, result = check(path)
    assert [finding.number for finding in result.unchecked] == ["3"]


def test_integers_that_math_states_as_values_must_be_bound(tmp_path: Path) -> None:
    path = write_page(
        tmp_path,
        """\
        With $N = 3$ images, scores $s = [10, -2, 3]$ and a loss of $0$, the mean is
        $\\frac{1}{N} \\sum_i L_i$.

        ```pycon
        >>> s = [10, -2, 3]
        >>> N, loss = 3, 0
        >>> 1 / N
        0.3333
        ```
        """,
    )
    _, result = check(path)
    # The doctest has every one of these numbers, but N = 3, the list and the lone 0 state
    # values, so they must be bound; the 1 of the fraction is notation.
    assert sorted(f.number for f in result.unchecked) == ["-2", "0", "10", "3", "3"]
    assert all("is not bound to a computed value" in str(f) for f in result.unchecked)
    bound = path.read_text(encoding="utf-8")
    for old, new in [
        ("N = 3$", "N = 3{=N}$"),
        ("[10, -2, 3]$", "[10{=s[0]}, -2{=s[1]}, 3{=s[2]}]$"),
        ("$0$", "$0{=loss}$"),
    ]:
        bound = bound.replace(old, new)
    path.write_text(bound, encoding="utf-8")
    failures, result = check(path)
    assert not failures
    assert not result.unchecked


def test_numbers_in_doctest_comments_must_be_bound(tmp_path: Path) -> None:
    path = write_page(
        tmp_path,
        """\
        ```pycon
        >>> losses = [2.9, 0.0, 12.9]
        >>> total = sum(losses)   # the frog's 12.9 is most of it
        ```
        """,
    )
    _, result = check(path)
    (finding,) = result.unchecked
    assert (finding.number, finding.kind) == ("12.9", "comment")
    assert finding.line == line_of(path, "# the frog")
    path.write_text(
        path.read_text(encoding="utf-8").replace("12.9 is", "12.9{=losses[2]} is"),
        encoding="utf-8",
    )
    failures, result = check(path)
    assert not failures
    assert not result.unchecked
    path.write_text(path.read_text(encoding="utf-8").replace("12.9{=", "12.8{="), encoding="utf-8")
    (failure,) = check(path)[0]
    assert "12.8" in failure.source
    assert "does not round to it" in failure.message


@pytest.mark.parametrize(
    ("math", "holds"),
    [
        ("-(\\ln 0.4 + \\ln 0.4 + \\ln 0.1)/3 = 1.38", True),  # a log takes one number
        ("-(\\ln 0.4 + \\ln 0.4 + \\ln 0.1)/3 = 1.37", False),
        ("2 (0.1 - 1) / 3 = -0.6", True),  # a product by juxtaposition
        ("2 (0.1 - 1) / 3 = -0.3", False),
        ("-\\bigl(\\ln 0.3 \\cdot 0 + \\ln 0.4 \\cdot 1\\bigr) = 0.92", True),
        ("-\\bigl(\\ln 0.3 \\cdot 0 + \\ln 0.4 \\cdot 1\\bigr) = 1.20", False),
        ("4 \\times \\lvert -0.25 \\rvert = 1", True),
        # An integer after = is exact, up to what the other side's rounded floats allow; after
        # \\approx it is a rounding like any written number.
        ("\\ln 7.389 = 2", True),
        ("\\ln 7.3 = 2", False),
        ("\\ln 7.3 \\approx 2", True),
    ],
)
def test_worked_arithmetic_is_read_as_a_reader_reads_it(math: str, holds: bool) -> None:
    result = arithmetic.check(math)
    assert bool(result.wrong) is not holds
    if holds:  # the divisor, or the 1 the log is multiplied by, cannot change unnoticed
        last_integer = [n for n in find_numbers(math, prose=True) if not n.is_float][-1]
        assert last_integer.start in result.pinned


HINGE_PAGE = """\
    $$
    L_i = \\sum_{j \\ne y_i} \\max(0,\\; s_j - s_{y_i} + \\Delta),
    {where s = scores; y_i = 0; \\Delta = 1.0; L_i = loss}
    $$

    and over the data $L = \\frac{1}{N} \\sum_{i=1}^{N} L_i {where N = 2; L_i = losses; L = mean}$.

    ```pycon
    >>> import numpy as np
    >>> scores = np.array([3.2, 5.1, -1.7])
    >>> loss = max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1)
    >>> losses = np.array([loss, 0.5])
    >>> mean = float(losses.mean())
    ```
    """


def test_a_formula_holds_with_its_values_and_its_numbers_are_evaluated(tmp_path: Path) -> None:
    path = write_page(tmp_path, HINGE_PAGE)
    failures, result = check(path)
    assert failures == []
    assert result.unchecked == []
    assert result.evaluated == 3  # the 0 of the max, and the two 1s of the mean


@pytest.mark.parametrize(
    ("original", "edit"),
    [
        ("\\max(0,", "\\max(1,"),  # the hinge's corner
        ("\\frac{1}{N}", "\\frac{2}{N}"),
        ("{i=1}", "{i=0}"),  # a sum from 0 runs past the end of the data
        ("s_j - s_{y_i}", "s_j + s_{y_i}"),  # not a number, but the formula is checked whole
    ],
)
def test_an_edited_formula_fails_at_its_line(tmp_path: Path, original: str, edit: str) -> None:
    path = write_page(tmp_path, HINGE_PAGE.replace(original, edit, 1))
    failures, _ = check(path)
    assert len(failures) == 1
    assert failures[0].line == line_of(path, edit)
    assert "does not hold" in failures[0].message or "cannot be evaluated" in failures[0].message


def test_a_number_the_values_do_not_check_is_reported(tmp_path: Path) -> None:
    body = """\
        The hinge $\\max(0, 1 - m){where m = margin; = hinge}$ of a margin.

        ```pycon
        >>> margin = 2.0
        >>> hinge = max(0.0, 1 - margin)
        ```
        """
    path = write_page(tmp_path, body)
    (failure,) = check(path)[0]
    assert failure.line == line_of(path, "The hinge")
    assert "the number 1 in this math is not checked by its values" in failure.message
    assert "still holds when it is 2" in failure.message
    # A second example, below the corner, tells 1 - m from 2 - m.
    second = body.replace("= hinge}", "= hinge}{where m = 0.5; = max(0.0, 1 - 0.5)}")
    assert check(write_page(tmp_path, second))[0] == []


def test_what_a_formula_states_must_be_computed(tmp_path: Path) -> None:
    body = """\
        $L = 2 a {where a = 1.5; L = 3.0}$

        ```pycon
        >>> a = 1.5
        ```
        """
    (failure,) = check(write_page(tmp_path, body))[0]
    assert "`L = 3.0` computes nothing" in failure.message


def test_the_build_strips_the_values_of_a_formula() -> None:
    from tests.bookcheck.pages import _bindings_extension

    text = "$L_{\\text{SE}} = (a - t)^2 {where a = q[0]; L_{\\text{SE}} = se}$ and {1: 2}"
    assert _bindings_extension().strip_bindings(text) == "$L_{\\text{SE}} = (a - t)^2 $ and {1: 2}"


def _where(**values) -> formulas.Where:
    names = {"Delta": "\\Delta", "L_SE": "L_{\\text{SE}}", "KL": "\\operatorname{KL}(p \\| q)"}
    return formulas.Where.read((names.get(name, name), value) for name, value in values.items())


@pytest.mark.parametrize(
    ("math", "where", "value"),
    [
        # A sum from 1 counts positions; an unbounded sum runs over what it subscripts, from 0.
        ("\\sum_{i=1}^{N} x_i^2", _where(x=[1.0, 2.0, 3.0], N=2), 5.0),
        ("\\sum_{j \\ne y} s_j", _where(s=[1.0, 2.0, 4.0], y=1), 5.0),
        ("\\sum_{i:\\, p_i > 0} q_i", _where(p=[0.5, 0.0, 0.5], q=[0.1, 0.3, 0.6]), 0.7),
        ("\\sum_k \\sum_l W_{k,l}^2", _where(W=[[1.0, 2.0], [0.0, 3.0]]), 14.0),
        ("\\sum W^2", _where(W=[[1.0, 2.0], [0.0, 3.0]]), 14.0),
        # Iverson brackets, norms, absolute values, natural and based logs.
        ("[h > 0] + [h \\le 0]", _where(h=-1.0), 1.0),
        ("2 / \\|w\\|", _where(w=[3.0, 4.0]), 0.4),
        ("\\lvert a \\rvert + |b|", _where(a=-1.0, b=-2.0), 3.0),
        ("\\log_2 x - \\ln x / \\ln 2", _where(x=3.0), 0.0),
        # Juxtaposition: the square is the parenthesis's, a function's argument its own.
        ("\\tfrac12 (a - t)^2", _where(a=0.3, t=1.0), 0.245),
        ("2 (a - t)\\, a (1 - a)", _where(a=0.5, t=1.0), -0.25),
        ("-t \\ln a - (1 - t) \\ln(1 - a)", _where(a=0.5, t=1.0), 0.6931471805599453),
        (
            "\\sigma(z) \\bigl(1 - \\sigma(z)\\bigr)",
            _where(z=0.0, **{"\\sigma": lambda z: 0.5}),
            0.25,
        ),
        ("w \\cdot x + b", _where(w=[1.0, 2.0], x=[3.0, 4.0], b=-1.0), 10.0),
        # A function takes a sum up to the next + or -; a max can run over an index.
        ("\\log \\sum_j e^{s_j} - 1", _where(s=[0.0, 0.0]), 0.6931471805599453 - 1),
        ("-\\max_j s_j", _where(s=[1.0, 3.0, 2.0]), -3.0),
        # Two letters below a name inside sums over both are two indices.
        ("\\sum_k \\sum_l W_{kl}^2", _where(W=[[1.0, 2.0], [0.0, 3.0]]), 14.0),
        # A sum's own index wins over a value the list gives it.
        ("j + \\sum_{j \\ne 0} s_j", _where(s=[1.0, 2.0, 4.0], j=10), 16.0),
        # Matrices written side by side multiply as matrices.
        ("\\sum X^\\top (P - Y)", _where(X=[[1.0, 2.0]], P=[[1.0, 0.0]], Y=[[0.0, 1.0]]), 0.0),
        ("\\sum X^\\top (P - Y)^2", _where(X=[[1.0, 2.0]], P=[[1.0, 0.0]], Y=[[0.0, 1.0]]), 6.0),
        # Any piece of math can be given its value by name.
        ("\\operatorname{KL}(p \\| q) + L_{\\text{SE}}", _where(KL=0.25, L_SE=0.5), 0.75),
    ],
)
def test_formulas_are_read_as_a_reader_reads_them(math: str, where, value: float) -> None:
    assert formulas.evaluate(math, where) == pytest.approx(value, rel=1e-12, abs=1e-15)


def test_a_family_of_values_is_indexed_inside_a_sum() -> None:
    where = _where(L_i=[1.0, 2.0, 6.0], N=3, L=3.0)
    assert formulas.problems("L = \\frac{1}{N} \\sum_{i=1}^{N} L_i", [where]) == []
    assert formulas.problems("L = \\frac{1}{N} \\sum_i L_i", [where]) == []  # runs over L_i
    gradients = formulas.Where.read(
        [("\\frac{\\partial L_i}{\\partial f(x_i; W)}", [1.0, 2.0]), ("g", 1.5)]
    )
    assert (
        formulas.problems(
            "g = \\frac{1}{2} \\sum_{i=1}^{2} \\frac{\\partial L_i}{\\partial f(x_i; W)}",
            [gradients],
        )
        == []
    )


def test_the_entries_of_a_list_may_hold_semicolons_in_names() -> None:
    entries = formulas.split_entries("\\frac{\\partial L_i}{\\partial f(x_i; W)} = g; W = w[0]")
    assert entries == [("\\frac{\\partial L_i}{\\partial f(x_i; W)}", "g"), ("W", "w[0]")]


def test_an_inequality_holds_at_its_values_and_catches_the_edits_that_break_it() -> None:
    where = _where(KL=0.1438)
    assert formulas.problems("\\operatorname{KL}(p \\| q) \\ge 0", [where]) == []
    assert formulas.problems("\\operatorname{KL}(p \\| q) \\ge 1", [where])  # no longer holds
    # Weakened, an inequality stays true: no value can tell ``x < 0`` from ``x < 1``.
    ((_, why),) = formulas.problems("x < 0", [_where(x=-0.5)])
    assert "still holds when it is 1" in why
