"""Slides per module and language (kb/print/manual/slides.py), read in the PDFs a real build writes.

One project holds both fixtures of the slide-overflow rule (tests/fixtures/rules/slide-overflow/):
`clean` has a module whose slides all fit (a section marked .slides and cut in two by ---, an unmarked
section with a list, a table and a figure, a section marked .no-slides, trainer notes, exercises and
answers); `flag` has a module with a list too long for one slide (cut into five) and a marked section
too long for its slide (reported); tests/fixtures/slides-odd-structure has a module built oddly,
tests/fixtures/status-page the status page. It is built twice with KB_PDF=1: the second build reuses every PDF from the cache and must report the overflow again.
The PDFs are read with pypdf (page boxes, bookmarks, the size of each piece of text), pdftotext
(-bbox: where each word is) and pdffonts.
"""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pikepdf
import pytest
from pdfread import slide_draws
from pypdf import PdfReader
from sitebuild import FIXTURES, build, make_project

pytestmark = pytest.mark.pdf  # renders PDFs with WeasyPrint: not in the fast lane

LANGS = ("zh", "en")
MM = 72 / 25.4
MIN_PT = 20  # kb.yml print.slides.min_font_pt as the fixture project has it
FOOTER_MM = 13  # the bottom page margin, where the footer (module title, slide number) is
CLEAN = FIXTURES / "rules" / "slide-overflow" / "clean"
FLAG = FIXTURES / "rules" / "slide-overflow" / "flag"
STATUS = FIXTURES / "status-page"  # the status page alone (it shows what the PDFs' layout found)
ODD = FIXTURES / "slides-odd-structure"  # empty marked sections, rules only, notes in a list and in HTML, headings under exercises, answers and sources

TITLES = {
    "en": ["Slides test module: the catalyst ledger", "Learning objectives", "Record keeping", "Record keeping (2)",
           "Ledger figures", "Ledger figures", "Ledger figures", "Key points", "Exercises"],
    "zh": ["幻灯片测试模块：触媒台账", "学习目标", "记录要求", "记录要求 (2)", "台账数字", "台账数字", "台账数字", "要点", "练习"],
}
# text on the slides, by slide (1-based), and text that never reaches a slide
ON_SLIDE = {
    "en": {2: ["explain objective text oscar"], 3: ["Marked section text quebec", "Marked point sierra"],
           4: ["Marked section text uniform"], 5: ["First list point whiskey", "First list point xray"],
           6: ["Test row zulu", "invented test value"], 7: ["Test figure: two bars"], 8: ["Key point delta2"],
           9: ["Exercise question echo2", "A. option foxtrot2", "B. option golf2"]},
    "zh": {2: ["说明目标文字甲一"], 3: ["标记小节文字丙一", "标记要点戊一"], 4: ["标记小节文字庚一"],
           5: ["第一个列表要点壬一", "第一个列表要点癸一"], 6: ["测试行丑一", "虚构的测试数值"], 7: ["测试图：两根柱子"],
           8: ["要点巳一"], 9: ["练习题午一", "A.选项未一", "B.选项申一"]},
}
OFF_SLIDES = {
    "en": ["Unmarked paragraph victor", "Second list yankee", "No-slide section text charlie2", "Answer hotel2",
           "Source text juliet2", "Background reading", "Answers", "Sources"],
    "zh": ["未标记段落辛一", "第二个列表子一", "不上幻灯片的文字辰一", "答案酉一戌一", "来源文字亥一", "延伸阅读", "参考答案", "资料来源"],
}
NOTES = {  # trainer notes, and the slide whose section holds them
    "en": {2: "Trainer note on objectives", 3: "Trainer note tango", 5: "Trainer note bravo2"},
    "zh": {2: "培训师备注目标", 3: "培训师备注己一", 5: "培训师备注卯一"},
}
OVERFLOW = {  # the finding of each language's overflowing slide, as the build log prints it (in zh, the default language)
    lang: f"docs/{lang}/mercury/modules/02-overflow-module.md:38: slide-overflow: warning: "
          f"第 8 张幻灯片“{title}”在 20 pt 的最小字号下放不进一页（占 {pages} 页，见 slides-02-overflow-module-{lang}.pdf）。"
          "请精简这一节放上幻灯片的内容：在标题后加 .slides 标记并用 --- 把内容分成几张幻灯片，或把要点写成一个较短的列表；"
          "不需要幻灯片的一节可标记 .no-slides。"
    for lang, title, pages in (("en", "Too much text", 3), ("zh", "文字太多", 2))
}
OVERFLOW_DECK = {  # (title, first page) of each slide: the long list cut in five, the marked text over three pages
    "en": [("Overflow test module", 1), ("Learning objectives", 2), ("Too many points", 3), ("Too many points (2)", 4),
           ("Too many points (3)", 5), ("Too many points (4)", 6), ("Too many points (5)", 7), ("Too much text", 8),
           ("Key points", 11), ("Exercises", 12)],
    "zh": [("溢出测试模块", 1), ("学习目标", 2), ("要点太多", 3), ("要点太多 (2)", 4), ("要点太多 (3)", 5), ("要点太多 (4)", 6),
           ("要点太多 (5)", 7), ("文字太多", 8), ("要点", 10), ("练习", 11)],
}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    project = make_project(tmp_path_factory.mktemp("slides") / "project", CLEAN, FLAG, ODD, STATUS, site=True)
    first = build(project, pdf=True)
    second = build(project, pdf=True)
    site = project / "site"
    return SimpleNamespace(
        site=site, first=first.stderr + first.stdout, second=second.stderr + second.stdout,
        deck={lang: site / "downloads" / f"slides-01-slides-module-{lang}.pdf" for lang in LANGS},
        notes={lang: site / "downloads" / "trainer" / f"slides-notes-01-slides-module-{lang}.pdf" for lang in LANGS},
        overflow={lang: site / "downloads" / f"slides-02-overflow-module-{lang}.pdf" for lang in LANGS},
        odd={lang: site / "downloads" / f"slides-03-odd-module-{lang}.pdf" for lang in LANGS},
        odd_notes={lang: site / "downloads" / "trainer" / f"slides-notes-03-odd-module-{lang}.pdf" for lang in LANGS},
        guide={lang: site / "downloads" / f"manual-mercury-{lang}.pdf" for lang in LANGS},
        workbook={lang: site / "downloads" / f"workbook-mercury-{lang}.pdf" for lang in LANGS},
    )


def pages_text(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def column_text(pdf: Path, left_mm: float, right_mm: float) -> list[str]:
    """Each page's text between two distances from the left edge (the notes pages: thumbnails | notes)."""
    count = len(PdfReader(pdf).pages)
    out = []
    for number in range(1, count + 1):
        args = ["pdftotext", "-r", "72", "-f", str(number), "-l", str(number), "-x", str(round(left_mm * MM)), "-y", "0",
                "-W", str(round((right_mm - left_mm) * MM)), "-H", "842", str(pdf), "-"]
        out.append(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def bookmarks(pdf: Path) -> list[tuple[str, int]]:
    reader = PdfReader(pdf)
    return [(item.title, reader.get_destination_page_number(item) + 1) for item in reader.outline]


def text_sizes(pdf: Path) -> list[tuple[int, str, float, float]]:
    """(page, text, size in pt, distance of its baseline from the page top in pt) of every piece of text."""
    found = []
    for number, page in enumerate(PdfReader(pdf).pages, 1):
        height = float(page.mediabox.height)

        def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float, number: int = number,
                  height: float = height) -> None:
            if not text.strip():
                return
            # the text matrix, then the page's matrix: size and position in PDF points
            a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                          tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((number, text, size * abs(a * d - b * c) ** 0.5, height - y))

        page.extract_text(visitor_text=visit)
    return found


def test_every_slide_is_a_16_by_9_page(built: SimpleNamespace) -> None:
    for lang in LANGS:
        for pdf in (built.deck[lang], built.overflow[lang]):
            for page in PdfReader(pdf).pages:
                box = page.mediabox
                assert (round(float(box.width) / MM, 1), round(float(box.height) / MM, 1)) == (254.0, 142.9), pdf.name
                assert abs(float(box.width) / float(box.height) - 16 / 9) < 0.001


@pytest.mark.parametrize("lang", LANGS)
def test_slides_in_order_one_page_each(built: SimpleNamespace, lang: str) -> None:
    """One bookmark per slide, each on the page after the one before: nothing overflowed."""
    marks = bookmarks(built.deck[lang])
    assert [title for title, _ in marks] == TITLES[lang]
    assert [page for _, page in marks] == list(range(1, len(TITLES[lang]) + 1))
    assert len(PdfReader(built.deck[lang]).pages) == len(TITLES[lang])


@pytest.mark.parametrize("lang", LANGS)
def test_slides_carry_the_marked_and_key_content_and_nothing_else(built: SimpleNamespace, lang: str) -> None:
    pages = [squash(t) for t in pages_text(built.deck[lang])]
    for number, texts in ON_SLIDE[lang].items():
        for text in texts:
            assert squash(text) in pages[number - 1], f"slide {number} lacks {text!r}"
    whole = "".join(pages)
    for text in OFF_SLIDES[lang]:
        assert squash(text) not in whole, f"{text!r} is on a slide"
    for note in NOTES[lang].values():
        assert squash(note) not in whole, f"trainer note {note!r} is on a slide"
    title = squash(pages[0])
    assert squash(TITLES[lang][0]) in title
    assert squash({"en": "Mercury reduction (PVC)", "zh": "汞减排（PVC 行业）"}[lang]) in title  # the programme


@pytest.mark.parametrize("lang", LANGS)
def test_notes_pages_hold_every_slide_and_its_trainer_notes(built: SimpleNamespace, lang: str) -> None:
    notes = [squash(t) for t in column_text(built.notes[lang], 110, 210)]  # right of the thumbnails
    thumbnails = [squash(t) for t in column_text(built.notes[lang], 0, 110)]
    text = "".join(notes)
    slide_word = {"en": "Slide", "zh": "幻灯片"}[lang]
    for number, title in enumerate(TITLES[lang], 1):
        assert squash(f"{slide_word} {number} · {title}") in text
    for number, note in NOTES[lang].items():
        # the note follows its slide's heading and comes before the next slide's
        at = text.index(squash(note))
        assert text.rfind(squash(f"{slide_word} {number} ·"), 0, at) > text.rfind(squash(f"{slide_word} {number + 1} ·"), 0, at)
    # each slide is drawn beside its notes: its text is on the same notes page as its heading
    for number, texts in ON_SLIDE[lang].items():
        page = next(i for i, p in enumerate(notes) if squash(f"{slide_word} {number} ·") in p)
        assert all(squash(t) in thumbnails[page] for t in texts), (number, texts)
    for answer in OFF_SLIDES[lang][3:5]:
        assert squash(answer) not in text + "".join(thumbnails)
    fonts = subprocess.run(["pdffonts", str(built.notes[lang])], capture_output=True, text=True, check=True).stdout
    assert all(row.split()[-5] == "yes" for row in fonts.splitlines()[2:])


def test_no_text_is_smaller_than_the_minimum(built: SimpleNamespace) -> None:
    """All text on a slide is at least MIN_PT; only the footer in the bottom margin is smaller."""
    for lang in LANGS:
        sizes = text_sizes(built.deck[lang])
        body = [s for s in sizes if s[3] < 142.875 * MM - FOOTER_MM * MM]
        assert body and all(size >= MIN_PT - 0.01 for _, _, size, _ in body), \
            [s for s in body if s[2] < MIN_PT - 0.01][:5]
        assert any(abs(size - MIN_PT) < 0.01 for _, _, size, _ in body)  # the body text is at the minimum


def test_no_text_outside_the_page(built: SimpleNamespace) -> None:
    for pdf in [*built.deck.values(), *built.overflow.values()]:
        out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out).replace('xmlns="http://www.w3.org/1999/xhtml"', ""))
        pages = root.findall(".//page")
        assert pages
        for page in pages:
            width, height = float(page.get("width")), float(page.get("height"))
            words = page.findall("word")
            assert words
            for word in words:
                box = [float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
                assert 0 <= box[0] <= box[2] <= width and 0 <= box[1] <= box[3] <= height, (pdf.name, word.text, box)


def test_fonts_are_embedded(built: SimpleNamespace) -> None:
    for pdf in [*built.deck.values(), *built.notes.values()]:
        rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert rows, pdf.name
        for row in rows:
            assert row.split()[-5] == "yes", f"{pdf.name}: {row}"
        assert any("Noto-Sans-CJK-SC" in row.split()[0] for row in rows), rows


def test_an_overflowing_slide_is_reported_with_file_and_heading_line(built: SimpleNamespace) -> None:
    for log in (built.first, built.second):  # the second build reuses the PDFs from the cache
        reported = [line for line in log.splitlines() if "slide-overflow" in line]
        assert sorted(reported) == sorted(OVERFLOW.values())
    assert "kb manual: 0 PDFs rendered" in built.second


@pytest.mark.parametrize("lang", LANGS)
def test_a_long_list_is_cut_into_slides_that_fit(built: SimpleNamespace, lang: str) -> None:
    """The unmarked section's 18 points go on five slides of one page each; the marked text, which the
    author did not cut, takes more than its page (the finding above)."""
    assert bookmarks(built.overflow[lang]) == OVERFLOW_DECK[lang]
    pages = [squash(t) for t in pages_text(built.overflow[lang])]
    point = {"en": "Overflow test point number {n},", "zh": "溢出测试要点第 {n} 条"}[lang]
    at = [next(i for i, text in enumerate(pages) if squash(point.format(n=n)) in text) + 1 for n in range(1, 19)]
    assert at == sorted(at) and set(at) == {3, 4, 5, 6, 7}


def test_downloads_page_and_module_page_lead_to_the_slides(built: SimpleNamespace) -> None:
    downloads = (built.site / "en" / "downloads" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../downloads/slides-01-slides-module-en.pdf" download>Slides test module: the catalyst ledger</a>' in downloads
    assert ('href="../../downloads/trainer/slides-notes-01-slides-module-en.pdf" download class="kb-slides-notes">'
            "trainer&#39;s notes pages</a>") in downloads
    module = (built.site / "mercury" / "modules" / "01-slides-module" / "index.html").read_text(encoding="utf-8")
    assert '本单元幻灯片：<a href="../../../downloads/slides-01-slides-module-zh.pdf" download>幻灯片测试模块：触媒台账</a>' in module


ODD_DECK = {
    "en": ["Odd structure module", "Learning objectives", "Note in a list", "Key points", "Exercises", "Case discussion"],
    "zh": ["结构特殊的模块", "学习目标", "列表里的备注", "要点", "练习", "案例讨论"],
}
ODD_TEXT = {  # on the slides; in the notes only; nowhere
    "en": (["Objective odd-one", "Point odd-two", "Point odd-three", "Key point odd-six", "Question odd-seven",
            "Discuss case odd-eight"], ["Trainer note odd-four", "Trainer note odd-five"],
           ["Answer odd-nine", "Source odd-ten", "Answer detail", "Further reading", "Empty marked", "Rules only"]),
    "zh": (["目标奇一", "要点奇二", "要点奇三", "要点奇六", "问题奇七", "分组讨论案例奇八"], ["培训师备注奇四", "培训师备注奇五"],
           ["答案奇九", "来源奇十", "答案细节", "延伸阅读", "空的标记小节", "只有分隔线"]),
}


@pytest.mark.parametrize("lang", LANGS)
def test_an_oddly_built_module_still_makes_sound_slides(built: SimpleNamespace, lang: str) -> None:
    """Sections with nothing to show make no slide; a trainer note inside a list item or written as HTML
    stays off the slide; headings under the exercises are shown, under the answers and sources never."""
    assert "Traceback" not in built.first
    assert [title for title, _ in bookmarks(built.odd[lang])] == ODD_DECK[lang]
    slides = squash("".join(pages_text(built.odd[lang])))
    notes = squash("".join(column_text(built.odd_notes[lang], 110, 210)))
    shown, noted, nowhere = ODD_TEXT[lang]
    for text in shown:
        assert squash(text) in slides, text
    for text in noted:
        assert squash(text) not in slides and squash(text) in notes, text
    for text in nowhere:
        assert squash(text) not in slides and squash(text) not in notes, text


# --- the trainer guide: each module's slides with their speaker notes (its own layout, tags and page numbers) ----------
GUIDE_SECTION = {"en": "Slides and speaker notes", "zh": "幻灯片与讲解备注"}
SLIDE_WORD = {"en": "Slide", "zh": "幻灯片"}
NO_NOTES = {"en": "(no trainer notes for this slide)", "zh": "（本张无培训师备注）"}
FOOTER = {"en": "Page {page} of {pages}", "zh": "第 {page} 页 / 共 {pages} 页"}
GUIDE_TEXT_MM = 100  # the guide's slides are drawn left of this (18 mm margin + 80 mm), their notes right of it


WATERMARK = {"en": "DRAFT", "zh": "草稿"}  # the draft watermark (the fixture's pages are drafts), read as bits of lines


def without_watermark(text: str, lang: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.strip() or line.strip() not in WATERMARK[lang])


@pytest.mark.parametrize("lang", LANGS)
def test_trainer_guide_prints_each_slide_with_its_speaker_notes(built: SimpleNamespace, lang: str) -> None:
    """The module's chapter in the trainer guide ends with its slides: each slide drawn left, its number,
    title and trainer notes right, on the same page; a slide without notes says so."""
    pages = [squash(without_watermark(t, lang)) for t in pages_text(built.guide[lang])]
    notes = [squash(without_watermark(t, lang)) for t in column_text(built.guide[lang], GUIDE_TEXT_MM, 210)]
    thumbnails = [squash(without_watermark(t, lang)) for t in column_text(built.guide[lang], 0, GUIDE_TEXT_MM)]
    start = next(i for i, p in enumerate(pages) if squash(GUIDE_SECTION[lang]) in p)
    assert squash(TITLES[lang][0]) in "".join(pages[:start + 1])  # the section is in the module's chapter
    text = "".join(notes[start:])
    first = squash(f"{SLIDE_WORD[lang]} 1 ·")
    text = text[:text.index(first, text.index(first) + 1)]  # up to the next module's slides
    labels = [squash(f"{SLIDE_WORD[lang]} {n} · {title}") for n, title in enumerate(TITLES[lang], 1)]
    at = [text.index(label) for label in labels]
    assert at == sorted(at)
    for number, (begin, stop) in enumerate(zip(at, [*at[1:], len(text)], strict=True), 1):
        said = text[begin + len(labels[number - 1]):stop]
        if number in NOTES[lang]:
            assert squash(NOTES[lang][number]) in said, number
        else:
            assert said.startswith(squash(NO_NOTES[lang])), (number, said[:80])
    for number, texts in ON_SLIDE[lang].items():  # the slide itself, drawn beside its label
        page = next(i for i, p in enumerate(notes) if i >= start and labels[number - 1] in p)
        assert all(squash(t) in thumbnails[page] for t in texts), (number, texts)


@pytest.mark.parametrize("lang", LANGS)
def test_trainer_guide_draws_the_slides_and_keeps_its_tags_and_page_numbers(built: SimpleNamespace, lang: str) -> None:
    guide = built.guide[lang]
    total = len(TITLES[lang]) + len(OVERFLOW_DECK[lang]) + len(ODD_DECK[lang])  # the three modules' slides
    draws = slide_draws(guide)
    assert len(draws) == total
    labelled = [i for i, p in enumerate(pages_text(guide), 1) if squash(f"{SLIDE_WORD[lang]} 1 ·") in squash(p)]
    assert set(labelled) <= set(draws)
    with pikepdf.open(guide) as doc:
        assert "/StructTreeRoot" in doc.Root and doc.Root.MarkInfo.Marked is True
        count = len(doc.pages)
    for number, page in enumerate(pages_text(guide)[1:], 2):  # every page after the cover (which has no footer)
        assert squash(FOOTER[lang].format(page=number, pages=count)) in squash(page), number


@pytest.mark.parametrize("lang", LANGS)
def test_workbook_has_no_slides_or_speaker_notes(built: SimpleNamespace, lang: str) -> None:
    text = squash("".join(pages_text(built.workbook[lang])))
    assert squash(TITLES[lang][0]) in text  # the module is printed
    for absent in (GUIDE_SECTION[lang], f"{SLIDE_WORD[lang]} 1 ·", f"{SLIDE_WORD[lang]} 3 · {TITLES[lang][2]}",
                   NO_NOTES[lang], *NOTES[lang].values()):
        assert squash(absent) not in text, absent
    assert slide_draws(built.workbook[lang]) == []


# --- slide-overflow reaches the status (status.json and the status page), not only the build log ----------------------
OVERFLOW_EN = {  # each deck's overflowing slide as the English status page words it
    lang: f'Slide 8, "{title}", does not fit one page at the minimum type size of 20 pt (it takes {pages} pages, '
          f"see slides-02-overflow-module-{lang}.pdf). Shorten what this section puts on slides: mark the heading "
          ".slides and cut its content into several slides with ---, or make its points a shorter list; mark a "
          "section that needs no slide .no-slides."
    for lang, title, pages in (("en", "Too much text", 3), ("zh", "文字太多", 2))
}


def print_section(page: Path) -> str:
    """The text of the status page's "found while printing" section (its slot and what precedes the next heading)."""
    html = page.read_text(encoding="utf-8")
    start = html.index('id="print-findings"')
    body = html[start:html.index("<h2", start + 1)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&#34;", '"').replace("&quot;", '"')


def test_an_overflowing_slide_is_on_the_status_json_and_page(built: SimpleNamespace) -> None:
    status = json.loads((built.site / "status.json").read_text(encoding="utf-8"))
    found = [(f["path"], f["line"], f["severity"], f["message"]) for f in status["findings"] if f["rule"] == "slide-overflow"]
    assert sorted(found) == sorted(
        (f"docs/{lang}/mercury/modules/02-overflow-module.md", 38, "warning", line.split("warning: ", 1)[1])
        for lang, line in OVERFLOW.items())
    assert any(row["rule"] == "slide-overflow" and row["warning"] == 2 for row in status["counts"])
    zh = print_section(built.site / "status" / "index.html")
    en = print_section(built.site / "en" / "status" / "index.html")
    for lang, line in OVERFLOW.items():
        assert line.split("warning: ", 1)[1] in zh
        assert OVERFLOW_EN[lang] in en
    assert "slide-overflow" in zh and "slide-overflow" in en
    for status_page in (built.site / "status" / "index.html", built.site / "en" / "status" / "index.html"):
        html = status_page.read_text(encoding="utf-8")
        section = html[html.index('id="print-findings"'):]
        links = re.findall(r'href="([^"]+)"', section[:section.index("<h2")])
        assert len(links) == 2 and all((status_page.parent / link / "index.html").is_file() for link in links), links
    assert "Too many points" not in en  # the long list was cut into slides that fit: not a finding
