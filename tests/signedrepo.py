"""A sample project in a throw-away git repository with throw-away SSH keys: FECO's key the recorded
trust root, UNIDO's listed in a commit FECO signed (tests of approvals and review copies)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sitebuild import TODAY

from bench.sample import copy_project
from kb.checks.engine import run
from kb.cli import main
from kb.content.digest import page_digest
from kb.content.pages import body_hash, parse_page
from kb.project.data import ProjectData
from kb.project.settings import load_settings
from kb.trust.approvals import digest_rules, worktree_reader

REL = "mercury/catalyst.md"
ZH = ("---\ntitle: 废触媒\ntype: page\ntrack: mercury\nreview: {status: draft, approvals: []}\n---\n\n"
      "# 废触媒\n\n废触媒应按危险废物管理。\n")
EN_BODY = "\n# Spent catalyst\n\nSpent catalyst is managed as hazardous waste.\n"


def en_page(zh: str = ZH, body: str = EN_BODY) -> str:
    return ("---\ntitle: Spent catalyst\ntype: page\ntrack: mercury\nreview: {status: draft, approvals: []}\n"
            f"translation: {{from: zh, hash: {body_hash(zh)}}}\n---\n{body}")


class Repo:
    """A sample project in its own git repository, with keys and allowed-signers files."""

    def __init__(self, root: Path, keys: Path) -> None:
        self.root, self.keys = root, keys

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)}: {result.stderr}")
        return result

    def key(self, name: str) -> Path:
        private = self.keys / name
        if not private.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(private)], check=True)
        return private.with_suffix(".pub")

    def signer_line(self, org: str, name: str, options: str = 'namespaces="git"') -> None:
        """Append *name*'s key to *org*'s allowed-signers file (not committed)."""
        path = self.root / "data" / "signers" / f"{org}.allowed_signers"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"{name}@example.org {options} {self.key(name).read_text().strip()}\n")

    def allow(self, org: str, name: str, options: str = 'namespaces="git"', *, sign_as: str | None = "feco") -> str:
        """List *name*'s key for *org* in a commit signed by *sign_as* (the maintainer's FECO key by
        default, as CONTRIBUTING says); returns the commit."""
        self.signer_line(org, name, options)
        self.commit(f"List {name}'s key for {org}", sign_as=sign_as)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").stdout.strip()

    def record_root(self, commit: str, *, sign_as: str | None = "feco") -> None:
        """Record *commit* as the trust root in data/reviewers.yml (signers_root)."""
        text = self.read("data/reviewers.yml")
        assert 'signers_root: ""' in text
        self.write("data/reviewers.yml", text.replace('signers_root: ""', f"signers_root: {commit}"))
        self.commit("Record the signers trust root", sign_as=sign_as)

    def use(self, name: str | None) -> None:
        """Sign as *name* (None: signing not configured)."""
        if name is None:
            self.git("config", "--unset", "user.signingkey", check=False)
            self.git("config", "--unset", "gpg.format", check=False)
        else:
            self.git("config", "gpg.format", "ssh")
            self.git("config", "user.signingkey", str(self.key(name)))

    def write(self, rel: str, text: str) -> None:
        (self.root / rel).write_text(text, encoding="utf-8")

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def commit(self, message: str, *, sign_as: str | None = None) -> None:
        self.git("add", "-A")
        if sign_as:
            self.git("-c", "gpg.format=ssh", "-c", f"user.signingkey={self.key(sign_as)}", "commit", "-q", "-S", "-m", message)
        else:
            self.git("commit", "-q", "--no-gpg-sign", "-m", message)

    def approve(self, org: str, *args: str, sign_as: str | None = None, paths: tuple[str, ...] = (f"docs/zh/{REL}",)) -> int:
        self.use(sign_as or org.lower())
        return main(["approve", *[str(self.root / p) for p in paths], "--as", org, *args])

    def report(self, release: bool = True):
        return run(load_settings(self.root, environ={"KB_TODAY": TODAY}), release=release, lang="en")

    def digests(self, rel: str = REL) -> dict[str, str]:
        """The content digest (kb/content/digest.py) of both pages of *rel* as they are in the working tree."""
        settings = load_settings(self.root, environ={"KB_TODAY": TODAY})
        rules = digest_rules(settings, ProjectData(settings))
        out = {}
        for lang in ("zh", "en"):
            path = f"docs/{lang}/{rel}"
            page = parse_page(path, lang, rel, (self.root / path).read_bytes())
            out[lang] = page_digest(page, rules, worktree_reader(self.root)).value
        return out


def make_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    root = copy_project(tmp_path / "project")
    (root / "docs" / "zh" / "mercury").mkdir(parents=True)
    (root / "docs" / "en" / "mercury").mkdir(parents=True)
    keys = tmp_path / "keys"
    keys.mkdir()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))  # nobody's own git configuration
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("KB_TODAY", TODAY)
    monkeypatch.setattr("kb.project.settings.REPO_ROOT", root)
    r = Repo(root, keys)
    r.git("init", "-q", "-b", "main")
    r.git("config", "user.name", "Test Reviewer")
    r.git("config", "user.email", "reviewer@example.org")
    r.write(f"docs/zh/{REL}", ZH)
    r.write(f"docs/en/{REL}", en_page())
    r.commit("Pages")
    # the maintainers' trust root: the first commit listing FECO's key, recorded in a commit signed with it
    r.record_root(r.allow("FECO", "feco"))
    r.allow("UNIDO", "unido")  # signed with the listed FECO key
    return r
