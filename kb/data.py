"""The project's data files, loaded once and validated: content model, reviewers, glossary,
deliverables, check messages and interface strings. Each lives in exactly one file under data/."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from kb.schemas import load_data_file
from kb.settings import Settings, SettingsError

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load_yaml(path: Path) -> Any:
    """A data file, parsed once with a safe loader (libyaml when available) and validated against
    its schema in kb/schemas.py when it has one: a mistake is a SettingsError naming file and line."""
    return load_data_file(path)


def _require(cond: bool, path: Path, what: str) -> None:
    if not cond:
        raise SettingsError(f"{path}: {what}")


@dataclass(frozen=True)
class TypeSpec:
    name: str
    label: dict[str, str]
    required_sections: tuple[str, ...]
    required_any_section: tuple[str, ...] = ()
    required_fields: tuple[str, ...] = ()
    search_boost: float | None = None


@dataclass(frozen=True)
class ContentModel:
    fields: dict[str, dict]
    types: dict[str, TypeSpec]
    tracks: dict[str, dict[str, str]]
    review_statuses: dict[str, dict[str, str]]
    hash_length: int
    event: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> ContentModel:
        raw = load_yaml(path)
        _require(isinstance(raw, dict), path, "expected a mapping")
        for key in ("fields", "types", "tracks", "review_statuses", "event"):
            _require(isinstance(raw.get(key), dict), path, f"'{key}' must be a mapping")
        types = {}
        for name, spec in raw["types"].items():
            _require(isinstance(spec, dict), path, f"types.{name} must be a mapping")
            types[name] = TypeSpec(
                name=name,
                label=spec.get("label", {}),
                required_sections=tuple(spec.get("required_sections") or ()),
                required_any_section=tuple(spec.get("required_any_section") or ()),
                required_fields=tuple(spec.get("required_fields") or ()),
                search_boost=spec.get("search_boost"),
            )
        return cls(
            fields=raw["fields"],
            types=types,
            tracks=raw["tracks"],
            review_statuses=raw["review_statuses"],
            hash_length=int(raw.get("translation", {}).get("hash_length", 12)),
            event=raw["event"],
        )


@dataclass(frozen=True)
class GlossaryTerm:
    id: str
    zh: str
    en: str
    zh_aliases: tuple[str, ...]
    en_aliases: tuple[str, ...]
    track: str
    definition: dict[str, str]
    source: str = ""
    checked: bool = True  # False: a general word whose translation varies; not checked for term-mismatch
    # Per language: longer phrases that contain a form of the term but name something else
    # ("total mercury use" is not "total mercury"); term-mismatch does not count them as the term.
    excluding: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def forms(self, lang: str) -> tuple[str, ...]:
        """Every accepted written form of the term in *lang*, longest first."""
        main = self.zh if lang == "zh" else self.en
        aliases = self.zh_aliases if lang == "zh" else self.en_aliases
        return tuple(sorted({main, *aliases}, key=len, reverse=True))

    def term(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def load_glossary(path: Path) -> list[GlossaryTerm]:
    raw = load_yaml(path) or []
    _require(isinstance(raw, list), path, "expected a list of terms")
    terms: list[GlossaryTerm] = []
    seen: dict[str, str] = {}
    for i, item in enumerate(raw, 1):
        where = f"entry {i}"
        _require(isinstance(item, dict), path, f"{where}: expected a mapping")
        for key in ("id", "zh", "en"):
            _require(isinstance(item.get(key), str) and item[key].strip(), path, f"{where}: '{key}' is required")
        _require(bool(ID_RE.match(item["id"])), path, f"{where}: id '{item['id']}' must be lowercase ascii with hyphens")
        for key in (f"id:{item['id']}", f"zh:{item['zh']}", f"en:{item['en'].lower()}"):
            _require(key not in seen, path, f"{where}: duplicate {key} (also {seen.get(key)})")
            seen[key] = where
        definition = item.get("definition") or {}
        _require(isinstance(definition, dict), path, f"{where}: 'definition' must be a mapping of zh/en")
        excluding = item.get("excluding") or {}  # validated by kb/schemas.py TermModel
        terms.append(
            GlossaryTerm(
                id=item["id"],
                zh=item["zh"].strip(),
                en=item["en"].strip(),
                zh_aliases=tuple(str(a) for a in item.get("zh_aliases") or ()),
                en_aliases=tuple(str(a) for a in item.get("en_aliases") or ()),
                track=str(item.get("track", "general")),
                definition={k: str(v) for k, v in definition.items()},
                source=str(item.get("source") or ""),
                checked=item.get("check", True) is not False,
                excluding={lang: tuple(s.strip() for s in v) for lang, v in excluding.items()},
            )
        )
    return terms


@dataclass(frozen=True)
class Deliverable:
    id: str
    programme: str
    title: dict[str, str]
    source: str
    due: dt.date | None
    languages: tuple[str, ...]
    pages: tuple[str, ...]
    events: dict[str, Any] | None
    min_pages: int


def load_deliverables(path: Path) -> list[Deliverable]:
    raw = load_yaml(path) or {}
    _require(isinstance(raw, dict) and isinstance(raw.get("deliverables"), list), path, "expected 'deliverables:' with a list")
    out: list[Deliverable] = []
    for i, item in enumerate(raw["deliverables"], 1):
        where = f"deliverable {i}"
        _require(isinstance(item, dict), path, f"{where}: expected a mapping")
        _require(isinstance(item.get("id"), str) and ID_RE.match(item["id"]) is not None, path, f"{where}: 'id' is required (lowercase ascii)")
        due = item.get("due")
        _require(due is None or isinstance(due, dt.date), path, f"{where} ({item['id']}): 'due' must be a date YYYY-MM-DD")
        pages = item.get("pages") or []
        _require(isinstance(pages, list), path, f"{where} ({item['id']}): 'pages' must be a list")
        events = item.get("events")
        _require(events is None or isinstance(events, dict), path, f"{where} ({item['id']}): 'events' must be a mapping")
        out.append(
            Deliverable(
                id=item["id"],
                programme=str(item.get("programme", "general")),
                title=item.get("title") or {},
                source=str(item.get("source") or ""),
                due=due,
                languages=tuple(item.get("languages") or ("zh", "en")),
                pages=tuple(pages),
                events=events,
                min_pages=int(item.get("min_pages", len(pages))),
            )
        )
    return out


@dataclass(frozen=True)
class Limits:
    """data/limits.yml: what any page may be before it is parsed or rendered."""

    page_bytes: int = 300_000
    line_chars: int = 5_000
    block_chars: int = 20_000
    block_markup: int = 300
    page_markup: int = 4_000
    nesting: int = 24

    @classmethod
    def load(cls, path: Path) -> Limits:
        if not path.exists():
            return cls()
        raw = load_yaml(path) or {}
        _require(isinstance(raw, dict), path, "expected a mapping of limit -> number")
        known = set(cls.__dataclass_fields__)
        for key, value in raw.items():
            _require(key in known, path, f"unknown limit {key} (known: {', '.join(sorted(known))})")
            _require(isinstance(value, int) and not isinstance(value, bool) and value > 0, path,
                     f"{key} must be a positive whole number")
        return cls(**raw)


@dataclass(frozen=True)
class Message:
    severity: str
    text: dict[str, str]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: dict[str, str]
    messages: dict[str, Message]


def load_rules(path: Path) -> dict[str, Rule]:
    raw = load_yaml(path)
    _require(isinstance(raw, dict), path, "expected a mapping of rule ids")
    rules: dict[str, Rule] = {}
    for rule_id, spec in raw.items():
        _require(isinstance(spec, dict) and isinstance(spec.get("messages"), dict), path, f"{rule_id}: needs 'messages'")
        severity = spec.get("severity", "error")
        msgs = {}
        for key, m in spec["messages"].items():
            _require(isinstance(m, dict) and "zh" in m and "en" in m, path, f"{rule_id}.{key}: needs zh and en")
            msgs[key] = Message(severity=m.get("severity", severity), text={"zh": m["zh"], "en": m["en"]})
        rules[rule_id] = Rule(id=rule_id, severity=severity, title=spec.get("title", {}), messages=msgs)
    return rules


@dataclass
class ProjectData:
    """Everything under data/, loaded lazily and once."""

    settings: Settings
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        """A value derived from the data (compiled glossary patterns…), made once and kept with the
        data it came from: reloaded data gets fresh values."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def _path(self, name: str) -> Path:
        return self.settings.data_path / name

    @cached_property
    def model(self) -> ContentModel:
        return ContentModel.load(self._path("content-model.yml"))

    @cached_property
    def reviewers(self) -> dict[str, Any]:
        path = self._path("reviewers.yml")
        raw = load_yaml(path)
        _require(isinstance(raw, dict) and isinstance(raw.get("tracks"), dict), path, "needs 'tracks:'")
        _require(isinstance(raw.get("organisations"), dict), path, "needs 'organisations:'")
        for track, orgs in raw["tracks"].items():
            for org in orgs:
                _require(org in raw["organisations"], path, f"tracks.{track}: unknown organisation {org}")
        # who may change the allowed-signers files, and the trust root (kb/signers.py)
        managers = raw.get("signers_managed_by") or []
        managers = [managers] if isinstance(managers, str) else managers
        _require(isinstance(managers, list) and all(m in raw["organisations"] for m in managers), path,
                 "signers_managed_by: a list of organisation ids of organisations:")
        root = raw.get("signers_root")
        _require(root in (None, "") or (isinstance(root, str) and re.fullmatch(r"[0-9a-fA-F]{40}", root.strip()) is not None),
                 path, "signers_root: the full 40-character hash of the trust root commit, or empty")
        signers_dir = f"{self.settings.data_dir}/signers/".replace("\\", "/").lstrip("./")
        for org, spec in raw["organisations"].items():
            rel = spec.get("signers") if isinstance(spec, dict) else None
            _require(rel is None or (isinstance(rel, str) and rel.strip().startswith(signers_dir)), path,
                     f"organisations.{org}.signers: a file under {signers_dir} (its history is verified there)")
        return raw

    @cached_property
    def glossary(self) -> list[GlossaryTerm]:
        return load_glossary(self._path("glossary.yml"))

    @cached_property
    def deliverables(self) -> list[Deliverable]:
        return load_deliverables(self._path("deliverables.yml"))

    @cached_property
    def rules(self) -> dict[str, Rule]:
        return load_rules(self._path("messages.yml"))

    @cached_property
    def limits(self) -> Limits:
        return Limits.load(self._path("limits.yml"))

    @cached_property
    def ui(self) -> dict[str, dict[str, str]]:
        path = self._path("ui.yml")
        raw = load_yaml(path)
        _require(isinstance(raw, dict), path, "expected a mapping of language -> strings")
        return raw

    def validate(self) -> None:
        """Load every data file now and report all their mistakes at once (SettingsError, one
        ``file:line: where: what`` per line), instead of failing on the first one used."""
        problems: list[str] = []
        for name in ("model", "reviewers", "glossary", "deliverables", "rules", "ui"):
            try:
                getattr(self, name)
            except SettingsError as exc:
                problems.append(str(exc))
        sections = self._path("sections.yml")
        if sections.exists():
            try:
                load_yaml(sections)
            except SettingsError as exc:
                problems.append(str(exc))
        if not problems:
            tracks = set(self.model.tracks)
            for term in self.glossary:
                if term.track not in tracks:
                    problems.append(f"{self._path('glossary.yml')}: term {term.id}: unknown track {term.track} "
                                    f"(tracks are {', '.join(sorted(tracks))}, in content-model.yml)")
        if problems:
            raise SettingsError("\n".join(problems))

    def required_reviewers(self, track: str) -> list[str]:
        return list(self.reviewers["tracks"].get(track, []))
