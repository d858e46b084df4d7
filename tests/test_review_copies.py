"""Review copies: an approval signed as a PDF with a digital ID (kb/trust/reviewcopies.py,
kb/print/reviewcopy.py, ./scripts/review-copy, ./scripts/trust --add-certificate).

Each test uses the signed sample repository of test_approvals (FECO's key is the trust root, UNIDO's
key listed in a commit FECO signed), throw-away certificates (tests/reviewcopy_signing.py), and signs
copies the way Acrobat does: a PAdES signature in the copy's signature field, an incremental save."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from reviewcopy_signing import DigitalId, append_update
from signedrepo import REL, Repo, make_repo
from sitebuild import build
from test_approvals import approval_findings
from weasyprint import HTML

from bench.sample import copy_project
from kb.cli import main
from kb.print.reviewcopy import package_copy
from kb.trust.reviewcopies import MANIFEST_NAME, manifest_of

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None or shutil.which("git") is None,
                                reason="needs git and ssh-keygen (openssh-client)")

COPY = "data/review-copies/UNIDO/review-copy.pdf"
NOW = dt.datetime.now(dt.UTC)


def copy_for(org: str, digests: dict[str, dict[str, str]], printed: dict[str, dict[str, str]] | None = None) -> bytes:
    """A review copy as ./scripts/review-copy packages it: *printed* digests on the page (default: the
    embedded ones), *digests* embedded."""
    rows = "".join(f"<p>{rel} {lang} {d}</p>" for rel, by_lang in (printed or digests).items() for lang, d in by_lang.items())
    pdf = HTML(string=f"<h1>Review copy</h1>{rows}").write_pdf()
    manifest = {"kind": "kb-review-copy", "version": 1, "org": org, "made": NOW.isoformat(),
                "pairs": [{"rel": rel, "digests": d} for rel, d in digests.items()]}
    return package_copy(pdf, json.dumps(manifest).encode())


def register(repo: Repo, org: str, reviewer: DigitalId, *, sign_as: str | None = "feco", pem: bool = False) -> str:
    """The maintainer lists the reviewer's certificate (./scripts/trust --add-certificate) and commits it."""
    cert = repo.root.parent / f"{org}-{id(reviewer)}.{'pem' if pem else 'cer'}"
    cert.write_bytes(reviewer.pem if pem else reviewer.der)
    assert main(["trust", "--add-certificate", org, str(cert)]) == 0
    repo.commit(f"List a certificate for {org}", sign_as=sign_as)
    return cert.name


def commit_copy(repo: Repo, data: bytes, rel: str = COPY) -> None:
    path = repo.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    repo.commit("Add UNIDO's signed review copy")  # any maintainer: the signature inside is what counts


def copy_findings(report) -> dict[str, str]:
    return {f.code: f.message for f in approval_findings(report) if f.code.startswith("copy-")}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    return make_repo(tmp_path, monkeypatch)


@pytest.fixture
def reviewer(repo: Repo) -> DigitalId:
    wang = DigitalId("Wang Reviewer", "UNIDO")
    register(repo, "UNIDO", wang)
    return wang


def test_a_signed_review_copy_is_the_organisations_approval(repo: Repo, reviewer: DigitalId, capsys) -> None:
    assert repo.approve("FECO", "--name", "Reviewer A") == 0  # FECO prefers git
    commit_copy(repo, reviewer.sign(copy_for("UNIDO", {REL: repo.digests()})))
    report = repo.report()
    pair = report.approvals[REL]
    assert pair.approved and pair.state == "approved"
    unido = pair.for_org("UNIDO")
    assert unido is not None and unido.state == "valid" and unido.path == COPY
    assert unido.name == "Wang Reviewer" and unido.signer == "Wang_Reviewer" and unido.date == NOW.date().isoformat()
    assert not approval_findings(report)
    # the manifest reads back, and what ./scripts/trust --add-certificate listed is the fingerprint
    assert manifest_of((repo.root / COPY).read_bytes()).org == "UNIDO"
    listed = repo.read("data/signers/UNIDO.allowed_signers")
    assert f"Wang_Reviewer x509-sha256 {reviewer.cert.fingerprint(hashes.SHA256()).hex()}" in listed


def test_a_copy_of_an_older_text_is_outdated_not_an_approval(repo: Repo, reviewer: DigitalId) -> None:
    commit_copy(repo, reviewer.sign(copy_for("UNIDO", {REL: repo.digests()})))
    repo.write(f"docs/zh/{REL}", repo.read(f"docs/zh/{REL}").replace("危险废物", "危险废物（HW29）"))
    repo.commit("Edit the page")
    report = repo.report()
    unido = report.approvals[REL].for_org("UNIDO")
    assert unido.state == "outdated" and unido.changed == ("zh",)
    assert not report.approvals[REL].approved_by(["UNIDO"])
    assert "approves an earlier text of mercury/catalyst.md (the zh page changed since)" in copy_findings(report)["copy-outdated"]


def _other_org(repo: Repo, reviewer: DigitalId) -> bytes:
    feco_id = DigitalId("Li Feco", "FECO")
    register(repo, "FECO", feco_id)
    return feco_id.sign(copy_for("UNIDO", {REL: repo.digests()}))


def _expired(repo: Repo, reviewer: DigitalId) -> bytes:
    old = DigitalId("Old Id", "UNIDO", start=NOW - dt.timedelta(days=800), end=NOW - dt.timedelta(days=2))
    register(repo, "UNIDO", old)
    return old.sign(copy_for("UNIDO", {REL: repo.digests()}))


def _not_yet_valid(repo: Repo, reviewer: DigitalId) -> bytes:
    early = DigitalId("Early Id", "UNIDO", start=NOW + dt.timedelta(days=3), end=NOW + dt.timedelta(days=800))
    register(repo, "UNIDO", early)
    return early.sign(copy_for("UNIDO", {REL: repo.digests()}))


def _broken(repo: Repo, reviewer: DigitalId) -> bytes:
    signed = bytearray(reviewer.sign(copy_for("UNIDO", {REL: repo.digests()})))
    at = signed.index(b"stream\n")  # a byte inside the first stream of the signed revision changes
    signed[at + 30] ^= 0x01
    return bytes(signed)


def _partial(repo: Repo, reviewer: DigitalId) -> bytes:
    signed = reviewer.sign(copy_for("UNIDO", {REL: repo.digests()}))
    return signed[: len(signed) - 4000]  # the download broke off inside the signature


def _edited_digests(repo: Repo, reviewer: DigitalId) -> bytes:
    # the reviewer read other digests than those embedded (someone made the copy by hand)
    real = repo.digests()
    return reviewer.sign(copy_for("UNIDO", {REL: real}, printed={REL: {lang: "0" * len(d) for lang, d in real.items()}}))


BAD = {
    "unsigned": (lambda repo, reviewer: copy_for("UNIDO", {REL: repo.digests()}), "copy-unsigned",
                 "carries no digital signature"),
    "broken": (_broken, "copy-broken-signature", "does not match the file or is damaged"),
    "partial": (_partial, "copy-broken-signature", "the signature is incomplete"),
    "changed after signing": (lambda repo, reviewer: append_update(reviewer.sign(copy_for("UNIDO", {REL: repo.digests()}))),
                              "copy-changed-after-signing", "Something was appended to the review copy"),
    "unlisted certificate": (lambda repo, reviewer: DigitalId("Stranger", "UNIDO").sign(copy_for("UNIDO", {REL: repo.digests()})),
                             "copy-unlisted-certificate", "which UNIDO has not registered"),
    "other organisation": (_other_org, "copy-other-org-certificate", "signed with a certificate FECO registered"),
    "expired": (_expired, "copy-certificate-not-valid", "does not include"),
    "not yet valid": (_not_yet_valid, "copy-certificate-not-valid", "does not include"),
    "digests edited": (_edited_digests, "copy-digests-edited", "are not printed in it"),
    "not a review copy": (lambda repo, reviewer: reviewer.sign(HTML(string="<p>Minutes</p>").write_pdf()),
                          "copy-not-a-copy", "is not a review copy of this project"),
    "not a PDF": (lambda repo, reviewer: b"%PDF-1.7\n" + b"\x00garbage" * 500, "copy-not-a-copy", "is not a review copy"),
    "unknown page": (lambda repo, reviewer: reviewer.sign(copy_for("UNIDO", {"mercury/gone.md": {"zh": "ab12cd34ef56", "en": "ab12cd34ef56"}})),
                     "copy-unknown-page", "mercury/gone.md"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_review_copy_is_a_finding_and_no_approval(repo: Repo, reviewer: DigitalId, case: str) -> None:
    make, code, said = BAD[case]
    commit_copy(repo, make(repo, reviewer))
    report = repo.report()
    found = copy_findings(report)
    assert any(c.startswith(code) for c in found), found
    message = next(m for c, m in found.items() if c.startswith(code))
    assert said in message and COPY in message
    assert all(f.path == COPY and f.line == 1 for f in approval_findings(report) if f.code.startswith("copy-"))
    assert report.approvals[REL].for_org("UNIDO") is None
    assert not report.approvals[REL].approved_by(["UNIDO"])


def test_a_certificate_listed_in_an_unsigned_commit_is_not_trusted(repo: Repo) -> None:
    intruder = DigitalId("Intruder", "UNIDO")
    register(repo, "UNIDO", intruder, sign_as=None)  # a pull request lists its own certificate
    commit_copy(repo, intruder.sign(copy_for("UNIDO", {REL: repo.digests()})))
    report = repo.report()
    assert "copy-signers-not-trusted" in copy_findings(report)
    assert report.approvals[REL].for_org("UNIDO") is None


def test_add_certificate_reads_pem_and_der_and_refuses_what_is_not_one(repo: Repo, capsys) -> None:
    assert register(repo, "UNDP", DigitalId("Zhao Undp", "UNDP"), pem=True).endswith(".pem")
    assert "Zhao_Undp x509-sha256 " in repo.read("data/signers/UNDP.allowed_signers")
    bogus = repo.root.parent / "bogus.cer"
    bogus.write_bytes(b"not a certificate")
    assert main(["trust", "--add-certificate", "UNDP", str(bogus)]) == 1
    assert "not an X.509 certificate" in capsys.readouterr().err


def test_review_copy_without_a_built_site_says_what_to_run(repo: Repo, capsys) -> None:
    assert main(["review-copy", "--for", "UNIDO", f"docs/zh/{REL}"]) == 1
    assert "run ./scripts/build first" in capsys.readouterr().err


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.pdf
def test_the_review_copy_prints_both_languages_the_changes_and_the_digests_and_signing_it_approves(
        repo: Repo, reviewer: DigitalId, capsys) -> None:
    assert repo.approve("UNIDO", "--name", "Old approval") == 0  # approved once by git, then the text changes
    repo.write(f"docs/en/{REL}", repo.read(f"docs/en/{REL}").replace("hazardous waste", "hazardous waste (HW29)"))
    repo.commit("Edit the English page")
    sample = copy_project(repo.root.parent / "sample", site=True)  # what a build needs besides the pages and data
    for name in ("mkdocs.yml", "overrides", "hooks", "kb", "docs/assets", "docs/sw.js"):
        (shutil.copytree if (sample / name).is_dir() else shutil.copy2)(sample / name, repo.root / name)
    build(repo.root)
    out = repo.root.parent / "copy.pdf"
    assert main(["review-copy", "--for", "UNIDO", f"docs/en/{REL}", "-o", str(out)]) == 0
    assert "1 page pair(s)" in capsys.readouterr().out
    text = _pdftotext(out)
    digests = repo.digests()
    for needle in ("废触媒应按危险废物管理", "Spent catalyst is managed as hazardous waste (HW29)",  # both languages
                   "Review copy", "审阅稿", "Changes since the last approval", "+Spent catalyst is managed as hazardous waste (HW29).",
                   digests["zh"], digests["en"]):
        assert needle in text, needle
    assert manifest_of(out.read_bytes()).pairs[0].digests == digests
    assert MANIFEST_NAME in subprocess.run(["pdfdetach", "-list", str(out)], capture_output=True, text=True).stdout
    signed = repo.root.parent / "signed by wang.pdf"
    signed.write_bytes(reviewer.sign(out.read_bytes()))
    assert main(["review-copy", "--accept", str(signed)]) == 0
    said = capsys.readouterr().out
    assert "data/review-copies/UNIDO/signed-by-wang.pdf: verified, UNIDO's approval of 1 page pair(s)" in said
    assert f"{REL}: still awaits FECO" in said
    repo.commit("Record UNIDO's signed review copy")
    pair = repo.report().approvals[REL]
    assert pair.for_org("UNIDO").state == "valid" and pair.for_org("UNIDO").path == "data/review-copies/UNIDO/signed-by-wang.pdf"


def test_accept_refuses_a_copy_that_does_not_verify_and_files_nothing(repo: Repo, reviewer: DigitalId, capsys) -> None:
    forged = repo.root.parent / "forged.pdf"
    forged.write_bytes(DigitalId("Stranger", "UNIDO").sign(copy_for("UNIDO", {REL: repo.digests()})))
    assert main(["review-copy", "--accept", str(forged)]) == 1
    err = capsys.readouterr().err
    assert "not accepted" in err and "which UNIDO has not registered" in err
    assert not (repo.root / "data" / "review-copies" / "UNIDO" / "forged.pdf").exists()


def test_accept_marks_the_pair_approved_when_the_copy_completes_it(repo: Repo, reviewer: DigitalId, capsys) -> None:
    assert repo.approve("FECO", "--name", "Reviewer A") == 0
    signed = repo.root.parent / "wang.pdf"
    signed.write_bytes(reviewer.sign(copy_for("UNIDO", {REL: repo.digests()})))
    assert main(["review-copy", "--accept", str(signed)]) == 0
    assert f"{REL}: approved by every organisation of its programme" in capsys.readouterr().out
    for lang in ("zh", "en"):
        assert "status: approved" in repo.read(f"docs/{lang}/{REL}")
    repo.commit("Record UNIDO's signed review copy")
    report = repo.report()
    assert report.approvals[REL].approved and not approval_findings(report)


def test_a_copy_verifies_while_the_caller_runs_an_event_loop(repo: Repo, reviewer: DigitalId) -> None:
    """pyHanko runs its own event loop: the check still verifies when called from one (a browser driver
    or a server that runs the checks)."""
    commit_copy(repo, reviewer.sign(copy_for("UNIDO", {REL: repo.digests()})))

    async def check_inside_a_loop():
        return repo.report()

    # the caller's loop in a thread of its own (the browser tests may already run one in this thread)
    with ThreadPoolExecutor(max_workers=1) as pool:
        report = pool.submit(asyncio.run, check_inside_a_loop()).result()
    assert report.approvals[REL].for_org("UNIDO").state == "valid"
