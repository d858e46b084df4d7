"""A release publishes the website unless a finding makes it unsafe or false (kb/project/policy.py);
deliverables past due, pages awaiting review and lapsed approvals are reported (status page, exit
status of --strict), and each programme's printed material is released only where its pages are
approved. What decides this cannot be lowered by a data file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, build, make_project

from kb.cli import main
from kb.project.data import ProjectData, Rule
from kb.project.findings import Catalog, Finding
from kb.project.schemas import shown
from kb.project.settings import SettingsError, load_settings

GUIDE = "---\ntitle: {title}\ntype: page\ntrack: general\nreview:\n  status: draft\n  approvals: []\n---\n\n{body}\n"


def _project(tmp_path: Path, *overlays: Path, site: bool = False) -> Path:
    """The basic sample site, with the authoring guide its status page links to (so that no link is broken)."""
    project = make_project(tmp_path / "p", FIXTURES / "site-basic", *overlays, site=site)
    for lang, title, body in (("zh", "编写指南", "如何编写页面。"), ("en", "Authoring guide", "How to write a page.")):
        guide = project / "docs" / lang / "guide" / "authoring.md"
        guide.parent.mkdir(parents=True, exist_ok=True)
        guide.write_text(GUIDE.format(title=title, body=body), encoding="utf-8")
    return project


@pytest.mark.build
def test_a_release_with_drafts_and_overdue_deliverables_publishes_the_site_and_reports_them(tmp_path: Path):
    # the copied data/deliverables.yml has gender deliverables due 2025-12-31: overdue on TODAY
    project = _project(tmp_path, site=True)
    result = build(project, "--strict", release=True)  # MkDocs --strict, as ./scripts/build --release
    assert "none makes published content unsafe or false: the site is released" in result.stderr
    status = json.loads((project / "site" / "status.json").read_text(encoding="utf-8"))
    overdue = [f for f in status["findings"] if f["rule"] == "deliverables" and f["code"] == "overdue"]
    assert overdue and all(f["severity"] == "error" for f in overdue)
    page = (project / "site" / "en" / "status" / "index.html").read_text(encoding="utf-8")
    assert "gender-information-rules" in page or "Gender information management rules" in page
    # the drafts' programme manual is not released (the downloads page says so); the site is
    downloads = (project / "site" / "en" / "downloads" / "index.html").read_text(encoding="utf-8")
    assert (project / "site" / "en" / "mercury" / "low-mercury" / "index.html").is_file()
    assert "manual-mercury-en.pdf" in downloads


@pytest.mark.build
def test_a_release_with_personal_data_is_refused_and_says_why(tmp_path: Path):
    project = _project(tmp_path, FIXTURES / "rules" / "pii" / "flag", site=True)
    result = build(project, release=True, check=False)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "make published content unsafe or false (pii)" in out
    assert "Traceback" not in out


def _check(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr("kb.project.settings.REPO_ROOT", project)
    monkeypatch.setenv("KB_TODAY", TODAY)
    monkeypatch.chdir(project)
    return main(["check", "--lang", "en", *args])


def test_release_check_passes_what_strict_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    project = _project(tmp_path)
    assert _check(project, monkeypatch, "--release") == 0
    out = capsys.readouterr().out
    assert "deliverables: error: Deliverable gender-information-rules" in out
    assert _check(project, monkeypatch, "--release", "--strict") == 1


def test_personal_data_fails_the_release_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project = _project(tmp_path, FIXTURES / "rules" / "pii" / "flag")
    assert _check(project, monkeypatch, "--release") == 1


def test_a_messages_file_that_lowers_a_safety_rule_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys):
    project = _project(tmp_path, FIXTURES / "rules" / "pii" / "flag")
    messages = project / "data" / "messages.yml"
    lines = messages.read_text(encoding="utf-8").splitlines()
    at = lines.index("pii:") + 1
    assert lines[at].strip() == "severity: error"
    lines[at] = "  severity: info"
    messages.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        ProjectData(load_settings(project, environ={"KB_TODAY": TODAY})).validate()
    assert f"data/messages.yml:{at + 1}: pii.severity: a safety rule is always an error" in str(refused.value)
    assert _check(project, monkeypatch, "--release") == 2
    assert f"messages.yml:{at + 1}: pii.severity" in capsys.readouterr().err


def test_a_safety_finding_stays_an_error_whatever_the_catalogue_says():
    lowered = {"pii": Rule.model_validate({"id": "pii", "severity": "info", "title": {"zh": "x", "en": "x"},
                                           "messages": {"mobile": {"zh": "x", "en": "x"}}})}
    finding = Finding(rule="pii", code="mobile", path="docs/zh/a.md", line=3, params={})
    assert Catalog(lowered, "en").resolve(finding).severity == "error"


def test_a_track_nobody_reviews_is_a_configuration_error(tmp_path: Path):
    project = _project(tmp_path)
    reviewers = project / "data" / "reviewers.yml"
    text = reviewers.read_text(encoding="utf-8")
    assert "  mercury: [FECO, UNIDO]\n" in text
    reviewers.write_text(text.replace("  mercury: [FECO, UNIDO]\n", "  mercury: []\n"), encoding="utf-8")
    line = reviewers.read_text(encoding="utf-8").splitlines().index("  mercury: []") + 1
    with pytest.raises(SettingsError) as refused:
        ProjectData(load_settings(project, environ={"KB_TODAY": TODAY})).validate()
    assert f"data/reviewers.yml:{line}: tracks.mercury: no organisation reviews this track" in str(refused.value)


def test_a_site_folder_outside_the_project_in_kb_yml_is_refused(tmp_path: Path):
    project = _project(tmp_path)
    settings = project / "kb.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("site_dir: site", "site_dir: ../elsewhere"),
                        encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_settings(project)
    assert "site_dir '../elsewhere' must be a folder inside the project" in str(refused.value)


@pytest.mark.build
def test_a_site_folder_outside_the_project_in_mkdocs_yml_is_refused_before_anything_is_deleted(tmp_path: Path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me\n", encoding="utf-8")
    project = _project(tmp_path, site=True)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "\nsite_dir: site\n" in text
    config.write_text(text.replace("\nsite_dir: site\n", f"\nsite_dir: {victim}\n"), encoding="utf-8")
    result = build(project, release=True, check=False)
    assert result.returncode != 0
    assert f"site_dir '{victim}' is outside the project" in result.stdout + result.stderr
    assert (victim / "precious.txt").read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in victim.iterdir()) == ["precious.txt"]


@pytest.mark.parametrize("where", ["/etc", "../outside", "/proc/self"])
def test_a_media_folder_outside_the_project_is_refused(tmp_path: Path, where: str):
    project = _project(tmp_path)
    media = project / "data" / "media.yml"
    text = media.read_text(encoding="utf-8")
    line = text[:text.index("\npath: media\n")].count("\n") + 2
    media.write_text(text.replace("\npath: media\n", f"\npath: {where}\n"), encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        ProjectData(load_settings(project, environ={"KB_TODAY": TODAY})).validate()
    assert str(refused.value) == (f"{shown(media)}:{line}: path: must be a folder inside the project, not "
                                  f"{where} (the build copies its files into the site): write a folder such as media")
