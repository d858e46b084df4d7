"""The PDF step's work is proportional to the change: the sample manual site (tests/fixtures/manual)
in its own git repository is built, one character of one Chinese module is edited, and the next
builds re-render only the documents that print that page (the zh mercury manual and the module's
zh handout); every other PDF comes from the cache, and each printed version still says what it is
(the commit of the newest change to its pages and a digest of its content, or "uncommitted")."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from sitebuild import FIXTURES, build, make_project

pytestmark = pytest.mark.pdf  # renders PDFs with WeasyPrint: not in the fast lane

REPO = Path(__file__).resolve().parent.parent
UI = yaml.safe_load((REPO / "data" / "ui.yml").read_text(encoding="utf-8"))
MODULE = Path("docs/zh/mercury/modules/01-test-module.md")
EDITED = {"manual-mercury-zh.pdf", "workbook-mercury-zh.pdf", "handouts/zh/01-test-module.pdf",
    "slides-01-test-module-zh.pdf", "trainer/slides-notes-01-test-module-zh.pdf"}  # the documents that print MODULE
SUMMARY = re.compile(r"kb manual: (\d+) PDFs rendered, (\d+) reused")
FORMS = re.compile(r"kb forms: (\d+) PDFs rendered, (\d+) reused")
NEXT_DAY = "2026-11-22"  # the day after sitebuild.TODAY


class Repo:
    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        home.mkdir(parents=True, exist_ok=True)
        (home / "gitconfig").write_text("[user]\n\tname = Fixture Author\n\temail = author@example.org\n")
        self.env = {**os.environ, "GIT_CONFIG_GLOBAL": str(home / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        result = subprocess.run(["git", *args], cwd=self.root, env=self.env, capture_output=True, text=True)
        assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
        return result.stdout

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--no-gpg-sign", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def outcome(log: str) -> tuple[set[str], int, int]:
    """(documents rendered, from the per-document log lines; the summary line's two counts)."""
    rendered = set(re.findall(r"kb manual: rendered downloads/(\S+\.pdf)", log))
    m = SUMMARY.search(log)
    assert m, log[-3000:]
    return rendered, int(m.group(1)), int(m.group(2))


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def version_on_cover(pdf: Path, lang: str) -> str:
    """The version line of the cover: 'Version <...>' (pdftotext keeps the label and value apart)."""
    cover = pdf_text(pdf).split("\f")[0]
    lines = [line.strip() for line in cover.splitlines() if line.strip()]
    values = [line for line in lines if re.search(r"[0-9a-f]{8}", line)]
    assert values, cover
    return values[0]


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    if subprocess.run(["git", "--version"], capture_output=True).returncode != 0:
        pytest.skip("needs git")
    base = tmp_path_factory.mktemp("incremental")
    # with held events: their summary reports are printed by the forms step (kb/print/forms.py)
    project = make_project(base / "project", FIXTURES / "manual", FIXTURES / "held-events", site=True)
    (project / ".gitignore").write_text("site/\n.cache/\nsite.building/\n")
    repo = Repo(project, base / "home")
    first_commit = repo.commit("sample site")
    logs = {"cold": build(project, pdf=True).stderr}
    downloads = project / "site" / "downloads"
    # the PDF step's documents (the forms and event reports of kb/print/forms.py are a step of their own)
    all_pdfs = {str(p.relative_to(downloads)) for p in downloads.rglob("*.pdf")
                if p.relative_to(downloads).parts[0] not in ("forms", "reports")}
    versions = {"cold": {lang: version_on_cover(downloads / f"manual-mercury-{lang}.pdf", lang) for lang in ("zh", "en")}}
    logs["unchanged"] = build(project, pdf=True).stderr
    page = project / MODULE
    text = page.read_text(encoding="utf-8")
    assert "企业应按月记录" in text
    page.write_text(text.replace("企业应按月记录", "企业须按月记录", 1), encoding="utf-8")  # one character
    logs["edited"] = build(project, pdf=True).stderr
    versions["edited"] = {lang: version_on_cover(downloads / f"manual-mercury-{lang}.pdf", lang) for lang in ("zh", "en")}
    texts = {"edited": pdf_text(downloads / "manual-mercury-zh.pdf")}
    edit_commit = repo.commit("one character in the zh module")
    logs["committed"] = build(project, pdf=True).stderr
    logs["next day"] = build(project, pdf=True, extra_env={"KB_TODAY": NEXT_DAY}).stderr
    versions["committed"] = {lang: version_on_cover(downloads / f"manual-mercury-{lang}.pdf", lang) for lang in ("zh", "en")}
    return SimpleNamespace(project=project, downloads=downloads, logs=logs, all_pdfs=all_pdfs, versions=versions,
                           texts=texts, first_commit=first_commit, edit_commit=edit_commit, repo=repo)


def test_the_cold_build_renders_every_pdf_and_the_next_renders_none(incremental: SimpleNamespace) -> None:
    rendered, n_rendered, n_reused = outcome(incremental.logs["cold"])
    assert EDITED <= incremental.all_pdfs and len(incremental.all_pdfs) >= 10
    assert rendered == incremental.all_pdfs and n_rendered == len(rendered) and n_reused == 0
    rendered, n_rendered, n_reused = outcome(incremental.logs["unchanged"])
    assert rendered == set() and n_rendered == 0 and n_reused == len(incremental.all_pdfs)


def test_a_day_later_nothing_is_rendered_again(incremental: SimpleNamespace) -> None:
    """No PDF prints the build's date: the manuals print their pages' commit, the event reports
    the date of their record's last commit (kb.print.forms.report_made), the blank forms no date."""
    forms_cold = FORMS.search(incremental.logs["cold"])
    assert forms_cold and int(forms_cold.group(1)) >= 10, "the forms step rendered the forms and the event reports"
    rendered, n_rendered, n_reused = outcome(incremental.logs["next day"])
    assert (rendered, n_rendered, n_reused) == (set(), 0, len(incremental.all_pdfs))
    forms = FORMS.search(incremental.logs["next day"])
    assert forms and forms.group(1) == "0" and forms.group(2) == forms_cold.group(1)
    report = pdf_text(incremental.downloads / "reports" / "zh" / "gender--training-2025.pdf")
    made = incremental.repo.git("log", "-1", "--format=%cs", "--", "docs/zh/gender/training-2025.md").strip()
    assert made in report and NEXT_DAY not in report


def test_one_character_edit_renders_only_the_documents_printing_that_page(incremental: SimpleNamespace) -> None:
    for step in ("edited", "committed"):  # the edit, then its commit (which changes the version of those two only)
        rendered, n_rendered, n_reused = outcome(incremental.logs[step])
        assert rendered == EDITED, (step, rendered)
        assert (n_rendered, n_reused) == (len(EDITED), len(incremental.all_pdfs) - len(EDITED)), step
    assert "企业须按月记录" in incremental.texts["edited"].replace("\n", "")


def test_printed_version_names_the_pages_commit_and_content(incremental: SimpleNamespace) -> None:
    cold, edited, committed = (incremental.versions[k] for k in ("cold", "edited", "committed"))
    first, edit = incremental.first_commit[:7], incremental.edit_commit[:7]
    # committed pages: '<commit of the newest change to the printed pages> · <content digest>'
    for lang in ("zh", "en"):
        assert re.fullmatch(rf"{first} · [0-9a-f]{{8}}", cold[lang]), cold[lang]
    # the edited, uncommitted zh module: the digest changes and the stamp says it is not committed
    assert re.fullmatch(rf"[0-9a-f]{{8}} · {re.escape(UI['zh']['manual_uncommitted'])}", edited["zh"]), edited["zh"]
    assert edited["zh"].split(" · ")[0] != cold["zh"].split(" · ")[1]
    assert edited["en"] == cold["en"]  # the English manual prints nothing that changed
    # committed: the edit's commit (the edition, now the commit's date, is part of the digest)
    assert re.fullmatch(rf"{edit} · [0-9a-f]{{8}}", committed["zh"]), committed["zh"]
    assert committed["en"] == cold["en"]
    # the cover, the review record and the running footer of every page after the cover print it
    pages = pdf_text(incremental.downloads / "manual-mercury-zh.pdf").split("\f")[:-1]
    stamp = committed["zh"].replace(" ", "")
    assert all(stamp in page.replace(" ", "").replace("\n", "") for page in pages), stamp
