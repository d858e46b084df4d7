"""Completeness checks. Each rule is a pure function over parsed pages returning findings:
``check_x(page, ctx) -> list[Finding]`` for one page, ``check_x(source, target, ctx)`` for a
translation pair. The engine (kb.checks.engine) decides what to call; nothing here imports MkDocs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kb.content.pages import Page
from kb.project.data import ProjectData
from kb.project.findings import Finding


@dataclass
class Context:
    data: ProjectData
    today: dt.date
    release: bool = False
    # repository-relative paths of every file under docs/ (links and images resolve against it)
    files: frozenset[str] = field(default_factory=frozenset)
    default_language: str = "zh"
    languages: tuple[str, ...] = ("zh", "en")
    email_allowlist_domains: tuple[str, ...] = ()
    docs_dir: str = "docs"
    manuals: dict[str, Any] = field(default_factory=dict)  # kb.yml manuals: id -> ManualSpec
    # pages whose pair has verified approvals (kb.trust.approvals), set by the engine before the
    # deliverables are counted; None: not computed (then the typed review.status is taken)
    approved_paths: frozenset[str] | None = None

    def is_approved(self, page: Page) -> bool:
        if self.approved_paths is None:
            return page.review_status == "approved"
        return page.path in self.approved_paths


def finding(rule: str, code: str, where: Page | str, line: int, /, **params: object) -> Finding:
    path = where if isinstance(where, str) else where.path
    return Finding(rule=rule, code=code, path=path, line=max(1, int(line)), params=dict(params))
