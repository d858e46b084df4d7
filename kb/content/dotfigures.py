"""Figures written in the page as Graphviz DOT (a ```dot fence) and drawn at build time (ADR 0016).

A reviewer reads a figure's change in the pull request as text, a translator translates its labels
in the English page, and the site and the PDFs show the same SVG file (site/figures/dot/<key>.svg).
Two comment lines of the block are not drawn but shown under the figure::

    ```dot
    // caption: 电石法氯乙烯工艺中的汞流向
    // source: 《关于汞的水俣公约》附件 B
    digraph {
      catalyst [label="氯化汞触媒"];
      ...
    }
    ```

The DOT source is untrusted (it comes with a pull request): before dot sees it, attribute names
must be on an allow-list (nothing that reads a file, links out or chooses a font), HTML-like labels
are refused (they can load images), and the source, its nodes and edges are bounded
(data/limits.yml). dot runs without a shell, in an empty folder, with Graphviz's own file
restriction on, a CPU, memory and file-size limit and a timeout; its SVG must pass
kb.content.safety.check_svg and the node and edge limits again. Any failure is a
:class:`Problem` (the figure rule reports it with the fence's line; the build shows a placeholder).

Drawn figures are kept by a digest of the source, dot's version and the font, in the git directory
(kb.content.rendercache.git_path: nothing in a checkout can put an SVG there), never in release
mode or CI, and checked again with check_svg when read."""

from __future__ import annotations

import functools
import hashlib
import html
import json
import posixpath
import re
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.content.rendercache import git_path
from kb.content.safety import check_svg
from kb.project.data import Limits
from kb.project.fsutil import write_atomic

FIGURES_DIR = "figures/dot"  # site/figures/dot/<key>.svg
CACHE_VERSION = "kb-dot/1"
CACHE_GIT_PATH = "kb/dot-figures"
# Named in every label so dot measures the text with the font the reader and the PDFs draw it in;
# the SVG then names the same stack as the figures by sex (overrides/figures/by-sex.svg.html).
FONT = "Noto Sans CJK SC"
FONT_STACK = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
# The project's look, the defaults a figure may override: rounded boxes in the site's blue, text at
# the body's size, grey arrows.
HOUSE_STYLE = ("-Gfontsize=12", "-Gnodesep=0.3", "-Granksep=0.35", "-Nshape=box", "-Nstyle=rounded,filled",
               "-Nfillcolor=#eef4f8", "-Ncolor=#2e6f9e", "-Nfontsize=12", "-Nmargin=0.12,0.06", "-Ecolor=#546e7a",
               "-Efontsize=11", "-Efontcolor=#37474f", "-Earrowsize=0.7")
SVG_MAX_BYTES = 1_000_000
MEMORY_BYTES = 512 * 1024 * 1024

# Attributes a figure may set. Anything else is refused: Graphviz has attributes that read files
# (image, imagepath, shapefile, fontpath, fontnames, stylesheet), write links (href, URL, target),
# choose another layout program or font, and more each release; an allow-list does not age.
ALLOWED_ATTRIBUTES = frozenset({
    "label", "xlabel", "headlabel", "taillabel", "shape", "style", "color", "fillcolor", "fontcolor", "fontsize",
    "penwidth", "arrowhead", "arrowtail", "arrowsize", "dir", "rankdir", "rank", "ranksep", "nodesep", "splines",
    "newrank", "compound", "lhead", "ltail", "constraint", "weight", "minlen", "width", "height", "fixedsize",
    "margin", "pad", "labelloc", "labeljust", "labelfontsize", "labelfontcolor", "labeldistance", "labelangle",
    "group", "ordering", "concentrate", "bgcolor", "pencolor", "peripheries", "nojustify", "sides", "headport",
    "tailport", "samehead", "sametail", "gradientangle", "decorate", "labelfloat", "center",
})
FILE_ATTRIBUTES = frozenset({"image", "imagepath", "shapefile", "fontpath", "fontnames", "stylesheet", "imagescale"})
KEYWORDS = frozenset({"graph", "digraph", "subgraph", "node", "edge", "strict"})

FENCE_RE = re.compile(r"^(?P<indent> {0,12})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
META_RE = re.compile(r"^\s*//\s*(?P<key>caption|source)\s*:\s*(?P<value>.*?)\s*$")
SYNTAX_RE = re.compile(r"syntax error in line (\d+)(?: near '(.*)')?")
_TOKEN_RE = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z)|(?m:^[ \t]*\#[^\n]*))
  | (?P<string>"(?:[^"\\]|\\.)*(?:"|\Z))
  | (?P<html><)
  | (?P<edge>->|--)
  | (?P<id>[A-Za-z_\x80-\U0010ffff][A-Za-z_0-9\x80-\U0010ffff]*|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?))
  | (?P<punct>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class DotFigure:
    """One ```dot block of a page."""

    line: int          # file line of the opening fence
    source: str        # the DOT text (the caption and source comments included: dot skips them)
    caption: str = ""
    credit: str = ""   # the `// source:` line: where the figure's facts come from
    start: int = 0     # index in the body's lines of the opening fence
    end: int = 0       # index of the closing fence (the last line when the fence is not closed)
    indent: str = ""


@dataclass(frozen=True)
class Problem:
    """Why a figure was not drawn; *code* is a message key of the figure rule (data/messages.yml)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Drawn:
    key: str                   # digest of what decides the drawing; the file is figures/dot/<key>.svg
    svg: str | None            # None: not drawn
    problem: Problem | None = None

    @property
    def path(self) -> str:
        return f"{FIGURES_DIR}/{self.key}.svg"


# --- reading the blocks ---------------------------------------------------------------------------------------
def dot_figures(body: str, first_line: int = 1) -> list[DotFigure]:
    """The ```dot blocks of a page body (*first_line*: the file line of its first line). Blocks inside
    another fence (an example in a ```markdown block) are not figures."""
    lines = body.split("\n")
    out: list[DotFigure] = []
    i = 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if not m:
            i += 1
            continue
        char, length, info = m.group("fence")[0], len(m.group("fence")), m.group("info").strip()
        end = i + 1
        while end < len(lines):
            close = FENCE_RE.match(lines[end].lstrip())
            if close and close.group("fence")[0] == char and len(close.group("fence")) >= length \
                    and not close.group("info").strip():
                break
            end += 1
        if info == "dot" or info.startswith("dot "):
            indent = m.group("indent")
            content = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines[i + 1:end]]
            meta: dict[str, str] = {}
            for line in content:
                found = META_RE.match(line)
                if found and found.group("key") not in meta:
                    meta[found.group("key")] = found.group("value")
            out.append(DotFigure(line=first_line + i, source="\n".join(content) + "\n", caption=meta.get("caption", ""),
                                 credit=meta.get("source", ""), start=i, end=min(end, len(lines) - 1), indent=indent))
        i = end + 1
    return out


# --- what the source may hold -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Token:
    kind: str
    text: str

    @property
    def value(self) -> str:
        if self.kind != "string":
            return self.text
        # a quoted string as dot reads it: \" is a quote, a backslash before a line break continues it
        return self.text[1:-1].replace("\\\n", "").replace("\\\r\n", "").replace('\\"', '"')


def _tokens(source: str) -> list[_Token]:
    """DOT's tokens; concatenated strings ("ima" + "ge") joined as dot joins them. An HTML-like
    string (<...>) is one token of kind html."""
    out: list[_Token] = []
    pos = 0
    while pos < len(source):
        m = _TOKEN_RE.match(source, pos)
        assert m is not None  # the last alternative takes any character
        kind = m.lastgroup or "punct"
        if kind == "html":
            depth, end = 0, pos
            while end < len(source):
                depth += {"<": 1, ">": -1}.get(source[end], 0)
                end += 1
                if depth == 0:
                    break
            out.append(_Token("html", source[pos:end]))
            pos = end
            continue
        pos = m.end()
        if kind in ("space", "comment"):
            continue
        token = _Token(kind, m.group(0))
        if kind == "string" and len(out) >= 2 and out[-1].text == "+" and out[-2].kind == "string":
            joined = out[-2].value + token.value
            out[-2:] = [_Token("string", '"' + joined.replace('"', '\\"') + '"')]
            continue
        out.append(token)
    return out


def source_problems(source: str, limits: Limits) -> list[Problem]:
    """What refuses a figure before dot sees it: its size, an attribute outside the allow-list, an
    HTML-like label, more nodes or edges than the limits."""
    size = len(source.encode("utf-8"))
    if size > limits.figure_bytes:
        return [Problem("too-large", {"bytes": size, "max": limits.figure_bytes})]
    tokens = _tokens(source)
    out: list[Problem] = []
    seen: set[str] = set()
    nodes: set[str] = set()
    edges = 0
    in_list = 0
    for i, token in enumerate(tokens):
        following = tokens[i + 1].text if i + 1 < len(tokens) else ""
        preceding = tokens[i - 1].text if i > 0 else ""
        if token.kind == "html":
            if "html" not in seen:
                seen.add("html")
                out.append(Problem("html-label", {"text": token.text[:40]}))
            continue
        if token.text == "[":
            in_list += 1
        elif token.text == "]":
            in_list = max(0, in_list - 1)
        elif token.kind == "edge":
            edges += 1
        elif following == "=" and token.kind in ("id", "string"):
            name = token.value
            if name in ALLOWED_ATTRIBUTES or name in seen:
                continue
            seen.add(name)
            code = "reads-file" if name.lower() in FILE_ATTRIBUTES else "attribute"
            out.append(Problem(code, {"name": name[:40]}))
        elif (not in_list and preceding not in ("=", ":") and token.kind in ("id", "string")
              and token.value not in KEYWORDS):
            nodes.add(token.value)
    if len(nodes) > limits.figure_nodes:
        out.append(Problem("too-many-nodes", {"count": len(nodes), "max": limits.figure_nodes}))
    if edges > limits.figure_edges:
        out.append(Problem("too-many-edges", {"count": edges, "max": limits.figure_edges}))
    return out


# --- drawing -----------------------------------------------------------------------------------------------------
def _bounded(seconds: int) -> None:
    """Run in the dot process before it starts: CPU time, memory and written file size bounded."""
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_FSIZE, (SVG_MAX_BYTES, SVG_MAX_BYTES))


@functools.lru_cache(maxsize=4)
def dot_version(dot: str) -> str:
    try:
        answer = subprocess.run([dot, "-V"], capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return "-"
    return (answer.stderr or answer.stdout).strip()


def _clean_svg(raw: str) -> str:
    """dot's SVG as the site serves it: no XML declaration, DOCTYPE or comments, the project's font stack."""
    text = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", "", raw, flags=re.DOTALL)
    text = re.sub(r'font-family="[^"]*"', f'font-family="{FONT_STACK}"', text)
    return text.strip() + "\n"


def _svg_problem(svg: str, limits: Limits) -> Problem | None:
    if len(svg.encode("utf-8")) > SVG_MAX_BYTES:
        return Problem("too-large", {"bytes": len(svg.encode("utf-8")), "max": SVG_MAX_BYTES})
    problems = check_svg(svg.encode("utf-8"))
    if problems:
        return Problem("unsafe-svg", {"detail": f"{problems[0].kind}: {problems[0].detail}"})
    nodes, edges = svg.count('class="node"'), svg.count('class="edge"')
    if nodes > limits.figure_nodes:
        return Problem("too-many-nodes", {"count": nodes, "max": limits.figure_nodes})
    if edges > limits.figure_edges:
        return Problem("too-many-edges", {"count": edges, "max": limits.figure_edges})
    return None


def _error(stderr: str) -> Problem:
    syntax = SYNTAX_RE.search(stderr)
    if syntax:
        return Problem("syntax", {"dot_line": int(syntax.group(1)), "near": (syntax.group(2) or "")[:40]})
    first = next((line.strip() for line in stderr.splitlines() if line.strip().lower().startswith("error")),
                 stderr.strip().splitlines()[0] if stderr.strip() else "-")
    return Problem("failed", {"detail": first[:160]})


def run_dot(source: str, limits: Limits, dot: str) -> tuple[str | None, Problem | None]:
    """dot's SVG of *source* (already through source_problems), or why there is none."""
    with tempfile.TemporaryDirectory(prefix="kb-dot-") as empty:
        # SERVER_NAME makes Graphviz read files only from GV_FILE_PATH: an empty folder
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": empty, "SERVER_NAME": "kb-build", "GV_FILE_PATH": empty}
        command = [dot, "-Tsvg", f"-Gfontname={FONT}", f"-Nfontname={FONT}", f"-Efontname={FONT}", "-Gcharset=UTF-8", *HOUSE_STYLE]
        try:
            answer = subprocess.run(command, input=source.encode("utf-8"), capture_output=True, cwd=empty, env=env,
                                    timeout=limits.figure_seconds, preexec_fn=functools.partial(_bounded, limits.figure_seconds))
        except subprocess.TimeoutExpired:
            return None, Problem("timeout", {"seconds": limits.figure_seconds})
        except OSError as exc:
            return None, Problem("failed", {"detail": str(exc)[:160]})
    stderr = answer.stderr.decode("utf-8", "replace")
    if answer.returncode != 0:
        if answer.returncode < 0:  # killed by a limit (SIGXCPU, SIGKILL)
            return None, Problem("timeout", {"seconds": limits.figure_seconds})
        return None, _error(stderr)
    try:
        svg = _clean_svg(answer.stdout.decode("utf-8"))
    except UnicodeDecodeError:
        return None, Problem("failed", {"detail": "dot wrote an SVG that is not UTF-8"})
    problem = _svg_problem(svg, limits)
    return (None, problem) if problem else (svg, None)


@dataclass
class DotRenderer:
    """Draws figures, each source once per process and, where a cache folder is given, once per work tree."""

    limits: Limits
    cache_dir: Path | None = None
    dot: str | None = field(default_factory=lambda: shutil.which("dot"))
    _memo: dict[str, Drawn] = field(default_factory=dict)

    @classmethod
    def for_project(cls, root: Path, limits: Limits, cache: bool) -> DotRenderer:
        """The renderer of a build or a check run: cached in the git directory when *cache* (not in
        release mode or CI: kb.project.settings check_cache)."""
        return cls(limits=limits, cache_dir=git_path(root, CACHE_GIT_PATH) if cache else None)

    def key(self, source: str) -> str:
        h = hashlib.sha256(CACHE_VERSION.encode())
        for part in (dot_version(self.dot) if self.dot else "-", FONT, FONT_STACK, *HOUSE_STYLE, source):
            h.update(part.encode("utf-8", "surrogatepass") + b"\0")
        return h.hexdigest()[:24]

    def draw(self, source: str) -> Drawn:
        key = self.key(source)
        if key in self._memo:
            return self._memo[key]
        problems = source_problems(source, self.limits)
        if problems:
            drawn = Drawn(key, None, problems[0])
        elif self.dot is None:
            drawn = Drawn(key, None, Problem("no-dot"))
        else:
            drawn = self._cached(key) or self._store(key, *run_dot(source, self.limits, self.dot))
        self._memo[key] = drawn
        return drawn

    def _cached(self, key: str) -> Drawn | None:
        if self.cache_dir is None or self.cache_dir.is_symlink():
            return None
        for suffix in (".svg", ".json"):
            path = self.cache_dir / f"{key}{suffix}"
            if not path.is_file() or path.is_symlink():
                continue
            try:
                text = path.read_text(encoding="utf-8")
                if suffix == ".svg":
                    return None if _svg_problem(text, self.limits) else Drawn(key, text)
                raw = json.loads(text)
                return Drawn(key, None, Problem(str(raw["code"]), dict(raw["params"])))
            except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
                return None
        return None

    def _store(self, key: str, svg: str | None, problem: Problem | None) -> Drawn:
        drawn = Drawn(key, svg, problem)
        if self.cache_dir is None or (problem is not None and problem.code == "timeout"):
            return drawn  # a timeout may be the machine's load: tried again next time
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            if not self.cache_dir.is_symlink():
                text = svg if svg is not None else json.dumps({"code": problem.code if problem else "failed",
                                                               "params": problem.params if problem else {}})
                write_atomic(self.cache_dir / f"{key}{'.svg' if svg is not None else '.json'}", text)
        except OSError:  # a read-only checkout: drawn again next time, nothing else changes
            pass
        return drawn


# --- in the page ---------------------------------------------------------------------------------------------------
def figure_html(figure: DotFigure, drawn: Drawn, page_dir: str, ui: dict[str, str]) -> str:
    """The <figure> that replaces a ```dot block in the Markdown: the SVG as an image (the sanitiser
    lets no inline <svg> through; an image cannot run script), the caption and source under it;
    a note instead of the image when the figure was not drawn (the figure rule says why)."""
    caption = html.escape(figure.caption, quote=False)
    alt = html.escape(figure.caption or ui.get("figure_diagram", "figure"), quote=True)
    if drawn.svg is not None:
        src = posixpath.relpath(drawn.path, page_dir or ".")
        body = f'<img src="{html.escape(src, quote=True)}" alt="{alt}">'
    else:
        body = f'<p class="kb-diagram__missing">{html.escape(ui.get("figure_not_drawn", "figure not drawn"), quote=False)}</p>'
    parts = ['<figure class="kb-figure kb-diagram" markdown="block">', body]
    if caption or figure.credit:
        label = ui.get("figure_source", "Source:")
        separator = "" if label.endswith("：") else " "  # a full-width colon carries its own space
        credit = (f'<br><span class="kb-diagram__source">{html.escape(label + separator, quote=False)}'
                  f'{html.escape(figure.credit, quote=False)}</span>') if figure.credit else ""
        parts.append(f'<figcaption markdown="span">{caption}{credit}</figcaption>')
    parts.append("</figure>")
    return "\n".join(figure.indent + part for part in parts)


def replace_figures(markdown: str, renderer: DotRenderer, page_dir: str, ui: dict[str, str]) -> tuple[str, list[Drawn]]:
    """The page's Markdown with each ```dot block replaced by its figure, and what was drawn."""
    figures = dot_figures(markdown)
    if not figures:
        return markdown, []
    lines = markdown.split("\n")
    drawn_all: list[Drawn] = []
    for figure in reversed(figures):
        drawn = renderer.draw(figure.source)
        drawn_all.append(drawn)
        lines[figure.start:figure.end + 1] = ["", figure_html(figure, drawn, page_dir, ui), ""]
    return "\n".join(lines), list(reversed(drawn_all))


def write_figures(site_dir: Path, drawn: dict[str, str]) -> list[Path]:
    """site/figures/dot/<key>.svg for each figure drawn (path -> SVG)."""
    out = []
    for rel, svg in sorted(drawn.items()):
        path = site_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, svg.encode("utf-8"))
        out.append(path)
    return out
