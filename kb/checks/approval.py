"""The approval rule: what the verified approvals (kb.trust.approvals) mean for each page pair, as
findings. A warning while drafting, an error in release."""

from __future__ import annotations

from dataclasses import replace

from kb.checks import Context, finding
from kb.content.pages import Page
from kb.project.findings import Finding
from kb.trust.approvals import RULE, PairApproval


def findings(approvals: dict[str, PairApproval], pages: dict[str, Page], ctx: Context) -> list[Finding]:
    """The approval rule's findings: a warning while drafting, an error in release."""
    severity = "error" if ctx.release else "warning"
    out: list[Finding] = [finding(RULE, p.code, p.path, p.line, **p.params) for p in getattr(approvals, "signers", [])]
    # review copies that are no approval (a sound copy is an approval of each pair it lists, below)
    out += [finding(RULE, c.problem, c.path, 1, **c.params) for c in getattr(approvals, "copies", []) if c.problem]
    for pair in approvals.values():
        for a in pair.approvals:
            if a.problem and a.problem != "unknown-org":
                out.append(finding(RULE, a.problem, a.path, a.line, **a.params))
        # review.status: approved must mean verified approvals; the review rule already reports
        # organisations with no entry at all, this reports those whose entry does not hold
        # (on a translation, whose approvals are recorded on the source page, all that is lacking)
        for path in pair.paths.values():
            page = pages.get(path)
            if page is None or page.review_status != "approved":
                continue
            own = {a.org for a in pair.approvals if a.path == path}
            translation = isinstance(page.translation, dict) and "from" in page.translation
            unverified = [org for org in pair.lacking() if translation or org in own]
            if unverified:
                out.append(finding(RULE, "not-approved", page, page.line_of("review"), orgs=", ".join(unverified)))
    return [replace(f, severity=severity) for f in out]
