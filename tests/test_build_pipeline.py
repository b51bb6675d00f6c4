"""The build itself: executed outputs follow lossref edits, and a failing cell fails the build
with its traceback on the terminal. Each test builds a small book in a temporary folder with the
real conf/; the tests that only read a clean build share one."""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
FRONT_MATTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def make_book(tmp_path: Path, pages: dict[str, str]) -> Path:
    shutil.copytree(ROOT / "conf", tmp_path / "conf", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "lossref").mkdir()
    (tmp_path / "lossref" / "__init__.py").write_text("ANSWER = 41\n")
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(ROOT / "book" / "references.bib", book)
    # The logo and favicon the checkout's build drew (site_identity.py draws them again only
    # when its drawing is newer): importing matplotlib to draw them was 1.3 s of each build.
    identity = ROOT / "_build" / "identity"
    if identity.is_dir():
        shutil.copytree(identity, tmp_path / "_build" / "identity")
    toctree = "\n".join(pages)
    (book / "index.md").write_text(f"# Test book\n\n```{{toctree}}\n{toctree}\n```\n")
    for name, body in pages.items():
        (book / f"{name}.md").write_text(FRONT_MATTER + textwrap.dedent(body))
    return tmp_path


def build(
    workdir: Path, *extra: str, runner: tuple[str, ...] = ("-m", "sphinx")
) -> subprocess.CompletedProcess[str]:
    vendor = ROOT / "_build" / "vendor"
    options = ["-D", f"npm_vendor_dir={vendor}"] if vendor.is_dir() else []
    return subprocess.run(
        [sys.executable, *runner, "-c", "conf", "book", "_build/html",
         "-W", "--keep-going", "-n", *options, *extra],
        cwd=workdir, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


LIST_MODULES_AFTER_BUILD = """\
import sys
from pathlib import Path
from sphinx.cmd.build import main
code = main(sys.argv[2:])
Path(sys.argv[1]).write_text("\\n".join(sorted(sys.modules)))
sys.exit(code)
"""
FIGURE = """\
# A figure

```{index} parabola
```

$$y = x^2$$ (parabola)

The parabola {eq}`parabola`.

```{code-cell} ipython3
import matplotlib.pyplot as plt
plt.plot([0, 1, 2], [0, 1, 4])
plt.xlabel("x")
plt.show()
```
"""
API = "# API\n\n```{eval-rst}\n.. autofunction:: lossref.answer\n```\n"
DOCTESTS_AND_CELLS = """\
# Doctests and cells

```pycon
>>> import lossref
>>> answer = lossref.ANSWER + 1
```

```{code-cell} ipython3
print("the cell sees", answer)
```

::::{note}
```pycon
>>> answer * 2
84
```
::::
"""
EXERCISES = """\
# Exercises

::::{exercise}
:label: ex-square

Square $x$.
::::

::::{solution} ex-square
:class: dropdown

$x^2$.
::::
"""
LOSSREF_WITH_A_FUNCTION = '''ANSWER = 41


def answer(x):
    """The answer.

    Parameters
    ----------
    x : int
        A number.
    """
'''


def make_book_of_every_kind(folder: Path) -> Path:
    """A book with a page of each kind the tests below read: a figure, an equation and an
    index entry; an API page (autodoc); doctests that code cells build on; an exercise."""
    pages = {"figure": FIGURE, "api": API, "shared": DOCTESTS_AND_CELLS, "exercises": EXERCISES}
    workdir = make_book(folder, pages)
    (workdir / "lossref" / "__init__.py").write_text(LOSSREF_WITH_A_FUNCTION)
    return workdir


@pytest.fixture(scope="session")
def clean_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One clean build of that book, for the tests that only read it: made by the first
    pytest-xdist worker that asks, while any other waits for it."""
    session = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        session = session.parent  # the workers' folders are in the session's
    workdir = session / "every-kind"
    with FileLock(session / "every-kind.lock"):
        if not (workdir / "built").is_file():
            shutil.rmtree(workdir, ignore_errors=True)  # a build that failed
            make_book_of_every_kind(workdir)
            result = build(workdir, "-q")
            assert result.returncode == 0, result.stdout + result.stderr
            (workdir / "build.log").write_text(result.stdout + result.stderr)
            (workdir / "built").touch()
    return workdir


USES_LOSSREF = """\
# Uses lossref

```{code-cell} ipython3
import lossref
print("answer is", lossref.ANSWER + 1)
```
"""


def test_editing_lossref_reexecutes_pages_that_use_it(tmp_path: Path) -> None:
    workdir = make_book(tmp_path, {"uses": USES_LOSSREF})
    first = build(workdir)
    assert first.returncode == 0, first.stdout + first.stderr
    html = workdir / "_build" / "html" / "uses.html"
    assert "answer is 42" in html.read_text()
    (workdir / "lossref" / "__init__.py").write_text("ANSWER = 99\n")
    second = build(workdir)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "answer is 100" in html.read_text(), "the page kept outputs of the old lossref"


def test_a_build_that_reads_no_page_imports_no_execution_stack(tmp_path: Path) -> None:
    """jupyter-cache, SQLAlchemy, nbclient and jupyter-client took 0.6-0.9 s of a no-op's
    3.2 s (conf/_ext/execution_stack.py); every other test here shows they load to execute."""
    workdir = make_book(tmp_path, {"plain": "# Plain\n\nSome prose.\n"})
    result = build(workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    report = workdir / "modules.txt"
    result = build(workdir, runner=("-c", LIST_MODULES_AFTER_BUILD, str(report)))
    assert result.returncode == 0, result.stdout + result.stderr
    packages = {name.partition(".")[0] for name in report.read_text().split()}
    stack = {"jupyter_cache", "sqlalchemy", "nbclient", "jupyter_client", "zmq"}
    assert not packages & stack, f"a no-op imported {sorted(packages & stack)}"
    assert "myst_nb" in packages


def test_site_wide_files_follow_an_edited_page_or_stylesheet(tmp_path: Path) -> None:
    """The index, search and 404 pages: a rebuild that writes no page keeps them as they are;
    one that writes a page rewrites them, with the page's new title in their sidebars. The
    stylesheet bundle (lean_pages.py): it follows an edited stylesheet, though no page is
    written again."""
    workdir = make_book(tmp_path, {"plain": "# First title\n\nSome prose.\n"})
    site = workdir / "_build" / "html"
    site_wide = [site / name for name in ("genindex.html", "search.html", "404.html")]
    result = build(workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    with (workdir / "conf" / "_static" / "book.css").open("a") as stylesheet:
        stylesheet.write("body { --edited-since: 1; }\n")
    result = build(workdir)  # nothing to read or write
    assert result.returncode == 0, result.stdout + result.stderr
    assert all("First title" in path.read_text() for path in site_wide)
    bundle = re.search(r'href="(_static/styles-[0-9a-f]+\.css)', (site / "plain.html").read_text())
    assert bundle, "the page links no stylesheet bundle"
    assert "--edited-since" in (site / bundle.group(1)).read_text(), "the bundle is stale"

    page = workdir / "book" / "plain.md"
    page.write_text(page.read_text().replace("First title", "Second title"))
    result = build(workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    stale = [path.name for path in site_wide if "Second title" not in path.read_text()]
    assert not stale, f"{stale} kept the old title"


def test_a_page_keeps_only_its_current_formulas_rendered(tmp_path: Path) -> None:
    """conf/_ext/katex_cache.py: a rewritten page leaves the HTML of the formulas it has now,
    and a page that is gone leaves none; what a later build reuses is what KaTeX gave."""
    workdir = make_book(tmp_path, {"squares": "# Squares\n\n$a^2$\n", "gone": "# Gone\n\n$b$\n"})
    assert build(workdir).returncode == 0
    page = workdir / "book" / "squares.md"
    page.write_text(page.read_text().replace("$a^2$", "$a^3 + a^2$"))
    index = workdir / "book" / "index.md"
    index.write_text(index.read_text().replace("gone\n", ""))
    (workdir / "book" / "gone.md").unlink()
    result = build(workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    kept = workdir / "_build" / "html" / ".doctrees" / "katex"
    assert sorted(path.name for path in kept.iterdir()) == ["index.json", "squares.json"]
    formulas = json.loads((kept / "squares.json").read_text())
    assert [json.loads(key)[-1] for key in formulas] == ["a^3 + a^2"]
    [rendered] = formulas.values()
    assert rendered in (workdir / "_build" / "html" / "squares.html").read_text()


def test_a_quiet_clean_build_prints_nothing(clean_build: Path) -> None:
    """With ``-q`` Sphinx prints only warnings, which ``-W`` makes errors; anything else is a
    library logging what no reader of the build needs, such as fontTools' steps at INFO."""
    assert (clean_build / "build.log").read_text() == ""


def test_a_saved_doctree_carries_no_copy_of_the_build_environment(clean_build: Path) -> None:
    """MyST parses an ``{eval-rst}`` block, such as the API pages' autodoc, in a document of its
    own whose settings hold the environment; the page's doctree must not keep that document."""
    doctree = clean_build / "_build" / "html" / ".doctrees" / "api.doctree"
    carries_environment = b"BuildEnvironment" in doctree.read_bytes()
    assert not carries_environment, "the saved doctree pickles a copy of the environment"


def test_the_environment_carries_no_copy_of_a_page(clean_build: Path) -> None:
    """sphinx-exercise keeps every exercise and solution node in the environment, which every
    rebuild unpickles first; a kept node that names its page's document takes the page along."""
    environment = clean_build / "_build" / "html" / ".doctrees" / "environment.pickle"
    registry = pickle.loads(environment.read_bytes()).sphinx_exercise_registry
    assert len(registry) == 2, "the exercise and its solution"
    documents = [
        label
        for label, entry in registry.items()
        for node in entry["node"].findall()
        if node.__dict__.get("_document") is not None
    ]
    assert not documents, f"the kept nodes of {sorted(set(documents))} name a document"
    page = (clean_build / "_build" / "html" / "exercises.html").read_text()
    assert re.search(r"Solution to.*Exercise 1", page, re.S), "the solution's title"


def test_failing_cell_fails_the_build_and_prints_its_traceback(tmp_path: Path) -> None:
    workdir = make_book(
        tmp_path,
        {
            "broken": """\
            # Broken

            ```{code-cell} ipython3
            def inner():
                raise ZeroDivisionError("deliberate failure in a cell")

            inner()
            ```
            """
        },
    )
    result = build(workdir)
    assert result.returncode != 0
    terminal = result.stdout + result.stderr
    assert "deliberate failure in a cell" in terminal
    assert "inner()" in terminal  # the traceback itself, not only a pointer to a log file


def served_files(workdir: Path) -> dict[Path, bytes]:
    """Every file a host serves: not Sphinx's own records, .buildinfo and .doctrees."""
    site = workdir / "_build" / "html"
    return {
        path.relative_to(site): path.read_bytes()
        for path in site.rglob("*")
        if path.is_file() and not path.relative_to(site).parts[0].startswith(".")
    }


def test_clean_builds_and_a_rebuild_give_the_same_bytes(clean_build: Path, tmp_path: Path) -> None:
    """Every file a host serves: the pages, the figure, the notebook download, the search index
    with the page's index entry, the equation's number. Two clean builds give the same bytes,
    and so do a rebuild that writes no page and one that writes every page without reading any
    (``-a``)."""
    clean = served_files(clean_build)
    assert any(path.suffix == ".svg" for path in clean), "the page has its figure"
    assert Path("_sources/figure.ipynb") in clean, "and its notebook download"
    assert b'"parabola"' in clean[Path("searchindex.js")], "and its index entry"
    assert b'href="#equation-parabola">(1)' in clean[Path("figure.html")], "and its number"
    workdir = make_book_of_every_kind(tmp_path)
    builds = {"a second clean build": (), "a rebuild with nothing to read": (), "-a": ("-a",)}
    for name, extra in builds.items():
        result = build(workdir, *extra)
        assert result.returncode == 0, result.stdout + result.stderr
        again = served_files(workdir)
        assert clean.keys() == again.keys(), name
        differ = sorted(str(path) for path in clean if clean[path] != again[path])
        assert not differ, f"{name} changed {differ}"


def test_code_cells_see_the_doctests_and_a_wrong_output_fails_the_build(
    clean_build: Path, tmp_path: Path
) -> None:
    assert "the cell sees 42" in (clean_build / "_build" / "html" / "shared.html").read_text()

    wrong = make_book(tmp_path, {"shared": DOCTESTS_AND_CELLS.replace("84", "85")})
    result = build(wrong)
    assert result.returncode != 0
    terminal = result.stdout + result.stderr
    assert "Expected:\n    85\nGot:\n    84" in terminal  # doctest's own report, in the build log
