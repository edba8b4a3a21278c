"""Attachment files: checked by content, stored by SHA-256, encrypted when classified.

Every file here is made at test time with the real tools (weasyprint, pypdf, openpyxl, Pillow).
Assertions look at error codes and the file's name, not at wording, which the catalogue translates.
"""

import base64
import hashlib
import io
import os
import unicodedata
import zipfile
from pathlib import Path

import pytest
import weasyprint
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter

from dangso.core import files

KEY = base64.b64encode(bytes(range(32))).decode()
PDF_HTML = """<html lang="vi"><body>
<h1>Nghị quyết số 12-NQ/TW</h1>
<p>Về tiếp tục xây dựng, chỉnh đốn Đảng và hệ thống chính trị</p>
<p style="page-break-before: always">Đảng bộ tỉnh Bắc Ninh tổ chức thực hiện</p>
</body></html>"""


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Each test stores into its own directory, so that content addresses never collide."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.DANGSO_FILE_KEY = KEY
    settings.DANGSO_UPLOAD_MAX_MB = 50
    settings.DANGSO_MAX_CLASSIFICATION = "khong_mat"
    return tmp_path


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return weasyprint.HTML(string=PDF_HTML).write_pdf()


@pytest.fixture(scope="module")
def encrypted_pdf(pdf) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.encrypt("mat-khau", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(*paragraphs: str) -> bytes:
    """A minimal valid WordprocessingML package, built part by part."""
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>' for text in paragraphs
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>"
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
    return out.getvalue()


def make_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Số, ký hiệu", "Trích yếu", "Năm"])
    sheet.append(["96-CV/VPTU", "Về việc triển khai Đề án 204", 2025])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def refused(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        files.check_upload(name, content)
    return caught.value


# --- Accepted uploads -----------------------------------------------------------------------


def test_pdf_is_accepted_with_its_vietnamese_text_and_pages(pdf):
    checked = files.check_upload("Nghị quyết 12.pdf", pdf)

    assert checked.content_type == "application/pdf"
    assert checked.pages == 2
    assert checked.size == len(pdf)
    assert checked.sha256 == hashlib.sha256(pdf).hexdigest()
    assert "Nghị quyết số 12-NQ/TW" in checked.text
    assert "Đảng bộ tỉnh Bắc Ninh" in checked.text  # the second page too
    assert unicodedata.is_normalized("NFC", checked.text)
    assert "\n" not in checked.text and "  " not in checked.text


def test_docx_is_accepted_with_its_paragraph_text():
    checked = files.check_upload("Công văn.docx", make_docx("Kính gửi:", "Các chi bộ trực thuộc"))

    assert checked.content_type.endswith("wordprocessingml.document")
    assert checked.pages is None
    assert checked.text == "Kính gửi: Các chi bộ trực thuộc"


def test_xlsx_is_accepted_with_its_cell_text():
    checked = files.check_upload("Danh sách.xlsx", make_xlsx())

    assert checked.content_type.endswith("spreadsheetml.sheet")
    assert "96-CV/VPTU" in checked.text
    assert "Về việc triển khai Đề án 204" in checked.text
    assert "2025" in checked.text


@pytest.mark.parametrize(
    ("name", "kind", "content_type"),
    [
        ("ảnh.png", "PNG", "image/png"),
        ("ảnh.jpg", "JPEG", "image/jpeg"),
        ("a.JPEG", "JPEG", "image/jpeg"),
    ],
)
def test_images_are_accepted_without_text(name, kind, content_type):
    checked = files.check_upload(name, make_image(kind))

    assert checked.content_type == content_type
    assert checked.text == ""


def test_name_is_cleaned_of_path_parts_and_normalised(pdf):
    decomposed = unicodedata.normalize("NFD", "Quyết định.pdf")

    assert files.check_upload("../../x.pdf", pdf).name == "x.pdf"
    assert files.check_upload("C:\\Users\\vt\\y.pdf", pdf).name == "y.pdf"
    assert files.check_upload(decomposed, pdf).name == "Quyết định.pdf"
    assert files.check_upload("a\x00b\n.pdf", pdf).name == "ab.pdf"


def test_text_is_capped(monkeypatch):
    monkeypatch.setattr(files, "TEXT_LIMIT", 20)

    text = files.extract_text(make_docx("một " * 50), files.DOCX)

    assert len(text) == 20


# --- Refused uploads ------------------------------------------------------------------------


def test_empty_file_is_refused():
    error = refused("trống.pdf", b"")

    assert error.code == "empty"
    assert "trống.pdf" in error.messages[0]


def test_over_size_file_is_refused_saying_the_limit(settings):
    settings.DANGSO_UPLOAD_MAX_MB = 1

    error = refused("lớn.pdf", b"%PDF-1.7\n" + b"0" * (1536 * 1024))

    assert error.code == "too_large"
    assert "lớn.pdf" in error.messages[0]
    assert "1 MB" in error.messages[0]


def test_disallowed_extension_is_refused_listing_the_allowed_ones():
    error = refused("setup.exe", b"MZ\x90\x00")

    assert error.code == "type_not_allowed"
    assert "setup.exe" in error.messages[0]
    assert ".pdf" in error.messages[0] and ".xlsx" in error.messages[0]


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("báo cáo.xlsx", lambda pdf: make_docx("Báo cáo")),  # a .docx renamed .xlsx
        ("bảng.docx", lambda pdf: make_xlsx()),  # an .xlsx renamed .docx
        ("ghi chú.pdf", lambda pdf: "Chỉ là văn bản thường".encode()),  # a text file renamed .pdf
        ("nghị quyết.docx", lambda pdf: pdf),  # a PDF renamed .docx
        ("ảnh.png", lambda pdf: make_image("JPEG")),
        ("ảnh.jpg", lambda pdf: pdf),
        ("nén.docx", lambda pdf: _plain_zip()),  # a zip that is no Office document
        ("cũ.docx", lambda pdf: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),  # a .doc
    ],
)
def test_content_that_is_not_what_the_extension_says_is_refused(pdf, name, make):
    error = refused(name, make(pdf))

    assert error.code == "content_mismatch"
    assert name in error.messages[0]


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "xin chào")
    return out.getvalue()


def test_encrypted_pdf_is_refused(encrypted_pdf):
    error = refused("mật.pdf", encrypted_pdf)

    assert error.code == "encrypted"
    assert "mật.pdf" in error.messages[0]


def test_password_protected_office_file_is_refused():
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le")
    )

    assert refused("mật.xlsx", ole).code == "encrypted"


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("hỏng.pdf", lambda content: content[: len(content) // 2]),  # truncated
        ("hỏng.pdf", lambda content: b"%PDF-1.7\n%%EOF\n"),  # a header and nothing else
        ("hỏng.docx", lambda content: content[:-30]),  # central directory cut off
        ("hỏng.docx", lambda content: _flip_member_byte(content)),  # bad CRC
        ("hỏng.png", lambda content: content[:8] + b"\x00" * 20),  # signature, no IHDR
    ],
)
def test_damaged_file_is_refused(pdf, name, damage):
    source = {".pdf": pdf, ".docx": make_docx("Nội dung " * 40), ".png": make_image("PNG")}
    error = refused(name, damage(source[os.path.splitext(name)[1]]))

    assert error.code == "damaged"
    assert name in error.messages[0]


def _flip_member_byte(content: bytes) -> bytes:
    """Alter one byte inside the compressed document.xml, keeping the zip's directory intact."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    position = start + info.compress_size // 2
    return content[:position] + bytes([content[position] ^ 0xFF]) + content[position + 1 :]


@pytest.mark.parametrize(
    "content_type", [files.PDF, files.DOCX, files.XLSX, files.PNG, "application/unknown"]
)
def test_extract_text_never_raises_on_odd_content(content_type):
    assert files.extract_text(b"PK\x03\x04 not really anything", content_type) == ""


# --- Storing and reading --------------------------------------------------------------------


def test_plain_file_is_stored_at_its_content_address_once(media):
    content = b"%PDF-1.7 noi dung"
    sha = hashlib.sha256(content).hexdigest()

    first = files.store(content, sha256=sha, encrypt=False)
    second = files.store(content, sha256=sha, encrypt=False)

    assert first == second == f"documents/{sha[:2]}/{sha[2:4]}/{sha}"
    assert [path.name for path in (media / "documents").rglob("*") if path.is_file()] == [sha]
    assert (media / first).read_bytes() == content
    assert files.open_stored(first, sha256=sha, encrypted=False) == content


def test_encrypted_file_does_not_hold_the_plaintext_and_reads_back(media, pdf):
    sha = hashlib.sha256(pdf).hexdigest()

    name = files.store(pdf, sha256=sha, encrypt=True)
    again = files.store(pdf, sha256=sha, encrypt=True)

    assert name == again == f"documents/{sha[:2]}/{sha[2:4]}/{sha}.enc"
    on_disk = (media / name).read_bytes()
    assert on_disk.startswith(b"DSENC1")
    assert pdf[:64] not in on_disk and pdf[-64:] not in on_disk
    assert "Nghị quyết".encode() not in on_disk
    assert len(list((media / "documents").rglob("*.enc"))) == 1
    assert files.open_stored(name, sha256=sha, encrypted=True) == pdf


def test_urlsafe_key_without_padding_is_accepted(settings):
    settings.DANGSO_FILE_KEY = base64.urlsafe_b64encode(bytes(range(200, 232))).decode().rstrip("=")
    content = b"Tuyet mat"
    sha = hashlib.sha256(content).hexdigest()

    name = files.store(content, sha256=sha, encrypt=True)

    assert files.open_stored(name, sha256=sha, encrypted=True) == content


@pytest.mark.parametrize(
    "key", ["", "   ", "không phải base64", base64.b64encode(b"short").decode()]
)
def test_encrypting_without_a_valid_key_is_refused_and_stores_nothing(settings, media, key):
    settings.DANGSO_FILE_KEY = key
    content = b"Mat"

    with pytest.raises(ValidationError) as caught:
        files.store(content, sha256=hashlib.sha256(content).hexdigest(), encrypt=True)

    assert caught.value.code in {"no_key", "bad_key"}
    assert not (media / "documents").exists()


@pytest.mark.parametrize("encrypt", [False, True])
def test_altered_stored_file_is_not_served(media, encrypt):
    content = b"Bien ban hop chi bo thang 5"
    sha = hashlib.sha256(content).hexdigest()
    name = files.store(content, sha256=sha, encrypt=encrypt)
    path = media / name
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))

    with pytest.raises(files.IntegrityFailure) as caught:
        files.open_stored(name, sha256=sha, encrypted=encrypt)

    assert caught.value.storage_name == name
    assert caught.value.message


def test_encrypted_file_under_another_key_is_not_served(settings):
    content = b"Toi mat"
    sha = hashlib.sha256(content).hexdigest()
    name = files.store(content, sha256=sha, encrypt=True)
    settings.DANGSO_FILE_KEY = base64.b64encode(bytes(32)).decode()

    with pytest.raises(files.IntegrityFailure):
        files.open_stored(name, sha256=sha, encrypted=True)


def test_missing_stored_file_is_an_integrity_failure():
    sha = "ab" * 32

    with pytest.raises(files.IntegrityFailure):
        files.open_stored(files.content_address(sha, encrypted=False), sha256=sha, encrypted=False)


@pytest.mark.parametrize("encrypt", [False, True])
def test_storing_again_repairs_an_altered_copy(media, encrypt):
    content = b"Quyet dinh khen thuong"
    sha = hashlib.sha256(content).hexdigest()
    name = files.store(content, sha256=sha, encrypt=encrypt)
    (media / name).write_bytes(b"altered")

    assert files.store(content, sha256=sha, encrypt=encrypt) == name
    assert files.open_stored(name, sha256=sha, encrypted=encrypt) == content


def test_storage_that_renamed_a_concurrent_copy_keeps_the_content_address(media, monkeypatch):
    """Two requests storing the same bytes at once: the loser's copy is removed, not kept aside."""
    content = b"Thong bao ket luan"
    sha = hashlib.sha256(content).hexdigest()
    name = files.content_address(sha, encrypted=False)
    real_exists = default_storage.exists
    calls: list[str] = []

    def exists_after_our_check(checked: str) -> bool:
        """The first look (ours) finds nothing; the other request's copy lands just after it."""
        calls.append(checked)
        return len(calls) > 1 and real_exists(checked)

    monkeypatch.setattr(default_storage, "exists", exists_after_our_check)
    (media / name).parent.mkdir(parents=True)
    (media / name).write_bytes(content)

    assert files.store(content, sha256=sha, encrypt=False) == name
    assert [path.name for path in (media / name).parent.iterdir()] == [sha]


def test_store_refuses_a_wrong_checksum():
    with pytest.raises(ValueError):
        files.store(b"abc", sha256="0" * 64, encrypt=False)


# --- Classification -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("maximum", "classification", "allowed"),
    [
        ("khong_mat", "khong_mat", True),
        ("khong_mat", "mat", False),
        ("mat", "mat", True),
        ("mat", "toi_mat", False),
        ("toi_mat", "mat", True),
        ("toi_mat", "tuyet_mat", False),
        ("tuyet_mat", "tuyet_mat", True),
    ],
)
def test_classification_above_the_deployment_maximum_is_refused(
    settings, maximum, classification, allowed
):
    settings.DANGSO_MAX_CLASSIFICATION = maximum

    if allowed:
        files.check_classification(classification)
    else:
        with pytest.raises(ValidationError) as caught:
            files.check_classification(classification)
        assert caught.value.code == "classification_too_high"


def test_refusal_names_both_classes(settings):
    settings.DANGSO_MAX_CLASSIFICATION = "khong_mat"

    with pytest.raises(ValidationError) as caught:
        files.check_classification("toi_mat")

    message = caught.value.messages[0]
    assert "Tối mật" in message


def test_unknown_classification_is_refused():
    with pytest.raises(ValidationError) as caught:
        files.check_classification("bi_mat")

    assert caught.value.code == "unknown_classification"
