"""scripts/status_summary.py: the CI job summary written from site/status.json."""

from __future__ import annotations

import ast
import importlib.util
import io
import json
import sys
from pathlib import Path

import pytest

from kb.project.settings import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "status_summary.py"
_spec = importlib.util.spec_from_file_location("status_summary", SCRIPT)
status_summary = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(status_summary)

SAMPLE = {
    "generated": "2026-11-21T10:00:00+00:00",
    "today": "2026-11-21",
    "mode": "draft",
    "totals": {"error": 2, "warning": 2, "info": 3},
    "counts": [
        {"rule": "gap", "title": "待补充内容", "info": 3},
        {"rule": "stale-translation", "title": "译文过期", "error": 1},
        {"rule": "broken-link", "title": "失效链接", "error": 1},
        {"rule": "term-mismatch", "title": "术语不一致", "warning": 2},
    ],
    "pairs": [
        {"rel": "mercury/modules/01.md", "source": "docs/zh/mercury/modules/01.md",
         "target": "docs/en/mercury/modules/01.md", "state": "stale"},
        {"rel": "mercury/modules/02.md", "source": "docs/zh/mercury/modules/02.md",
         "target": "docs/en/mercury/modules/02.md", "state": "current"},
        {"rel": "gender/reports/me.md", "source": "docs/zh/gender/reports/me.md", "target": None, "state": "single"},
        {"rel": "index.md", "source": "docs/zh/index.md", "target": "docs/en/index.md", "state": "untracked"},
    ],
    "reviews": [],
    "deliverables": [
        {"id": "mercury-trainings", "title": {"zh": "培训 3 期", "en": "3 trainings"}, "due": "2026-12-31",
         "state": "incomplete", "present": ["a", "b"], "missing": ["c"], "unapproved": ["a"], "gaps": 4,
         "events_needed": 3, "events_held": 1},
        {"id": "gender-report-2025", "title": {"zh": "2025 年度报告"}, "due": "2025-12-31", "state": "overdue",
         "present": [], "missing": ["d"], "unapproved": [], "gaps": 0, "events_needed": 0, "events_held": 0},
        {"id": "done", "title": {"en": "Done"}, "due": None, "state": "complete", "present": ["e"], "missing": [],
         "unapproved": [], "gaps": 0, "events_needed": 0, "events_held": 0},
    ],
    "gaps": [
        {"path": "docs/zh/mercury/modules/01.md", "line": 12, "text": "数据", "rel": "mercury/modules/01.md"},
        {"path": "docs/zh/mercury/modules/01.md", "line": 20, "text": "来源", "rel": "mercury/modules/01.md"},
        {"path": "docs/zh/index.md", "line": 3, "text": "x", "rel": "index.md"},
    ],
    "findings": [
        {"rule": "stale-translation", "code": "stale", "path": "docs/en/mercury/modules/01.md", "line": 9,
         "severity": "error", "message": "原文已修改", "rel": "mercury/modules/01.md"},
        {"rule": "term-mismatch", "code": "missing", "path": "docs/zh/mercury/modules/01.md", "line": 30,
         "severity": "warning", "message": "a | b\nc", "rel": "mercury/modules/01.md"},
        {"rule": "broken-link", "code": "missing", "path": "docs/zh/index.md", "line": 5, "severity": "error",
         "message": "链接目标不存在", "rel": "index.md"},
        {"rule": "term-mismatch", "code": "missing", "path": "docs/en/index.md", "line": 7, "severity": "warning",
         "message": "unrelated", "rel": "index.md"},
    ],
}


def rows_of(markdown: str, heading: str) -> list[str]:
    """Table rows of the section under *heading* (header and separator left out)."""
    section = markdown.split(heading, 1)[1].split("\n###", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return rows[2:]


def test_totals_and_counts() -> None:
    md = status_summary.summary(SAMPLE, None)
    assert "| 2 | 2 | 3 | 3 |" in md
    rules = [row.split("|")[1].strip() for row in rows_of(md, "Findings by rule")]
    assert rules == ["`broken-link`", "`stale-translation`", "`term-mismatch`", "`gap`"]  # errors first
    assert "Mode: **draft**" in md


def test_deliverables_table() -> None:
    rows = rows_of(status_summary.summary(SAMPLE, None), "### 交付成果 · Deliverables")
    assert len(rows) == 3
    assert "`mercury-trainings`" in rows[0] and "培训 3 期" in rows[0] and "🟡 incomplete" in rows[0]
    assert "| 2/3 | 1 | 4 | 1/3 |" in rows[0]
    assert "🔴 overdue" in rows[1] and "2025-12-31" in rows[1]
    assert "✅ complete" in rows[2] and "Done" in rows[2]


def test_only_pairs_that_are_not_current_are_listed() -> None:
    md = status_summary.summary(SAMPLE, None)
    rows = rows_of(md, "Translation pairs not current")
    assert [row.split("|")[2].strip() for row in rows] == ["stale", "untracked"]
    assert "4 pairs: 1 current, 1 single-language, 2 not current" in md


def test_findings_of_changed_files_include_their_translations() -> None:
    md = status_summary.summary(SAMPLE, ["docs/zh/mercury/modules/01.md", "README.md"])
    rows = rows_of(md, "Findings in the changed files")
    findings = [r for r in rows if "`stale-translation`" in r or "`term-mismatch`" in r]
    # the English page is not changed, but the change to its source made it stale
    assert "docs/en/mercury/modules/01.md:9" in findings[0] and "❌ error" in findings[0]
    assert "docs/zh/mercury/modules/01.md:30" in findings[1]
    assert "a \\| b c" in findings[1]  # pipes escaped, line breaks removed: the table stays intact
    assert not any("unrelated" in r for r in rows_of(md, "Findings in the changed files"))
    assert "| `docs/zh/mercury/modules/01.md` | 2 |" in md  # gap markers of the changed page
    other = rows_of(md, "Errors in other files")
    assert len(other) == 1 and "docs/zh/index.md:5" in other[0]


def test_no_changed_list_and_clean_changes() -> None:
    assert "No list of changed files was given" in status_summary.summary(SAMPLE, None)
    md = status_summary.summary(SAMPLE, ["scripts/build"])
    assert "No errors or warnings in the changed files" in md


def test_limit_truncates_long_tables() -> None:
    md = status_summary.summary(SAMPLE, None, limit=1)
    assert len(rows_of(md, "### 交付成果 · Deliverables")) == 1
    assert "2 more not shown" in md


def test_empty_report() -> None:
    md = status_summary.summary({"totals": {}, "counts": [], "pairs": [], "deliverables": [], "findings": []}, [])
    assert "| 0 | 0 | 0 | 0 |" in md and "No findings." in md


def test_main_appends_to_output_and_reads_changed_from_stdin(tmp_path: Path, monkeypatch) -> None:
    status = tmp_path / "status.json"
    status.write_text(json.dumps(SAMPLE, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "summary.md"
    out.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO("docs/zh/mercury/modules/01.md\n\n"))
    assert status_summary.main([str(status), "--changed", "-", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## 知识库完成情况")
    assert "docs/en/mercury/modules/01.md:9" in text


def test_main_reads_changed_file_and_prints(tmp_path: Path, capsys) -> None:
    status = tmp_path / "status.json"
    status.write_text(json.dumps(SAMPLE), encoding="utf-8")
    changed = tmp_path / "changed.txt"
    changed.write_text("docs/zh/index.md\n", encoding="utf-8")
    assert status_summary.main([str(status), "--changed", str(changed)]) == 0
    assert "docs/zh/index.md:5" in capsys.readouterr().out


def test_missing_status_json_writes_a_note_and_fails(tmp_path: Path) -> None:
    out = tmp_path / "summary.md"
    assert status_summary.main([str(tmp_path / "nope.json"), "--output", str(out)]) == 1
    assert "No status report" in out.read_text(encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    assert status_summary.main([str(bad), "--output", str(out)]) == 1


def test_bad_limit_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        status_summary.main(["x.json", "--limit", "0"])
    assert exc.value.code == 2


def test_uses_the_standard_library_only() -> None:
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    assert names - {"__future__"} <= set(sys.stdlib_module_names)
