"""Attachment files of documents: checked by content, stored by SHA-256, encrypted when classified.

- An upload is accepted only if its content is what its extension says (PDF, DOCX, XLSX, PNG,
  JPEG), judged by magic bytes and structure, never by the name or the browser's content type
  (DESIGN rule 5). Password-protected and damaged files are refused with the file's name.
- Files are content-addressed: ``documents/ab/cd/<sha256>``, so the same bytes are stored once and
  every read checks the bytes against the address before anything is served.
- Classified content (Mật and above) is encrypted at rest with AES-256-GCM under
  ``DANGSO_FILE_KEY`` (DESIGN rule 3); a deployment refuses classes above
  ``DANGSO_MAX_CLASSIFICATION`` before anything is stored.

Only Django's storage API (exists/open/save/delete) is used, so an S3-compatible store works too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, NoReturn
from xml.etree import ElementTree

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangso.core.classification import CLASSIFICATION_RANK, Classification
from dangso.core.text import clean_spaces, nfc

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise
    from pypdf import PdfReader

__all__ = [
    "ALLOWED_TYPES",
    "CLASSIFICATION_RANK",
    "CheckedFile",
    "IntegrityFailure",
    "Upload",
    "check_classification",
    "check_upload",
    "clean_name",
    "content_address",
    "extension_of",
    "extract_text",
    "open_stored",
    "sniff",
    "store",
]

logger = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"

ALLOWED_TYPES: Mapping[str, tuple[str, StrPromise]] = MappingProxyType(
    {
        ".pdf": (PDF, _("PDF document")),
        ".docx": (DOCX, _("Word document")),
        ".xlsx": (XLSX, _("Excel workbook")),
        ".png": (PNG, _("PNG image")),
        ".jpg": (JPEG, _("JPEG image")),
        ".jpeg": (JPEG, _("JPEG image")),
    }
)
_LABELS: Mapping[str, StrPromise] = {
    content_type: label for content_type, label in ALLOWED_TYPES.values()
}

TEXT_LIMIT = 1_000_000
"""Characters of extracted text kept for search; beyond this a document adds little to recall."""

NAME_LIMIT = 200
STORAGE_PREFIX = "documents"
ENCRYPTED_MAGIC = b"DSENC1"
_NONCE_BYTES = 12
_TAG_BYTES = 16

# A DOCX/XLSX may expand to at most this much, so that checking one cannot exhaust memory.
_ZIP_MAX_UNPACKED = 1024 * 1024 * 1024
_ZIP_MAX_RATIO = 200

_SHA256 = re.compile(r"[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_OPC_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_OPC_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MAIN_PART_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_WORD_NAMESPACES = (
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}",
    "{http://purl.oclc.org/ooxml/wordprocessingml/main}",  # ISO 29500 Strict
)


@dataclass(frozen=True)
class Upload:
    """A file as received from a form, the API or an exchange package, before it is checked.

    `kind` is the role the receiving app gives the file (a document's main file or an annex);
    apps that keep one kind of file leave the default.
    """

    name: str
    content: bytes
    kind: str = "main"


class IntegrityFailure(Exception):
    """A stored file no longer matches its SHA-256: it must not be served.

    ``message`` is for the person (translated); ``storage_name`` is for the log.
    """

    def __init__(self, message: str, *, storage_name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.storage_name = storage_name


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    text: str
    pages: int | None = None


# --- Checking an upload ---------------------------------------------------------------------


def clean_name(name: str) -> str:
    """The file's own name: no directories, no control characters, NFC, at most 200 characters."""
    base = re.split(r"[/\\]", nfc(name))[-1]
    base = _CONTROL.sub("", base).strip().strip(".").strip()
    if len(base) > NAME_LIMIT:
        stem, extension = os.path.splitext(base)
        base = stem[: NAME_LIMIT - len(extension)].rstrip() + extension
    return base


def extension_of(name: str) -> str:
    _stem, extension = os.path.splitext(name)
    return extension.lower()


def check_upload(name: str, content: bytes) -> CheckedFile:
    """Accept an uploaded file only if it is what it says it is; raise ValidationError otherwise."""
    name = clean_name(name)
    if not content:
        raise ValidationError(gettext("“%(name)s” is empty."), code="empty", params={"name": name})
    max_mb = settings.DANGSO_UPLOAD_MAX_MB
    if len(content) > max_mb * 1024 * 1024:
        raise ValidationError(
            gettext("“%(name)s” is larger than the %(limit)s MB allowed for one file."),
            code="too_large",
            params={"name": name, "limit": max_mb},
        )
    extension = extension_of(name)
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            gettext("“%(name)s” cannot be attached: accepted file types are %(allowed)s."),
            code="type_not_allowed",
            params={"name": name, "allowed": ", ".join(ALLOWED_TYPES)},
        )
    content_type, label = ALLOWED_TYPES[extension]
    _check_content(name, content, content_type, label)

    pages: int | None = None
    if content_type == PDF:
        reader = _read_pdf(name, content)
        pages = len(reader.pages)
        text = _pdf_text(reader)
    else:
        text = extract_text(content, content_type)
    return CheckedFile(
        name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        text=text,
        pages=pages,
    )


def sniff(content: bytes) -> str | None:
    """The content type the bytes themselves show, among the accepted ones; None if none."""
    if content.startswith(_PNG_SIGNATURE):
        return PNG
    if content.startswith(_JPEG_SIGNATURE):
        return JPEG
    if b"%PDF-" in content[:1024]:  # readers accept a header anywhere in the first kilobyte
        return PDF
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return _office_type(archive)
        except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError, ValueError):
            return None
    return None


def _check_content(name: str, content: bytes, content_type: str, label: StrPromise) -> None:
    if content_type in (DOCX, XLSX) and _is_encrypted_office(content):
        _fail_encrypted(name)
    if content_type in (DOCX, XLSX) and content.startswith(b"PK\x03\x04"):
        _check_zip(name, content)
    actual = sniff(content)
    if actual != content_type:
        raise ValidationError(
            gettext(
                "The content of “%(name)s” is not what its extension says: expected %(expected)s, "
                "found %(actual)s."
            ),
            code="content_mismatch",
            params={
                "name": name,
                "expected": label,
                "actual": _LABELS[actual] if actual else gettext("an unknown kind of file"),
            },
        )
    if content_type == PNG and content[12:16] != b"IHDR":
        _fail_damaged(name)


def _fail_damaged(name: str) -> NoReturn:
    raise ValidationError(
        gettext("“%(name)s” is damaged and cannot be opened."),
        code="damaged",
        params={"name": name},
    )


def _fail_encrypted(name: str) -> NoReturn:
    raise ValidationError(
        gettext("“%(name)s” is protected by a password. Remove the password and attach it again."),
        code="encrypted",
        params={"name": name},
    )


def _read_pdf(name: str, content: bytes) -> PdfReader:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content))
        is_encrypted = reader.is_encrypted
        page_count = 0 if is_encrypted else len(reader.pages)
    except Exception:  # pypdf raises many kinds of error on a broken file
        _fail_damaged(name)
    if is_encrypted:
        _fail_encrypted(name)
    if page_count == 0:
        _fail_damaged(name)
    return reader


def _check_zip(name: str, content: bytes) -> None:
    """A DOCX/XLSX whose members do not all unpack (bad CRC, truncated, a zip bomb) is damaged."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
            if unpacked > _ZIP_MAX_UNPACKED or unpacked > _ZIP_MAX_RATIO * len(content):
                _fail_damaged(name)
            is_intact = archive.testzip() is None
    except ValidationError:
        raise
    except Exception:
        _fail_damaged(name)
    if not is_intact:
        _fail_damaged(name)


def _is_encrypted_office(content: bytes) -> bool:
    """Office wraps a password-protected DOCX/XLSX in an OLE file holding "EncryptedPackage"."""
    return content.startswith(_OLE_SIGNATURE) and "EncryptedPackage".encode("utf-16-le") in content


def _office_type(archive: zipfile.ZipFile) -> str | None:
    """DOCX or XLSX, read from the package itself: the main part's declared content type."""
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names:
        return None
    main_part = _main_part(archive, names)
    if main_part is None:
        return None
    types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
    declared = None
    for override in types.iter(f"{_OPC_CONTENT_TYPES}Override"):
        if override.get("PartName", "").lstrip("/").lower() == main_part.lower():
            declared = override.get("ContentType")
    if declared is None:
        suffix = main_part.rsplit(".", 1)[-1].lower()
        for default in types.iter(f"{_OPC_CONTENT_TYPES}Default"):
            if default.get("Extension", "").lower() == suffix:
                declared = default.get("ContentType")
    return _MAIN_PART_TYPES.get((declared or "").split(";")[0].strip())


def _main_part(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    if "_rels/.rels" in names:
        relationships = ElementTree.fromstring(archive.read("_rels/.rels"))
        for relationship in relationships.iter(f"{_OPC_RELATIONSHIPS}Relationship"):
            if relationship.get("Type", "").endswith("/officeDocument"):
                target = relationship.get("Target", "").lstrip("/")
                return target if target in names else None
    for conventional in ("word/document.xml", "xl/workbook.xml"):
        if conventional in names:
            return conventional
    return None


# --- Text for search ------------------------------------------------------------------------


def extract_text(content: bytes, content_type: str) -> str:
    """Searchable text of a file: NFC, single spaces, at most TEXT_LIMIT characters.

    Never raises: a file that cannot be read gives what could be read, often "". Images give ""
    until OCR comes.
    """
    try:
        if content_type == PDF:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(content))
            if reader.is_encrypted:
                return ""
            return _pdf_text(reader)
        if content_type == DOCX:
            return _docx_text(content)
        if content_type == XLSX:
            return _xlsx_text(content)
    except Exception:
        logger.info("no text extracted from a %s file", content_type, exc_info=True)
    return ""


def _finish(chunks: list[str]) -> str:
    return clean_spaces(" ".join(chunks))[:TEXT_LIMIT]


class _Collector:
    """Gathers text chunks and says when there is enough of them."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.length = 0

    def add(self, text: str) -> bool:
        self.chunks.append(text)
        self.length += len(text)
        return self.length < 2 * TEXT_LIMIT

    def text(self) -> str:
        return _finish(self.chunks)


def _pdf_text(reader: PdfReader) -> str:
    collector = _Collector()
    try:
        pages = list(reader.pages)
    except Exception:
        return ""
    for page in pages:
        try:
            page_text = page.extract_text() or ""
        except Exception:
            logger.info("no text extracted from one PDF page", exc_info=True)
            continue
        if not collector.add(page_text):
            break
    return collector.text()


def _docx_text(content: bytes) -> str:
    collector = _Collector()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        main_part = _main_part(archive, set(archive.namelist())) or "word/document.xml"
        with archive.open(main_part) as xml:
            paragraph: list[str] = []
            for _event, element in ElementTree.iterparse(xml, events=("end",)):
                namespace, _brace, local = element.tag.rpartition("}")
                if namespace + _brace not in _WORD_NAMESPACES:
                    continue
                if local == "t" and element.text:
                    paragraph.append(element.text)
                elif local in ("tab", "br", "cr"):
                    paragraph.append(" ")
                elif local == "p":
                    if not collector.add("".join(paragraph)):
                        break
                    paragraph = []
                    element.clear()
    return collector.text()


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    collector = _Collector()
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if not _is_searchable(value):
                        continue
                    if not collector.add(str(value)):
                        return collector.text()
    finally:
        workbook.close()
    return collector.text()


def _is_searchable(value: object) -> bool:
    """Cell strings and plain numbers (a document number, a year); not dates, formulas or blanks."""
    return isinstance(value, str) or (
        isinstance(value, int | float) and not isinstance(value, bool)
    )


# --- Storing and reading --------------------------------------------------------------------


def content_address(sha256: str, *, encrypted: bool) -> str:
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    suffix = ".enc" if encrypted else ""
    return f"{STORAGE_PREFIX}/{sha256[:2]}/{sha256[2:4]}/{sha256}{suffix}"


def store(content: bytes, *, sha256: str, encrypt: bool) -> str:
    """Store the bytes at their content address and return the storage name.

    Bytes already stored are not written again; a stored copy that no longer matches (altered,
    damaged, or encrypted under another key) is replaced by a good one.
    """
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ValueError("sha256 does not match the content")
    name = content_address(sha256, encrypted=encrypt)
    key = _file_key() if encrypt else None
    if default_storage.exists(name):
        try:
            open_stored(name, sha256=sha256, encrypted=encrypt)
            return name
        except IntegrityFailure:
            logger.warning("replacing stored file %s: it does not match its checksum", name)
            default_storage.delete(name)
    payload = _encrypt(content, key, sha256) if key is not None else content
    saved = default_storage.save(name, ContentFile(payload))
    if saved != name:
        # Another request stored the same content meanwhile and the storage chose a new name for
        # ours: keep the one at the content address.
        default_storage.delete(saved)
    return name


def open_stored(storage_name: str, *, sha256: str, encrypted: bool) -> bytes:
    """The stored bytes, decrypted when encrypted; IntegrityFailure unless they hash to sha256."""
    try:
        with default_storage.open(storage_name, "rb") as stored:
            data = stored.read()
    except OSError as error:
        raise IntegrityFailure(
            gettext("The stored file is missing or cannot be read."), storage_name=storage_name
        ) from error
    if encrypted:
        data = _decrypt(data, _file_key(), sha256, storage_name)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _altered(storage_name)
    return data


def _altered(name: str) -> IntegrityFailure:
    return IntegrityFailure(
        gettext(
            "The stored file does not match its checksum: it has been altered or damaged and will "
            "not be served."
        ),
        storage_name=name,
    )


def _file_key() -> bytes:
    """The 32-byte key of DANGSO_FILE_KEY (base64, standard or URL-safe, padding optional)."""
    configured = (getattr(settings, "DANGSO_FILE_KEY", "") or "").strip()
    if not configured:
        raise ValidationError(
            gettext(
                "This deployment has no encryption key configured; classified files cannot be "
                "stored."
            ),
            code="no_key",
        )
    normalised = configured.replace("-", "+").replace("_", "/")
    normalised += "=" * (-len(normalised) % 4)
    try:
        key = base64.b64decode(normalised, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ValidationError(
            gettext(
                "This deployment's encryption key is not valid (it must be 32 bytes in base64); "
                "classified files cannot be stored."
            ),
            code="bad_key",
        )
    return key


def _encrypt(content: bytes, key: bytes, sha256: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return ENCRYPTED_MAGIC + nonce + AESGCM(key).encrypt(nonce, content, sha256.encode("ascii"))


def _decrypt(data: bytes, key: bytes, sha256: str, name: str) -> bytes:
    header = len(ENCRYPTED_MAGIC) + _NONCE_BYTES
    if not data.startswith(ENCRYPTED_MAGIC) or len(data) < header + _TAG_BYTES:
        raise _altered(name)
    nonce = data[len(ENCRYPTED_MAGIC) : header]
    try:
        return AESGCM(key).decrypt(nonce, data[header:], sha256.encode("ascii"))
    except InvalidTag as error:
        raise _altered(name) from error


# --- Classification -------------------------------------------------------------------------


def check_classification(classification: str) -> None:
    """Refuse a class of document above the highest this deployment's network may hold."""
    maximum = settings.DANGSO_MAX_CLASSIFICATION
    if classification not in CLASSIFICATION_RANK:
        raise ValidationError(
            gettext("“%(value)s” is not a classification."),
            code="unknown_classification",
            params={"value": classification},
        )
    if CLASSIFICATION_RANK[classification] > CLASSIFICATION_RANK[maximum]:
        raise ValidationError(
            gettext(
                "This deployment may hold documents up to %(maximum)s; a %(classification)s "
                "document cannot be stored here."
            ),
            code="classification_too_high",
            params={
                "maximum": Classification(maximum).label,
                "classification": Classification(classification).label,
            },
        )
