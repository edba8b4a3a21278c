"""Sổ đăng ký văn bản đến / đi: an organisation's incoming and outgoing registers, exported to
Excel (.xlsx) and printed as PDF.

- The register holds the entries that have a register number (số đến / số đi), in the order they
  were entered. Pass the documents already restricted to what the user may see and filtered
  (`queries.register_page`), through `for_export()`, which adds the lead handler and orders them.
- The .xlsx is streamed (openpyxl write-only) and has no row limit; the PDF stops after
  `PDF_ROW_LIMIT` entries and says so on the page: WeasyPrint lays the whole table out in
  memory, and a print of tens of thousands of rows would take minutes and gigabytes.
- Text a spreadsheet would take for a formula is written with a leading apostrophe
  (`core.spreadsheets`), so a crafted summary never runs in the reader's Excel.
- Tuyệt mật: Nghị định 26/2020/NĐ-CP lets the summary (trích yếu) of a Tuyệt mật document be
  written in a register only with the approver's consent. The system does not record that
  consent, so every export shows such a summary as "(Tuyệt mật — trích yếu không ghi)"; Mật and
  Tối mật summaries are shown (only to users granted the document: `queries.visible_documents`).
- Độ mật and Độ khẩn are left blank for không mật and thường, so that the marks that matter
  stand out.
- The PDF uses only fonts installed on the server ("Noto Sans", "DejaVu Sans", named explicitly:
  both cover Vietnamese) and loads nothing from outside, for closed networks.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from dangso.core.classification import Classification
from dangso.core.dates import format_date
from dangso.core.printing import PARTY_HEADER, css_string, html_to_pdf
from dangso.core.spreadsheets import XLSX_CONTENT_TYPE, cell, text_cell
from dangso.core.text import nfc
from dangso.documents.choices import Direction, HandlingRole, Urgency
from dangso.documents.models import Assignment, Document
from dangso.orgs.models import Organisation

__all__ = [
    "HIDDEN_SUMMARY",
    "PDF_ROW_LIMIT",
    "XLSX_CONTENT_TYPE",
    "columns",
    "for_export",
    "register_pdf",
    "register_title",
    "write_register_xlsx",
]

PDF_ROW_LIMIT = 2_000
"""Entries in one printed register. Layout costs about 13 ms of CPU and 0.3 MB per row with
long summaries (1,000 rows: 13 s, 345 MB; 5,000 rows: 71 s, 1.3 GB, 625 pages), so a whole
year's register is printed in parts, chosen by the filter."""

HIDDEN_SUMMARY = gettext_lazy("(Most secret — summary not recorded)")

# The names of the registers are the names of the Party's books: they are printed in
# Vietnamese whatever the interface language, like the "ĐẢNG CỘNG SẢN VIỆT NAM" header.
_TITLES = {
    Direction.INCOMING: "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
    Direction.OUTGOING: "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
    Direction.INTERNAL: "SỔ ĐĂNG KÝ VĂN BẢN NỘI BỘ",
}
_SHEET_NAMES = {
    Direction.INCOMING: gettext_lazy("Incoming register"),
    Direction.OUTGOING: gettext_lazy("Outgoing register"),
    Direction.INTERNAL: gettext_lazy("Internal register"),
}
_XLSX_CHUNK = 2_000


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy translation
    width: int  # in characters, for the .xlsx; the PDF shares the page out in proportion
    value: Callable[[Document], Any]
    wrap: bool = False


def _summary(document: Document) -> str:
    if document.classification == Classification.MOST_SECRET:
        return str(HIDDEN_SUMMARY)
    return document.summary


def _classification(document: Document) -> str:
    if document.classification == Classification.UNCLASSIFIED:
        return ""
    return str(document.get_classification_display())


def _urgency(document: Document) -> str:
    return "" if document.urgency == Urgency.NORMAL else str(document.get_urgency_display())


def _lead_handler(document: Document) -> str:
    """Annotated by `for_export()`; else taken from prefetched `assignments__user`; else looked
    up, one query for the document."""
    if hasattr(document, "lead_handler_name"):
        return document.lead_handler_name or ""
    if "assignments" in getattr(document, "_prefetched_objects_cache", {}):
        leads = [a for a in document.assignments.all() if a.role == HandlingRole.LEAD]
    else:
        leads = list(document.assignments.filter(role=HandlingRole.LEAD).select_related("user")[:1])
    if not leads:
        return ""
    return leads[0].user.get_full_name() or leads[0].user.get_username()


def _status(document: Document) -> str:
    return str(document.get_status_display())


_NUMBER_AND_SYMBOL = Column(gettext_lazy("Number and symbol"), 20, lambda d: d.symbol)
_DOCUMENT_DATE = Column(gettext_lazy("Document date"), 14, lambda d: d.issued_on)
_SUMMARY = Column(gettext_lazy("Summary"), 46, _summary, wrap=True)
_CLASSIFICATION = Column(gettext_lazy("Classification"), 12, _classification)
_URGENCY = Column(gettext_lazy("Urgency"), 10, _urgency)
_STATUS = Column(gettext_lazy("Status"), 16, _status)

INCOMING_COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Incoming no."), 11, lambda d: d.register_number),
    Column(gettext_lazy("Date received"), 14, lambda d: d.received_on),
    _NUMBER_AND_SYMBOL,
    _DOCUMENT_DATE,
    Column(gettext_lazy("Issued by"), 24, lambda d: d.issuer_name, wrap=True),
    _SUMMARY,
    _CLASSIFICATION,
    _URGENCY,
    Column(gettext_lazy("Handled by"), 20, _lead_handler, wrap=True),
    Column(gettext_lazy("Deadline"), 14, lambda d: d.deadline),
    _STATUS,
)
OUTGOING_COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Outgoing no."), 11, lambda d: d.register_number),
    _NUMBER_AND_SYMBOL,
    _DOCUMENT_DATE,
    Column(gettext_lazy("Type"), 12, lambda d: d.document_type.name),
    _SUMMARY,
    Column(gettext_lazy("Signed by"), 20, lambda d: d.signer_name, wrap=True),
    Column(gettext_lazy("Recipients"), 28, lambda d: d.recipients, wrap=True),
    _CLASSIFICATION,
    _URGENCY,
    _STATUS,
)


def columns(direction: str) -> tuple[Column, ...]:
    """The columns of a register; internal documents are registered like outgoing ones."""
    if direction == Direction.INCOMING:
        return INCOMING_COLUMNS
    if direction in (Direction.OUTGOING, Direction.INTERNAL):
        return OUTGOING_COLUMNS
    raise ValueError(f"no register for direction {direction!r}")


def register_title(direction: str) -> str:
    columns(direction)
    return _TITLES[Direction(direction)]


def for_export(documents: QuerySet[Document]) -> QuerySet[Document]:
    """The register's entries of `documents` (already restricted and filtered), in register
    order, with their type and lead handler fetched in the same query."""
    full_name = Trim(Concat(F("user__first_name"), Value(" "), F("user__last_name")))
    lead = Assignment.objects.filter(document=OuterRef("pk"), role=HandlingRole.LEAD).values(
        name=Coalesce(NullIf(full_name, Value("")), F("user__username"))
    )[:1]
    return (
        documents.filter(register_number__isnull=False)
        .select_related("document_type")
        .annotate(lead_handler_name=Subquery(lead))
        .order_by("registered_at", "id")
    )


def _entries(documents: Iterable[Document]) -> Iterator[Document]:
    if isinstance(documents, QuerySet):
        return documents.iterator(chunk_size=_XLSX_CHUNK)
    return iter(documents)


def _text(value: Any) -> Any:
    return nfc(value) if isinstance(value, str) else value


# --- Excel -----------------------------------------------------------------------------------


def _cell(sheet: WriteOnlyWorksheet, value: Any, wrap: bool) -> WriteOnlyCell:
    result = cell(sheet, _text(value) if isinstance(value, str) else value)
    if wrap and isinstance(value, str):
        result.alignment = Alignment(wrap_text=True, vertical="top")
    return result


def _bold(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    result = text_cell(sheet, value)
    result.font = Font(bold=True)
    return result


HEADER_ROW = 4
"""The .xlsx header row: below the title, the organisation and filter lines and a blank row."""


def write_register_xlsx(
    documents: Iterable[Document],
    direction: str,
    out: IO[bytes],
    *,
    organisation: Organisation | None,
    filters_label: str,
) -> int:
    """Write the register to `out` as .xlsx and return the number of entries written.

    Row 1 is the register's name and the organisation, row 2 the filters and export date, row 4
    the column headers; entries follow, one a row, however many there are.
    """
    register_columns = columns(direction)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_SHEET_NAMES[Direction(direction)]))
    for index, column in enumerate(register_columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.append([_bold(sheet, _heading(direction, organisation))])
    sheet.append([text_cell(sheet, _text(_subtitle(filters_label)))])
    sheet.append([])
    sheet.append([_bold(sheet, str(column.header)) for column in register_columns])
    count = 0
    for document in _entries(documents):
        sheet.append(
            [_cell(sheet, column.value(document), column.wrap) for column in register_columns]
        )
        count += 1
    workbook.save(out)
    return count


def _heading(direction: str, organisation: Organisation | None) -> str:
    """The register's name and, when the export is of one organisation, its name."""
    title = register_title(direction)
    return f"{title} — {_text(organisation.name)}" if organisation else title


def _subtitle(filters_label: str) -> str:
    printed = _("Printed on %(date)s") % {"date": format_date(timezone.localdate())}
    return f"{filters_label} — {printed}" if filters_label else printed


# --- PDF -------------------------------------------------------------------------------------


def _pdf_cell(value: Any) -> tuple[str, bool]:
    """The cell's text, and whether it must stay on one line (a date, a number)."""
    if value is None:
        return "", False
    if isinstance(value, datetime.datetime):
        return format_date(timezone.localtime(value).date()), True
    if isinstance(value, datetime.date):
        return format_date(value), True
    return str(_text(value)), isinstance(value, int)


def register_pdf(
    documents: Iterable[Document],
    direction: str,
    *,
    organisation: Organisation | None,
    filters_label: str,
) -> bytes:
    """The register printed on A4 landscape: Party header, organisation, title, filters and
    print date, then the table, whose header row repeats on every page, and page numbers.
    Only the first `PDF_ROW_LIMIT` entries are printed; a note says so when there are more."""
    register_columns = columns(direction)
    limited = list(islice(_entries(documents), PDF_ROW_LIMIT + 1))
    truncated = len(limited) > PDF_ROW_LIMIT
    rows = [
        [_pdf_cell(column.value(document)) for column in register_columns]
        for document in limited[:PDF_ROW_LIMIT]
    ]
    total_width = sum(column.width for column in register_columns)
    limit_note = ""
    if truncated:
        limit_note = _(
            "Only the first %(limit)s entries are printed. Narrow the filter, or export the "
            "register to Excel, which holds every entry."
        ) % {"limit": formats.number_format(PDF_ROW_LIMIT, force_grouping=True)}
    html = render_to_string(
        "documents/register_print.html",
        {
            "party_header": PARTY_HEADER,
            "organisation_name": _text(organisation.name) if organisation else "",
            "title": register_title(direction),
            "filters_label": _text(filters_label),
            "printed_on": _("Printed on %(date)s") % {"date": format_date(timezone.localdate())},
            "headers": [
                (str(column.header), round(100 * column.width / total_width, 2))
                for column in register_columns
            ],
            "rows": rows,
            "limit_note": limit_note,
            "empty_note": _("The register has no entries for this selection."),
            "page_label_css": css_string(_("Page")),
            "footer_css": css_string(_heading(direction, organisation)),
        },
    )
    return html_to_pdf(html)
