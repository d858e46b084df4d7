"""The project's own knowledge base: no errors in draft mode; release mode lists the drafts."""

from __future__ import annotations

from sitebuild import REPO, TODAY

from kb.checks.engine import run
from kb.project.settings import load_settings


def test_project_content_has_no_errors_in_draft_mode():
    report = run(load_settings(REPO, environ={"KB_TODAY": TODAY}), lang="en")
    errors = [f"{f.path}:{f.line}: {f.rule}: {f.message}" for f in report.errors]
    assert not errors, "\n".join(errors)
    # every translated page records the version of its source
    assert not [p for p in report.pairs if p.state in ("untracked", "stale")]


def test_release_mode_warns_once_per_unapproved_page_of_a_training_manual():
    settings = load_settings(REPO, environ={"KB_TODAY": TODAY})
    report = run(settings, lang="zh", release=True)
    unapproved = [f for f in report.findings if f.rule == "review" and f.code == "release-unapproved"]
    printed = [(p.path, mid) for p in report.pages.values() for mid, spec in settings.manuals.items()
               if spec.includes(type=p.type, track=p.track, in_manual=p.in_manual) and p.review_status != "approved"]
    assert sorted((f.path, f.params["manual"]) for f in unapproved) == sorted(printed) and printed
    # a warning naming the manual it keeps out, not an error that fails the whole release
    assert all(f.severity == "warning" and "发布模式" in f.message and f"“{f.params['manual']}”" in f.message
               for f in unapproved)
    # guides, event records and report templates are never in a training manual
    assert not [f for f in unapproved if "/guide/" in f.path or "/events/" in f.path or "/reports/" in f.path]


def test_every_gap_marker_is_reported_for_the_status_page():
    report = run(load_settings(REPO, environ={"KB_TODAY": TODAY}), lang="en")
    markers = sum(len(p.gap_markers) for p in report.pages.values())
    reported = [f for f in report.findings if f.rule == "gap" and not f.params["text"].startswith(("event.", "video."))]
    assert markers > 0 and len(reported) == markers
