"""A manual rendered in parts and merged (kb/print/manual/parts.py) is the manual rendered whole: the
sample manual site is built twice, once with every chapter a part of its own (kb.yml
print.part_kb: 1) and once whole, and the two PDFs are compared as a reader gets them: the text
of every page (the footer's "page N of M", the contents' page numbers, "(see page N)"), the
bookmarks, the links and where they lead, the tagged structure, and each font embedded once. An
edit of one module then renders only the part that prints it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pikepdf
import pytest
from pdfread import slide_draws
from sitebuild import FIXTURES, build, make_project

from kb.print.manual.parts import PART_MARK, FontRecord, MergeError, PartFacts, Slot, merge_parts, split_parts

pytestmark = pytest.mark.pdf  # renders PDFs with WeasyPrint: not in the fast lane

MANUALS = ("manual-mercury-zh.pdf", "manual-mercury-en.pdf")
MODULE = Path("docs/zh/mercury/modules/01-test-module.md")
RENDERED = re.compile(r"kb manual: rendered downloads/(manual-\S+\.pdf) \(\d+ pages, [\d.]+ s, in (\d+) parts: (\d+) rendered, (\d+) reused\)")


def project_with_part_kb(dest: Path, part_kb: int) -> Path:
    project = make_project(dest, FIXTURES / "manual", site=True)
    settings = project / "kb.yml"
    text = settings.read_text(encoding="utf-8")
    assert "part_kb: 200" in text
    settings.write_text(text.replace("part_kb: 200", f"part_kb: {part_kb}"), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    base = tmp_path_factory.mktemp("parts")
    parted = project_with_part_kb(base / "parted", 1)
    whole = project_with_part_kb(base / "whole", 100_000)
    logs = {"parted": build(parted, pdf=True).stderr, "whole": build(whole, pdf=True).stderr}
    before = base / "before-the-edit"
    before.mkdir()
    for name in MANUALS:
        shutil.copy(parted / "site" / "downloads" / name, before / name)
    page = parted / MODULE
    text = page.read_text(encoding="utf-8")
    assert "企业应按月记录" in text
    page.write_text(text.replace("企业应按月记录", "企业须按月记录", 1), encoding="utf-8")
    logs["edited"] = build(parted, pdf=True).stderr
    return SimpleNamespace(parted=before, edited=parted / "site" / "downloads", whole=whole / "site" / "downloads", logs=logs)


def page_texts(pdf: Path) -> list[str]:
    """pdftotext per page, runs of spaces and the contents' leader dots (as long as the line's
    room, which the slot changes) made one."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s+", " ", re.sub(r"\.{3,}", "…", page)).strip() for page in text.split("\f")[:-1]]


def reader_view(path: Path) -> dict:
    """What a reader's PDF viewer shows besides the text: bookmarks (depth, title, page), links
    (page, destination name, page it leads to), the structure tree and the embedded fonts."""
    with pikepdf.open(path) as pdf:
        pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
        names = pdf.Root.Names.Dests.Names
        dests = {str(names[i]): pages[names[i + 1][0].objgen] for i in range(0, len(names), 2)}
        links = []
        for number, page in enumerate(pdf.pages):
            for annot in page.get("/Annots", []):
                assert "/A" not in annot or not str(annot.A.get("/URI", "")).startswith("kb-part:"), "a link left between parts"
                if "/Dest" in annot:
                    links.append((number, str(annot.Dest), dests.get(str(annot.Dest))))
        with pdf.open_outline() as outline:
            def walk(items: list, depth: int = 0) -> list:
                return [row for item in items for row in
                        [(depth, item.title, pages[item.destination[0].objgen])] + walk(item.children, depth + 1)]
            bookmarks = walk(outline.root)
        tree = pdf.Root.StructTreeRoot
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        elements, strays = 0, 0
        stack = [tree.K[0]]
        while stack:
            element = stack.pop()
            elements += 1
            if "/Pg" in element and element.Pg.objgen not in pages:
                strays += 1
            kids = element.get("/K")
            kids = kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
            stack += [k for k in kids if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/StructElem"]
        parents = [int(p.StructParents) for p in pdf.pages]
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        return {"bookmarks": bookmarks, "links": links, "dests": dests, "elements": elements, "strays": strays,
                "keys unique": len(keys) == len(set(keys)), "page keys known": set(parents) <= set(keys),
                "lang": str(pdf.Root.Lang), "marked": bool(pdf.Root.MarkInfo.Marked),
                "fonts": sorted(line.split()[0] for line in fonts)}


def test_the_manual_is_rendered_in_parts_and_merged(builds: SimpleNamespace) -> None:
    found = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in RENDERED.finditer(builds.logs["parted"])}
    for name in MANUALS:
        parts, rendered = found[name]
        assert parts >= 4 and rendered == parts, (name, found)
    assert "could not be merged" not in builds.logs["parted"]
    assert not RENDERED.search(builds.logs["whole"]), "the whole build rendered no manual in parts"


@pytest.mark.parametrize("name", MANUALS)
def test_every_page_reads_as_in_the_manual_rendered_whole(builds: SimpleNamespace, name: str) -> None:
    parted, whole = page_texts(builds.parted / name), page_texts(builds.whole / name)
    assert len(parted) == len(whole) >= 8
    for number, (mine, theirs) in enumerate(zip(parted, whole, strict=True), 1):
        # where pdftotext puts a space depends on the gaps between text boxes, which the merge closes up
        assert mine.replace(" ", "") == theirs.replace(" ", ""), (number, mine, theirs)
    footer = "第 {} 页 / 共 {} 页" if name.endswith("-zh.pdf") else "Page {} of {}"
    for number, text in enumerate(parted[1:], 2):  # the cover has no footer
        assert footer.format(number, len(parted)) in text, (number, text[-200:])


@pytest.mark.parametrize("name", MANUALS)
def test_bookmarks_links_structure_and_fonts_are_those_of_the_whole_manual(builds: SimpleNamespace, name: str) -> None:
    parted, whole = reader_view(builds.parted / name), reader_view(builds.whole / name)
    assert parted["links"] and parted["bookmarks"] and parted["elements"] > 100
    assert parted == whole
    assert parted["strays"] == 0 and parted["keys unique"] and parted["page keys known"]
    assert len(parted["fonts"]) == len(set(parted["fonts"])), "a font embedded more than once"


@pytest.mark.parametrize("name", MANUALS)
def test_the_module_slides_are_drawn_into_the_merged_guide(builds: SimpleNamespace, name: str) -> None:
    """The trainer guide's slides (drawn into boxes found by their named destinations) land on the same
    pages of the merged manual as of the whole one."""
    parted = slide_draws(builds.parted / name)
    assert parted and parted == slide_draws(builds.whole / name)


def test_an_edit_renders_only_the_part_that_prints_it(builds: SimpleNamespace) -> None:
    found = {m.group(1): (int(m.group(2)), int(m.group(3)), int(m.group(4))) for m in RENDERED.finditer(builds.logs["edited"])}
    assert set(found) == {"manual-mercury-zh.pdf"}, found
    parts, rendered, reused = found["manual-mercury-zh.pdf"]
    # the module's part, and the cover's and the review record's, which print the manual's version
    assert rendered == 3 and reused == parts - 3
    assert "企业须按月记录" in "".join(page_texts(builds.edited / "manual-mercury-zh.pdf"))


def test_parts_are_cut_at_the_marks_cover_and_record_alone() -> None:
    body = PART_MARK.join(["<p>cover</p>", "<p>a</p>", "<p>b</p>", "<p>c</p>", "<p>record</p>"])
    html = f'<html><head><title>t</title></head><body class="x">{body}</body></html>'
    parts = split_parts(html, part_bytes=16)
    assert [re.findall(r"<p>(\w+)</p>", p) for p in parts] == [["cover"], ["a", "b"], ["c"], ["record"]]
    assert all(p.startswith('<html><head><title>t</title></head><body class="x">') and p.endswith("</body></html>")
               for p in parts)
    assert split_parts("<html><body><p>one</p></body></html>", 16) == ["<html><body><p>one</p></body></html>"]


def test_a_manual_longer_than_its_slots_is_not_merged(tmp_path: Path) -> None:
    """Ten pages do not fit one-digit slots: MergeError, and render_all renders the manual whole."""
    facts = PartFacts(pages=10, anchors={}, bookmarks=[], slots={0: Slot("center", ["folio"])},
                      fonts={"F": FontRecord("0" * 64, 0, True, False)}, digits=1)
    with pytest.raises(MergeError, match="do not fit"):
        merge_parts([(b"%PDF-1.7", facts)], "v", tmp_path)
