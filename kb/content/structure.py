"""What decides a site besides its pages' bodies: the key under which a page's check findings and a
preview's partial rebuild (kb.build.preview) stay valid."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from kb.content.pages import Page
from kb.project.settings import Settings


def structure_digest(settings: Settings, pages: Mapping[str, Page]) -> str:
    """Everything a page's body does not hold: the pages and their front matter, the other files
    under docs/, the data files, kb.yml, mkdocs.yml and the theme overrides (name, size, time)."""
    h = hashlib.sha256()
    for path in sorted(pages):
        page = pages[path]
        h.update(f"{path}\0{json.dumps(page.meta, sort_keys=True, default=str)}\0{page.meta_error}\n".encode())
    root = settings.root
    for base in (settings.docs_path, settings.data_path, root / "overrides"):
        for file in sorted(base.rglob("*")) if base.is_dir() else ():
            if file.suffix == ".md" and base == settings.docs_path:
                continue  # pages: above
            _add_stat(h, root, file)
    for name in ("kb.yml", "mkdocs.yml"):
        _add_stat(h, root, root / name)
    h.update(f"{settings.today.isoformat()}\0{settings.release}".encode())
    return h.hexdigest()


def _add_stat(h: hashlib._Hash, root: Path, file: Path) -> None:
    try:
        st = file.lstat()
    except OSError:
        return
    h.update(f"{file.relative_to(root).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())

