"""Build and page benchmarks: prints each figure of the "Speed" issue next to its target, and
where the time and the bytes go. Asserts nothing.

    python benchmarks/bench_build.py [--source DIR] [--lossref-edit] [--keep DIR]

Copies the book (book/, conf/, lossref/ of the checkout, or of ``--source``) into a temporary
folder, so the checkout and its _build are left alone, and builds it there the way
``nox -s docs`` does (``-W --keep-going -n -j auto``), through benchmarks/timed_build.py:

1. a clean build: no environment, no execution cache (every page executes);
2. ``-E``: a fresh environment, the execution cache kept (no page executes);
3. a no-op rebuild;
4. a rebuild after one prose edit on one page;
5. with ``--lossref-edit``, a rebuild after an edit under lossref/ (every page that calls it
   executes again).

Then it loads every page of the site in headless Chromium from 127.0.0.1 with an empty cache
(benchmarks/page_weight.py): bytes by asset type, first paint and load event. The slowest pages
and the lightest are loaded once more, traced (benchmarks/page_trace.py), to show where their
time goes on the renderer's main thread, beside the floor: a page of one paragraph.

The KaTeX release fetched from npm is copied from the checkout's _build/vendor when there is
one: the figures are the book's, not the network's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import page_trace  # noqa: E402  (sibling modules)
import page_weight  # noqa: E402

EDITED_PAGE = "softmax-cross-entropy"  # a typical page: math, figures, code
TRACED_PAGES = 5  # the slowest pages to load once more under a trace
MIB = 2**20
# The targets (seconds, milliseconds, bytes).
TARGETS = {
    "clean": 60.0,
    "rebuild_E": 15.0,
    "noop": 2.0,
    "prose_edit": 8.0,
    "first_paint_ms": 300.0,
    "load_ms": 500.0,
    "bytes": 1 * MIB,
    "heaviest_execution": 8.0,
}


def build(workdir: Path, name: str, *extra: str) -> dict:
    """One sphinx-build of the copy in ``workdir``, timed by timed_build.py."""
    timings = workdir / f"timings-{name}.json"
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "timed_build.py"),
        str(timings),
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
        *extra,
    ]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        print(f"[{name}: sphinx-build exited with {result.returncode}; its last words:]")
        print("\n".join(result.stderr.strip().splitlines()[-6:]))
    record = json.loads(timings.read_text()) if timings.is_file() else {}
    record["process_s"] = wall  # from the command's start to its exit: what a user waits
    return record


def copy_book(source: Path, workdir: Path) -> None:
    for folder in ("book", "conf", "lossref"):
        shutil.copytree(
            source / folder, workdir / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    vendor = source / "_build" / "vendor"
    if vendor.is_dir():
        shutil.copytree(vendor, workdir / "_build" / "vendor")


def row(what: str, now: str, target: str, met: bool | None) -> None:
    verdict = "" if met is None else ("ok" if met else "OVER")
    print(f"{what:<58} {now:>17}{target:>12}  {verdict}")


def seconds(record: dict) -> str:
    return f"{record.get('process_s', float('nan')):.1f} s"


def print_targets(builds: dict[str, dict], loads: list[page_weight.PageLoad]) -> None:
    print(f"{'what':<58} {'now':>17}{'target':>12}")
    labels = {
        "clean": "clean sphinx-build (execution cache cold)",
        "rebuild_E": "rebuild -E (fresh environment, cached execution)",
        "noop": "no-op rebuild",
        "prose_edit": f"one prose edit on one page ({EDITED_PAGE}.md)",
    }
    for key, label in labels.items():
        record = builds[key]
        failed = " (failed)" if record.get("status") else ""
        row(
            label + failed,
            seconds(record),
            f"{TARGETS[key]:.0f} s",
            record["process_s"] <= TARGETS[key],
        )
    if loads:
        paint = max(load.first_paint_ms for load in loads)
        loaded = max(load.load_ms for load in loads)
        heaviest = max(loads, key=lambda load: load.total)
        row(
            "a page in Chromium, cold: first paint / load (worst page)",
            f"{paint:.0f} / {loaded:.0f} ms",
            f"{TARGETS['first_paint_ms']:.0f} / {TARGETS['load_ms']:.0f} ms",
            paint <= TARGETS["first_paint_ms"] and loaded <= TARGETS["load_ms"],
        )
        row(
            f"bytes, first visit (worst: {heaviest.page})",
            f"{heaviest.total / MIB:.2f} MiB",
            "1.00 MiB",
            heaviest.total <= TARGETS["bytes"],
        )
    pages = builds["clean"].get("pages", {})
    if pages:
        page, data = max(pages.items(), key=lambda item: item[1]["execute_s"])
        row(
            f"the heaviest page's execution ({page}.md)",
            f"{data['execute_s']:.1f} s",
            f"{TARGETS['heaviest_execution']:.0f} s",
            data["execute_s"] <= TARGETS["heaviest_execution"],
        )
    for label in (
        "fresh clone: python3 -m nox -s docs",
        "python3 -m nox -s tests after the docs build",
        "bash .ci/run on a fresh machine",
    ):
        row(label, "not run here", "", None)


def print_time_split(name: str, record: dict, slowest: int = 6) -> None:
    if "read_phase_s" not in record:
        return
    print(
        f"{name}: {record['process_s']:.1f} s wall, {record['cpu_s']:.0f} s CPU. Phases (wall): "
        f"start-up {record['startup_s']:.1f} s, read {record['read_phase_s']:.1f} s, "
        f"resolve {record['between_s']:.1f} s, write and finish {record['write_phase_s']:.1f} s"
    )
    print(
        f"  summed over pages (parallel readers overlap): execution {record['execution_s']:.1f}"
        f" s, reading around it {record['reading_s'] - record['execution_s']:.1f} s; "
        f"writing {record['writing_s']:.1f} s, of which KaTeX {record['katex_s']:.1f} s for "
        f"{record['formulas']} formulas; {record['pages_read']} pages read, "
        f"{record['pages_written']} written"
    )
    pages = record.get("pages", {})
    ranked = sorted(pages.items(), key=lambda item: -(item[1]["read_s"] + item[1]["write_s"]))
    if ranked:
        columns = f"{'read':>8}{'execute':>9}{'write':>8}{'KaTeX':>8}{'formulas':>9}"
        print(f"  {'slowest pages':<30}{columns}")
        for page, data in ranked[:slowest]:
            print(
                f"  {page:<30}{data['read_s']:>7.1f}s{data['execute_s']:>8.1f}s"
                f"{data['write_s']:>7.1f}s{data['katex_s']:>7.1f}s{data['formulas']:>9}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout to build")
    parser.add_argument("--lossref-edit", action="store_true", help="also time a lossref edit")
    parser.add_argument("--keep", type=Path, help="keep the built copy in this folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        copy_book(args.source.resolve(), workdir)
        builds = {"clean": build(workdir, "clean")}
        builds["rebuild_E"] = build(workdir, "rebuild_E", "-E")
        builds["noop"] = build(workdir, "noop")
        page = workdir / "book" / f"{EDITED_PAGE}.md"
        page.write_text(page.read_text() + "\nAn edited closing sentence.\n")
        builds["prose_edit"] = build(workdir, "prose_edit")
        if args.lossref_edit:
            module = next((workdir / "lossref").glob("*.py"))
            module.write_text(module.read_text() + "\n# an edit\n")
            builds["lossref_edit"] = build(workdir, "lossref_edit")

        site = workdir / "_build" / "html"
        loads: list[page_weight.PageLoad] = []
        traces: dict[str, dict[str, float]] = {}
        if (site / "index.html").is_file() and (
            shutil.which("chromium") or Path("/usr/bin/chromium").exists()
        ):
            loads = page_weight.measure(site)
            by_load = sorted(loads, key=lambda load: -load.load_ms)
            traced = [load.page for load in by_load[:TRACED_PAGES]] + [by_load[-1].page]
            traces = page_trace.measure(site, traced)

        print()
        print("== The issue's figures: now and target ==")
        print_targets(builds, loads)
        print()
        print("== Where the build's time goes ==")
        for name, record in builds.items():
            print_time_split(name, record, slowest=8 if name in ("clean", "rebuild_E") else 3)
        print()
        print("== What each page transfers on a first visit (KiB by asset type) ==")
        if loads:
            page_weight.print_table(loads)
            print()
            page_weight.print_heaviest_files(loads)
            print()
            print("== Where a page's time goes in Chromium, until its load event ==")
            print("(the main thread in one traced load, slower than untraced: the slowest pages,")
            print(
                " the lightest, and the floor, a page of one paragraph, for this machine's share)"
            )
            page_trace.print_table(traces)
        else:
            print("not measured: no built site, or no chromium (apt-get install chromium)")
        files = [f for f in site.rglob("*") if f.is_file()] if site.is_dir() else []
        print(f"\nsite: {sum(f.stat().st_size for f in files) / MIB:.1f} MiB in {len(files)} files")
        if args.keep:
            shutil.copytree(workdir, args.keep, dirs_exist_ok=True)


if __name__ == "__main__":
    main()
