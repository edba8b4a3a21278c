"""Exchange packages: export one organisation's document, import it into another's register.

Each refusal asserts that nothing was written: no document, no attachment, no stored file.
"""

import base64
import datetime
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from dangso.core.audit import Actor
from dangso.core.classification import Classification
from dangso.core.files import Upload
from dangso.core.models import AuditEntry
from dangso.documents import actions, package
from dangso.documents.choices import AttachmentKind, Direction, DocumentStatus, Urgency
from dangso.documents.models import Attachment, Document, DocumentType
from dangso.testing.documents import doc_type, pdf_bytes

pytestmark = pytest.mark.django_db

SUMMARY = "Báo cáo kết quả học tập, quán triệt Nghị quyết Đại hội XIV"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.DANGSO_FILE_KEY = base64.b64encode(bytes(range(32))).decode()
    settings.DANGSO_MAX_CLASSIFICATION = "mat"
    settings.DANGSO_UPLOAD_MAX_MB = 5
    return tmp_path


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Chi bộ", "Số đảng viên"])
    workbook.active.append(["Chi bộ thôn Đông", 42])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def issued(office, **data) -> Document:
    """An outgoing document taken through draft, review and numbering; signing is tested in
    test_signing, so the draft is marked signed directly."""
    values = {
        "document_type": doc_type("BC"),
        "issuing_body": office.committee,
        "place": "Yên Phong",
        "summary": SUMMARY,
        "signer_name": "Nguyễn Văn Lãnh Đạo",
        "signer_title": "Bí thư",
        "signing_authority": "T/M",
        "recipients": "- Ban Thường vụ Tỉnh ủy,\n- Lưu Văn phòng.",
        "urgency": Urgency.URGENT,
        **data,
    }
    author = Actor.for_user(office.handler)
    document = actions.draft(
        values,
        organisation=office.organisation,
        uploads=[
            Upload("Báo cáo kết quả.pdf", pdf_bytes(SUMMARY)),
            Upload("Phụ lục số liệu.xlsx", xlsx_bytes(), AttachmentKind.ANNEX),
        ],
        actor=author,
    )
    document = actions.submit(document, [], actor=author)
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.SIGNED)
    return actions.issue(
        document, actor=Actor.for_user(office.clerk), day=datetime.date(2026, 3, 5)
    )


def rebuild(
    data: bytes,
    *,
    manifest: Callable[[dict[str, Any]], None] | None = None,
    replace: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
    add: dict[str, bytes] | None = None,
) -> bytes:
    """A copy of the package with the manifest edited and entries replaced, dropped or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            content = source.read(info)
            if info.filename == package.MANIFEST and manifest is not None:
                parsed = json.loads(content)
                manifest(parsed)
                content = json.dumps(parsed, ensure_ascii=False).encode()
            target.writestr(info.filename, replace.get(info.filename, content))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def read_manifest(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read(package.MANIFEST))


def stored_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


@pytest.fixture
def exported(commune) -> bytes:
    return package.export_package(issued(commune))


@pytest.fixture
def refused(province, media):
    """Import `data` into the province, expect a refusal, and check that nothing was written."""

    def attempt(data: bytes) -> str:
        documents, attachments = Document.objects.count(), Attachment.objects.count()
        files_before = stored_files(media)
        with pytest.raises(ValidationError) as caught:
            package.import_package(
                data, organisation=province.organisation, actor=Actor.for_user(province.clerk)
            )
        assert Document.objects.count() == documents
        assert Attachment.objects.count() == attachments
        assert stored_files(media) == files_before
        return " ".join(caught.value.messages)

    return attempt


def test_export_writes_manifest_and_files(commune):
    document = issued(commune)

    data = package.export_package(document)

    manifest = read_manifest(data)
    assert manifest["format"] == "dangso-document-package"
    assert manifest["version"] == 1
    assert manifest["document"] == {
        "type": {"abbreviation": "BC", "name": "Báo cáo"},
        "number": 1,
        "symbol": "01-BC/ĐU",
        "issuer": commune.committee.name,
        "place": "Yên Phong",
        "issued_on": "2026-03-05",
        "signer": {"name": "Nguyễn Văn Lãnh Đạo", "title": "Bí thư", "authority": "T/M"},
        "summary": SUMMARY,
        "recipients": "- Ban Thường vụ Tỉnh ủy,\n- Lưu Văn phòng.",
        "classification": "khong_mat",
        "urgency": "khan",
    }
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == sorted(
            [package.MANIFEST] + [item["path"] for item in manifest["files"]]
        )
        for item, attachment in zip(
            manifest["files"], document.attachments.order_by("id"), strict=True
        ):
            content = archive.read(item["path"])
            assert item["path"].startswith("files/")
            assert item["name"] == attachment.name
            assert item["sha256"] == attachment.sha256 == hashlib.sha256(content).hexdigest()
            assert item["size"] == len(content)
            assert item["content_type"] == attachment.content_type
            assert item["signature"] is None  # unsigned test PDF


def test_round_trip_keeps_metadata_and_file_hashes(commune, province):
    original = issued(commune)

    imported = package.import_package(
        package.export_package(original),
        organisation=province.organisation,
        actor=Actor.for_user(province.clerk),
    )

    imported.refresh_from_db()
    assert imported.organisation == province.organisation
    assert imported.direction == Direction.INCOMING
    assert imported.status == DocumentStatus.REGISTERED
    assert imported.register_number == 1
    for field in (
        "document_type", "number", "symbol", "place", "issued_on", "signer_name",
        "signer_title", "signing_authority", "summary", "recipients", "classification",
        "urgency",
    ):  # fmt: skip
        assert getattr(imported, field) == getattr(original, field), field
    assert imported.issuer_name == commune.committee.name

    def files_of(document):
        return [
            (a.name, a.kind, a.sha256, a.size)
            for a in document.attachments.filter(current=True).order_by("id")
        ]

    assert files_of(imported) == files_of(original)
    for attachment in imported.attachments.all():
        assert hashlib.sha256(actions.read_file(attachment)).hexdigest() == attachment.sha256
    assert imported.events.filter(kind="registered").exists()
    entry = AuditEntry.objects.get(action="document.import", object_id=str(imported.pk))
    received = entry.changes["package"][1]
    assert received["sender"] == {"organisation": commune.organisation.name, "code": "X01"}
    assert [item["sha256"] for item in received["files"]] == [a[2] for a in files_of(original)]


def test_tampered_file_is_refused(exported, refused):
    path = read_manifest(exported)["files"][0]["path"]
    tampered = rebuild(exported, replace={path: pdf_bytes("Nội dung đã bị sửa")})

    message = refused(tampered)

    assert "checksum" in message or "Báo cáo kết quả.pdf" in message


def test_missing_manifest_is_refused(exported, refused):
    refused(rebuild(exported, drop=(package.MANIFEST,)))


@pytest.mark.parametrize("version", [2, "1", None, True])
def test_wrong_version_is_refused(exported, refused, version):
    def edit(manifest):
        manifest["version"] = version

    refused(rebuild(exported, manifest=edit))


def test_wrong_format_is_refused(exported, refused):
    def edit(manifest):
        manifest["format"] = "other-system-package"

    refused(rebuild(exported, manifest=edit))


@pytest.mark.parametrize("path", ["../x.pdf", "files/../x.pdf", "/etc/x.pdf", "files/a/x.pdf"])
def test_path_traversal_is_refused(exported, refused, path):
    content = pdf_bytes()

    def edit(manifest):
        manifest["files"].append(
            {"name": "x.pdf", "path": path, "sha256": hashlib.sha256(content).hexdigest(),
             "size": len(content), "content_type": "application/pdf"}
        )  # fmt: skip

    message = refused(rebuild(exported, manifest=edit, add={path: content}))

    assert path in message


def test_file_name_with_directories_is_refused(exported, refused):
    def edit(manifest):
        manifest["files"][0]["name"] = "../x.pdf"

    refused(rebuild(exported, manifest=edit))


def test_not_a_zip_is_refused(refused):
    refused(pdf_bytes())


def test_unlisted_entry_is_refused(exported, refused):
    message = refused(rebuild(exported, add={"files/setup.exe": b"MZ\x90\x00junk"}))

    assert "files/setup.exe" in message


def test_listed_file_missing_is_refused(exported, refused):
    path = read_manifest(exported)["files"][1]["path"]

    message = refused(rebuild(exported, drop=(path,)))

    assert path in message


def test_executable_disguised_as_pdf_is_refused(exported, refused):
    junk = b"MZ\x90\x00 not a PDF at all"

    def edit(manifest):
        manifest["files"].append(
            {"name": "đọc.pdf", "path": "files/đọc.pdf",
             "sha256": hashlib.sha256(junk).hexdigest(), "size": len(junk)}
        )  # fmt: skip

    refused(rebuild(exported, manifest=edit, add={"files/đọc.pdf": junk}))


def test_unknown_type_is_refused(exported, refused):
    def edit(manifest):
        manifest["document"]["type"] = {"abbreviation": "XYZ", "name": "Loại lạ"}

    message = refused(rebuild(exported, manifest=edit))

    assert "XYZ" in message


def test_renamed_type_is_matched_by_abbreviation(exported, province):
    DocumentType.objects.filter(abbreviation="BC").update(name="Báo cáo (đổi tên)")

    def edit(manifest):
        manifest["document"]["type"]["name"] = "Report"

    imported = package.import_package(
        rebuild(exported, manifest=edit),
        organisation=province.organisation,
        actor=Actor.for_user(province.clerk),
    )

    assert imported.document_type.abbreviation == "BC"


def test_classification_above_the_deployment_is_refused(exported, refused, settings):
    settings.DANGSO_MAX_CLASSIFICATION = "khong_mat"

    def edit(manifest):
        manifest["document"]["classification"] = Classification.SECRET.value

    refused(rebuild(exported, manifest=edit))


def test_oversized_package_is_refused(refused, settings):
    settings.DANGSO_UPLOAD_MAX_MB = 1
    limit = (package.PACKAGE_SIZE_FACTOR + 1) * 1024 * 1024

    refused(b"PK" + b"\x00" * limit)


def test_oversized_file_in_package_is_refused(exported, refused):
    path = read_manifest(exported)["files"][0]["path"]
    big = b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024)  # compresses to almost nothing

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(exported)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = big if info.filename == path else source.read(info)
            target.writestr(info.filename, content, compress_type=zipfile.ZIP_DEFLATED)

    refused(out.getvalue())


def test_classified_document_is_not_exported(commune):
    document = issued(commune, classification=Classification.SECRET)

    with pytest.raises(ValidationError):
        package.export_package(document)


def test_draft_is_not_exported(commune):
    document = actions.draft(
        {"document_type": doc_type("BC"), "issuing_body": commune.committee, "summary": SUMMARY},
        organisation=commune.organisation,
        actor=Actor.for_user(commune.handler),
    )

    with pytest.raises(ValidationError):
        package.export_package(document)


@pytest.fixture
def trusted_signed_pdf(settings, tmp_path) -> bytes:
    """A PDF signed by the local test PKI, whose root this deployment trusts."""
    from cryptography.hazmat.primitives import serialization

    from dangso.core import signing
    from dangso.core.pki import PASSPHRASE, local_pki
    from dangso.core.printing import make_pdf

    pki = local_pki()
    anchors = tmp_path / "anchors"
    anchors.mkdir()
    (anchors / "root.pem").write_bytes(pki.root.cert.public_bytes(serialization.Encoding.PEM))
    settings.DANGSO_TRUST_ANCHORS_DIR = str(anchors)
    credential = signing.load_credential(pki.signer.pkcs12(), PASSPHRASE)
    stamp = ["Ký bởi: Nguyễn Văn Đức", "Ngày ký: 05/03/2026"]
    return signing.sign_pdf(make_pdf(), credential, field_name="A", stamp_lines=stamp).content


def signed_incoming(office, content: bytes) -> Document:
    data = {
        "document_type": doc_type("CV"),
        "symbol": "96-CV/VPTU",
        "issuer_name": "Văn phòng Tỉnh ủy",
        "summary": SUMMARY,
    }
    return actions.register_incoming(
        data,
        organisation=office.organisation,
        uploads=[Upload("công văn đã ký.pdf", content)],
        actor=Actor.for_user(office.clerk),
    )


def test_signatures_are_validated_again_on_import(commune, province, trusted_signed_pdf):
    data = package.export_package(signed_incoming(commune, trusted_signed_pdf))
    [listed] = read_manifest(data)["files"]
    assert listed["signature"]["status"] == "valid"

    imported = package.import_package(
        data, organisation=province.organisation, actor=Actor.for_user(province.clerk)
    )

    [attachment] = imported.attachments.all()
    assert attachment.signature_report["status"] == "valid"


def test_sender_signature_claim_is_not_trusted(exported, province, trusted_signed_pdf):
    """A package rewritten with a changed signed PDF and a matching manifest is accepted as a
    file, but the receiver's own validation reports it as modified, whatever the manifest says."""
    content = bytearray(trusted_signed_pdf)
    content[content.index(b"stream") + 40] ^= 0x01
    path = read_manifest(exported)["files"][0]["path"]

    def edit(manifest):
        manifest["files"][0].update(
            sha256=hashlib.sha256(content).hexdigest(), size=len(content),
            signature={"status": "valid", "signers": []},
        )  # fmt: skip

    imported = package.import_package(
        rebuild(exported, manifest=edit, replace={path: bytes(content)}),
        organisation=province.organisation,
        actor=Actor.for_user(province.clerk),
    )

    main = imported.attachments.get(kind=AttachmentKind.MAIN)
    assert main.signature_report["status"] == "modified"
