"""Where a page's time goes in Chromium: the renderer's main thread from navigation to the load
event, by kind of work, read from one traced cold load of each page.

    python benchmarks/page_trace.py [SITE] [PAGE ...]     # default: _build/html, every page

Tracing slows a load (by a quarter to a half here), so these are shares to read, not times to
hold against the targets: page_weight.py measures those, untraced. Each trace event's own time
(its duration less its children's) counts towards the nearest kind named below, its own or an
enclosing event's: a layout that a script forces counts as layout, and so does a font lookup
made while laying out. "other" is mostly starting the document (committing the navigation,
creating its script context), fetching and scanning for what to fetch; "idle" is the time the
main thread did nothing: it waited for the network, for another process, or for the next frame.

The first row is the floor: a page of one paragraph, no stylesheet, no script, loaded the same
way. It is what any page costs on this machine before the book adds anything.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import page_weight  # noqa: E402  (a sibling module)

from tests.site_server import serve  # noqa: E402  (the checkout is importable only from here)

CATEGORIES = ["devtools.timeline", "blink", "blink.user_timing", "loading", "v8"]
KINDS = {
    "ParseHTML": "parse",
    "UpdateLayoutTree": "style",
    "ParseAuthorStyleSheet": "style",
    "Layout": "layout",
    "EvaluateScript": "script",
    "FunctionCall": "script",
    "EventDispatch": "script",
    "TimerFire": "script",
    "FireAnimationFrame": "script",
    "v8.compile": "script",
    "PrePaint": "paint",
    "Paint": "paint",
    "Layerize": "paint",
    "Commit": "paint",
}
COLUMNS = ("parse", "style", "layout", "script", "paint", "other", "idle")
FLOOR_PAGE = "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Floor</title><p>Floor.</p>"


def _event(events: list[dict], name: str, frame: str) -> dict:
    return next(
        e for e in events if e.get("name") == name and e.get("args", {}).get("frame") == frame
    )


def main_thread_split(events: list[dict], url: str) -> dict[str, float]:
    """Milliseconds of the renderer's main thread by kind, from navigation to the load event,
    with first paint and load as ``paint_ms`` and ``load_ms``."""
    start = next(
        e
        for e in events
        if e.get("name") == "navigationStart" and e["args"]["data"]["documentLoaderURL"] == url
    )
    frame = start["args"]["frame"]
    begin = start["ts"]
    end = _event(events, "loadEventEnd", frame)["ts"]
    main = (start["pid"], start["tid"])
    spans = sorted(
        (
            e
            for e in events
            if (e["pid"], e["tid"]) == main and e.get("ph") == "X" and begin <= e["ts"] < end
        ),
        key=lambda e: (e["ts"], -e.get("dur", 0)),
    )
    split: Counter[str] = Counter()
    open_spans: list[tuple[int, str]] = []  # (end, kind) of the events enclosing the current one
    busy = 0
    for span in spans:
        while open_spans and open_spans[-1][0] <= span["ts"]:
            open_spans.pop()
        duration = min(span.get("dur", 0), end - span["ts"])
        if open_spans:
            split[open_spans[-1][1]] -= duration
            kind = KINDS.get(span["name"], open_spans[-1][1])
        else:
            busy += duration
            kind = KINDS.get(span["name"], "other")
        split[kind] += duration
        open_spans.append((span["ts"] + duration, kind))
    split["idle"] = (end - begin) - busy
    result = {kind: split[kind] / 1000 for kind in COLUMNS}
    result["paint_ms"] = (_event(events, "firstContentfulPaint", frame)["ts"] - begin) / 1000
    result["load_ms"] = (end - begin) / 1000
    return result


def trace_load(browser, url: str) -> dict[str, float]:
    context = browser.new_context(viewport=page_weight.VIEWPORT)
    tab = context.new_page()
    browser.start_tracing(page=tab, categories=CATEGORIES)
    tab.goto(url, wait_until="load")
    tab.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
    events = json.loads(browser.stop_tracing())["traceEvents"]
    context.close()
    return main_thread_split(events, url)


def measure(site: Path, pages: list[str]) -> dict[str, dict[str, float]]:
    """One traced cold load of the floor page and of each page."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as floor_dir:
        (Path(floor_dir) / "floor.html").write_text(FLOOR_PAGE)
        with serve(Path(floor_dir)) as floor_url, serve(site) as url, sync_playwright() as pw:
            browser = page_weight.launch(pw)
            trace_load(browser, f"{floor_url}/floor.html")  # warm the browser itself
            splits = {"(floor: one paragraph)": trace_load(browser, f"{floor_url}/floor.html")}
            for page in pages:
                splits[page] = trace_load(browser, f"{url}/{page}")
            browser.close()
    return splits


def print_table(splits: dict[str, dict[str, float]]) -> None:
    columns = "".join(f"{column:>7}" for column in COLUMNS)
    print(f"{'page (one traced load, ms)':<32}{'paint':>7}{'load':>7}  |{columns}")
    for page, split in splits.items():
        print(
            f"{page:<32}{split['paint_ms']:>7.0f}{split['load_ms']:>7.0f}  |"
            + "".join(f"{split[column]:>7.0f}" for column in COLUMNS)
        )


def main() -> None:
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html"
    pages = sys.argv[2:] or page_weight.chapters(site)
    print_table(measure(site, pages))


if __name__ == "__main__":
    main()
