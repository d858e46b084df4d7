#!/usr/bin/env python3
"""Write the build's status report (site/status.json) as Markdown tables for a CI job summary.

Usage: python3 scripts/status_summary.py [site/status.json] [--changed FILE] [--output FILE] [--limit N]

  --changed FILE  paths changed by the pull request, one per line ("-" reads standard input), e.g. from
                  git diff --name-only origin/main...HEAD; their findings (and those of their
                  translations) get a table of their own
  --output FILE   append to FILE (e.g. "$GITHUB_STEP_SUMMARY") instead of printing
  --limit N       at most N rows per table (default 100); the full report is the site's status page

Standard library only, so it runs before (or without) the project's virtual environment.
Exit status: 0 report written, 1 status.json missing or unreadable (a note is still written), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SEVERITIES = ("error", "warning", "info")
PAIR_PROBLEMS = ("stale", "missing", "untracked")  # "current" and "single" (one language on purpose) are fine
STATE_MARK = {"complete": "✅", "overdue": "🔴", "incomplete": "🟡", "missing": "🟡"}
SEVERITY_MARK = {"error": "❌ error", "warning": "⚠️ warning", "info": "ℹ️ info"}


def cell(value: Any) -> str:
    """A value as the text of one Markdown table cell."""
    if value is None:
        return "–"
    text = str(value).replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    return text.strip() or "–"


def code(value: Any) -> str:
    text = cell(value)
    return text if text == "–" else f"`{text.replace('`', '')}`"


def table(headers: list[str], rows: Iterable[list[Any]], limit: int, align: str = "") -> list[str]:
    rows = list(rows)
    align = align or "l" * len(headers)
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows[:limit]]
    if len(rows) > limit:
        out += ["", f"… {len(rows) - limit} more not shown · 另有 {len(rows) - limit} 行未显示 (see status.json / 见完成情况页面)"]
    return out + [""]


def title_of(item: dict[str, Any]) -> str:
    title = item.get("title")
    if isinstance(title, dict):
        return str(title.get("zh") or title.get("en") or item.get("id", ""))
    return str(title or item.get("id", ""))


def read_changed(source: str | None) -> list[str] | None:
    if source is None:
        return None
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- sections ------------------------------------------------------------------------------------------
def totals_section(status: dict[str, Any]) -> list[str]:
    totals = status.get("totals") or {}
    gaps = len(status.get("gaps") or [])
    row = [cell(totals.get(s, 0)) for s in SEVERITIES] + [cell(gaps)]
    return ["### 总计 · Totals", ""] + table(
        ["错误 Errors", "警告 Warnings", "提示 Notes", "待补充 Gaps"], [row], 1, "rrrr")


def counts_section(status: dict[str, Any], limit: int) -> list[str]:
    counts = status.get("counts") or []
    out = ["### 按规则统计 · Findings by rule", ""]
    if not counts:
        return out + ["没有检查结果。 · No findings.", ""]
    order = sorted(counts, key=lambda c: (-int(c.get("error", 0)), -int(c.get("warning", 0)), str(c.get("rule"))))
    rows = [[code(c.get("rule")), cell(c.get("title")), *(cell(c.get(s, 0)) for s in SEVERITIES)] for c in order]
    return out + table(["规则 Rule", "名称 Title", "错误 Errors", "警告 Warnings", "提示 Notes"], rows, limit, "llrrr")


def deliverables_section(status: dict[str, Any], limit: int) -> list[str]:
    items = status.get("deliverables") or []
    out = ["### 交付成果 · Deliverables", ""]
    if not items:
        return out + ["data/deliverables.yml 中没有交付成果。 · No deliverables in data/deliverables.yml.", ""]
    rows = []
    for d in items:
        state = str(d.get("state", ""))
        present, missing = len(d.get("present") or []), len(d.get("missing") or [])
        needed = int(d.get("events_needed") or 0)
        events = f"{d.get('events_held', 0)}/{needed}" if needed else "–"
        rows.append([code(d.get("id")), cell(title_of(d)), cell(f"{STATE_MARK.get(state, '')} {state}"),
                     cell(d.get("due")), cell(f"{present}/{present + missing}"), cell(len(d.get("unapproved") or [])),
                     cell(d.get("gaps", 0)), cell(events)])
    return out + table(["成果 Deliverable", "名称 Title", "状态 State", "截止 Due", "页面 Pages", "未批准 Unapproved",
                        "待补充 Gaps", "活动 Events"], rows, limit, "llllrrrr")


def pairs_section(status: dict[str, Any], limit: int) -> list[str]:
    pairs = status.get("pairs") or []
    problems = [p for p in pairs if p.get("state") in PAIR_PROBLEMS]
    problems.sort(key=lambda p: (PAIR_PROBLEMS.index(p["state"]), str(p.get("rel"))))
    current = sum(1 for p in pairs if p.get("state") == "current")
    single = sum(1 for p in pairs if p.get("state") == "single")
    out = ["### 未同步的译文 · Translation pairs not current", "",
           f"共 {len(pairs)} 对页面：已同步 {current}，单语 {single}，未同步 {len(problems)}。 · "
           f"{len(pairs)} pairs: {current} current, {single} single-language, {len(problems)} not current.", ""]
    if not problems:
        return out
    rows = [[code(p.get("rel")), cell(p.get("state")), code(p.get("source")), code(p.get("target"))] for p in problems]
    return out + table(["页面 Page", "状态 State", "原文 Source", "译文 Target"], rows, limit)


def changed_section(status: dict[str, Any], changed: list[str] | None, limit: int) -> list[str]:
    out = ["### 本次修改的文件 · Findings in the changed files", ""]
    if changed is None:
        return out + ["未提供修改的文件列表。 · No list of changed files was given.", ""]
    changed_set = set(changed)
    # a page and its translation belong together: a changed source page makes its translation stale
    rel_of = {}
    for p in status.get("pairs") or []:
        for key in ("source", "target"):
            if p.get(key):
                rel_of[p[key]] = p.get("rel")
    changed_rels = {rel_of[path] for path in changed if path in rel_of}

    def affected(item: dict[str, Any]) -> bool:
        return item.get("path") in changed_set or (item.get("rel") is not None and item.get("rel") in changed_rels)

    findings = [f for f in status.get("findings") or [] if affected(f)]
    order = {s: i for i, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (order.get(f.get("severity"), 9), str(f.get("path")), int(f.get("line") or 0)))
    gaps: dict[str, int] = {}
    for g in status.get("gaps") or []:
        if affected(g):
            gaps[g["path"]] = gaps.get(g["path"], 0) + 1
    shown = ", ".join(f"`{c}`" for c in changed[:10]) + (" …" if len(changed) > 10 else "")
    out += [f"修改的文件 {len(changed)} 个 · {len(changed)} changed files" + (f": {shown}" if changed else "."), ""]
    if not findings:
        out += ["修改的文件及其译文没有错误或警告。 · No errors or warnings in the changed files or their translations.", ""]
    else:
        rows = [[code(f"{f.get('path')}:{f.get('line')}"), code(f.get("rule")), cell(SEVERITY_MARK.get(f.get("severity"),
                 f.get("severity"))), cell(f.get("message"))] for f in findings]
        out += table(["位置 Location", "规则 Rule", "级别 Severity", "说明 Message"], rows, limit)
    if gaps:
        out += ["待补充标记 · Gap markers ([[gap: …]]) in these pages:", ""]
        out += table(["文件 File", "待补充 Gaps"], [[code(p), cell(n)] for p, n in sorted(gaps.items())], limit, "lr")
    others = [f for f in status.get("findings") or [] if f.get("severity") == "error" and not affected(f)]
    if others:
        out += ["#### 其他文件中的错误 · Errors in other files", ""]
        rows = [[code(f"{f.get('path')}:{f.get('line')}"), code(f.get("rule")), cell(f.get("message"))] for f in others]
        out += table(["位置 Location", "规则 Rule", "说明 Message"], rows, limit)
    return out


def summary(status: dict[str, Any], changed: list[str] | None = None, limit: int = 100) -> str:
    mode = status.get("mode", "?")
    head = ["## 知识库完成情况 · Knowledge-site status", "",
            f"模式 Mode: **{cell(mode)}** · 日期 Today: {cell(status.get('today'))} · "
            f"生成 Generated: {cell(status.get('generated'))}", ""]
    parts = [head, totals_section(status), counts_section(status, limit), deliverables_section(status, limit),
             pairs_section(status, limit), changed_section(status, changed, limit)]
    return "\n".join(line for part in parts for line in part).rstrip("\n") + "\n"


def _emit(text: str, output: str | None) -> None:
    if output:
        with open(output, "a", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="status_summary.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("status", nargs="?", default="site/status.json", help="the build's status.json")
    parser.add_argument("--changed", help="file listing the changed paths, one per line ('-': standard input)")
    parser.add_argument("--output", help="append the Markdown to this file instead of printing it")
    parser.add_argument("--limit", type=int, default=100, help="rows per table (default 100)")
    args = parser.parse_args(argv)
    if args.limit < 1:
        parser.error("--limit must be at least 1")
    try:
        changed = read_changed(args.changed)
    except OSError as exc:
        print(f"error: cannot read the list of changed files: {exc}", file=sys.stderr)
        return 2
    try:
        status = json.loads(Path(args.status).read_text(encoding="utf-8"))
        if not isinstance(status, dict):
            raise ValueError("expected a JSON object")
    except (OSError, ValueError) as exc:
        note = (f"## 知识库完成情况 · Knowledge-site status\n\n"
                f"没有状态报告：{args.status} 无法读取（构建未完成？）。 · No status report: {args.status} "
                f"could not be read ({exc}); did the build finish?\n")
        _emit(note, args.output)
        print(f"error: {args.status}: {exc}", file=sys.stderr)
        return 1
    _emit(summary(status, changed, args.limit), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
