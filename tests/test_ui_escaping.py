"""Interface strings (data/ui.yml) come from pull requests too: written into a CSS string (the manuals'
page footer, "see page N") they cannot end the string or the style sheet, whatever characters they
hold (a carriage return, a quote, a backslash, </style>); written into an HTML attribute or text of the
site they are escaped; their placeholders are plain names, filled by name, so a string cannot stop a
build or reach into an object."""

from __future__ import annotations

import html.parser
import re
import subprocess
from pathlib import Path

import pytest
import tinycss2
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from sitebuild import FIXTURES, REPO, build, make_project

from kb.print.manual.assemble import css_string, make_env
from kb.project.data import ProjectData
from kb.project.settings import SettingsError, load_settings
from kb.project.templating import fill

# ends a CSS string (CR, LF, FF, a quote), escapes (backslash), ends the element (</style>), and a line separator
HOSTILE = 'x"\r} body { display: none } a::after { content: "\\</style><script>alert(1)</script>\n\'&\f\u2028y'
UI = {"manual_organisation": "FECO", "manual_version": "Version", "manual_page_footer": "Page {page} of {pages}",
      "manual_see_page": " (see page {page})", "manual_answers_for": "Exercises on page {page}"}


def _strings(tokens: list) -> list[str]:
    return [t.value for t in tokens if t.type == "string"]


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0")))
def test_any_text_is_one_css_string_that_reads_back_as_itself(text: str):
    rules = tinycss2.parse_stylesheet(f"a::after {{ content: {css_string(text)}; }}", skip_whitespace=True)
    assert [r.type for r in rules] == ["qualified-rule"]
    declarations = [d for d in tinycss2.parse_declaration_list(rules[0].content, skip_whitespace=True)]
    assert [d.type for d in declarations] == ["declaration"]
    assert _strings(declarations[0].value) == [text]
    assert "</" not in css_string(text) and "<" not in css_string(text)


def _document_style(ui: dict[str, str], parts: bool) -> str:
    rendered = make_env(REPO / "overrides" / "manual").get_template("document.html").render(
        html_lang="en", ui=ui, kind="manual", created="2026-11-21", description="d", title="T", version="v1",
        version_placeholder="kb-version", watermark="<svg xmlns='http://www.w3.org/2000/svg'/>", parts=parts)
    assert rendered.count("</style>") == 1 and rendered.count("<style>") == 1
    return rendered[rendered.index("<style>") + len("<style>"):rendered.index("</style>")]


def _shape(css: str) -> list[tuple[str, str, list[str]]]:
    """Each rule's prelude and its declarations' names (the at-rules' nested ones too), errors included."""
    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        assert rule.type != "error", rule
        prelude = tinycss2.serialize(rule.prelude).strip()
        body = tinycss2.parse_blocks_contents(rule.content or [], skip_whitespace=True) if rule.content else []
        assert all(item.type != "error" for item in body), body
        out.append((getattr(rule, "at_keyword", "") or "", prelude,
                    [getattr(item, "name", "") or getattr(item, "at_keyword", "") for item in body]))
    return out


@pytest.mark.parametrize("parts", [False, True])
def test_the_manuals_style_sheet_keeps_its_rules_whatever_the_interface_strings_hold(parts: bool):
    hostile = {**UI, "manual_page_footer": f"Page {{page}} of {{pages}} {HOSTILE}", "manual_see_page": HOSTILE,
               "manual_answers_for": f"{HOSTILE} {{page}}"}
    assert _shape(_document_style(hostile, parts)) == _shape(_document_style(UI, parts))
    css = _document_style(hostile, parts)
    see = next(r for r in tinycss2.parse_stylesheet(css, skip_whitespace=True) if r.type == "qualified-rule"
               and "kb-xref" in tinycss2.serialize(r.prelude))
    (declaration,) = [d for d in tinycss2.parse_declaration_list(see.content, skip_whitespace=True) if d.type == "declaration"]
    assert _strings(declaration.value)[0] == HOSTILE


def test_placeholders_are_filled_by_name_and_nothing_else():
    assert fill("Page {page} of {pages}", page=3, pages=9) == "Page 3 of 9"
    assert fill("{page} {unknown} {page.__class__} {0}", page=3) == "3 {unknown} {page.__class__} {0}"
    assert fill("{year}-{month:02d} {{literal}}", year=2026, month=3) == "2026-03 {literal}"
    assert fill("{page:>999999999}", page=3) == "{page:>999999999}"  # no spec that asks for a huge width


def test_an_interface_string_naming_a_field_no_code_gives_does_not_stop_the_build(tmp_path: Path):
    project = make_project(tmp_path / "p")
    ui_file = project / "data" / "ui.yml"
    ui = yaml.safe_load(ui_file.read_text(encoding="utf-8"))
    for lang in ("zh", "en"):
        ui[lang]["copy_for"] = "{org} {evil} {name}"  # a pull request's string: {evil} is given by nobody
    ui_file.write_text(yaml.safe_dump(ui, allow_unicode=True), encoding="utf-8")
    loaded = ProjectData(load_settings(project, environ={"KB_TODAY": "2026-11-21"})).ui
    assert loaded["en"]["copy_for"].format(org="UNIDO", name="United Nations") == "UNIDO {evil} United Nations"


@pytest.mark.parametrize(("value", "problem"), [
    ("{page.__class__}", "placeholder {page.__class__} is not a plain name: write {name}"),
    ("{0[0]}", "placeholder {0[0]} is not a plain name: write {name}"),
    ("Page {page", "braces: expected '}' before end of string"),
])
def test_an_interface_string_whose_placeholder_is_not_a_name_is_refused_with_its_line(tmp_path: Path, value: str,
                                                                                     problem: str):
    project = make_project(tmp_path / "p")
    ui_file = project / "data" / "ui.yml"
    lines = ui_file.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("  manual_see_page:") and i > 200)  # the en one
    lines[at] = f"  manual_see_page: {yaml.safe_dump(value, allow_unicode=True).strip().removesuffix('...').strip()}"
    ui_file.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        ProjectData(load_settings(project, environ={"KB_TODAY": "2026-11-21"})).validate()
    assert f"data/ui.yml:{at + 1}: en.manual_see_page: {problem}" in str(refused.value)


# --- built output --------------------------------------------------------------------------------------------------
class _Elements(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


# the same in ui.yml, whose placeholders are {name} and whose braces are written twice
FOOTER_HOSTILE = 'x"\r}} body {{ display: none }} a::after {{ content: "\\</style><script>alert(1)</script>\n\'&\f\u2028y'
ATTRIBUTE_HOSTILE = '"><img src=x onerror=alert(1)><meta http-equiv="refresh" content="0;url=https://evil.example/">'


def _hostile_ui(project: Path) -> None:
    ui_file = project / "data" / "ui.yml"
    ui = yaml.safe_load(ui_file.read_text(encoding="utf-8"))
    for lang in ("zh", "en"):
        ui[lang]["manual_page_footer"] = f"Page {{page}} of {{pages}} {FOOTER_HOSTILE}"
        ui[lang]["offline_saving"] = ATTRIBUTE_HOSTILE + " {done} / {total}"
        ui[lang]["report_problem"] = ATTRIBUTE_HOSTILE
    ui_file.write_text(yaml.safe_dump(ui, allow_unicode=True), encoding="utf-8")


@pytest.mark.build
@pytest.mark.pdf
def test_hostile_interface_strings_reach_the_pages_and_the_manuals_as_text(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic", site=True)
    _hostile_ui(project)
    build(project, pdf=True)
    page = (project / "site" / "mercury" / "low-mercury" / "index.html").read_text(encoding="utf-8")
    parsed = _Elements()
    parsed.feed(page)
    assert not [attrs for tag, attrs in parsed.elements if tag == "img" and attrs.get("src") == "x"]
    assert not [attrs for tag, attrs in parsed.elements if tag == "meta" and attrs.get("http-equiv") == "refresh"]
    offline = [attrs for tag, attrs in parsed.elements if "data-saving" in attrs]
    assert [attrs["data-saving"] for attrs in offline] == [ATTRIBUTE_HOSTILE + " {done} / {total}"]
    assert [attrs["aria-label"] for tag, attrs in parsed.elements if tag == "aside" and "kb-report" in (attrs.get("class") or "")] \
        == [ATTRIBUTE_HOSTILE]
    for lang in ("zh", "en"):
        pdf = project / "site" / "downloads" / f"manual-mercury-{lang}.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        pages = [re.sub(r"\s+", "", p) for p in text.split("\f")[:-1]]  # the footer wraps: white space dropped
        # the footer is printed as written on every page after the cover, and nothing it holds hid the body
        numbered = [p for p in pages if re.search(r"(?:Page|第)\d+(?:of|页/共)\d+", p)]
        assert len(numbered) == len(pages) - 1 >= 2
        assert all('}}body{{display:none}}a::after{{content:"\\</style><script>alert(1)</script>' in p for p in numbered)
        assert ("Appendix:reviewrecord" if lang == "en" else "附录：审校记录") in pages[-1]


def test_an_empty_watermark_string_draws_an_empty_watermark():
    svg = make_env(REPO / "overrides" / "manual").get_template("watermark.html").render(
        text="", lang="en", width=210, height=297, angle=54.7)
    assert "<text" in svg and "></text>" in svg
