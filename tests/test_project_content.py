"""The project's own knowledge base: no errors in draft mode; release mode lists the drafts."""

from __future__ import annotations

from sitebuild import REPO, TODAY

from kb.engine import run
from kb.settings import load_settings


def test_project_content_has_no_errors_in_draft_mode():
    report = run(load_settings(REPO, environ={"KB_TODAY": TODAY}), lang="en")
    errors = [f"{f.path}:{f.line}: {f.rule}: {f.message}" for f in report.errors]
    assert not errors, "\n".join(errors)
    # every translated page records the version of its source
    assert not [p for p in report.pairs if p["state"] in ("untracked", "stale")]


def test_release_mode_fails_on_drafts_with_one_finding_per_page():
    report = run(load_settings(REPO, environ={"KB_TODAY": TODAY}), lang="zh", release=True)
    unapproved = [f for f in report.errors if f.rule == "review" and f.code == "release-unapproved"]
    manual_pages = [p for p in report.pages.values() if p.in_manual and p.review_status != "approved"]
    assert len(unapproved) == len(manual_pages) > 0
    assert all("发布模式" in f.message for f in unapproved)


def test_every_gap_marker_is_reported_for_the_status_page():
    report = run(load_settings(REPO, environ={"KB_TODAY": TODAY}), lang="en")
    markers = sum(len(p.gap_markers) for p in report.pages.values())
    reported = [f for f in report.findings if f.rule == "gap" and not f.params["text"].startswith(("event.", "video."))]
    assert markers > 0 and len(reported) == markers
