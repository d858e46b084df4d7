"""kb.yml is validated by the pydantic models of kb/project/settings.py: mistakes are a SettingsError that
names the file and the key, never a traceback; the environment overrides still apply."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kb.project.settings import REPO_ROOT, SettingsError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "kb.yml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_projects_settings_declare_one_manual_per_programme() -> None:
    settings = load_settings(REPO_ROOT, environ={"KB_TODAY": "2026-11-21", "KB_RELEASE": "1", "KB_PDF": "0"})
    assert {mid: spec.track for mid, spec in settings.manuals.items()} == {"mercury": "mercury", "gender": "gender"}
    assert settings.manuals["mercury"].types == ("module", "policy", "case")
    assert settings.today == dt.date(2026, 11, 21) and settings.release and not settings.pdf
    assert settings.print.panel.bleed_mm > 0 and settings.print.panel.crop_marks
    assert settings.replace(release=False).release is False


@pytest.mark.parametrize(("text", "message"), [
    ("colour: red\n", "unknown setting(s) colour"),
    ("manuals:\n  m:\n    track: mercury\n    title: {zh: 手册, en: Manual}\n    colour: red\n", "unknown setting 'manuals.m.colour'"),
    ("manuals:\n  m:\n    track: mercury\n    title: {zh: 手册}\n", "manuals.m.title needs one text per language"),
    ("manuals:\n  Bad Id:\n    track: mercury\n    title: {zh: a, en: b}\n", "'manuals.Bad Id.[key]': String should match pattern"),
    ("print:\n  panel: {bleed_mm: -1}\n", "'print.panel.bleed_mm': Input should be greater than or equal to 0"),
    # slides read from the back of a room: no minimum type size under 18 pt
    ("print:\n  slides: {min_font_pt: 12}\n", "'print.slides.min_font_pt': Input should be greater than or equal to 18"),
    ("print:\n  slides: {min_font_pt: big}\n", "'print.slides.min_font_pt': Input should be a valid number"),
    ("languages: zh\n", "'languages'"),
    ("default_language: fr\n", "default_language 'fr' is not in languages"),
    ("docs_dir: ''\n", "'docs_dir'"),
    ("[not, a, mapping]\n", "expected a mapping of settings"),
    ("preview_url: http://preview.example.org/pr-{pr}/\n", "preview_url 'http://preview.example.org/pr-{pr}/' must be an https:// address"),
    ("preview_url: https://preview.example.org/\n", "must hold {pr} exactly once"),
    ("preview_url: https://preview.example.org/{pr}/{branch}/\n", "must hold {pr} exactly once (the pull request's number) and no other braces"),
    ("preview_url: 'https://preview.example.org/pr-{pr}/\"><script>'\n", "must be an https:// address"),
])
def test_mistakes_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path, text), environ={})
    assert str(err.value).startswith(str(tmp_path / "kb.yml")) and message in str(err.value), str(err.value)


def test_a_bad_date_in_the_environment_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="KB_TODAY='soon' is not a date"):
        load_settings(write(tmp_path, "docs_dir: docs\n"), environ={"KB_TODAY": "soon"})


def test_a_manual_naming_an_unknown_track_or_type_is_a_settings_error(tmp_path: Path) -> None:
    from bench.sample import copy_project
    from kb.project.data import ProjectData

    root = copy_project(tmp_path)
    text = (root / "kb.yml").read_text(encoding="utf-8")
    (root / "kb.yml").write_text(text.replace("track: gender\n", "track: gendre\n"), encoding="utf-8")
    settings = load_settings(root, environ={})
    model = ProjectData(settings).model
    with pytest.raises(SettingsError, match=r"kb\.yml: 'manuals\.gender\.track': unknown track 'gendre'"):
        settings.check_manuals(model.tracks, model.types)
    (root / "kb.yml").write_text(text.replace("types: [module, policy, case]", "types: [module, policies]", 1), encoding="utf-8")
    settings = load_settings(root, environ={})
    with pytest.raises(SettingsError, match=r"'manuals\.mercury\.types': unknown content type\(s\) policies"):
        settings.check_manuals(model.tracks, model.types)
    load_settings(REPO_ROOT, environ={}).check_manuals(model.tracks, model.types)  # the project's own are fine


def test_a_preview_address_with_the_pull_requests_number_is_accepted(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "preview_url: https://preview.example.org/pr-{pr}/\n"), environ={})
    assert settings.preview_url == "https://preview.example.org/pr-{pr}/"
    assert load_settings(write(tmp_path, ""), environ={}).preview_url is None
