"""PDF training manuals (placeholder until the PDF issue lands: writes nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def build_manuals(settings: Any, data: Any, report: Any, site_dir: Path, manifests: dict[str, list[dict]]) -> list[Path]:
    return []
