"""Build into a folder beside ``site/`` and swap it in only when the build is complete.

MkDocs empties its ``site_dir`` before it writes anything, so a build killed during the PDF step (or
one that fails in release mode) used to leave no site and no PDFs at all. ``./scripts/build`` now
gives MkDocs ``site.building/`` and, when every step has succeeded, renames the old ``site/`` to
``site.previous/``, the new one to ``site/``, and removes the old one. Both renames are within one
folder, so each is atomic; between them, for a moment, ``site/`` does not exist, which no reader of a
local build sees and which a deployment (it uploads ``site/`` after the command returns) never sees.
A folder left by a killed build is removed by the next one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

BUILDING_SUFFIX = ".building"
PREVIOUS_SUFFIX = ".previous"


def building_dir(site: Path) -> Path:
    """A fresh, empty folder to build into (whatever an earlier killed build left there is removed)."""
    staging = site.with_name(site.name + BUILDING_SUFFIX)
    remove_tree(staging)
    remove_tree(site.with_name(site.name + PREVIOUS_SUFFIX))
    staging.mkdir(parents=True)
    return staging


def swap_in(staging: Path, site: Path) -> None:
    """Make the complete build in *staging* the site; the previous site is removed afterwards."""
    previous = site.with_name(site.name + PREVIOUS_SUFFIX)
    remove_tree(previous)
    if site.is_symlink() or site.is_file():
        site.unlink()
    elif site.exists():
        os.replace(site, previous)
    os.replace(staging, site)
    remove_tree(previous)


def discard(staging: Path) -> None:
    """A failed build: the previous site stays as it was."""
    remove_tree(staging)


def remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
