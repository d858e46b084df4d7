"""The rule registry (kb/checks/__init__.py): every rule is registered once with one signature,
``check(subject, ctx)``, and the engine runs what is registered."""

from __future__ import annotations

import importlib
import inspect
import textwrap
from pathlib import Path

import pytest
from sitebuild import REPO, TODAY

import kb.checks as checks
import kb.checks.page
from kb.checks import Context, Pair, RegistryError, Scope, engine, extra_rule, finding, registered, rule
from kb.content.pages import parse_page
from kb.project.data import ProjectData
from kb.project.settings import load_settings

DATA = ProjectData(load_settings(REPO, environ={"KB_TODAY": TODAY}))
CTX = Context(data=DATA, today=DATA.settings.today, files=frozenset())
PAGE = b"---\ntitle: Mercury\n---\n\n## Objectives {#objectives}\n\nText.\n"


def _check_nothing(page, ctx):
    return []


def test_a_function_registered_twice_is_an_error():
    with extra_rule(Scope.PAGE, _check_nothing):
        with pytest.raises(RegistryError, match=r"test_registry\._check_nothing is registered twice"):
            rule(Scope.PAGE)(_check_nothing)
        with pytest.raises(RegistryError, match="registered twice"):
            rule(Scope.PAIR)(_check_nothing)  # in the other scope as well
        assert registered(Scope.PAGE).count(_check_nothing) == 1
        assert _check_nothing not in registered(Scope.PAIR)
    assert _check_nothing not in registered(Scope.PAGE)
    before = registered(Scope.PAGE)
    with pytest.raises(RegistryError, match=r"kb\.checks\.page\.check_encoding is registered twice"):
        rule(Scope.PAGE)(kb.checks.page.check_encoding)
    assert registered(Scope.PAGE) == before


def test_a_module_that_registers_a_rule_twice_fails_to_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # a registry of its own for this test: the first registration succeeds and must not outlive it
    monkeypatch.setattr(checks, "_RULES", {scope: list(registered(scope)) for scope in Scope})
    (tmp_path / "rules_twice.py").write_text(textwrap.dedent("""
        from kb.checks import Scope, rule

        @rule(Scope.PAGE)
        @rule(Scope.PAGE)
        def check_twice(page, ctx):
            return []
    """), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RegistryError, match=r"rules_twice\.check_twice is registered twice"):
        importlib.import_module("rules_twice")


def test_a_rule_with_another_signature_is_an_error():
    def check_old_pair(source, target, ctx):
        return []

    def check_keywords(page, *, ctx):
        return []

    with pytest.raises(RegistryError, match=r"must take \(pair, ctx\)"):
        rule(Scope.PAIR)(check_old_pair)
    with pytest.raises(RegistryError, match=r"must take \(page, ctx\)"):
        rule(Scope.PAGE)(check_keywords)
    assert check_old_pair not in registered(Scope.PAIR) and check_keywords not in registered(Scope.PAGE)


def test_a_pair_is_a_frozen_value():
    from dataclasses import FrozenInstanceError

    source = parse_page("docs/zh/p.md", "zh", "p.md", b"---\ntitle: x\n---\n")
    target = parse_page("docs/en/p.md", "en", "p.md", b"---\ntitle: x\n---\n")
    pair = Pair(source, target)
    assert (pair.source, pair.target) == (source, target)
    with pytest.raises(FrozenInstanceError):
        pair.source = target  # type: ignore[misc]


@pytest.mark.parametrize("scope", list(Scope))
def test_every_registered_rule_takes_its_subject_and_the_context(scope: Scope):
    rules = registered(scope)
    assert rules
    for check in rules:
        assert len(inspect.signature(check).parameters) == 2, check


def test_every_rule_comes_from_a_module_the_engine_lists():
    # a rule module missing from engine.RULE_MODULES would register only when something else imports it
    modules = {check.__module__ for scope in Scope for check in registered(scope)}
    assert modules == {module.__name__ for module in engine.RULE_MODULES}


def _ours(found: list) -> list[tuple]:
    return [(f.rule, f.code, f.path, f.line, f.params) for f in found if f.rule == "registry-test"]


def test_the_engine_runs_a_registered_page_rule():
    page = parse_page("docs/en/p.md", "en", "p.md", PAGE)

    def check_seen(page, ctx):
        return [finding("registry-test", "seen", page, 5, title=page.title)]

    with extra_rule(Scope.PAGE, check_seen):
        assert registered(Scope.PAGE)[-1] is check_seen
        assert _ours(engine.page_findings(page, CTX)) == [("registry-test", "seen", "docs/en/p.md", 5,
                                                           {"title": "Mercury"})]
    assert check_seen not in registered(Scope.PAGE)
    assert _ours(engine.page_findings(page, CTX)) == []


def test_the_engine_runs_a_registered_pair_rule():
    source = parse_page("docs/zh/p.md", "zh", "p.md", PAGE)
    target = parse_page("docs/en/p.md", "en", "p.md", PAGE)

    def check_pair_seen(pair, ctx):
        return [finding("registry-test", "seen", pair.target, 2, source=pair.source.path)]

    with extra_rule(Scope.PAIR, check_pair_seen):
        assert _ours(engine.pair_findings(Pair(source, target), CTX)) == [("registry-test", "seen", "docs/en/p.md", 2,
                                                                           {"source": "docs/zh/p.md"})]
    assert _ours(engine.pair_findings(Pair(source, target), CTX)) == []
