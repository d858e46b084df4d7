"""The CI workflows are valid YAML that GitHub can load (a step name holding ': ' unquoted made the
publish workflow unloadable), every step runs or uses something, and the non-blocking jobs stay
non-blocking."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

WORKFLOWS = sorted((Path(__file__).resolve().parents[1] / ".github" / "workflows").glob("*.yml"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_loads_and_every_step_does_something(path: Path):
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(workflow, dict) and workflow.get("jobs"), path
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            assert "run" in step or "uses" in step, f"{path.name}: job {name}: step {step} does nothing"


def test_the_probes_of_newer_releases_do_not_block_a_pull_request():
    jobs = yaml.safe_load((WORKFLOWS[0].parent / "pull-request.yml").read_text(encoding="utf-8"))["jobs"]
    assert jobs["weasyprint-newest"]["continue-on-error"] is True
    assert jobs["zensical-probe"]["continue-on-error"] is True
    assert "continue-on-error" not in jobs["check-test-build"]


def _workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS[0].parent / name).read_text(encoding="utf-8"))


def test_the_pull_request_build_makes_the_report_as_job_summary_and_artifact():
    workflow = _workflow("pull-request.yml")
    assert workflow["permissions"] == {"contents": "read"}
    steps = workflow["jobs"]["check-test-build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    base = next(r for r in runs if "git worktree add" in r)
    assert "./scripts/build" in base and "site-base" in base
    report = next(r for r in runs if "./scripts/pr-report" in r)
    for option in ('--base "origin/${BASE_REF}"', '--base-site "$RUNNER_TEMP/site-base"', "--head-site site",
                   '--pr "$PR_NUMBER"', '--summary "$GITHUB_STEP_SUMMARY"', "pr-number.txt"):
        assert option in report, option
    upload = next(s for s in steps if s.get("with", {}).get("name") == "pr-report")
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert runs.index(base) < runs.index(report) < steps.index(upload)


def test_the_comment_workflow_never_runs_the_pull_requests_code_and_may_only_comment():
    workflow = _workflow("pr-comment.yml")
    # yaml reads the key `on` as True
    trigger = workflow[True]
    assert list(trigger) == ["workflow_run"]
    assert trigger["workflow_run"]["workflows"] == [_workflow("pull-request.yml")["name"]]
    assert workflow["permissions"] == {"actions": "read", "pull-requests": "write"}
    for job in workflow["jobs"].values():
        assert "permissions" not in job  # no job widens them
        for step in job["steps"]:
            assert "uses" not in step, step  # no action: no checkout, nothing of the pull request
            script = step.get("run", "")
            assert "${{" not in script, script  # event values reach the script as environment variables only
            for runs_code in ("./scripts", "python", "pip ", "git ", "bash report", "source ", "eval "):
                assert runs_code not in script, (runs_code, script)
    post = workflow["jobs"]["comment"]["steps"][-1]["run"]
    assert "^[0-9]+$" in post and ".head.sha" in post and '"$HEAD_SHA"' in post
