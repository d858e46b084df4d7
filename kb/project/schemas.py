"""Schemas of the data files under data/ (pydantic v2), and a YAML loader that keeps the line of
every value so that a mistake is reported as ``data/<file>.yml:<line>: <where>: <what>``.

A model is the record the project reads, loaded with :func:`load_record`: the file is validated once,
into what the rest of the project reads (ContentModel, Reviewers, GlossaryTerm, Deliverable, Rule, UiFile,
Limits, EventLimits, MediaSettings, Forms, GenderTargets, Sections). Files that other parts of the project
add later are not known here and are not validated."""

from __future__ import annotations

import datetime as dt
import math
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    RootModel,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from kb.project.settings import SettingsError
from kb.project.templating import UiText

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
RecordT = TypeVar("RecordT")

Kind = Literal["str", "int", "number", "bool", "date", "mapping", "list", "any"]
Severity = Literal["error", "warning", "info"]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Text = Annotated[str, Field(min_length=1)]
Lang = Literal["zh", "en"]


def _yaml_list(value: Any) -> Any:
    """A YAML list as a tuple, so that the frozen record stays unchanged; anything else is refused as
    the file's author knows it (a list, not a tuple)."""
    if isinstance(value, list | tuple):
        return tuple(value)
    raise PydanticCustomError("list_type", "Input should be a valid list")


Texts = Annotated[tuple[Text, ...], BeforeValidator(_yaml_list)]


class Closed(BaseModel):
    """A mapping whose keys are all known: a misspelt key is refused, not ignored."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class LangText(Closed):
    zh: str
    en: str

    def in_lang(self, lang: str) -> str:
        """The text in *lang* (zh or en)."""
        return self.zh if lang == "zh" else self.en


# --- content-model.yml ----------------------------------------------------------------------------
class FieldSpec(Closed):
    kind: Kind = "any"
    required: bool = False
    shown: bool = False  # the page or the printed material shows it: an approval covers it


class TypeSpec(Closed):
    name: str = ""  # the type's id: its key in the file's `types:`
    label: LangText
    required_sections: list[Id] = []
    required_any_section: list[Id] = []
    required_fields: list[str] = []
    search_boost: float | None = None


class TranslationSpec(Closed):
    hash_length: Annotated[int, Field(ge=6, le=64)] = 12


class Thresholds(Closed):
    participants_min: Annotated[int, Field(ge=0)] | None = None
    participants_max: Annotated[int, Field(ge=0)] | None = None
    duration_hours_min: Annotated[float, Field(ge=0)] | None = None
    viewers_min: Annotated[int, Field(ge=0)] | None = None
    experts_min: Annotated[int, Field(ge=0)] | None = None
    requires_section: Id | None = None


class EventSpec(Closed):
    kinds: list[Id]
    statuses: list[Id]
    fields: dict[str, FieldSpec]
    gap_fields: dict[str, list[str]] = {}
    thresholds: dict[str, Thresholds] = {}

    @model_validator(mode="after")
    def _known_kinds(self) -> EventSpec:
        for where in (self.gap_fields, self.thresholds):
            unknown = sorted(set(where) - set(self.kinds))
            if unknown:
                raise ValueError(f"unknown event kind(s) {', '.join(unknown)}; kinds are {', '.join(self.kinds)}")
        return self


class VideoSpec(Closed):
    fields: dict[str, FieldSpec]
    gap_fields: list[str] = []


class ContentModel(Closed):
    """data/content-model.yml: the page types, their fields and sections, the tracks, the review
    statuses, what an event and a video page record."""

    languages: list[Literal["zh", "en"]]
    fields: dict[str, FieldSpec]
    types: dict[Id, TypeSpec]
    tracks: dict[Id, LangText]
    review_statuses: dict[Id, LangText]
    translation: TranslationSpec = TranslationSpec()
    event: EventSpec
    video: VideoSpec = VideoSpec(fields={})

    @model_validator(mode="before")
    @classmethod
    def _type_names(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("types"), dict):
            types = {name: {**spec, "name": name} if isinstance(spec, dict) else spec for name, spec in data["types"].items()}
            return {**data, "types": types}
        return data

    @property
    def hash_length(self) -> int:
        """Hex digits of a source hash recorded in a translation's stamp."""
        return self.translation.hash_length

    @property
    def shown_fields(self) -> tuple[str, ...]:
        """The front-matter fields marked ``shown: true``: what readers see or the print shows (an
        approval covers them, kb/content/digest.py)."""
        return tuple(sorted(name for name, spec in self.fields.items() if spec.shown))

    def track_label(self, track: str | None, lang: str) -> str | None:
        """A track's name in *lang*; None for a track the model does not declare."""
        label = self.tracks.get(track or "")
        return label.in_lang(lang) if label is not None else None


# --- front-matter blocks: a module's lesson, a training's session plan ---------------------------------------
Minutes = Annotated[int, Field(gt=0)]
CLOCK_RE = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"


class LessonActivity(Closed):
    """An exercise or group activity of a module: how long it takes and which objectives it practises
    (1-based numbers of the items of the module's objectives section)."""

    id: Id
    title: Text
    kind: Literal["exercise", "activity"]
    minutes: Minutes
    practises: list[Annotated[int, Field(ge=1)]] = Field(min_length=1)


class LessonBlock(Closed):
    """A module's ``lesson:`` front matter (The Carpentries' episode: teaching time, exercises, objectives)."""

    audience: Text
    teaching_minutes: Minutes
    activities: list[LessonActivity] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> LessonBlock:
        ids = [a.id for a in self.activities]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"activity id(s) {', '.join(twice)} given more than once: each activity needs its own id")
        return self

    @property
    def minutes(self) -> int:
        """The module's length: teaching plus every activity."""
        return self.teaching_minutes + sum(a.minutes for a in self.activities)


def _clock(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads 13:30 unquoted as a base-60 number (810)
        raise ValueError(f'write the time in quotes, "HH:MM" (YAML read it as the number {value})')
    return value


class SessionBreak(Closed):
    after: Annotated[int, Field(ge=1)]  # the break follows the module of this 1-based number
    minutes: Minutes
    title: Text


class SessionPlan(Closed):
    """A training event's ``event.session``: the day's modules in order, its hours and its breaks. The
    date may be unknown (null) while the training is being planned: the agenda then shows times only."""

    date: dt.date | None = None
    start: Annotated[str, Field(pattern=CLOCK_RE)]
    end: Annotated[str, Field(pattern=CLOCK_RE)]
    modules: list[Text] = Field(min_length=1)
    breaks: list[SessionBreak] = []

    @field_validator("start", "end", mode="before")
    @classmethod
    def _quoted(cls, value: Any) -> Any:
        return _clock(value)

    @model_validator(mode="after")
    def _order(self) -> SessionPlan:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} is not after start {self.start}")
        return self


# --- glossary.yml --------------------------------------------------------------------------------------
class GlossaryTerm(Closed):
    """One term of data/glossary.yml: its written forms in both languages, its definitions and source."""

    id: Id
    zh: Text
    en: Text
    zh_aliases: Texts = ()
    en_aliases: Texts = ()
    track: Id = "general"
    definition: LangText | None = None
    source: str = ""
    # check: false, a general word whose translation varies: not checked for term-mismatch (the file's
    # key, and the constructor's, is check; "checked:" in the file is refused as an unknown key)
    checked: bool = Field(True, alias="check")
    # Per language: longer phrases that contain a form of the term but name something else
    # ("total mercury use" is not "total mercury"); term-mismatch does not count them as the term.
    excluding: dict[Lang, Texts] = {}

    @field_validator("zh", "en")
    @classmethod
    def _stripped(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("write the term (it is only spaces)")
        return value.strip()

    @field_validator("track")
    @classmethod
    def _known_track(cls, value: str, info: ValidationInfo) -> str:
        tracks = (info.context or {}).get("tracks")
        if tracks is not None and value not in tracks:
            raise ValueError(f"unknown track {value}: write one of {', '.join(tracks)} (tracks in content-model.yml)")
        return value

    @field_validator("source", mode="before")
    @classmethod
    def _no_source(cls, value: Any) -> Any:
        return "" if value is None else value  # "source:" left empty

    @field_validator("excluding")
    @classmethod
    def _phrases_stripped(cls, value: dict[Lang, tuple[str, ...]]) -> dict[Lang, tuple[str, ...]]:
        return {lang: tuple(phrase.strip() for phrase in phrases) for lang, phrases in value.items()}

    def forms(self, lang: str) -> tuple[str, ...]:
        """Every accepted written form of the term in *lang*, longest first."""
        main = self.zh if lang == "zh" else self.en
        aliases = self.zh_aliases if lang == "zh" else self.en_aliases
        return tuple(sorted({main, *aliases}, key=len, reverse=True))

    def term(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def definition_in(self, lang: str) -> str:
        """The definition in *lang* ("" when the term has none)."""
        return self.definition.in_lang(lang) if self.definition else ""


def _each_term_once(terms: list[GlossaryTerm]) -> list[GlossaryTerm]:
    """No two entries share an id, a zh term or an en term (in any case): a page's term would be two
    entries. Reported at the later entry's key."""
    problems: list[InitErrorDetails] = []
    first: dict[tuple[str, str], int] = {}
    for i, term in enumerate(terms):
        for key, value in (("id", term.id), ("zh", term.zh), ("en", term.en.lower())):
            earlier = first.setdefault((key, value), i)
            if earlier == i:
                continue
            other = terms[earlier]
            if key == "id":
                what = f"id {term.id} is also the id of entry {earlier + 1}: give each term its own id"
            else:
                case = ", in another case" if key == "en" and term.en != other.en else ""
                what = (f"{key} {term.term(key)} is also the {key} of term {other.id} (entry {earlier + 1}{case}): "
                        f"write each term once (another written form goes under {key}_aliases)")
            problems.append({"type": PydanticCustomError("duplicate_term", "{what}", {"what": what}), "loc": (i, key), "input": value})
    if problems:
        raise ValidationError.from_exception_data("glossary", problems)
    return terms


def _empty_file_no_terms(raw: Any) -> Any:
    return [] if raw is None else raw  # a glossary file with no terms yet (only comments)


Glossary = Annotated[list[GlossaryTerm], BeforeValidator(_empty_file_no_terms),
                     AfterValidator(_each_term_once)]


# --- deliverables.yml ----------------------------------------------------------------------------------
class EventRequirement(Closed):
    """The held events of a kind in a track that a deliverable needs."""

    kind: Id
    track: Id
    count: Annotated[int, Field(ge=1)]


class Deliverable(Closed):
    """One deliverable of data/deliverables.yml: its pages in its languages, the events it needs."""

    id: Id
    programme: Id = "general"
    title: LangText
    source: str = ""
    due: dt.date | None = None
    languages: Annotated[tuple[Lang, ...], BeforeValidator(_yaml_list)] = ("zh", "en")
    pages: Texts = ()
    events: EventRequirement | None = None
    min_pages: Annotated[int, Field(ge=0)]  # not given (or null): the number of pages

    @model_validator(mode="before")
    @classmethod
    def _min_pages_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("min_pages") is None:
            pages = data.get("pages")
            return {**data, "min_pages": len(pages) if isinstance(pages, list | tuple) else 0}
        return data


class DeliverablesFile(Closed):
    deliverables: list[Deliverable]


# --- questions/<track>/.../<module>.yml: knowledge-test question banks -----------------------------------
OPTION_LETTERS = "ABCDEF"


class BankText(Closed):
    zh: Text
    en: Text


class ChoiceQuestion(Closed):
    """A single-choice question: the options print as A, B, C…; *answer* is the correct one's letter."""

    id: Id
    kind: Literal["choice"]
    points: Annotated[int, Field(ge=1, le=20)]
    question: BankText
    options: Annotated[list[BankText], Field(min_length=2, max_length=len(OPTION_LETTERS))]
    answer: Annotated[str, Field(pattern=r"^[A-F]$")]

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> ChoiceQuestion:
        if OPTION_LETTERS.index(self.answer) >= len(self.options):
            raise ValueError(f"answer {self.answer} names no option: the options are "
                             f"{', '.join(OPTION_LETTERS[:len(self.options)])}")
        return self


class ShortQuestion(Closed):
    """A short-answer question: *answer* is the model answer; *lines*: room to write on the sheet."""

    id: Id
    kind: Literal["short"]
    points: Annotated[int, Field(ge=1, le=20)]
    question: BankText
    answer: BankText
    lines: Annotated[int, Field(ge=1, le=12)] = 4


Question = Annotated[ChoiceQuestion | ShortQuestion, Field(discriminator="kind")]


class QuestionBankFile(Closed):
    questions: Annotated[list[Question], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_ids(self) -> QuestionBankFile:
        ids = [q.id for q in self.questions]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"question ids must be unique in a bank: {', '.join(twice)} given twice")
        return self


# --- event.knowledge_test in an event's front matter ---------------------------------------------------
class SexResult(Closed):
    """One sex's result in one sitting of a knowledge test: how many took it, their average score."""

    tested: Annotated[int, Field(ge=0)] | None = None
    average: Annotated[float, Field(ge=0)] | None = None


class TestSitting(Closed):
    women: SexResult = SexResult()
    men: SexResult = SexResult()


class KnowledgeTestRecord(Closed):
    """The totals of a training's score sheet: the most a participant can score, the pre-test and the
    post-test by sex (never a person's score)."""

    points: Annotated[int, Field(ge=1)] | None = None  # null (or {}) until the training's test is made
    pre: TestSitting = TestSitting()
    post: TestSitting = TestSitting()

    @model_validator(mode="after")
    def _averages_within_points(self) -> KnowledgeTestRecord:
        for sitting in ("pre", "post"):
            for sex in ("women", "men"):
                result: SexResult = getattr(getattr(self, sitting), sex)
                if result.average is not None and self.points is None:
                    raise ValueError(f"{sitting}.{sex}.average is given without points (the most one can score)")
                if result.average is not None and self.points is not None and result.average > self.points:
                    raise ValueError(f"{sitting}.{sex}.average {result.average} is more than points ({self.points})")
                if result.average is not None and result.tested == 0:
                    raise ValueError(f"{sitting}.{sex}: an average with tested: 0")
        return self


# --- messages.yml ------------------------------------------------------------------------------------
def _placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError as exc:  # an unmatched { or }
        raise ValueError(f"bad placeholder in {text!r}: {exc} (write {{{{ and }}}} for literal braces)") from None


class Message(Closed):
    """One message of a rule, in both languages (its placeholders filled by the check's values)."""

    severity: Severity = "error"  # the rule's when the file gives none (Rule fills it in)
    zh: Text
    en: Text

    @model_validator(mode="after")
    def _same_placeholders(self) -> Message:
        zh, en = _placeholders(self.zh), _placeholders(self.en)
        if zh != en:
            raise ValueError(f"zh and en use different placeholders: zh {sorted(zh)}, en {sorted(en)}")
        return self

    def in_lang(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Rule(Closed):
    """One rule of data/messages.yml: its title and its messages by code."""

    id: Id  # the rule's key in the file (filled in by Rules)
    severity: Severity = "error"
    title: LangText
    messages: dict[str, Message]

    @model_validator(mode="before")
    @classmethod
    def _messages_inherit_severity(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("messages"), dict):
            severity = data.get("severity", "error")
            messages = {code: {"severity": severity, **m} if isinstance(m, dict) else m
                        for code, m in data["messages"].items()}
            return {**data, "messages": messages}
        return data


def _rule_ids(raw: Any) -> Any:
    """A rule's id is its key in the file."""
    if isinstance(raw, dict):
        return {rule_id: {**spec, "id": rule_id} if isinstance(spec, dict) and "id" not in spec else spec
                for rule_id, spec in raw.items()}
    return raw


def _ids_are_keys(rules: dict[str, Rule]) -> dict[str, Rule]:
    """An ``id:`` line in a rule may only repeat its key (a rule found by one id and named by another
    would be two rules)."""
    problems: list[InitErrorDetails] = [
        {"type": PydanticCustomError("rule_id", "{what}", {"what": f"id {rule.id} is not the rule's key {rule_id}: "
                                                                  "remove the id line (the key is the id)"}),
         "loc": (rule_id, "id"), "input": rule.id}
        for rule_id, rule in rules.items() if rule.id != rule_id]
    if problems:
        raise ValidationError.from_exception_data("messages", problems)
    return rules


Rules = Annotated[dict[Id, Rule], BeforeValidator(_rule_ids), AfterValidator(_ids_are_keys)]


# --- reviewers.yml -------------------------------------------------------------------------------------
OrgId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9-]*$")]


class Organisation(LangText):
    """An organisation's name in each language (``in_lang``) and its allowed-signers file."""

    zh: Text
    en: Text
    # its allowed-signers file: an approval counts only when its commit is signed with a key listed
    # there (kb/trust/signers.py verifies the file's history, which lives under the data folder)
    signers: str | None = None

    @field_validator("signers")
    @classmethod
    def _under_signers_dir(cls, value: str | None, info: ValidationInfo) -> str | None:
        signers_dir = (info.context or {}).get("signers_dir", "")
        if value is not None and not (value.strip() and value.strip().startswith(signers_dir)):
            raise ValueError(f"a file under {signers_dir or 'the data folder'} (its history is verified there)")
        return value


def _known_organisation(value: str, info: ValidationInfo) -> str:
    """An organisation id used in tracks or signers_managed_by must be one of organisations:."""
    known = info.data.get("organisations")
    if known is not None and value not in known:
        raise ValueError(f"unknown organisation {value}; organisations are {', '.join(known)}")
    return value


KnownOrgId = Annotated[OrgId, AfterValidator(_known_organisation)]


class Reviewers(Closed):
    """data/reviewers.yml: who must approve each track, and who may change who approves."""

    organisations: dict[OrgId, Organisation]
    tracks: dict[Id, list[KnownOrgId]]
    # who may change the allowed-signers files and these trust settings (kb/trust/signers.py)
    signers_managed_by: list[KnownOrgId] = []
    # the full hash of the commit that first listed the managers' keys, recorded by the maintainers
    signers_root: str = ""

    @field_validator("signers_managed_by", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else [] if value is None else value

    @field_validator("signers_root", mode="before")
    @classmethod
    def _root_hash(cls, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, str) and (not value.strip() or re.fullmatch(r"[0-9a-fA-F]{40}", value.strip())):
            return value.strip()
        raise ValueError("the full 40-character hash of the trust root commit, or empty")

    def required(self, track: str) -> list[str]:
        """The organisations that must approve a page of *track* (none for a track nobody reviews)."""
        return list(self.tracks.get(track, ()))

    def names(self, lang: str) -> dict[str, str]:
        """Each organisation's name in *lang*, by id."""
        return {org: spec.in_lang(lang) for org, spec in self.organisations.items()}


# --- sections.yml -----------------------------------------------------------------------------------
def _heading_text(value: str) -> str:
    """A heading or gap text is written into a new page's Markdown as it is."""
    if any(ch in value for ch in "[]{}#\n"):
        raise ValueError("heading texts must not contain [ ] { } # or line breaks")
    return value


HeadingText = Annotated[str, Field(min_length=1), AfterValidator(_heading_text)]


class HeadingGap(LangText):
    zh: HeadingText
    en: HeadingText


class SectionHeading(LangText):
    zh: HeadingText
    en: HeadingText
    gap: HeadingGap | None = None  # what the new page's gap marker says (default: the heading)


class Sections(Closed):
    """data/sections.yml: each section's heading per language, and the sections a new page of each
    type starts with (./scripts/new)."""

    headings: dict[Id, SectionHeading]
    layouts: dict[str, list[Id]] = {}  # a type, or type:kind for event records (event:seminar)
    body_gap: LangText | None = None

    def heading(self, ident: str, lang: str) -> str | None:
        spec = self.headings.get(ident)
        return spec.in_lang(lang) if spec else None

    def gap(self, ident: str, lang: str) -> str:
        spec = self.headings.get(ident)
        return (spec.gap or spec).in_lang(lang) if spec else ident

    def page_gap(self, lang: str) -> str:
        """The gap marker of a page without sections."""
        return self.body_gap.in_lang(lang) if self.body_gap is not None else "content"


# --- gender-targets.yml: each programme's target share of women among participants (kb/content/figures.py) --
def _fraction(value: float | None) -> float | None:
    if value is not None and not 0 < value < 1:
        raise ValueError(f"a fraction between 0 and 1 (0.4 for 40 %), not {value}")
    return value


class ShareTarget(Closed):
    target: Annotated[float | None, AfterValidator(_fraction)] = None  # null: the source gives no number yet (a gap)
    source: str | None = None  # the document and section that gives it


class GenderTargets(Closed):
    women_share: dict[Id, ShareTarget] = {}


# --- forms.yml: the printed forms' wording and layout (kb/print/forms.py, kb/print/knowledge.py) ----------
Orientation = Literal["portrait", "landscape"]


class FormColumn(Closed):
    zh: str
    en: str
    width: Annotated[int | float, Field(gt=0, le=100)]  # per cent of the table's width


class SignInForm(Closed):
    page: Orientation
    rows: Annotated[int, Field(ge=1, le=60)]  # blank rows
    title: LangText
    header: list[LangText]  # lines the organiser fills in
    columns: list[FormColumn]
    privacy: LangText
    keeper: LangText


class ChoiceRow(Closed):
    label: LangText
    options: list[LangText]


class RatingScale(Closed):
    label: LangText
    points: Annotated[int, Field(ge=2, le=10)]
    items: list[LangText]


class EvaluationForm(Closed):
    page: Orientation
    title: LangText
    intro: LangText
    header: list[LangText]
    about: list[ChoiceRow]  # tick one in each row: counted by sex, never linked to a person
    scale: RatingScale
    open: list[LangText]


class KnowledgeTestWording(Closed):
    pre: LangText
    post: LangText
    key: LangText
    key_note: LangText
    header: list[LangText]
    instructions: LangText
    event: LangText
    date: LangText
    points: LangText
    total: LangText
    score: LangText
    answer: LangText
    model_answer: LangText


class ScoreSheetForm(Closed):
    page: Orientation
    title: LangText
    rows: Annotated[int, Field(ge=1, le=100)]
    columns: list[FormColumn]
    totals: LangText
    sex: list[LangText]
    totals_columns: list[LangText]
    record: LangText


class Forms(Closed):
    """data/forms.yml: the blank forms every training needs and the knowledge tests' wording."""

    sign_in: SignInForm = Field(alias="sign-in")
    evaluation: EvaluationForm
    knowledge_test: KnowledgeTestWording = Field(alias="knowledge-test")
    score_sheet: ScoreSheetForm = Field(alias="score-sheet")

    def form(self, key: str) -> SignInForm | EvaluationForm:
        """A blank form by its key in the file (kb.print.outputs.FORMS)."""
        forms: dict[str, SignInForm | EvaluationForm] = {"sign-in": self.sign_in, "evaluation": self.evaluation}
        return forms[key]


# --- review copies (kb/trust/reviewcopies.py) -------------------------------------------------------
Digest = Annotated[str, Field(pattern=r"^[0-9a-f]{8,64}$")]


class ReviewCopyPair(Closed):
    rel: Annotated[str, Field(min_length=1, max_length=300, pattern=r"^[^\x00-\x1f]+$")]  # path under docs/<lang>/
    digests: dict[Annotated[str, Field(pattern=r"^[a-z]{2}$")], Digest]


class ReviewCopyManifest(Closed):
    """What a review copy embeds (kb-review-copy.json): the organisation it is for and, per page pair,
    the content digests an approval by that organisation's signature covers."""

    kind: Literal["kb-review-copy"]
    version: Literal[1]
    org: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
    made: str  # when the copy was made (ISO time; information only, not the time of approval)
    pairs: Annotated[list[ReviewCopyPair], Field(min_length=1, max_length=2000)]


# --- ui.yml ----------------------------------------------------------------------------------------------
def _plain_placeholders(value: str) -> str:
    """An interface string's placeholders are plain names ({page}), filled by name: no attribute or
    index ({date.__class__}, {0[0]}) or conversion, a format spec only a width for a number
    ({month:02d}), and no brace left open."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        raise ValueError(f"braces: {exc}; write a brace as {{{{ or }}}}, a placeholder as {{name}}") from None
    for name, spec, conversion in fields:
        if not name.isidentifier() or conversion or not re.fullmatch(r"(?:0?\d{1,2}d)?", spec or ""):
            raise ValueError(f"placeholder {{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}} "
                             "is not a plain name: write {name}")
    return value


# kept as a UiText, whose format fills only what it is given (kb.project.templating)
UiString = Annotated[str, AfterValidator(_plain_placeholders), AfterValidator(UiText)]


class UiFile(Closed):
    """data/ui.yml: the interface strings by language. Code reads ``ui[lang][key]`` or
    ``ui.strings(lang)``; templates read ``ui.key`` of one language's strings, or ``ui[lang].key``."""

    zh: dict[str, UiString]
    en: dict[str, UiString]

    def __getitem__(self, lang: str) -> dict[str, UiText]:
        if lang not in ("zh", "en"):
            raise KeyError(lang)
        return self.zh if lang == "zh" else self.en

    def strings(self, lang: str) -> dict[str, UiText]:
        """The strings of *lang* (none for a language the file does not have)."""
        return self[lang] if lang in ("zh", "en") else {}

    @model_validator(mode="after")
    def _same_keys(self) -> UiFile:
        only_zh, only_en = sorted(set(self.zh) - set(self.en)), sorted(set(self.en) - set(self.zh))
        if only_zh or only_en:
            raise ValueError(f"every string needs both languages: only in zh: {only_zh or '-'}; only in en: {only_en or '-'}")
        return self


def _empty_file_as_mapping(data: Any) -> Any:
    """A data file of only comments parses as nothing: every key takes its default."""
    return {} if data is None else data


class DefaultsFile(Closed):
    """A data file whose every key has a default: an empty file (only comments) is the defaults."""

    @model_validator(mode="before")
    @classmethod
    def _empty_file(cls, data: Any) -> Any:
        return _empty_file_as_mapping(data)


# --- limits.yml ------------------------------------------------------------------------------------------
class Limits(DefaultsFile):
    """data/limits.yml: what any page may be before it is parsed or rendered. The defaults are what the
    renderers were measured to survive: the file (a pull request) may lower a limit, never raise it."""

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

    @field_validator("*", mode="before")
    @classmethod
    def _lowered_only(cls, value: Any, info: ValidationInfo) -> Any:
        ceiling = cls.model_fields[info.field_name].default
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"write a whole number from 1 to {ceiling} (found {value!r})")
        if value > ceiling:
            raise ValueError(f"may only be lowered (at most {ceiling}): the limits protect the build and a data file "
                             f"does not raise them")
        return value

    @classmethod
    def load(cls, path: Path) -> Limits:
        """The limits in *path*; the defaults when there is no such file."""
        return load_record(path, cls) if path.exists() else cls()


# --- event-thresholds.yml --------------------------------------------------------------------------------
def _amount(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
        raise ValueError(f"write a number, 0 or more (found {value!r})")
    return value  # as written (2, not 2.0): the findings quote it


Count = Annotated[int, Field(ge=0)]
Amount = Annotated[int | float, PlainValidator(_amount)]
Year = Annotated[int, Field(ge=2000, le=2100)]


def _heading_ids(value: Any) -> Any:
    if not isinstance(value, list):
        raise ValueError(f"write a list of heading ids, such as [agenda, photos] (found {value!r})")
    return tuple(value)


class CombinedViewers(Closed):
    """Once *count* events of the kind are held, their viewers together reach *viewers_min*."""

    count: Annotated[int, Field(ge=1)]
    viewers_min: Count


class PerYear(Closed):
    """At least *held_min* held events dated in each calendar year from *first_year* to *last_year*."""

    held_min: Annotated[int, Field(ge=1, alias="min")]
    first_year: Annotated[Year, Field(alias="from")]
    last_year: Annotated[Year, Field(alias="to")]

    @model_validator(mode="after")
    def _in_order(self) -> PerYear:
        if self.last_year < self.first_year:
            raise ValueError(f"to ({self.last_year}) is before from ({self.first_year}): write the first year as from")
        return self


class EventLimits(Closed):
    """What a held event of one kind in one programme is held to (one kind's entry in
    data/event-thresholds.yml; none given: nothing is checked)."""

    participants_min: Count | None = None
    participants_max: Count | None = None
    duration_hours_min: Amount | None = None
    viewers_min: Count | None = None
    experts_min: Count | None = None
    requires_section: Id | None = None  # a heading id the record of a held event must have
    record_sections: Annotated[tuple[Id, ...], BeforeValidator(_heading_ids)] = ()
    duration_minutes_min: Amount | None = None  # videos: checked with ffprobe when the file is present
    duration_minutes_max: Amount | None = None
    width_min: Count | None = None
    height_min: Count | None = None
    combined: CombinedViewers | None = None  # a series: viewers of the first events together
    per_year: PerYear | None = None          # a series: held events in each year

    @model_validator(mode="after")
    def _ranges(self) -> EventLimits:
        for low, high in (("participants_min", "participants_max"), ("duration_minutes_min", "duration_minutes_max")):
            lowest, highest = getattr(self, low), getattr(self, high)
            if lowest is not None and highest is not None and lowest > highest:
                raise ValueError(f"{low} ({lowest}) is more than {high} ({highest}): write the smaller number as {low}")
        return self


def _known_event_kind(kind: str, info: ValidationInfo) -> str:
    # the kinds are the content model's (validation context "event_kinds"; none given: not checked)
    kinds = (info.context or {}).get("event_kinds")
    if kinds is not None and kind not in kinds:
        raise ValueError(f"unknown event kind {kind}: write one of {', '.join(kinds)} (event.kinds in content-model.yml)")
    return kind


def _without_source(per_kind: Any) -> Any:
    # a programme's `source` names the terms of reference its numbers come from: for the reader of the file
    return {kind: spec for kind, spec in per_kind.items() if kind != "source"} if isinstance(per_kind, dict) else per_kind


EventKind = Annotated[str, AfterValidator(_known_event_kind)]
ProgrammeThresholds = Annotated[dict[EventKind, EventLimits], BeforeValidator(_without_source)]


class EventThresholdsFile(RootModel[dict[Id, ProgrammeThresholds]]):
    """data/event-thresholds.yml: programme -> event kind -> what its held events are held to."""

    model_config = ConfigDict(strict=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_file(cls, data: Any) -> Any:
        return _empty_file_as_mapping(data)

    def by_programme_and_kind(self) -> dict[tuple[str, str], EventLimits]:
        return {(programme, kind): limits for programme, per_kind in self.root.items() for kind, limits in per_kind.items()}


# --- media.yml -------------------------------------------------------------------------------------------
class SubtitleLimits(Closed):
    max_line_chars: dict[Literal["zh", "en"], Annotated[int, Field(gt=0)]] = {}  # per language; CJK count one each
    max_lines: Count = 2  # per cue
    # the last cue ends no earlier than this before the video's end (credits may run without speech)
    end_margin_seconds: Annotated[float, Field(ge=0)] = 30.0


class MediaSettings(DefaultsFile):
    """data/media.yml: where the video files live, where pages load them from, what subtitles are held
    to. Needs the project's root in the validation context ("project_root")."""

    path: Path = Field(default="media", validate_default=True)  # absolute once validated, inside the project
    url: str | None = None  # base URL pages load videos from; None: the site's own media/ folder
    subtitles: SubtitleLimits = SubtitleLimits()

    @field_validator("path", mode="before")
    @classmethod
    def _inside_the_project(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"write the folder of the video files, such as media (found {value!r})")
        root = Path(info.context["project_root"])  # a programming error when missing, not the file's
        folder = Path(value) if Path(value).is_absolute() else root / value
        # the build copies the video files pages name from here into the site: never from outside the project
        if root.resolve() not in folder.resolve().parents:
            raise ValueError(f"must be a folder inside the project, not {value} (the build copies its files into "
                             f"the site): write a folder such as media")
        return folder

    @field_validator("url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        # the pages' security policy allows videos from this origin only: an http(s) address with a host
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"write a base URL such as https://media.example.org.cn/kb/, or null (found {value!r})")
        return value


# --- loading with lines ----------------------------------------------------------------------------------
def shown(path: Path) -> str:
    """*path* as an editor or CI annotation wants it: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def alias_line(node: yaml.Node | None) -> int | None:
    """The 0-based line of the first node a YAML document uses more than once (an alias ``*name`` of an
    anchor ``&name``, recursive or not), or None. Aliases multiply what one line of input becomes (an
    alias bomb of ten lines is a billion values once walked); data files and front matter never need
    them, so they are refused before anything is constructed."""
    seen: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in seen:
            return current.start_mark.line
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((value, key))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
    return None


def load_yaml_lines(path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse *path* once; return the data and the 1-based line of every key and item, by location
    (("types", "module", "label") -> 24)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"{shown(path)}: data file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{shown(path)}: cannot be read: {exc}") from None
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        line = alias_line(node)
        if line is not None:
            raise SettingsError(f"{shown(path)}:{line + 1}: YAML anchors and aliases (&name, *name) are not allowed in "
                                f"data files: write the value out where it is used")
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise SettingsError(f"{shown(path)}{line}: not valid YAML: {exc.problem or exc.context}") from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise SettingsError(f"{shown(path)}: not valid YAML: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    finally:
        loader.dispose()
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node, loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*loc, key.value if isinstance(key, yaml.ScalarNode) else str(key.value))
            lines[here] = key.start_mark.line + 1
            _walk(value, here, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*loc, i), lines)


def line_of(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int:
    """Line of the deepest known part of *loc* (a missing key: its parent mapping)."""
    loc = tuple(str(x) if not isinstance(x, int) else x for x in loc)
    strs = {tuple(str(x) if not isinstance(x, int) else x for x in k): v for k, v in lines.items()}
    for n in range(len(loc), -1, -1):
        if loc[:n] in strs:
            return strs[loc[:n]]
    return 1


def _describe(error: dict[str, Any]) -> str:
    # a validator of ours words its message for the author: pydantic's "Value error, " adds nothing
    msg = error["msg"].removeprefix("Value error, ")
    if error["type"] in ("literal_error", "enum") or error["type"].endswith("_type") or error["type"] == "string_pattern_mismatch":
        msg += f" (found {error['input']!r})"
    return msg


def validate(path: Path, data: Any, lines: dict[tuple[Any, ...], int], schema: Any,
             context: dict[str, Any] | None = None) -> Any:
    """Validate *data* loaded from *path* against *schema*; every problem as ``file:line: where: what``.
    *context* reaches the schema's validators (pydantic's validation context: what a rule needs
    besides the file, such as the project's folders)."""
    try:
        return TypeAdapter(schema).validate_python(data, context=context)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            # pydantic names the branch of a union or the key of a dict in the location: keep the data's path
            loc = tuple(x for x in error["loc"] if not (isinstance(x, str) and ("[" in x or x in ("function-after",))))
            where = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in loc).lstrip(".") or "(top level)"
            problems.append(f"{shown(path)}:{line_of(lines, loc)}: {where}: {_describe(error)}")
        raise SettingsError("\n".join(dict.fromkeys(problems))) from None


@dataclass(frozen=True)
class Problem:
    """One mistake in a block of front matter: where (``activities[1].minutes``), its location and what."""

    where: str
    loc: tuple[Any, ...]
    what: str


def block_problems(data: Any, model: type[BaseModel]) -> tuple[Any, list[Problem]]:
    """*data* (a front-matter block, untrusted) validated against *model*: the model, or None and every
    problem. The caller turns the problems into findings at their lines (:func:`yaml_lines`)."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        out = []
        for error in exc.errors(include_url=False):
            loc = tuple(x for x in error["loc"] if not (isinstance(x, str) and ("[" in x or x in ("function-after",))))
            where = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in loc).lstrip(".") or "(top level)"
            what = _describe(error)
            out.append(Problem(where, loc, what))
        return None, out


def yaml_lines(text: str) -> dict[tuple[Any, ...], int]:
    """The 1-based line (within *text*) of every key and item of a YAML document, by location; empty when
    *text* does not parse (the front-matter rule reports that)."""
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return {}
    finally:
        loader.dispose()
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None and alias_line(node) is None:
        _walk(node, (), lines)
    return lines


def load_record(path: Path, schema: type[RecordT], context: dict[str, Any] | None = None) -> RecordT:
    """Load one data file and validate it into its record (the schema's model, which the rest of
    the project reads): a mistake is a SettingsError with file and line."""
    data, lines = load_yaml_lines(path)
    return validate(path, data, lines, schema, context)

