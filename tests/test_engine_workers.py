"""A standalone check runs the page and pair checks in forked processes (kb.checks.engine); the report must
be the one a single process makes, links to another page's #anchor included (they are checked after
the workers, with every page's rendered anchors)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from sitebuild import FIXTURES, make_project

from kb.checks import engine

CASES = ["broken-link/clean", "broken-link/clean-reference-links-and-slugs", "broken-link/flag-reference-links-and-slugs", "broken-link/flag", "unsafe-html/flag",
         "term-mismatch/flag", "structure-mismatch/flag", "pii/flag", "traditional-chars/flag"]


def _rows(report: engine.Report) -> list[tuple]:
    return [(f.path, f.line, f.rule, f.code, f.severity, f.message) for f in report.findings]


@pytest.mark.parametrize("case", CASES)
def test_checks_in_two_processes_report_what_one_process_reports(case: str, tmp_path: Path, settings_for, monkeypatch):
    project = make_project(tmp_path, FIXTURES / "rules" / case)
    alone = engine.run(settings_for(project), lang="en", workers=1)
    pools: list[int] = []

    class CountedPool(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs) -> None:
            pools.append(kwargs.get("max_workers", 0))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(engine, "ProcessPoolExecutor", CountedPool)
    monkeypatch.setattr(engine, "PARALLEL_MIN_PAGES", 1)
    forked = engine.run(settings_for(project), lang="en", workers=2)
    assert pools == [2], "the checks did not run in the process pool"
    assert _rows(forked) == _rows(alone)
    if "/clean" in case:  # valid links to other pages' anchors stay valid when those pages rendered elsewhere
        assert not [f for f in forked.findings if f.rule == "broken-link"]
    else:
        assert _rows(alone), f"{case}: the fixture should have findings"
