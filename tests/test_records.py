"""The typed records the downloads page, the printed-material links, the offline lists and the glossary
read (kb.build.downloads, kb.print.outputs, kb.content.glossary), without a build: the manual fixture's
checks are run, and its downloads and a small glossary (tests/fixtures/glossary-records/) are read as
records, with their exact fields and order."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sitebuild import FIXTURES, make_project

from kb.build.downloads import (
    Downloads,
    ManualDownload,
    PanelSize,
    PrintedKind,
    PrintedLink,
    SingleDownload,
    SlidesDownload,
    downloads_for,
    printed_for,
)
from kb.checks.engine import run
from kb.content.glossary import GlossaryEntry, GlossaryGroup, glossary_entries, glossary_groups
from kb.print.manual import editions
from kb.print.outputs import Download, FormDownloads
from kb.print.outputs import downloads as form_downloads
from kb.project.data import ProjectData
from kb.project.settings import Settings

MODULE = "Test module: mercury in catalysts"
GENDER_MODULE = "Test gender module: introducing gender mainstreaming"
PANEL = "Test panel: reduction results"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("records") / "p", FIXTURES / "manual", FIXTURES / "glossary-records")
    kb_yml = root / "kb.yml"  # a panel size this test knows
    text = kb_yml.read_text(encoding="utf-8")
    start = text.index("  panel: {")
    end = text.index("\n", start)
    kb_yml.write_text(text[:start] + "  panel: {width_mm: 850, height_mm: 2000, bleed_mm: 3, crop_marks: true}" + text[end:],
                      encoding="utf-8")
    return root


def _downloads(project: Path, settings_for, lang: str, offline_from: Path | None = None, **env: str) -> tuple[Downloads, Settings]:
    settings = settings_for(project, **env)
    data = ProjectData(settings)
    return downloads_for(settings, data, lang, {}, run(settings, data, lang="zh"), offline_from), settings


def test_the_downloads_record_lists_both_editions_in_every_language_and_this_languages_handouts(project: Path, settings_for) -> None:
    d, settings = _downloads(project, settings_for, "en")
    title = {(m, lang): settings.manuals[m].title[lang] for m in ("mercury", "gender") for lang in ("zh", "en")}
    assert d.workbooks == tuple(
        ManualDownload(kind=PrintedKind.WORKBOOK, id=m, lang=lang, title=title[m, lang], path=f"downloads/workbook-{m}-{lang}.pdf",
                       online_only=False, released=True, edition=None, draft_path=None, draft_online_only=False)
        for lang in ("zh", "en") for m in ("mercury", "gender"))
    assert [(m.kind, m.path) for m in d.manuals] == [(PrintedKind.MANUAL, f"downloads/manual-{m}-{lang}.pdf")
                                                     for lang in ("zh", "en") for m in ("mercury", "gender")]
    assert d.handouts == (
        SingleDownload(PrintedKind.HANDOUT, GENDER_MODULE, "downloads/handouts/en/01-gender-module.pdf", "gender", True, False),
        SingleDownload(PrintedKind.HANDOUT, MODULE, "downloads/handouts/en/01-test-module.pdf", "mercury", True, False))
    assert d.slides[1] == SlidesDownload(title=MODULE, path="downloads/slides-01-test-module-en.pdf",
                                         notes_path="downloads/trainer/slides-notes-01-test-module-en.pdf",
                                         released=True, online_only=False, notes_online_only=False)
    assert d.slides[1].kind is PrintedKind.SLIDES
    assert d.panels == (SingleDownload(PrintedKind.PANEL, PANEL, "downloads/panels/en/01-test-panel.pdf", "mercury", True, False),)
    assert d.panel_size == PanelSize(width="85", height="200", bleed="3")
    assert (d.offline, d.offline_build) == ("downloads/offline-site.zip", False)


def test_a_page_links_its_modules_handout_and_slides_and_a_programme_page_its_workbook_then_guide(project: Path, settings_for) -> None:
    d, settings = _downloads(project, settings_for, "en")
    assert printed_for(settings, d, "mercury/modules/01-test-module.md", "module", "en") == (
        PrintedLink(PrintedKind.HANDOUT, MODULE, "downloads/handouts/en/01-test-module.pdf"),
        PrintedLink(PrintedKind.SLIDES, MODULE, "downloads/slides-01-test-module-en.pdf"))
    title = settings.manuals["gender"].title["en"]
    assert printed_for(settings, d, "gender/index.md", "page", "en") == (
        PrintedLink(PrintedKind.WORKBOOK, title, "downloads/workbook-gender-en.pdf"),
        PrintedLink(PrintedKind.MANUAL, title, "downloads/manual-gender-en.pdf"))
    assert printed_for(settings, d, "gender/intro.md", "page", "en") == ()
    assert printed_for(settings, d, "index.md", "page", "en") == ()


def test_a_release_lists_refused_manuals_with_their_last_edition_and_next_draft(project: Path, settings_for) -> None:
    """Release mode with every page a draft: nothing is released; the mercury guide has a last released
    edition (kept in the editions store), which stays offered at the usual address."""
    settings = settings_for(project, KB_RELEASE="1")
    pdf = project / "released.pdf"
    pdf.write_bytes(b"%PDF-1.7 a released edition")
    kept = editions.keep(settings.cache_path, pdf, "manual-mercury-en.pdf", "2026-10-01", "abc1234", "2026-10-02")
    try:
        d, settings = _downloads(project, settings_for, "en", KB_RELEASE="1")
    finally:
        for stored in (settings.cache_path / editions.STORE).glob("manual-mercury-en.pdf*"):
            stored.unlink()
    guide = next(m for m in d.manuals if (m.id, m.lang) == ("mercury", "en"))
    assert (guide.released, guide.edition, guide.draft_path, guide.offered) == (
        False, kept, "downloads/drafts/manual-mercury-en.pdf", True)
    workbook = next(m for m in d.workbooks if (m.id, m.lang) == ("mercury", "en"))
    assert (workbook.released, workbook.edition, workbook.draft_path, workbook.offered) == (
        False, None, "downloads/drafts/workbook-mercury-en.pdf", False)
    assert not any(h.released for h in d.handouts) and not any(s.released for s in d.slides)
    # the programme page offers only what is at its address: the last edition of the guide
    assert printed_for(settings, d, "mercury/index.md", "page", "en") == (
        PrintedLink(PrintedKind.MANUAL, settings.manuals["mercury"].title["en"], "downloads/manual-mercury-en.pdf"),)
    assert printed_for(settings, d, "mercury/modules/01-test-module.md", "module", "en") == ()


def test_the_offline_copys_record_marks_what_its_zip_does_not_carry(project: Path, settings_for, tmp_path: Path) -> None:
    site = tmp_path / "site"
    for built in ("downloads/workbook-mercury-en.pdf", "downloads/manual-mercury-en.pdf", "downloads/handouts/en/01-test-module.pdf"):
        (site / built).parent.mkdir(parents=True, exist_ok=True)
        (site / built).write_bytes(b"%PDF-1.7")
    d, _ = _downloads(project, settings_for, "en", offline_from=site)
    assert d.offline_build is True
    online_only = {m.path: m.online_only for m in (*d.workbooks, *d.manuals) if m.lang == "en"}
    assert online_only == {"downloads/workbook-mercury-en.pdf": False, "downloads/workbook-gender-en.pdf": True,
                           # the trainer guides never go into the zip, built or not
                           "downloads/manual-mercury-en.pdf": True, "downloads/manual-gender-en.pdf": True}
    assert [(h.path, h.online_only) for h in d.handouts] == [("downloads/handouts/en/01-gender-module.pdf", True),
                                                              ("downloads/handouts/en/01-test-module.pdf", False)]


def test_the_forms_record_lists_the_blank_forms_and_the_held_events_reports(tmp_path: Path) -> None:
    ui = {"form_sign_in": "Sign-in sheet", "form_evaluation": "Evaluation"}
    (tmp_path / "downloads" / "forms").mkdir(parents=True)
    (tmp_path / "downloads" / "forms" / "sign-in-sheet-en.pdf").write_bytes(b"%PDF-1.7")
    forms = form_downloads("en", ui, held=[("mercury/events/training-1.md", "Training 1")], offline_from=tmp_path)
    assert forms == FormDownloads(
        forms=(Download("Sign-in sheet", "downloads/forms/sign-in-sheet-en.pdf", False),
               Download("Evaluation", "downloads/forms/evaluation-en.pdf", True)),
        reports=(Download("Training 1", "downloads/reports/en/mercury--events--training-1.pdf", True),))


def test_glossary_entries_are_records_in_the_languages_order(project: Path, settings_for) -> None:
    data = ProjectData(settings_for(project))
    assert glossary_entries(data, "en") == [
        GlossaryEntry(id="annex-b", term="Annex B", other="附件 B", definition="", track="general", source=""),
        GlossaryEntry(id="catalyst", term="catalyst", other="触媒", definition="Test definition: catalyst.", track="mercury", source=""),
        GlossaryEntry(id="gender-analysis", term="gender analysis", other="性别分析", definition="", track="gender", source=""),
        GlossaryEntry(id="mercury", term="mercury", other="汞", definition="Test definition: mercury.", track="mercury",
                      source="Minamata Convention, Article 2(d)"),
        GlossaryEntry(id="vinyl-chloride", term="vinyl chloride", other="氯乙烯", definition="Test definition: vinyl chloride.",
                      track="mercury", source=""),
    ]
    # pinyin order: fu, chu, gong, lü, xing
    assert [(e.id, e.term, e.other, e.definition) for e in glossary_entries(data, "zh")] == [
        ("catalyst", "触媒", "catalyst", "测试定义：触媒。"), ("annex-b", "附件 B", "Annex B", ""), ("mercury", "汞", "mercury", "测试定义：汞。"),
        ("vinyl-chloride", "氯乙烯", "vinyl chloride", "测试定义：氯乙烯。"), ("gender-analysis", "性别分析", "gender analysis", "")]


def test_glossary_groups_follow_the_content_models_tracks_with_their_labels(project: Path, settings_for) -> None:
    data = ProjectData(settings_for(project))
    labels = yaml.safe_load((project / "data" / "content-model.yml").read_text(encoding="utf-8"))["tracks"]
    groups = glossary_groups(data, "zh")
    assert all(isinstance(g, GlossaryGroup) for g in groups)
    assert [(g.track, g.label, [e.id for e in g.entries]) for g in groups] == [
        ("mercury", labels["mercury"]["zh"], ["catalyst", "mercury", "vinyl-chloride"]),
        ("gender", labels["gender"]["zh"], ["gender-analysis"]),
        ("general", labels["general"]["zh"], ["annex-b"])]
