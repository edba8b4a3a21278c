"""Our member list template (.xlsx): the columns of the official list, headers in Vietnamese,
and a second sheet that explains each column and the values it accepts.

Identifier columns (CCCD, card, phone) are formatted as text so that Excel keeps their leading
zeros; date columns show dd/mm/yyyy.
"""

from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dangso.imports.columns import COLUMNS
from dangso.imports.rows import DATE_FIELDS
from dangso.members.choices import ETHNICITIES

DATA_SHEET = "Danh sách đảng viên"
HELP_SHEET = "Hướng dẫn"
FILE_NAME = "mau-danh-sach-dang-vien.xlsx"
_TEXT_FIELDS = frozenset({"cccd", "card_number", "dossier_number", "phone", "organisation"})


def write_template(out: IO[bytes]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FDE9D9")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if column.required:
            cell.fill = required_fill
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.field in _TEXT_FIELDS:
            dimension.number_format = "@"
        elif column.field in DATE_FIELDS:
            dimension.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(HELP_SHEET)
    guide.append(["Cột", "Bắt buộc", "Nội dung và giá trị được nhận"])
    for cell in guide[1]:
        cell.font = bold
    for column in COLUMNS:
        guide.append([column.header, "Có" if column.required else "", column.help])
    guide.append([])
    guide.append(["Ghi chú", "", (
        "Mỗi dòng một đảng viên, từ dòng 2 của trang “Danh sách đảng viên”. Ngày viết "
        "dd/mm/yyyy. Có thể nhập văn bản gõ bằng phông TCVN3 (ABC) hoặc VNI: hệ thống tự "
        "chuyển sang Unicode. Nhập lại cùng tệp không thay đổi gì; ô để trống không xóa giá "
        "trị đã có trong hồ sơ."
    )])  # fmt: skip
    guide.append([])
    guide.append(["Dân tộc", "Mã", "Tên"])
    for cell in guide[guide.max_row]:
        cell.font = bold
    for code, name in ETHNICITIES:
        guide.append(["", code, name])
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 100
    for row in guide.iter_rows(min_row=2, max_col=3):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(out)
