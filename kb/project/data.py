"""The project's data files, each read once from its one file under data/ and validated into its
record: the schema's model in kb/project/schemas.py (content model, reviewers, glossary,
deliverables, check messages, interface strings, limits, event thresholds, media, forms, gender
targets, sections, question banks). ProjectData loads each when first read; validate() reads them all
and reports every mistake at once."""

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
    ContentModel,
    Deliverable,
    DeliverablesFile,
    EventLimits,
    EventThresholdsFile,
    Forms,
    GenderTargets,
    Glossary,
    GlossaryTerm,
    Limits,
    MediaSettings,
    QuestionBankFile,
    Reviewers,
    Rule,
    Rules,
    Sections,
    ShortQuestion,
    UiFile,
    load_record,
    validate,
)
from kb.project.settings import Settings, SettingsError


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


def load_glossary(path: Path, tracks: list[str] | None = None) -> list[GlossaryTerm]:
    """The terms of data/glossary.yml; with *tracks*, a term of another track is refused."""
    return load_record(path, Glossary, context=None if tracks is None else {"tracks": tracks})


def glossary_terms(raw: Any, path: Path) -> list[GlossaryTerm]:
    """The terms of a parsed glossary file (SettingsError naming *path* when one is not valid): also
    used on the file as committed at an earlier commit (kb/trust/approvals.py; its lines are not kept)."""
    return validate(path, raw, {}, Glossary)


def load_deliverables(path: Path) -> list[Deliverable]:
    return load_record(path, DeliverablesFile).deliverables


def load_event_thresholds(path: Path, kinds: list[str] | None = None) -> dict[tuple[str, str], EventLimits]:
    """(programme, kind) -> EventLimits. Unknown kinds (when *kinds* is given) and unknown thresholds are
    refused: a misspelt one must not silently stop being checked."""
    context = None if kinds is None else {"event_kinds": list(kinds)}
    return load_record(path, EventThresholdsFile, context).by_programme_and_kind()


NO_EVENT_LIMITS = EventLimits()  # a kind of event its programme sets no thresholds for: nothing is checked


def load_media(path: Path, root: Path) -> MediaSettings:
    """data/media.yml, its folder resolved against the project *root* (and refused outside it)."""
    return load_record(path, MediaSettings, {"project_root": root})


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
            bank = load_record(path, QuestionBankFile)
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
        return load_record(self._path("content-model.yml"), ContentModel)

    @cached_property
    def gender_targets(self) -> GenderTargets:
        path = self._path("gender-targets.yml")
        return load_record(path, GenderTargets) if path.exists() else GenderTargets()

    @cached_property
    def forms(self) -> Forms:
        return load_record(self._path("forms.yml"), Forms)

    @cached_property
    def reviewers(self) -> Reviewers:
        signers_dir = f"{self.settings.data_dir}/signers/".replace("\\", "/").lstrip("./")
        return load_record(self._path("reviewers.yml"), Reviewers, context={"signers_dir": signers_dir})

    @cached_property
    def glossary(self) -> list[GlossaryTerm]:
        return load_glossary(self._path("glossary.yml"), list(self.model.tracks))

    @cached_property
    def deliverables(self) -> list[Deliverable]:
        return load_deliverables(self._path("deliverables.yml"))

    @cached_property
    def event_thresholds(self) -> dict[tuple[str, str], EventLimits]:
        return load_event_thresholds(self._path("event-thresholds.yml"), list(self.model.event.kinds))

    def event_limits(self, programme: str | None, kind: str | None) -> EventLimits:
        """The thresholds of a *kind* of event in a *programme* (none: an empty EventLimits)."""
        return self.event_thresholds.get((str(programme), str(kind)), NO_EVENT_LIMITS)

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
    def sections(self) -> Sections:
        """The section headings and the sections a new page starts with (./scripts/new)."""
        return load_record(self._path("sections.yml"), Sections)

    @cached_property
    def ui(self) -> UiFile:
        return load_record(self._path("ui.yml"), UiFile)

    def validate(self) -> None:
        """Load every data file now and report all their mistakes at once (SettingsError, one
        ``file:line: where: what`` per line), instead of failing on the first one used."""
        problems: list[str] = []
        # the event thresholds need the content model's kinds: a broken content model is then reported twice, once kept
        names = ["model", "reviewers", "forms", "gender_targets", "glossary", "deliverables", "rules", "ui", "media",
                 "limits", "event_thresholds", "question_banks"]
        if self._path("sections.yml").exists():  # read only by ./scripts/new
            names.append("sections")
        for name in names:
            try:
                getattr(self, name)
            except SettingsError as exc:
                problems.append(str(exc))
        if not problems:
            problems += self._trust_problems(set(self.model.tracks))
        if problems:
            raise SettingsError("\n".join(dict.fromkeys(problems)))

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
        for track in sorted(tracks):
            if not self.reviewers.required(track):
                problems.append(f"{reviewers}:{_line_in_block(reviewers, 'tracks', f'{track}:')}: tracks.{track}: "
                                f"no organisation reviews this track: list at least one of "
                                f"{', '.join(sorted(self.reviewers.organisations))}")
        return problems

    def required_reviewers(self, track: str) -> list[str]:
        return self.reviewers.required(track)
