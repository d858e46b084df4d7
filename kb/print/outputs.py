"""Where the print step writes the forms, training agendas and event reports, and what the downloads
page lists of them: read by the HTML build, which loads no layout or PDF library (ADR 0018);
kb.print.forms makes the PDFs."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from kb.content.figures import Attendance

DOWNLOADS = PurePosixPath("downloads")
FORMS = {"sign-in-sheet": ("sign-in", "forms/sign-in.html"), "evaluation": ("evaluation", "forms/evaluation.html")}


@dataclass(frozen=True)
class Download:
    title: str
    path: str  # site-relative
    online_only: bool = False  # the offline copy's build: the file is not in its zip


@dataclass(frozen=True)
class FormDownloads:
    """What the downloads page lists of the print step's forms and reports, in one language."""

    forms: tuple[Download, ...]    # the blank forms (sign-in sheet, evaluation)
    reports: tuple[Download, ...]  # the held events' reports


def form_outputs(lang: str) -> dict[str, PurePosixPath]:
    return {name: DOWNLOADS / "forms" / f"{name}-{lang}.pdf" for name in FORMS}


def agenda_output(rel: str, lang: str) -> PurePosixPath:
    """downloads/agenda-<event>-<lang>.pdf: mercury/events/training-1.md -> agenda-mercury-training-1-zh.pdf."""
    parts = [part for part in posixpath.splitext(rel)[0].split("/") if part != "events"]
    return DOWNLOADS / f"agenda-{'-'.join(parts)}-{lang}.pdf"


def report_output(rel: str, lang: str) -> PurePosixPath:
    return DOWNLOADS / "reports" / lang / (posixpath.splitext(rel)[0].replace("/", "--") + ".pdf")


def downloads(lang: str, ui: dict[str, str], reports: list[Attendance] | None = None,
              held: list[tuple[str, str]] | None = None, offline_from: Path | None = None) -> FormDownloads:
    """What the downloads page lists: this language's blank forms and the held events' reports.
    *held*: (rel, title) of each held event. *offline_from*: the offline copy's build, made from
    that site folder: what is not there is marked online only (as kb.build.downloads does)."""
    forms = form_outputs(lang)

    def item(title: str, path: PurePosixPath) -> Download:
        return Download(title, str(path), offline_from is not None and not (offline_from / path).is_file())

    return FormDownloads(
        forms=(item(ui.get("form_sign_in", "sign-in"), forms["sign-in-sheet"]),
               item(ui.get("form_evaluation", "evaluation"), forms["evaluation"])),
        reports=tuple(item(title, report_output(rel, lang)) for rel, title in (held or [])),
    )


def held_events(pages: dict[str, Any], docs_dir: str, lang: str, default_language: str) -> list[tuple[str, Any]]:
    """(rel, page) of every held event in *lang* (its own page, else the default language's)."""
    out: dict[str, Any] = {}
    for tree in dict.fromkeys((default_language, lang)):
        root = f"{docs_dir}/{tree}/"
        for path, page in pages.items():
            ev = page.meta.get("event") if page.text is not None else None
            if path.startswith(root) and page.type == "event" and isinstance(ev, dict) and ev.get("status") == "held":
                out[page.rel] = page
    return sorted(out.items(), key=lambda kv: (str(kv[1].meta.get("event", {}).get("date")), kv[0]))
