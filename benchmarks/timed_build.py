"""sphinx-build, with a record of where its time goes (for bench_build.py).

    python benchmarks/timed_build.py TIMINGS.json [sphinx-build arguments]

Runs Sphinx in this process, exactly as ``sphinx-build`` would, with a few clocks added and
nothing else changed: the read phase (and within it each page's reading and its notebook
execution), the write phase (and within it each page's writing and the KaTeX rendering of its
math), and the end (static files, search index). Parallel readers are forked processes, so
every clock appends a line to a log file that the main process sums up in TIMINGS.json.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

LOG_ENV = "BENCH_TIMINGS_LOG"


def _record(**entry: object) -> None:
    with open(os.environ[LOG_ENV], "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


def _instrument() -> None:
    """Wrap the functions whose time the bench reports."""
    import sphinx.application
    import sphinxcontrib.katex as katex
    from sphinx.builders.html import StandaloneHTMLBuilder

    render = katex.render_latex
    katex_time = defaultdict(float)
    katex_count = defaultdict(int)

    def timed_render(latex, options=None):
        start = time.perf_counter()
        try:
            return render(latex, options)
        finally:
            katex_time[_current.get("write")] += time.perf_counter() - start
            katex_count[_current.get("write")] += 1

    katex.render_latex = timed_render

    write_doc = StandaloneHTMLBuilder.write_doc

    def timed_write_doc(self, docname, doctree):
        _current["write"] = docname
        start = time.perf_counter()
        try:
            return write_doc(self, docname, doctree)
        finally:
            _record(
                what="write",
                doc=docname,
                s=time.perf_counter() - start,
                katex_s=katex_time.pop(docname, 0.0),
                formulas=katex_count.pop(docname, 0),
            )

    StandaloneHTMLBuilder.write_doc = timed_write_doc

    def setup(app):
        def phase(name):
            return lambda *args: _record(what="phase", phase=name, t=time.time())

        def read_start(app, docname, source):
            _current["read"] = docname
            _current["read_start"] = time.perf_counter()

        def read_end(app, doctree):
            docname = app.env.docname
            _record(what="read", doc=docname, s=time.perf_counter() - _current["read_start"])

        def time_execution(app, env, docnames):
            # Once the build has loaded the execution stack (conf/_ext/execution_stack.py)
            # and before its readers fork: importing it here would undo that deferral.
            if docnames:
                import myst_nb.core.execute.cache as nb_cache

                execute = nb_cache.single_nb_execution

                def timed_execution(notebook, cwd, *args, **kwargs):
                    start = time.perf_counter()
                    try:
                        return execute(notebook, cwd, *args, **kwargs)
                    finally:
                        doc = _current.get("read")
                        _record(what="execute", doc=doc, s=time.perf_counter() - start)

                nb_cache.single_nb_execution = timed_execution

        app.connect("builder-inited", phase("start"), priority=0)
        app.connect("env-before-read-docs", time_execution, priority=999)
        app.connect("env-before-read-docs", phase("read"), priority=0)
        app.connect("env-updated", phase("read_done"), priority=999)
        app.connect("write-started", phase("write"), priority=0)
        app.connect("build-finished", phase("end"), priority=999)
        app.connect("source-read", read_start, priority=0)
        app.connect("doctree-read", read_end, priority=999)
        return {"parallel_read_safe": True, "parallel_write_safe": True}

    module = type(sys)("bench_timing")
    module.setup = setup
    sys.modules["bench_timing"] = module
    sphinx.application.builtin_extensions += ("bench_timing",)


_current: dict[str, object] = {}


def summarize(log: Path, wall: float, cpu: float, status: int) -> dict[str, object]:
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    phases = {e["phase"]: e["t"] for e in entries if e["what"] == "phase"}
    read = {e["doc"]: e["s"] for e in entries if e["what"] == "read"}
    execute = defaultdict(float)
    for e in entries:
        if e["what"] == "execute":
            execute[e["doc"]] += e["s"]
    writes = {e["doc"]: e for e in entries if e["what"] == "write"}

    def between(first: str, last: str) -> float:
        return phases[last] - phases[first] if first in phases and last in phases else 0.0

    return {
        "status": status,
        "wall_s": wall,
        "cpu_s": cpu,
        "startup_s": wall - between("start", "end"),
        "read_phase_s": between("read", "read_done"),
        "between_s": between("read_done", "write"),
        "write_phase_s": between("write", "end"),
        "pages_read": len(read),
        "pages_written": len(writes),
        "execution_s": sum(execute.values()),
        "reading_s": sum(read.values()),
        "katex_s": sum(e["katex_s"] for e in writes.values()),
        "formulas": sum(e["formulas"] for e in writes.values()),
        "writing_s": sum(e["s"] for e in writes.values()),
        "pages": {
            doc: {
                "read_s": read.get(doc, 0.0),
                "execute_s": execute.get(doc, 0.0),
                "write_s": writes[doc]["s"] if doc in writes else 0.0,
                "katex_s": writes[doc]["katex_s"] if doc in writes else 0.0,
                "formulas": writes[doc]["formulas"] if doc in writes else 0,
            }
            for doc in sorted(set(read) | set(writes))
        },
    }


def main() -> int:
    output = Path(sys.argv[1]).resolve()
    log = output.with_suffix(".log")
    log.unlink(missing_ok=True)
    log.touch()
    os.environ[LOG_ENV] = str(log)
    _instrument()
    from sphinx.cmd.build import build_main

    start, cpu_start = time.perf_counter(), os.times()
    status = build_main(sys.argv[2:])
    wall, cpu_end = time.perf_counter() - start, os.times()
    cpu = sum(cpu_end[:4]) - sum(cpu_start[:4])  # this process and the ones it waited for
    output.write_text(json.dumps(summarize(log, wall, cpu, status), indent=1), encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
