"""Reading member list files: check what a file is, find its header row, stream its rows.

A file is refused, with a message a person can act on, before anything is written: an empty
file, one over the size limit, one whose bytes are not what its name claims (a Word document
renamed .xlsx, a binary renamed .csv), one without a recognisable header row.

Rows are streamed in work units so that memory stays bounded whatever the file's size:
- CSV: blocks of raw bytes cut at a record boundary (never inside a quoted field), decoded and
  parsed where they are processed, possibly in another process. Line numbers are physical
  lines of the file, as a text editor shows them.
- .xlsx: python-calamine, rows taken from the sheet's iterator. calamine holds the sheet's cells
  (not Python objects) in memory; a sheet has at most 1,048,576 rows, so national files come
  as CSV.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from dangso.core import legacy
from dangso.imports.columns import Suggestion, fold_header, suggest_mapping

XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)
HEADER_SCAN_ROWS = 20  # the header row is looked for among the first rows (title rows above)
_HEAD_BYTES = 1 << 20
_BLOCK_BYTES = 2 << 20  # per unit of work: bigger blocks only cost memory
_DELIMITERS = (",", ";", "\t", "|")
_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0", "ole"),
    (b"%PDF", "pdf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf", "archive"),
    (b"\x1f\x8b", "archive"),
)


class ImportFileError(Exception):
    """A file refused before anything is written; the message is for the person importing."""


@dataclass
class SourceInfo:
    """What a file is and where its data starts."""

    format: str
    headers: list[str]
    header_line: int  # 1-based line (CSV) or row (Excel) of the header
    suggestion: Suggestion
    encoding: str = ""  # CSV: "utf-8", "cp1258" or "cp1252"
    delimiter: str = ","
    data_offset: int = 0  # CSV: byte offset of the first line after the header
    sheet: str = ""  # Excel: the sheet read
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CsvUnit:
    """Raw CSV bytes holding whole records; `first_line` is the line number of the first."""

    data: bytes
    first_line: int
    encoding: str
    delimiter: str


@dataclass(frozen=True)
class RowsUnit:
    """Rows already split into cells (Excel); row i is on line `first_line + i`."""

    rows: list[list[Any]]
    first_line: int


Unit = CsvUnit | RowsUnit


def format_of(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        if suffix in ("xls", "xlsm", "xlsb", "ods"):
            raise ImportFileError(
                _("Save the list as an Excel workbook (.xlsx) or as CSV before importing it.")
            )
        raise ImportFileError(_("Only .xlsx and .csv files can be imported."))
    return suffix


def check_size(size: int) -> None:
    if size <= 0:
        raise ImportFileError(_("The file is empty."))
    limit = settings.DANGSO_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _("The file is %(size)s MB; the largest file accepted is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)}
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _kind_of(head: bytes) -> str:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return ""


def inspect(path: str | Path, name: str) -> SourceInfo:
    """Check the file at `path` (named `name` by its owner) and find its header row."""
    path = Path(path)
    file_format = format_of(name)
    check_size(path.stat().st_size)
    if file_format == XLSX:
        return _inspect_xlsx(path)
    return _inspect_csv(path)


# --- Excel ---------------------------------------------------------------------------------


def _inspect_xlsx(path: Path) -> SourceInfo:
    with path.open("rb") as handle:
        head = handle.read(8)
    kind = _kind_of(head)
    if kind != "zip":
        if kind == "ole":
            raise ImportFileError(
                _("This is an old-format Excel (.xls) or Word file renamed .xlsx. "
                  "Open it in Excel and save it as an Excel workbook (.xlsx).")
            )  # fmt: skip
        raise ImportFileError(_("This file is not an Excel workbook (.xlsx)."))
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise ImportFileError(_("The Excel file is damaged and cannot be read.")) from error
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise ImportFileError(
                _("This is a Word document renamed .xlsx, not an Excel workbook.")
            )
        raise ImportFileError(_("This file is not an Excel workbook (.xlsx)."))
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        for sheet_name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(sheet_name)
            rows: list[list[Any]] = []
            for row in sheet.iter_rows():
                rows.append(row)
                if len(rows) >= HEADER_SCAN_ROWS + 1:
                    break
            found = _find_header(rows)
            if found is not None:
                index, headers, suggestion = found
                first_row = (sheet.start or (0, 0))[0]
                if not _has_data_row(rows[index + 1 :]):
                    raise ImportFileError(_("The file has a header row but no member rows."))
                return SourceInfo(
                    format=XLSX,
                    headers=headers,
                    header_line=first_row + index + 1,
                    suggestion=suggestion,
                    sheet=sheet_name,
                )
    except CalamineError as error:
        raise ImportFileError(_("The Excel file is damaged and cannot be read.")) from error
    raise ImportFileError(_no_header_message())


def iter_xlsx(path: str | Path, info: SourceInfo, batch_rows: int) -> Iterator[RowsUnit]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    sheet = workbook.get_sheet_by_name(info.sheet)
    first_row = (sheet.start or (0, 0))[0]
    line = first_row
    batch: list[list[Any]] = []
    batch_first = 0
    for row in sheet.iter_rows():
        line += 1
        if line <= info.header_line:
            continue
        if not batch:
            batch_first = line
        batch.append(row)
        if len(batch) >= batch_rows:
            yield RowsUnit(batch, batch_first)
            batch = []
    if batch:
        yield RowsUnit(batch, batch_first)


def xlsx_row_count(path: str | Path, info: SourceInfo) -> int:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(info.sheet)
    first_row = (sheet.start or (0, 0))[0]
    return max(first_row + sheet.height - info.header_line, 0)


# --- CSV -----------------------------------------------------------------------------------


def _inspect_csv(path: Path) -> SourceInfo:
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
        at_end = not handle.read(1)
    kind = _kind_of(head)
    if kind == "zip":
        raise ImportFileError(
            _("This is an Excel or Word file renamed .csv, not a CSV text file. "
              "Import an Excel workbook under its own name (.xlsx).")
        )  # fmt: skip
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(
            _("This CSV file is in UTF-16. Save it as “CSV UTF-8” and import it again.")
        )
    if kind or b"\x00" in head[:65536]:
        raise ImportFileError(_("This file is not a CSV text file."))
    offset = 0
    if head.startswith(codecs.BOM_UTF8):
        head, offset = head[3:], 3
    if not head.strip():
        raise ImportFileError(_("The file is empty."))
    if not at_end:
        cut = head.rfind(b"\n")
        head = head[: cut + 1] if cut > 0 else head
    encoding = detect_csv_encoding(head)
    text = head.decode(encoding, errors="replace")
    best: tuple[int, str, list[list[str]], list[int]] | None = None
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows: list[list[str]] = []
        ends: list[int] = []
        for row in reader:
            rows.append(row)
            ends.append(reader.line_num)
            if len(rows) > HEADER_SCAN_ROWS:
                break
        found = _find_header(rows)
        if found is not None and (best is None or found[2].recognised > best[0]):
            best = (found[2].recognised, delimiter, rows, ends)
    if best is None:
        raise ImportFileError(_no_header_message())
    _score, delimiter, rows, ends = best
    found = _find_header(rows)
    assert found is not None
    index, headers, suggestion = found
    if at_end and not _has_data_row(rows[index + 1 :]):
        raise ImportFileError(_("The file has a header row but no member rows."))
    header_end = ends[index]  # physical line on which the header record ends
    raw_lines = head.split(b"\n")
    return SourceInfo(
        format=CSV,
        headers=headers,
        header_line=ends[index - 1] + 1 if index else 1,
        suggestion=suggestion,
        encoding=encoding,
        delimiter=delimiter,
        data_offset=offset + sum(len(raw) + 1 for raw in raw_lines[:header_end]),
        extra={"header_end": header_end},
    )


def detect_csv_encoding(sample: bytes) -> str:
    """UTF-8 when the bytes decode as such; otherwise a Windows code page: cp1258 (Unicode
    Vietnamese with combining tones) or cp1252, the code page TCVN3 and VNI text is written
    in (converted cell by cell afterwards)."""
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 3:
            return _legacy_code_page(sample)
    return "utf-8"


def _legacy_code_page(sample: bytes) -> str:
    text = sample.decode("cp1252", errors="replace")
    legacy_cells = unicode_cells = 0
    for line in text.splitlines()[:2000]:
        if line.isascii():
            continue
        kind = legacy.detect_encoding(line)
        if kind == "unicode":
            unicode_cells += 1
        else:
            legacy_cells += 1
    return "cp1252" if legacy_cells >= unicode_cells else "cp1258"


def iter_csv(
    path: str | Path,
    info: SourceInfo,
    block_bytes: int | None = None,
    on_block: Callable[[bytes], Any] | None = None,
) -> Iterator[CsvUnit]:
    """Units of whole records from the data part of the file (after the header).
    `on_block` sees every byte of the file once, in order (to hash it on the way)."""
    block_bytes = block_bytes or _BLOCK_BYTES
    line = int(info.extra.get("header_end", info.header_line)) + 1
    carry = b""
    with Path(path).open("rb") as handle:
        if on_block is not None:
            on_block(handle.read(info.data_offset))
        handle.seek(info.data_offset)
        while block := handle.read(block_bytes):
            if on_block is not None:
                on_block(block)
            data = carry + block if carry else block
            cut = _record_boundary(data)
            if cut <= 0:
                carry = data
                continue
            unit, carry = data[:cut], data[cut:]
            yield CsvUnit(unit, line, info.encoding, info.delimiter)
            line += unit.count(b"\n")
    if carry.strip():
        yield CsvUnit(carry, line, info.encoding, info.delimiter)


def _record_boundary(data: bytes) -> int:
    """The offset just after the last newline of `data` that ends a record. `data` starts at
    a record boundary, so a newline ends a record when the quotes before it are even."""
    end = data.rfind(b"\n")
    if b'"' not in data:
        return end + 1
    while end >= 0:
        if data.count(b'"', 0, end) % 2 == 0:
            return end + 1
        end = data.rfind(b"\n", 0, end)
    return 0


def csv_records(unit: CsvUnit) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each record in `unit`; lines not in the file's encoding are decoded
    line by line (a file assembled from several sources)."""
    try:
        text = unit.data.decode(unit.encoding)
    except UnicodeDecodeError:
        fallback = "cp1252" if unit.encoding == "utf-8" else unit.encoding
        text = "".join(
            _decode_line(raw, unit.encoding, fallback)
            for raw in unit.data.splitlines(keepends=True)
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=unit.delimiter)
    previous = 0
    for row in reader:
        yield unit.first_line + previous, row
        previous = reader.line_num


def _decode_line(raw: bytes, encoding: str, fallback: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return raw.decode(fallback, errors="replace")


# --- both ----------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _find_header(rows: list[list[Any]]) -> tuple[int, list[str], Suggestion] | None:
    """The row among `rows` that names the most known columns (at least two)."""
    best: tuple[int, list[str], Suggestion] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        headers = [legacy.repair_text(_cell_text(cell)) for cell in row]
        while headers and not headers[-1]:
            headers.pop()
        if len([h for h in headers if fold_header(h)]) < 2:
            continue
        suggestion = suggest_mapping(headers)
        if suggestion.recognised >= 2 and (
            best is None or suggestion.recognised > best[2].recognised
        ):
            best = (index, headers, suggestion)
    return best


def _has_data_row(rows: list[list[Any]]) -> bool:
    return any(any(_cell_text(cell).strip() for cell in row) for row in rows)


def _no_header_message() -> str:
    return _(
        "No header row was found: the first rows do not name the columns of a member list "
        "(Họ và tên, Giới tính, Ngày sinh, Ngày vào Đảng, Mã chi bộ, …). Use the template or "
        "put the column names in the first row."
    )
