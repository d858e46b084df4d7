"""The package layers hold (ARCHITECTURE.md, `.importlinter`): import-linter reads every import of
kb/ and bench/, those inside functions too, and checks the contracts; and a contract that the code
breaks is reported (the linter is not silently passing)."""

from __future__ import annotations

import ast
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


# WeasyPrint's public API (its API reference): the package itself and its URL fetcher. Anything else
# of WeasyPrint, and pydyf, is internal and used in kb/print/manual/internals.py only (ADR 0007).
PUBLIC_WEASYPRINT = {"weasyprint", "weasyprint.urls"}
INTERNALS_MODULE = Path("kb/print/manual/internals.py")


def internals_used(source: str) -> list[tuple[int, str]]:
    """(line, what) for each import of WeasyPrint's or pydyf's internals, or read of a private
    attribute of a laid-out page (`_page_box`), in *source*."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
        for name in names:
            if name.split(".")[0] == "pydyf" or (name.startswith("weasyprint.") and name not in PUBLIC_WEASYPRINT):
                found.append((node.lineno, name))
        if isinstance(node, ast.Attribute) and node.attr == "_page_box":
            found.append((node.lineno, "_page_box"))
    return sorted(found)


def test_weasyprint_and_pydyf_internals_are_used_in_one_module_only():
    outside = [f"{path.relative_to(REPO)}:{line}: {what}"
               for path in sorted((REPO / "kb").rglob("*.py")) if path.relative_to(REPO) != INTERNALS_MODULE
               for line, what in internals_used(path.read_text(encoding="utf-8"))]
    assert outside == []
    assert internals_used((REPO / INTERNALS_MODULE).read_text(encoding="utf-8"))  # the module the rule points at


def test_an_internal_import_or_a_box_tree_read_is_found():
    source = ("import weasyprint\nfrom weasyprint.urls import URLFetcher\nimport weasyprint.draw as d\n"
              "def f(page):\n    from pydyf import Array\n    return page._page_box\n")
    assert internals_used(source) == [(3, "weasyprint.draw"), (5, "pydyf"), (6, "_page_box")]
