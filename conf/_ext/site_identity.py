"""What tells a reader which book and which version they are reading: the logo and favicon, drawn
here with matplotlib rather than committed as binaries, and the commit the site was built from.

The logo draws the book's two central losses against the margin: the hinge max(0, 1 − m) and
the logistic loss log(1 + e^(−m)). The commit line goes in the footer, linked when the
repository's address is set (conf.py's REPOSITORY_URL).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

ROOT = Path(__file__).resolve().parents[2]


def _draw(folder: Path) -> tuple[Path, Path]:
    paths = folder / "logo.svg", folder / "favicon.png"
    # Importing matplotlib and drawing take about two seconds: redraw only when this file
    # (the drawing) is newer than the pictures.
    drawn = [path.stat().st_mtime for path in paths if path.is_file()]
    if len(drawn) == len(paths) and min(drawn) > Path(__file__).stat().st_mtime:
        return paths
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    margin = np.linspace(-2, 3, 201)
    curves = {
        "#1f77b4": np.maximum(0, 1 - margin),
        "#d62728": np.log1p(np.exp(-margin)),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for path, size, width in ((paths[0], 2.0, 6), (paths[1], 0.32, 3)):
        with plt.rc_context({"svg.hashsalt": "loss-functions", "svg.fonttype": "none"}):
            fig = plt.figure(figsize=(size, size), dpi=100)
            ax = fig.add_axes((0.06, 0.06, 0.88, 0.88))
            for color, loss in curves.items():
                ax.plot(margin, loss, color=color, linewidth=width, solid_capstyle="round")
            ax.set_xlim(-2, 3)
            ax.set_ylim(-0.2, 3)
            ax.axis("off")
            metadata = {"Date": None} if path.suffix == ".svg" else {"Software": None}
            fig.savefig(path, transparent=True, metadata=metadata)
            plt.close(fig)
    return paths


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip()


def commit_line(repository_url: str) -> str | None:
    """ "Built from commit abc1234", linked to the commit when the repository is known."""
    commit = _git("rev-parse", "HEAD")
    if not commit:
        return None
    short = commit[:7]
    if repository_url:
        short = f'<a href="{repository_url.rstrip("/")}/commit/{commit}">{short}</a>'
    edited = _git("status", "--porcelain", "--", "book", "lossref")
    changed = " with local changes" if edited else ""
    return f"Built from commit {short}{changed}."


def _identify(app: Sphinx, config: Config) -> None:
    logo, favicon = _draw(Path(app.outdir).parent / "identity")
    config.html_logo = str(logo)
    config.html_favicon = str(favicon)
    line = commit_line(config.repository_url)
    if line:
        options = config.html_theme_options
        options["extra_footer"] = " ".join(filter(None, [options.get("extra_footer"), line]))


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("repository_url", "", "html", types=[str])
    app.connect("config-inited", _identify)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
