"""The built site, in a real Chromium with no network: every page loads, renders its math and
figures, asks nothing of any host but the local server, and search works.

Needs ``_build/html`` (``nox -s docs``) and Debian's ``chromium`` (never a downloaded browser).
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.bookcheck.audit import REFERENCE_PAGES
from tests.site_server import serve

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conf" / "_ext"))
import lean_pages
from hangul_font import STYLESHEET, unicode_ranges  # the ranges as the build reads them

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
SCREENSHOT_PAGES = (
    "index.html",
    "intro.html",
    "svm-hinge.html",
    "softmax-cross-entropy.html",
    "glossary.html",
)
# Chromium as the workplace runs it headless: no sandbox as root, and none of the background
# traffic (component updates, sync, QUIC probes) that a machine without a network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Sections and API entries off screen are laid out, and show their text and fonts, only as they
# near the screen (content-visibility in conf/_static/book.css): this lays them all out, as
# scrolling would.
EVERYTHING_LAID_OUT = "* { content-visibility: visible !important; }"
# Raw TeX that KaTeX would have replaced, had it rendered the math.
RAW_TEX_MARKERS = ("\\frac", "\\sum", "\\max", "\\log", "\\lambda", "$$", "\\(", "\\[")

pytestmark = pytest.mark.browser


def site_pages() -> list[str]:
    if not (SITE / "index.html").is_file():
        return []
    return sorted(
        path.relative_to(SITE).as_posix()
        for path in SITE.rglob("*.html")
        if not path.relative_to(SITE).parts[0].startswith(("_", "."))
    )


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE} has no built site: run `nox -s docs` first")
    with serve(SITE) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, through Playwright's driver: one driver per process, since a second
    would find the first one's event loop running."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        yield lambda *extra: playwright.chromium.launch(
            executable_path=executable, args=[*CHROMIUM_ARGS, *extra]
        )


@pytest.fixture(scope="module")
def browser(chromium):
    browser = chromium()
    yield browser
    browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.foreign_requests = []
    page.errors = []

    def route(route):
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1" or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            page.foreign_requests.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def test_site_has_every_page_of_the_book() -> None:
    pages = site_pages()
    assert "index.html" in pages, "build the site first: nox -s docs"
    sources = sorted(
        p.relative_to(ROOT / "book").with_suffix(".html").as_posix()
        for p in (ROOT / "book").rglob("*.md")
        if not p.name.startswith("_")  # the page template is not part of the site
    )
    assert set(sources) <= set(pages)


def is_hangul(char: str) -> bool:
    """Jamo, compatibility jamo (the letters written alone) or a syllable."""
    return (
        "\u1100" <= char <= "\u11ff" or "\u3130" <= char <= "\u318f" or "\uac00" <= char <= "\ud7a3"
    )


@pytest.mark.parametrize("name", site_pages())
def test_page_renders_offline(page, server: str, name: str) -> None:
    response = page.goto(f"{server}/{name}", wait_until="networkidle")
    assert response is not None
    assert response.status == 200
    page.add_style_tag(content=EVERYTHING_LAID_OUT)
    page.evaluate("document.fonts.ready")

    # Before its first paint a page waits for one stylesheet of its own site, and no script.
    blocking = page.evaluate(
        "performance.getEntriesByType('resource')"
        ".filter(entry => entry.renderBlockingStatus === 'blocking').map(entry => entry.name)"
    )
    if name != "search.html":  # its template's search scripts run as the page is parsed
        paths = [urlsplit(url).path for url in blocking]
        assert len(paths) == 1, f"{name}: render-blocking requests: {paths}"
        assert paths[0].startswith("/_static/styles-"), f"{name}: blocked on {paths[0]}"

    # Figures load as they near the screen (lean_pages.py): load them all, as scrolling would.
    eager = page.evaluate(
        "Array.from(document.querySelectorAll('article img'))"
        ".filter(img => img.loading !== 'lazy').map(img => img.src)"
    )
    assert eager == [], f"{name}: figures that hold up the page's load: {eager}"
    page.evaluate(
        "Promise.all(Array.from(document.images, img => {"
        "  img.loading = 'eager';"
        "  return img.decode().catch(() => null);"
        "}))"
    )
    broken = page.evaluate(
        "Array.from(document.images)"
        ".filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)"
    )
    assert broken == [], f"{name}: images that did not decode: {broken}"
    no_alt = page.evaluate(
        "Array.from(document.querySelectorAll('article img'))"
        ".filter(img => !(img.getAttribute('alt') || '').trim()).map(img => img.src)"
    )
    assert no_alt == [], f"{name}: figures without alt text: {no_alt}"
    source = ROOT / "book" / name.replace(".html", ".md")
    chapter = source.is_file() and source.stem not in REFERENCE_PAGES
    if chapter and "{code-cell}" in source.read_text(encoding="utf-8"):
        figures = page.evaluate("document.querySelectorAll('article img').length")
        assert figures >= 1, f"{name}: a chapter that computes shows at least one figure"

    unrendered = page.evaluate(
        "Array.from(document.querySelectorAll('.math'))"
        ".filter(el => !el.querySelector('.katex')).map(el => el.textContent.slice(0, 80))"
    )
    assert unrendered == [], f"{name}: math left unrendered: {unrendered}"
    # The visible text of the page outside code (which may show TeX on purpose) and outside
    # KaTeX's hidden MathML copy of the source.
    text = page.evaluate(
        """() => {
            const article = document.querySelector('article');
            if (!article) return '';
            const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
            const parts = [];
            while (walker.nextNode()) {
                const parent = walker.currentNode.parentElement;
                if (parent.closest('pre, code, .highlight, .katex-mathml, script, style')) continue;
                if (!parent.checkVisibility()) continue;
                parts.push(walker.currentNode.textContent);
            }
            return parts.join(' ');
        }"""
    )
    leftover = [marker for marker in RAW_TEX_MARKERS if marker in text]
    assert leftover == [], f"{name}: raw TeX visible on the page: {leftover}"
    assert "{=" not in text, f"{name}: a number's binding is visible on the page"
    assert "{where" not in text, f"{name}: a formula's values are visible on the page"

    hangul = "".join(sorted({char for char in text if is_hangul(char)}))
    if hangul:
        # Korean must not depend on the reader's fonts: the site serves the glyphs it uses.
        ranges = unicode_ranges((SITE / "_static" / STYLESHEET).read_text(encoding="utf-8"))
        uncovered = [c for c in hangul if not any(a <= ord(c) <= b for a, b in ranges)]
        assert not uncovered, f"{name}: no font the site serves draws {uncovered}"
        hangul_loaded = page.evaluate(
            """text => document.fonts.check('16px "Book Hangul"', text) &&
                Array.from(document.fonts).some(
                    f => f.family.includes('Book Hangul') && f.status === 'loaded')""",
            hangul,
        )
        assert hangul_loaded, f"{name}: the Hangul font did not load from the site"

    if page.query_selector(".katex"):
        math_font_loaded = page.evaluate(
            "document.fonts.check('16px KaTeX_Main') && "
            "Array.from(document.fonts).some(f => f.family.includes('KaTeX') "
            "&& f.status === 'loaded')"
        )
        assert math_font_loaded, f"{name}: KaTeX fonts did not load from the site"

    assert page.foreign_requests == [], (
        f"{name}: requests off this machine: {page.foreign_requests}"
    )
    assert page.errors == [], f"{name}: JavaScript errors: {page.errors}"
    # One search field, the sidebar's: sphinx-book-theme has no top bar (conf.py).
    search_fields = page.locator("button.search-button-field").evaluate_all(
        "fields => fields.filter(field => field.checkVisibility()).length"
    )
    assert search_fields == 1, f"{name}: {search_fields} search fields on screen"

    if name in SCREENSHOT_PAGES:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / name.replace(".html", ".png"), full_page=True)

    # On a phone, a formula wider than the column scrolls; its start must stay in reach.
    page.set_viewport_size({"width": 420, "height": 900})
    cut = page.evaluate(
        """() => Array.from(document.querySelectorAll('div.math')).filter(math => {
            const left = math.getBoundingClientRect().left;
            const first = math.querySelector('.katex-html > .base');
            return first && first.getBoundingClientRect().left < left - 1;
        }).map(math => math.textContent.trim().slice(0, 60))"""
    )
    assert cut == [], f"{name}: display math whose start is out of reach: {cut}"


def test_icon_fonts_hold_every_icon_the_stylesheets_name() -> None:
    """The bundled stylesheets load icon fonts cut down to their icons (lean_pages.py): none
    of the icons a stylesheet names, that the full font has, may be missing from the cut."""
    from fontTools.ttLib import TTFont

    bundles = sorted((SITE / "_static").glob("styles-*.css"))
    assert bundles, "build the site first: nox -s docs"
    for bundle in bundles:
        css = bundle.read_text(encoding="utf-8")
        icons = {ord(char) for char in re.findall("[\ue000-\uf8ff]", css)}
        fonts = re.findall(r"url\((vendor/fontawesome/webfonts/[\w.-]+\.woff2)\)", css)
        assert icons, f"{bundle.name}: no icons"
        assert fonts, f"{bundle.name}: no icon fonts"
        for font in fonts:
            cut = SITE / "_static" / font
            full = cut.with_name(cut.name.split(".")[0] + ".woff2")
            assert cut != full, f"{bundle.name} loads the whole of {font}"
            missing = icons & set(TTFont(full).getBestCmap()) - set(TTFont(cut).getBestCmap())
            assert not missing, f"{font} lacks {sorted(map(hex, missing))}"


def test_bundles_hold_the_stylesheets_as_the_build_left_them() -> None:
    """A bundle's first line keys the stylesheets it was made from (lean_pages.py). A stylesheet
    rewritten after the bundle was made (the theme rewrites pygments.css as the build ends) or
    edited since (conf/_static/book.css) would leave the site serving the old rules."""
    pages = {path: path.read_text(encoding="utf-8") for path in map(SITE.joinpath, site_pages())}
    vocabulary = lean_pages.Vocabulary(SITE, pages)
    bundles = sorted((SITE / "_static").glob("styles-*.css"))
    assert bundles, "build the site first: nox -s docs"
    for bundle in bundles:
        names = tuple(lean_pages.bundle_names(SITE, f"_static/{bundle.stem}"))
        sources = [(SITE / f"{name}.css").read_text(encoding="utf-8") for name in names]
        key = lean_pages.bundle_key(names, sources, vocabulary)
        header = bundle.read_text(encoding="utf-8").partition("\n")[0]
        assert header.endswith(f"| {key[:16]} */"), f"{bundle.name} is stale: {header}"


def test_code_is_highlighted_for_the_color_mode(browser, server: str) -> None:
    colors = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(f"{server}/intro.html", wait_until="load")
        colors[scheme] = page.evaluate(
            "getComputedStyle(document.querySelector('article .highlight .kn')).color"
        )
        context.close()
    assert colors["light"] != colors["dark"], f"keywords look the same in both modes: {colors}"


# Every value <html> is given for its colour theme, from before the page's first script.
RECORD_THEME_CHANGES = """
window.themes = [];
new MutationObserver((records) => {
  for (const record of records) window.themes.push(record.target.dataset.theme);
}).observe(document, {subtree: true, attributeFilter: ["data-theme"]});
"""


@pytest.mark.parametrize(("stored", "scheme", "theme"), [
    (None, "light", "light"), (None, "dark", "dark"), ("dark", "light", "dark"),
    ("light", "dark", "light"), ("auto", "dark", "dark"),
])  # fmt: skip
def test_the_colour_theme_is_set_once_before_any_paint(browser, server, stored, scheme, theme):
    """The theme as its own script resolves it (the reader's stored mode, or the system's
    scheme), set where the head's first script stands (lean_pages.py): a theme set later styles
    the whole page again, and the page would first paint without the theme's colours."""
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    if stored is not None:
        page.goto(f"{server}/404.html")
        page.evaluate("mode => localStorage.setItem('mode', mode)", stored)
    page.add_init_script(RECORD_THEME_CHANGES)
    page.goto(f"{server}/bibliography.html", wait_until="load")
    changes = page.evaluate("window.themes")
    context.close()
    assert changes, "the page sets its theme"
    assert changes[0] == theme
    assert set(changes) == {theme}, f"the theme changed after it was set: {changes}"


def test_figures_stay_legible_in_dark_mode(browser, server: str) -> None:
    """Figures are drawn on white (conf/matplotlibrc) and the theme keeps a light backdrop
    behind images in dark mode, so dark axis text stays readable; a screenshot is kept."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.goto(f"{server}/intro.html", wait_until="networkidle")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    background = page.evaluate(
        "getComputedStyle(document.querySelector('article .cell_output img')).backgroundColor"
    )
    red, green, blue = (int(part) for part in background[4:-1].split(","))
    assert min(red, green, blue) >= 180, f"a dark backdrop behind figures: {background}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "intro-dark.png", full_page=True)
    context.close()


def test_search_finds_a_term_of_the_book(page, server: str) -> None:
    page.goto(f"{server}/search.html?q=regularization", wait_until="networkidle")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=15_000)
    assert results.count() >= 1
    titles = " ".join(results.all_inner_texts()).lower()
    assert "regularization" in titles or "loss" in titles
    assert page.foreign_requests == []
    assert page.errors == []


def test_scrollable_code_gets_its_tab_stop_at_the_first_tab(page, server: str) -> None:
    """The theme's tab stops on scrollable code wait for the first Tab, not the load event
    (lean_pages.py), and then follow the theme's own rule."""
    blocks = "pre, .cell_output > .output, .pst-scrollable-table-container"
    page.set_viewport_size({"width": 420, "height": 900})  # narrow: code blocks overflow
    page.goto(f"{server}/svm-hinge.html", wait_until="load")
    own = page.evaluate("Function.prototype.toString.call(window.addEventListener)")
    assert "[native code]" in own, "the theme registered no load listener to postpone"
    stops = f"Array.from(document.querySelectorAll('{blocks}'), block => block.tabIndex)"
    assert set(page.evaluate(stops)) == {-1}, "tab stops were set before any key was pressed"

    page.keyboard.press("Tab")
    scrollable = page.evaluate(
        f"Array.from(document.querySelectorAll('{blocks}'), block =>"
        "  block.scrollWidth > block.clientWidth || block.scrollHeight > block.clientHeight)"
    )
    assert any(scrollable), "no code block overflows: the test shows nothing"
    assert page.evaluate(stops) == [0 if wide else -1 for wide in scrollable]
    assert page.errors == []


@pytest.fixture(scope="module")
def screen_reader_browser(chromium):
    """Chromium as a running screen reader finds it: ``--force-renderer-accessibility`` keeps the
    whole accessibility tree, which Chromium otherwise builds only when assistive technology
    asks for it."""
    browser = chromium("--force-renderer-accessibility")
    yield browser
    browser.close()


ARTICLE_HEADINGS = "article :is(h1, h2, h3, h4)"


def normalized(heading: str) -> str:
    return heading.removesuffix("#").strip()  # the permalink sign after each heading


@pytest.mark.parametrize("name", ["svm-hinge.html", "api-cross-entropy.html"])
def test_a_screen_reader_reaches_what_is_not_yet_laid_out(screen_reader_browser, server, name):
    """Sections and API entries off screen are skipped by layout (content-visibility: auto in
    book.css), not hidden: before anything is scrolled to, a screen reader finds every heading
    of the page and every formula, as MathML."""
    context = screen_reader_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/{name}", wait_until="load")
    headings = page.evaluate(
        f"Array.from(document.querySelectorAll('{ARTICLE_HEADINGS}'), h => h.textContent)"
    )
    skipped = page.evaluate(
        f"Array.from(document.querySelectorAll('{ARTICLE_HEADINGS}, .katex-mathml math'))"
        ".filter(node => !node.checkVisibility({contentVisibilityAuto: true})).length"
    )
    formulas = page.evaluate("document.querySelectorAll('.katex-mathml math').length")
    nodes = context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    context.close()
    assert skipped, "nothing on the page is skipped: the test shows nothing"
    exposed = [node for node in nodes if not node.get("ignored")]
    roles = [node.get("role", {}).get("value") for node in exposed]
    exposed_headings = {
        normalized(node.get("name", {}).get("value", ""))
        for node, role in zip(exposed, roles, strict=True)
        if role == "heading"
    }
    assert {normalized(heading) for heading in headings} <= exposed_headings
    assert roles.count("MathMLMath") == formulas
