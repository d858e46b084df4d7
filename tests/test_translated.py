"""./scripts/translated stamps the source hash and changes nothing else, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.authoring.translate import StampError, replace_translation_entry
from kb.cli import main
from kb.content.pages import body_hash


def test_stamp_replaces_only_the_translation_entry_keeping_bom_and_crlf():
    text = "\ufeff---\r\ntitle: T\r\ntranslation:\r\n  from: zh\r\n  hash: 000000000000\r\nreview: {status: draft}\r\n---\r\nBody  \r\n"
    out = replace_translation_entry(text, "translation: {from: zh, hash: abcdefabcdef}")
    assert out == "\ufeff---\r\ntitle: T\r\ntranslation: {from: zh, hash: abcdefabcdef}\r\nreview: {status: draft}\r\n---\r\nBody  \r\n"


def test_stamp_adds_the_entry_before_the_closing_line():
    out = replace_translation_entry("---\ntitle: T\n---\nBody\n", "translation: {from: zh, hash: abcdefabcdef}")
    assert out == "---\ntitle: T\ntranslation: {from: zh, hash: abcdefabcdef}\n---\nBody\n"


def test_no_front_matter_is_an_error():
    with pytest.raises(StampError):
        replace_translation_entry("Body\n", "translation: x")


def _project(tmp_path: Path) -> Path:
    from bench.sample import copy_project

    (tmp_path / "docs" / "zh").mkdir(parents=True)
    (tmp_path / "docs" / "en").mkdir(parents=True)
    return copy_project(tmp_path)


def test_cli_stamps_the_hash_of_the_source_body(tmp_path: Path, monkeypatch, capsys):
    root = _project(tmp_path)
    zh = "---\ntitle: 中\ntype: page\ntrack: general\nreview: {status: draft, approvals: []}\n---\n\n正文。\n"
    en_before = "---\ntitle: En\ntype: page\ntrack: general\nreview: {status: draft, approvals: []}\n---\n\nBody.\n"
    (root / "docs/zh/p.md").write_text(zh, encoding="utf-8")
    (root / "docs/en/p.md").write_text(en_before, encoding="utf-8")
    monkeypatch.setattr("kb.project.settings.REPO_ROOT", root)
    assert main(["translated", str(root / "docs/en/p.md")]) == 0
    after = (root / "docs/en/p.md").read_text(encoding="utf-8")
    assert after == en_before.replace("---\n\nBody", f"translation: {{from: zh, hash: {body_hash(zh)}}}\n---\n\nBody")
    assert "stamped" in capsys.readouterr().out
    assert main(["translated", str(root / "docs/en/p.md")]) == 0  # idempotent
    assert (root / "docs/en/p.md").read_text(encoding="utf-8") == after
    assert main(["translated", str(root / "docs/en/missing.md")]) == 1
