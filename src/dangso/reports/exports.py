"""A filled report, or the aggregate at a node, as .xlsx and as a printed PDF (HD 36 layout).

The PDF is laid out as a Party report (Hướng dẫn 36-HD/VPTW): top left the issuing
organisation in capitals and "Số    -BC/<symbol>", the number left blank for the office to
write when it is issued; top right "ĐẢNG CỘNG SẢN VIỆT NAM" underlined and the place and date
line in italics, left to be filled in; then "BÁO CÁO", the form's name and the period; the
indicator table; "Nơi nhận" and the signature block. The fixed words of that layout are printed
in Vietnamese whatever the interface language, like the registers' "ĐẢNG CỘNG SẢN VIỆT NAM".
Fonts are those installed on the server (Noto Sans, DejaVu Sans); nothing is fetched.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from dangso.core.dates import format_date
from dangso.core.printing import PARTY_HEADER, css_string, html_to_pdf
from dangso.core.spreadsheets import cell, text_cell
from dangso.core.text import nfc
from dangso.orgs.choices import OrgKind
from dangso.orgs.models import Organisation
from dangso.reports.choices import IndicatorKind
from dangso.reports.queries import AggregateRow, Progress

SIGNING = {
    OrgKind.CELL: "T/M CHI BỘ",
    OrgKind.GRASSROOTS_CELL: "T/M CHI BỘ",
    OrgKind.SUB_COMMITTEE: "T/M ĐẢNG ỦY BỘ PHẬN",
}


@dataclass
class ReportSheet:
    """What an export prints: whose report, which form and period, and the rows."""

    organisation: Organisation
    parent_name: str
    form_name: str
    period_label: str
    rows: list[AggregateRow]
    aggregate: bool = False
    progress: Progress | None = None
    status_label: str = ""
    notes: list[str] = field(default_factory=list)


def format_number(value: Decimal | float | int | None) -> str:
    """1234567.5 as "1.234.567,5", the Vietnamese way; trailing zeros dropped."""
    if value is None:
        return ""
    number = Decimal(str(value))
    text = f"{number:,.4f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _display(row: AggregateRow) -> str:
    kind = row.indicator.kind
    if kind == IndicatorKind.TEXT:
        return "\n".join(f"{name}: {text}" if name else text for name, text in row.texts)
    if row.value is None:
        return ""
    suffix = " %" if kind in (IndicatorKind.PERCENT, IndicatorKind.RATIO) else ""
    return format_number(row.value) + suffix


def _choice_display(row: AggregateRow, aggregate: bool) -> str:
    if not aggregate:
        return row.choices[0][0] if row.choices else ""
    return "; ".join(f"{option}: {count}" for option, count in row.choices)


def value_text(row: AggregateRow, aggregate: bool) -> str:
    if row.indicator.kind == IndicatorKind.CHOICE:
        return _choice_display(row, aggregate)
    return _display(row)


def _title_lines(sheet: ReportSheet) -> list[str]:
    return [
        "BÁO CÁO" + (" TỔNG HỢP" if sheet.aggregate else ""),
        nfc(sheet.form_name),
        sheet.period_label,
    ]


def _progress_line(progress: Progress | None) -> str:
    if progress is None:
        return ""
    return _(
        "Reports received: %(received)s of %(expected)s (completeness %(completeness)s %%, "
        "on time %(timeliness)s %%)."
    ) % {
        "received": progress.received,
        "expected": progress.expected,
        "completeness": format_number(progress.completeness),
        "timeliness": format_number(progress.timeliness),
    }


# --- Excel -----------------------------------------------------------------------------------


def _bold(sheet: WriteOnlyWorksheet, value: str) -> Any:
    result = text_cell(sheet, value)
    result.font = Font(bold=True)
    return result


def write_xlsx(sheet_data: ReportSheet, out: IO[bytes]) -> None:
    """One sheet: the organisation, title, period, then a row per indicator with its value as
    a number (numbers stay numbers, text stays text, never a formula)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Report"))[:31])
    for column, width in zip("ABCDE", (6, 50, 14, 22, 18), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append([_bold(sheet, nfc(sheet_data.organisation.name).upper())])
    for line in _title_lines(sheet_data):
        sheet.append([_bold(sheet, line)])
    progress = _progress_line(sheet_data.progress)
    if progress:
        sheet.append([text_cell(sheet, progress)])
    if sheet_data.status_label:
        sheet.append(
            [text_cell(sheet, _("Status: %(status)s") % {"status": sheet_data.status_label})]
        )
    sheet.append(
        [text_cell(sheet, _("Printed on %(date)s") % {"date": format_date(timezone.localdate())})]
    )
    sheet.append([])
    headers = [_("No."), _("Indicator"), _("Unit"), _("Value")]
    if sheet_data.aggregate:
        headers.append(_("Adds up by"))
    sheet.append([_bold(sheet, str(header)) for header in headers])
    for number, row in enumerate(sheet_data.rows, start=1):
        kind = row.indicator.kind
        if kind in (IndicatorKind.CHOICE, IndicatorKind.TEXT):
            value = text_cell(sheet, value_text(row, sheet_data.aggregate))
            value.alignment = Alignment(wrap_text=True, vertical="top")
        else:
            value = cell(sheet, row.value)
            whole = row.value is None or row.value == row.value.to_integral_value()
            value.number_format = "#,##0" if whole else "#,##0.00"
        cells = [
            cell(sheet, number),
            text_cell(sheet, nfc(row.indicator.label)),
            text_cell(sheet, row.indicator.unit),
            value,
        ]
        if sheet_data.aggregate:
            cells.append(text_cell(sheet, row.how))
        sheet.append(cells)
    workbook.save(out)


# --- PDF -------------------------------------------------------------------------------------


def _signing(kind: str) -> str:
    return SIGNING.get(
        OrgKind(kind) if kind in OrgKind.values else OrgKind.CELL, "T/M BAN THƯỜNG VỤ"
    )


def render_pdf(sheet: ReportSheet) -> bytes:
    """The report on A4 portrait, HD 36 layout."""
    organisation = sheet.organisation
    symbol = organisation.short_name or organisation.code
    html = render_to_string(
        "reports/print.html",
        {
            "party_header": PARTY_HEADER,
            "parent_name": nfc(sheet.parent_name).upper(),
            "organisation_name": nfc(organisation.name).upper(),
            "number_line": f"Số       -BC/{symbol}",
            "date_line": "…………, ngày …… tháng …… năm 20……",
            "titles": _title_lines(sheet),
            "progress": _progress_line(sheet.progress),
            "status_label": sheet.status_label,
            "aggregate": sheet.aggregate,
            "headers": [_("No."), _("Indicator"), _("Unit"), _("Value")]
            + ([_("Adds up by")] if sheet.aggregate else []),
            "rows": [
                (
                    number,
                    nfc(row.indicator.label),
                    row.indicator.unit,
                    value_text(row, sheet.aggregate),
                    row.how,
                )
                for number, row in enumerate(sheet.rows, start=1)
            ],
            "recipients": [f"- {nfc(sheet.parent_name)}," if sheet.parent_name else "", "- Lưu."],
            "signing": _signing(organisation.kind),
            "footer_css": css_string(f"{nfc(sheet.form_name)} — {sheet.period_label}"),
            "page_label_css": css_string(_("Page")),
        },
    )
    return html_to_pdf(html)
