"""The one question the PDF step asks about sign-off: is this page approved for release by these
organisations, what does it lack, and who approved it when?

Everything in kb/print/manual (release decisions, refusal lists, the review record page, the downloads
page) goes through ``approval_state``. It reads the verified approvals of the engine report
(``Report.approval_for``, kb/trust/approvals.py: signed commits, bound to both languages' text): an
approval typed into the front matter by hand counts for nothing here either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb.trust.approvals import ApprovalValidity

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
    def asked(self) -> set[str]:
        """The organisations whose approval this page needs."""
        return {a.org for a in self.approvals} | set(self.lacking)

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
    """The sign-off of the page at repository path *path*, asked for organisations *orgs*: who has a
    valid (signed, current) approval of the page pair, and who is lacking."""
    page = report.pages.get(path)
    pair = report.approval_for(page.rel) if page is not None else None
    if page is None or pair is None:
        return ApprovalState(path, page.review_status if page is not None else None, (), tuple(orgs))
    valid = [a for org in orgs if (a := pair.for_org(org)) is not None and a.state == ApprovalValidity.VALID]
    return ApprovalState(
        path=path, status=page.review_status,
        approvals=tuple(Approval(a.org, a.date or None, a.name or None) for a in valid),
        lacking=tuple(pair.lacking(orgs)),
    )
