"""What the checks report: the findings, the pages read, each translation pair's state, each
deliverable's status and each pair's verified approvals. The website, the review views, the preview and
the print step read these records; kb.checks.engine makes them. This module loads no rule: a build
runs the rules in the process beside the generator, and only the report comes back (ADR 0018)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from kb.content.pages import Page
from kb.content.rendercache import RenderResult
from kb.project.findings import Catalog, Finding, sort_findings
from kb.project.policy import blocks_publication
from kb.project.records import record_json
from kb.project.settings import Settings
from kb.trust.approvals import PairApproval


class TranslationState(StrEnum):
    """Whether a pair's translation follows its source (kb/web/site.py shows it, status.json lists it)."""

    CURRENT = "current"  # the target's stamp records the source's body hash
    STALE = "stale"  # the source changed since the stamp
    UNTRACKED = "untracked"  # the target has no translation stamp
    MISSING = "missing"  # one language's page is missing or cannot be read
    SINGLE = "single"  # a page meant for one language (translation: none)


@dataclass(frozen=True)
class PairState:
    """One translation pair (or single page), keyed by its path relative to docs/<lang>/: the
    source and target pages (repository paths; no target for a single page) and the translation's
    state."""

    rel: str
    source: str
    target: str | None
    state: TranslationState

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass
class CheckMemo:
    """The page and pair checks' findings kept from one run to the next in one process (the rebuilds
    of `serve`): a page whose bytes did not change, under the same structure (kb.content.structure:
    every page's front matter, the other files, data, settings, today), is not checked again. Its
    render result is kept with it: the link checks read every page's ids."""

    key: str = ""
    pages: dict[str, tuple[str, list[Finding], tuple[str, RenderResult] | None]] = field(default_factory=dict)
    pairs: dict[tuple[str, str], tuple[str, list[Finding]]] = field(default_factory=dict)

    def start(self, key: str) -> None:
        if key != self.key:
            self.key, self.pages, self.pairs = key, {}, {}


@dataclass
class Report:
    settings: Settings
    findings: list[Finding]
    pages: dict[str, Page]
    pairs: list[PairState]
    deliverables: list[DeliverableStatus]
    release: bool
    lang: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    catalog_rules: dict = field(default_factory=dict, repr=False)
    # verified approvals per pair, keyed like pairs by the path relative to docs/<lang>/ (kb/trust/approvals.py)
    approvals: dict[str, PairApproval] = field(default_factory=dict)
    # indexes made at the first lookup (every rendered page asks for its pair and its findings)
    _pairs_by_rel: dict[str, PairState] | None = field(default=None, init=False, repr=False, compare=False)
    _findings_by_path: dict[str, list[Finding]] | None = field(default=None, init=False, repr=False, compare=False)

    def in_language(self, lang: str) -> list[Finding]:
        """The same findings with their messages in *lang* (and the same severities: a check may have
        set one other than its message's default, e.g. a past year's event series in draft mode)."""
        if lang == self.lang:
            return self.findings
        catalog = Catalog(self.catalog_rules, lang)
        return sort_findings(catalog.resolve(replace(f, message="")) for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def with_findings(self, found: list[Finding]) -> Report:
        """The report with findings made after the checks (slide-overflow: found in the PDFs' layout),
        worded and counted as the checks' own."""
        catalog = Catalog(self.catalog_rules, self.lang)
        findings = sort_findings([*self.findings, *(catalog.resolve(f, release=self.release) for f in found)])
        return replace(self, findings=findings, counts=count_findings(findings))

    @property
    def blocking(self) -> list[Finding]:
        """The errors that make published content unsafe or false: they refuse a release of the site
        (kb.project.policy); every other error is reported and fails only --strict."""
        return [f for f in self.findings if blocks_publication(f.rule, f.code, f.severity)]

    def pair_for(self, rel: str) -> PairState | None:
        """The translation pair of the pages at docs/<lang>/<rel>."""
        if self._pairs_by_rel is None:
            self._pairs_by_rel = {p.rel: p for p in self.pairs}
        return self._pairs_by_rel.get(rel)

    def approval_for(self, rel: str) -> PairApproval | None:
        """The verified approval state of the pair at docs/<lang>/<rel>."""
        return self.approvals.get(rel)

    def findings_for(self, path: str) -> list[Finding]:
        if self._findings_by_path is None:
            self._findings_by_path = {}
            for f in self.findings:
                self._findings_by_path.setdefault(f.path, []).append(f)
        return list(self._findings_by_path.get(path, ()))


def count_findings(findings: list[Finding]) -> dict[str, dict[str, int]]:
    """rule -> severity -> how many findings."""
    counts: dict[str, dict[str, int]] = {}
    for f in findings:
        counts.setdefault(f.rule, {}).setdefault(f.severity, 0)
        counts[f.rule][f.severity] += 1
    return counts


# --- deliverables -------------------------------------------------------------------------------------------
class DeliverableState(StrEnum):
    COMPLETE = "complete"  # every page present and approved, its events held, no gaps
    OVERDUE = "overdue"  # past its due date and not complete
    MISSING = "missing"  # none of its pages exists yet
    INCOMPLETE = "incomplete"  # some present; pages, approvals, events or gaps outstanding


@dataclass(frozen=True)
class DeliverableStatus:
    """What is present, missing and approved for one deliverable (data/deliverables.yml), as the
    status page and status.json show it. Paths are repository paths."""

    id: str
    programme: str
    title: Mapping[str, str]  # per language
    source: str
    due: str | None  # ISO date
    languages: tuple[str, ...]
    state: DeliverableState
    present: tuple[str, ...]
    missing: tuple[str, ...]
    unapproved: tuple[str, ...]
    gaps: int
    events_needed: int
    events_held: int

    def to_json(self) -> dict[str, Any]:
        return record_json(self)
