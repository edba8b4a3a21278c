"""Chữ ký số: PAdES signing and validation of Party documents with pyHanko.

A document is signed first by a person (their PKCS#12 certificate from Ban Cơ yếu) and later,
as an incremental update, by the organisation; each signature has a visible box with Vietnamese
text. Validation answers the questions a clerk must answer before registering a signed file:
is it intact, was it changed after signing, does the certificate chain to the deployment's
trust anchors, was it revoked, and when was it signed. The answer is a report that is stored
with the document (``to_json``) and shown in Vietnamese.
"""

from __future__ import annotations

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
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
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper, TimestampRequestError
from pyhanko.sign.validation.pdf_embedded import collect_embedded_signatures
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from dangso.core.verification import (  # noqa: F401  the validation API, also from here
    INVALID,
    MODIFIED,
    SIGNING_KEY_USAGES,
    UNSIGNED,
    UNTRUSTED,
    VALID,
    SignatureCheck,
    ValidationReport,
    format_time,
    load_trust_anchors,
    outside_event_loop,
    to_asn1,
    validate_pdf,
)

logger = logging.getLogger(__name__)

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")


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
            % {"date": format_time(cert.not_valid_before_utc)},
            code="certificate_not_yet_valid",
        )
    if now > cert.not_valid_after_utc:
        raise SigningError(
            _("The certificate expired on %(date)s.")
            % {"date": format_time(cert.not_valid_after_utc)},
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
        signing_cert=to_asn1(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([to_asn1(c) for c in extra_certs]),
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
    lines.append(_("Signed on: %(time)s") % {"time": format_time(when or timezone.now())})
    return lines


@outside_event_loop
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
            trust_roots=[to_asn1(c) for c in load_trust_anchors()], allow_fetching=True
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
        signer_key_usage=SIGNING_KEY_USAGES,
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
