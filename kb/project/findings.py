"""Findings and their messages. Checks return findings that name a rule, a message key and
parameters; the wording (Chinese and English) and the severity live in data/messages.yml."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from kb.project.data import Rule
from kb.project.policy import SAFETY_RULES

SEVERITIES = ("error", "warning", "info")


class Localised(dict):
    """A finding parameter worded in each language ({"zh": …, "en": …}, e.g. a deliverable's
    title): each language's message gets its own wording, so a Chinese message does not quote
    English text. JSON and text output (``str``) keep the English wording, as before."""

    def __str__(self) -> str:
        return str(self.get("en") or next(iter(self.values()), ""))

    def in_lang(self, lang: str) -> str:
        return str(self.get(lang) or self)


@dataclass(frozen=True)
class Finding:
    rule: str
    code: str
    path: str
    line: int
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    severity: str = ""
    message: str = ""
    # a translation pair's finding: both pages' paths (it lands on the one to change; checking either
    # page shows it)
    pair: tuple[str, ...] = field(default=(), compare=False, hash=False)
    detail: str = field(default="", compare=False, hash=False)  # more lines for text output (a source diff)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["params"] = {k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v) for k, v in self.params.items()}
        return data


class UnknownMessage(KeyError):
    pass


class Catalog:
    """Renders findings in one language from the rule catalogue."""

    def __init__(self, rules: dict[str, Rule], lang: str) -> None:
        self.rules = rules
        self.lang = lang if lang in ("zh", "en") else "en"

    def resolve(self, finding: Finding, release: bool = False) -> Finding:
        rule = self.rules.get(finding.rule)
        if rule is None or finding.code not in rule.messages:
            raise UnknownMessage(f"no message {finding.rule}.{finding.code} in data/messages.yml")
        msg = rule.messages[finding.code]
        try:
            params = {k: v.in_lang(self.lang) if isinstance(v, Localised) else v for k, v in finding.params.items()}
            text = msg.in_lang(self.lang).format(**params)
        except (KeyError, IndexError) as exc:
            raise UnknownMessage(f"message {finding.rule}.{finding.code} uses a missing parameter {exc}") from None
        # a check may set a severity; the data file's never lowers a safety rule (kb.project.policy)
        severity = finding.severity or ("error" if finding.rule in SAFETY_RULES else msg.severity)
        return replace(finding, severity=severity, message=text.strip())

    def title(self, rule_id: str) -> str:
        rule = self.rules.get(rule_id)
        return rule.title.in_lang(self.lang) if rule else rule_id


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: (f.path, f.line, order.get(f.severity, 9), f.rule, f.message))


# --- output formats -------------------------------------------------------------------------------
def format_text(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        lines.append(f"{f.path}:{f.line}: {f.rule}: {f.severity}: {f.message}")
        lines += [f"    {line}" for line in f.detail.splitlines()]
    return "\n".join(lines)


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(findings: list[Finding]) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in findings:
        title = _gh_escape(f.rule, prop=True)
        lines.append(
            f"::{level.get(f.severity, 'notice')} file={_gh_escape(f.path, True)},line={f.line},title={title}::{_gh_escape(f.message)}"
        )
    return "\n".join(lines)


def format_json(findings: list[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2)
