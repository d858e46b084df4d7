"""The front-matter model: one pydantic model built from the content model (data/content-model.yml),
declaring every field a page may have, its kind, whether it is required, and the enumerated values
(page type, track, review status, event kind and status, the translation's source language). A
page's front matter is validated against it once; each validation error becomes a
:class:`Problem` that the front-matter rule (kb/checks/page.py) reports with its message and line.

Every field accepts null (a value still to fill in) except the title and the enumerated fields:
an empty title and a missing choice are mistakes, not gaps."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    WrapValidator,
    create_model,
)
from pydantic_core import PydanticCustomError

from kb.content.pages import iso_date, single_language_reason
from kb.project.schemas import ContentModel, FieldSpec


def _date(value: Any) -> Any:
    if iso_date(value) is None:
        raise PydanticCustomError("date_type", "should be a date")
    return value


# The content model's kinds (content-model.yml `kind:`) as pydantic types: booleans are not
# numbers, a number is an int or a float, a date is a YAML date or an ISO date string.
KIND_TYPES: dict[str, Any] = {
    "str": Annotated[str, Strict()],
    "int": Annotated[int, Strict()],
    "number": Annotated[float, Strict()],
    "bool": Annotated[bool, Strict()],
    "mapping": Annotated[dict, Strict()],
    "list": Annotated[list, Strict()],
    "date": Annotated[Any, PlainValidator(_date)],
    "any": Any,
}
_ADAPTERS = {kind: TypeAdapter(annotation) for kind, annotation in KIND_TYPES.items()}
PARTICIPANT_FIELDS = ("total", "women", "men")  # an event's participants by sex


def fits(kind: str, value: Any) -> bool:
    """Whether *value* is of the content model's *kind* (an unknown kind accepts anything)."""
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        return True
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


class ProblemKind(StrEnum):
    """What is wrong with one value of the front matter (the front-matter rule's codes)."""

    MISSING_FIELD = "missing-field"
    UNKNOWN_FIELD = "unknown-field"
    WRONG_TYPE = "wrong-type"
    UNKNOWN_VALUE = "unknown-value"
    EMPTY_TITLE = "empty-title"
    BAD_APPROVAL = "bad-approval"
    NONE_WITHOUT_REASON = "none-without-reason"
    BAD_TRANSLATION = "bad-translation"
    BAD_TRANSLATION_FROM = "bad-translation-from"
    BAD_TRANSLATION_HASH = "bad-translation-hash"


@dataclass(frozen=True)
class Problem:
    """One mistake in a page's front matter. *where*: the keys from the top of the front matter to the
    value (``("event", "participants", "kids")``); *value*: the value as given (unknown-field: the
    key); *options*: the allowed field names (unknown-field) or values (unknown-value,
    bad-translation-from); *kind*: the kind the value should have (wrong-type), and for the other
    problems, when the value is not even of its kind (a title that is a number), that kind;
    *length*: the translation hash's length."""

    problem: ProblemKind
    where: tuple[str, ...]
    value: Any = None
    options: tuple[str, ...] = ()
    kind: str = ""
    length: int = 0

    @property
    def field(self) -> str:
        return ".".join(self.where)


# --- the validators of the model ------------------------------------------------------------------------------
def _error(problem: ProblemKind, **params: Any) -> PydanticCustomError:
    return PydanticCustomError(problem.value, problem.value, params)


def _of_kind(kind: str) -> WrapValidator:
    """The value itself not of *kind* (not a value inside it): a wrong-type error naming the kind."""

    def validate(value: Any, handler: Callable[[Any], Any]) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            if any(not error["loc"] for error in exc.errors()):
                raise _error(ProblemKind.WRONG_TYPE, kind=kind) from None
            raise

    return WrapValidator(validate)


def _typed(kind: str) -> Any:
    return Annotated[KIND_TYPES.get(kind, Any), _of_kind(kind)] | None


def _choice(name: str, allowed: list[str], *, typed: bool = True) -> Any:
    """An enumerated text field: one of *allowed*, an enum of that name. *typed*: a value that is no
    text at all (a list) is also reported as of the wrong type (review.status says only that the
    value is not one of the statuses)."""
    choices = StrEnum(name, {value: value for value in allowed})

    def validate(value: Any) -> Any:
        if isinstance(value, str) and value in allowed:
            return choices(value)
        wrong_type = "str" if typed and value is not None and not fits("str", value) else ""
        raise _error(ProblemKind.UNKNOWN_VALUE, options=tuple(allowed), wrong_type=wrong_type)

    return Annotated[Any, PlainValidator(validate)]


def _title(value: Any) -> str:
    if isinstance(value, str) and value.strip():
        return value
    raise _error(ProblemKind.EMPTY_TITLE, wrong_type="" if value is None or fits("str", value) else "str")


def _approval(value: Any) -> Any:
    if isinstance(value, dict) and "by" in value and "date" in value:
        return value
    raise _error(ProblemKind.BAD_APPROVAL)


def _translation(value: Any, handler: Callable[[Any], Any]) -> Any:
    """A single-language page's {none: reason}, or a translation's stamp {from, hash, override}."""
    wrong_type = "" if fits("mapping", value) else "mapping"
    reason = single_language_reason(value)
    if reason is not None:
        if not reason:
            raise _error(ProblemKind.NONE_WITHOUT_REASON, wrong_type=wrong_type)
        return value
    if wrong_type:
        raise _error(ProblemKind.BAD_TRANSLATION, wrong_type=wrong_type)
    return handler(value)


def _source_language(value: Any, info: ValidationInfo) -> Any:
    """translation.from: the language of the source page, one of the page's other languages (the
    validation context's ``languages``)."""
    languages = tuple((info.context or {}).get("languages", ()))
    if isinstance(value, str) and value in languages:
        return value
    raise _error(ProblemKind.BAD_TRANSLATION_FROM, options=languages)


def _stamp_hash(length: int) -> Callable[[Any], Any]:
    pattern = re.compile(rf"^[0-9a-f]{{{length}}}$")

    def validate(value: Any) -> Any:
        if isinstance(value, str) and pattern.match(value):
            return value
        raise _error(ProblemKind.BAD_TRANSLATION_HASH, length=length)

    return validate


def _override(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        return value
    raise _error(ProblemKind.BAD_TRANSLATION)


# --- the model ------------------------------------------------------------------------------------------------
CLOSED = ConfigDict(extra="forbid", frozen=True)


def _block(name: str, specs: Mapping[str, FieldSpec], special: dict[str, Any]) -> type[BaseModel]:
    """A mapping of the front matter (the page's, an event's) from its content-model field specs: each
    field of its kind, or of the type *special* gives it; required fields without a default."""
    fields: dict[str, Any] = {}
    for number, (key, spec) in enumerate(specs.items()):
        annotation = special.get(key, _typed(spec.kind))
        # the key as an alias: a field the content model names like a pydantic attribute (copy, json,
        # model_…) or that is no Python name (a hyphen) is a field like any other
        declared = Field(alias=key) if spec.required else Field(None, alias=key)
        fields[f"field_{number}"] = (annotation, declared)
    return create_model(name, __config__=CLOSED, **fields)


@dataclass(frozen=True)
class FrontMatterModel:
    """The model of a page's front matter and the field names of each of its blocks."""

    model: type[BaseModel]
    blocks: Mapping[tuple[str, ...], tuple[str, ...]]  # where a block is -> its field names

    def problems(self, meta: Mapping[Any, Any], other_languages: tuple[str, ...]) -> list[Problem]:
        """Every mistake in *meta*, a page's front matter; *other_languages*: those its translation
        may come from."""
        try:
            self.model.model_validate(dict(meta), context={"languages": other_languages})
        except ValidationError as exc:
            return [self._problem(error, meta) for error in exc.errors()]
        return []

    def _problem(self, error: Any, meta: Mapping[Any, Any]) -> Problem:
        where = tuple(str(part) for part in error["loc"])
        params = error.get("ctx") or {}
        value = error.get("input")
        kind = error["type"]
        if kind == "missing":
            return Problem(ProblemKind.MISSING_FIELD, where)
        if kind in ("extra_forbidden", "invalid_key"):
            return Problem(ProblemKind.UNKNOWN_FIELD, where, error["loc"][-1], self.blocks.get(where[:-1], ()))
        if kind == ProblemKind.BAD_APPROVAL:
            return Problem(ProblemKind.BAD_APPROVAL, where[:2], value)
        if kind == ProblemKind.BAD_TRANSLATION:  # the whole block is quoted
            return Problem(ProblemKind.BAD_TRANSLATION, where[:1], meta.get(where[0]), kind=str(params.get("wrong_type", "")))
        problem = ProblemKind(kind)
        return Problem(problem, where, value, tuple(params.get("options", ())),
                       str(params.get("kind") or params.get("wrong_type") or ""), int(params.get("length", 0)))


def front_matter_model(content: ContentModel) -> FrontMatterModel:
    """The front-matter model the content model declares."""
    event_spec = content.event
    participants = _block("Participants", {name: FieldSpec(kind="int") for name in PARTICIPANT_FIELDS}, {})
    event = _block("EventBlock", event_spec.fields, {
        "kind": _choice("EventKind", event_spec.kinds),
        "status": _choice("EventStatus", event_spec.statuses),
        "participants": Annotated[participants, _of_kind("mapping")] | None,
    })
    review = create_model(
        "ReviewBlock", __config__=CLOSED,
        status=(_choice("ReviewStatus", list(content.review_statuses), typed=False), Field(None, validate_default=True)),
        approvals=(Annotated[list[Annotated[Any, AfterValidator(_approval)]], _of_kind("list")] | None, None),
    )
    stamp = create_model(
        "TranslationStamp", __config__=CLOSED,
        source=(Annotated[Any, AfterValidator(_source_language)], Field(None, alias="from", validate_default=True)),
        hash=(Annotated[Any, AfterValidator(_stamp_hash(content.hash_length))], Field(None, validate_default=True)),
        override=(Annotated[Any, AfterValidator(_override)], None),  # why it was stamped despite errors
    )
    page = _block("FrontMatter", content.fields, {
        "title": Annotated[Any, PlainValidator(_title)],
        "type": _choice("PageType", list(content.types)),
        "track": _choice("Track", list(content.tracks)),
        "review": Annotated[review, _of_kind("mapping")] | None,
        "translation": Annotated[stamp, WrapValidator(_translation)] | None,
        "event": Annotated[event, _of_kind("mapping")] | None,
    })
    blocks = {
        (): tuple(content.fields),
        ("review",): ("status", "approvals"),
        ("translation",): ("from", "hash", "override"),
        ("event",): tuple(event_spec.fields),
        ("event", "participants"): PARTICIPANT_FIELDS,
    }
    return FrontMatterModel(page, blocks)

