"""The content digest an approval records (kb/content/digest.py): pure, deterministic, and covering
what the reader sees; a missing or outside file is a marker, never an exception."""

from __future__ import annotations

from kb.content.digest import MISSING, OUTSIDE, DigestRules, page_digest
from kb.content.pages import parse_page
from kb.project.data import GlossaryTerm
from kb.project.schemas import LangText

TERMS = (
    GlossaryTerm(id="mercury", zh="汞", en="mercury", zh_aliases=(), en_aliases=("Hg",), track="mercury",
                 definition={"zh": "元素汞。", "en": "Elemental mercury."}),
    GlossaryTerm(id="asgm", zh="手工和小规模采金", en="artisanal and small-scale gold mining", zh_aliases=(),
                 en_aliases=("ASGM",), track="mercury", definition={"zh": "采金。", "en": "Gold mining."}),
)
RULES = DigestRules(glossary=TERMS, fields=("description", "summary", "title"), docs_dir="docs",
                    default_language="zh", length=12)
PAGE = ("---\ntitle: Mercury\ntype: page\ntrack: mercury\nsummary: One line.\n"
        "review: {status: draft, approvals: []}\n---\n\n# Mercury\n\nMercury is an element.\n\n![Photo](photo.png)\n")
FILES = {"docs/en/photo.png": b"\x89PNG one"}


def digest(text: str = PAGE, files: dict[str, bytes] = FILES, rules: DigestRules = RULES):
    page = parse_page("docs/en/page.md", "en", "page.md", text.encode("utf-8"))
    return page_digest(page, rules, files.get)


def test_the_digest_is_hash_length_hex_and_lists_what_it_covers() -> None:
    d = digest()
    assert len(d.value) == 12 and int(d.value, 16) >= 0
    assert sorted(d.parts) == ["asset:docs/en/photo.png", "body", "field:summary", "field:title", "term:mercury"]
    assert d.files == ("docs/en/photo.png",)


def test_line_endings_bom_field_order_review_and_translation_do_not_change_it() -> None:
    same = [
        PAGE.replace("\n", "\r\n"),
        "\ufeff" + PAGE,
        PAGE.replace("title: Mercury\ntype: page\n", "type: page\ntitle: Mercury\n"),
        PAGE.replace("review: {status: draft, approvals: []}", "review: {status: approved, approvals: [{by: X}]}"),
        PAGE.replace("track: mercury\n", "track: mercury\ntranslation: {from: zh, hash: abc}\n"),
    ]
    assert {digest(text).value for text in same} == {digest().value}


def test_each_covered_part_changes_it_and_is_named() -> None:
    base = digest()
    cases = {
        "field:title": digest(PAGE.replace("title: Mercury", "title: Hg")),
        "field:summary": digest(PAGE.replace("One line.", "Another line.")),
        "asset:docs/en/photo.png": digest(files={"docs/en/photo.png": b"\x89PNG two"}),
        "term:mercury": digest(rules=DigestRules(
            glossary=(TERMS[0].model_copy(update={"definition": LangText(zh="汞。", en="Hg(0).")}), TERMS[1]),
            fields=RULES.fields, docs_dir="docs", default_language="zh", length=12)),
        "body": digest(PAGE.replace("is an element", "is a metal")),
    }
    for part, changed in cases.items():
        assert changed.value != base.value, part
        assert base.changed(changed) == [part]


def test_a_missing_file_or_one_outside_docs_is_a_marker() -> None:
    text = PAGE + "\n![Gone](gone.png)\n![Out](../../../etc/passwd.png)\n[Form](/forms/x.docx)\n"
    d = digest(text)
    assert d.parts["asset:docs/en/gone.png"] == MISSING
    assert d.parts["asset:../etc/passwd.png"] == OUTSIDE  # never read
    assert d.parts["asset:/forms/x.docx"] == OUTSIDE  # site-absolute: not resolved
    assert d.files == ("docs/en/photo.png",)


def test_a_file_missing_in_this_language_is_the_default_languages() -> None:
    d = digest(files={"docs/zh/photo.png": b"\x89PNG zh"})
    assert "asset:docs/zh/photo.png" in d.parts and d.files == ("docs/zh/photo.png",)


def test_a_term_the_page_does_not_use_is_not_covered() -> None:
    other = DigestRules(glossary=(TERMS[0], TERMS[1].model_copy(update={"definition": LangText(zh="采金。", en="x")})),
                        fields=RULES.fields, docs_dir="docs", default_language="zh", length=12)
    assert digest(rules=other).value == digest().value
