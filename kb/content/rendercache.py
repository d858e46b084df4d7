"""What the checks read from a page rendered with the site's Markdown (its element ids and what the
sanitiser removes), kept between runs by the body's digest: a check after a one-page edit renders
one page. Rendering is most of a cold check's time (kb/checks/page.py).

The cache lives in the git directory (`git rev-parse --git-path kb/check-renders.json`, so in
.git/ or a worktree's own git directory): nothing in a checkout can put it there (a pull request
could otherwise ship a cache that says its page loses nothing to the sanitiser), `git status` does
not show it, and a folder that is not a git work tree has no cache. It is not read in release mode
or CI (settings.check_cache), nor through a symlink, and only under a digest of everything that
decides a render (mkdocs.yml, the kb package's source, the Markdown, pymdown-extensions and nh3
versions). Anything else is a cold run, never an error. Written atomically, with the entries of
this run's pages only."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from kb.content.safety import Removal
from kb.project.fsutil import write_atomic

CACHE_VERSION = "kb-render-cache/1"
GIT_PATH = "kb/check-renders.json"
PACKAGE = Path(__file__).resolve().parents[1]  # kb/: the cache key covers the whole engine


@dataclass(frozen=True)
class RenderResult:
    ids: frozenset[str]  # every id attribute of the rendered page (a link's #fragment names one)
    removals: tuple[Removal, ...]  # what kb.content.safety.sanitise takes out of it


def body_digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def config_digest(mkdocs_yml: Path) -> str:
    """Digest of what decides a page's render and the sanitiser's removals."""
    h = hashlib.sha256(CACHE_VERSION.encode())
    h.update(sys.version.encode())
    for package in ("Markdown", "pymdown-extensions", "nh3"):
        try:
            h.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package}=-".encode())
    try:
        h.update(mkdocs_yml.read_bytes())
    except OSError:
        h.update(b"-")
    for source in sorted(PACKAGE.rglob("*.py")):  # slugify, extensions' configuration, the allow-list
        h.update(source.relative_to(PACKAGE).as_posix().encode())
        h.update(source.read_bytes())
    return h.hexdigest()


def cache_file(root: Path) -> Path | None:
    """Where the cache of the git work tree at *root* is kept; None outside a work tree."""
    return git_path(root, GIT_PATH)


def git_path(root: Path, rel: str) -> Path | None:
    """*rel* inside the git directory of the work tree at *root* (where nothing in a checkout can put
    a file); None outside a work tree. Also where the figures drawn from DOT are kept (kb.content.dotfigures)."""
    try:
        answer = subprocess.run(["git", "-C", str(root), "rev-parse", "--is-inside-work-tree", "--git-path", rel],
                                capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = answer.stdout.splitlines()
    if answer.returncode != 0 or len(lines) != 2 or lines[0] != "true":
        return None
    path = Path(lines[1])
    return path if path.is_absolute() else root / path


def _no_symlink(path: Path) -> bool:
    """Neither the file nor its folder (both ours, in the git directory) is a symlink to elsewhere."""
    return not (path.is_symlink() or path.parent.is_symlink())


def load(path: Path, digest: str) -> dict[str, RenderResult]:
    """The cached results at *path* (cache_file's) by body digest; empty when the file is missing,
    reached through a symlink, for another configuration or malformed."""
    if not path.is_file() or not _no_symlink(path):
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("version") != CACHE_VERSION or raw.get("config") != digest:
            return {}
        out = {}
        for key, entry in raw["entries"].items():
            ids, items = entry["ids"], entry["removed"]
            if not (isinstance(ids, list) and all(isinstance(i, str) for i in ids) and isinstance(items, list)
                    and all(isinstance(i, list) and len(i) == 4 and all(isinstance(x, str) for x in i) for i in items)):
                return {}
            out[key] = RenderResult(frozenset(ids), tuple(Removal(*item) for item in items))
        return out
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def save(path: Path, digest: str, entries: dict[str, RenderResult]) -> None:
    """Write *entries* (this run's pages) to *path* (cache_file's), unless it is reached through a symlink."""
    if not _no_symlink(path):
        return
    payload = {"version": CACHE_VERSION, "config": digest, "entries": {
        key: {"ids": sorted(result.ids),
              "removed": [[r.kind, r.name, r.value, r.tag] for r in result.removals]}
        for key, result in sorted(entries.items())}}
    try:
        write_atomic(path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
    except OSError:  # a read-only checkout: the next run is cold, nothing else changes
        pass
