"""Review copies: an organisation's approval signed as a PDF, with an ordinary digital signature.

A review copy (made by ``./scripts/review-copy``, kb/print/reviewcopy.py) prints both languages of
each page pair, what changed since the last approved version, and the content digests the approval
covers; the same digests are embedded in it as a JSON attachment (``kb-review-copy.json``). The
reviewer signs it in Acrobat Reader or with their organisation's signing service (a PAdES or
adbe.pkcs7.detached signature field, saved incrementally) and sends it back; a maintainer commits it
under ``data/review-copies/``. It counts as the organisation's approval of those digests when

1. pyHanko finds exactly one signature, cryptographically intact, covering the whole file (an update
   appended after signing, which could change what a reader sees, is refused);
2. the signer's certificate is one the organisation registered: its SHA-256 fingerprint is listed in
   the organisation's allowed-signers file (``<name> x509-sha256 <hex>``), a file whose every change
   the history vouches for (kb/trust/signers.py) - the same trust as the SSH keys; the certificate is
   pinned, so a self-signed Acrobat digital ID serves as well as one an authority issued;
3. the certificate was valid at the signing time and still valid when the copy reached the main
   branch (the time git's first-parent history gives, which whoever commits the copy cannot choose;
   now, for a copy not yet on it);
4. every digest embedded is printed in the document the reviewer read, and each names a page pair of
   the project. Whether a digest equals the current content decides valid or outdated, as for the
   signed-commit approvals (kb/trust/approvals.py), which read this module's verdicts.

Every failure is a verdict with a message code of the approval rule, never an exception: a committed
PDF is untrusted input like any page."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import warnings
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from pydantic import ValidationError

from kb.project.schemas import ReviewCopyManifest

MANIFEST_NAME = "kb-review-copy.json"
MANIFEST_KIND = "kb-review-copy"
COPIES_DIR = "review-copies"  # under data/
MAX_COPY_BYTES = 30_000_000  # a review copy of a whole programme is a few MB; more is not one of ours
CERT_LINE_RE = re.compile(r"^(?P<principal>\S+)\s+x509-sha256\s+(?P<fp>(?:[0-9A-Fa-f]{2}[: ]?){31}[0-9A-Fa-f]{2})\s*$")
# Acrobat's self-signed digital IDs carry digital signature and non-repudiation; either will do
KEY_USAGES = frozenset({"digital_signature", "non_repudiation"})


def certificate_pins(allowed_signers: str | None) -> dict[str, str]:
    """SHA-256 fingerprint (lower-case hex) -> principal of every certificate line of an
    allowed-signers file. ssh-keygen skips these lines; the trust replay counts them as keys."""
    pins: dict[str, str] = {}
    for raw in (allowed_signers or "").splitlines():
        m = CERT_LINE_RE.match(" ".join(raw.split()) if not raw.lstrip().startswith("#") else "")
        if m:
            pins[re.sub(r"[^0-9a-f]", "", m.group("fp").lower())] = m.group("principal")
    return pins


def certificate_line(principal: str, der: bytes) -> str:
    """The allowed-signers line that registers a certificate (``./scripts/trust --add-certificate``)."""
    return f"{principal} x509-sha256 {asn1_x509.Certificate.load(der).sha256.hex()}"


@dataclass
class CopyVerdict:
    """What verifying one review copy found."""

    path: str  # repository path of the PDF
    org: str = ""  # the organisation the copy was made for (from its manifest)
    name: str = ""  # the signer's name (the certificate's common name)
    signer: str = ""  # the principal its fingerprint is registered under
    fingerprint: str = ""
    signed: str = ""  # signing date, YYYY-MM-DD
    pairs: dict[str, dict[str, str]] = field(default_factory=dict)  # page pair -> language -> digest
    problem: str = ""  # message code of the approval rule; "" when the copy holds
    params: dict[str, str] = field(default_factory=dict)

    def refuse(self, code: str, **params: str) -> CopyVerdict:
        self.problem = code
        self.params.update(params)
        return self


def copy_files(data_dir: Path) -> list[Path]:
    """The PDFs under data/review-copies/ (symbolic links are not followed: they could point outside)."""
    base = data_dir / COPIES_DIR
    if not base.is_dir() or base.is_symlink():
        return []
    return sorted(p for p in base.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file() and not p.is_symlink())


def manifest_of(raw: bytes) -> ReviewCopyManifest | None:
    """The manifest embedded in a review copy, None when there is none or it is not one of ours."""
    from pypdf import PdfReader  # loaded when a copy is read, not by every build (ADR 0018)
    from pypdf.errors import PyPdfError

    try:
        attachments = PdfReader(io.BytesIO(raw)).attachments
        blobs = attachments.get(MANIFEST_NAME) or []
    except (PyPdfError, ValueError, TypeError, KeyError, OSError, RecursionError):
        return None
    if len(blobs) != 1:
        return None
    try:
        return ReviewCopyManifest.model_validate(json.loads(blobs[0].decode("utf-8")))
    except (ValueError, UnicodeDecodeError, ValidationError, RecursionError):
        return None


def printed_text(raw: bytes) -> str:
    """The document's text with all white space removed (the digests must be in it as printed)."""
    from pypdf import PdfReader  # as in manifest_of
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))
    except (PyPdfError, ValueError, TypeError, KeyError, OSError, RecursionError):
        return ""


def verify_copy(raw: bytes, path: str, pins: dict[str, dict[str, str]], trusted: dict[str, bool],
                reached: dt.datetime, pairs: Iterable[str]) -> CopyVerdict:
    """Verify one review copy. *pins*: organisation -> certificate fingerprint -> principal (from the
    committed allowed-signers files); *trusted*: whether the history vouches for each organisation's
    file; *reached*: when the copy reached the main branch (now when it has not); *pairs*: the
    project's page pairs."""
    verdict = CopyVerdict(path=path, params={"copy": path})
    if len(raw) > MAX_COPY_BYTES:
        return verdict.refuse("copy-not-a-copy", reason=f"{len(raw) // 1_000_000} MB")
    manifest = manifest_of(raw)
    if manifest is None:
        return verdict.refuse("copy-not-a-copy", reason=MANIFEST_NAME)
    verdict.org = manifest.org
    verdict.params["org"] = manifest.org
    verdict.pairs = {p.rel: dict(p.digests) for p in manifest.pairs}
    # pyHanko takes a third of a second to import: loaded when a copy is verified, not by every build
    # that has none (docs/adr/0018-heavy-libraries-load-when-used.md)
    with warnings.catch_warnings():  # pyHanko imports cryptography's deprecated DSA module: not ours to fix
        warnings.simplefilter("ignore")
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko.sign.validation.settings import KeyUsageConstraints
        from pyhanko.sign.validation.status import SignatureCoverageLevel
        from pyhanko_certvalidator import ValidationContext
    key_usage = KeyUsageConstraints(key_usage=set(KEY_USAGES), match_all_key_usages=False)
    try:
        signatures = PdfFileReader(io.BytesIO(raw), strict=False).embedded_signatures
    except Exception as exc:  # pyHanko raises many types on a malformed file; none may escape
        return verdict.refuse("copy-broken-signature", reason=type(exc).__name__)
    if not signatures:
        return verdict.refuse("copy-unsigned")
    if len(signatures) > 1:
        return verdict.refuse("copy-several-signatures", count=str(len(signatures)))
    sig = signatures[0]
    try:
        cert = sig.signer_cert
        context = ValidationContext(trust_roots=[cert], allow_fetching=False, revocation_mode="soft-fail",
                                    moment=_claimed(sig) or dt.datetime.now(dt.UTC))
        # pyHanko runs its own event loop (asyncio.run): in a thread of its own, so that a caller that
        # already runs one (a server, a browser driver) does not stop it
        with ThreadPoolExecutor(max_workers=1) as pool:
            status = pool.submit(validate_pdf_signature, sig, context, key_usage_settings=key_usage).result()
    except Exception as exc:  # as above: a damaged signature is a finding, not a traceback
        return verdict.refuse("copy-broken-signature", reason=type(exc).__name__)
    verdict.fingerprint = cert.sha256.hex()
    verdict.name = _common_name(cert)
    verdict.params.update(fingerprint=_grouped(verdict.fingerprint), name=verdict.name or "?")
    if not (status.intact and status.valid):
        return verdict.refuse("copy-broken-signature", reason="digest" if not status.intact else "signature")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return verdict.refuse("copy-changed-after-signing")
    when = status.signer_reported_dt
    if status.timestamp_validity is not None and status.timestamp_validity.intact and status.timestamp_validity.valid:
        when = status.timestamp_validity.timestamp  # a time-stamp authority's time, where the service adds one
    if when is None:
        return verdict.refuse("copy-no-time")
    verdict.signed = when.date().isoformat()
    verdict.params["signed"] = verdict.signed
    owners = [org for org, fps in pins.items() if verdict.fingerprint in fps]
    if manifest.org not in owners:
        if owners:
            return verdict.refuse("copy-other-org-certificate", other=", ".join(owners))
        return verdict.refuse("copy-unlisted-certificate")
    if not trusted.get(manifest.org):
        return verdict.refuse("copy-signers-not-trusted")
    verdict.signer = pins[manifest.org][verdict.fingerprint]
    start, end = cert.not_valid_before, cert.not_valid_after
    verdict.params.update(valid=f"{start.date().isoformat()} – {end.date().isoformat()}")
    for moment, label in ((when, verdict.signed), (reached, reached.date().isoformat())):
        if not start <= moment <= end:
            return verdict.refuse("copy-certificate-not-valid", at=label)
    if when > reached + dt.timedelta(days=1):  # signed "after" it reached main: the signer's clock lies
        return verdict.refuse("copy-certificate-not-valid", at=verdict.signed)
    text = printed_text(raw)
    unprinted = sorted({d for digests in verdict.pairs.values() for d in digests.values() if d not in text})
    if unprinted:
        return verdict.refuse("copy-digests-edited", digests=", ".join(unprinted))
    known = set(pairs)
    unknown = sorted(rel for rel in verdict.pairs if rel not in known)
    if unknown:
        return verdict.refuse("copy-unknown-page", pages=", ".join(unknown))
    return verdict


def _claimed(sig: Any) -> dt.datetime | None:
    try:
        return sig.self_reported_timestamp
    except Exception:  # a malformed /M is no time at all
        return None


def _common_name(cert: asn1_x509.Certificate) -> str:
    try:
        return str(cert.subject.native.get("common_name") or "")
    except (ValueError, TypeError, AttributeError):
        return ""


def _grouped(hex_digest: str) -> str:
    """AB:CD:... as certificate viewers (Acrobat, Windows, macOS) show a fingerprint."""
    return ":".join(hex_digest[i:i + 2] for i in range(0, len(hex_digest), 2)).upper()
