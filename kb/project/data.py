"""The project's data files, loaded once and validated: content model, reviewers, glossary,
deliverables, check messages and interface strings. Each lives in exactly one file under data/.
The glossary, deliverables, messages and interface strings are their schema's models
(kb/project/schemas.py), re-exported here for their readers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from kb.project.policy import SAFETY_RULES
from kb.project.schemas import (
    ChoiceQuestion,
    Deliverable,
    DeliverablesFile,
    Glossary,
    GlossaryTerm,
    QuestionBankFile,
    Rule,
    Rules,
    ShortQuestion,
    UiFile,
    load_data_file,
    load_record,
    load_yaml_lines,
    validate,
)
from kb.project.settings import Settings, SettingsError


def load_yaml(path: Path) -> Any:
    """A data file, parsed once with a safe loader (libyaml when available) and validated against
    its schema in kb/project/schemas.py when it has one: a mistake is a SettingsError naming file and line."""
    return load_data_file(path)


def first_lines(path: Path, pattern: str) -> dict[str, int]:
    """The 1-based line where each name *pattern* captures first appears in a data file: where a
    finding about a deliverable or a programme's thresholds points."""
    lines: dict[str, int] = {}
    if path.exists():
        compiled = re.compile(pattern)
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            m = compiled.match(line)
            if m:
                lines.setdefault(m.group(1), number)
    return lines


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
    video: dict[str, Any] = field(default_factory=dict)  # the video block of a video page

    @property
    def shown_fields(self) -> tuple[str, ...]:
        """The front-matter fields marked ``shown: true``: what readers see or the print shows (an
        approval covers them, kb/content/digest.py)."""
        return tuple(sorted(name for name, spec in self.fields.items() if isinstance(spec, dict) and spec.get("shown")))

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
            video=raw.get("video") or {},
        )


def load_glossary(path: Path) -> list[GlossaryTerm]:
    return load_record(path, Glossary)


def glossary_terms(raw: Any, path: Path) -> list[GlossaryTerm]:
    """The terms of a parsed glossary file (SettingsError naming *path* when one is not valid): also
    used on the file as committed at an earlier commit (kb/trust/approvals.py; its lines are not kept)."""
    return validate(path, raw, {}, Glossary)


def load_deliverables(path: Path) -> list[Deliverable]:
    return load_record(path, DeliverablesFile).deliverables


@dataclass(frozen=True)
class Limits:
    """data/limits.yml: what any page may be before it is parsed or rendered."""

    page_bytes: int = 300_000
    line_chars: int = 5_000
    block_chars: int = 20_000
    block_markup: int = 300
    page_markup: int = 4_000
    nesting: int = 24
    # figures drawn from DOT (kb.content.dotfigures): the source, its nodes and edges, dot's time
    figure_bytes: int = 16_000
    figure_nodes: int = 120
    figure_edges: int = 240
    figure_seconds: int = 10
    # levels of raw HTML elements open at once (<div> inside <div>…; one never closed stays open). WeasyPrint
    # 70 overflows Python's stack at 136-140 nested <div>s in a bare document; 40, with 24 levels of lists
    # (48 elements) and the manual's own wrapping, stays well below (tests/test_nesting.py builds it).
    html_nesting: int = 40

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
            # the defaults are what the renderers were measured to survive: a data file (a pull
            # request) may tighten a limit, never widen it
            ceiling = cls.__dataclass_fields__[key].default
            _require(value <= ceiling, path, f"{key} may only be lowered (at most {ceiling}): the limits protect the "
                                             f"build and are not raised by a data file")
        return cls(**raw)


@dataclass(frozen=True)
class EventLimits:
    """What a held event of one kind in one programme is held to (data/event-thresholds.yml)."""

    programme: str
    kind: str
    participants_min: int | None = None
    participants_max: int | None = None
    duration_hours_min: float | None = None
    viewers_min: int | None = None
    experts_min: int | None = None
    requires_section: str | None = None
    record_sections: tuple[str, ...] = ()
    duration_minutes_min: float | None = None
    duration_minutes_max: float | None = None
    width_min: int | None = None
    height_min: int | None = None
    combined_count: int | None = None        # once this many are held ...
    combined_viewers_min: int | None = None  # ... their viewers together reach this
    per_year_min: int | None = None          # held events dated in each year from..to
    per_year_from: int | None = None
    per_year_to: int | None = None


_LIMIT_NUMBERS = ("participants_min", "participants_max", "duration_hours_min", "viewers_min", "experts_min",
                  "duration_minutes_min", "duration_minutes_max", "width_min", "height_min")


def load_event_thresholds(path: Path, kinds: list[str] | None = None) -> dict[tuple[str, str], EventLimits]:
    """(programme, kind) -> EventLimits. Unknown keys are refused: a misspelt threshold must not
    silently stop being checked."""
    raw = load_yaml(path) or {}
    _require(isinstance(raw, dict), path, "expected programme -> kind -> thresholds")
    known = set(_LIMIT_NUMBERS) | {"requires_section", "record_sections", "combined", "per_year"}
    out: dict[tuple[str, str], EventLimits] = {}
    for programme, per_kind in raw.items():
        _require(isinstance(per_kind, dict), path, f"{programme}: expected a mapping of event kinds")
        for kind, spec in per_kind.items():
            if kind == "source":
                continue
            where = f"{programme}.{kind}"
            _require(kinds is None or kind in kinds, path, f"{where}: unknown event kind (known: {', '.join(kinds or [])})")
            _require(isinstance(spec, dict), path, f"{where}: expected a mapping of thresholds")
            unknown = sorted(set(spec) - known)
            _require(not unknown, path, f"{where}: unknown threshold(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
            values: dict[str, Any] = {}
            for key in _LIMIT_NUMBERS:
                if spec.get(key) is not None:
                    _require(isinstance(spec[key], (int, float)) and not isinstance(spec[key], bool), path,
                             f"{where}.{key}: expected a number")
                    values[key] = spec[key]
            sections = spec.get("record_sections") or []
            _require(isinstance(sections, list), path, f"{where}.record_sections: expected a list of heading ids")
            combined = spec.get("combined") or {}
            per_year = spec.get("per_year") or {}
            _require(isinstance(combined, dict) and isinstance(per_year, dict), path,
                     f"{where}: combined and per_year must be mappings")
            if per_year:
                _require(all(isinstance(per_year.get(k), int) for k in ("min", "from", "to")), path,
                         f"{where}.per_year: needs min, from and to (integers)")
            if combined:
                _require(all(isinstance(combined.get(k), int) for k in ("count", "viewers_min")), path,
                         f"{where}.combined: needs count and viewers_min (integers)")
            out[(str(programme), str(kind))] = EventLimits(
                programme=str(programme), kind=str(kind), **values,
                requires_section=spec.get("requires_section"), record_sections=tuple(map(str, sections)),
                combined_count=combined.get("count"), combined_viewers_min=combined.get("viewers_min"),
                per_year_min=per_year.get("min"), per_year_from=per_year.get("from"), per_year_to=per_year.get("to"),
            )
    return out


@dataclass(frozen=True)
class MediaSettings:
    """Where video files live and what subtitles are held to (data/media.yml)."""

    path: Path                     # folder of the video files, inside the project (absolute path)
    url: str | None                # base URL pages load videos from; None: the site's own media/ folder
    max_line_chars: dict[str, int]
    max_lines: int
    end_margin_seconds: float



def load_media(path: Path, root: Path) -> MediaSettings:
    raw = load_yaml(path) or {}
    _require(isinstance(raw, dict), path, "expected a mapping (path, url, subtitles)")
    where = raw.get("path") or "media"
    _require(isinstance(where, str), path, "'path' must be a directory name")
    url = raw.get("url")
    _require(url is None or (isinstance(url, str) and url.strip()), path, "'url' must be a base URL or null")
    subs = raw.get("subtitles") or {}
    _require(isinstance(subs, dict), path, "'subtitles' must be a mapping")
    chars = subs.get("max_line_chars") or {}
    _require(isinstance(chars, dict) and all(isinstance(v, int) and v > 0 for v in chars.values()), path,
             "subtitles.max_line_chars: language -> a positive integer")
    for key in ("max_lines", "end_margin_seconds"):
        _require(isinstance(subs.get(key, 1), (int, float)) and subs.get(key, 1) >= 0, path, f"subtitles.{key}: a number")
    base = Path(where) if Path(where).is_absolute() else root / where
    # the build copies the video files named by pages from here into the site: never from outside the project
    _require(root.resolve() in base.resolve().parents, path,
             f"'path' must be a folder inside the project, not {where} (the build copies its files into the site)")
    return MediaSettings(
        path=base, url=url, max_line_chars={str(k): v for k, v in chars.items()},
        max_lines=int(subs.get("max_lines", 2)), end_margin_seconds=float(subs.get("end_margin_seconds", 30)),
    )


QUESTIONS_DIR = "questions"  # data/questions/<module page path under docs/<lang>/, .yml for .md>


@dataclass(frozen=True)
class QuestionBank:
    """The knowledge-test questions of one module (data/questions/…), in both languages, with answers:
    printed on the test sheets (questions) and the trainer's answer key, never on the website."""

    module: str                                    # the module page's path under docs/<lang>/
    path: Path                                     # the data file
    questions: tuple[ChoiceQuestion | ShortQuestion, ...]

    @property
    def points(self) -> int:
        return sum(q.points for q in self.questions)


def load_question_banks(folder: Path) -> dict[str, QuestionBank]:
    """Every question bank under *folder*, by module page path; every file's mistakes at once
    (SettingsError, ``file:line: where: what``)."""
    banks: dict[str, QuestionBank] = {}
    problems: list[str] = []
    if not folder.is_dir():
        return banks
    for path in sorted(folder.rglob("*.yml")):
        try:
            raw, lines = load_yaml_lines(path)
            bank = validate(path, raw, lines, QuestionBankFile)
        except SettingsError as exc:
            problems.append(str(exc))
            continue
        module = path.relative_to(folder).with_suffix(".md").as_posix()
        banks[module] = QuestionBank(module, path, tuple(bank.questions))
    if problems:
        raise SettingsError("\n".join(problems))
    return banks


def load_rules(path: Path) -> dict[str, Rule]:
    return load_record(path, Rules)


def _line_in_block(path: Path, key: str, needle: str) -> int:
    """The line of the first *needle* inside the top-level block *key* of a YAML file (the block's own
    line when the needle is not there; 1 when neither is)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"{key}:"), None)
    if start is None:
        return 1
    for i in range(start + 1, len(lines)):
        if lines[i] and not lines[i][0].isspace() and not lines[i].startswith("#"):
            break
        if lines[i].strip().startswith(needle):
            return i + 1
    return start + 1


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
        # who may change the allowed-signers files, and the trust root (kb/trust/signers.py)
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
    def event_thresholds(self) -> dict[tuple[str, str], EventLimits]:
        return load_event_thresholds(self._path("event-thresholds.yml"), list(self.model.event.get("kinds", [])))

    def event_limits(self, programme: str | None, kind: str | None) -> EventLimits:
        """The thresholds of a *kind* of event in a *programme* (none: an empty EventLimits)."""
        return self.event_thresholds.get((str(programme), str(kind)), EventLimits(str(programme), str(kind)))

    @cached_property
    def media(self) -> MediaSettings:
        return load_media(self._path("media.yml"), self.settings.root)

    @cached_property
    def rules(self) -> dict[str, Rule]:
        return load_rules(self._path("messages.yml"))

    @cached_property
    def limits(self) -> Limits:
        return Limits.load(self._path("limits.yml"))

    @cached_property
    def question_banks(self) -> dict[str, QuestionBank]:
        """The modules' knowledge-test question banks, by module page path (mercury/modules/02-x.md)."""
        return load_question_banks(self._path(QUESTIONS_DIR))

    @cached_property
    def ui(self) -> UiFile:
        return load_record(self._path("ui.yml"), UiFile)

    def validate(self) -> None:
        """Load every data file now and report all their mistakes at once (SettingsError, one
        ``file:line: where: what`` per line), instead of failing on the first one used."""
        problems: list[str] = []
        for name in ("model", "reviewers", "glossary", "deliverables", "rules", "ui", "media", "limits", "question_banks"):
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
            problems += self._trust_problems(tracks)
        if problems:
            raise SettingsError("\n".join(problems))

    def _trust_problems(self, tracks: set[str]) -> list[str]:
        """Settings that would widen what is published or weaken who must approve it: a safety rule
        whose severity the messages file lowers (it would be ignored: say so), a track nobody reviews."""
        problems = []
        messages = self._path("messages.yml")
        for rule_id in sorted(SAFETY_RULES & set(self.rules)):
            rule = self.rules[rule_id]
            lowered = rule.severity != "error" or any(m.severity != "error" for m in rule.messages.values())
            if lowered:
                problems.append(f"{messages}:{_line_in_block(messages, rule_id, 'severity:')}: {rule_id}.severity: "
                                f"a safety rule is always an error (kb/project/policy.py); remove the severity line")
        reviewers = self._path("reviewers.yml")
        assigned = self.reviewers.get("tracks") or {}
        for track in sorted(tracks):
            if not assigned.get(track):
                problems.append(f"{reviewers}:{_line_in_block(reviewers, 'tracks', f'{track}:')}: tracks.{track}: "
                                f"no organisation reviews this track: list at least one of "
                                f"{', '.join(sorted(self.reviewers.get('organisations') or {}))}")
        return problems

    def required_reviewers(self, track: str) -> list[str]:
        return list(self.reviewers["tracks"].get(track, []))
