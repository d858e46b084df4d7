"""The PDF manuals, handouts and panels (kb/manual), checked in the PDFs a real build writes.

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
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from fontTools.ttLib import TTCollection, TTFont
from pypdf import PdfReader

from kb import generator
from kb.sample import copy_project

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "manual"
TODAY = "2026-11-21"
UI = yaml.safe_load((REPO / "data" / "ui.yml").read_text(encoding="utf-8"))
MM = 72 / 25.4

MODULE = {"zh": "测试模块：触媒用汞管理", "en": "Test module: mercury in catalysts"}
PANEL = {"zh": "测试展板：减汞成效", "en": "Test panel: reduction results"}
HOME = {"zh": "测试手册首页", "en": "Test manual home"}
ANSWER_TEXT = {"zh": "答案甲乙丙", "en": "answer alpha bravo charlie"}
WATERMARK = {"zh": "草稿", "en": "DRAFT"}
WEB_INTERFACE = ["跳转至", "Skip to content", "编辑此页", "Edit this page", "Permanent link", "¶",
                 "审校状态：", "Review status:", UI["zh"]["review_draft"], UI["en"]["review_draft"],
                 UI["zh"]["review_in_review"], UI["en"]["review_in_review"]]


# --- building the fixture site -------------------------------------------------------------------------------
def make_project(dest: Path) -> Path:
    copy_project(dest, site=True)
    shutil.copytree(FIXTURE / "docs", dest / "docs", dirs_exist_ok=True)
    return dest


def build(project: Path) -> str:
    env = {**os.environ, "KB_PDF": "1", "KB_TODAY": TODAY}
    env.pop("KB_RELEASE", None)
    proc = subprocess.run(generator.command("build"), cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stderr + proc.stdout


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
        manual={lang: site / "downloads" / f"manual-{lang}.pdf" for lang in ("zh", "en")},
        handout={lang: site / "downloads" / "handouts" / lang / "01-test-module.pdf" for lang in ("zh", "en")},
        panel={lang: site / "downloads" / "panels" / lang / "01-test-panel.pdf" for lang in ("zh", "en")},
    )


# --- reading PDFs -------------------------------------------------------------------------------------------------
def pages_text(pdf: Path, raw: bool = False) -> list[str]:
    args = ["pdftotext", *(["-raw"] if raw else []), str(pdf), "-"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


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
    banner = (800 * MM, 1800 * MM)
    for lang in ("zh", "en"):
        for pdf, size in ((built.manual[lang], a4), (built.handout[lang], a4), (built.panel[lang], banner)):
            assert pdf.is_file(), pdf
            reader = PdfReader(pdf)
            for page in reader.pages:
                assert float(page.mediabox.width) == pytest.approx(size[0], abs=1)
                assert float(page.mediabox.height) == pytest.approx(size[1], abs=1)
        assert len(PdfReader(built.panel[lang]).pages) == 1  # a banner is one sheet
    # nothing else, and no temporary files left behind
    assert sorted(p.relative_to(built.site / "downloads").as_posix() for p in all_pdfs(built)) == [
        # the blank forms (kb/forms.py, tested in tests/test_events.py)
        "forms/evaluation-en.pdf", "forms/evaluation-zh.pdf", "forms/sign-in-sheet-en.pdf", "forms/sign-in-sheet-zh.pdf",
        "handouts/en/01-test-module.pdf", "handouts/zh/01-test-module.pdf", "manual-en.pdf", "manual-zh.pdf",
        "panels/en/01-test-panel.pdf", "panels/zh/01-test-panel.pdf",
    ]
    assert not [p for p in (built.site / "downloads").rglob("*") if p.name.endswith(".tmp")]


def test_second_build_reuses_every_pdf_from_the_cache(built: SimpleNamespace) -> None:
    assert "kb manual: 6 PDFs rendered, 0 reused" in built.first
    assert "kb manual: 0 PDFs rendered, 6 reused" in built.second
    assert sorted(p.name for p in built.cache.iterdir()) == built.cached_before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cover_and_metadata(built: SimpleNamespace, lang: str) -> None:
    ui = UI[lang]
    cover = pages_text(built.manual[lang])[0]
    edition = "2026 年 11 月 21 日" if lang == "zh" else "2026-11-21"
    # fixture: 4 (en) or 5 (zh) printed pages incl. the glossary; only the home page is approved
    review = "草稿：共 5 页，其中 4 页尚未批准" if lang == "zh" else "Draft: 3 of 4 pages not yet approved"
    for text in (ui["manual_programme"], ui["manual_title"], edition, "unversioned", review, ui["manual_organisation"]):
        assert squash(text) in squash(cover), (text, cover)
    reader = PdfReader(built.manual[lang])
    meta = reader.metadata
    assert meta.title == ui["manual_title"]
    assert meta.author == ui["manual_organisation"]
    assert meta.subject == ui["manual_description"]
    assert reader.trailer["/Root"]["/Lang"] == ("zh-CN" if lang == "zh" else "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_contents_list_page_numbers_and_bookmarks(built: SimpleNamespace, lang: str) -> None:
    pdf = built.manual[lang]
    marks = outline(pdf)
    levels = {title: level for level, title, _ in marks}
    # nav sections are level 1, their pages level 2; appendices level 1 with one entry per module
    module_section = next(t for lv, t, _ in marks if lv == 1 and t.lower().endswith("modules"))  # whole section path
    panel_section = next(t for lv, t, _ in marks if lv == 1 and t.lower().endswith("panels"))
    assert levels[MODULE[lang]] == 2 and levels[PANEL[lang]] == 2
    titles = [t for _, t, _ in marks]
    assert titles.index(module_section) < titles.index(MODULE[lang]) < titles.index(panel_section) < titles.index(PANEL[lang])
    assert titles[0] == UI[lang]["manual_contents"]
    assert titles[-3:] == [UI[lang]["manual_appendix_glossary"], UI[lang]["manual_appendix_answers"], MODULE[lang]]
    # every chapter starts on a new page, in navigation order, with its title
    chapters = [HOME[lang], MODULE[lang], PANEL[lang], UI[lang]["manual_appendix_glossary"],
                UI[lang]["manual_appendix_answers"]]
    starts = [bookmark_page(pdf, title) for title in chapters]
    assert starts == sorted(set(starts)), starts
    pages = pages_text(pdf)
    for title, start in zip(chapters, starts, strict=True):
        assert squash(title) in squash(pages[start - 1])
    # the contents list shows each chapter with the page it starts on
    contents = pages_text(pdf)[1]
    for title in (HOME[lang], MODULE[lang], PANEL[lang], UI[lang]["manual_appendix_glossary"]):
        m = re.search(re.escape(title) + r"\s*\.{3,}\s*(\d+)", contents)
        assert m, (title, contents)
        assert int(m.group(1)) == bookmark_page(pdf, title)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_running_header_and_page_footer(built: SimpleNamespace, lang: str) -> None:
    pages = pages_text(built.manual[lang])
    total = len(pages)
    for number, text in enumerate(pages[1:], 2):
        footer = f"第 {number} 页 / 共 {total} 页" if lang == "zh" else f"Page {number} of {total}"
        assert squash(footer) in squash(text), (number, text[-200:])
    assert not re.search(r"第\d+页/共|Page\d+of", squash(pages[0]))  # no footer on the cover
    start = bookmark_page(built.manual[lang], MODULE[lang])
    continuation = pages[start]  # the module's second page: its title only in the running header
    assert MODULE[lang] in continuation and UI[lang]["manual_title"] in continuation
    # the table's header row repeats on the continuation page
    assert ("序号" if lang == "zh" else "Responsible") in continuation


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_only_the_content_is_printed(built: SimpleNamespace, lang: str) -> None:
    for pdf in (built.manual[lang], built.handout[lang], built.panel[lang]):
        text = "\n".join(pages_text(pdf))
        for web in WEB_INTERFACE:
            assert web not in text, (pdf.name, web)
    text = "\n".join(pages_text(built.manual[lang]))
    assert "Hidden page text" not in text and "隐藏页面专用文字" not in text  # manual: false
    # a page missing in English is not printed from its Chinese fallback
    assert ("仅中文页面专用文字己庚" in text) == (lang == "zh")
    # admonition, code, task list, footnote, gap and external link address print
    for expected in ("mercury_intensity", "☑", "☐", "<https://", "www.mercuryconvention.org/>",
                     "台账必须与采购记录一致" if lang == "zh" else "The ledger must agree",
                     "记录以千克为单位" if lang == "zh" else "Recorded in kilograms",
                     UI[lang]["gap"]):
        assert squash(expected) in squash(text), expected
    # the glossary appendix is printed from data/glossary.yml
    assert "《水俣公约》所称的汞指元素汞" in text if lang == "zh" else "Under the Minamata Convention, elemental mercury" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_answers_move_to_the_trainers_appendix(built: SimpleNamespace, lang: str) -> None:
    pdf = built.manual[lang]
    pages = pages_text(pdf)
    appendix = bookmark_page(pdf, UI[lang]["manual_appendix_answers"])
    module = bookmark_page(pdf, MODULE[lang])
    with_answer = [n for n, text in enumerate(pages, 1) if ANSWER_TEXT[lang] in squash(text) or ANSWER_TEXT[lang] in text]
    assert with_answer and min(with_answer) >= appendix
    chapter = "\n".join(pages[module - 1:bookmark_page(pdf, PANEL[lang]) - 1])
    assert ("练习" if lang == "zh" else "Exercises") in chapter
    assert ("参考答案" if lang == "zh" else "Answers\n") not in chapter.replace("参考答案（", "")
    # the chapter's link to its answers points at the appendix, with the page
    ref = f"参考答案（见第 {appendix} 页）" if lang == "zh" else f"the answers (see page {appendix})"
    assert squash(ref) in squash(chapter)
    # handouts leave the answers out altogether
    assert ANSWER_TEXT[lang] not in "\n".join(pages_text(built.handout[lang]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_links_between_chapters_give_the_page(built: SimpleNamespace, lang: str) -> None:
    pdf = built.manual[lang]
    panel = bookmark_page(pdf, PANEL[lang])
    module = bookmark_page(pdf, MODULE[lang])
    text = squash("\n".join(pages_text(pdf)))
    if lang == "zh":
        assert squash(f"展板见展板一（见第 {panel} 页）") in text
        assert squash(f"详见测试模块（见第 {module} 页）") in text
    else:
        assert squash(f"See panel one (see page {panel})") in text
        assert squash(f"see the test module (see page {module})") in text
    reader = PdfReader(pdf)
    links = [a.get_object() for a in reader.pages[module - 1].get("/Annots", []) if a.get_object()["/Subtype"] == "/Link"]
    internal = [a for a in links if "/Dest" in a or a.get("/A", {}).get("/S") in ("/GoTo",)]
    assert internal, "the module page has no in-document links"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_draft_chapters_carry_the_watermark(built: SimpleNamespace, lang: str) -> None:
    pdf = built.manual[lang]
    pages = pages_text(pdf, raw=True)
    home = bookmark_page(pdf, HOME[lang])
    module = bookmark_page(pdf, MODULE[lang])
    panel = bookmark_page(pdf, PANEL[lang])  # in review: watermarked too
    for number in range(module, panel + 1):
        assert WATERMARK[lang] in squash(pages[number - 1]), number
    assert WATERMARK[lang] not in squash(pages[home - 1])  # approved
    assert squash(pages[0]).count(WATERMARK[lang]) == (1 if lang == "zh" else 0)  # cover: only "草稿：共 5 页…"
    assert WATERMARK[lang] in squash(pages_text(built.panel[lang], raw=True)[0])
    assert WATERMARK[lang] in squash(pages_text(built.handout[lang], raw=True)[0])


def test_fonts_are_embedded_and_subset(built: SimpleNamespace) -> None:
    for pdf in all_pdfs(built):
        rows = pdffonts(pdf)
        assert rows, pdf
        for row in rows:
            assert (row["emb"], row["sub"], row["uni"]) == ("yes", "yes", "yes"), (pdf.name, row)
        assert any("Noto-Sans-CJK-SC" in row["name"] for row in rows), pdf.name


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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_handout_and_panel(built: SimpleNamespace, lang: str) -> None:
    handout = pages_text(built.handout[lang])
    assert MODULE[lang] in handout[0] and UI[lang]["manual_handout"] in handout[0]
    last = len(handout)
    assert squash(f"第 {last} 页 / 共 {last} 页" if lang == "zh" else f"Page {last} of {last}") in squash(handout[-1])
    assert outline(built.handout[lang])[0][1] == MODULE[lang]
    panel = pages_text(built.panel[lang])[0]
    assert PANEL[lang] in panel
    # the SVG figure was found and drawn (its text is in the PDF), in the panel and in the manual
    figure = "图形文字甲" if lang == "zh" else "Figure text alpha"
    assert figure in panel
    assert figure in "\n".join(pages_text(built.manual[lang]))


# --- failures -------------------------------------------------------------------------------------------------------
def test_a_failed_render_leaves_the_previous_pdf_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.document import Document

    from kb.manual import RenderError
    from kb.manual.render import RenderJob, render_all

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
    from kb.manual import FontMissingError, render

    monkeypatch.setattr(render, "_fc_list", lambda *args: "DejaVu Sans\nNoto Sans CJK JP\n")
    with pytest.raises(FontMissingError, match=r"fonts-noto-cjk.*sudo apt-get install fonts-noto-cjk"):
        render.require_cjk_font()


def test_build_stops_before_rendering_when_the_cjk_font_is_missing(built: SimpleNamespace, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.data import ProjectData
    from kb.manual import FontMissingError, build_manuals, render
    from kb.settings import load_settings

    monkeypatch.setattr(render, "_fc_list", lambda *args: "")
    settings = load_settings(built.project, environ={"KB_TODAY": TODAY})
    entry = {"lang": "zh", "file_lang": "zh", "rel": "index.md", "path": "docs/zh/index.md", "url": "./",
             "dest": "index.html", "title": None, "section": None}
    with pytest.raises(FontMissingError, match="fonts-noto-cjk"):
        build_manuals(settings, ProjectData(settings), None, tmp_path, {"zh": [entry]})
    assert not list(tmp_path.rglob("*.pdf"))  # no PDF of empty boxes


def test_release_mode_refuses_unapproved_pages(built: SimpleNamespace) -> None:
    from kb import engine
    from kb.data import ProjectData
    from kb.manual import UnapprovedPagesError, plan_documents
    from kb.settings import load_settings

    settings = dataclasses.replace(load_settings(built.project, environ={"KB_TODAY": TODAY}), release=True)
    data = ProjectData(settings)
    report = engine.run(settings, data, release=False)
    manifests = {
        lang: [{"lang": lang, "file_lang": lang, "rel": p.rel, "path": p.path, "url": "", "dest": "",
                "title": None, "section": None} for p in report.pages.values() if p.lang == lang]
        for lang in ("zh", "en")
    }
    with pytest.raises(UnapprovedPagesError) as err:
        plan_documents(settings, data, report, built.site, manifests)
    message = str(err.value)
    assert "docs/zh/mercury/modules/01-test-module.md" in message and "docs/en/mercury/panels/01-test-panel.md" in message
    assert "docs/zh/index.md" not in message  # approved
