"""The bench's split of a page's main thread (benchmarks/page_trace.py), on a trace small
enough to add up by hand."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from page_trace import main_thread_split

URL = "http://127.0.0.1:8000/page.html"
MAIN, OTHER_THREAD = {"pid": 1, "tid": 1}, {"pid": 1, "tid": 2}


def mark(name: str, ts: int, **data) -> dict:
    return {"name": name, "ph": "R", "ts": ts, **MAIN, "args": {"frame": "F", **data}}


def span(name: str, ts: int, dur: int, thread: dict = MAIN) -> dict:
    return {"name": name, "ph": "X", "ts": ts, "dur": dur, **thread}


def test_each_event_counts_its_own_time_towards_the_nearest_named_kind() -> None:
    events = [
        mark("navigationStart", 0, data={"documentLoaderURL": URL}),
        span("RunTask", 10_000, 50_000),  # 20 ms of its own: other
        span("ParseHTML", 20_000, 30_000),
        span("EvaluateScript", 30_000, 10_000),  # a script the parser runs
        span("RunTask", 60_000, 40_000),  # none of its own
        span("Layout", 60_000, 30_000),
        span("ScopedBlockingCall", 70_000, 10_000),  # unnamed: counts as the layout around it
        span("Paint", 90_000, 10_000),
        span("Layout", 40_000, 50_000, OTHER_THREAD),  # another thread: not counted
        span("RunTask", 150_000, 100_000),  # runs past the load event: cut there
        span("Layout", 150_000, 100_000),
        mark("firstContentfulPaint", 100_000),
        mark("loadEventEnd", 200_000),
    ]
    split = main_thread_split(events, URL)
    assert split == {
        "parse": 20.0,
        "style": 0.0,
        "layout": 80.0,
        "script": 10.0,
        "paint": 10.0,
        "other": 20.0,
        "idle": 60.0,  # 200 ms less the tasks' 50 + 40 + 50
        "paint_ms": 100.0,
        "load_ms": 200.0,
    }
