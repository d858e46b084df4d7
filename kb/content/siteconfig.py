"""Checks of the site settings in mkdocs.yml that readers depend on, as findings like any other
(data/messages.yml), so that the status page and ./scripts/check show what is still to be supplied.

Today: "Report a problem" (overrides/partials/kb-report.html, configured once in mkdocs.yml
``extra.report_problem``). The organisational e-mail address must come from FECO; until it is set the
rule reports it (never an address made up here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from kb.content.safety import read_mkdocs_yml
from kb.project.findings import Finding

_KEY = re.compile(r"^(\s*)(report_problem|email|form)\s*:")


def _line_of(text: str, key: str) -> int:
    """The line of extra.report_problem's *key* (or of report_problem: itself), 1 when not found."""
    block_line, block_indent = 0, -1
    for number, line in enumerate(text.split("\n"), 1):
        m = _KEY.match(line)
        if not m:
            if block_line and line.strip() and not line.lstrip().startswith("#") and len(line) - len(line.lstrip()) <= block_indent:
                break  # left the report_problem block
            continue
        if m.group(2) == "report_problem":
            block_line, block_indent = number, len(m.group(1))
        elif block_line and m.group(2) == key and len(m.group(1)) > block_indent:
            return number
    return block_line or 1


def check_report_problem(mkdocs_yml: Path, shown_path: str = "mkdocs.yml") -> list[Finding]:
    """Findings about extra.report_problem: no organisational e-mail (a gap to fill: FECO supplies
    it), or no way at all to report a problem. Nothing when there is no mkdocs.yml (checks run on a
    docs tree alone) or it cannot be read (the build reports that itself)."""
    try:
        config = read_mkdocs_yml(mkdocs_yml)
        text = mkdocs_yml.read_text(encoding="utf-8") if config else ""
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    if not config:
        return []
    extra = config.get("extra")
    settings = extra.get("report_problem") if isinstance(extra, dict) else None
    settings = settings if isinstance(settings, dict) else {}
    email = str(settings.get("email") or "").strip()
    form = str(settings.get("form") or "").strip()
    if not email and not form:
        return [Finding("report-problem", "no-channel", shown_path, _line_of(text, "report_problem"), {})]
    if not email:
        return [Finding("report-problem", "no-email", shown_path, _line_of(text, "email"), {})]
    return []


def site_dir_problem(mkdocs_yml: Path, root: Path) -> str | None:
    """Why mkdocs.yml's site_dir must not be used: outside the project (the generator empties it before
    writing), or the project itself. None when it is inside. A command line's --site-dir is the
    caller's, not the file's, and is not judged here."""
    value = read_mkdocs_yml(mkdocs_yml).get("site_dir", "site")
    if not isinstance(value, str) or not value.strip():
        return f"{mkdocs_yml.name}: site_dir must be a folder name, not {value!r}"
    path = (mkdocs_yml.parent / value).resolve()
    if root.resolve() not in path.parents:
        line = next((n for n, text in enumerate(mkdocs_yml.read_text(encoding="utf-8").split("\n"), 1)
                     if text.startswith("site_dir:")), 1)
        return (f"{mkdocs_yml.name}:{line}: site_dir '{value}' is outside the project ({path}); the build empties "
                f"that folder before it writes. Use a folder inside the project, e.g. site_dir: site. Nothing was written")
    return None


# The Markdown extensions a page may use, fixed by the project: an extension that reads files
# (pymdownx.snippets, markdown-include) or runs code would let a pull request publish any file of the
# machine that builds it. Adding one is a change to this list, reviewed as code.
ALLOWED_EXTENSIONS = frozenset({
    "toc", "attr_list", "admonition", "pymdownx.details", "tables", "footnotes", "def_list", "abbr", "md_in_html",
    "pymdownx.tasklist", "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.highlight", "pymdownx.inlinehilite",
    "fenced_code", "meta", "sane_lists", "pymdownx.caret", "pymdownx.mark", "pymdownx.tilde", "pymdownx.keys",
})
# The only code mkdocs.yml may name in a python tag: the heading-id functions (kb.content.safety).
ALLOWED_PYTHON_TAGS = frozenset({"tag:yaml.org,2002:python/name:pymdownx.slugs.slugify",
                                 "tag:yaml.org,2002:python/name:markdown.extensions.toc.slugify",
                                 "tag:yaml.org,2002:python/name:markdown.extensions.toc.slugify_unicode",
                                 "tag:yaml.org,2002:python/object/apply:pymdownx.slugs.slugify"})


def mkdocs_yml_problems(mkdocs_yml: Path) -> list[str]:
    """What in mkdocs.yml must stop a build before MkDocs reads it (MkDocs' own loader runs python
    tags): a python tag other than the heading-id functions, a Markdown extension outside the
    project's list. One `file:line: what and what to do` per problem; [] when it is safe."""
    if not mkdocs_yml.is_file():
        return []
    name = mkdocs_yml.name
    try:
        root = yaml.compose(mkdocs_yml.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)  # nodes only: nothing runs
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [f"{name}:{(mark.line + 1) if mark else 1}: not valid YAML: {getattr(exc, 'problem', None) or exc}"]
    problems: list[str] = []
    stack = [root] if root is not None else []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag.startswith("tag:yaml.org,2002:python/") and node.tag not in ALLOWED_PYTHON_TAGS:
            shown = "!!" + node.tag.removeprefix("tag:yaml.org,2002:")
            problems.append(f"{name}:{node.start_mark.line + 1}: the tag {shown} would run code when MkDocs reads this "
                            f"file; only the heading-id functions may be named (kb/content/siteconfig.py). Remove it")
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == "markdown_extensions" and node is root:
                    problems += _extension_problems(name, value)
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return problems


def _extension_problems(name: str, node: yaml.Node) -> list[str]:
    out = []
    for item in node.value if isinstance(node, yaml.SequenceNode) else []:
        ext = item.value if isinstance(item, yaml.ScalarNode) else (
            item.value[0][0].value if isinstance(item, yaml.MappingNode) and item.value and isinstance(item.value[0][0], yaml.ScalarNode) else "?")
        if ext not in ALLOWED_EXTENSIONS:
            out.append(f"{name}:{item.start_mark.line + 1}: the Markdown extension {ext} is not one the project allows "
                       f"(it could read files or run code for any page); remove it, or add it to ALLOWED_EXTENSIONS in "
                       f"kb/content/siteconfig.py in a reviewed code change")
    return out


def nav_pages(mkdocs_yml: Path) -> tuple[frozenset[str], int] | None:
    """The pages mkdocs.yml's ``nav`` lists (paths under docs/<lang>/), and the line of ``nav:``;
    None when there is no nav (MkDocs then lists every page itself)."""
    try:
        raw = read_mkdocs_yml(mkdocs_yml)
    except (yaml.YAMLError, OSError, UnicodeDecodeError, RecursionError):
        return None
    nav = raw.get("nav")
    if not isinstance(nav, list):
        return None
    found: set[str] = set()
    stack: list[object] = list(nav)
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item.endswith(".md"):
                found.add(item.lstrip("./"))
        elif isinstance(item, dict):
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
    text = mkdocs_yml.read_text(encoding="utf-8", errors="replace")
    line = next((n for n, row in enumerate(text.split("\n"), 1) if row.startswith("nav:")), 1)
    return frozenset(found), line

