"""Exchange packages: one document and its files in a zip, for systems outside Đảng số.

A package holds ``manifest.json`` and the document's current files under ``files/``::

    {"format": "dangso-document-package", "version": 1,
     "exported_at": "...", "sender": {"organisation": "...", "code": "..."},
     "document": {"type": {"abbreviation": "CV", "name": "Công văn"}, "number": 96,
                  "symbol": "96-CV/VPTU", "issuer": "...", "place": "...",
                  "issued_on": "2026-03-05", "signer": {"name": "...", "title": "...",
                  "authority": "T/M"}, "summary": "...", "recipients": "...",
                  "classification": "khong_mat", "urgency": "thuong"},
     "files": [{"name": "...", "path": "files/01-....pdf", "sha256": "...", "size": 123,
                "content_type": "application/pdf", "kind": "main",
                "signature": {"status": "valid", "validated_at": "...", "signers": [...]}}]}

- Classified documents (Mật and above) are never exported: they travel only through the cipher
  sector's channels (QĐ 217, QĐ 337; domain.md §4.4).
- Importing trusts nothing in the package: the zip must hold exactly the manifest and the files
  it lists, under plain names, within the size limits, each file matching its SHA-256; the type
  is matched by abbreviation; the class must be one this deployment may hold. Only then is the
  document registered as incoming through `actions.register_incoming`, which checks every file
  by content and validates the signatures of PDFs, so the receiver's report comes from its own
  trust anchors, never from the sender's "signature" entry (kept for the record only).
- Every refusal is a ValidationError and nothing is written, neither rows nor stored files.
"""

import contextlib
import datetime
import hashlib
import io
import json
import re
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangso.core import audit, files
from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.core.text import nfc
from dangso.documents import actions
from dangso.documents.choices import AttachmentKind, Direction, SigningAuthority, Urgency
from dangso.documents.models import Document, DocumentType
from dangso.orgs.models import Organisation

__all__ = ["FORMAT", "MANIFEST", "VERSION", "export_package", "import_package"]

FORMAT = "dangso-document-package"
VERSION = 1
MANIFEST = "manifest.json"
FILES_DIR = "files"
CONTENT_TYPE = "application/zip"

MAX_FILES = 50
MANIFEST_MAX_BYTES = 1024 * 1024
PACKAGE_SIZE_FACTOR = 4
"""A package may unpack to four times the single-file limit (DANGSO_UPLOAD_MAX_MB): a document
with its annexes, not an archive."""

_MIB = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_UTF8_NAMES = 0x800
_ENCRYPTED_ENTRY = 0x1


def _refuse(message: str, **params: Any) -> ValidationError:
    return ValidationError(message, code="package", params=params or None)


# --- export ----------------------------------------------------------------------------------


def export_package(document: Document) -> bytes:
    """The document with its current files as an exchange package (zip bytes).

    Refused for a classified document, and for an outgoing or internal one not yet numbered.
    Who may export, and recording the export, are the caller's (view's) part.
    """
    if document.is_classified:
        raise _refuse(
            _(
                "Classified documents (Mật and above) are not exported in a package: they "
                "travel only through the cipher sector's channels."
            )
        )
    if document.direction != Direction.INCOMING and document.number is None:
        raise _refuse(_("Only a numbered document leaves the system: issue it first."))
    attachments = list(document.attachments.filter(current=True).order_by("id"))
    contents: list[bytes] = []
    listed: list[dict[str, Any]] = []
    for index, attachment in enumerate(attachments, start=1):
        try:
            content = actions.read_file(attachment)
        except files.IntegrityFailure as error:
            raise _refuse(
                _("The file “%(name)s” of this document cannot be exported: %(problem)s"),
                name=attachment.name,
                problem=error.message,
            ) from error
        contents.append(content)
        listed.append(
            {
                "name": attachment.name,
                "path": f"{FILES_DIR}/{index:02d}-{files.clean_name(attachment.name)}",
                "sha256": attachment.sha256,
                "size": attachment.size,
                "content_type": attachment.content_type,
                "kind": attachment.kind,
                "signature": _signature(attachment.signature_report),
            }
        )
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "sender": {"organisation": document.organisation.name, "code": document.organisation.code},
        "document": _metadata(document),
        "files": listed,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            MANIFEST,
            json.dumps(manifest, ensure_ascii=False, indent=2),
            compress_type=zipfile.ZIP_DEFLATED,
        )
        for entry, content in zip(listed, contents, strict=True):
            # PDF, DOCX, XLSX and images are compressed already.
            archive.writestr(entry["path"], content, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def _metadata(document: Document) -> dict[str, Any]:
    issuer = document.issuing_body.name if document.issuing_body else document.issuer_name
    return {
        "type": {
            "abbreviation": document.document_type.abbreviation,
            "name": document.document_type.name,
        },
        "number": document.number,
        "symbol": document.symbol,
        "issuer": issuer,
        "place": document.place,
        "issued_on": document.issued_on.isoformat() if document.issued_on else None,
        "signer": {
            "name": document.signer_name,
            "title": document.signer_title,
            "authority": document.signing_authority,
        },
        "summary": document.summary,
        "recipients": document.recipients,
        "classification": document.classification,
        "urgency": document.urgency,
    }


def _signature(report: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the sender's validation said, for the record (the receiver validates again)."""
    if not report:
        return None
    return {
        "status": report.get("status"),
        "validated_at": report.get("validated_at"),
        "signers": [
            {"name": check.get("signer_name"), "organisation": check.get("signer_organisation")}
            for check in report.get("signatures", [])
        ],
    }


# --- import ----------------------------------------------------------------------------------


def import_package(data: bytes, *, organisation: Organisation, actor: Actor) -> Document:
    """Register the package's document in `organisation`'s incoming register, with its files.

    Every check runs before anything is written; see the module's docstring.
    """
    per_file = settings.DANGSO_UPLOAD_MAX_MB * _MIB
    total = per_file * PACKAGE_SIZE_FACTOR
    if len(data) > total + MANIFEST_MAX_BYTES:
        raise _refuse(
            _("The package is larger than the %(limit)s MB allowed."),
            limit=(total + MANIFEST_MAX_BYTES) // _MIB,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _refuse(_("This is not an exchange package: it is not a zip file.")) from error
    with archive:
        entries = _entries(archive, per_file=per_file, total=total)
        manifest = _manifest(archive, entries)
        fields, number = _document_fields(manifest.get("document"))
        files.check_classification(fields["classification"])
        uploads = _uploads(archive, entries, manifest.get("files"))
    with transaction.atomic():
        document = actions.register_incoming(
            fields, organisation=organisation, uploads=uploads, actor=actor
        )
        if number is not None:
            document.number = number
            document.save(update_fields=["number"])
        received = {
            "format": FORMAT,
            "version": VERSION,
            "sender": _sender(manifest.get("sender")),
            "files": [
                {"name": upload.name, "sha256": hashlib.sha256(upload.content).hexdigest()}
                for upload in uploads
            ],
        }
        audit.record(actor, "document.import", document, changes={"package": [None, received]})
    return document


def _sender(sender: Any) -> dict[str, str]:
    """Who the package says sent it, for the audit log: two short strings, nothing else."""
    if not isinstance(sender, dict):
        return {}
    return {
        key: nfc(value)[:255]
        for key in ("organisation", "code")
        if isinstance(value := sender.get(key), str)
    }


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name, also when the tool that made the zip wrote UTF-8 without saying so."""
    name = info.filename
    if not info.flag_bits & _UTF8_NAMES:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("utf-8")
    return name


def _is_plain_path(path: str) -> bool:
    """``manifest.json`` or ``files/<name>``: no directories above, none below, no tricks."""
    if path == MANIFEST:
        return True
    if _CONTROL.search(path) or "\\" in path or ":" in path or len(path) > 255:
        return False
    folder, slash, name = path.partition("/")
    return folder == FILES_DIR and bool(slash) and _is_plain_name(name)


def _is_plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


def _entries(archive: zipfile.ZipFile, *, per_file: int, total: int) -> dict[str, zipfile.ZipInfo]:
    entries: dict[str, zipfile.ZipInfo] = {}
    unpacked = 0
    for info in archive.infolist():
        name = _entry_name(info)
        if info.is_dir() and name == f"{FILES_DIR}/":
            continue
        if info.is_dir() or not _is_plain_path(name):
            raise _refuse(
                _("The package holds an entry whose name is not allowed: “%(name)s”."), name=name
            )
        if name in entries:
            raise _refuse(_("The package holds “%(name)s” twice."), name=name)
        if info.flag_bits & _ENCRYPTED_ENTRY:
            raise _refuse(_("“%(name)s” in the package is protected by a password."), name=name)
        if info.file_size > (MANIFEST_MAX_BYTES if name == MANIFEST else per_file):
            raise _refuse(
                _(
                    "“%(name)s” in the package is larger than the %(limit)s MB allowed for one "
                    "file."
                ),
                name=name,
                limit=per_file // _MIB,
            )
        unpacked += info.file_size
        entries[name] = info
    if len(entries) > MAX_FILES + 1:
        raise _refuse(_("The package holds more than %(limit)s files."), limit=MAX_FILES)
    if unpacked > total + MANIFEST_MAX_BYTES:
        raise _refuse(
            _("The package unpacks to more than the %(limit)s MB allowed."), limit=total // _MIB
        )
    return entries


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """The entry's bytes; zipfile stops at the declared size and checks the CRC."""
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise _refuse(_("“%(name)s” in the package is damaged."), name=name) from error
    except NotImplementedError as error:  # a compression method zipfile does not know
        raise _refuse(_("“%(name)s” in the package is damaged."), name=name) from error


def _manifest(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo]) -> dict[str, Any]:
    if MANIFEST not in entries:
        raise _refuse(_("The package has no manifest (manifest.json)."))
    try:
        manifest = json.loads(_read(archive, entries[MANIFEST], MANIFEST).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _refuse(_("The package's manifest is not valid JSON.")) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise _refuse(
            _("This is not a document package of the format “%(expected)s” (found “%(found)s”)."),
            expected=FORMAT,
            found=found if isinstance(found, str) else "",
        )
    version = manifest.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _invalid("version")
    if version != VERSION:
        raise _refuse(
            _("The package is in version %(version)s of the format; this system reads version "
              "%(supported)s."),
            version=version,
            supported=VERSION,
        )  # fmt: skip
    return manifest


def _invalid(field: str) -> ValidationError:
    return _refuse(_("The package's manifest has no valid “%(field)s”."), field=field)


def _text(section: dict[str, Any], key: str, field: str, *, required: bool = False) -> str:
    value = section.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _invalid(field)
    return nfc(value)


def _document_fields(section: Any) -> tuple[dict[str, Any], int | None]:
    """The fields `register_incoming` takes, and the sender's number, from the manifest."""
    if not isinstance(section, dict):
        raise _invalid("document")
    kind = section.get("type")
    if not isinstance(kind, dict):
        raise _invalid("document.type")
    abbreviation = _text(kind, "abbreviation", "document.type.abbreviation", required=True)
    document_type = DocumentType.objects.filter(abbreviation=abbreviation.strip()).first()
    if document_type is None:
        raise _refuse(
            _(
                "The document type “%(abbreviation)s” (%(name)s) is not known here: add it to "
                "the document types, or register the document by hand."
            ),
            abbreviation=abbreviation,
            name=kind.get("name") if isinstance(kind.get("name"), str) else "",
        )
    number = section.get("number")
    if number is not None and (
        isinstance(number, bool) or not isinstance(number, int) or number < 1
    ):
        raise _invalid("document.number")
    signer = section.get("signer") or {}
    if not isinstance(signer, dict):
        raise _invalid("document.signer")
    authority = _text(signer, "authority", "document.signer.authority")
    if authority not in SigningAuthority.values:
        raise _invalid("document.signer.authority")
    urgency = section.get("urgency") or Urgency.NORMAL
    if urgency not in Urgency.values:
        raise _invalid("document.urgency")
    classification = section.get("classification")
    if not isinstance(classification, str):
        raise _invalid("document.classification")
    issued_on = section.get("issued_on")
    day = None
    if issued_on is not None:
        try:
            day = datetime.date.fromisoformat(issued_on)
        except (TypeError, ValueError) as error:
            raise _invalid("document.issued_on") from error
    fields = {
        "document_type": document_type,
        "symbol": _text(section, "symbol", "document.symbol"),
        "issuer_name": _text(section, "issuer", "document.issuer", required=True),
        "place": _text(section, "place", "document.place"),
        "issued_on": day,
        "signer_name": _text(signer, "name", "document.signer.name"),
        "signer_title": _text(signer, "title", "document.signer.title"),
        "signing_authority": authority,
        "summary": _text(section, "summary", "document.summary", required=True),
        "recipients": _text(section, "recipients", "document.recipients"),
        "classification": classification,
        "urgency": urgency,
    }
    return fields, number


def _uploads(
    archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], listed: Any
) -> list[Upload]:
    if not isinstance(listed, list):
        raise _invalid("files")
    uploads: list[Upload] = []
    paths: set[str] = set()
    for item in listed:
        if not isinstance(item, dict):
            raise _invalid("files")
        path, name, sha256 = item.get("path"), item.get("name"), item.get("sha256")
        if not isinstance(path, str) or not _is_plain_path(path) or path == MANIFEST:
            raise _refuse(
                _("The package holds an entry whose name is not allowed: “%(name)s”."),
                name=path if isinstance(path, str) else "",
            )
        if not isinstance(name, str) or not _is_plain_name(nfc(name).strip()):
            raise _refuse(_("The file name “%(name)s” is not allowed."), name=name)
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise _invalid("files.sha256")
        if path in paths:
            raise _refuse(_("The package holds “%(name)s” twice."), name=path)
        paths.add(path)
        if path not in entries:
            raise _refuse(
                _("“%(name)s” is listed in the package's manifest but is not in the package."),
                name=path,
            )
        content = _read(archive, entries[path], path)
        if hashlib.sha256(content).hexdigest() != sha256:
            raise _refuse(
                _(
                    "“%(name)s” does not match its checksum in the manifest: the package was "
                    "altered or damaged. Nothing was registered."
                ),
                name=name,
            )
        _check_kind(name, content)
        # The sender's handling results are annexes here.
        kind = AttachmentKind.MAIN if item.get("kind", "main") == "main" else AttachmentKind.ANNEX
        uploads.append(Upload(nfc(name).strip(), content, kind))
    extra = sorted(set(entries) - paths - {MANIFEST})
    if extra:
        raise _refuse(
            _("The package holds “%(name)s”, which its manifest does not list."), name=extra[0]
        )
    return uploads


def _check_kind(name: str, content: bytes) -> None:
    """An accepted kind of file, by its content (the full check comes with the upload)."""
    expected = files.ALLOWED_TYPES.get(files.extension_of(name))
    if expected is None or files.sniff(content) != expected[0]:
        raise _refuse(
            _("“%(name)s” cannot be attached: accepted file types are %(allowed)s."),
            name=name,
            allowed=", ".join(files.ALLOWED_TYPES),
        )
