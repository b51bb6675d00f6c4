"""Build benchmarks: prints timings and sizes, asserts nothing.

Builds a copy of the book (book/, conf/, lossref/) in a temporary folder, so the real checkout
and its _build are left alone, and reports:

* a clean build (every page executed), a no-op rebuild, a rebuild after a prose edit of one
  page, and a rebuild after an edit under lossref/ (every page that calls it re-executes);
* the size of the built site and what a reader's browser transfers to show one page, measured
  by loading it in Chromium from a local server.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.site_server import serve  # noqa: E402  (the checkout is importable only from here)

PAGE = "softmax-cross-entropy"  # a typical page: math, figures, code


def build(workdir: Path) -> float:
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-c",
        "conf",
        "book",
        "_build/html",
        "-W",
        "--keep-going",
        "-n",
        "-q",
        "-j",
        "auto",
    ]
    start = time.perf_counter()
    subprocess.run(command, cwd=workdir, check=True)
    return time.perf_counter() - start


def folder_size(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def page_transfer(site: Path, page: str) -> tuple[int, int, int]:
    """Bytes, gzip-compressed bytes and request count for one page loaded in Chromium."""
    from playwright.sync_api import sync_playwright

    bodies: list[bytes] = []
    with serve(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        tab = browser.new_page()
        tab.on("response", lambda response: bodies.append(response.body()))
        tab.goto(f"{url}/{page}.html", wait_until="networkidle")
        browser.close()
    raw = sum(len(body) for body in bodies)
    compressed = sum(len(gzip.compress(body)) for body in bodies)
    return raw, compressed, len(bodies)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for folder in ("book", "conf", "lossref"):
            shutil.copytree(
                ROOT / folder, workdir / folder, ignore=shutil.ignore_patterns("__pycache__")
            )
        vendor = ROOT / "_build" / "vendor"
        if vendor.is_dir():  # reuse the fetched KaTeX release: this measures the book, not npm
            shutil.copytree(vendor, workdir / "_build" / "vendor")

        rows = [("clean build", build(workdir)), ("no-op rebuild", build(workdir))]
        page = workdir / "book" / f"{PAGE}.md"
        page.write_text(page.read_text() + "\nAn edited closing sentence.\n")
        rows.append((f"rebuild after editing {PAGE}.md", build(workdir)))
        module = workdir / "lossref" / "metrics.py"
        module.write_text(module.read_text() + "\n# an edit\n")
        rows.append(("rebuild after editing lossref/metrics.py", build(workdir)))

        site = workdir / "_build" / "html"
        print(f"{'build':<45} {'seconds':>8}")
        for name, seconds in rows:
            print(f"{name:<45} {seconds:>8.1f}")
        print()
        print(
            f"site size: {folder_size(site) / 2**20:.1f} MiB in "
            f"{sum(1 for f in site.rglob('*') if f.is_file())} files"
        )
        if shutil.which("chromium"):
            raw, compressed, requests = page_transfer(site, PAGE)
            print(
                f"{PAGE}.html transfer: {raw / 2**10:.0f} KiB in {requests} requests "
                f"({compressed / 2**10:.0f} KiB gzip-compressed)"
            )
        else:
            print("chromium not found: page transfer size not measured")


if __name__ == "__main__":
    main()
