"""Build into a folder beside ``site/`` and swap it in only when the build is complete.

MkDocs empties its ``site_dir`` before it writes anything, so a build killed during the PDF step (or
one that fails in release mode) used to leave no site and no PDFs at all. ``./scripts/build`` now
gives MkDocs ``site.building/`` and, when every step has succeeded, renames the old ``site/`` to
``site.previous/``, the new one to ``site/``, and removes the old one. Both renames are within one
folder, so each is atomic; between them, for a moment, ``site/`` does not exist, which no reader of a
local build sees and which a deployment (it uploads ``site/`` after the command returns) never sees.
A folder left by a killed build is removed by the next one."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
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


LOCK_NAME = "build.lock"


class BuildLocked(RuntimeError):
    """Another build of this checkout holds the lock."""


@contextmanager
def build_lock(cache_dir: Path) -> Iterator[None]:
    """One build per checkout at a time: two builds started at once would share site.building/ (both
    died, or one published a site holding part of the other's PDFs). The lock is the kernel's
    (released when the process ends, however it ends); a second build refuses at once."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    handle = open(cache_dir / LOCK_NAME, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BuildLocked(f"another build of this checkout is running ({holder}); wait for it to finish, "
                              f"or stop it, then build again. Nothing was changed") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()
