"""The KaTeX render server starts on its unix socket without a refused connection, even on a
loaded machine, and serves the processes that write pages side by side
(conf/_ext/offline_katex.py).

node creates the socket file a moment before it listens on it; sphinxcontrib-katex connected
as soon as the file existed, and under load it caught that moment ("Connection refused"). The
build's server retries until node listens. This starts it many times on a core that busy
processes keep occupied, and renders a formula through each one. (Its speed, the reason for
the unix socket, is a figure of ``nox -s bench``, not a test.)

With ``-j``, Sphinx forks the processes that write pages, as multiprocessing's "fork" context
does here: each must get its own answers from the one server, and a server a forked writer
had to start must not outlive it.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sphinxcontrib.katex

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conf" / "_ext"))
import offline_katex

STARTS = 30
FORMULA = {"latex": r"\ell(s, y) = -\log \frac{e^{s_y}}{\sum_j e^{s_j}}", "katex_options": {}}


@pytest.fixture
def busy_core() -> Iterator[None]:
    """Two spinning processes on one core, and this test confined to that core, for the
    duration of the test: the node servers it starts inherit the confinement and compete with
    the spinners as on a loaded machine, while the other cores stay free for the tests running
    beside this one. Where a process cannot be confined, two spinners per core."""
    confined = hasattr(os, "sched_setaffinity")
    if confined:
        cores = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(cores)})
    spinners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(2 if confined else 2 * (os.cpu_count() or 1))
    ]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
        if confined:
            os.sched_setaffinity(0, cores)


@pytest.fixture
def node(monkeypatch: pytest.MonkeyPatch) -> None:
    # The node the build uses, and the KaTeX that ships with sphinxcontrib-katex.
    monkeypatch.setattr(sphinxcontrib.katex, "NODEJS_BINARY", str(offline_katex.NODE))
    monkeypatch.setattr(offline_katex.KaTeXServer, "katex_path", None)
    # As the build does: the package's render_latex() and get() use this module attribute.
    monkeypatch.setattr(sphinxcontrib.katex, "KaTeXServer", offline_katex.KaTeXServer)


@pytest.fixture
def rundir() -> Iterator[Path]:
    # Short: a unix socket's path must fit in 108 bytes.
    folder = Path(tempfile.mkdtemp(prefix="katex-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def start(rundir: Path) -> offline_katex.KaTeXServer:
    rundir.mkdir(exist_ok=True)
    process, sock = offline_katex.KaTeXServer.start_server_process(rundir, timeout=5.0)
    return offline_katex.KaTeXServer(rundir, process, sock)


@pytest.mark.usefixtures("node", "busy_core")
def test_server_starts_and_renders_under_load(rundir: Path) -> None:
    for attempt in range(STARTS):
        server = start(rundir / str(attempt))
        assert server.sock.family == socket.AF_UNIX
        try:
            response = server.render(FORMULA, timeout=60)
        finally:
            server.terminate()
        assert 'class="katex"' in response.get("html", ""), response
        assert not (rundir / str(attempt)).exists(), "terminate() removes the server's folder"


@pytest.mark.usefixtures("node")
def test_a_server_slow_to_stop_is_killed_and_reaped(
    rundir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on a busy machine, where node outlived the package's 0.1 s wait for it to exit."""
    monkeypatch.setattr(offline_katex.KaTeXServer, "STOP_TIMEOUT", 0.0)
    server = start(rundir)
    server.terminate()
    assert server.process.returncode is not None, "node was left running, or unreaped"


@pytest.mark.usefixtures("node")
def test_a_server_that_dies_is_reported_not_waited_for(
    rundir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sphinxcontrib.katex, "NODEJS_BINARY", shutil.which("false") or "false")
    with pytest.raises(sphinxcontrib.katex.KaTeXError, match="exited with code 1"):
        start(rundir)


def test_the_build_uses_this_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """render_latex() finds the server class in the package's module; the build replaces it."""
    for name in ("KaTeXServer", "NODEJS_BINARY"):  # restored after the test
        monkeypatch.setattr(sphinxcontrib.katex, name, getattr(sphinxcontrib.katex, name))
    monkeypatch.setattr(offline_katex, "unpack_from_npm", lambda *args: None)
    config = type("Config", (), {"npm_vendor_dir": "", "html_static_path": []})()
    offline_katex._use_local_katex(None, config)
    assert sphinxcontrib.katex.KaTeXServer is offline_katex.KaTeXServer


@pytest.fixture
def build_server(rundir: Path) -> Iterator[offline_katex.KaTeXServer]:
    """A server running in this process, as the build's first page leaves it."""
    server = start(rundir)
    previous = offline_katex.KaTeXServer.katex_server
    offline_katex.KaTeXServer.katex_server = server
    try:
        yield server
    finally:
        offline_katex.KaTeXServer.katex_server = previous
        server.terminate()


def formula(index: int) -> dict:
    return {"latex": rf"x_{{{index}}}", "katex_options": {}}


def render_in_turn(indices: range, answers) -> None:
    """Render a formula per index through the process's server; send what came back."""
    server = offline_katex.KaTeXServer.get()
    answers.send([(index, server.render(formula(index), timeout=60)["html"]) for index in indices])


@pytest.mark.usefixtures("node")
def test_forked_writers_get_their_own_answers(build_server: offline_katex.KaTeXServer) -> None:
    fork = multiprocessing.get_context("fork")
    writers, pipes = [], []
    for first in (0, 100):
        receive, send = fork.Pipe(duplex=False)
        writer = fork.Process(target=render_in_turn, args=(range(first, first + 60), send))
        writer.start()
        writers.append(writer)
        pipes.append(receive)
    # Meanwhile the main process keeps using its own connection.
    mine = [build_server.render(formula(index), timeout=60)["html"] for index in range(200, 260)]
    answers = [answer for pipe in pipes for answer in pipe.recv()]
    for writer in writers:
        writer.join(timeout=60)
        assert writer.exitcode == 0
    answers += zip(range(200, 260), mine, strict=True)
    assert len(answers) == 180
    assert all(f"<mn>{index}</mn>" in html for index, html in answers), "each its own formula"
    assert build_server.process.poll() is None, "the writers leave the build's server running"


def start_and_report(answers) -> None:
    server = offline_katex.KaTeXServer.get()
    server.render(formula(1), timeout=60)
    answers.send((server.process.pid, str(server.rundir)))


@pytest.mark.usefixtures("node")
def test_a_server_a_forked_writer_starts_stops_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offline_katex.KaTeXServer, "katex_server", None)
    fork = multiprocessing.get_context("fork")
    receive, send = fork.Pipe(duplex=False)
    writer = fork.Process(target=start_and_report, args=(send,))
    writer.start()
    pid, folder = receive.recv()
    writer.join(timeout=60)
    assert writer.exitcode == 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # terminate() waited for it: no zombie is left either
    assert not Path(folder).exists()
