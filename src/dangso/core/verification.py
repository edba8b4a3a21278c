"""Kiểm tra chữ ký số: validation of the PAdES signatures on an uploaded or signed PDF.

The questions a clerk must answer before registering a signed file: is it intact, was it
changed after signing, does the certificate chain to the deployment's trust anchors
(DANGSO_TRUST_ANCHORS_DIR), was it revoked, and when was it signed. The answer is a
`ValidationReport`, stored with the document (``to_json``) and shown in Vietnamese.
Signing itself is in `documents.signing`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import functools
import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
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
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

VALID = "valid"
MODIFIED = "modified"
UNTRUSTED = "untrusted"
INVALID = "invalid"
UNSIGNED = "unsigned"
SIGNING_KEY_USAGES = {"digital_signature", "non_repudiation"}
_SEVERITY = {VALID: 0, UNTRUSTED: 1, MODIFIED: 2, INVALID: 3}


def outside_event_loop(func: Any) -> Any:
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


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


# ---------------------------------------------------------------------------------------------
# Validation


class Note(str):
    """A sentence of the report that keeps its English msgid and parameters, so a report stored
    with the document reads again in the language of whoever opens it."""

    msgid: str
    params: dict[str, str]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> Note:
        values = {key: str(value) for key, value in (params or {}).items()}
        note = super().__new__(cls, gettext(msgid) % values if values else gettext(msgid))
        note.msgid, note.params = msgid, values
        return note

    def __mod__(self, params: Any) -> Note:  # type: ignore[override]
        return Note(self.msgid, params)


def _(msgid: str) -> Note:
    """gettext that remembers what it translated (see `Note`)."""
    return Note(msgid)


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
        messages = self.messages
        self.messages = []
        data = asdict(self)
        self.messages = messages
        data["messages"] = [str(line) for line in messages]
        if all(isinstance(line, Note) for line in messages):
            data["notes"] = [[line.msgid, line.params] for line in messages]  # type: ignore[attr-defined]
        for key in ("signing_time", "timestamp_time"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignatureCheck:
        """The stored check, its sentences in the active language (older reports kept only
        the sentences, in the language they were made in)."""
        values = dict(data)
        notes = values.pop("notes", None)
        if notes is not None:
            values["messages"] = [Note(msgid, params) for msgid, params in notes]
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


@outside_event_loop
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
    return cert if isinstance(cert, asn1_x509.Certificate) else to_asn1(cert)


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
                key_usage_settings=KeyUsageConstraints(key_usage=SIGNING_KEY_USAGES),
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
            _("Signing time stated by the signer: %(time)s.") % {"time": format_time(signing_time)}
        )
    tst = status.timestamp_validity
    timestamp_time = tst.timestamp if tst is not None else None
    timestamp_ok = tst is None or (tst.intact and tst.valid and tst.trusted)
    if tst is not None:
        messages.append(
            _("Timestamp from a timestamp authority: %(time)s.")
            % {"time": format_time(tst.timestamp)}
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
        date = format_time(details.revocation_date)
        if details.ca_revoked:
            return [
                _("A certificate in the signer's chain was revoked on %(date)s.") % {"date": date}
            ]
        return [_("The signer's certificate was revoked on %(date)s.") % {"date": date}]
    messages: list[str] = []
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


def format_time(value: datetime.datetime) -> str:
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M:%S")
