"""Chữ ký số: PAdES signing and validation of Party documents with pyHanko.

A document is signed first by a person (their PKCS#12 certificate from Ban Cơ yếu) and later,
as an incremental update, by the organisation; each signature has a visible box with Vietnamese
text. Validation answers the questions a clerk must answer before registering a signed file:
is it intact, was it changed after signing, does the certificate chain to the deployment's
trust anchors, was it revoked, and when was it signed. The answer is a report that is stored
with the document (``to_json``) and shown in Vietnamese.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import functools
import hashlib
import io
import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fontTools import subset
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils import misc as pdf_misc
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper, TimestampRequestError
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import collect_embedded_signatures
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

logger = logging.getLogger(__name__)

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")

VALID = "valid"
MODIFIED = "modified"
UNTRUSTED = "untrusted"
INVALID = "invalid"
UNSIGNED = "unsigned"
_SEVERITY = {VALID: 0, UNTRUSTED: 1, MODIFIED: 2, INVALID: 3}

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
STAMP_FONT_SIZE = 8
STAMP_LEADING = 10
STAMP_WIDTH = 210.0
STAMP_MARGIN = 36.0
STAMP_GAP = 6.0
_FIELD_NAME_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_SIGNING_KEY_USAGES = {"digital_signature", "non_repudiation"}


class SigningError(ValidationError):
    """A document or certificate that cannot be signed with, with a message for the user."""


# ---------------------------------------------------------------------------------------------
# Credentials


@dataclass(frozen=True)
class Credential:
    """A signer's key and certificate, loaded from their PKCS#12 file for one signing."""

    signer: signers.SimpleSigner
    subject_name: str
    organisation: str
    not_after: datetime.datetime
    certificate: x509.Certificate


def load_credential(p12: bytes, passphrase: str) -> Credential:
    """Open a .p12/.pfx file and check that its certificate may sign today."""
    if not p12:
        raise SigningError(_("The certificate file is empty."), code="empty_certificate")
    try:
        key, cert, extra_certs = pkcs12.load_key_and_certificates(p12, passphrase.encode())
    except ValueError as exc:
        if _is_pfx(p12):
            raise SigningError(
                _("Wrong passphrase for the certificate file."), code="wrong_passphrase"
            ) from exc
        raise SigningError(
            _("The file is not a PKCS#12 (.p12 or .pfx) certificate file."),
            code="not_pkcs12",
        ) from exc
    if key is None or cert is None:
        raise SigningError(
            _("The certificate file does not hold both a private key and its certificate."),
            code="incomplete_certificate",
        )
    now = timezone.now()
    if now < cert.not_valid_before_utc:
        raise SigningError(
            _("The certificate is not valid until %(date)s.")
            % {"date": _format_time(cert.not_valid_before_utc)},
            code="certificate_not_yet_valid",
        )
    if now > cert.not_valid_after_utc:
        raise SigningError(
            _("The certificate expired on %(date)s.")
            % {"date": _format_time(cert.not_valid_after_utc)},
            code="certificate_expired",
        )
    if not _may_sign(cert):
        raise SigningError(
            _(
                "The certificate is not meant for digital signatures "
                "(its key usage allows neither digital signature nor non-repudiation)."
            ),
            code="certificate_not_for_signing",
        )
    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signer = _LoadedKeySigner(
        private_key=key,
        signing_cert=_to_asn1(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([_to_asn1(c) for c in extra_certs]),
    )
    return Credential(
        signer=signer,
        subject_name=_name_attribute(cert.subject, NameOID.COMMON_NAME),
        organisation=_name_attribute(cert.subject, NameOID.ORGANIZATION_NAME),
        not_after=cert.not_valid_after_utc,
        certificate=cert,
    )


class _LoadedKeySigner(signers.SimpleSigner):
    """SimpleSigner that keeps the key cryptography already loaded and checked.

    pyHanko's SimpleSigner re-parses the private key for each raw signature, and cryptography
    re-validates an RSA key on every load (about 60 ms, twice per PDF signature).
    """

    def __init__(self, *, private_key: PrivateKeyTypes, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        key = self._private_key
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


def _is_pfx(data: bytes) -> bool:
    try:
        pfx = asn1_pkcs12.Pfx.load(data)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native == "data"
    except (ValueError, TypeError, KeyError):
        return False


def _may_sign(cert: x509.Certificate) -> bool:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return usage.digital_signature or usage.content_commitment


def _name_attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


# ---------------------------------------------------------------------------------------------
# Signing


@dataclass(frozen=True)
class SignedPdf:
    content: bytes
    level: str
    signed_at: datetime.datetime
    field_name: str


def default_stamp_lines(credential: Credential, when: datetime.datetime | None = None) -> list[str]:
    """The lines of a signature box when the caller has nothing better: who and when."""
    lines = [_("Signed by: %(name)s") % {"name": credential.subject_name}]
    if credential.organisation:
        lines.append(_("Organisation: %(name)s") % {"name": credential.organisation})
    lines.append(_("Signed on: %(time)s") % {"time": _format_time(when or timezone.now())})
    return lines


def _outside_event_loop(func: Any) -> Any:
    """pyHanko runs its work with `asyncio.run()`, which refuses to start inside a running
    event loop (an ASGI worker, Playwright's sync API in tests): there, run in a thread of its
    own, in the caller's language."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return func(*args, **kwargs)
        language = translation.get_language()

        def call() -> Any:
            with translation.override(language):
                return func(*args, **kwargs)

        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(call).result()

    return wrapper


@_outside_event_loop
def sign_pdf(
    content: bytes,
    credential: Credential,
    *,
    field_name: str,
    stamp_lines: Sequence[str],
    page: int = -1,
    box: tuple[float, float, float, float] | None = None,
    reason: str = "",
    location: str = "",
    timestamper: TimeStamper | None = None,
    level: str | None = None,
    validation_context: ValidationContext | None = None,
) -> SignedPdf:
    """Sign a PDF with PAdES as an incremental update, with a visible box on ``page``.

    Level: B-B without a timestamp authority; with one (``timestamper`` or
    ``DANGSO_TSA_URL``) the configured ``DANGSO_SIGNATURE_LEVEL`` unless ``level`` says
    otherwise. B-LT and B-LTA embed revocation data collected through ``validation_context``
    (default: the deployment's trust anchors, fetching CRL/OCSP over the network).
    """
    if not _FIELD_NAME_RE.match(field_name):
        raise ValueError(
            f"signature field name must be 1-64 letters, digits, - or _: {field_name!r}"
        )
    reader = _open_pdf_for_signing(content)
    timestamper, level = _resolve_level(timestamper, level)
    page_count = int(reader.root["/Pages"]["/Count"])
    page_index = page if page >= 0 else page_count + page
    if not 0 <= page_index < page_count:
        raise SigningError(_("The page to sign does not exist in the document."), code="bad_page")
    if any(name == field_name for name, _value, _ref in sig_fields.enumerate_sig_fields(reader)):
        raise SigningError(
            _("The document already has a signature named %(name)s.") % {"name": field_name},
            code="duplicate_field",
        )
    lines = list(stamp_lines) or default_stamp_lines(credential)
    if box is None:
        box = _auto_box(reader, page_index, len(lines))

    needs_revinfo = level in ("B-LT", "B-LTA")
    if needs_revinfo and validation_context is None:
        validation_context = ValidationContext(
            trust_roots=[_to_asn1(c) for c in load_trust_anchors()], allow_fetching=True
        )
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        location=location or None,
        name=credential.subject_name or None,
        subfilter=sig_fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=needs_revinfo,
        use_pades_lta=level == "B-LTA",
        validation_context=validation_context if needs_revinfo else None,
        signer_key_usage=_SIGNING_KEY_USAGES,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        credential.signer,
        timestamper=timestamper,
        stamp_style=_stamp_style(lines),
        new_field_spec=sig_fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=page_index,
            box=tuple(round(v) for v in box),  # type: ignore[arg-type]
        ),
    )
    writer = IncrementalPdfFileWriter.from_reader(reader)
    try:
        output = pdf_signer.sign_pdf(writer)
    except TimestampRequestError as exc:
        logger.warning("timestamp authority failed", exc_info=exc)
        raise SigningError(
            _("The timestamp server did not answer; try again later."), code="tsa_unavailable"
        ) from exc
    except (PyHankoSigningError, ValueError, OSError) as exc:
        logger.warning("signing failed", exc_info=exc)
        raise SigningError(
            _("The document could not be signed: %(error)s") % {"error": exc}, code="sign_failed"
        ) from exc
    signed = output.getvalue()
    return SignedPdf(
        content=signed,
        level=level,
        signed_at=_signing_time_of(signed, field_name),
        field_name=field_name,
    )


def _open_pdf_for_signing(content: bytes) -> PdfFileReader:
    if not content:
        raise SigningError(_("The file is empty."), code="empty")
    if b"%PDF-" not in content[:1024]:
        raise SigningError(_("The file is not a PDF document."), code="not_pdf")
    try:
        reader = PdfFileReader(io.BytesIO(content))
    except (pdf_misc.PdfError, ValueError, KeyError, IndexError) as exc:
        raise SigningError(
            _("The PDF file is damaged and cannot be read."), code="damaged_pdf"
        ) from exc
    if reader.encrypted:
        raise SigningError(
            _("The PDF file is encrypted: remove the password before signing."),
            code="encrypted_pdf",
        )
    return reader


def _resolve_level(
    timestamper: TimeStamper | None, level: str | None
) -> tuple[TimeStamper | None, str]:
    if level is not None and level not in LEVELS:
        raise ValueError(f"unknown PAdES level {level!r}")
    if level == "B-B":
        return None, "B-B"
    if timestamper is None and settings.DANGSO_TSA_URL:
        timestamper = HTTPTimeStamper(settings.DANGSO_TSA_URL)
    if timestamper is None:
        if level is not None:
            raise ValueError(f"PAdES {level} needs a timestamp authority (DANGSO_TSA_URL)")
        return None, "B-B"
    return timestamper, level or settings.DANGSO_SIGNATURE_LEVEL


def stamp_font_path() -> str:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise RuntimeError("no TrueType font with Vietnamese coverage found for signature boxes")


_STAMP_CODEPOINTS = [
    *range(0x20, 0x7F),  # ASCII
    *range(0xA0, 0x250),  # Latin-1, Latin Extended-A/B (ă, đ, ơ, ư)
    *range(0x300, 0x370),  # combining marks
    *range(0x1EA0, 0x1F00),  # Latin Extended Additional (ạ, ế, ữ, …)
    *range(0x2010, 0x2050),  # dashes, quotes, ellipsis
    0x20AB,  # ₫
]


@functools.cache
def _stamp_font_file() -> str:
    """The stamp font cut down to Latin and Vietnamese, written once to the temp directory.

    pyHanko subsets the font for every signature; doing that on the full Noto/DejaVu file
    costs about 0.3 s, on this cut-down copy a few milliseconds.
    """
    source = Path(stamp_font_path())
    stat = source.stat()
    key = hashlib.sha256(f"{source}:{stat.st_size}:{stat.st_mtime_ns}:2".encode()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"dangso-stamp-font-{key}.ttf"
    if not target.is_file():
        options = subset.Options()
        # stamp text is normalised to NFC, and every Vietnamese letter has a precomposed glyph:
        # no shaping tables needed, and parsing them was most of the per-signature font cost
        options.layout_features = []
        options.drop_tables += ["GSUB", "GPOS", "GDEF"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        font = TTFont(str(source))
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=_STAMP_CODEPOINTS)
        subsetter.subset(font)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(partial))
        os.replace(partial, target)
    return str(target)


def _stamp_style(lines: Sequence[str]) -> TextStampStyle:
    font = GlyphAccumulatorFactory(_stamp_font_file(), font_size=STAMP_FONT_SIZE)
    return TextStampStyle(
        # the stamp text is a %-template; user text must not be interpreted
        stamp_text="\n".join(
            unicodedata.normalize("NFC", line).replace("%", "%%") for line in lines
        ),
        text_box_style=TextBoxStyle(font=font, font_size=STAMP_FONT_SIZE, leading=STAMP_LEADING),
        border_width=1,
        background=None,
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=4, right=4),
        ),
    )


def _stamp_height(line_count: int) -> float:
    # pyHanko's text box keeps a 10 pt margin on each side inside the border
    return line_count * STAMP_LEADING + 24


def _auto_box(
    reader: PdfFileReader, page_index: int, line_count: int
) -> tuple[float, float, float, float]:
    """Bottom right of the page, moved up (then left) past earlier signature boxes."""
    page_ref = reader.find_page_for_modification(page_index)[0]
    page_obj = page_ref.get_object()
    media = [
        float(v) for v in _inherited(page_obj, "/CropBox") or _inherited(page_obj, "/MediaBox")
    ]
    left, bottom, right, top = (
        min(media[0], media[2]),
        min(media[1], media[3]),
        max(media[0], media[2]),
        max(media[1], media[3]),
    )
    taken = list(_signature_rects_on_page(page_obj))
    width, height = STAMP_WIDTH, _stamp_height(line_count)
    x2 = right - STAMP_MARGIN
    while x2 - width >= left:
        y1 = bottom + STAMP_MARGIN
        while y1 + height <= top - STAMP_MARGIN:
            candidate = (x2 - width, y1, x2, y1 + height)
            blocking = [rect for rect in taken if _overlaps(candidate, rect)]
            if not blocking:
                return candidate
            y1 = max(rect[3] for rect in blocking) + STAMP_GAP
        x2 -= width + STAMP_GAP
    return (right - STAMP_MARGIN - width, bottom + STAMP_MARGIN, right - STAMP_MARGIN,
            bottom + STAMP_MARGIN + height)  # fmt: skip


def _inherited(page_obj: Any, key: str) -> Any:
    node = page_obj
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return None


def _signature_rects_on_page(page_obj: Any) -> Iterable[tuple[float, float, float, float]]:
    for annot_ref in page_obj.get("/Annots", ()):
        annot = annot_ref.get_object()
        field_type = annot.get("/FT") or annot.get("/Parent", {}).get("/FT")
        if annot.get("/Subtype") == "/Widget" and field_type == "/Sig" and "/Rect" in annot:
            x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
            yield min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _signing_time_of(content: bytes, field_name: str) -> datetime.datetime:
    reader = PdfFileReader(io.BytesIO(content))
    for embedded in collect_embedded_signatures(reader):
        if embedded.field_name == field_name and embedded.self_reported_timestamp:
            return embedded.self_reported_timestamp
    return timezone.now()


# ---------------------------------------------------------------------------------------------
# Validation


@dataclass
class SignatureCheck:
    field_name: str
    signer_name: str
    signer_organisation: str
    signing_time: datetime.datetime | None
    timestamp_time: datetime.datetime | None
    intact: bool
    covers_whole_file: bool
    trusted: bool
    revocation_checked: bool
    revoked: bool | None
    level: str
    messages: list[str] = field(default_factory=list)
    status: str = INVALID

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("signing_time", "timestamp_time"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignatureCheck:
        values = dict(data)
        for key in ("signing_time", "timestamp_time"):
            values[key] = datetime.datetime.fromisoformat(values[key]) if values[key] else None
        return cls(**values)


@dataclass
class ValidationReport:
    status: str
    signatures: list[SignatureCheck]
    validated_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def summary(self) -> str:
        """One Vietnamese sentence for the top of the report."""
        count = len(self.signatures)
        if self.status == UNSIGNED:
            return _("The document has no digital signature.")
        if self.status == VALID:
            return ngettext(
                "The document has %(count)d digital signature and it is valid.",
                "The document has %(count)d digital signatures and all are valid.",
                count,
            ) % {"count": count}
        if self.status == MODIFIED:
            return _("The document was changed after it was signed: do not rely on its content.")
        if self.status == UNTRUSTED:
            return _(
                "The signatures are intact, but a signer's certificate or timestamp does not "
                "chain to a configured trust anchor."
            )
        if not self.signatures:
            return _("The file is damaged: its signatures could not be checked.")
        return _("A digital signature on the document is not valid.")

    @property
    def is_valid(self) -> bool:
        return self.status == VALID

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "validated_at": self.validated_at.isoformat(),
            "signatures": [check.to_json() for check in self.signatures],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ValidationReport:
        return cls(
            status=data["status"],
            validated_at=datetime.datetime.fromisoformat(data["validated_at"]),
            signatures=[SignatureCheck.from_json(item) for item in data["signatures"]],
        )


def load_trust_anchors(directory: str | Path | None = None) -> list[x509.Certificate]:
    """The deployment's trust anchors: every PEM or DER certificate in DANGSO_TRUST_ANCHORS_DIR."""
    path = Path(directory if directory is not None else settings.DANGSO_TRUST_ANCHORS_DIR)
    if not path.is_dir():
        return []
    anchors: list[x509.Certificate] = []
    for file in sorted(path.iterdir()):
        if not file.is_file():
            continue
        data = file.read_bytes()
        try:
            if b"-----BEGIN CERTIFICATE-----" in data:
                anchors.extend(x509.load_pem_x509_certificates(data))
            else:
                anchors.append(x509.load_der_x509_certificate(data))
        except ValueError:
            logger.warning("not a certificate, ignored as trust anchor: %s", file)
    return anchors


@_outside_event_loop
def validate_pdf(
    content: bytes,
    *,
    trust_roots: Sequence[x509.Certificate | asn1_x509.Certificate] | None = None,
    crls: Sequence[x509.CertificateRevocationList | asn1_crl.CertificateList | bytes] = (),
    allow_fetching: bool = False,
) -> ValidationReport:
    """Check every signature of a PDF and say, in Vietnamese, whether it can be relied on."""
    if not content or b"%PDF-" not in content[:1024]:
        return ValidationReport(status=UNSIGNED, signatures=[])
    try:
        reader = PdfFileReader(io.BytesIO(content))
        embedded = collect_embedded_signatures(reader)
    except Exception as exc:  # a damaged file is a report, not a crash
        logger.info("unreadable PDF during validation", exc_info=exc)
        looks_signed = b"/ByteRange" in content
        return ValidationReport(status=INVALID if looks_signed else UNSIGNED, signatures=[])
    if not embedded:
        return ValidationReport(status=UNSIGNED, signatures=[])
    roots = [_as_asn1_cert(c) for c in (trust_roots if trust_roots is not None else
                                          load_trust_anchors())]  # fmt: skip
    checks = asyncio.run(
        _validate_all(reader, embedded, content, roots, [_as_asn1_crl(c) for c in crls],
                      allow_fetching)
    )  # fmt: skip
    if not checks:  # only document timestamps: nobody signed it
        return ValidationReport(status=UNSIGNED, signatures=[])
    status = max((check.status for check in checks), key=_SEVERITY.__getitem__)
    return ValidationReport(status=status, signatures=checks)


def _as_asn1_cert(cert: x509.Certificate | asn1_x509.Certificate) -> asn1_x509.Certificate:
    return cert if isinstance(cert, asn1_x509.Certificate) else _to_asn1(cert)


def _as_asn1_crl(
    value: x509.CertificateRevocationList | asn1_crl.CertificateList | bytes,
) -> asn1_crl.CertificateList:
    if isinstance(value, asn1_crl.CertificateList):
        return value
    if isinstance(value, bytes):
        return asn1_crl.CertificateList.load(value)
    return asn1_crl.CertificateList.load(value.public_bytes(serialization.Encoding.DER))


async def _validate_all(
    reader: PdfFileReader,
    embedded: list[EmbeddedPdfSignature],
    content: bytes,
    roots: list[asn1_x509.Certificate],
    crls: list[asn1_crl.CertificateList],
    allow_fetching: bool,
) -> list[SignatureCheck]:
    try:
        dss: DocumentSecurityStore | None = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None
    context_kwargs: dict[str, Any] = {
        "trust_roots": roots,
        "crls": crls,
        "allow_fetching": allow_fetching,
    }
    context = (
        dss.as_validation_context(context_kwargs)
        if dss is not None
        else ValidationContext(**context_kwargs)
    )
    has_dss_revinfo = dss is not None and bool(dss.crls or dss.ocsps)
    signature_field_names = {item.field_name for item in embedded}
    junk_appended = _has_trailing_junk(content)

    doc_timestamps: list[tuple[int, bool, bool]] = []  # (revision, intact, trusted)
    for item in embedded:
        if item.sig_object_type != "/DocTimeStamp":
            continue
        try:
            ts_status = await async_validate_pdf_timestamp(item, validation_context=context)
            doc_timestamps.append((item.signed_revision, ts_status.intact and ts_status.valid,
                                   ts_status.trusted))  # fmt: skip
        except Exception as exc:
            logger.info("document timestamp could not be validated", exc_info=exc)
            doc_timestamps.append((item.signed_revision, False, False))

    checks = []
    for item in embedded:
        if item.sig_object_type != "/Sig":
            continue
        try:
            status = await async_validate_pdf_signature(
                item,
                signer_validation_context=context,
                key_usage_settings=KeyUsageConstraints(key_usage=_SIGNING_KEY_USAGES),
            )
        except Exception as exc:
            logger.info("signature could not be validated", exc_info=exc)
            checks.append(_broken_check(item, exc))
            continue
        later_timestamps = [ts for ts in doc_timestamps if ts[0] > item.signed_revision]
        checks.append(
            _check_from_status(
                item,
                status,
                context=context,
                has_dss_revinfo=has_dss_revinfo,
                later_timestamps=later_timestamps,
                signature_field_names=signature_field_names,
                junk_appended=junk_appended,
                has_roots=bool(roots),
            )
        )
    await context.aclose()
    return checks


def _has_trailing_junk(content: bytes) -> bool:
    end = content.rfind(b"%%EOF")
    return end >= 0 and bool(content[end + 5 :].strip(b"\x00\r\n\t\f "))


def _broken_check(item: EmbeddedPdfSignature, exc: Exception) -> SignatureCheck:
    try:
        cert = item.signer_cert
        name, organisation = _subject_parts(cert)
    except Exception:
        name, organisation = "", ""
    return SignatureCheck(
        field_name=str(item.field_name),
        signer_name=name,
        signer_organisation=organisation,
        signing_time=None,
        timestamp_time=None,
        intact=False,
        covers_whole_file=False,
        trusted=False,
        revocation_checked=False,
        revoked=None,
        level="B-B",
        messages=[_("The signature could not be checked: %(error)s") % {"error": exc}],
        status=INVALID,
    )


def _subject_parts(cert: asn1_x509.Certificate) -> tuple[str, str]:
    subject = cert.subject.native
    return str(subject.get("common_name", "")), str(subject.get("organization_name", ""))


def _check_from_status(
    item: EmbeddedPdfSignature,
    status: PdfSignatureStatus,
    *,
    context: ValidationContext,
    has_dss_revinfo: bool,
    later_timestamps: list[tuple[int, bool, bool]],
    signature_field_names: set[str],
    junk_appended: bool,
    has_roots: bool,
) -> SignatureCheck:
    name, organisation = _subject_parts(status.signing_cert)
    messages: list[str] = []
    intact = status.intact
    signature_valid = status.valid

    # integrity
    if not intact:
        messages.append(_("The signature is broken: the signed content was changed after signing."))
    elif not signature_valid:
        messages.append(_("The signature value does not match the signer's certificate."))
    else:
        messages.append(
            _("The signature is intact: the content has not been changed since signing.")
        )

    # coverage: later updates may only add signatures, validation data or document timestamps
    covers_whole_file = _covers_whole_file(status, signature_field_names) and not junk_appended
    broken_timestamp = any(not ts_intact for _rev, ts_intact, _trusted in later_timestamps)
    if junk_appended:
        messages.append(_("Data was appended to the end of the file after signing."))
    if not covers_whole_file and not junk_appended:
        messages.append(
            _(
                "The document was changed by an update made after signing that is not a "
                "signature: the signed version differs from the file as it is now."
            )
        )
    elif status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        messages.append(_("The signature covers the whole file."))
    elif covers_whole_file:
        messages.append(
            _(
                "The signature covers its version of the document; later updates only add "
                "signatures or validation data."
            )
        )
    if broken_timestamp:
        messages.append(_("A document timestamp added later is broken."))

    # trust and revocation
    revoked = status.revoked
    revocation_checked = revoked or (
        _declares_revocation_source(status.signing_cert)
        and _revocation_data_available(status.signing_cert, context)
        and not context.soft_fail_exceptions
    )
    if intact and signature_valid:
        messages.extend(_trust_messages(status, has_roots, bool(revocation_checked)))

    # time
    signing_time = status.signer_reported_dt
    if signing_time is not None:
        messages.append(
            _("Signing time stated by the signer: %(time)s.") % {"time": _format_time(signing_time)}
        )
    tst = status.timestamp_validity
    timestamp_time = tst.timestamp if tst is not None else None
    timestamp_ok = tst is None or (tst.intact and tst.valid and tst.trusted)
    if tst is not None:
        messages.append(
            _("Timestamp from a timestamp authority: %(time)s.")
            % {"time": _format_time(tst.timestamp)}
            if timestamp_ok
            else _("The timestamp is not valid or not trusted.")
        )

    level = "B-B"
    if tst is not None:
        level = "B-T"
        if has_dss_revinfo:
            level = "B-LT"
            if any(ts_intact and ts_trusted for _rev, ts_intact, ts_trusted in later_timestamps):
                level = "B-LTA"
    messages.append(_("Signature level: PAdES %(level)s.") % {"level": level})

    if not intact or broken_timestamp:
        check_status = MODIFIED
    elif not signature_valid or revoked:
        check_status = INVALID
    elif not covers_whole_file or status.docmdp_ok is False:
        check_status = MODIFIED
    elif not status.trusted or not timestamp_ok:
        check_status = UNTRUSTED
    else:
        check_status = VALID
    return SignatureCheck(
        field_name=str(item.field_name),
        signer_name=name,
        signer_organisation=organisation,
        signing_time=signing_time,
        timestamp_time=timestamp_time,
        intact=intact and signature_valid,
        covers_whole_file=covers_whole_file,
        trusted=status.trusted,
        revocation_checked=bool(revocation_checked),
        revoked=revoked if revocation_checked else None,
        level=level,
        messages=messages,
        status=check_status,
    )


def _trust_messages(
    status: PdfSignatureStatus, has_roots: bool, revocation_checked: bool
) -> list[str]:
    details = status.revocation_details
    if details is not None:
        date = _format_time(details.revocation_date)
        if details.ca_revoked:
            return [
                _("A certificate in the signer's chain was revoked on %(date)s.") % {"date": date}
            ]
        return [_("The signer's certificate was revoked on %(date)s.") % {"date": date}]
    messages = []
    if status.trusted:
        anchor = status.validation_path[0] if status.validation_path is not None else None
        anchor_name = _subject_parts(anchor)[0] if isinstance(anchor, asn1_x509.Certificate) else ""
        messages.append(
            _("The certificate chains to the configured trust anchor %(anchor)s.")
            % {"anchor": anchor_name}
        )
    elif not has_roots:
        messages.append(_("No trust anchors are configured: the certificate could not be checked."))
    elif status.trust_problem_indic is not None and status.validation_path is not None:
        messages.append(
            _("The certificate could not be verified (%(reason)s).")
            % {"reason": getattr(status.trust_problem_indic, "name", status.trust_problem_indic)}
        )
    else:
        messages.append(_("The certificate does not chain to a configured trust anchor."))
    messages.append(
        _("Revocation checked: the certificate has not been revoked.")
        if revocation_checked
        else _("Revocation not checked: no revocation data (CRL or OCSP) is available.")
    )
    return messages


def _covers_whole_file(status: PdfSignatureStatus, signature_field_names: set[str]) -> bool:
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return False
    diff = status.diff_result
    if not isinstance(diff, DiffResult):
        return False
    if diff.modification_level <= ModificationLevel.LTA_UPDATES:
        return True
    if diff.modification_level == ModificationLevel.FORM_FILLING:
        # a later signature is "form filling"; filling any other field changes the document
        return set(diff.changed_form_fields) <= signature_field_names
    return False


def _declares_revocation_source(cert: asn1_x509.Certificate) -> bool:
    """pyHanko checks revocation (soft-fail) only for certificates naming a CRL or OCSP source."""
    return bool(cert.crl_distribution_points or cert.ocsp_urls)


def _revocation_data_available(cert: asn1_x509.Certificate, context: ValidationContext) -> bool:
    """Whether a CRL from the certificate's issuer or an OCSP answer about it was at hand."""
    issuer = cert.issuer
    if any(crl["tbs_cert_list"]["issuer"] == issuer for crl in context.crls):
        return True
    serial = cert.serial_number
    for response in context.ocsps:
        try:
            basic = response["response_bytes"]["response"].parsed
            single_responses = basic["tbs_response_data"]["responses"]
        except (KeyError, ValueError, TypeError):
            continue
        if any(single["cert_id"]["serial_number"].native == serial for single in single_responses):
            return True
    return False


def _format_time(value: datetime.datetime) -> str:
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M:%S")
