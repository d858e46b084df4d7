"""Sample projects never inherit this repository's trust state: a recorded trust root or listed keys
in the source would otherwise change what every approval test expects (issue: recording a real
signers_root made 26 tests error)."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.sample import copy_project
from kb.project.settings import REPO_ROOT

KEY = 'reviewer@feco.example namespaces="git" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMP'


def test_a_sample_has_no_trust_root_and_no_keys_whatever_the_source_records(tmp_path: Path):
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy2(REPO_ROOT / "kb.yml", source / "kb.yml")
    shutil.copytree(REPO_ROOT / "data", source / "data")
    reviewers = source / "data" / "reviewers.yml"
    text = reviewers.read_text(encoding="utf-8")
    assert 'signers_root: ""' in text
    reviewers.write_text(text.replace('signers_root: ""', "signers_root: " + "a" * 40), encoding="utf-8")
    feco = source / "data" / "signers" / "FECO.allowed_signers"
    feco.write_text(feco.read_text(encoding="utf-8") + KEY + "\n", encoding="utf-8")

    sample = copy_project(tmp_path / "sample", source=source)

    assert 'signers_root: ""' in (sample / "data" / "reviewers.yml").read_text(encoding="utf-8")
    copied = (sample / "data" / "signers" / "FECO.allowed_signers").read_text(encoding="utf-8")
    assert KEY not in copied and copied.startswith("# Allowed signers of FECO")
    assert all(not line.strip() or line.startswith("#") for line in copied.splitlines())
