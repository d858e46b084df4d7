"""data/limits.yml, data/event-thresholds.yml and data/media.yml are validated once, into the records the
project reads (kb/project/schemas.py: Limits, EventLimits, MediaSettings): every mistake is refused
with ``file:line: where: what``, and the message says what to write."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, make_project

from kb.project.data import Limits, ProjectData, load_event_thresholds, load_media
from kb.project.schemas import EventLimits, shown
from kb.project.settings import SettingsError, load_settings

KINDS = ["training", "livestream", "seminar", "exhibition", "video"]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(load, path: Path) -> list[str]:
    with pytest.raises(SettingsError) as refused:
        load()
    lines = str(refused.value).split("\n")
    prefix = f"{shown(path)}:"
    assert all(line.startswith(prefix) for line in lines), lines
    return [line.removeprefix(prefix) for line in lines]


# --- limits.yml ---------------------------------------------------------------------------------------------------
def test_limits_are_whole_numbers_that_may_only_be_lowered(tmp_path: Path):
    path = _write(tmp_path, "limits.yml", "# limits\npage_bytes: 1000\nnesting: true\nline_chars: 0\n"
                  "block_chars: 2.5\nfigure_nodes: '50'\nhtml_nesting: 200\npage_byte: 10\n")
    assert _refused(lambda: Limits.load(path), path) == [  # in the order of the limits
        "4: line_chars: write a whole number from 1 to 5000 (found 0)",
        "5: block_chars: write a whole number from 1 to 20000 (found 2.5)",
        "3: nesting: write a whole number from 1 to 24 (found True)",
        "6: figure_nodes: write a whole number from 1 to 120 (found '50')",
        "7: html_nesting: may only be lowered (at most 40): the limits protect the build and a data "
        "file does not raise them",
        "8: page_byte: Extra inputs are not permitted",
    ]


def test_a_missing_or_empty_limits_file_gives_the_defaults_and_a_lowered_limit_is_kept(tmp_path: Path):
    assert Limits.load(tmp_path / "none.yml") == Limits()
    assert Limits.load(_write(tmp_path, "empty.yml", "# nothing lowered\n")) == Limits()
    lowered = Limits.load(_write(tmp_path, "limits.yml", "html_nesting: 30\nnesting: 24\n"))
    assert (lowered.html_nesting, lowered.nesting, lowered.page_bytes) == (30, 24, 300_000)
    with pytest.raises(ValueError):
        lowered.nesting = 1  # type: ignore[misc]  # a record: frozen


# --- event-thresholds.yml -----------------------------------------------------------------------------------------
def test_event_thresholds_refuse_unknown_kinds_and_thresholds_at_their_line(tmp_path: Path):
    path = _write(tmp_path, "t.yml", "mercury:\n  source: ToR section 3\n  trainin:\n    participants_min: 50\n"
                  "  seminar:\n    participant_min: 20\n")
    assert _refused(lambda: load_event_thresholds(path, KINDS), path) == [
        "3: mercury.trainin: unknown event kind trainin: write one of training, livestream, seminar, "
        "exhibition, video (event.kinds in content-model.yml)",
        "6: mercury.seminar.participant_min: Extra inputs are not permitted",
    ]


def test_event_threshold_values_are_typed(tmp_path: Path):
    path = _write(tmp_path, "t.yml", "\n".join([
        "mercury:",
        "  training:",
        "    participants_min: fifty",
        "    duration_hours_min: two",
        "    record_sections: agenda",
        "    requires_section: Minutes",
        "  livestream:",
        "    combined: {count: 2, viewers: 200}",
        "  video:",
        "    duration_minutes_min: 15",
        "    duration_minutes_max: 10",
        "gender:",
        "  training:",
        "    per_year: {min: 1, from: 2028, to: 2025}",
        "  seminar:",
        "    per_year: {min: 0, from: 2025}",
        "",
    ]))
    assert _refused(lambda: load_event_thresholds(path, KINDS), path) == [
        "3: mercury.training.participants_min: Input should be a valid integer (found 'fifty')",
        "4: mercury.training.duration_hours_min: write a number, 0 or more (found 'two')",
        "6: mercury.training.requires_section: String should match pattern '^[a-z0-9][a-z0-9-]*$' (found 'Minutes')",
        "5: mercury.training.record_sections: write a list of heading ids, such as [agenda, photos] "
        "(found 'agenda')",
        "8: mercury.livestream.combined.viewers_min: Field required",
        "8: mercury.livestream.combined.viewers: Extra inputs are not permitted",
        "9: mercury.video: duration_minutes_min (15) is more than duration_minutes_max (10): write the "
        "smaller number as duration_minutes_min",
        "14: gender.training.per_year: to (2025) is before from (2028): write the first year as from",
        "16: gender.seminar.per_year.min: Input should be greater than or equal to 1",
        "16: gender.seminar.per_year.to: Field required",
    ]


def test_event_thresholds_are_read_as_written(tmp_path: Path):
    path = _write(tmp_path, "t.yml", "mercury:\n  source: ToR\n  livestream:\n    duration_hours_min: 2\n"
                  "    record_sections: [agenda, summary]\n    combined: {count: 2, viewers_min: 200}\n"
                  "gender:\n  training:\n    per_year: {min: 1, from: 2025, to: 2028}\n")
    limits = load_event_thresholds(path, KINDS)
    assert sorted(limits) == [("gender", "training"), ("mercury", "livestream")]
    livestream = limits[("mercury", "livestream")]
    assert livestream.duration_hours_min == 2 and isinstance(livestream.duration_hours_min, int)  # findings quote "2"
    assert livestream.record_sections == ("agenda", "summary")
    assert (livestream.combined.count, livestream.combined.viewers_min) == (2, 200)
    per_year = limits[("gender", "training")].per_year
    assert (per_year.held_min, per_year.first_year, per_year.last_year) == (1, 2025, 2028)
    assert load_event_thresholds(_write(tmp_path, "empty.yml", "# none yet\n"), KINDS) == {}
    assert EventLimits().record_sections == () and EventLimits().combined is None


def test_the_projects_validation_reports_the_thresholds_with_the_content_models_kinds(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic")
    thresholds = project / "data" / "event-thresholds.yml"
    text = thresholds.read_text(encoding="utf-8")
    line = text[:text.index("\n  seminar:\n")].count("\n") + 2
    thresholds.write_text(text.replace("\n  seminar:\n", "\n  seminars:\n"), encoding="utf-8")
    data = ProjectData(load_settings(project, environ={"KB_TODAY": TODAY}))
    kinds = ", ".join(data.model.event.kinds)
    with pytest.raises(SettingsError) as refused:
        data.validate()
    assert str(refused.value) == (f"{shown(thresholds)}:{line}: mercury.seminars: unknown event kind seminars: "
                                  f"write one of {kinds} (event.kinds in content-model.yml)")


# --- media.yml ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["/etc", "../outside", ".", "media/../.."])
def test_the_media_folder_must_be_inside_the_project(tmp_path: Path, where: str):
    path = _write(tmp_path, "media.yml", f"# videos\npath: {where}\nurl: null\n")
    assert _refused(lambda: load_media(path, tmp_path / "project"), path) == [
        f"2: path: must be a folder inside the project, not {where} (the build copies its files into "
        "the site): write a folder such as media"]


def test_media_settings_are_typed(tmp_path: Path):
    path = _write(tmp_path, "media.yml", "\n".join([
        "path: 7",
        "url: media.example.org.cn/kb",
        "subtitles:",
        "  max_line_chars: {zh: 0, fr: 40}",
        "  max_lines: -1",
        "  end_margin_seconds: soon",
        "",
    ]))
    assert _refused(lambda: load_media(path, tmp_path), path) == [
        "1: path: write the folder of the video files, such as media (found 7)",
        "2: url: write a base URL such as https://media.example.org.cn/kb/, or null "
        "(found 'media.example.org.cn/kb')",
        "4: subtitles.max_line_chars.zh: Input should be greater than 0",
        "4: subtitles.max_line_chars.fr: Input should be 'zh' or 'en' (found 'fr')",
        "5: subtitles.max_lines: Input should be greater than or equal to 0",
        "6: subtitles.end_margin_seconds: Input should be a valid number (found 'soon')",
    ]


def test_media_settings_resolve_the_folder_and_keep_the_defaults(tmp_path: Path):
    media = load_media(_write(tmp_path, "media.yml", "# all defaults\n"), tmp_path)
    assert (media.path, media.url) == (tmp_path / "media", None)
    assert (media.subtitles.max_line_chars, media.subtitles.max_lines, media.subtitles.end_margin_seconds) == ({}, 2, 30.0)
    media = load_media(_write(tmp_path, "media.yml", "path: videos/final\nurl: https://media.example.org.cn/kb/\n"
                              "subtitles: {max_line_chars: {zh: 16}, end_margin_seconds: 10}\n"), tmp_path)
    assert (media.path, media.url) == (tmp_path / "videos" / "final", "https://media.example.org.cn/kb/")
    assert media.subtitles.max_line_chars == {"zh": 16} and media.subtitles.end_margin_seconds == 10.0
