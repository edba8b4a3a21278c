"""Files refused before anything is written, each with a message a person can act on."""

import io
import zipfile

import pytest

from dangso.imports import readers
from dangso.imports.columns import TEMPLATE_HEADERS
from dangso.imports.models import MemberImport
from dangso.imports.pipeline import import_file
from dangso.imports.readers import ImportFileError
from dangso.imports.tests.files import member, write_csv, write_xlsx
from dangso.members.models import Member


def _refused(path, tree, officer) -> str:
    with pytest.raises(ImportFileError) as refusal:
        import_file(path, user=officer, scope=tree["a"])
    assert not MemberImport.objects.exists()
    assert Member.objects.count() == 0
    return str(refusal.value)


def test_empty_file(tmp_path, tree, officer):
    for name, data in (("a.csv", b""), ("b.xlsx", b""), ("c.csv", b"\xef\xbb\xbf\r\n  \r\n")):
        (tmp_path / name).write_bytes(data)
        assert "empty" in _refused(tmp_path / name, tree, officer)


def test_word_document_renamed_xlsx(tmp_path, tree, officer):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    (tmp_path / "danh-sach.xlsx").write_bytes(out.getvalue())
    assert "Word document" in _refused(tmp_path / "danh-sach.xlsx", tree, officer)


def test_text_renamed_xlsx_and_binary_renamed_csv(tmp_path, tree, officer):
    write_csv(tmp_path / "a.csv", [member(1)]).rename(tmp_path / "a.xlsx")
    assert "not an Excel workbook" in _refused(tmp_path / "a.xlsx", tree, officer)
    (tmp_path / "b.csv").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 100)
    assert "not a CSV" in _refused(tmp_path / "b.csv", tree, officer)
    write_xlsx(tmp_path / "c.xlsx", []).rename(tmp_path / "c.csv")
    assert "renamed .csv" in _refused(tmp_path / "c.csv", tree, officer)


def test_file_over_the_size_limit(tmp_path, tree, officer, settings):
    settings.DANGSO_IMPORT_MAX_BYTES = 1024
    path = write_csv(tmp_path / "a.csv", [member(i) for i in range(1, 40)])
    message = _refused(path, tree, officer)
    assert "largest file accepted" in message


def test_wrong_columns(tmp_path, tree, officer):
    path = tmp_path / "a.csv"
    path.write_text("Mã hàng,Tên hàng,Đơn giá\nA1,Bút bi,5000\n", encoding="utf-8")
    assert "No header row" in _refused(path, tree, officer)
    no_cell = write_csv(
        tmp_path / "b.csv", [member(1)], headers=TEMPLATE_HEADERS[:14],
        fields=[c for c in ("full_name", "other_names", "sex", "date_of_birth")] + [""] * 10,
    )  # fmt: skip
    message = _refused(no_cell, tree, officer)
    assert "Required columns are missing" in message and "Mã chi bộ" in message


def test_header_only(tmp_path, tree, officer):
    path = write_csv(tmp_path / "a.csv", [])
    assert "no member rows" in _refused(path, tree, officer)


def test_utf16_csv(tmp_path, tree, officer):
    path = write_csv(tmp_path / "a.csv", [member(1)], encoding="utf-16")
    assert "UTF-16" in _refused(path, tree, officer)


def test_other_extension(tmp_path, tree, officer):
    (tmp_path / "a.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    assert ".xlsx" in _refused(tmp_path / "a.xls", tree, officer)
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    assert "Only .xlsx and .csv" in _refused(tmp_path / "a.pdf", tree, officer)


def test_header_below_title_rows_and_semicolons(tmp_path):
    title = [["DANH SÁCH ĐẢNG VIÊN"], ["Chi bộ thôn Đông"], []]
    path = write_csv(tmp_path / "a.csv", [member(1)], delimiter=";", above=title)
    info = readers.inspect(path, "a.csv")
    assert info.delimiter == ";"
    assert info.header_line == 4
    assert info.headers[0] == "Họ và tên"
    unit = next(readers.iter_csv(path, info))
    assert [line for line, _cells in readers.csv_records(unit)] == [5]


def test_other_headers_are_suggested(tmp_path):
    headers = ["STT", "Họ tên", "Nam/Nữ", "Ngày tháng năm sinh", "CMND/CCCD", "Ngày kết nạp",
               "Chi bộ", "SĐT"]  # fmt: skip
    path = tmp_path / "a.csv"
    path.write_text(",".join(headers) + "\n1,Lê Văn An,Nam,01/01/1980,,01/01/2010,X01C1,\n")
    info = readers.inspect(path, "a.csv")
    assert info.suggestion.mapping == {
        "full_name": 1, "sex": 2, "date_of_birth": 3, "cccd": 4, "admission_date": 5,
        "organisation": 6, "phone": 7,
    }  # fmt: skip
