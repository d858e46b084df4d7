"""data/forms.yml, data/gender-targets.yml and data/sections.yml are validated once, into the records
the project reads (kb/project/schemas.py: Forms, GenderTargets, Sections): a mistake is refused with
``file:line: where: what`` before anything is printed or scaffolded, never a traceback in the PDF step."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.content import figures
from kb.project.schemas import Forms, GenderTargets, Sections, load_record, shown
from kb.project.settings import SettingsError

REPO = Path(__file__).resolve().parent.parent


def _refused(path: Path, schema: type) -> list[str]:
    with pytest.raises(SettingsError) as refused:
        load_record(path, schema)
    prefix = f"{shown(path)}:"
    lines = str(refused.value).split("\n")
    assert all(line.startswith(prefix) for line in lines), lines
    return [line.removeprefix(prefix) for line in lines]


def _edited(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    """The project's data file *name* with the first *old* (outside comments) replaced; its line."""
    lines = (REPO / "data" / name).read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if old in line and not line.lstrip().startswith("#"))
    lines[number] = lines[number].replace(old, new, 1)
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, number + 1


def test_a_misspelt_form_key_and_a_wrong_orientation_are_refused_with_their_lines(tmp_path: Path):
    path, rows = _edited(tmp_path, "forms.yml", "  rows: 10", "  row: 10")
    text = path.read_text(encoding="utf-8").replace("  page: portrait", "  page: portait", 1)
    page = text[:text.index("  page: portait")].count("\n") + 1
    path.write_text(text, encoding="utf-8")
    form = text[:text.index("sign-in:")].count("\n") + 1
    assert _refused(path, Forms) == [
        f"{form}: sign-in.rows: Field required",  # a missing key is reported at its form's line
        f"{rows}: sign-in.row: Extra inputs are not permitted",
        f"{page}: evaluation.page: Input should be 'portrait' or 'landscape' (found 'portait')",
    ]


def test_forms_read_as_records():
    forms = load_record(REPO / "data" / "forms.yml", Forms)
    assert forms.form("sign-in") is forms.sign_in and forms.form("evaluation") is forms.evaluation
    assert forms.sign_in.page == "landscape" and forms.sign_in.rows >= 1
    assert [c.width for c in forms.sign_in.columns] and forms.score_sheet.sex[0].in_lang("en")


def test_a_target_given_in_per_cent_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "gender-targets.yml"
    path.write_text("women_share:\n  gender:\n    target: 40\n    source: GAP 2024, section 3\n  mercury:\n    targte: 0.3\n",
                    encoding="utf-8")
    assert _refused(path, GenderTargets) == [
        "3: women_share.gender.target: a fraction between 0 and 1 (0.4 for 40 %), not 40.0",
        "6: women_share.mercury.targte: Extra inputs are not permitted",
    ]


def test_a_target_without_a_number_is_a_gap_the_figures_show():
    record = GenderTargets.model_validate({"women_share": {"gender": {"target": None, "source": None},
                                                           "mercury": {"target": 0.3, "source": "worked example"}}})
    drawn = figures.targets(record)
    assert drawn["gender"] == figures.Target(None, None, listed=True)
    assert drawn["mercury"] == figures.Target(0.3, "worked example", listed=True)


def test_a_gap_text_that_would_break_the_new_page_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "sections.yml"
    path.write_text("headings:\n  background:\n    zh: 背景\n    en: Background\n    gap:\n      zh: 写背景\n"
                    "      en: 'write the background # here'\n", encoding="utf-8")
    assert _refused(path, Sections) == [
        "7: headings.background.gap.en: heading texts must not contain [ ] { } # or line breaks",
    ]


def test_sections_give_headings_and_gap_markers():
    sections = Sections.model_validate({"headings": {"a": {"zh": "甲", "en": "A", "gap": {"zh": "写甲", "en": "write A"}},
                                                     "b": {"zh": "乙", "en": "B"}}})
    assert sections.heading("a", "en") == "A" and sections.heading("zz", "en") is None
    assert sections.gap("a", "zh") == "写甲" and sections.gap("b", "en") == "B" and sections.gap("zz", "en") == "zz"
    assert sections.page_gap("en") == "content"
