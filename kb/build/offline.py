"""The offline copy of the site: a second build with Material's offline plugin (file:// links,
inlined search index), zipped into site/downloads/offline-site.zip with the PDF manuals, handouts
and panels of the site it is made from (so its downloads page works). Trainees take it home: its
pages leave out answers and trainer notes (kb.web.trainer) and it holds no file of downloads/trainer/
and no trainer guide (manual-*.pdf: answers and trainer notes; the participant workbook is there)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from kb.build import generator
from kb.print.manual.plan import trainer_only
from kb.project.settings import ENV_PDF, Settings

ENV_OFFLINE_FROM = "KB_OFFLINE_FROM"  # the site folder the offline copy is made from (its PDFs)
ZIP_NAME = "offline-site.zip"
TOP_FOLDER = "knowledge-site"  # the folder the zip unpacks into
TRAINER_FOLDER = "trainer"  # downloads/trainer/: the trainers' files (kb.print.knowledge), never in the zip


def offline_source(settings: Settings) -> Path:
    """In the offline copy's build: the site folder whose PDFs go into the zip."""
    return Path(os.environ.get(ENV_OFFLINE_FROM) or settings.site_path)


def build_offline_zip(settings: Settings, env: dict[str, str] | None = None, site: Path | None = None) -> Path:
    """The offline copy of the site built in *site* (default: the settings' site folder)."""
    site = site or settings.site_path
    out = site / "downloads" / ZIP_NAME
    with tempfile.TemporaryDirectory(prefix="kb-offline-") as tmp:
        offline_site = Path(tmp) / "site"
        run_env = {**(env or os.environ), "KB_OFFLINE": "true", ENV_PDF: "0", ENV_OFFLINE_FROM: str(site)}
        result = subprocess.run(generator.command("build", "--quiet", "-d", str(offline_site), environ=run_env),
                                cwd=settings.root, env=run_env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"offline build failed:\n{result.stderr[-4000:]}")
        # every PDF the downloads page lists (manuals, handouts, panels); the offline build's
        # downloads page marks what is missing here as online only (kb/build/downloads.py)
        for pdf in sorted((site / "downloads").rglob("*.pdf")):
            rel = pdf.relative_to(site / "downloads")
            if rel.parts[0] == TRAINER_FOLDER or trainer_only(rel.as_posix()):
                continue  # answer keys, score sheets, trainer guides: trainees take the offline copy home
            target = offline_site / pdf.relative_to(site)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(pdf, target)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.tmp")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for path in sorted(offline_site.rglob("*")):
                if path.is_file() and not path.name.endswith(".gz"):
                    archive.write(path, f"{TOP_FOLDER}/{path.relative_to(offline_site).as_posix()}")
        os.replace(partial, out)
    return out
