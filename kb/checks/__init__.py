"""Completeness checks. Each rule is a pure function over parsed pages returning findings, with one
signature, ``check_x(subject, ctx) -> list[Finding]``: the subject is a ``Page`` for a page rule and
a ``Pair`` (source, target) for a translation pair's rule. A rule is registered where it is defined,
with ``@rule(Scope.PAGE)`` or ``@rule(Scope.PAIR)``; the engine (kb.checks.engine) imports the rule
modules and runs ``registered(scope)``. Nothing here imports MkDocs."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from kb.content.pages import Page
from kb.project.data import ProjectData
from kb.project.findings import Finding


@dataclass
class Context:
    data: ProjectData
    today: dt.date
    release: bool = False
    # repository-relative paths of every file under docs/ (links and images resolve against it)
    files: frozenset[str] = field(default_factory=frozenset)
    default_language: str = "zh"
    languages: tuple[str, ...] = ("zh", "en")
    email_allowlist_domains: tuple[str, ...] = ()
    docs_dir: str = "docs"
    manuals: dict[str, Any] = field(default_factory=dict)  # kb.yml manuals: id -> ManualSpec
    # pages whose pair has verified approvals (kb.trust.approvals), set by the engine before the
    # deliverables are counted; None: not computed (then the typed review.status is taken)
    approved_paths: frozenset[str] | None = None

    def is_approved(self, page: Page) -> bool:
        if self.approved_paths is None:
            return page.review_status == "approved"
        return page.path in self.approved_paths


def finding(rule: str, code: str, where: Page | str, line: int, /, **params: object) -> Finding:
    path = where if isinstance(where, str) else where.path
    return Finding(rule=rule, code=code, path=path, line=max(1, int(line)), params=dict(params))


# --- the rule registry ------------------------------------------------------------------------------------
class Scope(Enum):
    """What a rule looks at: one page, or a translation pair."""

    PAGE = "page"
    PAIR = "pair"


@dataclass(frozen=True)
class Pair:
    """A translation pair: *target* is the page translated from *source* (kb.checks.pair.orient)."""

    source: Page
    target: Page


Check = Callable[[Page | Pair, Context], list[Finding]]
F = TypeVar("F", bound=Callable[..., list[Finding]])

_RULES: dict[Scope, list[Check]] = {scope: [] for scope in Scope}


class RegistryError(Exception):
    """A rule registered twice or with another signature: a programming mistake, raised at import."""


def _name(fn: Callable[..., object]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def _register(scope: Scope, fn: Callable[..., list[Finding]]) -> None:
    for registered_fn in (f for rules in _RULES.values() for f in rules):
        # the same function, or a module-level function of the same name (its module run twice)
        if registered_fn is fn or ("<locals>" not in _name(fn) and _name(registered_fn) == _name(fn)):
            raise RegistryError(f"rule {_name(fn)} is registered twice")
    params = list(inspect.signature(fn).parameters.values())
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if len(params) != 2 or any(p.kind not in positional for p in params):
        subject = "page" if scope is Scope.PAGE else "pair"
        raise RegistryError(f"rule {_name(fn)} must take ({subject}, ctx), not {inspect.signature(fn)}")
    _RULES[scope].append(fn)


def rule(scope: Scope) -> Callable[[F], F]:
    """Register the decorated function as a rule of *scope*; it is returned unchanged."""

    def register(fn: F) -> F:
        _register(scope, fn)
        return fn

    return register


def registered(scope: Scope) -> tuple[Check, ...]:
    """The rules of *scope*, in the order they were registered (the order their modules import)."""
    return tuple(_RULES[scope])


@contextmanager
def extra_rule(scope: Scope, fn: Callable[..., list[Finding]]) -> Iterator[Callable[..., list[Finding]]]:
    """For tests: *fn* registered as a rule of *scope* inside the ``with`` block, removed after it."""
    _register(scope, fn)
    try:
        yield fn
    finally:
        _RULES[scope].remove(fn)
