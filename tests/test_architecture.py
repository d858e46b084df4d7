"""The package layers hold (ARCHITECTURE.md, `.importlinter`): import-linter reads every import of
kb/ and bench/, those inside functions too, and checks the contracts; and a contract that the code
breaks is reported (the linter is not silently passing)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINT = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"]


def _lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*LINT, "--no-cache", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_import_contracts_hold():
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_an_upward_import_breaks_the_layers_contract(tmp_path: Path):
    # the same contracts over a copy of kb/ with one upward import (content -> web) added
    for name in ("kb", "bench"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / ".importlinter", tmp_path / ".importlinter")
    pages = tmp_path / "kb" / "content" / "pages.py"
    pages.write_text(pages.read_text(encoding="utf-8") + "\n\ndef _upward() -> None:\n    from kb.web import csp  # noqa: F401\n",
                     encoding="utf-8")
    result = subprocess.run([*LINT, "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "kb's packages import downwards only BROKEN" in result.stdout
    assert "kb.content.pages -> kb.web.csp" in result.stdout


def test_an_html_build_loads_no_print_signature_or_pinyin_library():
    # the hook and the pipeline, as `mkdocs build` loads them: the print stage (with WeasyPrint, pikepdf,
    # the HTML5 parser) loads when PDFs are made, pyHanko and pypdf when a signed copy is read, pypinyin
    # when a Chinese glossary is sorted; the check engine and its rules in the process that runs them
    # (docs/adr/0018-heavy-libraries-load-when-used.md)
    probe = ("import sys, runpy; runpy.run_path('hooks/kb_hooks.py'); "
             "print(' '.join(sorted(m for m in ('weasyprint', 'pyhanko', 'pypdf', 'pydyf', 'pypinyin', 'pikepdf', "
             "'tinyhtml5', 'kb.print.manual.build', 'kb.print.manual.assemble', 'kb.print.forms', 'kb.checks.engine', "
             "'kb.checks.page', 'phonenumbers') if m in sys.modules)))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
