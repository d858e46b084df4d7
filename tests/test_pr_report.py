"""The pull-request report (./scripts/pr-report, kb/build/prreport.py, kb/print/pagediff.py), read as a
reviewer gets it: report-<lang>.md (the job summary and the comment) and report-<lang>.html with the
pictures of the printed pages.

A git repository is made from the manual fixture (tests/fixtures/manual/) with the English module page
stamped as a current translation; the base is built with its PDFs; the pull request
(tests/fixtures/pr-report-module-edit/head/) edits one sentence of the Chinese module page and adds a
preview_url to kb.yml; the head is built; the report compares the two.

Which printed pages must appear is found here without the report's code: a page changed when its text
(pdftotext) differs between the builds once the running footer (page x of y, the edition id) is set
aside. That is the edited page, and the pages that print the edition id in their body (the manual's
cover and review record, the handout's header): no other page of any PDF."""

from __future__ import annotations

import html as html_lib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image
from signedrepo import REL as SIGNED_REL
from signedrepo import make_repo
from sitebuild import FIXTURES, REPO, TODAY, build, make_project

from kb.cli import main
from kb.project.policy import trust_kind

MODULE = "docs/zh/mercury/modules/01-test-module.md"
REL = "mercury/modules/01-test-module.md"
NEW_SENTENCE = "按季度核对"
PREVIEW = "https://preview.example.org/pr-{pr}/"
FOOTER = re.compile(r"^(版本 \S+ · \S+|第 \d+ 页 / 共 \d+ 页|Version \S+ · \S+|Page \d+ of \d+)$")


def _git(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args],
                          cwd=project, check=True, capture_output=True, text=True)


def _kb(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KB_TODAY": TODAY}
    env.pop("PYTHONPATH", None)  # the project's own copy of kb/ runs (python -m from the project folder)
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=600)


# the documents that print the edited module: both editions of the manual, its handout, its slides and
# their notes pages (which draw the slides)
PRINTING_THE_MODULE = {"manual-mercury-zh.pdf", "workbook-mercury-zh.pdf", "handouts/zh/01-test-module.pdf",
                       "slides-01-test-module-zh.pdf", "trainer/slides-notes-01-test-module-zh.pdf"}


def _page_texts(pdf: Path) -> list[str]:
    """Each page's text lines without the running footer."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    pages = text.decode("utf-8").split("\f")[:-1]
    return ["\n".join(ln.strip() for ln in page.splitlines() if ln.strip() and not FOOTER.match(ln.strip()))
            for page in pages]


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pr")
    project = make_project(root / "project", FIXTURES / "manual", site=True)
    (project / ".gitignore").write_text("site/\n.cache/\n__pycache__/\n", encoding="utf-8")
    stamped = _kb(project, "translated", "docs/en/mercury/modules/01-test-module.md")
    assert stamped.returncode == 0, stamped.stderr
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "base")
    build(project, pdf=True)
    shutil.move(project / "site", root / "base-site")
    shutil.copytree(FIXTURES / "pr-report-module-edit" / "head", project, dirs_exist_ok=True)
    with (project / "kb.yml").open("a", encoding="utf-8") as kb_yml:
        kb_yml.write(f'preview_url: "{PREVIEW}"\n')
    _git(project, "checkout", "-q", "-b", "edit")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "edit the module")
    build(project, pdf=True)
    shutil.move(project / "site", root / "head-site")
    out = root / "report"
    summary = root / "summary.md"
    result = _kb(project, "pr-report", "--base", "main", "--head", "edit", "--base-site", str(root / "base-site"),
                 "--head-site", str(root / "head-site"), "--out", str(out), "--pr", "7", "--summary", str(summary))
    assert result.returncode == 0, result.stderr
    return {"root": root, "project": project, "out": out, "summary": summary}


def _html(pull_request: dict[str, Path], lang: str) -> str:
    return (pull_request["out"] / f"report-{lang}.html").read_text(encoding="utf-8")


def _shown_pages(page_html: str) -> set[tuple[str, int, int]]:
    """(document, page before, page after) of every changed page the English HTML report shows."""
    shown = set()
    for document, section in re.findall(r'<section class="document" data-document="([^"]+)">(.*?)</section>',
                                        page_html, re.S):
        for before, after in re.findall(r"<figcaption>page (\d+) → page (\d+) ", section):
            shown.add((html_lib.unescape(document), int(before), int(after)))
    return shown


@pytest.mark.pdf
def test_the_changed_pair_is_listed_with_its_state_and_preview_links(pull_request):
    reviewers = yaml.safe_load((pull_request["project"] / "data" / "reviewers.yml").read_text(encoding="utf-8"))
    awaited = ", ".join(reviewers["tracks"]["mercury"])
    en = _html(pull_request, "en")
    row = re.search(rf'<tr class="pair" data-rel="{re.escape(REL)}">(.*?)</tr>', en, re.S)
    assert row, en
    cells = [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
    assert cells[0][:2] == ["Test", "module:"] and cells[1] == ["zh"] and cells[2] == ["Stale"]
    assert cells[3] == ["nobody"] and " ".join(cells[4]) == awaited
    base = PREVIEW.replace("{pr}", "7")
    assert f'href="{base}mercury/modules/01-test-module/"' in row.group(1)
    assert f'href="{base}en/mercury/modules/01-test-module/"' in row.group(1)
    assert en.count('<tr class="pair"') == 1  # only the pair the pull request changed
    zh = _html(pull_request, "zh")
    assert re.search(rf'data-rel="{re.escape(REL)}">.*?<td class="state-stale">过期</td>', zh, re.S)
    md_en = (pull_request["out"] / "report-en.md").read_text(encoding="utf-8")
    assert f"| zh | Stale | nobody | {awaited} | [zh]({base}mercury/modules/01-test-module/)" in md_en


@pytest.mark.pdf
def test_a_settings_change_is_flagged_at_the_top_in_both_languages(pull_request):
    for lang, heading, kind in (("en", "For the maintainer first", "settings"), ("zh", "请维护人员先看", "设置")):
        page = _html(pull_request, lang)
        trust = re.search(r'<section class="warning" id="trust">(.*?)</section>', page, re.S)
        assert trust and heading in trust.group(1)
        assert re.search(rf"<code>kb.yml</code></td><td>{kind}</td>", trust.group(1))
        assert MODULE not in trust.group(1)  # a content page is not a trust file
        assert page.index('id="trust"') < page.index('id="pages"') < page.index('id="findings"') < page.index('id="print"')
        md = (pull_request["out"] / f"report-{lang}.md").read_text(encoding="utf-8")
        assert md.index("> [!WARNING]") < md.index(heading) < md.index("`kb.yml`") < md.index("###")
    summary = pull_request["summary"].read_text(encoding="utf-8")
    assert "## 修改请求报告" in summary and "## Pull-request report" in summary


@pytest.mark.pdf
def test_each_languages_report_is_also_a_pdf_with_the_warning_first(pull_request):
    for lang, title, heading in (("en", "Pull-request report", "For the maintainer first"), ("zh", "修改请求报告", "请维护人员先看")):
        pdf = pull_request["out"] / f"report-{lang}.pdf"
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
        assert text.index(title) < text.index(heading) < text.index("kb.yml") < text.index("manual-mercury-zh.pdf")
        images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, check=True, text=True).stdout
        assert len(images.strip().splitlines()) - 2 >= 5  # the page pictures are in it


@pytest.mark.pdf
def test_exactly_the_printed_pages_that_changed_are_shown_before_and_after(pull_request):
    root = pull_request["root"]
    base_pdfs = {p.relative_to(root / "base-site" / "downloads").as_posix(): p
                 for p in (root / "base-site" / "downloads").rglob("*.pdf")}
    head_pdfs = {p.relative_to(root / "head-site" / "downloads").as_posix(): p
                 for p in (root / "head-site" / "downloads").rglob("*.pdf")}
    assert set(base_pdfs) == set(head_pdfs) and len(base_pdfs) >= 8
    expected = set()
    for document, pdf in head_pdfs.items():
        before, after = _page_texts(base_pdfs[document]), _page_texts(pdf)
        assert len(before) == len(after), document  # one sentence edited: no page added or removed
        expected |= {(document, n, n) for n, (b, a) in enumerate(zip(before, after, strict=True), 1) if b != a}
    edited = {(d, n, n) for d, pdf in head_pdfs.items() for n, text in enumerate(_page_texts(pdf), 1) if NEW_SENTENCE in text}
    assert {d for d, _, _ in edited} == PRINTING_THE_MODULE
    assert edited <= expected
    assert {d for d, _, _ in expected} == PRINTING_THE_MODULE
    for lang in ("en", "zh"):
        page = _html(pull_request, lang)
        if lang == "en":
            assert _shown_pages(page) == expected
        figures = re.findall(r'<img src="images/([^"]+)"', page)
        assert len(figures) == len(expected)
    for name in re.findall(r'<img src="images/([^"]+)"', _html(pull_request, "en")):
        with Image.open(pull_request["out"] / "images" / name) as picture:
            width, height = picture.size
            assert 600 < width < 1400 and 300 < height <= 700, (name, picture.size)  # two small pages side by side
            # a red outline marks a changed area
            assert any(colour == (220, 0, 0) for _, colour in picture.convert("RGB").getcolors(1 << 20))
    md = (pull_request["out"] / "report-en.md").read_text(encoding="utf-8")
    assert "`downloads/manual-mercury-zh.pdf`" in md and "manual-mercury-en.pdf" not in md


@pytest.mark.pdf
def test_a_missing_site_or_unknown_revision_is_a_message_not_a_traceback(pull_request):
    project, root = pull_request["project"], pull_request["root"]
    missing = _kb(project, "pr-report", "--base", "main", "--head", "edit", "--base-site", str(root / "nowhere"),
                  "--head-site", str(root / "head-site"), "--out", str(root / "r2"))
    assert missing.returncode == 2 and "--base-site" in missing.stderr and "no such folder" in missing.stderr
    assert "Traceback" not in missing.stderr
    unknown = _kb(project, "pr-report", "--base", "no-such-branch", "--base-site", str(root / "base-site"),
                  "--head-site", str(root / "head-site"), "--out", str(root / "r3"))
    assert unknown.returncode == 2 and "'no-such-branch' is not a commit" in unknown.stderr
    assert "Traceback" not in unknown.stderr


@pytest.mark.parametrize(("path", "kind"), [
    ("kb/checks/page.py", "code"), ("hooks/kb_hooks.py", "code"), ("scripts/build", "code"),
    ("overrides/main.html", "code"), ("docs/assets/kb.js", "code"),
    (".github/workflows/pull-request.yml", "workflow"), (".ci/run", "workflow"),
    ("kb.yml", "settings"), ("mkdocs.yml", "settings"), ("pyproject.toml", "settings"),
    ("requirements.txt", "settings"), ("requirements.in", "settings"),
    ("data/signers/UNIDO.allowed_signers", "trust"), ("data/reviewers.yml", "trust"),
    ("data/limits.yml", "trust"), ("data/messages.yml", "trust"),
    ("docs/zh/mercury/modules/01-test-module.md", None), ("data/glossary.yml", None), ("docs/adr/0001-x.md", None),
    ("kbx/evil.py", None), ("data/reviewers.yml.bak", None),
])
def test_the_files_that_decide_trust_or_safety_are_declared_in_code(path: str, kind: str | None):
    assert trust_kind(path) == kind


# --- a changed pair's approvals, as the report lists them (no PDFs: fast) ----------------------------------------------
@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen (openssh-client)")
def test_a_changed_pair_lists_who_approved_it_and_who_is_awaited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, monkeypatch)
    shutil.copytree(REPO / "overrides", repo.root / "overrides")  # the report's templates
    repo.commit("Templates")
    base = repo.head()
    assert repo.approve("FECO", "--name", "Reviewer A") == 0  # the pull request: FECO's approval of the pair
    sites = [tmp_path / "base-site", tmp_path / "head-site"]
    for site in sites:
        site.mkdir()
    out = tmp_path / "report"
    assert main(["pr-report", "--base", base, "--head", "HEAD", "--base-site", str(sites[0]), "--head-site",
                 str(sites[1]), "--out", str(out), "--no-pdf"]) == 0
    en = (out / "report-en.md").read_text(encoding="utf-8")
    zh = (out / "report-zh.md").read_text(encoding="utf-8")
    assert f"| Spent catalyst<br>`{SIGNED_REL}` | zh, en | Current | FECO (Reviewer A, {TODAY}) | UNIDO |" in en, en
    assert f"| 废触媒<br>`{SIGNED_REL}` | zh, en | " in zh and f"| FECO (Reviewer A, {TODAY}) | UNIDO |" in zh, zh
    assert f"<td>FECO (Reviewer A, {TODAY})</td>" in (out / "report-en.html").read_text(encoding="utf-8")
