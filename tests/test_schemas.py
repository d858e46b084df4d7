"""Every data file is validated against its schema (kb/project/schemas.py): a typo is refused with
``file:line: where: what`` and exit 2, never ignored, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, make_project

from kb.cli import main
from kb.project.data import ProjectData
from kb.project.settings import REPO_ROOT, load_settings


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = make_project(tmp_path, FIXTURES / "rules" / "gap" / "clean")
    monkeypatch.setattr("kb.project.settings.REPO_ROOT", root)
    monkeypatch.setenv("KB_TODAY", TODAY)
    monkeypatch.chdir(root)
    return root


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first *old* outside comments; return its 1-based line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if old in line and not line.lstrip().startswith("#"):
            lines[i] = line.replace(old, new, 1)
            path.write_text("\n".join(lines), encoding="utf-8")
            return i + 1
    raise AssertionError(f"{old!r} not in {path}")


def test_the_projects_data_files_are_valid():
    ProjectData(load_settings(REPO_ROOT)).validate()  # every file under data/ the project reads


def test_typos_are_refused_with_file_and_line_and_exit_2(project: Path, capsys):
    model = project / "data" / "content-model.yml"
    line_string = _edit(model, "summary: {kind: str, shown: true}", "summary: {kind: string, shown: true}")
    line_integer = _edit(model, "viewers: {kind: int}", "viewers: {kind: integer}")
    messages = project / "data" / "messages.yml"
    line_eror = _edit(messages, "severity: error", "severity: eror")
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert f"data/content-model.yml:{line_string}: fields.summary.kind:" in err and "'string'" in err
    assert f"data/content-model.yml:{line_integer}: event.fields.viewers.kind:" in err and "'integer'" in err
    assert f"data/messages.yml:{line_eror}: " in err and ".severity:" in err and "'eror'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("name", "old", "new", "where"), [
    ("glossary.yml", "  track: mercury ", "  trak: mercury ", "[0].trak: Extra inputs are not permitted"),
    ("deliverables.yml", "due: 2026-12-31", "due: end of year", "deliverables[0].due:"),
    ("reviewers.yml", "mercury: [FECO, UNIDO]", "mercury: [FECO, UNIDOO]", "unknown organisation UNIDOO"),
    ("ui.yml", "  fallback_notice:", "  fallback_notise:", "only in zh: ['fallback_notise']"),
    ("messages.yml", "Use the Simplified forms.", "Use the Simplified forms {char}.", "different placeholders"),
])
def test_each_data_file_has_a_schema(project: Path, capsys, name: str, old: str, new: str, where: str):
    _edit(project / "data" / name, old, new)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert f"data/{name}:" in err and where in err


def test_an_organisations_misspelt_key_is_refused_with_its_line(project: Path, capsys):
    # organisations are closed: a misspelt `signers` would silently leave the organisation without
    # an allowed-signers file, so none of its approvals could ever verify
    line = _edit(project / "data" / "reviewers.yml", "    signers: data/signers/UNDP", "    signer: data/signers/UNDP")
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert f"data/reviewers.yml:{line}: organisations.UNDP.signer: Extra inputs are not permitted" in err
