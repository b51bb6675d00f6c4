"""Sphinx configuration for the Loss Functions book.

Build with ``sphinx-build -c conf book _build/html`` from the repository root (``nox -s docs``
adds ``-W --keep-going -n``). Local extensions live in ``conf/_ext``.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pybtex.plugin
import sphinxcontrib.bibtex.plugin

CONF_DIR = Path(__file__).resolve().parent
ROOT = CONF_DIR.parent

sys.path.insert(0, str(CONF_DIR / "_ext"))
sys.path.insert(0, str(ROOT))  # autodoc documents lossref from this checkout

# The notebook kernels are child processes: they find ``lossref`` in this checkout, SVG output
# and the book's plot style through the environment they inherit from this process.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
)
os.environ["IPYTHONDIR"] = str(CONF_DIR / "ipython")
os.environ["JUPYTER_PATH"] = os.pathsep.join(  # the kernel spec: conf/jupyter/kernels/python3
    [str(CONF_DIR / "jupyter"), *filter(None, [os.environ.get("JUPYTER_PATH")])]
)
os.environ["MATPLOTLIBRC"] = str(CONF_DIR / "matplotlibrc")

project = "Loss Functions"
author = "The Loss Functions book developers"
copyright = "2026, the Loss Functions book developers"
language = "en"

extensions = [
    "execution_stack",  # before myst_nb, whose execution imports it defers
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxcontrib.katex",
    "sphinxcontrib.bibtex",
    "sphinx_copybutton",
    "sphinx_exercise",
    "sphinx_togglebutton",
    "offline_katex",
    "katex_cache",
    "parallel_writing",
    "compact_pickles",
    "renumber_on_change",
    "site_pages_on_change",
    "search_index_entries",
    "compiled_templates",
    "execution_inputs",
    "doctest_cells",
    "notebook_downloads",
    "hangul_font",
    "lean_pages",  # after hangul_font: it drops the Hangul stylesheet where nothing uses it
    "site_identity",
    "pdf_edition",
    "notfound.extension",
    "sphinx_last_updated_by_git",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md", "_template.md"]
root_doc = "index"

# --- MyST and notebook execution ------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True
# Display equations with a label are numbered on their page and cited with {eq}`label`.
numfig = True
math_numfig = True

nb_execution_mode = "cache"
# nb_execution_cache_path is set by the execution_inputs extension, beside the output folder.
nb_execution_timeout = 180
nb_execution_raise_on_error = False  # report every failing cell, then -W fails the build
nb_execution_show_tb = True  # the traceback goes to the terminal, not only to a log file
nb_merge_streams = True
nb_output_stderr = "warn"  # anything a cell writes to stderr is a build warning
nb_render_markdown_format = "myst"  # tables that hidden cells build from the page's data
# How kernels start and stop is set by the execution_stack extension, when a build executes.

# --- Citations, exercises, copy buttons -----------------------------------------------------
bibtex_bibfiles = [str(ROOT / "book" / "references.bib")]
bibtex_reference_style = "author_year"
bibtex_default_style = "plain"
# pybtex and sphinxcontrib-bibtex find each plugin (a style, a backend) by reading every
# installed package's entry points, about 25 ms each time: eight times as a build starts, and
# again at every citation a build resolves. They are read once; they cannot change meanwhile.
_entry_points = functools.cache(importlib.metadata.entry_points)
pybtex.plugin.entry_points = sphinxcontrib.bibtex.plugin.entry_points = lambda **selection: (
    _entry_points().select(**selection)
)
# Copy what a reader can paste and run: the code of a doctest without its prompts or output,
# with the blank line (a bare "...") that ends a compound statement at Python's prompt.
copybutton_prompt_text = r">>> |\.\.\.(?: |$)"
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True

# --- Math: KaTeX rendered at build time, assets served from the built site --------------------
katex_prerender = True

# --- HTML -----------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Loss Functions"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": True,  # the page as a notebook (notebook_downloads.py), or printed
    "use_fullscreen_button": False,
    # sphinx-book-theme keeps search in the sidebar and leaves pydata-sphinx-theme's top bar
    # empty (navbar_persistent = nothing); pydata-sphinx-theme 0.20 reads that empty value as
    # its default, a search field, and draws the bar above every page with a second search.
    "navbar_persistent": [],
}
html_last_updated_fmt = "%Y-%m-%d"  # each page's last commit (sphinx-last-updated-by-git)
# Without this, a page not yet committed loses its source, its download menu and its notebook
# link: the extension drops the page's sourcename when git has no history for it.
git_untracked_show_sourcelink = True
# A copy of the sources outside git (an sdist, a test's temporary book) has no dates to show.
suppress_warnings = ["git.subprocess_error"]
html_copy_source = True  # the download menu offers each page's MyST source
html_show_sourcelink = False

# --- Publishing -----------------------------------------------------------------------------
# The settings a fork changes (or sets in the environment, as the GitHub workflow does). With
# REPOSITORY_URL set, the pages get repository, issue and edit buttons and the footer links the
# commit; with BASE_URL set (where the site is served), a sitemap and Open Graph tags. Empty
# means absent: the book never points at an address nobody gave it.
REPOSITORY_URL = os.environ.get("BOOK_REPOSITORY_URL", "")
BASE_URL = os.environ.get("BOOK_BASE_URL", "")

repository_url = REPOSITORY_URL  # site_identity.py links the commit in the footer
if REPOSITORY_URL:
    html_theme_options |= {
        "repository_url": REPOSITORY_URL,
        "repository_branch": "main",
        "path_to_docs": "book",
        "use_repository_button": True,
        "use_issues_button": True,
        "use_edit_page_button": True,
    }
if BASE_URL:
    html_baseurl = BASE_URL.rstrip("/") + "/"
    extensions += ["sphinx_sitemap", "sphinxext.opengraph"]
    sitemap_url_scheme = "{link}"
    sitemap_excludes = ["search.html", "genindex.html", "404.html"]
    ogp_site_url = html_baseurl
    ogp_site_name = "Loss Functions"
    ogp_social_cards = {"enable": False}  # generated preview images: not worth a font download
# The 404 page's links are absolute: they start at the site's root on its host.
notfound_urls_prefix = urlsplit(BASE_URL).path.rstrip("/") + "/" if BASE_URL else "/"

# --- API reference ---------------------------------------------------------------------------
autodoc_typehints = "none"  # numpydoc's Parameters section already states every type
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

nitpicky = True
# numpydoc type words are prose, not cross-reference targets.
nitpick_ignore_regex = [(r"py:class", r".*")]
