"""What a reader's browser fetches to show each page of a built site, and how soon it paints.

    python benchmarks/page_weight.py [SITE]       # default: _build/html

Each page is loaded from a local server (a process of its own) in headless Chromium (Debian's,
never a downloaded one) with an empty cache, as on a first visit; every response is counted, by
asset type, until the network is idle (late fonts and images included). First paint and the
load event are read from the page's own performance entries; each figure is the median of
``RUNS`` loads.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.site_server import serve  # noqa: E402  (the checkout is importable only from here)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RUNS = 3
VIEWPORT = {"width": 1280, "height": 900}
TYPES = ("html", "css", "js", "font", "image", "other")
_SUFFIX_TYPE = {
    ".html": "html",
    ".css": "css",
    ".js": "js",
    ".woff2": "font",
    ".woff": "font",
    ".ttf": "font",
    ".svg": "image",
    ".png": "image",
    ".jpg": "image",
    ".gif": "image",
    ".ico": "image",
}


@dataclass
class PageLoad:
    page: str
    bytes_by_type: Counter[str] = field(default_factory=Counter)
    files_by_type: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    requests: int = 0
    first_paint_ms: float = 0.0
    load_ms: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.bytes_by_type.values())


def asset_type(url: str) -> str:
    return _SUFFIX_TYPE.get(Path(urlsplit(url).path).suffix.lower(), "other")


def chapters(site: Path) -> list[str]:
    """The book's pages: every HTML file but the generated ones (search, index, 404)."""
    skip = {"search.html", "genindex.html", "404.html", "py-modindex.html"}
    return sorted(
        path.relative_to(site).as_posix() for path in site.glob("*.html") if path.name not in skip
    )


def _load_once(browser, url: str, page: str) -> PageLoad:
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    result = PageLoad(page)
    responses = []
    tab.on("response", lambda response: responses.append(response))
    tab.goto(f"{url}/{page}", wait_until="networkidle")
    timing = tab.evaluate(
        """() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const paint = performance.getEntriesByName('first-contentful-paint')[0]
                || performance.getEntriesByName('first-paint')[0];
            return {paint: paint ? paint.startTime : -1, load: nav.loadEventEnd};
        }"""
    )
    files = {response.url: len(response.body()) for response in responses}
    context.close()
    result.first_paint_ms, result.load_ms = timing["paint"], timing["load"]
    result.requests = len(files)
    for file_url, size in files.items():
        kind = asset_type(file_url)
        result.bytes_by_type[kind] += size
        result.files_by_type.setdefault(kind, []).append((urlsplit(file_url).path, size))
    return result


def launch(playwright):
    """Debian's Chromium (never a downloaded one), headless."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def measure(site: Path, pages: list[str] | None = None, runs: int = RUNS) -> list[PageLoad]:
    from playwright.sync_api import sync_playwright

    pages = pages or chapters(site)
    loads = []
    with serve(site) as url, sync_playwright() as playwright:
        browser = launch(playwright)
        _load_once(browser, url, pages[0])  # warm the browser itself, not the page's cache
        for page in pages:
            tries = [_load_once(browser, url, page) for _ in range(runs)]
            best = tries[0]
            best.first_paint_ms = statistics.median(t.first_paint_ms for t in tries)
            best.load_ms = statistics.median(t.load_ms for t in tries)
            loads.append(best)
        browser.close()
    return loads


def kib(size: float) -> str:
    return f"{size / 2**10:.0f}"


def print_table(loads: list[PageLoad]) -> None:
    header = f"{'page':<32}" + "".join(f"{t:>7}" for t in TYPES)
    print(header + f"{'total':>8}{'req':>5}{'paint':>7}{'load':>7}")
    print(
        f"{'':<32}" + "".join(f"{'KiB':>7}" for _ in TYPES) + f"{'KiB':>8}{'':>5}{'ms':>7}{'ms':>7}"
    )
    for load in loads:
        print(
            f"{load.page:<32}"
            + "".join(f"{kib(load.bytes_by_type[t]):>7}" for t in TYPES)
            + f"{kib(load.total):>8}{load.requests:>5}"
            + f"{load.first_paint_ms:>7.0f}{load.load_ms:>7.0f}"
        )


def print_heaviest_files(loads: list[PageLoad], count: int = 12) -> None:
    """The files that most pages fetch, and their size: what a first visit pays for."""
    seen: Counter[str] = Counter()
    sizes: dict[str, int] = {}
    for load in loads:
        for files in load.files_by_type.values():
            for path, size in files:
                if not path.endswith(".html"):
                    seen[path] += 1
                    sizes[path] = size
    print(f"{'file (fetched by n of ' + str(len(loads)) + ' pages)':<60}{'KiB':>7}{'n':>4}")
    for path, size in sorted(sizes.items(), key=lambda item: -item[1] * seen[item[0]])[:count]:
        print(f"{path:<60}{kib(size):>7}{seen[path]:>4}")


def main() -> None:
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html"
    loads = measure(site)
    print_table(loads)
    print()
    print_heaviest_files(loads)


if __name__ == "__main__":
    main()
