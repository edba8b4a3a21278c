"""Member lists to Excel (.xlsx), the file Party offices exchange.

The header row is Vietnamese whatever the interface language: the file is a document passed
between offices, not a screen. Cells come from `core.spreadsheets`: text always as text (no
formula injection), dates as dd/mm/yyyy dates.
"""

from collections.abc import Iterable
from typing import IO, Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from dangso.core import audit, spreadsheets
from dangso.core.audit import Actor
from dangso.members.models import Member
from dangso.orgs.models import Organisation

# (header, width) of each column, in order.
COLUMNS: tuple[tuple[str, int], ...] = (
    ("STT", 6),
    ("Họ và tên", 28),
    ("Ngày sinh", 12),
    ("Giới tính", 9),
    ("Số CCCD", 15),
    ("Số thẻ đảng viên", 12),
    ("Chi bộ", 30),
    ("Trạng thái", 22),
    ("Ngày vào Đảng", 14),
    ("Ngày chính thức", 14),
    ("Quê quán", 30),
    ("Điện thoại", 13),
)


def _row(index: int, member: Member) -> list[Any]:
    return [
        index,
        member.full_name,
        member.date_of_birth,
        member.get_sex_display(),
        member.cccd or "",
        member.card_number or "",
        member.organisation.name,
        member.get_status_display(),
        member.admission_date,
        member.official_date,
        member.hometown,
        member.phone,
    ]


def write_xlsx(members: Iterable[Member], out: IO[bytes]) -> int:
    """Write `members` (with their organisation selected) to `out`; returns the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Đảng viên")
    for index, (_header, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    header = []
    for title, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for count, member in enumerate(members, start=1):
        sheet.append([spreadsheets.cell(sheet, value) for value in _row(count, member)])
    workbook.save(out)
    return count


def export_members(
    members: QuerySet[Member],
    *,
    filters: dict[str, Any],
    actor: Actor,
    out: IO[bytes],
    scope: Organisation | None = None,
) -> int:
    """Write the (already restricted and filtered) list and audit the export as one read.

    `scope` is the organisation the export is filed under in the audit log, so that whoever
    audits that organisation sees it.
    """
    count = write_xlsx(members.iterator(chunk_size=2000), out)
    changes = {"count": [None, count], "filters": [None, filters]}
    if scope is not None:
        audit.record(actor, "member.export", scope, changes=changes)
    else:
        audit.record(actor, "member.export", changes=changes)
    return count
