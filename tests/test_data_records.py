"""The glossary, deliverables, messages and interface strings are validated once, by their models in
kb/project/schemas.py, and the model is the record the project reads: every rule the hand-written
loader checked is a validator, reported as ``file:line: where: what``."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.project.data import glossary_terms, load_deliverables, load_glossary, load_rules
from kb.project.schemas import UiFile, load_record
from kb.project.settings import SettingsError
from kb.project.templating import UiText


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages name the file relative to the working folder


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(load, path: Path) -> str:
    with pytest.raises(SettingsError) as refused:
        load(path)
    return str(refused.value)


MERCURY = """\
- id: mercury
  zh: 汞
  en: mercury
  zh_aliases: [水银]
  en_aliases: [Hg]
  track: mercury
  definition: {zh: 元素汞。, en: Elemental mercury.}
  check: false
  excluding: {en: [" total mercury use "]}
"""


# --- glossary.yml ----------------------------------------------------------------------------------------
def test_a_glossary_term_is_the_validated_record(tmp_path: Path):
    (term,) = load_glossary(_write(tmp_path, "glossary.yml", MERCURY.replace("en: mercury", "en: ' mercury '")))
    assert (term.id, term.zh, term.en, term.track) == ("mercury", "汞", "mercury", "mercury")
    assert term.zh_aliases == ("水银",) and term.en_aliases == ("Hg",)
    assert term.checked is False and term.source == ""
    assert term.excluding == {"en": ("total mercury use",)}
    assert term.definition_in("en") == "Elemental mercury." and term.forms("en") == ("mercury", "Hg")
    assert term.term("zh") == "汞"


def test_a_term_of_a_track_the_content_model_lacks_is_refused_at_its_line(tmp_path: Path):
    path = _write(tmp_path, "glossary.yml", MERCURY.replace("track: mercury", "track: mercuri"))
    assert _refused(lambda p: load_glossary(p, ["mercury", "gender", "general"]), path) == (
        "glossary.yml:6: [0].track: unknown track mercuri: write one of mercury, gender, general "
        "(tracks in content-model.yml)")
    assert load_glossary(path)[0].track == "mercuri"  # without the model's tracks (a file at an earlier commit)


def test_an_empty_glossary_file_is_an_empty_glossary(tmp_path: Path):
    assert load_glossary(_write(tmp_path, "glossary.yml", "# no terms yet\n")) == []


@pytest.mark.parametrize(("second", "line", "where", "what"), [
    ("- id: mercury\n  zh: 水银\n  en: quicksilver\n", 10, "[1].id",
     "id mercury is also the id of entry 1: give each term its own id"),
    ("- id: hg\n  zh: 汞\n  en: Hg\n", 11, "[1].zh",
     "zh 汞 is also the zh of term mercury (entry 1): write each term once (another written form goes under zh_aliases)"),
    ("- id: hg\n  zh: 元素汞\n  en: Mercury\n", 12, "[1].en",
     "en Mercury is also the en of term mercury (entry 1, in another case): write each term once (another "
     "written form goes under en_aliases)"),
])
def test_a_term_given_twice_is_refused_at_the_later_entry(tmp_path: Path, second: str, line: int, where: str, what: str):
    path = _write(tmp_path, "glossary.yml", MERCURY + second)
    assert _refused(load_glossary, path) == f"glossary.yml:{line}: {where}: {what}"


def test_a_term_of_only_spaces_is_refused_with_its_line(tmp_path: Path):
    path = _write(tmp_path, "glossary.yml", MERCURY.replace("zh: 汞", "zh: '  '"))
    assert _refused(load_glossary, path) == "glossary.yml:2: [0].zh: write the term (it is only spaces)"


def test_aliases_are_a_list_and_exclusions_are_by_language(tmp_path: Path):
    path = _write(tmp_path, "glossary.yml", MERCURY.replace("[水银]", "水银").replace("{en: [", "{fr: ["))
    assert _refused(load_glossary, path) == ("glossary.yml:4: [0].zh_aliases: Input should be a valid list (found '水银')\n"
                                             "glossary.yml:9: [0].excluding.fr: Input should be 'zh' or 'en' (found 'fr')")


def test_the_file_key_is_check_not_checked(tmp_path: Path):
    path = _write(tmp_path, "glossary.yml", MERCURY.replace("check: false", "checked: false"))
    assert _refused(load_glossary, path) == "glossary.yml:8: [0].checked: Extra inputs are not permitted"


def test_a_glossary_as_committed_earlier_is_validated_by_the_same_model(tmp_path: Path):
    terms = glossary_terms([{"id": "mercury", "zh": "汞", "en": "mercury"}], Path("data/glossary.yml"))
    assert terms[0].checked is True and terms[0].definition_in("zh") == ""
    with pytest.raises(SettingsError) as refused:
        glossary_terms([{"id": "mercury", "zh": "汞", "en": "mercury"}, {"id": "mercury", "zh": "x", "en": "y"}],
                       Path("data/glossary.yml"))
    assert str(refused.value) == ("data/glossary.yml:1: [1].id: id mercury is also the id of entry 1: "
                                  "give each term its own id")


# --- deliverables.yml ------------------------------------------------------------------------------------
DELIVERABLE = """\
deliverables:
  - id: materials
    programme: mercury
    title: {zh: 教材, en: Materials}
    due: 2026-12-31
    pages: [a.md, b.md]
    events: {kind: training, track: mercury, count: 2}
"""


def test_a_deliverable_is_the_validated_record(tmp_path: Path):
    (item,) = load_deliverables(_write(tmp_path, "deliverables.yml", DELIVERABLE))
    assert item.pages == ("a.md", "b.md") and item.languages == ("zh", "en")
    assert item.min_pages == 2  # not given: the number of pages
    assert (item.events.kind, item.events.track, item.events.count) == ("training", "mercury", 2)
    assert item.title.in_lang("en") == "Materials" and item.source == ""
    (given,) = load_deliverables(_write(tmp_path, "deliverables.yml", DELIVERABLE + "    min_pages: 1\n"))
    assert given.min_pages == 1 and given.events is not None


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("due: 2026-12-31", "due: end of year",
     "deliverables.yml:5: deliverables[0].due: Input should be a valid date (found 'end of year')"),
    ("count: 2", "count: 0",
     "deliverables.yml:7: deliverables[0].events.count: Input should be greater than or equal to 1"),
    ("pages: [a.md, b.md]", "pages: a.md",
     "deliverables.yml:6: deliverables[0].pages: Input should be a valid list (found 'a.md')"),
    ("  - id: materials", "  - id: Materials",
     "deliverables.yml:2: deliverables[0].id: String should match pattern '^[a-z0-9][a-z0-9-]*$' (found 'Materials')"),
])
def test_a_deliverable_mistake_is_refused_with_its_line(tmp_path: Path, old: str, new: str, expected: str):
    path = _write(tmp_path, "deliverables.yml", DELIVERABLE.replace(old, new))
    assert _refused(load_deliverables, path) == expected


# --- messages.yml ----------------------------------------------------------------------------------------
RULE = """\
pii:
  severity: warning
  title: {zh: 个人信息, en: Personal data}
  messages:
    mobile:
      zh: 手机号 {number}
      en: Mobile number {number}
    id-card:
      severity: error
      zh: 身份证号
      en: ID card number
"""


def test_a_rule_is_the_validated_record_and_its_messages_take_its_severity(tmp_path: Path):
    rule = load_rules(_write(tmp_path, "messages.yml", RULE))["pii"]
    assert rule.id == "pii" and rule.title.in_lang("zh") == "个人信息"
    assert rule.messages["mobile"].severity == "warning" and rule.messages["id-card"].severity == "error"
    assert rule.messages["mobile"].in_lang("en") == "Mobile number {number}"


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("      en: Mobile number {number}\n", "",
     "messages.yml:5: pii.messages.mobile.en: Field required"),
    ("  messages:\n", "  message:\n",
     "messages.yml:1: pii.messages: Field required\nmessages.yml:4: pii.message: Extra inputs are not permitted"),
    ("  severity: warning\n", "  id: other\n",
     "messages.yml:2: pii.id: id other is not the rule's key pii: remove the id line (the key is the id)"),
    ("en: ID card number", "en: ID card number {number}",
     "messages.yml:8: pii.messages.id-card: zh and en use different placeholders: zh [], en ['number']"),
])
def test_a_message_mistake_is_refused_with_its_line(tmp_path: Path, old: str, new: str, expected: str):
    path = _write(tmp_path, "messages.yml", RULE.replace(old, new))
    assert _refused(load_rules, path) == expected


# --- ui.yml ----------------------------------------------------------------------------------------------
def test_interface_strings_are_ui_texts_by_language(tmp_path: Path):
    ui = load_record(_write(tmp_path, "ui.yml", "zh:\n  page: 第 {n} 页\nen:\n  page: Page {n}\n"), UiFile)
    assert isinstance(ui["en"]["page"], UiText) and ui.en["page"].format(n=3, evil=1) == "Page 3"
    assert ui.strings("fr") == {} and ui.strings("zh") == {"page": "第 {n} 页"}


def test_an_interface_string_in_one_language_only_is_refused(tmp_path: Path):
    path = _write(tmp_path, "ui.yml", "zh:\n  page: 第 {n} 页\n  home: 首页\nen:\n  page: Page {n}\n")
    assert _refused(lambda p: load_record(p, UiFile), path) == (
        "ui.yml:1: (top level): every string needs both languages: only in zh: ['home']; only in en: -")
