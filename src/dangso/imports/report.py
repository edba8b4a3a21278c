"""The report of an import's bad rows: an .xlsx with one line per problem.

Headers are fixed Vietnamese (Dòng, Cột, Giá trị, Lý do): the report goes back to the office
that made the file. The values are the file's own cells, so they are written through
`core.spreadsheets`: a crafted cell never runs as a formula in the reader's Excel.
"""

from collections.abc import Iterable
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from dangso.core.spreadsheets import text_cell

HEADERS: tuple[tuple[str, int], ...] = (("Dòng", 8), ("Cột", 22), ("Giá trị", 30), ("Lý do", 80))
# An Excel sheet holds 1,048,576 rows; a report that would pass it says how many it left out.
MAX_REPORT_ROWS = 1_000_000


def write_report(
    errors: Iterable[tuple[int, str, str, str]], out: IO[bytes], *, file_name: str = ""
) -> int:
    """Write every (line, column, value, reason) to `out`; returns the number written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Lỗi")
    for index, (_title, width) in enumerate(HEADERS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    if file_name:
        title = text_cell(sheet, f"Tệp: {file_name}")
        title.font = Font(italic=True)
        sheet.append([title])
    header = []
    for title_text, _width in HEADERS:
        cell = WriteOnlyCell(sheet, value=title_text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    written = left_out = 0
    for line, column, value, reason in errors:
        if written >= MAX_REPORT_ROWS:
            left_out += 1
            continue
        sheet.append([line, *(text_cell(sheet, text) for text in (column, value, reason))])
        written += 1
    if left_out:
        sheet.append(["", "", "", f"… và {left_out} lỗi khác không ghi được vào tệp này."])
    workbook.save(out)
    return written
