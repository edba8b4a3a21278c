"""Cells of the .xlsx files Party offices exchange (member lists, registers, import reports).

Text is always written as text: a string cell, and when it starts like a formula (= + - @,
tab, carriage return) with Excel's quote prefix, so a crafted name or summary never runs as a
formula in the reader's Excel (formula injection), even after the cell is edited, and still
reads exactly as typed ("- Ban Thường vụ" stays "- Ban Thường vụ"). Dates are real dates
shown dd/mm/yyyy.
"""

import datetime
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if value.startswith(_FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def cell(sheet: WriteOnlyWorksheet, value: Any) -> WriteOnlyCell:
    """A cell for any value: text as text, dates as dd/mm/yyyy dates, the rest as it is."""
    if isinstance(value, str):
        return text_cell(sheet, value)
    result = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime.date):
        result.number_format = DATE_FORMAT
    return result
