"""What the downloads page lists, from the same plan the PDF step renders (one naming rule)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from kb.manual.assemble import plan_language, single_outputs
from kb.offline import ZIP_NAME

DOWNLOADS = PurePosixPath("downloads")


def downloads_for(lang: str, languages: tuple[str, ...], manifest: list[dict], report: Any,
                  offline_from: Path | None = None) -> dict[str, Any]:
    """Site-relative paths and titles of the manuals, this language's handouts and panels, and the
    offline copy. *offline_from*: this is the offline copy's build, whose zip (kb/offline.py) takes
    the files built in that site folder; what is not there is marked "online only"."""
    plan = plan_language(lang, manifest, report)

    def item(path: PurePosixPath, **extra: Any) -> dict[str, Any]:
        online_only = offline_from is not None and not (offline_from / path).is_file()
        return {"path": str(path), "online_only": online_only, **extra}

    return {
        "manuals": [item(DOWNLOADS / f"manual-{other}.pdf", lang=other) for other in languages],
        "handouts": [item(DOWNLOADS / "handouts" / lang / out.name, title=ch.title)
                     for ch, out in single_outputs(plan.handouts, PurePosixPath(lang))],
        "panels": [item(DOWNLOADS / "panels" / lang / out.name, title=ch.title)
                   for ch, out in single_outputs(plan.panels, PurePosixPath(lang))],
        "offline": str(DOWNLOADS / ZIP_NAME),
        "offline_build": offline_from is not None,
    }
