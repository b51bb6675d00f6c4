"""Each page loads what it uses, and nothing it would wait for that it does not use.

The theme sends every page the same assets, most of which a page of this book never uses.
After the build has written its pages, this rewrites the HTML files and writes slim copies of
the stylesheets and icon fonts beside the originals (the theme's own files are left as they
are):

* **Icons.** The theme loads Font Awesome's script (1.5 MiB, every icon there is), which
  replaces each ``<i class="fa-solid fa-…">`` with an inline SVG once the page has loaded.
  The build makes the same replacement, with the icon data taken from that very script (run
  once with node), and puts the rules of Font Awesome's stylesheet that those icons use in a
  ``<style>`` where the script would have put them. The script is no longer loaded.
* **Icon font.** The icons that stylesheets draw (admonition titles) come from Font Awesome's
  web fonts, 112 KiB for the solid one. The bundle loads copies cut down, with fontTools, to
  the icons its rules name.
* **Search.** The theme loads Sphinx's search scripts and the whole search index on every
  page, for a search-as-you-type box this book does not enable (``search_as_you_type`` is
  off: the search box opens ``search.html``, which loads them itself). Other pages drop them.
* **Scripts.** Every script file in the page's head loads with ``defer``: the page is parsed
  and painted while they download, and they still run in order, before ``DOMContentLoaded``.
  ``documentation_options.js`` is written into the page instead, since the theme's inline
  scripts read the object it defines as the page is parsed; and the search page keeps its
  scripts as they are, since its template's search scripts run as parsed and use
  ``doctools.js``.
* **Colour mode.** The theme's first script leaves a first visit without a colour theme until
  its deferred script resolves one, which then styles the whole page again; it is resolved
  where that first script stood, the same way (``_MODE_RESOLVED``).
* **Tab stops.** At the load event the theme gives each scrollable code block a tab stop, and to
  find them it measures every block on the page, which lays out every section the browser had
  skipped (``content-visibility``): 0.2 to 0.6 s of a long page's load. Only a keyboard user
  needs the stops, so the theme's own function runs at the first press of Tab instead
  (``_TAB_STOPS_AT_FIRST_TAB``, written into the page).
* **Figures** load lazily (``loading="lazy"``): the browser fetches and decodes each as it
  nears the screen. A figure is an SVG that the browser parses on the page's main thread, so
  the figures further down held up the first paint and the load event. Not in the printed
  edition (``singlehtml``), which needs every figure at once.
* **Korean.** Pages with no character that the Hangul font's slices cover (hangul_font.py)
  drop its stylesheet.
* **Stylesheets.** A page links ten stylesheets (the theme's is 368 KiB, most of it for
  Bootstrap components and the 2,000 icons of the icon font), and paints only once it has them
  all. It links one instead, ``_static/styles-<hash>.css``: those stylesheets in the same
  order, each less the rules whose selectors name a class that appears in no page and no
  script of the site, with their ``url()``s rebased. A class a script could build at run time
  (a template string such as ```bs-${name}-auto```) counts as appearing; a selector with
  ``:is()``, ``:not()`` and the like is kept whole. ``@import`` of a local stylesheet is
  inlined. The class vocabulary is the whole site's, so pages that linked the same stylesheets
  share one file, and its key (in the file's first line and the link's ``?v=``) changes when
  the vocabulary does.

Every rewrite is checked: a page where an expected tag is missing (a theme update changed its
markup) is a build warning, so ``-W`` stops the build rather than ship a half-lean site.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging as std_logging
import posixpath
import re
import subprocess
from pathlib import Path

import tinycss2
from docutils import nodes
from hangul_font import STYLESHEET as HANGUL_STYLESHEET
from hangul_font import covers, unicode_ranges
from offline_katex import NODE
from sphinx.application import Sphinx
from sphinx.builders.html._assets import _JavaScript
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

FONTAWESOME_JS = "_static/scripts/fontawesome.js"
_FONTAWESOME_TAG = re.compile(
    r"(?:<!-- So that users can add custom icons -->\s*)?"
    r'<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?'
)
_SEARCH_TAGS = re.compile(
    r'<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|'
    r'searchindex\.js)"></script>\n?'
)
_HANGUL_TAG = re.compile(
    r'<link rel="stylesheet" type="text/css" href="[^"]*'
    + re.escape(HANGUL_STYLESHEET)
    + r'[^"]*" />\n?'
)
# The theme's inline scripts read the object it defines as the page is parsed.
_INLINED_SCRIPT = "documentation_options.js"
_OPTIONS_TAG = re.compile(r'<script src="[^"]*_static/documentation_options\.js[^"]*"></script>')
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
# Runs as the page is parsed, before the theme's deferred script registers its load listener:
# that one registration becomes a listener for the first Tab, and the browser's own
# addEventListener is put back.
_TAB_STOPS_AT_FIRST_TAB = """(() => {
  const add = window.addEventListener;
  window.addEventListener = function (type, listener, options) {
    if (type !== "load" || !document.currentScript?.src.includes("/pydata-sphinx-theme.js")) {
      return add.call(this, type, listener, options);
    }
    window.addEventListener = add;
    const atFirstTab = (event) => {
      if (event.key !== "Tab") return;
      window.removeEventListener("keydown", atFirstTab, true);
      listener();
    };
    add.call(window, "keydown", atFirstTab, true);
  };
})();"""

# The theme's first script copies the colour mode and theme of the reader's last visit onto
# <html>, or "" on a first visit; its deferred script then resolves them (mode "auto": the
# system's theme). Until then no theme's colours apply, and setting them made the browser style
# the whole page again (80 ms on a long chapter). Resolved where the theme's script stood, as its
# deferred script would resolve them (setTheme), they are set once, before the first paint.
_MODE_TAG = re.compile(
    r'<script data-cfasync="false">\s*document\.documentElement\.dataset\.mode = '
    r'localStorage\.getItem\("mode"\) \|\| "(\w*)";\s*'
    r'document\.documentElement\.dataset\.theme = localStorage\.getItem\("theme"\) \|\| "\w*";\s*'
    r"</script>"
)
_MODE_RESOLVED = """<script data-cfasync="false">(() => {
  let mode = localStorage.getItem("mode") || "%s";
  if (mode !== "light" && mode !== "dark") mode = "auto";
  const dark = matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.dataset.mode = mode;
  document.documentElement.dataset.theme = mode === "auto" ? (dark ? "dark" : "light") : mode;
})();</script>"""

# --- Icons ------------------------------------------------------------------------------------
# An empty element whose classes name a Font Awesome icon, as the theme's templates write them.
_ICON = re.compile(r'<(i|span)((?:\s+[\w:-]+="[^"]*")*)\s*>\s*</\1>')
_STYLES = {
    "fa-solid": "fas",
    "fas": "fas",
    "fa-regular": "far",
    "far": "far",
    "fa-brands": "fab",
    "fab": "fab",
}
# Run Font Awesome's script without a page: it registers every icon in a global store.
_ICON_DATA_SCRIPT = """
globalThis.window = globalThis;
require(process.argv[1]);
const styles = globalThis.___FONT_AWESOME___.styles;
const found = {};
for (const [prefix, name] of JSON.parse(process.argv[2])) {
  const icons = styles[prefix] || {};
  let canonical = name in icons ? name : null;
  for (const key in icons) {
    if (canonical) break;
    if (icons[key][2].includes(name)) canonical = key;  // an alias, e.g. pencil-alt
  }
  if (canonical) found[prefix + " " + name] = [canonical, ...icons[canonical]];
}
process.stdout.write(JSON.stringify(found));
"""


def _icon_classes(classes: list[str]) -> tuple[str, list[str]] | None:
    """(style prefix, candidate icon names) of an element's classes, if it is an icon."""
    styles = [_STYLES[name] for name in classes if name in _STYLES]
    names = [name[3:] for name in classes if name.startswith("fa-") and name not in _STYLES]
    if not names or (not styles and "fa" not in classes):
        return None
    return (styles[0] if styles else "fas"), names


def _find_icons(pages: list[str]) -> set[tuple[str, str]]:
    wanted = set()
    for text in pages:
        for match in _ICON.finditer(text):
            found = _icon_classes(dict(_ATTRIBUTE.findall(match.group(2))).get("class", "").split())
            if found:
                wanted.update((found[0], name) for name in found[1])
    return wanted


def _icon_data(script: Path, wanted: set[tuple[str, str]]) -> dict[str, list]:
    result = subprocess.run(
        [str(NODE), "-e", _ICON_DATA_SCRIPT, str(script), json.dumps(sorted(wanted))],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ExtensionError(f"could not read the icons of {script}: {result.stderr}")
    return json.loads(result.stdout)


def _svg(tag_attributes: str, icons: dict[str, list], used: set[str]) -> str | None:
    """The inline SVG Font Awesome's script would put in place of an icon element."""
    attributes = dict(_ATTRIBUTE.findall(tag_attributes))
    classes = attributes.pop("class", "").split()
    found = _icon_classes(classes)
    if not found:
        return None
    prefix, names = found
    known = [name for name in names if f"{prefix} {name}" in icons]
    if not known:
        return None
    canonical, width, height, _aliases, _unicode, path = icons[f"{prefix} {known[0]}"]
    rest = [name for name in classes if name not in _STYLES and name[3:] not in known]
    svg_classes = ["svg-inline--fa", f"fa-{canonical}", *rest]
    used.update(svg_classes)
    if "title" not in attributes and "aria-label" not in attributes:
        attributes["aria-hidden"] = "true"
    attributes |= {"role": "img", "viewBox": f"0 0 {width} {height}"}
    extra = "".join(f' {name}="{value}"' for name, value in attributes.items())
    paths = [path] if isinstance(path, str) else [part for part in path if part]
    drawn = "".join(f'<path fill="currentColor" d="{html.escape(d)}"></path>' for d in paths)
    return f'<svg class="{" ".join(svg_classes)}"{extra}>{drawn}</svg>'


def _svg_rules(script: Path) -> list[tuple[list[str], str]]:
    """The rules of the stylesheet Font Awesome's script injects, as (selectors, body)."""
    source = script.read_text(encoding="utf-8")
    at = source.find(".svg-inline--fa {")  # inside the stylesheet's string literal
    start = source.rfind('"', 0, max(at, 0))
    while start > 0 and source[start - 1] == "\\":
        start = source.rfind('"', 0, start - 1)
    end = source.find('"', max(at, 0))
    while end > 0 and source[end - 1] == "\\":
        end = source.find('"', end + 1)
    if min(at, start, end) < 0:
        raise ExtensionError(f"{script} no longer holds its SVG stylesheet where expected")
    rules = []
    for rule in tinycss2.parse_stylesheet(
        json.loads(source[start : end + 1]), skip_comments=True, skip_whitespace=True
    ):
        if rule.type == "qualified-rule":
            selectors = [part.strip() for part in tinycss2.serialize(rule.prelude).split(",")]
            rules.append((selectors, " ".join(tinycss2.serialize(rule.content).split())))
    return rules


def _icon_stylesheet(rules: list[tuple[list[str], str]], used: set[str]) -> str:
    """The rules whose selectors name only classes in ``used`` (and no pseudo-element)."""
    kept = []
    for selectors, body in rules:
        applies = [
            selector
            for selector in selectors
            if (names := re.findall(r"\.([\w-]+)", selector))
            and set(names) <= used
            and "::" not in selector
        ]
        if applies:
            kept.append(f"{','.join(applies)}{{{body}}}")
    return "".join(kept)


# --- Stylesheets ------------------------------------------------------------------------------
_LINKED_SCRIPT = re.compile(r'<script\b[^>]*\bsrc="([^"?#]+)')
_INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S)
_STYLESHEET_LINK = re.compile(r'<link\b[^>]*\brel="stylesheet"[^>]*>')
_LOCAL_HREF = re.compile(r'href="([^"]*?)(_static/[^"?#]+?)\.css(?:\?[^"]*)?"')
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_KEPT_WHOLE = {"function"}  # :is(), :not(), :where(), :has(), ::slotted() …


class Vocabulary:
    """The class names the site's pages use or its scripts could set."""

    def __init__(self, outdir: Path, pages: dict[Path, str]) -> None:
        self.words: set[str] = set()
        self.patterns: list[re.Pattern[str]] = []
        scripts: set[Path] = set()
        for page, text in pages.items():
            for classes in set(re.findall(r' class="([^"]*)"', text)):  # KaTeX repeats many
                self.words.update(classes.split())
            for body in _INLINE_SCRIPT.findall(text):
                self.words.update(_WORD.findall(body))
            for source in _LINKED_SCRIPT.findall(text):
                if "://" not in source and not source.endswith("searchindex.js"):
                    scripts.add(_site_path(outdir, page, source))
        for script in sorted(scripts):
            if script.is_file():
                self._read_script(script.read_text(encoding="utf-8"))
        patterns = sorted({pattern.pattern for pattern in self.patterns})
        digest = hashlib.sha256("\n".join([*sorted(self.words), *patterns]).encode())
        self.key = digest.hexdigest()[:16]

    def _read_script(self, code: str) -> None:
        self.words.update(_WORD.findall(code))
        # `prefix-${name}-suffix`: any class the template could make.
        for template in re.findall(r"`([\w.${}-]*\$\{[^`]*)`", code):
            pieces = re.split(r"\$\{[^}]*\}", template)
            if (
                pieces[0]
                and sum(map(len, pieces)) >= 3
                and all(re.fullmatch(r"[\w-]*", p) for p in pieces)
            ):
                self.patterns.append(re.compile(r"[\w-]*".join(map(re.escape, pieces))))

    def knows(self, name: str) -> bool:
        return name in self.words or any(pattern.fullmatch(name) for pattern in self.patterns)


def _site_path(outdir: Path, page: Path, reference: str) -> Path:
    """The file a page's relative or root-relative link points to."""
    if "_static/" in reference:
        return outdir / reference[reference.index("_static/") :]
    return (page.parent / reference).resolve()


def _selector_applies(tokens: list, vocabulary: Vocabulary) -> bool:
    classes = []
    previous = None
    for token in tokens:
        if token.type in _KEPT_WHOLE:
            return True
        if (
            token.type == "ident"
            and previous is not None
            and previous.type == "literal"
            and previous.value == "."
        ):
            classes.append(token.value)
        previous = token
    return all(vocabulary.knows(name) for name in classes)


def _purge(rules: list, vocabulary: Vocabulary, folder: Path) -> list[str]:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors, current = [], []
            for token in [*rule.prelude, None]:
                if token is None or (token.type == "literal" and token.value == ","):
                    if _selector_applies(current, vocabulary):
                        selectors.append(tinycss2.serialize(current).strip())
                    current = []
                else:
                    current.append(token)
            if selectors:
                kept.append(f"{','.join(selectors)}{{{tinycss2.serialize(rule.content).strip()}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "import":
            kept.append(_inline_import(rule, vocabulary, folder))
        elif rule.type == "at-rule" and rule.lower_at_keyword in {"media", "supports", "layer"}:
            if rule.content is None:
                kept.append(tinycss2.serialize([rule]))
                continue
            inner = tinycss2.parse_blocks_contents(
                rule.content, skip_comments=True, skip_whitespace=True
            )
            if body := _purge(inner, vocabulary, folder):
                prelude = tinycss2.serialize(rule.prelude).strip()
                kept.append(f"@{rule.at_keyword} {prelude}{{{''.join(body)}}}")
        elif rule.type == "at-rule":
            kept.append(tinycss2.serialize([rule]).strip())
    return kept


def _inline_import(rule, vocabulary: Vocabulary, folder: Path) -> str:
    """The imported stylesheet's kept rules, with its urls rebased, if it is local."""
    target = next((t.value for t in rule.prelude if t.type in {"string", "url"}), "")
    path = (folder / target).resolve()
    if "://" in target or not path.is_file():
        return tinycss2.serialize([rule]).strip()
    source = path.read_text(encoding="utf-8")
    rules = tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True)
    kept = "".join(_purge(rules, vocabulary, path.parent))
    return _rebase_urls(kept, posixpath.relpath(path.parent, folder.resolve()))


_THIS_CODE = Path(__file__).read_text(encoding="utf-8")
_BUNDLE = re.compile(r"_static/styles-[0-9a-f]{8}")
_URL = re.compile(r"""url\(\s*(["']?)([^"')\s]*)\1\s*\)""")


def _rebase_urls(css: str, folder: str) -> str:
    """``css`` written for a file in ``_static/<folder>``, moved to ``_static``."""

    def rebase(match: re.Match[str]) -> str:
        quote, url = match.groups()
        if not url or url.startswith(("data:", "#", "/")) or "://" in url:
            return match.group(0)
        return f"url({quote}{posixpath.normpath(posixpath.join(folder, url))}{quote})"

    return _URL.sub(rebase, css)


def bundle_names(outdir: Path, name: str) -> list[str]:
    """The stylesheets a bundle an earlier build wrote holds (its first line names them)."""
    path = outdir / f"{name}.css"
    header = path.read_text(encoding="utf-8").partition("\n")[0] if path.is_file() else ""
    found = re.match(r"/\* lean_pages: (.*) \| [0-9a-f]+ \*/$", header)
    return found.group(1).split(" ") if found else []


def bundle_key(names: tuple[str, ...], sources: list[str], vocabulary: Vocabulary) -> str:
    """The key of a bundle: it changes with the stylesheets, the site's vocabulary and the code
    that makes bundles."""
    inputs = [_THIS_CODE, vocabulary.key, *names, *sources]
    return hashlib.sha256("\n".join(inputs).encode()).hexdigest()


def _write_bundle(outdir: Path, names: tuple[str, ...], vocabulary: Vocabulary) -> str:
    """Write ``names`` (stylesheets under _static, in cascade order) as one stylesheet in
    _static with only the rules the site uses, unless it is there already; its link."""
    sources = [(outdir / f"{name}.css").read_text(encoding="utf-8") for name in names]
    key = bundle_key(names, sources, vocabulary)
    path = f"_static/styles-{hashlib.sha256(' '.join(names).encode()).hexdigest()[:8]}"
    header = f"/* lean_pages: {' '.join(names)} | {key[:16]} */\n"
    target = outdir / f"{path}.css"
    if not (target.is_file() and target.read_text(encoding="utf-8").startswith(header)):
        parts = []
        for name, source in zip(names, sources, strict=True):
            folder = (outdir / name).parent
            rules = tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True)
            kept = _purge(rules, vocabulary, folder)
            if any(rule.startswith("@import") for rule in kept):
                logger.warning(f"{name}.css imports a stylesheet that cannot join a bundle")
            parts.append(_rebase_urls("\n".join(kept), folder.relative_to(outdir / "_static")))
        css = _subset_icon_fonts("\n".join(parts), outdir / "_static")
        target.write_text(header + css + "\n", encoding="utf-8")
    return f"{path}.css?v={key[:8]}"


# --- Icon font -------------------------------------------------------------------------------
# The theme draws admonition and button icons from Font Awesome's web fonts (the solid one is
# 112 KiB). A stylesheet names each icon by its private-use character, so the characters of the
# bundle are every icon a page can show.
_ICON_FONT_URL = re.compile(r"url\((vendor/fontawesome/webfonts/fa-[\w-]+\.woff2)\)")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _subset_icon_fonts(css: str, static: Path) -> str:
    """``css`` (a stylesheet in ``static``) loading each icon font cut down to its icons."""
    codepoints = sorted({ord(char) for char in _PRIVATE_USE.findall(css)})

    def subset(match: re.Match[str]) -> str:
        source = static / match.group(1)
        if not codepoints or not source.is_file():
            return match.group(0)
        digest = hashlib.sha256(source.read_bytes() + repr(codepoints).encode()).hexdigest()
        target = source.with_name(f"{source.stem}.{digest[:8]}.woff2")
        if not target.is_file():
            import fontTools.subset  # here: its import alone would add 0.3 s to a no-op build

            # fontTools reports each step at INFO, and the theme's a11y-pygments styles, once
            # imported, have the root logger print INFO (about 150 lines a clean build).
            std_logging.getLogger("fontTools").setLevel(std_logging.WARNING)
            options = fontTools.subset.Options(flavor="woff2")
            font = fontTools.subset.load_font(str(source), options)
            subsetter = fontTools.subset.Subsetter(options)
            subsetter.populate(unicodes=codepoints)
            subsetter.subset(font)
            fontTools.subset.save_font(font, str(target), options)
        return f"url({target.relative_to(static).as_posix()})"

    return _ICON_FONT_URL.sub(subset, css)


def _link_bundles(outdir: Path, pages: dict[Path, str], vocabulary: Vocabulary) -> None:
    """Give each page one stylesheet link, to the bundle of the local stylesheets it linked."""
    bundles: dict[tuple[str, ...], str] = {}
    for page, text in pages.items():
        links, names = [], []
        for link in _STYLESHEET_LINK.finditer(text):
            found = _LOCAL_HREF.search(link.group(0))
            if found and _BUNDLE.fullmatch(found.group(2)):
                names += bundle_names(outdir, found.group(2))
            elif found and (outdir / f"{found.group(2)}.css").is_file():
                names.append(found.group(2))
            else:
                continue
            links.append((link.start(), link.end(), found.group(1)))
        if not names:
            continue
        if tuple(names) not in bundles:
            bundles[tuple(names)] = _write_bundle(outdir, tuple(names), vocabulary)
        first, _, prefix = links[0]
        tag = f'<link rel="stylesheet" type="text/css" href="{prefix}{bundles[tuple(names)]}" />'
        for start, end, _ in reversed(links[1:]):
            end += text[end : end + 1] == "\n"
            text = text[:start] + text[end:]
        pages[page] = text[:first] + tag + text[links[0][1] :]


# --- The pass ---------------------------------------------------------------------------------
def _lean_page(text: str, name: str, icons, rules, hangul, options: str) -> str:
    used: set[str] = set()
    text = _ICON.sub(lambda match: _svg(match.group(2), icons, used) or match.group(0), text)
    text = _FONTAWESOME_TAG.sub("", text, count=1)
    if used:
        # Where the script puts it: before the first stylesheet, so the theme's rules win.
        style = f"<style>{_icon_stylesheet(rules, used)}</style>\n"
        text = text.replace("<link ", style + "<link ", 1)
    leftover = sorted(set(re.findall(r'class="[^"]*\bfa-[\w-]+[^"]*"', text)))
    leftover = [found for found in leftover if "svg-inline--fa" not in found]
    if leftover:
        logger.warning(f"{name}: icons the build could not draw: {leftover}")
    if name != "search.html":
        text, removed = _SEARCH_TAGS.subn("", text)
        if removed != 3:
            logger.warning(f"{name}: expected the theme's 3 search scripts, found {removed}")
    text, resolved = _MODE_TAG.subn(lambda found: _MODE_RESOLVED % found.group(1), text)
    if resolved != 1:
        logger.warning(f"{name}: expected the theme's colour mode script, found {resolved}")
    inline = f"<script>{options.strip()}</script>\n<script>{_TAB_STOPS_AT_FIRST_TAB}</script>"
    text, inlined = _OPTIONS_TAG.subn(lambda _: inline, text)
    if inlined != 1:
        logger.warning(f"{name}: expected one link to {_INLINED_SCRIPT}, found {inlined}")
    codes = sorted(ord(char) for char in set(text))
    if not any(covers(codes, start, end) for start, end in hangul):
        text = _HANGUL_TAG.sub("", text)
    return text


def _site_pages(outdir: Path) -> list[Path]:
    return [
        path
        for path in sorted(outdir.rglob("*.html"))
        if not path.relative_to(outdir).parts[0].startswith(("_", "."))
    ]


def _inputs_key(outdir: Path) -> str:
    """What the pass reads: each page as the file system dates it, and the stylesheets and
    scripts it bundles or reads class names from by their bytes (the theme rewrites
    pygments.css in every build, with the same bytes)."""
    digest = hashlib.sha256(_THIS_CODE.encode())
    for path in _site_pages(outdir):
        stat = path.stat()
        digest.update(f"{path.relative_to(outdir)} {stat.st_mtime_ns} {stat.st_size}\n".encode())
    for path in sorted((outdir / "_static").rglob("*")):
        if path.suffix in (".css", ".js") and not _BUNDLE.fullmatch(f"_static/{path.stem}"):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _lean(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    # A build that wrote no page and changed no stylesheet or script: nothing to do.
    done = Path(app.doctreedir) / "lean_pages.key"
    if done.is_file() and done.read_text(encoding="utf-8") == _inputs_key(outdir):
        return
    pages = {path: path.read_text(encoding="utf-8") for path in _site_pages(outdir)}
    before = dict(pages)
    # Pages this build did not write were made lean by an earlier one.
    fresh = [path for path, text in pages.items() if FONTAWESOME_JS in text]
    if fresh:
        script = outdir / FONTAWESOME_JS
        icons = _icon_data(script, _find_icons([pages[path] for path in fresh]))
        rules = _svg_rules(script)
        hangul = unicode_ranges((outdir / "_static" / HANGUL_STYLESHEET).read_text("utf-8"))
        options = (outdir / "_static" / _INLINED_SCRIPT).read_text(encoding="utf-8")
        for path in fresh:
            name = path.relative_to(outdir).as_posix()
            pages[path] = _lean_page(pages[path], name, icons, rules, hangul, options)
    # Even in a build that wrote no page: Sphinx copies a stylesheet edited since the last build
    # (conf/_static/book.css) without writing a page, and its bundle and links must follow.
    _link_bundles(outdir, pages, Vocabulary(outdir, pages))
    for path, text in pages.items():
        if text != before[path]:
            path.write_text(text, encoding="utf-8")
    done.write_text(_inputs_key(outdir), encoding="utf-8")


def _defer_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Give every plain script file ``defer`` (see the module's docstring)."""
    if pagename == "search":  # its template's search scripts run as parsed and need doctools
        return
    context["script_files"] = [
        _JavaScript(script.filename, priority=script.priority, defer="defer")
        if script.filename
        and not script.attributes
        and not str(script.filename).endswith(_INLINED_SCRIPT)
        else script
        for script in context.get("script_files", [])
    ]


def _figures_load_lazily(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.name == "html":
        for image in doctree.findall(nodes.image):
            image["loading"] = "lazy"  # docutils' HTML writer turns it into the attribute


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("doctree-resolved", _figures_load_lazily)
    # After every extension has added its scripts to the context.
    app.connect("html-page-context", _defer_scripts, priority=900)
    # After pydata-sphinx-theme rewrites pygments.css (at build-finished, priority 500) with its
    # light and dark styles: a bundle made before held Sphinx's light-only one.
    app.connect("build-finished", _lean, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
