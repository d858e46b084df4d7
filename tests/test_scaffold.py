"""./scripts/new (kb.authoring.scaffold): the scaffolded page pair follows the content model and passes the checks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from bench.sample import copy_project
from kb.authoring import scaffold
from kb.checks.engine import run
from kb.content.pages import parse_page
from kb.project.data import ProjectData
from kb.project.settings import REPO_ROOT, load_settings

MODULE_ORDER = ["objectives", "content", "risks", "lessons", "key-points", "exercises", "answers", "sources"]
# a new module is reminded to declare its lesson (minutes and activities are the author's to plan)
# a new module declares no lesson yet, and is in no deliverable and not in the navigation yet
ALLOWED = {("gap", "info"), ("stale-translation", "warning"), ("lesson", "warning"), ("navigation", "warning")}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with the repository's kb.yml and data/, and an empty docs/."""
    copy_project(tmp_path)
    for name in ("KB_RELEASE", "KB_TODAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KB_LANG", "en")
    return tmp_path


def new(root: Path, *argv: str) -> int:
    return scaffold.main(list(argv), root=root)


def page(root: Path, lang: str, rel: str):
    path = root / "docs" / lang / rel
    return parse_page(f"docs/{lang}/{rel}", lang, rel, path.read_bytes())


def findings_for(root: Path, rel: str) -> list:
    report = run(load_settings(root))
    paths = {f"docs/{lang}/{rel}" for lang in ("zh", "en")}
    return [f for f in report.findings if f.path in paths]


def assert_clean(root: Path, rel: str) -> None:
    found = findings_for(root, rel)
    errors = [f"{f.path}:{f.line}: {f.rule}: {f.message}" for f in found if f.severity == "error"]
    assert errors == []
    assert {(f.rule, f.severity) for f in found} <= ALLOWED, found
    untracked = [f for f in found if f.rule == "stale-translation"]
    assert [(f.path, f.code) for f in untracked] == [(f"docs/en/{rel}", "untracked")]


# --- the scaffolded pair ------------------------------------------------------------------------------------
def test_module_pair_has_model_front_matter_and_sections(project: Path, capsys: pytest.CaptureFixture) -> None:
    assert new(project, "module", "mercury/modules/07-x") == 0
    rel = "mercury/modules/07-x.md"
    zh, en = page(project, "zh", rel), page(project, "en", rel)
    for p in (zh, en):
        assert p.meta_error is None
        assert p.meta["type"] == "module"
        assert p.meta["track"] == "mercury"
        assert p.meta["review"] == {"status": "draft", "approvals": []}
        assert "translation" not in p.meta  # the translator stamps it with ./scripts/translated
        assert [h.id for h in p.headings] == MODULE_ORDER
        assert all(h.level == 2 for h in p.headings)
        assert len(p.gap_markers) == len(MODULE_ORDER)
        assert p.title.strip()
    assert [h.text for h in zh.headings][:2] == ["学习目标", "主要内容"]
    assert [h.text for h in en.headings][:2] == ["Learning objectives", "Content"]
    assert "[[gap:" in zh.section_text("exercises")
    out = capsys.readouterr().out
    assert "docs/zh/mercury/modules/07-x.md" in out and "docs/en/mercury/modules/07-x.md" in out
    assert "mkdocs.yml" in out and "./scripts/serve" in out and "./scripts/translated docs/en/" in out


def test_module_pair_passes_the_checks(project: Path) -> None:
    assert new(project, "module", "mercury/modules/07-x") == 0
    assert_clean(project, "mercury/modules/07-x.md")


@pytest.mark.parametrize(
    ("argv", "rel"),
    [
        (["policy", "gender/policy/obligations"], "gender/policy/obligations.md"),
        (["case", "mercury/cases/new-case"], "mercury/cases/new-case.md"),
        (["event", "mercury/events/training-4"], "mercury/events/training-4.md"),
        (["event", "mercury/events/seminar-4"], "mercury/events/seminar-4.md"),
        (["event", "gender/events/launch", "--kind", "livestream"], "gender/events/launch.md"),
        (["panel", "mercury/panels/07-x"], "mercury/panels/07-x.md"),
        (["report", "gender/reports/2027"], "gender/reports/2027.md"),
        (["glossary", "terms", "--track", "general"], "terms.md"),
        (["page", "guide/faq", "--track", "general"], "guide/faq.md"),
        (["module", "gender/modules/05-x", "--title-zh", "第 5 章：数据", "--title-en", "Chapter 5: data"],
         "gender/modules/05-x.md"),
    ],
)
def test_every_type_passes_the_checks(project: Path, argv: list[str], rel: str) -> None:
    assert new(project, *argv) == 0
    assert_clean(project, rel)


def test_required_sections_come_from_the_content_model(project: Path) -> None:
    model = ProjectData(load_settings(project)).model
    for name, spec in model.types.items():
        extra = ["--kind", "training"] if name == "event" else []
        assert new(project, name, f"t-{name}", "--track", "general", *extra) == 0
        ids = [h.id for h in page(project, "zh", f"t-{name}.md").headings]
        assert set(spec.required_sections) <= set(ids), name
        if spec.required_any_section:
            assert set(spec.required_any_section) & set(ids), name
        if not ids:
            assert page(project, "zh", f"t-{name}.md").gap_markers, name  # a body placeholder at least


def test_event_block_is_planned_with_nulls(project: Path) -> None:
    assert new(project, "event", "mercury/events/training-4") == 0
    zh = page(project, "zh", "mercury/events/training-4.md")
    event = zh.meta["event"]
    assert event["kind"] == "training" and event["status"] == "planned"
    assert event["date"] is None and event["participants"] == {"total": None, "women": None, "men": None}
    assert set(event) == set(ProjectData(load_settings(project)).model.event.fields)
    assert "summary" in zh.heading_ids
    assert new(project, "event", "mercury/events/seminar-4") == 0
    assert "minutes" in page(project, "zh", "mercury/events/seminar-4.md").heading_ids


def test_md_suffix_and_docs_prefix_are_optional(project: Path) -> None:
    assert new(project, "case", "mercury/cases/a.md") == 0
    assert (project / "docs/zh/mercury/cases/a.md").is_file()
    assert new(project, "case", "docs/zh/mercury/cases/b") == 0
    assert (project / "docs/en/mercury/cases/b.md").is_file()
    assert not (project / "docs/zh/mercury/cases/a.md.md").exists()


def test_titles_are_written_as_valid_yaml(project: Path) -> None:
    title = '汞: "低汞" # 触媒'
    assert new(project, "page", "x", "--track", "general", "--title-zh", title, "--title-en", "A: b # c") == 0
    assert page(project, "zh", "x.md").meta["title"] == title
    assert page(project, "en", "x.md").meta["title"] == "A: b # c"


# --- refusals ------------------------------------------------------------------------------------------------
def test_refuses_to_overwrite_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture) -> None:
    existing = project / "docs/en/mercury/modules/07-x.md"
    existing.parent.mkdir(parents=True)
    existing.write_text("keep me\n", encoding="utf-8")
    assert new(project, "module", "mercury/modules/07-x") == 1
    assert existing.read_text(encoding="utf-8") == "keep me\n"
    assert not (project / "docs/zh/mercury/modules/07-x.md").exists()
    assert "docs/en/mercury/modules/07-x.md" in capsys.readouterr().err


def test_refuses_a_second_file_at_the_same_address(project: Path) -> None:
    index = project / "docs/zh/mercury/modules/07-x/index.md"
    index.parent.mkdir(parents=True)
    index.write_text("---\ntitle: x\n---\n", encoding="utf-8")
    assert new(project, "module", "mercury/modules/07-x") == 1
    assert not (project / "docs/en/mercury/modules/07-x.md").exists()


def test_unknown_type_lists_the_types(project: Path, capsys: pytest.CaptureFixture) -> None:
    assert new(project, "lesson", "mercury/modules/07-x") == 2
    err = capsys.readouterr().err
    for name in ("module", "policy", "case", "event", "panel", "report"):
        assert name in err
    assert not (project / "docs").exists()


@pytest.mark.parametrize(
    "path",
    ["../x", "mercury/../../x", "mercury/modules/../../../etc/x", "/etc/passwd", "docs/x", "zh/mercury/x",
     "mercury/mod ules/x", "mercury\\x", "", "docs/zh/", "~/x"],
)
def test_paths_outside_docs_are_refused(project: Path, path: str) -> None:
    assert new(project, "page", path, "--track", "general") == 2
    assert not (project / "docs").exists()


def test_symlinked_folder_leading_outside_docs_is_refused(project: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (project / "docs/zh").mkdir(parents=True)
    (project / "docs/en").mkdir(parents=True)
    os.symlink(outside, project / "docs/zh/mercury")
    assert new(project, "page", "mercury/x") == 2
    assert list(outside.iterdir()) == []


def test_track_is_guessed_required_or_checked(project: Path, capsys: pytest.CaptureFixture) -> None:
    assert new(project, "page", "about") == 2
    assert "--track" in capsys.readouterr().err
    assert new(project, "page", "about", "--track", "nonsense") == 2
    assert new(project, "case", "mercury/cases/x", "--track", "gender") == 2
    assert new(project, "case", "mercury/cases/x", "--track", "mercury") == 0
    assert new(project, "page", "about", "--track", "general") == 0
    assert page(project, "en", "about.md").meta["track"] == "general"


def test_event_kind_is_guessed_or_required(project: Path) -> None:
    assert new(project, "event", "mercury/events/launch") == 2
    assert new(project, "event", "mercury/events/launch", "--kind", "party") == 2
    assert new(project, "module", "mercury/modules/x", "--kind", "training") == 2
    assert new(project, "event", "mercury/events/launch", "--kind", "video") == 0


def test_sections_file_names_every_section_the_model_requires() -> None:
    data = ProjectData(load_settings(REPO_ROOT))
    model, sections = data.model, data.sections
    needed = {s for spec in model.types.values() for s in (*spec.required_sections, *spec.required_any_section)}
    needed |= {s for layout in sections.layouts.values() for s in layout}
    assert needed <= set(sections.headings)
    raw = yaml.safe_load((data.settings.data_path / "sections.yml").read_text(encoding="utf-8"))
    for ident, spec in raw["headings"].items():
        assert set(spec["gap"]) == {"zh", "en"}, ident


def test_wrapper_script_runs_the_scaffold() -> None:
    script = REPO_ROOT / "scripts" / "new"
    assert os.access(script, os.X_OK)
    assert "-m kb.authoring.scaffold" in script.read_text(encoding="utf-8")
