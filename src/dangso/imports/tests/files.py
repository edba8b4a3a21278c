"""Member list files for the import tests: rows in our template's columns, written as CSV (in
any encoding) or .xlsx."""

import csv
import datetime
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from dangso.core.dates import add_months
from dangso.core.ids import century_sex_digit
from dangso.imports.columns import TEMPLATE_HEADERS

FIELDS = (
    "full_name", "other_names", "sex", "date_of_birth", "place_of_birth", "hometown",
    "residence", "ethnicity", "religion", "cccd", "card_number", "dossier_number",
    "admission_date", "official_date", "organisation", "general_education",
    "professional_qualification", "political_theory", "occupation", "position", "phone",
    "email",
)  # fmt: skip
GIVEN = ["Anh", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hải", "Hùng", "Lan", "Mai"]
FAMILY = ["Nguyễn Văn", "Trần Thị", "Lê Minh", "Phạm Đức", "Hoàng Thu"]


def member(index: int, cell: str = "X01C1", **overrides: Any) -> dict[str, Any]:
    """A valid row (as a person types it) for the `index`-th member."""
    sex = "F" if index % 2 else "M"
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=97 * index % 9000)
    admission = add_months(birth, 12 * 25)
    row = {
        "full_name": f"{FAMILY[index % len(FAMILY)]} {GIVEN[index % len(GIVEN)]}",
        "other_names": "",
        "sex": "Nữ" if sex == "F" else "Nam",
        "date_of_birth": birth.strftime("%d/%m/%Y"),
        "place_of_birth": "Xã Yên Phong, tỉnh Bắc Ninh",
        "hometown": "Bắc Ninh",
        "residence": "Thôn Đông, xã Yên Phong",
        "ethnicity": "Kinh",
        "religion": "Không",
        "cccd": f"027{century_sex_digit(birth.year, sex)}{birth.year % 100:02d}{index:06d}",
        "card_number": f"{10_000_000 + index}",
        "dossier_number": "",
        "admission_date": admission.strftime("%d/%m/%Y"),
        "official_date": add_months(admission, 12).strftime("%d/%m/%Y"),
        "organisation": cell,
        "general_education": "12/12",
        "professional_qualification": "Đại học",
        "political_theory": "Sơ cấp",
        "occupation": "Giáo viên",
        "position": "",
        "phone": f"09{index % 10**8:08d}",
        "email": "",
    }
    row.update(overrides)
    return row


def as_cells(rows: Sequence[dict[str, Any]], fields: Sequence[str] = FIELDS) -> list[list[Any]]:
    return [[row.get(name, "") for name in fields] for row in rows]


def write_csv(
    path: Path,
    rows: Sequence[dict[str, Any]],
    *,
    headers: Sequence[str] = TEMPLATE_HEADERS,
    fields: Sequence[str] = FIELDS,
    encoding: str = "utf-8",
    delimiter: str = ",",
    above: Sequence[Sequence[str]] = (),
) -> Path:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for line in above:
        writer.writerow(line)
    writer.writerow(headers)
    writer.writerows(as_cells(rows, fields))
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    headers: Sequence[str] = TEMPLATE_HEADERS,
) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path
