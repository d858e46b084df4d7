"""Throw-away certificates, and signing a review copy the way Acrobat Reader does: a PAdES signature
(ETSI.CAdES.detached) in the document's signature field, saved as an incremental update."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from concurrent.futures import ThreadPoolExecutor

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter


class DigitalId:
    """A reviewer's digital ID: a self-signed certificate and its key, as Acrobat makes one."""

    def __init__(self, name: str, org: str, *, start: dt.datetime | None = None, end: dt.datetime | None = None) -> None:
        now = dt.datetime.now(dt.UTC)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])
        usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                              data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                              encipher_only=False, decipher_only=False)
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(start or now - dt.timedelta(days=30))
                     .not_valid_after(end or now + dt.timedelta(days=365 * 5))
                     .add_extension(usage, critical=True).sign(self.key, hashes.SHA256()))

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def sign(self, pdf: bytes, field: str = "Reviewer") -> bytes:
        """Sign *pdf* in its field *field* (created if absent), as Acrobat's "Use a certificate" does."""
        signer = signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(self.der),
            signing_key=asn1_keys.PrivateKeyInfo.load(self.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            cert_registry=None)
        meta = signers.PdfSignatureMetadata(field_name=field, subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256")
        def sign() -> bytes:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer).getvalue()

        # pyHanko runs its own event loop: in a thread of its own, as the browser tests may run one here
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(sign).result()


def append_update(pdf: bytes, text: bytes = b"changed after signing") -> bytes:
    """An incremental update after signing that changes what a reader sees: page 1's content replaced."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (" + text + b") Tj ET")
    page[generic.NameObject("/Contents")] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
