"""What the downloads page lists, from the same plan the PDF step renders (one naming rule)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from kb.manual.assemble import plan_language, single_outputs
from kb.offline import ZIP_NAME

DOWNLOADS = PurePosixPath("downloads")


def downloads_for(lang: str, languages: tuple[str, ...], manifest: list[dict], report: Any) -> dict[str, Any]:
    """Site-relative paths and titles of the manuals, this language's handouts and panels, and the
    offline copy."""
    plan = plan_language(lang, manifest, report)
    return {
        "manuals": [{"lang": other, "path": str(DOWNLOADS / f"manual-{other}.pdf")} for other in languages],
        "handouts": [{"title": ch.title, "path": str(DOWNLOADS / "handouts" / lang / out.name)}
                     for ch, out in single_outputs(plan.handouts, PurePosixPath(lang))],
        "panels": [{"title": ch.title, "path": str(DOWNLOADS / "panels" / lang / out.name)}
                   for ch, out in single_outputs(plan.panels, PurePosixPath(lang))],
        "offline": str(DOWNLOADS / ZIP_NAME),
    }
