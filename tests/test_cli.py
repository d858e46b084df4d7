"""./scripts/check: formats, exit status, paths, language of messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, make_project

from kb.cli import main


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = make_project(tmp_path, FIXTURES / "rules" / "pii" / "flag", FIXTURES / "rules" / "gap" / "clean")
    monkeypatch.setattr("kb.project.settings.REPO_ROOT", root)
    monkeypatch.setenv("KB_TODAY", TODAY)
    monkeypatch.chdir(root)
    return root


def test_text_format_names_path_line_rule_and_exits_1_on_errors(project: Path, capsys):
    assert main(["check", "--lang", "en"]) == 1
    out = capsys.readouterr()
    lines = [x for x in out.out.splitlines() if ": pii: " in x]
    assert "docs/zh/contact-list.md:10: pii: error: Mobile phone number found (138******78). Sign-in sheets" in "\n".join(lines)
    assert "errors" in out.err


def test_json_format_is_a_list_of_findings(project: Path, capsys):
    main(["check", "--format", "json", "--lang", "zh"])
    findings = json.loads(capsys.readouterr().out)
    pii = [f for f in findings if f["rule"] == "pii"]
    assert pii and {"rule", "severity", "path", "line", "message"} <= set(pii[0])
    assert any("手机号码" in f["message"] for f in pii)


def test_github_format_emits_annotations(project: Path, capsys):
    main(["check", "--format", "github"])
    out = capsys.readouterr().out
    assert "::error file=docs/zh/contact-list.md,line=10,title=pii::" in out


def test_paths_limit_the_report_and_clean_paths_exit_0(project: Path, capsys):
    assert main(["check", "docs/zh/no-gap.md", "docs/en/no-gap.md"]) == 0
    assert "contact-list" not in capsys.readouterr().out


def test_usage_and_configuration_mistakes_exit_2(project: Path, capsys):
    assert main(["check", "--format", "xml"]) == 2
    assert main(["check", "docs/zh/nope.md"]) == 2
    (project / "kb.yml").write_text("languages: zh\n", encoding="utf-8")
    assert main(["check"]) == 2
    assert "configuration error" in capsys.readouterr().err


def test_release_mode_reports_drafts_of_a_training_manual(project: Path, capsys):
    make_project(project, FIXTURES / "rules" / "required-section" / "clean")  # a draft mercury module
    main(["check", "--release", "--format", "json", "--lang", "en"])
    findings = json.loads(capsys.readouterr().out)
    drafts = [f for f in findings if f["rule"] == "review" and f["code"] == "release-unapproved"]
    assert sorted(f["path"] for f in drafts) == ["docs/en/complete-module.md", "docs/zh/complete-module.md"]
    assert all(f["severity"] == "warning" and "'mercury' training manual" in f["message"] for f in drafts)
