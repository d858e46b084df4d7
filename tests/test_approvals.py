"""Approvals bound to the text and to the organisation's key (kb/trust/approvals.py, ./scripts/approve).

Each test makes a small sample project in a throw-away git repository with throw-away SSH keys
(ssh-keygen -t ed25519 -N ''), approves through the real command, and asserts what the release
check and the reader get."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from signedrepo import EN_BODY, REL, ZH, Repo, en_page, make_repo
from sitebuild import TODAY, build

from bench.sample import copy_project
from kb.authoring.approve import approval_item, edit_review
from kb.checks.engine import run
from kb.cli import main
from kb.project.data import ProjectData
from kb.project.settings import load_settings
from kb.trust.approvals import PairApproval, fingerprint, shown_status

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None or shutil.which("git") is None,
                                reason="needs git and ssh-keygen (openssh-client)")

@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    return make_repo(tmp_path, monkeypatch)


def approval_findings(report, code: str | None = None) -> list:
    return [f for f in report.findings if f.rule == "approval" and (code is None or f.code == code)]


def problems(report) -> dict[str, str]:
    return {a.org: a.problem for a in report.approvals[REL].approvals}


# --- the whole way: approve, verify, release ----------------------------------------------------------------------
def test_both_organisations_approve_and_release_passes(repo: Repo, capsys) -> None:
    assert repo.approve("FECO", "--name", "Reviewer A") == 0
    assert repo.approve("UNIDO", "--name", "王某") == 0
    assert "signed commit" in capsys.readouterr().out
    report = repo.report(release=True)
    pair = report.approvals[REL]
    assert pair.approved and pair.state == "approved" and pair.lacking() == []
    assert pair.approved_by(["FECO"]) and pair.approved_by(["FECO", "UNIDO"])
    assert {a.org: a.signer for a in pair.approvals} == {"FECO": "feco@example.org", "UNIDO": "unido@example.org"}
    assert not approval_findings(report)
    assert not [f for f in report.errors if f.path.endswith(REL)], [f.message for f in report.errors]
    # status set on both pages once every organisation of the track has approved
    assert "  status: approved\n" in repo.read(f"docs/zh/{REL}")
    assert "status: approved" in repo.read(f"docs/en/{REL}")
    assert shown_status(pair, "approved") == "approved"


def test_approve_writes_only_its_line_and_makes_a_signed_commit(repo: Repo) -> None:
    assert repo.approve("FECO") == 0
    zh_after_feco = repo.read(f"docs/zh/{REL}")
    assert repo.approve("UNIDO", "--name", "王某") == 0
    zh, en = repo.read(f"docs/zh/{REL}"), repo.read(f"docs/en/{REL}")
    digests = repo.digests()
    hashes = f"zh: {digests['zh']}, en: {digests['en']}"
    assert zh == ZH.replace("review: {status: draft, approvals: []}\n",
                            "review:\n  status: approved\n  approvals:\n"
                            f"    - {{by: FECO, name: Test Reviewer, date: {TODAY}, {hashes}}}\n"
                            f"    - {{by: UNIDO, name: 王某, date: {TODAY}, {hashes}}}\n")
    # FECO's line is byte for byte what FECO's commit wrote: blame still gives it to FECO's commit
    assert zh_after_feco.split("\n")[7] == zh.split("\n")[7]
    assert en == en_page().replace("status: draft", "status: approved")
    assert repo.git("log", "-1", "--format=%s").stdout.strip() == f"Approve docs/zh/{REL}, docs/en/{REL} as UNIDO"
    assert sorted(repo.git("show", "--name-only", "--format=", "HEAD").stdout.split()) == [f"docs/en/{REL}", f"docs/zh/{REL}"]
    signers = repo.root / "data" / "signers" / "UNIDO.allowed_signers"
    verify = repo.git("-c", f"gpg.ssh.allowedSignersFile={signers}", "verify-commit", "HEAD", check=False)
    assert verify.returncode == 0, verify.stderr
    assert repo.git("status", "--porcelain").stdout == ""


def test_approve_without_signing_set_up_exits_2_with_the_git_config_commands(repo: Repo, capsys) -> None:
    repo.use(None)
    before = repo.read(f"docs/zh/{REL}")
    assert main(["approve", str(repo.root / "docs" / "zh" / REL), "--as", "UNIDO"]) == 2
    err = capsys.readouterr().err
    assert "git config --global gpg.format ssh" in err
    assert "git config --global user.signingkey" in err
    assert repo.read(f"docs/zh/{REL}") == before
    assert repo.git("log", "-1", "--format=%s").stdout.strip() == "List unido's key for UNIDO"


def test_revoke_removes_the_line_in_a_signed_commit(repo: Repo) -> None:
    repo.approve("FECO")
    repo.approve("UNIDO")
    assert repo.approve("UNIDO", "--revoke") == 0
    zh = repo.read(f"docs/zh/{REL}")
    assert "by: UNIDO" not in zh and "by: FECO" in zh and "status: in-review" in zh
    assert "status: in-review" in repo.read(f"docs/en/{REL}")
    assert repo.git("log", "-1", "--format=%s").stdout.startswith(f"Revoke approval of docs/zh/{REL}")
    signers = repo.root / "data" / "signers" / "UNIDO.allowed_signers"
    assert repo.git("-c", f"gpg.ssh.allowedSignersFile={signers}", "verify-commit", "HEAD", check=False).returncode == 0
    pair = repo.report().approvals[REL]
    assert pair.lacking() == ["UNIDO"] and not pair.approved
    assert problems(repo.report()) == {"FECO": ""}


# --- who signed -------------------------------------------------------------------------------------------------------
def _hand_line(repo: Repo, org: str, zh_hash: str | None = None, en_hash: str | None = None) -> str:
    digests = repo.digests()
    return (f"    - {{by: {org}, date: {TODAY}, zh: {zh_hash or digests['zh']}, "
            f"en: {en_hash or digests['en']}}}\n")


def _hand_approve(repo: Repo, line: str) -> None:
    text = repo.read(f"docs/zh/{REL}")
    repo.write(f"docs/zh/{REL}", text.replace("review: {status: draft, approvals: []}\n",
                                               "review:\n  status: approved\n  approvals:\n" + line))


def test_unsigned_approval_commit_is_refused(repo: Repo) -> None:
    repo.approve("FECO")
    text = repo.read(f"docs/zh/{REL}")
    repo.write(f"docs/zh/{REL}", text.replace("  approvals:\n", "  approvals:\n" + _hand_line(repo, "UNIDO")))
    repo.commit("Add UNIDO approval")
    report = repo.report()
    assert problems(report)["UNIDO"] == "unsigned"
    (f,) = approval_findings(report, "unsigned")
    assert f.severity == "error" and f.path == f"docs/zh/{REL}" and f.line == 8  # the line itself
    assert "./scripts/approve" in f.message and "UNIDO.allowed_signers" in f.message
    assert repo.report(release=False).approvals[REL].lacking() == ["UNIDO"]
    assert approval_findings(repo.report(release=False), "unsigned")[0].severity == "warning"


def test_forged_entry_typed_by_another_organisations_reviewer_is_refused(repo: Repo) -> None:
    """A FECO reviewer types UNIDO's approval (with the right hashes) and signs with the FECO key."""
    _hand_approve(repo, _hand_line(repo, "FECO") + _hand_line(repo, "UNIDO"))
    repo.commit("Approve both", sign_as="feco")
    report = repo.report()
    assert problems(report) == {"FECO": "", "UNIDO": "other-org-key"}
    (f,) = approval_findings(report, "other-org-key")
    assert "FECO" in f.message and f.severity == "error"
    assert not report.approvals[REL].approved
    assert approval_findings(report, "not-approved")  # typed "approved" that does not verify


def test_unlisted_key_is_refused(repo: Repo) -> None:
    _hand_approve(repo, _hand_line(repo, "UNIDO"))
    repo.commit("Approve", sign_as="stranger")
    report = repo.report()
    assert problems(report) == {"UNIDO": "unlisted-key"}
    assert fingerprint(repo.key("stranger").read_text().split()[1]) in approval_findings(report, "unlisted-key")[0].message


def test_expired_key_is_refused(repo: Repo) -> None:
    repo.allow("UNIDO", "old", 'namespaces="git",valid-before="20200101"')
    _hand_approve(repo, _hand_line(repo, "UNIDO"))
    repo.commit("Approve", sign_as="old")
    assert problems(repo.report()) == {"UNIDO": "key-not-valid"}


def test_uncommitted_approval_line_is_refused(repo: Repo) -> None:
    _hand_approve(repo, _hand_line(repo, "UNIDO"))
    report = repo.report()
    assert problems(report) == {"UNIDO": "uncommitted"}


def test_squash_merged_approval_names_the_missing_signed_commit(repo: Repo) -> None:
    repo.git("switch", "-q", "-c", "review")
    repo.approve("UNIDO")
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--squash", "review")
    repo.git("commit", "-q", "--no-gpg-sign", "-m", f"Review (#12)\n\n* Approve docs/zh/{REL}, docs/en/{REL} as UNIDO")
    report = repo.report()
    assert problems(report) == {"UNIDO": "squashed"}
    assert "merge commit" in approval_findings(report, "squashed")[0].message
    # the same approval merged with a merge commit keeps the reviewer's signed commit
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.git("merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "Merge review", "review")
    assert problems(repo.report()) == {"UNIDO": ""}


# --- what was approved ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_body_changed_after_approval_makes_it_outdated(repo: Repo, lang: str) -> None:
    repo.approve("FECO")
    repo.approve("UNIDO")
    path = f"docs/{lang}/{REL}"
    old, new = ("废触媒应按危险废物管理。", "废触媒可与一般固体废物一起处置。") if lang == "zh" else \
        ("is managed as hazardous waste", "may be disposed of with general solid waste")
    repo.write(path, repo.read(path).replace(old, new))
    repo.commit("Edit")
    report = repo.report()
    pair = report.approvals[REL]
    assert pair.state == "outdated" and not pair.approved and pair.lacking() == ["FECO", "UNIDO"]
    assert {a.changed for a in pair.approvals} == {(lang,)}
    assert pair.language_state(lang) == "changed"
    assert pair.language_state("en" if lang == "zh" else "zh") == "unchanged"
    found = approval_findings(report, "outdated")
    assert len(found) == 2 and all(f.severity == "error" for f in found)
    assert f"on {TODAY}" in found[0].message
    assert all(f.severity == "warning" for f in approval_findings(repo.report(release=False), "outdated"))


def test_restamping_the_translation_after_a_source_change_does_not_renew(repo: Repo) -> None:
    repo.approve("FECO")
    repo.approve("UNIDO")
    zh = repo.read(f"docs/zh/{REL}").replace("废触媒应按危险废物管理。", "废触媒可与一般固体废物一起处置。")
    repo.write(f"docs/zh/{REL}", zh)
    assert main(["translated", str(repo.root / "docs" / "en" / REL)]) == 0
    repo.commit("Reverse the rule and restamp")
    report = repo.report()
    assert not [f for f in report.findings if f.rule == "stale-translation"]
    assert report.approvals[REL].state == "outdated"
    assert {a.changed for a in report.approvals[REL].approvals} == {("zh",)}
    assert report.errors


def test_a_hash_matching_no_version_is_refused(repo: Repo) -> None:
    _hand_approve(repo, _hand_line(repo, "UNIDO", zh_hash="0123456789ab"))
    repo.commit("Approve", sign_as="unido")
    report = repo.report()
    assert problems(report) == {"UNIDO": "hash-unknown"}
    assert "0123456789ab" in approval_findings(report, "hash-unknown")[0].message


def test_not_a_git_repository_is_a_finding_not_a_traceback(repo: Repo) -> None:
    _hand_approve(repo, _hand_line(repo, "UNIDO"))
    shutil.rmtree(repo.root / ".git")
    report = repo.report()
    assert problems(report) == {"UNIDO": "no-git"}
    assert "not a git repository" in approval_findings(report, "no-git")[0].message


# --- history --------------------------------------------------------------------------------------------------------------
def test_shallow_clone_is_deepened_or_fails_release_with_the_command(repo: Repo, tmp_path: Path) -> None:
    repo.approve("FECO")
    repo.approve("UNIDO")
    repo.write("README.md", "later commit\n")
    repo.commit("Later")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)
    settings = load_settings(clone, environ={"KB_TODAY": TODAY})
    # the origin is reachable: the check deepens the clone and the approvals verify
    report = run(settings, release=True)
    assert report.approvals[REL].approved
    assert subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=clone, capture_output=True,
                          text=True).stdout.strip() == "false"
    # the origin is gone: release fails, naming the command to run
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(shallow)], check=True)
    subprocess.run(["git", "remote", "set-url", "origin", str(tmp_path / "gone")], cwd=shallow, check=True)
    report = run(load_settings(shallow, environ={"KB_TODAY": TODAY}), release=True)
    found = approval_findings(report, "shallow")
    assert len(found) == 2 and all(f.severity == "error" for f in found)
    assert "git fetch --unshallow" in found[0].message
    assert not report.approvals[REL].approved


# --- whose keys the history vouches for (kb/trust/signers.py) ------------------------------------------------------------------
SIGNERS = "data/signers/UNIDO.allowed_signers"


def signer_findings(report, code: str) -> list:
    return [f for f in approval_findings(report, code)]


def test_a_pull_request_that_lists_its_own_key_and_signs_an_approval_with_it_is_refused(repo: Repo, capsys,
                                                                                        monkeypatch) -> None:
    """The outside contributor adds their key to UNIDO's file and approves with it, in one signed commit."""
    repo.signer_line("UNIDO", "intruder")
    _hand_approve(repo, _hand_line(repo, "UNIDO"))
    repo.commit("Approve as UNIDO", sign_as="intruder")
    monkeypatch.chdir(repo.root)
    report = repo.report()
    assert problems(report) == {"UNIDO": "signers-not-trusted"}
    assert not report.approvals[REL].approved
    (f,) = signer_findings(report, "signers-untrusted")
    intruder = fingerprint(repo.key("intruder").read_text().split()[1])
    lines = repo.read(SIGNERS).splitlines()
    assert f.path == SIGNERS and f.severity == "error" and "intruder@example.org" in lines[f.line - 1]
    assert intruder in f.message and repo.head()[:10] in f.message and "git revert" in f.message
    # what the contributor sees: the release check refuses it, naming the file, line and rule
    capsys.readouterr()
    assert main(["check", "--release", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert f"{SIGNERS}:{f.line}: approval: error: Commit {repo.head()[:10]}" in out
    assert f"docs/zh/{REL}:8: approval: error: UNIDO's approval cannot be verified" in out
    # the same, with the key listed in an unsigned commit first
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.allow("UNIDO", "intruder", sign_as=None)
    _hand_approve(repo, _hand_line(repo, "UNIDO"))
    repo.commit("Approve as UNIDO", sign_as="intruder")
    report = repo.report()
    assert problems(report) == {"UNIDO": "signers-not-trusted"}
    assert signer_findings(report, "signers-unsigned")[0].path == SIGNERS
    # the rest of the check still sees FECO's file as trusted
    repo.approve("FECO")
    assert problems(repo.report()) == {"UNIDO": "signers-not-trusted", "FECO": ""}
    assert all(f.severity == "warning" for f in approval_findings(repo.report(release=False)))


def test_a_key_listed_in_a_commit_signed_by_a_listed_feco_key_is_trusted(repo: Repo) -> None:
    repo.allow("UNIDO", "unido2")  # the maintainer's FECO-signed commit
    assert repo.approve("UNIDO", sign_as="unido2") == 0
    report = repo.report()
    assert problems(report) == {"UNIDO": ""}
    assert report.approvals[REL].approvals[0].signer == "unido2@example.org"
    assert not approval_findings(report)
    # an organisation's listed key may list another key of its own organisation
    repo.allow("UNIDO", "unido3", sign_as="unido")
    repo.approve("UNIDO", sign_as="unido3")
    assert problems(repo.report()) == {"UNIDO": ""}
    # but not another organisation's: UNIDO's key cannot change FECO's file
    repo.allow("FECO", "feco2", sign_as="unido")
    repo.approve("FECO", sign_as="feco")
    report = repo.report()
    assert problems(report) == {"UNIDO": "", "FECO": "signers-not-trusted"}
    assert signer_findings(report, "signers-untrusted")[0].path == "data/signers/FECO.allowed_signers"


def test_a_repair_signed_by_a_trusted_key_restores_trust(repo: Repo) -> None:
    bad = repo.allow("UNIDO", "intruder", sign_as="intruder")
    repo.git("-c", "gpg.format=ssh", "-c", f"user.signingkey={repo.key('feco')}", "revert", "--no-edit", "-S", bad)
    repo.approve("UNIDO")
    report = repo.report()
    assert problems(report) == {"UNIDO": ""}
    assert not approval_findings(report)


def test_an_expired_feco_key_cannot_list_keys(repo: Repo) -> None:
    repo.allow("FECO", "retired", 'namespaces="git",valid-before="20200101"')
    repo.allow("UNIDO", "unido2", sign_as="retired")
    repo.approve("UNIDO", sign_as="unido")
    assert problems(repo.report()) == {"UNIDO": "signers-not-trusted"}


def test_the_trust_root_must_be_recorded(repo: Repo) -> None:
    """Without signers_root the first commit listing FECO's key vouches for nothing."""
    repo.approve("UNIDO")
    root = repo.git("log", "--format=%H", "--reverse", "--", "data/signers/FECO.allowed_signers").stdout.split()[-1]
    text = repo.read("data/reviewers.yml")
    repo.write("data/reviewers.yml", text.replace(f"signers_root: {root}", 'signers_root: ""'))
    repo.commit("Forget the root", sign_as="feco")
    report = repo.report()
    assert problems(report) == {"UNIDO": "signers-not-trusted"}
    roots = signer_findings(report, "signers-root")
    assert roots and roots[0].path == "data/signers/FECO.allowed_signers" and roots[0].severity == "error"
    assert f"signers_root: {root}" in roots[0].message and "out of band" in roots[0].message
    assert f"(Test Reviewer, {repo.git('log', '-1', '--format=%cs', root).stdout.strip()}, 'List feco's key for FECO')" \
        in roots[0].message
    assert "feco@example.org" in repo.read(roots[0].path).splitlines()[roots[0].line - 1]
    assert all(f.severity == "warning" for f in signer_findings(repo.report(release=False), "signers-root"))


def test_a_recorded_root_that_is_not_the_first_listing_is_reported(repo: Repo) -> None:
    repo.approve("UNIDO")
    text = repo.read("data/reviewers.yml")
    old = text.split("signers_root: ", 1)[1].split()[0]
    later = repo.git("rev-parse", "HEAD~1").stdout.strip()
    repo.write("data/reviewers.yml", text.replace(f"signers_root: {old}", f"signers_root: {later}"))
    repo.commit("Move the root", sign_as="feco")
    report = repo.report()
    (f,) = signer_findings(report, "signers-root-unknown")
    assert f.path == "data/reviewers.yml" and later in f.message
    assert "signers_root" in repo.read(f.path).splitlines()[f.line - 1]
    assert problems(report) == {"UNIDO": "signers-not-trusted"}  # the real root is no longer recorded


def test_a_branch_from_before_the_root_cannot_bring_its_own_root(repo: Repo) -> None:
    """The intruder branches from before the trust root, lists their key as FECO's, records that
    commit as the root, and the branch is merged taking its side."""
    base = repo.git("log", "--format=%H", "--grep", "List feco's key for FECO").stdout.strip()
    pages = repo.git("rev-parse", f"{base}~1").stdout.strip()
    repo.git("switch", "-q", "-c", "evil", pages)
    own_root = repo.allow("FECO", "intruder", sign_as="intruder")
    repo.record_root(own_root, sign_as="intruder")
    repo.allow("UNIDO", "intruder", sign_as="intruder")
    _hand_approve(repo, _hand_line(repo, "UNIDO"))
    repo.commit("Approve as UNIDO", sign_as="intruder")
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-gpg-sign", "-X", "theirs", "-m", "Merge evil", "evil")
    assert "intruder" in repo.read(SIGNERS) and own_root in repo.read("data/reviewers.yml")
    report = repo.report()
    assert problems(report) == {"UNIDO": "signers-not-trusted"}
    (f,) = signer_findings(report, "signers-root")
    assert f.path == "data/signers/FECO.allowed_signers" and base in f.message  # the real root, now unrecorded


def test_trust_settings_change_only_with_a_managing_key(repo: Repo) -> None:
    """A pull request that makes UNIDO the managing organisation (to list keys with its own) is refused."""
    text = repo.read("data/reviewers.yml")
    repo.write("data/reviewers.yml", text.replace("signers_managed_by: [FECO]", "signers_managed_by: [UNIDO]"))
    repo.commit("Let UNIDO manage the keys", sign_as="unido")
    repo.approve("UNIDO")
    report = repo.report()
    assert problems(report) == {"UNIDO": "signers-not-trusted"}
    (f,) = signer_findings(report, "signers-config")
    assert f.path == "data/reviewers.yml" and "signers_managed_by" in f.message


def test_uncommitted_signer_lines_are_not_trusted(repo: Repo) -> None:
    """A key typed into UNIDO's file but not committed does not count, even for a committed approval."""
    repo.signer_line("UNIDO", "newcomer")
    _hand_approve(repo, _hand_line(repo, "UNIDO"))
    repo.git("add", f"docs/zh/{REL}")
    repo.git("-c", "gpg.format=ssh", "-c", f"user.signingkey={repo.key('newcomer')}", "commit", "-q", "-S",
             "-m", "Approve as UNIDO")
    report = repo.report()
    assert problems(report) == {"UNIDO": "unlisted-key"}
    (f,) = signer_findings(report, "signers-uncommitted")
    assert f.path == SIGNERS and f.severity == "error"
    assert "newcomer@example.org" in repo.read(SIGNERS).splitlines()[f.line - 1]
    # once a maintainer commits the line, signed with the FECO key, it counts
    repo.commit("List newcomer's key for UNIDO", sign_as="feco")
    report = repo.report()
    assert problems(report) == {"UNIDO": ""} and not approval_findings(report)


# --- pure parts --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("bad", "said"), [
    ('signers_root: "abc123"',
     "signers_root: the full 40-character hash of the trust root commit, or empty"),
    ("signers_managed_by: [NOBODY]",
     "signers_managed_by[0]: unknown organisation NOBODY; organisations are FECO, UNIDO, UNDP"),
    ("signers: docs/UNIDO.allowed_signers",
     "organisations.UNIDO.signers: a file under data/signers/ (its history is verified there)"),
    ("signers: ''", "organisations.UNIDO.signers: a file under data/signers/ (its history is verified there)"),
])
def test_trust_settings_are_validated(tmp_path: Path, bad: str, said: str) -> None:
    # each mistake is refused with the file, the line it is on and what to write
    from kb.project.settings import SettingsError

    root = copy_project(tmp_path / "project")
    path = root / "data" / "reviewers.yml"
    text = path.read_text(encoding="utf-8")
    key = bad.split(":")[0]
    if key == "signers":
        text = text.replace("signers: data/signers/UNIDO.allowed_signers", bad)
    else:
        text = re.sub(rf"^{key}:.*$", bad, text, count=1, flags=re.M)
    assert bad in text
    path.write_text(text, encoding="utf-8")
    line = text.split("\n").index(next(x for x in text.split("\n") if x.strip() == bad)) + 1
    with pytest.raises(SettingsError) as raised:
        ProjectData(load_settings(root)).reviewers  # noqa: B018
    assert str(raised.value) == f"{path}:{line}: {said}"


def test_one_manager_may_be_written_without_a_list_and_an_empty_root_is_no_root(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    path = root / "data" / "reviewers.yml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^signers_managed_by:.*$", "signers_managed_by: FECO", text, count=1, flags=re.M)
    path.write_text(re.sub(r"^signers_root:.*$", "signers_root:", text, count=1, flags=re.M), encoding="utf-8")
    reviewers = ProjectData(load_settings(root)).reviewers
    assert reviewers.signers_managed_by == ["FECO"] and reviewers.signers_root == ""
    assert reviewers.required("mercury") == ["FECO", "UNIDO"] and reviewers.required("nobody-reviews-this") == []
    assert reviewers.names("zh")["UNDP"] == "联合国开发计划署"


def test_edit_review_keeps_every_other_byte_bom_and_crlf() -> None:
    text = ("\ufeff---\r\ntitle: T\r\nreview:\r\n  status: in-review\r\n  approvals:\r\n"
            "    - {by: FECO, date: 2026-11-01, zh: aaa, en: bbb}\r\n    - {by: UNIDO, date: 2026-11-02, zh: x, en: y}\r\n"
            "translation: {from: zh, hash: abc}\r\n---\r\nBody  \r\n")
    out = edit_review(text, "UNIDO", "{by: UNIDO, date: 2026-11-20, zh: ccc, en: ddd}", "approved")
    assert out == text.replace("    - {by: UNIDO, date: 2026-11-02, zh: x, en: y}\r\n",
                               "    - {by: UNIDO, date: 2026-11-20, zh: ccc, en: ddd}\r\n").replace("in-review", "approved")
    removed = edit_review(text, "FECO", None, None)
    assert removed == text.replace("    - {by: FECO, date: 2026-11-01, zh: aaa, en: bbb}\r\n", "")


def test_edit_review_turns_a_flow_review_into_one_line_per_approval() -> None:
    text = "---\ntitle: T\nreview: {status: draft, approvals: []}\ntype: page\n---\n\nBody\n"
    out = edit_review(text, "FECO", "{by: FECO, date: 2026-11-20, zh: a, en: b}", "in-review")
    assert out == ("---\ntitle: T\nreview:\n  status: in-review\n  approvals:\n"
                   "    - {by: FECO, date: 2026-11-20, zh: a, en: b}\ntype: page\n---\n\nBody\n")


def test_approval_item_is_one_flow_mapping_that_reads_back() -> None:
    import datetime as dt

    import yaml

    line = approval_item("UNIDO", "王某", dt.date(2026, 11, 30), {"zh": "012345678901", "en": "abcdefabcdef"})
    assert "\n" not in line
    assert yaml.safe_load(line) == {"by": "UNIDO", "name": "王某", "date": dt.date(2026, 11, 30),
                                    "zh": "012345678901", "en": "abcdefabcdef"}


def test_fingerprint_matches_ssh_keygen(tmp_path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "k")], check=True)
    listed = subprocess.run(["ssh-keygen", "-l", "-f", str(tmp_path / "k.pub")], capture_output=True, text=True).stdout
    assert fingerprint((tmp_path / "k.pub").read_text().split()[1]) == listed.split()[1]


def test_pair_approval_without_approvals_lacks_every_organisation() -> None:
    pair = PairApproval(rel="x.md", track="gender", required=("FECO", "UNDP"), paths={}, hashes={})
    assert pair.lacking() == ["FECO", "UNDP"] and pair.lacking(["UNDP"]) == ["UNDP"]
    assert not pair.approved and pair.state == "none"
    assert shown_status(pair, "approved") == "in-review" and shown_status(pair, None) == "draft"


# --- what readers see ---------------------------------------------------------------------------------------------------------
@pytest.mark.build
def test_built_site_shows_the_outdated_approval_on_the_page_and_the_status_page(repo: Repo) -> None:
    signers = {p: p.read_bytes() for p in [*(repo.root / "data" / "signers").iterdir(), repo.root / "data" / "reviewers.yml"]}
    copy_project(repo.root, site=True)  # what a build needs (it copies data/ again: keep the keys listed)
    for path, raw in signers.items():
        path.write_bytes(raw)
    status = "---\ntitle: 完成情况\ntemplate: kb-status.html\ntype: page\ntrack: general\nreview: {status: draft, approvals: []}\n---\n"
    repo.write("docs/zh/status.md", status)
    repo.write("docs/en/status.md", status.replace("完成情况", "Status"))
    repo.commit("Site")
    repo.approve("FECO")
    repo.approve("UNIDO")
    en = repo.read(f"docs/en/{REL}").replace("is managed as hazardous waste", "may go with general waste")
    repo.write(f"docs/en/{REL}", en)
    repo.commit("Edit the English page")
    build(repo.root, extra_env={"GIT_CONFIG_GLOBAL": "/dev/null"})
    site = repo.root / "site"
    en_html = (site / "en" / "mercury" / "catalyst" / "index.html").read_text(encoding="utf-8")
    zh_html = (site / "mercury" / "catalyst" / "index.html").read_text(encoding="utf-8")
    assert f"Changed since FECO approved it on {TODAY}: this approval no longer holds." in en_html
    assert f"Changed since UNIDO approved it on {TODAY}" in en_html
    assert f"自 FECO 于 {TODAY} 批准以来，另一种语言的页面已修改" in zh_html
    assert "kb-badge--approved" not in en_html
    status_html = (site / "en" / "status" / "index.html").read_text(encoding="utf-8")
    block = status_html.split('id="approvals"', 1)[1].split("</section>", 1)[0]
    assert f'data-rel="{REL}"' in block and "Changed since approved" in block
    assert 'data-lang="en">English: changed since approval' in block and 'data-lang="zh">Chinese: unchanged since approval' in block
    # the page table: both languages' review state of the pair, and who still has to approve
    pages = status_html.split('id="pages"', 1)[1].split("</table>", 1)[0]
    row = pages.split(f'data-rel="{REL}"', 1)[1].split("</tr>", 1)[0]
    en_state = row.split('data-lang="en">', 1)[1].split("</li>", 1)[0]
    zh_state = row.split('data-lang="zh">', 1)[1].split("</li>", 1)[0]
    assert en_state.startswith("English: ") and "In review" in en_state and "changed since approval" in en_state
    assert zh_state.startswith("Chinese: ") and "unchanged since approval" in zh_state
    assert "Still needed: FECO, UNIDO" in row
    review = (site / "review" / "mercury" / "catalyst" / "index.html").read_text(encoding="utf-8")
    assert "-Spent catalyst is managed as hazardous waste." in review
    assert "+Spent catalyst may go with general waste." in review


def test_approve_with_another_organisations_key_is_refused_before_anything_is_written(repo: Repo, capsys) -> None:
    """`./scripts/approve --as UNIDO` signed with FECO's key used to exit 0 and write status: approved."""
    before, head = repo.read(f"docs/zh/{REL}"), repo.head()
    assert repo.approve("UNIDO", sign_as="feco") == 2
    err = capsys.readouterr().err
    feco = fingerprint(repo.key("feco").read_text().split()[1])
    assert f"your signing key {feco} is listed for FECO, not for UNIDO (data/signers/UNIDO.allowed_signers)" in err
    assert "Nothing was changed" in err and "--as FECO" in err
    assert repo.read(f"docs/zh/{REL}") == before and repo.head() == head


def test_approve_with_a_key_nobody_listed_is_refused_before_anything_is_written(repo: Repo, capsys) -> None:
    before, head = repo.read(f"docs/zh/{REL}"), repo.head()
    assert repo.approve("UNIDO", sign_as="stranger") == 2
    err = capsys.readouterr().err
    assert "is not listed for UNIDO in data/signers/UNIDO.allowed_signers" in err and "Nothing was changed" in err
    assert repo.read(f"docs/zh/{REL}") == before and repo.head() == head


def _failing(monkeypatch: pytest.MonkeyPatch, *, when: str) -> None:
    """git fails (exit 128, with its message) for the calls whose arguments contain *when*."""
    from kb.project.git import Git

    real = Git.run

    def run(self, *args: str, **kwargs):
        if when in args:
            return subprocess.CompletedProcess(args, 128, "", "fatal: unable to read index: simulated")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Git, "run", run)


@pytest.mark.parametrize(("when", "said"), [("blame", "git blame docs/zh/"), ("--no-walk=unsorted", "git log (signatures)")])
def test_a_git_failure_says_git_failed_not_uncommitted_or_unsigned(repo: Repo, monkeypatch: pytest.MonkeyPatch,
                                                                  when: str, said: str) -> None:
    assert repo.approve("FECO") == 0 and repo.approve("UNIDO") == 0
    _failing(monkeypatch, when=when)
    report = repo.report()
    assert problems(report) == {"FECO": "no-git", "UNIDO": "no-git"}
    (f, *_) = approval_findings(report, "no-git")
    assert said in f.message and "failed (exit 128): fatal: unable to read index: simulated" in f.message
    assert not report.approvals[REL].approved


def test_a_git_failure_reading_the_trust_history_is_reported_as_such(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    assert repo.approve("FECO") == 0
    _failing(monkeypatch, when="--topo-order")
    report = repo.report()
    assert problems(report)["FECO"] == "no-git"
    (f,) = signer_findings(report, "git-failed")
    assert "git log (trust history) failed (exit 128)" in f.message and f.path == "data/reviewers.yml"


def test_trust_shows_the_root_the_keys_who_listed_them_and_what_is_missing(repo: Repo, capsys) -> None:
    assert main(["trust", "--lang", "en"]) == 1  # UNDP has no key yet
    out = capsys.readouterr().out
    root = repo.git("log", "--format=%H", "--grep", "List feco's key").stdout.split()[0]
    assert f"Trust root commit: {root}" in out
    assert "Organisations that may change every organisation's keys: FECO" in out
    feco, unido = (fingerprint(repo.key(n).read_text().split()[1]) for n in ("feco", "unido"))
    listed = repo.git("log", "--format=%H", "--grep", "List unido's key").stdout.split()[0]
    assert "UNIDO (reviews: mercury): data/signers/UNIDO.allowed_signers, history trusted" in out
    assert f"  - {unido} unido@example.org: listed by commit {listed[:10]} (" in out
    assert "Test Reviewer); signature: feco@example.org" in out
    assert f"  - {feco} feco@example.org: listed by commit {root[:10]}" in out
    assert "UNDP has no key listed yet (data/signers/UNDP.allowed_signers): pages of gender cannot get UNDP's approval." in out
    # a key listed in an unsigned commit: the history no longer vouches for UNIDO's file, and trust says why
    repo.allow("UNIDO", "intruder", sign_as=None)
    assert main(["trust", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "UNIDO (reviews: mercury): data/signers/UNIDO.allowed_signers, history NOT trusted" in out
    assert "UNIDO's key list (data/signers/UNIDO.allowed_signers) has a change in its history that no trusted key signed" in out
    intruder = repo.head()[:10]
    assert f"intruder@example.org: listed by commit {intruder} (" in out and "; signature: none that counts" in out
    assert f": approval: warning: Commit {intruder} (Test Reviewer, " in out and f"git revert {intruder}" in out


def test_trust_names_the_commit_to_record_as_the_root(repo: Repo, capsys) -> None:
    """The first-root steps of CONTRIBUTING: after FECO's key is listed, ./scripts/trust names the commit."""
    text = repo.read("data/reviewers.yml")
    root = text.split("signers_root: ", 1)[1].split()[0]
    repo.write("data/reviewers.yml", text.replace(f"signers_root: {root}", 'signers_root: ""'))
    repo.commit("Forget the root", sign_as="feco")
    assert main(["trust", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "Trust root commit: not recorded" in out and "No trust root recorded" in out
    assert ": approval: " in out and root in out  # the signers-root finding gives the full hash to record


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\u0085", "\r"])
def test_an_approval_on_a_page_with_a_line_separator_does_not_count(repo: Repo, char: str) -> None:
    """git blame counts lines by LF only, the front-matter reader also at U+2028/U+2029/NEL/bare CR: a
    line number from one names another line for the other, so such a page's approvals are refused."""
    assert repo.approve("FECO") == 0 and repo.approve("UNIDO") == 0
    text = repo.read(f"docs/zh/{REL}")
    repo.write(f"docs/zh/{REL}", text + f"补充{char}一句。\n")
    repo.commit("An innocent-looking edit")
    report = repo.report()
    assert problems(report) == {"FECO": "line-separators", "UNIDO": "line-separators"}
    assert report.blocking and not report.approvals[REL].approved
    (f, *_) = approval_findings(report, "line-separators")
    assert f"docs/zh/{REL}" in f.message and f"./scripts/approve docs/zh/{REL} --as" in f.message


def test_a_signed_revocation_stays_revoked_when_an_old_branch_brings_the_line_back(repo: Repo) -> None:
    assert repo.approve("FECO") == 0 and repo.approve("UNIDO") == 0
    before_revocation = repo.head()
    assert repo.approve("UNIDO", "--revoke") == 0
    revocation = repo.head()
    # a branch from before the revocation, merged later, its side of the page kept in the merge
    repo.git("switch", "-q", "-c", "old", before_revocation)
    repo.write("data/notes.txt", "an unrelated change\n")
    repo.commit("Unrelated work")
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "old", check=False)
    repo.git("checkout", "old", "--", f"docs/zh/{REL}", f"docs/en/{REL}")
    repo.commit("Merge branch 'old'")
    assert "by: UNIDO" in repo.read(f"docs/zh/{REL}")  # the line is back, and blame gives it to the old signed commit
    report = repo.report()
    assert problems(report) == {"FECO": "", "UNIDO": "revoked"}
    (f,) = approval_findings(report, "revoked")
    assert f"commit {revocation[:10]}" in f.message and "signed by unido@example.org" in f.message
    assert not report.approvals[REL].approved and report.blocking
    # UNIDO approving again, after the revocation, counts
    repo.write(f"docs/zh/{REL}", "\n".join(line for line in repo.read(f"docs/zh/{REL}").split("\n") if "by: UNIDO" not in line))
    repo.commit("Drop the line the merge brought back")
    assert repo.approve("UNIDO") == 0
    assert problems(repo.report()) == {"FECO": "", "UNIDO": ""}


def test_a_commit_backdated_into_a_rotated_keys_window_does_not_revive_the_key(repo: Repo) -> None:
    """valid-before is judged against when the approval reached main (its first-parent history), not
    against the date its commit claims, which whoever makes it writes."""
    repo.allow("UNIDO", "old", 'namespaces="git",valid-before="20260101"')  # rotated: valid until 2026-01-01
    repo.git("switch", "-q", "-c", "backdated")
    _hand_approve(repo, _hand_line(repo, "UNIDO"))
    repo.git("add", "-A")
    past = {**os.environ, "GIT_AUTHOR_DATE": "2025-06-01T10:00:00Z", "GIT_COMMITTER_DATE": "2025-06-01T10:00:00Z"}
    subprocess.run(["git", "-c", "gpg.format=ssh", "-c", f"user.signingkey={repo.key('old')}", "commit", "-q", "-S",
                    "-m", "Approve as UNIDO"], cwd=repo.root, env=past, check=True, capture_output=True)
    signers = repo.root / "data" / "signers" / "UNIDO.allowed_signers"
    verified = repo.git("-c", f"gpg.ssh.allowedSignersFile={signers}", "verify-commit", "HEAD", check=False)
    assert verified.returncode == 0  # git alone accepts it: the claimed date is inside the window
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'backdated'", "backdated")
    report = repo.report()
    assert problems(report) == {"UNIDO": "key-not-valid"}
    (f,) = approval_findings(report, "key-not-valid")
    assert "(reached main)" in f.message and "old@example.org" in f.message


# --- what an approval covers (issue 24: kb/content/digest.py) ---------------------------------------------------------------
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _both_approve(repo: Repo) -> None:
    assert repo.approve("FECO") == 0 and repo.approve("UNIDO") == 0
    assert repo.report().approvals[REL].approved


def _lapsed(repo: Repo, lang: str = "en") -> tuple[PairApproval, list]:
    """The pair and its outdated findings (in *lang*), asserting that both organisations' approvals lapsed."""
    report = run(load_settings(repo.root, environ={"KB_TODAY": TODAY}), release=True, lang=lang)
    pair = report.approvals[REL]
    assert pair.state == "outdated" and pair.lacking() == ["FECO", "UNIDO"]
    found = approval_findings(report, "outdated")
    assert len(found) == 2 and all(f.severity == "error" for f in found)
    assert all(f"./scripts/approve docs/zh/{REL} --as {org}" in f.message
               for f, org in zip(sorted(found, key=lambda f: f.line), ("FECO", "UNIDO"), strict=True))
    return pair, found


def test_a_title_change_lapses_the_approval_and_names_the_title(repo: Repo) -> None:
    _both_approve(repo)
    repo.write(f"docs/en/{REL}", repo.read(f"docs/en/{REL}").replace("title: Spent catalyst\n", "title: Catalyst\n"))
    repo.commit("Retitle")
    pair, found = _lapsed(repo)
    assert {a.changed for a in pair.approvals} == {("en",)}
    assert all(a.parts == {"en": ["field:title"]} for a in pair.approvals)
    assert "Changed since FECO approved it" in found[0].message and "the English page's title" in found[0].message
    _, zh = _lapsed(repo, "zh")
    assert "英文页面的标题（title）" in zh[0].message


@pytest.mark.parametrize("name", ["summary", "description"])
def test_a_summary_or_description_change_lapses_the_approval_and_names_the_field(repo: Repo, name: str) -> None:
    repo.write(f"docs/zh/{REL}", repo.read(f"docs/zh/{REL}").replace("type: page\n", f"type: page\n{name}: 按危险废物管理\n"))
    repo.commit(f"Add a {name}")
    _both_approve(repo)
    repo.write(f"docs/zh/{REL}", repo.read(f"docs/zh/{REL}").replace(f"{name}: 按危险废物管理", f"{name}: 可作一般废物处置"))
    repo.commit(f"Change the {name}")
    pair, found = _lapsed(repo)
    assert {a.changed for a in pair.approvals} == {("zh",)}
    assert all(f"field:{name}" in a.parts["zh"] for a in pair.approvals)
    assert f"the Chinese page's front-matter field {name}" in found[0].message


def test_changing_the_bytes_of_an_image_the_page_shows_lapses_the_approval(repo: Repo, capsys) -> None:
    image = f"docs/zh/{REL.replace('.md', '.png')}"
    zh = ZH + "\n![废触媒](catalyst.png)\n"
    repo.write(f"docs/zh/{REL}", zh)
    repo.write(f"docs/en/{REL}", en_page(zh, EN_BODY + "\n![Spent catalyst](catalyst.png)\n"))  # the default language's image
    (repo.root / image).write_bytes(PNG)
    repo.commit("Show a photo")
    _both_approve(repo)
    (repo.root / image).write_bytes(PNG.replace(b"\x63\x60", b"\x63\x61"))
    repo.commit("Another photo under the same name")
    pair, found = _lapsed(repo)
    assert {a.changed for a in pair.approvals} == {("zh", "en")}
    assert all(a.parts == {"zh": [f"asset:{image}"], "en": [f"asset:{image}"]} for a in pair.approvals)
    assert f"the Chinese page's file {image}" in found[0].message
    # an uncommitted image is not what a signed commit would hold: approve refuses, naming it
    (repo.root / image).write_bytes(PNG)
    capsys.readouterr()
    assert repo.approve("FECO") == 1
    assert f"{image}: uncommitted changes" in capsys.readouterr().err


def _redefine(repo: Repo, term: str) -> None:
    text = repo.read("data/glossary.yml")
    start = text.index(f"- id: {term}\n")
    at = text.index("    en: ", text.index("  definition:\n", start)) + len("    en: ")
    repo.write("data/glossary.yml", text[:at] + "(revised) " + text[at:])


def test_a_definition_change_of_a_term_the_page_uses_lapses_the_approval(repo: Repo) -> None:
    _both_approve(repo)
    _redefine(repo, "hazardous-waste")  # 危险废物 / hazardous waste: on both pages
    repo.commit("Revise a definition")
    pair, found = _lapsed(repo)
    assert {a.changed for a in pair.approvals} == {("zh", "en")}
    assert all(a.parts == {"zh": ["term:hazardous-waste"], "en": ["term:hazardous-waste"]} for a in pair.approvals)
    assert "the Chinese page's glossary term hazardous-waste" in found[0].message
    _, zh = _lapsed(repo, "zh")
    assert "术语 hazardous-waste 的词条" in zh[0].message


def test_a_change_to_a_term_the_page_does_not_use_keeps_the_approval(repo: Repo) -> None:
    _both_approve(repo)
    _redefine(repo, "asgm")
    repo.commit("Revise another definition")
    report = repo.report()
    assert report.approvals[REL].approved and not approval_findings(report)
    # the digest covers the terms the pages use, and only those
    parts = report.approvals[REL].digests["zh"].parts
    assert "term:hazardous-waste" in parts and "term:asgm" not in parts


def test_who_reviews_a_track_changes_only_in_a_commit_signed_by_a_managing_organisation(repo: Repo) -> None:
    """An unsigned commit that sets tracks: mercury: [FECO] must not let FECO alone release the mercury
    manual: the settings change voids the trust until a managing organisation signs it."""
    text = repo.read("data/reviewers.yml")
    assert "  mercury: [FECO, UNIDO]\n" in text
    repo.write("data/reviewers.yml", text.replace("  mercury: [FECO, UNIDO]\n", "  mercury: [FECO]\n"))
    repo.commit("Only FECO reviews mercury")
    assert repo.approve("FECO") == 0
    report = repo.report()
    assert problems(report) == {"FECO": "signers-not-trusted"}
    assert not report.approvals[REL].approved and report.blocking
    (f,) = signer_findings(report, "signers-config")
    assert f.path == "data/reviewers.yml" and "who reviews each track" in f.message
    # the same change signed by FECO, the managing organisation, counts
    repo.git("reset", "-q", "--hard", "HEAD~2")
    repo.write("data/reviewers.yml", text.replace("  mercury: [FECO, UNIDO]\n", "  mercury: [FECO]\n"))
    repo.commit("Only FECO reviews mercury", sign_as="feco")
    assert repo.approve("FECO") == 0
    report = repo.report()
    assert problems(report) == {"FECO": ""} and report.approvals[REL].approved
