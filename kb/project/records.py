"""Typed records written as JSON. What crosses a module boundary is a frozen dataclass (the report's
pairs and deliverables, the approval summary, the status data, the downloads page's data, the
glossary's entries); what machines read (status.json) is each record's ``to_json()``, built from the
fields the record declares, so a field added to a record is written and a field removed is missed by
the tests that pin status.json's keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any


def record_json(record: Any) -> dict[str, Any]:
    """The fields of a dataclass *record*, in declaration order, as JSON values (``json_value``)."""
    if not is_dataclass(record) or isinstance(record, type):
        raise TypeError(f"{type(record).__name__} is not a record")
    return {f.name: json_value(getattr(record, f.name)) for f in fields(record)}


def json_value(value: Any) -> Any:
    """A field's value as JSON: an enum as its value, a tuple as a list, a mapping as an object, a
    nested record as its own ``to_json()``. Anything else is a TypeError, not a guess: a value with no
    JSON form of its own must not reach status.json as its ``str()``."""
    if isinstance(value, Enum):  # before str: a StrEnum is a str
        return value.value
    if value is None or isinstance(value, (str, int, float)):  # bool is an int
        return value
    if isinstance(value, (tuple, list)):
        return [json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {key: json_value(v) for key, v in value.items()}
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return to_json()
    raise TypeError(f"{type(value).__name__} has no JSON form (a record needs a to_json())")
