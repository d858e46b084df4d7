"""Released editions of the training manuals: trainers never lose a usable manual because someone fixed
a typo (ADR 0010).

A release build that releases a manual keeps a copy of it in the editions store (`<cache_dir>/editions/`,
which the publish workflow carries from one run to the next), with a record of its edition: the
date and commit of the newest page it prints, and the day it was released. When a later release
refuses that manual (an approval lapsed after an edit, a page awaits review), the last released
edition is published at the manual's usual address, labelled with its edition, and the refused text
is published beside it as the draft of the next edition (`downloads/drafts/`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from kb.project.fsutil import write_atomic

STORE = "editions"
DRAFTS = "drafts"


class Edition(BaseModel):
    """The record kept beside a released PDF."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str          # the PDF's path under downloads/, e.g. manual-mercury-zh.pdf
    edition: str       # ISO date of the newest commit of the pages it prints
    commit: str        # that commit, shortened ("" outside git)
    released: str      # ISO date of the release build that released it


def _paths(cache_dir: Path, file: str) -> tuple[Path, Path]:
    pdf = cache_dir / STORE / file
    return pdf, pdf.with_name(pdf.name + ".json")


def keep(cache_dir: Path, pdf: Path, file: str, edition: str, commit: str, released: str) -> Edition:
    """Store *pdf* as the last released edition of *file*."""
    stored, record = _paths(cache_dir, file)
    stored.parent.mkdir(parents=True, exist_ok=True)
    kept = Edition(file=file, edition=edition, commit=commit, released=released)
    write_atomic(stored, pdf.read_bytes())
    write_atomic(record, kept.model_dump_json(indent=1).encode("utf-8"))
    return kept


def last(cache_dir: Path, file: str) -> Edition | None:
    """The last released edition of *file*, when one is kept (and its record is readable)."""
    stored, record = _paths(cache_dir, file)
    if not stored.is_file() or not record.is_file():
        return None
    try:
        return Edition.model_validate_json(record.read_bytes())
    except (ValidationError, OSError):
        return None


def publish_last(cache_dir: Path, file: str, downloads: Path) -> Edition | None:
    """Put the last released edition of *file* at its usual address under *downloads*."""
    edition = last(cache_dir, file)
    if edition is None:
        return None
    target = downloads / file
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_paths(cache_dir, file)[0], target)
    return edition
