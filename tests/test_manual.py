"""The PDF manuals, handouts and panels (kb/print/manual), checked in the PDFs a real build writes.

A small bilingual fixture site (tests/fixtures/manual/docs/) is built twice with KB_PDF=1 in a copy
of the project (mkdocs.yml without its nav, kb.yml, data/, overrides/, hooks/, kb/, docs/assets/);
the second build must reuse every PDF from the cache. The PDFs are read with pypdf, pdftotext,
pdffonts and fontTools.

Glyph coverage method: for every font of every PDF, the ToUnicode CMap (which WeasyPrint writes for
exactly the glyphs it shows) is read with pypdf and the embedded font program with fontTools. Each
glyph shown must exist in the program and draw something (a missing character comes out as a code
outside the font, e.g. 0xFFFF, even though pdftotext still prints the right character, so comparing
extracted text alone proves nothing), and every character pdftotext extracts must be mapped by such
a glyph. Simplified forms: the glyph shown for 令 命 遍 骨 must be the one Noto Sans CJK SC's cmap
chooses, not Noto Sans CJK JP's (they differ for these four).
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from fontTools.ttLib import TTCollection, TTFont
from pypdf import PdfReader
from reviewcopy_signing import DigitalId

from bench.sample import copy_project
from kb.build import generator

pytestmark = pytest.mark.pdf  # renders PDFs with WeasyPrint: not in the fast lane

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "manual"
TODAY = "2026-11-21"
UI = yaml.safe_load((REPO / "data" / "ui.yml").read_text(encoding="utf-8"))
KB = yaml.safe_load((REPO / "kb.yml").read_text(encoding="utf-8"))
MM = 72 / 25.4
LANGS = ("zh", "en")
MANUALS = ("mercury", "gender")

MODULE = {"zh": "测试模块：触媒用汞管理", "en": "Test module: mercury in catalysts"}
CASE = {"zh": "测试案例：台账核对", "en": "Test case: reconciling the ledger"}
GENDER = {"zh": "测试性别模块：性别主流化入门", "en": "Test gender module: introducing gender mainstreaming"}
PANEL = {"zh": "测试展板：减汞成效", "en": "Test panel: reduction results"}
HOME = {"zh": "测试手册首页", "en": "Test manual home"}
ANSWER_TEXT = {"zh": "答案甲乙丙", "en": "answer alpha bravo charlie"}
WATERMARK = {"zh": "草稿", "en": "DRAFT"}
# text that only one page has: which manual may print it (None: no training manual)
ONLY_ON = {
    "mercury": {"zh": ["台账必须与采购记录一致", "某测试企业核对触媒用汞台账"],
                "en": ["The ledger must agree", "A test enterprise reconciles"]},
    "gender": {"zh": ["性别模块专用文字子丑"], "en": ["Gender module text november"]},
    None: {"zh": ["指南页面专用文字辛壬", "活动记录专用文字癸", "报告模板专用文字寅卯", "隐藏页面专用文字丁戊",
                  "本页是 PDF 手册测试站点的首页"],
           "en": ["Guide page text kilo lima", "Event record text mike", "Report template text oscar",
                  "Hidden page text", "This is the home page of the PDF manual test site"]},
}
GLOSSARY_DEFINITION = {  # a term each programme's pages use, from data/glossary.yml
    "mercury": {"zh": "《水俣公约》所称的汞指元素汞", "en": "Under the Minamata Convention, elemental mercury"},
    "gender": {"zh": "评估任何计划行动（包括立法、政策或方案）", "en": "The process of assessing the implications for women and men"},
}
WEB_INTERFACE = ["跳转至", "Skip to content", "编辑此页", "Edit this page", "Permanent link", "¶",
                 "审校状态：", "Review status:", UI["zh"]["review_draft"], UI["en"]["review_draft"],
                 UI["zh"]["review_in_review"], UI["en"]["review_in_review"]]


# --- building the fixture site -------------------------------------------------------------------------------
def make_project(dest: Path) -> Path:
    copy_project(dest, site=True)
    shutil.copytree(FIXTURE / "docs", dest / "docs", dirs_exist_ok=True)
    return dest


def build(project: Path, *args: str, release: bool = False) -> str:
    env = {**os.environ, "KB_PDF": "1", "KB_TODAY": TODAY}
    env.pop("KB_RELEASE", None)
    if release:
        env["KB_RELEASE"] = "1"
    proc = subprocess.run([*generator.command("build"), *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stderr + proc.stdout


def manual_paths(site: Path) -> dict[tuple[str, str], Path]:
    return {(m, lang): site / "downloads" / f"manual-{m}-{lang}.pdf" for m in MANUALS for lang in LANGS}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    project = make_project(tmp_path_factory.mktemp("manual") / "project")
    first = build(project)
    cache = project / ".cache" / "pdf"
    cached_before = sorted(p.name for p in cache.iterdir())
    second = build(project)
    site = project / "site"
    return SimpleNamespace(
        project=project, site=site, first=first, second=second, cache=cache, cached_before=cached_before,
        manuals=manual_paths(site),
        manual={lang: site / "downloads" / f"manual-mercury-{lang}.pdf" for lang in LANGS},
        handout={lang: site / "downloads" / "handouts" / lang / "01-test-module.pdf" for lang in LANGS},
        panel={lang: site / "downloads" / "panels" / lang / "01-test-panel.pdf" for lang in LANGS},
    )


# --- reading PDFs -------------------------------------------------------------------------------------------------
def pages_text(pdf: Path, raw: bool = False) -> list[str]:
    args = ["pdftotext", *(["-raw"] if raw else []), str(pdf), "-"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def squash(text: str) -> str:
    """Text without white space, and without the hyphens of words hyphenated at a line end."""
    return re.sub(r"\s+", "", re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", text))


def outline(pdf: Path) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) of every bookmark, in order."""
    reader = PdfReader(pdf)
    found: list[tuple[int, str, int]] = []

    def walk(items: list, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 1)
    return found


def bookmark_page(pdf: Path, title: str, level: int | None = None) -> int:
    pages = [p for lv, t, p in outline(pdf) if t == title and (level is None or lv == level)]
    assert pages, f"no bookmark {title!r} in {pdf.name}: {outline(pdf)}"
    return pages[0]


def pdffonts(pdf: Path) -> list[dict[str, str]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    rows = []
    for line in out[2:]:
        parts = line.split()
        # name type... encoding emb sub uni objectID gen
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def parse_tounicode(data: str) -> dict[int, str]:
    mapping: dict[int, str] = {}

    def text(hexstr: str) -> str:
        return bytes.fromhex(hexstr).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            mapping[int(src, 16)] = text(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])", block):
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if dst.startswith("["):
                for i, item in enumerate(re.findall(r"<([0-9a-fA-F]*)>", dst)):
                    mapping[lo_i + i] = text(item)
            else:
                base = bytes.fromhex(dst[1:-1])
                for i in range(hi_i - lo_i + 1):
                    mapping[lo_i + i] = (base[:-1] + bytes([base[-1] + i])).decode("utf-16-be")
    return mapping


DRAWING_FREE = {"endchar", "hstem", "vstem", "hstemhm", "vstemhm", "hintmask", "cntrmask"}


@dataclasses.dataclass
class EmbeddedFont:
    name: str
    tounicode: dict[int, str]
    font: TTFont

    def draws(self, code: int) -> bool:
        """Does glyph *code* (CID / glyph id, Identity encoding) exist in the program and draw something?"""
        order = self.font.getGlyphOrder()
        if code <= 0 or code >= len(order):
            return False
        name = order[code]
        if "CFF " in self.font:
            charstring = self.font["CFF "].cff.topDictIndex[0].CharStrings[name]
            charstring.decompile()
            return any(isinstance(op, str) and op not in DRAWING_FREE for op in charstring.program)
        glyph = self.font["glyf"][name]
        return glyph.numberOfContours != 0


def embedded_fonts(pdf: Path) -> dict[str, EmbeddedFont]:
    reader = PdfReader(pdf)
    fonts: dict[str, EmbeddedFont] = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        stack = [resources]
        while stack:  # fonts of the page and of its form XObjects (SVG images)
            res = stack.pop().get_object()
            for font in (res.get("/Font") or {}).values():
                font = font.get_object()
                name = str(font["/BaseFont"])
                if name in fonts:
                    continue
                assert font["/Subtype"] == "/Type0", f"{pdf.name}: unexpected font type {font['/Subtype']} ({name})"
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant["/FontDescriptor"].get_object()
                program = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
                assert program is not None, f"{pdf.name}: font {name} is not embedded"
                fonts[name] = EmbeddedFont(name, parse_tounicode(font["/ToUnicode"].get_object().get_data().decode()),
                                           TTFont(io.BytesIO(program.get_object().get_data())))
            for xobject in (res.get("/XObject") or {}).values():
                xobject = xobject.get_object()
                if xobject.get("/Resources") is not None:
                    stack.append(xobject["/Resources"])
    return fonts


def all_pdfs(built: SimpleNamespace) -> list[Path]:
    return sorted((built.site / "downloads").rglob("*.pdf"))


# --- outputs ----------------------------------------------------------------------------------------------------------
def test_every_pdf_is_written_with_its_page_size(built: SimpleNamespace) -> None:
    a4 = (210 * MM, 297 * MM)
    banner = (800 * MM, 1800 * MM)  # the trim box (kb.yml print.panel); the media box adds the bleed
    for lang in LANGS:
        sizes = [*((built.manuals[m, lang], a4) for m in MANUALS), (built.handout[lang], a4), (built.panel[lang], banner)]
        for pdf, size in sizes:
            assert pdf.is_file(), pdf
            for page in PdfReader(pdf).pages:
                assert float(page.trimbox.width) == pytest.approx(size[0], abs=1)
                assert float(page.trimbox.height) == pytest.approx(size[1], abs=1)
        assert len(PdfReader(built.panel[lang]).pages) == 1  # a banner is one sheet
    # nothing else (no combined manual of both programmes), and no temporary files left behind
    assert sorted(p.relative_to(built.site / "downloads").as_posix() for p in all_pdfs(built)) == [
        # the blank forms (kb/print/forms.py, tested in tests/test_events.py)
        "forms/evaluation-en.pdf", "forms/evaluation-zh.pdf", "forms/sign-in-sheet-en.pdf", "forms/sign-in-sheet-zh.pdf",
        "handouts/en/01-gender-module.pdf", "handouts/en/01-test-module.pdf",
        "handouts/zh/01-gender-module.pdf", "handouts/zh/01-test-module.pdf",
        "manual-gender-en.pdf", "manual-gender-zh.pdf", "manual-mercury-en.pdf", "manual-mercury-zh.pdf",
        "panels/en/01-test-panel.pdf", "panels/zh/01-test-panel.pdf",
        # each module's slides and their notes pages (kb/print/manual/slides.py, tested in tests/test_slides.py)
        "slides-01-gender-module-en.pdf", "slides-01-gender-module-zh.pdf",
        "slides-01-test-module-en.pdf", "slides-01-test-module-zh.pdf",
        "trainer/slides-notes-01-gender-module-en.pdf", "trainer/slides-notes-01-gender-module-zh.pdf",
        "trainer/slides-notes-01-test-module-en.pdf", "trainer/slides-notes-01-test-module-zh.pdf",
        # the participant workbooks (tests/test_editions.py)
        "workbook-gender-en.pdf", "workbook-gender-zh.pdf", "workbook-mercury-en.pdf", "workbook-mercury-zh.pdf",
    ]
    assert not [p for p in (built.site / "downloads").rglob("*") if p.name.endswith(".tmp")]


def test_second_build_reuses_every_pdf_from_the_cache(built: SimpleNamespace) -> None:
    assert "kb manual: 22 PDFs rendered, 0 reused" in built.first
    assert "kb manual: 0 PDFs rendered, 22 reused" in built.second
    assert sorted(p.name for p in built.cache.iterdir()) == built.cached_before


@pytest.mark.parametrize("manual", MANUALS)
@pytest.mark.parametrize("lang", LANGS)
def test_outline_holds_only_the_programmes_chapters(built: SimpleNamespace, manual: str, lang: str) -> None:
    pdf = built.manuals[manual, lang]
    marks = outline(pdf)
    titles = [t for _, t, _ in marks]
    mine = [MODULE[lang], CASE[lang]] if manual == "mercury" else [GENDER[lang]]
    others = [GENDER[lang]] if manual == "mercury" else [MODULE[lang], CASE[lang]]
    for title in mine:
        assert title in titles, (title, titles)
    for title in [*others, PANEL[lang], HOME[lang], "测试指南页", "Test guide page", "测试活动记录", "Test event record",
                  "测试报告模板", "Test report template"]:
        assert title not in titles, (title, titles)
    text = "\n".join(pages_text(pdf))
    other = "gender" if manual == "mercury" else "mercury"
    for expected in ONLY_ON[manual][lang]:
        assert expected in text, expected
    for absent in [*ONLY_ON[other][lang], *ONLY_ON[None][lang]]:
        assert absent not in text, absent
    # the glossary appendix holds the terms the programme's pages use, not the other programme's
    assert squash(GLOSSARY_DEFINITION[manual][lang]) in squash(text)
    assert squash(GLOSSARY_DEFINITION[other][lang]) not in squash(text)
    # appendices and review record close the outline
    assert titles[-1] == UI[lang]["manual_review_record"]


@pytest.mark.parametrize("lang", LANGS)
def test_cover_and_metadata(built: SimpleNamespace, lang: str) -> None:
    ui = UI[lang]
    spec = KB["manuals"]["mercury"]
    cover = pages_text(built.manual[lang])[0]
    edition = "2026 年 11 月 21 日" if lang == "zh" else "2026-11-21"
    # mercury: module, case (and in Chinese the Chinese-only policy page) and the glossary; none approved
    review = "草稿：共 4 页，其中 4 页尚未批准" if lang == "zh" else "Draft: 3 of 3 pages not yet approved"
    partner = "联合国工业发展组织（UNIDO）" if lang == "zh" else "United Nations Industrial Development Organization (UNIDO)"
    for text in (ui["manual_programme"], spec["title"][lang], spec["subtitle"][lang], edition, "unversioned", review,
                 ui["manual_organisation"], partner):
        assert squash(text) in squash(cover), (text, cover)
    assert "UNDP" not in cover
    reader = PdfReader(built.manual[lang])
    meta = reader.metadata
    # the title a PDF reader shows names the edition (ADR 0017)
    assert meta.title == f"{spec['title'][lang]} · {ui['manual_edition_guide']}"
    workbook = PdfReader(built.manual[lang].with_name(built.manual[lang].name.replace("manual-", "workbook-")))
    assert workbook.metadata.title == f"{spec['title'][lang]} · {ui['manual_edition_workbook']}"
    assert meta.author == ui["manual_organisation"]
    assert meta.subject == f"{spec['title'][lang]} · {spec['subtitle'][lang]}"


@pytest.mark.parametrize("lang", LANGS)
def test_pdfs_are_tagged_with_language_and_title_shown(built: SimpleNamespace, lang: str) -> None:
    for pdf in [*(built.manuals[m, lang] for m in MANUALS), built.handout[lang], built.panel[lang]]:
        root = PdfReader(pdf).trailer["/Root"]
        assert root["/Lang"] == ("zh-CN" if lang == "zh" else "en"), pdf.name
        assert bool(root["/MarkInfo"]["/Marked"]), pdf.name
        tree = root["/StructTreeRoot"].get_object()
        kids = tree["/K"]
        kids = kids if isinstance(kids, list) else [kids]
        assert kids and kids[0].get_object()["/S"] == "/Document", pdf.name
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]), pdf.name
        assert outline(pdf), pdf.name  # bookmarks


@pytest.mark.parametrize("lang", LANGS)
def test_panel_has_bleed_and_crop_marks(built: SimpleNamespace, lang: str) -> None:
    bleed = KB["print"]["panel"]["bleed_mm"] * MM
    page = PdfReader(built.panel[lang]).pages[0]
    media, trim, bleedbox = page.mediabox, page.trimbox, page.bleedbox
    # the trim box is the banner, inside the media box by the bleed (twice: the crop marks sit outside it)
    assert float(trim.width) == pytest.approx(800 * MM, abs=0.5)
    for edge in ("left", "bottom"):
        assert float(getattr(trim, edge)) - float(getattr(media, edge)) == pytest.approx(2 * bleed, abs=0.5)
        assert float(getattr(trim, edge)) - float(getattr(bleedbox, edge)) == pytest.approx(bleed, abs=0.5)
    for edge in ("right", "top"):
        assert float(getattr(media, edge)) - float(getattr(trim, edge)) == pytest.approx(2 * bleed, abs=0.5)
        assert float(getattr(bleedbox, edge)) - float(getattr(trim, edge)) == pytest.approx(bleed, abs=0.5)
    # crop marks: at 72 dpi (1 px = 1 pt), the top-left corner of the sheet outside the bleed carries a
    # dark line along the trim edge (row 2 x bleed) and nothing else; the coloured band starts at the bleed
    side = int(2 * bleed) + 4
    pgm = subprocess.run(["pdftoppm", "-r", "72", "-gray", "-x", "0", "-y", "0", "-W", str(side), "-H", str(side),
                          str(built.panel[lang])], capture_output=True, check=True).stdout
    header = pgm.split(b"\n", 3)
    width, height = map(int, header[1].split())
    pixels = header[3]
    at = lambda x, y: pixels[y * width + x]  # noqa: E731
    mark_row = round(2 * bleed)
    assert min(at(x, y) for x in range(0, int(bleed) - 2) for y in (mark_row - 1, mark_row, mark_row + 1)) < 100
    assert min(at(x, y) for x in range(0, int(bleed) - 2) for y in range(0, int(bleed) - 2)) > 200
    assert at(int(bleed) + 3, int(bleed) + 3) < 150  # the band reaches into the bleed


@pytest.mark.parametrize("lang", LANGS)
def test_contents_list_page_numbers_and_bookmarks(built: SimpleNamespace, lang: str) -> None:
    pdf = built.manual[lang]
    marks = outline(pdf)
    levels = {title: level for level, title, _ in marks}
    # nav sections (without the programme's own top section) are level 1, their pages level 2
    module_section = next(t for lv, t, _ in marks if lv == 1 and t.lower().endswith("modules"))
    case_section = next(t for lv, t, _ in marks if lv == 1 and t.lower().endswith("cases"))
    assert " · " not in module_section and " · " not in case_section
    assert levels[MODULE[lang]] == 2 and levels[CASE[lang]] == 2
    titles = [t for _, t, _ in marks]
    assert titles[0] == UI[lang]["manual_contents"]
    assert titles[-4:] == [UI[lang]["manual_appendix_glossary"], UI[lang]["manual_appendix_answers"], MODULE[lang],
                           UI[lang]["manual_review_record"]]
    # every chapter starts on a new page, in navigation order, with its title
    chapters = [CASE[lang], MODULE[lang], UI[lang]["manual_appendix_glossary"], UI[lang]["manual_appendix_answers"],
                UI[lang]["manual_review_record"]]
    starts = [bookmark_page(pdf, title, level=None if i != 1 else 2) for i, title in enumerate(chapters)]
    assert starts == sorted(set(starts)), starts
    pages = pages_text(pdf)
    for title, start in zip(chapters, starts, strict=True):
        assert squash(title) in squash(pages[start - 1])
    # the contents list shows each chapter with the page it starts on
    contents = pages_text(pdf)[1]
    for title in (CASE[lang], MODULE[lang], UI[lang]["manual_appendix_glossary"], UI[lang]["manual_review_record"]):
        m = re.search(re.escape(title) + r"\s*\.{3,}\s*(\d+)", contents)
        assert m, (title, contents)
        assert int(m.group(1)) == bookmark_page(pdf, title)


@pytest.mark.parametrize("lang", LANGS)
def test_running_header_and_page_footer(built: SimpleNamespace, lang: str) -> None:
    pages = pages_text(built.manual[lang])
    total = len(pages)
    for number, text in enumerate(pages[1:], 2):
        footer = f"第 {number} 页 / 共 {total} 页" if lang == "zh" else f"Page {number} of {total}"
        assert squash(footer) in squash(text), (number, text[-200:])
    assert not re.search(r"第\d+页/共|Page\d+of", squash(pages[0]))  # no footer on the cover
    start = bookmark_page(built.manual[lang], MODULE[lang], level=2)
    continuation = pages[start]  # the module's second page: its title only in the running header
    assert MODULE[lang] in continuation and KB["manuals"]["mercury"]["title"][lang] in continuation
    # the table's header row repeats on the continuation page
    assert ("序号" if lang == "zh" else "Responsible") in continuation


@pytest.mark.parametrize("lang", LANGS)
def test_only_the_content_is_printed(built: SimpleNamespace, lang: str) -> None:
    for pdf in (built.manual[lang], built.handout[lang], built.panel[lang]):
        text = "\n".join(pages_text(pdf))
        for web in WEB_INTERFACE:
            assert web not in text, (pdf.name, web)
    text = "\n".join(pages_text(built.manual[lang]))
    # a page missing in English is not printed from its Chinese fallback
    assert ("仅中文页面专用文字己庚" in text) == (lang == "zh")
    # admonition, code, task list, footnote, gap and external link address print
    for expected in ("mercury_intensity", "☑", "☐", "<https://", "www.mercuryconvention.org/>",
                     "台账必须与采购记录一致" if lang == "zh" else "The ledger must agree",
                     "记录以千克为单位" if lang == "zh" else "Recorded in kilograms",
                     UI[lang]["gap"]):
        assert squash(expected) in squash(text), expected


@pytest.mark.parametrize("lang", LANGS)
def test_multiple_choice_options_print_with_the_answer_keys_letters(built: SimpleNamespace, lang: str) -> None:
    options = {"zh": ["销售记录", "采购记录", "考勤记录", "设备记录"],
               "en": ["the sales records", "the purchase records", "the attendance records", "the equipment records"]}
    gender = {"zh": ["统计企业产量", "开展性别分析", "计算用汞量"],
              "en": ["count what an enterprise produces", "carry out a gender analysis", "calculate the mercury used"]}
    for pdf, opts in ((built.manual[lang], options[lang]), (built.handout[lang], options[lang]),
                      (built.manuals["gender", lang], gender[lang])):
        text = "\n".join(pages_text(pdf))
        for letter, option in zip("ABCD", opts, strict=False):
            assert re.search(rf"(?m)^\s*{letter}\.\s*{re.escape(option)}", text), (pdf.name, letter, option)
        assert "•" not in "".join(line for line in text.splitlines() if any(o in line for o in opts))
    # the answer key names the same letter
    key = "2. B。采购记录" if lang == "zh" else "2. B. The purchase records"
    assert squash(key) in squash("\n".join(pages_text(built.manual[lang])))


def test_english_words_are_not_broken_apart(built: SimpleNamespace) -> None:
    text = "\n".join(pages_text(built.manual["en"], raw=True))
    # narrow table columns keep their words whole
    assert not re.search(r"Require\s+d\b|summar\s+y\b|Requi\s*-?\s*\n\s*red", text)
    assert text.count("Required") >= 3
    # a word hyphenated at a line break ends with a plain hyphen-minus, never U+2010 set apart
    assert "\u2010" not in text
    assert not re.search(r"\w \u2010|\u2010 \w|\w - \w", text)


@pytest.mark.parametrize("lang", LANGS)
def test_answers_move_to_the_trainers_appendix(built: SimpleNamespace, lang: str) -> None:
    pdf = built.manual[lang]
    pages = pages_text(pdf)
    appendix = bookmark_page(pdf, UI[lang]["manual_appendix_answers"])
    module = bookmark_page(pdf, MODULE[lang], level=2)
    with_answer = [n for n, text in enumerate(pages, 1) if ANSWER_TEXT[lang] in squash(text) or ANSWER_TEXT[lang] in text]
    assert with_answer and min(with_answer) >= appendix
    chapter = "\n".join(pages[module - 1:bookmark_page(pdf, UI[lang]["manual_appendix_glossary"]) - 1])
    assert ("练习" if lang == "zh" else "Exercises") in chapter
    assert ("参考答案" if lang == "zh" else "Answers\n") not in chapter.replace("参考答案（", "")
    # the chapter's link to its answers points at the appendix, with the page
    ref = f"参考答案（见第 {appendix} 页）" if lang == "zh" else f"the answers (see page {appendix})"
    assert squash(ref) in squash(chapter)
    # handouts leave the answers out altogether
    assert ANSWER_TEXT[lang] not in "\n".join(pages_text(built.handout[lang]))


@pytest.mark.parametrize("lang", LANGS)
def test_links_between_chapters_give_the_page(built: SimpleNamespace, lang: str) -> None:
    pdf = built.manual[lang]
    module = bookmark_page(pdf, MODULE[lang], level=2)
    text = squash("\n".join(pages_text(pdf)))
    if lang == "zh":
        assert squash(f"详见测试模块（见第 {module} 页）") in text
        assert "展板见展板一（见第" not in text  # the panel is not in the manual: plain text
    else:
        assert squash(f"See the test module (see page {module})") in text
        assert squash("See panel one (see page") not in text
    reader = PdfReader(pdf)
    case = bookmark_page(pdf, CASE[lang], level=2)
    links = [a.get_object() for a in reader.pages[case - 1].get("/Annots", []) if a.get_object()["/Subtype"] == "/Link"]
    internal = [a for a in links if "/Dest" in a or a.get("/A", {}).get("/S") in ("/GoTo",)]
    assert internal, "the case page has no in-document links"


@pytest.mark.parametrize("lang", LANGS)
def test_draft_chapters_carry_the_watermark(built: SimpleNamespace, lang: str) -> None:
    pdf = built.manual[lang]
    pages = pages_text(pdf, raw=True)
    for number in range(bookmark_page(pdf, CASE[lang], level=2), len(pages) + 1):
        assert WATERMARK[lang] in squash(pages[number - 1]), number
    assert squash(pages[0]).count(WATERMARK[lang]) == (1 if lang == "zh" else 0)  # cover: only "草稿：共 4 页…"
    assert WATERMARK[lang] in squash(pages_text(built.panel[lang], raw=True)[0])
    assert WATERMARK[lang] in squash(pages_text(built.handout[lang], raw=True)[0])


@pytest.mark.parametrize("lang", LANGS)
def test_review_record_lists_every_chapter_and_what_it_lacks(built: SimpleNamespace, lang: str) -> None:
    pdf = built.manual[lang]
    record = "\n".join(pages_text(pdf, raw=True)[bookmark_page(pdf, UI[lang]["manual_review_record"]) - 1:])
    for title in (CASE[lang], MODULE[lang], UI[lang]["manual_appendix_glossary"]):
        assert squash(title) in squash(record)
    assert "UNIDO" in record and "UNDP" not in record
    assert squash("版本 unversioned" if lang == "zh" else "Version unversioned") in squash(record)
    # chapters x FECO and UNIDO, and the glossary (general track) x FECO
    assert record.count(UI[lang]["manual_review_not_approved"]) == (7 if lang == "zh" else 5)


def test_fonts_are_embedded_and_subset(built: SimpleNamespace) -> None:
    for pdf in all_pdfs(built):
        rows = pdffonts(pdf)
        assert rows, pdf
        for row in rows:
            assert (row["emb"], row["sub"], row["uni"]) == ("yes", "yes", "yes"), (pdf.name, row)
        assert any("Noto-Sans-CJK-SC" in row["name"] for row in rows), pdf.name


def test_each_font_is_subset_once_per_pdf(built: SimpleNamespace) -> None:
    """One font object per face in each PDF (pages, running headers, the watermark's SVG): no face
    embedded twice as two subsets (a CJK subset is large). The slides' notes pages are the exception
    by design: they draw the deck's slides as they are, with the deck's subsets, beside notes set in
    subsets of their own: two per face, never more; and so is the trainer guide, which draws each module's
    slides beside their speaker notes: one more per face for each module's deck."""
    for pdf in all_pdfs(built):
        most = 2 if pdf.parent.name == "trainer" and pdf.name.startswith("slides-notes-") else 1
        if pdf.name.startswith("manual-"):
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
            most += text.count("Slides and speaker notes") + text.count("幻灯片与讲解备注")
        reader = PdfReader(pdf)
        objects: dict[str, set[int]] = {}
        for page in reader.pages:
            stack = [page.get("/Resources") or {}]
            while stack:
                res = stack.pop().get_object()
                for ref in (res.get("/Font") or {}).values():
                    face = str(ref.get_object()["/BaseFont"]).split("+", 1)[-1]  # without the subset tag
                    objects.setdefault(face, set()).add(ref.idnum)
                for xobject in (res.get("/XObject") or {}).values():
                    if xobject.get_object().get("/Resources") is not None:
                        stack.append(xobject.get_object()["/Resources"])
        assert objects and all(len(ids) <= most for ids in objects.values()), (pdf.name, objects)


def test_every_character_maps_to_a_glyph_of_an_embedded_font(built: SimpleNamespace) -> None:
    for pdf in all_pdfs(built):
        covered: set[str] = set()
        for font in embedded_fonts(pdf).values():
            for code, text in font.tounicode.items():
                if text.strip():
                    assert font.draws(code), f"{pdf.name}: {text!r} shown as glyph {code:#x}, not in {font.name}"
                    covered.update(text)
        extracted = {ch for ch in "".join(pages_text(pdf)) if not ch.isspace()}
        assert "\ufffd" not in extracted
        assert extracted <= covered, f"{pdf.name}: characters without a glyph: {sorted(extracted - covered)}"


def test_chinese_uses_simplified_glyph_forms(built: SimpleNamespace) -> None:
    ttc = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True, text=True).stdout
    faces = {font["name"].getDebugName(1): font for font in TTCollection(ttc).fonts}
    sc, jp = faces["Noto Sans CJK SC"], faces["Noto Sans CJK JP"]
    fonts = embedded_fonts(built.manual["zh"])
    regular = next(f for name, f in fonts.items() if name.endswith("+Noto-Sans-CJK-SC"))
    shown = {text: code for code, text in regular.tounicode.items()}
    for ch in "令命遍骨":
        sc_glyph = sc.getGlyphID(sc.getBestCmap()[ord(ch)])
        jp_glyph = jp.getGlyphID(jp.getBestCmap()[ord(ch)])
        assert sc_glyph != jp_glyph  # the test can tell the forms apart
        assert shown[ch] == sc_glyph, ch


@pytest.mark.parametrize("lang", LANGS)
def test_handout_and_panel(built: SimpleNamespace, lang: str) -> None:
    handout = pages_text(built.handout[lang])
    assert MODULE[lang] in handout[0] and UI[lang]["manual_handout"] in handout[0]
    last = len(handout)
    assert squash(f"第 {last} 页 / 共 {last} 页" if lang == "zh" else f"Page {last} of {last}") in squash(handout[-1])
    assert outline(built.handout[lang])[0][1] == MODULE[lang]
    panel = pages_text(built.panel[lang])[0]
    assert PANEL[lang] in panel
    # the SVG figure was found and drawn (its text is in the PDF); panels are not in the training manual
    figure = "图形文字甲" if lang == "zh" else "Figure text alpha"
    assert figure in panel
    assert figure not in "\n".join(pages_text(built.manual[lang]))


def test_downloads_page_lists_the_workbooks_for_everyone_and_the_trainer_guides_for_trainers(built: SimpleNamespace) -> None:
    for lang, page in (("zh", built.site / "downloads" / "index.html"), ("en", built.site / "en" / "downloads" / "index.html")):
        html = page.read_text(encoding="utf-8")
        workbooks = html[html.index('<h2 id="workbooks">'):html.index('<h2 id="trainers">')]
        trainers = html[html.index('<h2 id="trainers">'):html.index('<h2 id="handouts">')]
        assert UI[lang]["dl_workbooks"] in workbooks and UI[lang]["dl_trainers"] in trainers
        hrefs = re.findall(r'href="([^"]*manual-[^"]*\.pdf)"', html)
        assert hrefs == re.findall(r'href="([^"]*manual-[^"]*\.pdf)"', trainers)  # the guides only for trainers
        assert sorted(h.rsplit("/", 1)[-1] for h in hrefs) == sorted(p.name for p in built.manuals.values()), lang
        books = re.findall(r'href="([^"]*workbook-[^"]*\.pdf)"', workbooks)
        assert sorted(h.rsplit("/", 1)[-1] for h in books) == sorted(
            p.name.replace("manual-", "workbook-") for p in built.manuals.values()), lang
        for href in hrefs + books:  # each link resolves to the file the PDF step wrote
            target = (page.parent / href).resolve()
            assert target.is_file(), (lang, href)
        for spec in KB["manuals"].values():
            assert spec["title"][lang] in html
        assert "manual-zh.pdf" not in html and "manual-en.pdf" not in html


# --- failures -------------------------------------------------------------------------------------------------------
def test_a_failed_render_leaves_the_previous_pdf_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.document import Document

    from kb.print.manual.errors import RenderError
    from kb.print.manual.render import RenderJob
    from kb.print.manual.schedule import render_all

    real_write_pdf = Document.write_pdf

    def failing_write_pdf(self, *args, **kwargs):  # a render that fails half-way
        if self.metadata.title == "bad":
            raise RuntimeError("simulated failure while writing the PDF")
        return real_write_pdf(self, *args, **kwargs)

    # patched before the worker processes are forked, so they inherit it
    monkeypatch.setattr(Document, "write_pdf", failing_write_pdf)
    css = tmp_path / "ok.css"
    css.write_text("body { font-family: 'Noto Sans CJK SC'; }", encoding="utf-8")
    good_out, bad_out = tmp_path / "out" / "good.pdf", tmp_path / "out" / "bad.pdf"
    bad_out.parent.mkdir()
    bad_out.write_bytes(b"%PDF-1.7 previous good file %%EOF")

    def job(title: str, out: Path) -> RenderJob:
        html = f"<html lang='en'><head><title>{title}</title></head><body><p>Hello</p></body></html>"
        return RenderJob(html, tmp_path.as_uri() + "/", (str(css),), str(out), title)

    for workers in (1, 2):  # in this process, and in the process pool
        with pytest.raises(RenderError) as err:
            render_all([job("good", good_out), job("bad", bad_out)], tmp_path / f"cache{workers}", workers=workers)
        assert str(bad_out) in str(err.value) and "simulated failure" in str(err.value)
        assert bad_out.read_bytes() == b"%PDF-1.7 previous good file %%EOF"
        assert good_out.read_bytes().startswith(b"%PDF-")
        assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]
        good_out.unlink()


def test_a_missing_cjk_font_is_an_error_saying_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.print.manual import render
    from kb.print.manual.errors import FontMissingError

    monkeypatch.setattr(render, "_fc_list", lambda *args: "DejaVu Sans\nNoto Sans CJK JP\n")
    with pytest.raises(FontMissingError, match=r"fonts-noto-cjk.*sudo apt-get install fonts-noto-cjk"):
        render.require_cjk_font()


def test_build_stops_before_rendering_when_the_cjk_font_is_missing(built: SimpleNamespace, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.content.navigation import NavEntry
    from kb.print.manual import render
    from kb.print.manual.build import build_manuals
    from kb.print.manual.errors import FontMissingError
    from kb.project.data import ProjectData
    from kb.project.settings import load_settings

    monkeypatch.setattr(render, "_fc_list", lambda *args: "")
    settings = load_settings(built.project, environ={"KB_TODAY": TODAY})
    entry = NavEntry(lang="zh", file_lang="zh", rel="index.md", path="docs/zh/index.md", url="./",
                     dest="index.html", title=None, section=None)
    with pytest.raises(FontMissingError, match="fonts-noto-cjk"):
        build_manuals(settings, ProjectData(settings), None, tmp_path, {"zh": [entry]})
    assert not list(tmp_path.rglob("*.pdf"))  # no PDF of empty boxes


class SignedRepo:
    """The sample project in its own git repository, with throw-away SSH keys listed for each
    organisation, so that approvals are made the real way (./scripts/approve: signed commits) and
    verified by the release build (kb/trust/approvals.py)."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root, self.home = root, home
        self.env = {**os.environ, "GIT_CONFIG_GLOBAL": str(home / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1",
                    "KB_TODAY": TODAY, "KB_PDF": "0"}
        self.env.pop("KB_RELEASE", None)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Fixture Reviewer")
        self.git("config", "user.email", "reviewer@example.org")
        self.git("config", "gpg.format", "ssh")

    def git(self, *args: str) -> str:
        result = subprocess.run(["git", *args], cwd=self.root, env=self.env, capture_output=True, text=True)
        assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
        return result.stdout

    def kb(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "kb.cli", *args], cwd=self.root, env=self.env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"kb {' '.join(args)}: {result.stdout}\n{result.stderr}"
        return result.stdout

    def key(self, org: str) -> Path:
        private = self.home / org.lower()
        if not private.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", org, "-f", str(private)], check=True)
        return private.with_suffix(".pub")

    def list_keys(self, orgs: tuple[str, ...]) -> None:
        for org in orgs:
            with (self.root / "data" / "signers" / f"{org}.allowed_signers").open("a", encoding="utf-8") as handle:
                handle.write(f"{org.lower()}@example.org namespaces=\"git\" {self.key(org).read_text().strip()}\n")

    def commit_all(self, message: str, *, sign_as: str | None = None) -> str:
        self.git("add", "-A")
        if sign_as:
            self.git("-c", f"user.signingkey={self.key(sign_as)}", "commit", "-q", "-S", "-m", message)
        else:
            self.git("commit", "-q", "--no-gpg-sign", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def trust_keys(self) -> None:
        """The maintainers' trust root (FECO's key, recorded in data/reviewers.yml signers_root), then
        UNIDO's key listed in a commit signed with it, as CONTRIBUTING describes (kb/trust/signers.py)."""
        self.list_keys(("FECO",))
        root = self.commit_all("List FECO's key", sign_as="FECO")
        reviewers = self.root / "data" / "reviewers.yml"
        reviewers.write_text(reviewers.read_text(encoding="utf-8").replace('signers_root: ""', f"signers_root: {root}"),
                             encoding="utf-8")
        self.commit_all("Record the signers trust root", sign_as="FECO")
        self.list_keys(("UNIDO",))
        self.commit_all("List UNIDO's key", sign_as="FECO")

    def approve(self, rel: str, org: str) -> None:
        self.git("config", "user.signingkey", str(self.key(org)))
        self.kb("approve", f"docs/zh/{rel}", "--as", org, "--name", f"Fixture reviewer {org}")


APPROVED_MERCURY = ("mercury/modules/01-test-module.md", "mercury/cases/01-test-case.md",
                    "mercury/policy/zh-only-policy.md", "mercury/panels/01-test-panel.md")
COPY_APPROVED = "mercury/cases/01-test-case.md"  # UNIDO's approval of it: a signed review copy (kb/trust/reviewcopies.py)


@pytest.fixture(scope="session")
def released(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Release build (as ./scripts/build --release: KB_RELEASE=1, --strict) with the mercury pages and
    the glossary approved in signed commits by their track's organisations (FECO and UNIDO; the
    glossary: FECO) and the gender module still a draft."""
    if shutil.which("ssh-keygen") is None or shutil.which("git") is None:
        pytest.skip("needs git and ssh-keygen (openssh-client)")
    base = tmp_path_factory.mktemp("released")
    project = make_project(base / "project")
    shutil.copytree(FIXTURE.parent / "manual-release", project, dirs_exist_ok=True)  # data/: no deliverables due
    # a released edition prints no gap marker: the approved mercury module's one is filled in, and the
    # gender module (a draft) gets one, which the refusal of its manual names too
    for lang in LANGS:
        module = project / "docs" / lang / "mercury" / "modules" / "01-test-module.md"
        module.write_text(re.sub(r"\[\[gap: [^\]]*\]\]", "-", module.read_text(encoding="utf-8")), encoding="utf-8")
        gender = project / "docs" / lang / "gender" / "modules" / "01-gender-module.md"
        gender.write_text(gender.read_text(encoding="utf-8") + "\n[[gap: a figure still to add]]\n", encoding="utf-8")
    repo = SignedRepo(project, base)
    repo.commit_all("Sample project")
    repo.trust_keys()
    repo.kb("translated", *[str(p) for p in (project / "docs" / "en").rglob("*.md")])  # an approval covers both texts
    repo.commit_all("Translations stamped")
    for rel in APPROVED_MERCURY:
        for org in ("FECO", "UNIDO"):
            if (rel, org) != (COPY_APPROVED, "UNIDO"):
                repo.approve(rel, org)
    repo.approve("glossary.md", "FECO")
    repo.approve("index.md", "FECO")  # the home page's hand-typed approval would fail the release (not in a manual)
    # UNIDO approves the case study with a review copy signed with a digital ID, not a signed commit
    reviewer = DigitalId("Wang Fixture", "UNIDO")
    (base / "wang.cer").write_bytes(reviewer.der)
    repo.kb("trust", "--add-certificate", "UNIDO", str(base / "wang.cer"))
    repo.commit_all("List UNIDO's reviewer's certificate", sign_as="FECO")
    build(project)  # the review copy prints the pages as the site shows them
    repo.kb("review-copy", "--for", "UNIDO", f"docs/zh/{COPY_APPROVED}", "-o", str(base / "copy.pdf"))
    (base / "case-signed.pdf").write_bytes(reviewer.sign((base / "copy.pdf").read_bytes()))
    assert "approved by every organisation of its programme" in repo.kb("review-copy", "--accept", str(base / "case-signed.pdf"))
    repo.commit_all("UNIDO's signed review copy")
    stale = project / "site" / "downloads" / "manual-gender-en.pdf"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"%PDF-1.7 an old draft %%EOF")
    log = build(project, "--strict", release=True)  # exit status 0 is asserted in build()
    return SimpleNamespace(project=project, site=project / "site", log=log, manuals=manual_paths(project / "site"))


def test_release_writes_the_approved_programmes_manual_and_refuses_the_other(released: SimpleNamespace) -> None:
    for lang in LANGS:
        assert released.manuals["mercury", lang].is_file()
        assert not released.manuals["gender", lang].exists()  # refused (the stale copy is gone too)
        assert not (released.site / "downloads" / "panels" / lang / "01-test-panel.pdf").exists()  # gaps
        assert (released.site / "downloads" / "handouts" / lang / "01-test-module.pdf").is_file()
        assert not (released.site / "downloads" / "handouts" / lang / "01-gender-module.pdf").exists()
        # slides and their notes pages go with the module's handout
        assert (released.site / "downloads" / f"slides-01-test-module-{lang}.pdf").is_file()
        assert (released.site / "downloads" / "trainer" / f"slides-notes-01-test-module-{lang}.pdf").is_file()
        assert not (released.site / "downloads" / f"slides-01-gender-module-{lang}.pdf").exists()
        assert not (released.site / "downloads" / "trainer" / f"slides-notes-01-gender-module-{lang}.pdf").exists()
    log = released.log
    block = log[log.index("release refused downloads/manual-gender-en.pdf"):]
    assert block.startswith("release refused downloads/manual-gender-en.pdf: pages are not approved and the manual has gaps")
    assert "  - docs/en/gender/modules/01-gender-module.md: lacks FECO, UNDP; review.status is draft" in block
    assert "  - docs/en/gender/modules/01-gender-module.md: 1 gap marker(s) [[gap: ...]] still to fill" in block
    assert "release refused downloads/manual-mercury" not in log
    assert re.search(r"release refused downloads/panels/en/01-test-panel\.pdf: the panel has gaps:\n"
                     r"  - docs/en/mercury/panels/01-test-panel\.md: 1 gap marker", log)
    # the checks name the manual a draft keeps out
    assert "'gender' training manual" in log or "“gender”培训手册" in log
    # the refused manuals are rendered as drafts of their next edition (downloads/drafts/), nothing else
    assert "release refused downloads/slides-01-gender-module-en.pdf: pages are not approved" in log
    # (the fixture's first, PDF-less build for the review copy may have cached some of them)
    counts = re.search(r"kb manual: (\d+) PDFs rendered, (\d+) reused from the cache, 12 refused for release", log)
    assert counts and int(counts[1]) + int(counts[2]) == 14
    for lang in LANGS:
        assert (released.site / "downloads" / "drafts" / f"manual-gender-{lang}.pdf").is_file()
    # the participant workbook is released and refused with its trainer guide (both print the same pages)
    assert "release refused downloads/workbook-gender-en.pdf: pages are not approved and the workbook has gaps" in log
    assert "release refused downloads/workbook-mercury" not in log
    for lang in LANGS:
        assert (released.site / "downloads" / f"workbook-mercury-{lang}.pdf").is_file()
        assert not (released.site / "downloads" / f"workbook-gender-{lang}.pdf").exists()
        assert (released.site / "downloads" / "drafts" / f"workbook-gender-{lang}.pdf").is_file()


@pytest.mark.parametrize("lang", LANGS)
def test_released_manual_has_no_watermark_and_a_review_record(released: SimpleNamespace, lang: str) -> None:
    pdf = released.manuals["mercury", lang]
    pages = pages_text(pdf, raw=True)
    assert not any(WATERMARK[lang] in squash(p) for p in pages[1:])
    cover = squash(pages[0])
    total = 4 if lang == "zh" else 3
    assert squash(UI[lang]["manual_review_approved"].format(total=total)) in cover
    record = "\n".join(pages_text(pdf)[bookmark_page(pdf, UI[lang]["manual_review_record"]) - 1:])
    assert UI[lang]["manual_review_not_approved"] not in record
    approved_on = squash(UI[lang]["manual_review_approved_on"].format(date=TODAY))
    # chapters x FECO and UNIDO, glossary x FECO; UNIDO signed the case study's review copy today, not on TODAY
    assert squash(record).count(approved_on) == 2 * (total - 1)
    for org in ("FECO", "UNIDO"):
        assert f"Fixture reviewer {org}" in record
    assert "Wang Fixture" in record
    # the downloads page says which manuals are not released yet
    page = released.site / ("downloads/index.html" if lang == "zh" else "en/downloads/index.html")
    html = page.read_text(encoding="utf-8")
    assert re.search(r'href="[^"]*manual-mercury-en\.pdf"', html)
    # no released gender manual: no link to its address, only to the draft of its next edition
    assert not re.search(r'href="(?![^"]*drafts/)[^"]*manual-gender', html)
    assert re.search(r'href="[^"]*drafts/manual-gender-zh\.pdf"', html)
    assert html.count(UI[lang]["dl_not_released"]) >= 2  # both gender manuals (and the refused handouts/panels)


def test_offline_copy_carries_the_workbooks_but_not_the_trainer_guides(built: SimpleNamespace) -> None:
    """Trainees take the offline copy home: the trainer guides (answers, trainer notes) stay online,
    listed there as online only; the participant workbooks are in it."""
    import zipfile

    from kb.build.offline import build_offline_zip
    from kb.project.settings import load_settings

    out = build_offline_zip(load_settings(built.project, environ={"KB_TODAY": TODAY}))
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        page = archive.read("knowledge-site/en/downloads.html").decode("utf-8")
    assert not [n for n in names if "manual-" in n]
    assert {n for n in names if n.endswith(".pdf") and "/downloads/workbook-" in n} == {
        f"knowledge-site/downloads/{p.name.replace('manual-', 'workbook-')}" for p in built.manuals.values()}
    assert sorted(h.rsplit("/", 1)[-1] for h in re.findall(r'href="([^"]*workbook-[^"]*\.pdf)"', page)) == sorted(
        p.name.replace("manual-", "workbook-") for p in built.manuals.values())
    assert not re.findall(r'href="([^"]*manual-[^"]*\.pdf)"', page)
    trainers = page[page.index('id="trainers"'):page.index('id="handouts"')]
    assert trainers.count(UI["en"]["dl_online_only"]) == len(built.manuals)


def test_after_an_edit_the_last_released_edition_stays_downloadable_beside_the_next_draft(
        released: SimpleNamespace, tmp_path: Path) -> None:
    """Trainers never lose a usable manual because someone fixed a typo: an approved page edited after
    the release lapses its approvals, the next release keeps the last released edition at the usual
    address, labelled, and publishes the edited text as the draft of the next edition."""
    project = tmp_path / "project"
    shutil.copytree(released.project, project, symlinks=True)
    repo = SignedRepo.__new__(SignedRepo)
    repo.root, repo.home = project, tmp_path
    repo.env = {**os.environ, "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1",
                "KB_TODAY": TODAY, "KB_PDF": "0"}
    repo.env.pop("KB_RELEASE", None)
    page = project / "docs" / "zh" / "mercury" / "modules" / "01-test-module.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n编辑后新增的一句话。\n", encoding="utf-8")
    repo.commit_all("Fix a typo after the release")
    log = build(project, "--strict", release=True)
    assert "release refused downloads/manual-mercury-zh.pdf" in log
    assert "downloads/manual-mercury-zh.pdf is the last released edition, of " in log
    assert "downloads/workbook-mercury-zh.pdf is the last released edition, of " in log
    site = project / "site"
    released_text = " ".join(squash(p) for p in pages_text(site / "downloads" / "manual-mercury-zh.pdf", raw=True))
    draft_pages = pages_text(site / "downloads" / "drafts" / "manual-mercury-zh.pdf", raw=True)
    draft_text = " ".join(squash(p) for p in draft_pages)
    assert "编辑后新增的一句话" not in released_text and "编辑后新增的一句话" in draft_text
    assert any(WATERMARK["zh"] in squash(p) for p in draft_pages[1:])
    assert not any(WATERMARK["zh"] in squash(p) for p in pages_text(site / "downloads" / "manual-mercury-zh.pdf", raw=True)[1:])
    downloads = (site / "en" / "downloads" / "index.html").read_text(encoding="utf-8")
    assert "last released edition: of " in downloads and "the next edition awaits approval" in downloads
    assert 'href="../../downloads/drafts/manual-mercury-zh.pdf"' in downloads or "downloads/drafts/manual-mercury-zh.pdf" in downloads
    # an approval covers both languages of the pair: the English manual keeps its last edition too
    assert "downloads/manual-mercury-en.pdf is the last released edition, of " in log


def test_the_downloads_page_says_each_pdfs_size_and_pages(built: SimpleNamespace) -> None:
    """A reader on a slow line knows what a download costs: the page, written before the PDFs existed,
    carries each one's size and page count once they do (kb/web/pdfmeta.py)."""
    html = (built.site / "en" / "downloads" / "index.html").read_text(encoding="utf-8")
    facts = re.findall(r'<span class="kb-pdf-meta" data-file="([^"]+)">\(PDF(?:, A4)?, ([\d.]+) (MB|KB), (\d+) pages\)</span>', html)
    assert facts, html[:2000]
    for file, size, unit, pages in facts:
        pdf = built.site / file
        assert int(pages) == len(PdfReader(str(pdf)).pages)
        kb = pdf.stat().st_size / 1000
        assert (unit == "KB" and abs(int(size) - kb) <= 1) or (unit == "MB" and abs(float(size) * 1000 - kb) <= 50)
    assert any(file.endswith("manual-mercury-en.pdf") for file, *_ in facts)
    zh = (built.site / "downloads" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'data-file="downloads/manual-mercury-zh\.pdf">\(PDF, [\d.]+ (?:MB|KB), \d+ 页\)', zh)


@pytest.mark.parametrize("lang", LANGS)
def test_a_module_page_offers_its_handout_with_size_and_pages(built: SimpleNamespace, lang: str) -> None:
    page = built.site / ("" if lang == "zh" else "en") / "mercury" / "modules" / "01-test-module" / "index.html"
    html = page.read_text(encoding="utf-8")
    handout = f"downloads/handouts/{lang}/01-test-module.pdf"
    match = re.search(r'<aside class="kb-printed"[^>]*>.*?<a href="([^"]+)" download>.*?'
                      rf'data-file="{re.escape(handout)}">\(PDF, [\d.]+ (?:MB|KB), (\d+) (?:页|pages)\)', html, re.S)
    assert match, html[html.find("kb-printed") - 200:][:800]
    assert (page.parent / match.group(1)).resolve() == (built.site / handout).resolve()
    assert int(match.group(2)) == len(PdfReader(str(built.site / handout)).pages)


def test_the_gender_manuals_cover_title_keeps_its_last_characters_together(built: SimpleNamespace) -> None:
    """Rendered and read back (pdftotext): the title is broken between words near its middle, not "…手 / 册"."""
    cover = pages_text(built.manuals["gender", "zh"])[0]
    lines = [line.strip() for line in cover.splitlines() if line.strip()]
    assert "再生有色金属行业" in lines and "性别主流化培训手册" in lines, lines[:8]  # broken between words
