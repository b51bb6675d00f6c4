"""The whole book as one PDF, printed by the Chromium the tests already use.

``python conf/_ext/pdf_edition.py`` (``nox -s pdf``) builds the book as a single HTML page
(Sphinx's ``singlehtml`` builder, sharing the HTML build's execution cache), serves it on
127.0.0.1, waits for its fonts (KaTeX's and the Hangul slices, all from the built folder), and
prints it with Chromium's own PDF writer: selectable text, vector math and SVG figures, and a
linked outline from the headings. LaTeX would need about 1 GB of Debian packages and a second
rendering of every formula; Chromium renders the pages exactly as the site does.

As a Sphinx extension, it links the PDF from the site's download menu when a PDF has been
printed (``_build/pdf/loss-functions.pdf``) and copies it into the site.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
PDF = BUILD / "pdf" / "loss-functions.pdf"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _pdf_for(app: Sphinx) -> Path:
    return Path(app.outdir).parent / "pdf" / PDF.name


def _copy_pdf(app: Sphinx, config: Config) -> None:
    if app.builder.name == "html" and _pdf_for(app).is_file():
        config.html_extra_path.append(str(_pdf_for(app).parent))


def _link_pdf(app: Sphinx, pagename: str, templatename, context: dict, doctree) -> None:
    if app.builder.name != "html" or not _pdf_for(app).is_file():
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append(
                {
                    "type": "link",
                    "url": context["pathto"](PDF.name, 1),
                    "text": "book .pdf",
                    "tooltip": "Download the whole book as a PDF",
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


def _html_visitors_for_single_page(app: Sphinx) -> None:
    """Extensions register their nodes' HTML visitors for the ``html`` builder only (myst-nb's
    hidden-cell node, for one); the single-page builder writes the same HTML."""
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    for node, visitors in handlers.get("html", {}).items():
        handlers.setdefault("singlehtml", {}).setdefault(node, visitors)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", lambda app: _copy_pdf(app, app.config))
    app.connect("builder-inited", _html_visitors_for_single_page)
    # After the theme fills its download menu (priority 501).
    app.connect("html-page-context", _link_pdf, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def print_pdf(site: Path, target: Path) -> None:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.site_server import serve

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("The PDF is printed by Debian's chromium: apt-get install chromium")
    target.parent.mkdir(parents=True, exist_ok=True)
    with serve(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{url}/index.html", wait_until="load")
        page.evaluate("document.fonts.ready")
        page.emulate_media(media="print")
        page.pdf(
            path=str(target),
            format="A4",
            margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=(
                '<div style="font-size: 8px; width: 100%; text-align: center;">'
                '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
            ),
            outline=True,
            tagged=True,
        )
        browser.close()


def main() -> None:
    single = BUILD / "singlehtml"
    # Paper cannot unfold a solution, so the printed edition folds none: sphinx-togglebutton
    # folds only what the selector names, and the book marks nothing ".toggle". Folding them
    # and opening each one again for printing cost about 8 s of the print.
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "singlehtml", "-c", "conf", "book", str(single),
         "-W", "--keep-going", "-n", "-q", "-j", "auto", "-D", "togglebutton_selector=.toggle"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    print_pdf(single, PDF)
    print(f"The PDF is in {PDF}")


if __name__ == "__main__":
    main()
