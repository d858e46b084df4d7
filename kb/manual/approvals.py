"""The one question the PDF step asks about sign-off: is this page approved for release by these
organisations, what does it lack, and who approved it when?

Everything in kb/manual (release decisions, refusal lists, the review record page, the downloads
page) goes through ``approval_state``. Today it reads the page's front matter
(``review.status`` and ``review.approvals``); once approvals are verified (signed, hash-bound
commits), only this function changes to read the verified state from the engine report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

APPROVED = "approved"


@dataclass(frozen=True)
class Approval:
    org: str
    date: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class ApprovalState:
    path: str
    status: str | None            # review.status as written
    approvals: tuple[Approval, ...]  # who approved it, when (organisations asked about, in their order)
    lacking: tuple[str, ...]      # organisations whose approval is missing

    @property
    def approved(self) -> bool:
        return self.status == APPROVED and not self.lacking

    def reason(self) -> str:
        """What keeps the page out of a release, for the refusal list."""
        parts = []
        if self.lacking:
            parts.append("lacks " + ", ".join(self.lacking))
        if self.status != APPROVED:
            parts.append(f"review.status is {self.status or '-'}")
        return "; ".join(parts)


def approval_state(report: Any, path: str, orgs: list[str] | tuple[str, ...]) -> ApprovalState:
    """The sign-off of the page at repository path *path*, asked for organisations *orgs*."""
    page = report.pages.get(path)
    if page is None:
        return ApprovalState(path, None, (), tuple(orgs))
    items = page.review.get("approvals") or []
    found: dict[str, Approval] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("by"), str) and item["by"] in orgs:
            date = item.get("date")
            name = item.get("name")
            found.setdefault(item["by"], Approval(item["by"], None if date is None else str(date),
                                                  name if isinstance(name, str) and name.strip() else None))
    return ApprovalState(
        path=path, status=page.review_status,
        approvals=tuple(found[o] for o in orgs if o in found),
        lacking=tuple(o for o in orgs if o not in found),
    )
