"""status.json as machines read it (scripts/status_summary.py, the pull-request report, CI, --strict):
the status data is typed records (kb.web.site.StatusData), written by each record's to_json(); the
file keeps every key of every row kind, in the same order, with the same values (enums as their
values, tuples as lists). The approvals rows are built in a throw-away signed repository: one pair
whose two approvals are outdated, one with a valid approval and a hand-typed one that is not signed."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from signedrepo import EN_BODY, ZH, en_page, make_repo
from sitebuild import FIXTURES, TODAY, make_project

from kb.checks.engine import run
from kb.project.data import ProjectData
from kb.project.records import record_json
from kb.project.settings import load_settings
from kb.web.site import write_status_json

TOP = ["generated", "today", "mode", "lang", "totals", "counts", "pairs", "reviews", "approvals", "deliverables",
       "gaps", "findings", "tracks", "rules", "pages", "gap_pages"]
PAIR = ["rel", "source", "target", "state"]
REVIEW = ["path", "rel", "title", "type", "track", "status", "typed", "approvals", "required"]
APPROVALS = ["rel", "track", "required", "state", "lacking", "languages", "hashes", "approvals", "title", "typed",
             "typed_differs", "shown"]
APPROVAL = ["org", "name", "date", "state", "problem", "commit", "signer", "hashes", "changed", "path", "line"]
DELIVERABLE = ["id", "programme", "title", "source", "due", "languages", "state", "present", "missing", "unapproved",
               "gaps", "events_needed", "events_held"]
GAP = ["path", "line", "text", "rel"]
FINDING = ["rule", "code", "path", "line", "params", "severity", "message", "pair", "detail", "rel", "title", "track", "lang"]
PAGE = ["rel", "title", "type", "track", "translation", "approval_state", "languages", "approvals", "lacking", "required",
        "rules", "severities"]
LANGUAGE = ["lang", "exists", "path", "typed", "shown", "approval", "gaps"]
GAP_PAGE = ["rel", "path", "lang", "title", "track", "severity", "count", "gaps"]
LOW = "mercury/low-mercury.md"


def status_json(root: Path, tmp_path: Path) -> dict:
    settings = load_settings(root, environ={"KB_TODAY": TODAY})
    data = ProjectData(settings)
    path = write_status_json(run(settings, data, lang="zh"), data, tmp_path)
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_row_kind_keeps_its_keys_in_order_and_its_values(tmp_path: Path) -> None:
    status = status_json(make_project(tmp_path / "p", FIXTURES / "site-basic", site=True), tmp_path)
    assert list(status) == TOP
    assert (status["today"], status["mode"], status["lang"]) == (TODAY, "draft", "zh")
    every = [*status["findings"], *({"rule": "gap", "severity": "info"} for _ in status["gaps"])]
    assert status["totals"] == {s: sum(1 for f in every if f["severity"] == s) for s in ("error", "warning", "info")}
    # counts: a rule's severities as it has them, none with 0
    for row in status["counts"]:
        mine = [f["severity"] for f in every if f["rule"] == row["rule"]]
        assert list(row)[:2] == ["rule", "title"]
        assert {k: v for k, v in row.items() if k not in ("rule", "title")} == {s: mine.count(s) for s in set(mine)}
    assert {"rule": "gap", "title": "待补充内容", "info": 2} in status["counts"]
    assert all(list(row) == PAIR for row in status["pairs"])
    assert {"rel": "only-chinese.md", "source": "docs/zh/only-chinese.md", "target": None, "state": "missing"} in status["pairs"]
    assert {"rel": LOW, "source": f"docs/zh/{LOW}", "target": f"docs/en/{LOW}", "state": "untracked"} in status["pairs"]
    assert all(list(row) == REVIEW for row in status["reviews"])
    assert {"path": f"docs/zh/{LOW}", "rel": LOW, "title": "低汞触媒的规范使用", "type": "page", "track": "mercury",
            "status": "draft", "typed": "draft", "approvals": [], "required": ["FECO", "UNIDO"]} in status["reviews"]
    assert status["approvals"] == []  # no page carries an approval
    assert status["deliverables"] and all(list(row) == DELIVERABLE for row in status["deliverables"])
    assert all(isinstance(row["state"], str) and isinstance(row["languages"], list) for row in status["deliverables"])
    assert all(list(row) == GAP for row in status["gaps"])
    assert {"path": f"docs/zh/{LOW}", "line": 12, "text": "示范企业名称", "rel": LOW} in status["gaps"]
    assert all(list(row) == FINDING for row in status["findings"])
    (missing,) = [f for f in status["findings"] if f["rule"] == "missing-translation" and f["path"] == "docs/zh/only-chinese.md"]
    assert {k: v for k, v in missing.items() if k != "message"} == {
        "rule": "missing-translation", "code": "missing-fallback", "path": "docs/zh/only-chinese.md", "line": 1,
        "params": {"expected": "docs/en/only-chinese.md"}, "severity": "error", "pair": [], "detail": "",
        "rel": "only-chinese.md", "title": "仅有中文的页面", "track": "general", "lang": "zh"}
    assert missing["message"].startswith("此页没有对应译文 docs/en/only-chinese.md。")
    assert status["tracks"][:2] == [{"id": "mercury", "label": "汞减排（PVC 行业）"},
                                    {"id": "gender", "label": "性别主流化（再生金属行业）"}]
    assert {"id": "gap", "title": "待补充内容"} in status["rules"]
    assert [r["id"] for r in status["rules"]] == sorted({f["rule"] for f in every})
    assert all(list(row) == PAGE and all(list(lang) == LANGUAGE for lang in row["languages"]) for row in status["pages"])
    (only,) = [row for row in status["pages"] if row["rel"] == "only-chinese.md"]
    assert only == {
        "rel": "only-chinese.md", "title": "仅有中文的页面", "type": "page", "track": "general", "translation": "missing",
        "approval_state": "none",
        "languages": [{"lang": "zh", "exists": True, "path": "docs/zh/only-chinese.md", "typed": "draft", "shown": "draft",
                       "approval": "unapproved", "gaps": 0},
                      {"lang": "en", "exists": False, "path": None, "typed": None, "shown": "-", "approval": "unapproved",
                       "gaps": 0}],
        "approvals": [], "lacking": ["FECO"], "required": ["FECO"], "rules": ["missing-translation"], "severities": ["error"]}
    assert all(list(row) == GAP_PAGE for row in status["gap_pages"])
    assert {"rel": LOW, "path": f"docs/zh/{LOW}", "lang": "zh", "title": "低汞触媒的规范使用", "track": "mercury",
            "severity": "info", "count": 1, "gaps": [{"line": 12, "text": "示范企业名称"}]} in status["gap_pages"]


# --- the approvals rows, from verified approvals ---------------------------------------------------------------------
SECOND = "mercury/second.md"
UNSIGNED = "    - {by: UNIDO, name: 王某, date: 2026-11-20, zh: 3f2a9c1d0b7e, en: 9c1d3f2a0b7e}\n"


@pytest.mark.skipif(shutil.which("ssh-keygen") is None or shutil.which("git") is None,
                    reason="needs git and ssh-keygen (openssh-client)")
def test_approvals_rows_say_each_approvals_state_commit_and_digests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, monkeypatch)
    second_zh = ZH.replace("废触媒", "第二页")
    repo.write(f"docs/zh/{SECOND}", second_zh)
    repo.write(f"docs/en/{SECOND}", en_page(second_zh, EN_BODY.replace("Spent catalyst", "Second page")))
    repo.commit("Second page")
    assert repo.approve("FECO") == 0 and repo.approve("UNIDO") == 0
    approved = repo.digests()
    repo.write("docs/en/mercury/catalyst.md",
               repo.read("docs/en/mercury/catalyst.md").replace("is managed as", "may go with"))
    repo.commit("Edit the English page")
    assert repo.approve("FECO", "--name", "Reviewer A", paths=(f"docs/zh/{SECOND}",)) == 0
    text = repo.read(f"docs/zh/{SECOND}")
    repo.write(f"docs/zh/{SECOND}", text.replace("  approvals:\n", "  approvals:\n" + UNSIGNED, 1))
    repo.commit("An approval typed by hand")
    now, second = repo.digests(), repo.digests(SECOND)

    def commit(subject: str) -> str:
        return repo.git("log", "--format=%H", "-F", f"--grep={subject}").stdout.split()[0][:10]

    status = status_json(repo.root, tmp_path)
    assert all(list(row) == APPROVALS and all(list(a) == APPROVAL for a in row["approvals"]) for row in status["approvals"])
    catalyst, typed_by_hand = status["approvals"]
    outdated = {"state": "outdated", "problem": "outdated", "hashes": approved, "changed": ["en"],
                "path": "docs/zh/mercury/catalyst.md"}
    assert catalyst == {
        "rel": "mercury/catalyst.md", "track": "mercury", "required": ["FECO", "UNIDO"], "state": "outdated",
        "lacking": ["FECO", "UNIDO"], "languages": {"zh": "unchanged", "en": "changed"}, "hashes": now,
        "approvals": [
            {"org": "FECO", "name": "Test Reviewer", "date": TODAY, **outdated, "commit": commit("catalyst.md as FECO"),
             "signer": "feco@example.org", "line": 8},
            {"org": "UNIDO", "name": "Test Reviewer", "date": TODAY, **outdated, "commit": commit("catalyst.md as UNIDO"),
             "signer": "unido@example.org", "line": 9}],
        "title": "废触媒", "typed": {"zh": "approved", "en": "approved"}, "typed_differs": False, "shown": "in-review"}
    for row in catalyst["approvals"]:  # the key order of status.json, whatever the dict comparison above allows
        assert list(row) == APPROVAL
    assert typed_by_hand == {
        "rel": SECOND, "track": "mercury", "required": ["FECO", "UNIDO"], "state": "invalid", "lacking": ["UNIDO"],
        "languages": {"zh": "unapproved", "en": "unapproved"}, "hashes": second,
        "approvals": [
            {"org": "UNIDO", "name": "王某", "date": "2026-11-20", "state": "invalid", "problem": "unsigned",
             "commit": commit("An approval typed by hand"), "signer": "", "hashes": {"zh": "3f2a9c1d0b7e", "en": "9c1d3f2a0b7e"},
             "changed": [], "path": f"docs/zh/{SECOND}", "line": 8},
            {"org": "FECO", "name": "Reviewer A", "date": TODAY, "state": "valid", "problem": "", "commit": commit("second.md as FECO"),
             "signer": "feco@example.org", "hashes": second, "changed": [], "path": f"docs/zh/{SECOND}", "line": 9}],
        "title": "第二页", "typed": {"zh": "in-review", "en": "in-review"}, "typed_differs": False, "shown": "in-review"}
    # the page table and the review rows list the valid approval only
    (page,) = [row for row in status["pages"] if row["rel"] == SECOND]
    assert (page["approval_state"], page["approvals"]) == ("invalid", [{"org": "FECO", "name": "Reviewer A", "date": TODAY}])
    assert [(lang["lang"], lang["approval"]) for row in status["pages"] if row["rel"] == "mercury/catalyst.md"
            for lang in row["languages"]] == [("zh", "unchanged"), ("en", "changed")]
    (review,) = [row for row in status["reviews"] if row["rel"] == SECOND]
    assert review["approvals"] == [f"FECO {TODAY}"] and review["status"] == "in-review"


# --- a record says how it is written ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Unwritten:
    value: int


@dataclass(frozen=True)
class _Holder:
    inner: _Unwritten


def test_a_value_with_no_json_form_is_refused_not_written_as_its_text() -> None:
    with pytest.raises(TypeError, match="_Unwritten has no JSON form"):
        record_json(_Holder(_Unwritten(1)))
