"""What the website shows, computed without MkDocs: per-page notices, the status report data,
the jieba user dictionary and the glossary. The MkDocs hook (hooks/kb_hooks.py) only passes values
in and out, so a future site generator can call the same functions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from kb.approvals import pair_summary, shown_status
from kb.data import ProjectData
from kb.engine import Report
from kb.fsutil import write_atomic
from kb.pages import GAP_RE


def jieba_user_dict(data: ProjectData) -> str:
    """jieba user dictionary lines ("word freq tag"): glossary terms stay whole in the search index."""
    words: set[str] = set()
    for term in data.glossary:
        words.update(f for f in term.forms("zh") if f and " " not in f)
    return "".join(f"{w} 20000 n\n" for w in sorted(words))


def write_jieba_user_dict(data: ProjectData, cache: Path) -> Path:
    path = cache / "jieba-userdict.txt"
    content = jieba_user_dict(data)
    if not path.exists() or path.read_text(encoding="utf-8") != content:
        write_atomic(path, content)
    return path


def page_state(report: Report, lang: str, rel: str, file_lang: str) -> dict[str, Any]:
    """Notices for one rendered page: fallback, single language, stale translation, review."""
    settings = report.settings
    path = f"{settings.docs_dir}/{file_lang}/{rel}"
    page = report.pages.get(path)
    state: dict[str, Any] = {"path": path, "fallback": file_lang != lang, "file_lang": file_lang}
    if page is None:
        return state
    # the status readers see comes from the verified approvals (kb/approvals.py), not the typed status
    approval = report.approval_for(rel)
    state["review"] = shown_status(approval, page.review_status)
    state["approvals"] = [{"by": a.org, "name": a.name, "date": a.date}
                          for a in (approval.approvals if approval else []) if a.state == "valid"]
    # signed approvals of an earlier text: "changed since FECO approved it on DATE"
    state["outdated"] = [{"org": a.org, "date": a.date, "this_page": page.lang in a.changed}
                         for a in (approval.outdated() if approval else [])]
    state["type"] = page.type
    state["single_language"] = page.translation_none
    tr = page.translation
    pair = report.pair_for(rel)
    if isinstance(tr, dict) and tr.get("from") in settings.languages and not state["fallback"] and pair \
            and pair["target"] == path:
        state["translation"] = pair["state"]  # as the engine found it: current, stale or untracked
        state["source_lang"] = tr["from"]
    state["findings"] = [f.as_dict() for f in report.findings_for(path) if f.severity in ("error", "warning")]
    return state


def status_data(report: Report, data: ProjectData, lang: str) -> dict[str, Any]:
    """Everything the status page and status.json show, in one structure."""
    settings = report.settings
    counts = [
        {"rule": rule, "title": data.rules[rule].title.get(lang, rule) if rule in data.rules else rule, **sev}
        for rule, sev in sorted(report.counts.items())
    ]
    reviews = []
    approvals = approvals_status(report, data, lang)
    shown = {row["rel"]: row for row in approvals}
    for path, page in sorted(report.pages.items()):
        if page.lang != lang and not (page.lang == settings.default_language and not _exists(report, lang, page.rel)):
            continue
        row = shown.get(page.rel)
        reviews.append({
            "path": path, "rel": page.rel, "title": page.title, "type": page.type, "track": page.track,
            # verified: "approved" only when every organisation's approval holds for both languages
            "status": row["shown"] if row else (page.review_status or "draft"),
            "typed": page.review_status,
            "approvals": [f"{a['org']} {a['date']}" for a in (row["approvals"] if row else []) if a["state"] == "valid"],
            "required": data.required_reviewers(page.track or "general"),
        })
    localised = report.in_language(lang)
    gaps = [
        {"path": f.path, "line": f.line, "text": f.params.get("text", ""), "rel": _rel(report, f.path)}
        for f in localised if f.rule == "gap"
    ]
    findings = [{**f.as_dict(), "rel": _rel(report, f.path)} for f in localised if f.rule != "gap"]
    return {
        "generated": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "today": settings.today.isoformat(),
        "mode": "release" if report.release else "draft",
        "totals": {s: sum(1 for f in report.findings if f.severity == s) for s in ("error", "warning", "info")},
        "counts": counts,
        "pairs": report.pairs,
        "reviews": reviews,
        "approvals": approvals,
        "deliverables": report.deliverables,
        "gaps": gaps,
        "findings": findings,
    }


def approvals_status(report: Report, data: ProjectData, lang: str) -> list[dict[str, Any]]:
    """The approvals block of the status page (overrides/partials/kb-approvals.html) and status.json:
    one row per pair that has approvals or claims to be approved, with both languages' state, who
    approved which version when, and the typed statuses when the two pages disagree."""
    rows = []
    for rel, pair in sorted(report.approvals.items()):
        pages = {lg: report.pages.get(path) for lg, path in pair.paths.items()}
        typed = {lg: (p.review_status or "draft") if p is not None else "-" for lg, p in pages.items()}
        if not pair.approvals and "approved" not in typed.values():
            continue
        title_page = pages.get(lang) or next(iter(p for p in pages.values() if p is not None), None)
        rows.append({
            **pair_summary(pair),
            "title": title_page.title if title_page is not None else rel,
            "typed": typed,
            "typed_differs": len(set(typed.values())) > 1,
            "shown": shown_status(pair, next((s for s in typed.values() if s == "approved"), None)
                                  or next(iter(typed.values()), None)),
        })
    return rows


def _exists(report: Report, lang: str, rel: str) -> bool:
    return f"{report.settings.docs_dir}/{lang}/{rel}" in report.pages


def _rel(report: Report, path: str) -> str | None:
    page = report.pages.get(path)
    return page.rel if page is not None else None


def write_status_json(report: Report, data: ProjectData, site_dir: Path) -> Path:
    path = site_dir / "status.json"
    payload = status_data(report, data, report.settings.default_language)
    write_atomic(path, json.dumps(payload, ensure_ascii=False, indent=2))
    return path


def render_gaps(markdown: str, render: Any) -> str:
    """Replace ``[[gap: …]]`` markers with the rendered badge (the template does the HTML)."""
    return GAP_RE.sub(lambda m: render(m.group("text")), markdown)


def glossary_entries(data: ProjectData, lang: str) -> list[dict[str, Any]]:
    other = "en" if lang == "zh" else "zh"
    rows = [
        {"id": t.id, "term": t.term(lang), "other": t.term(other), "definition": t.definition.get(lang, ""),
         "track": t.track, "source": t.source}
        for t in data.glossary
    ]
    key = (lambda r: r["term"]) if lang == "zh" else (lambda r: r["term"].lower())
    return sorted(rows, key=key)


def page_url_for(rel: str, lang: str, default_language: str) -> str:
    """Site-relative URL of a page with directory URLs (default language at /, others under /<lang>/)."""
    stem = rel[:-3] if rel.endswith(".md") else rel
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")]
    else:
        stem += "/"
    return ("" if lang == default_language else f"{lang}/") + stem


