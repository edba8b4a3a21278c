"""Our import template as the generator writes it: the header row, the column numbers, the
labels of the enumerations, and how a generated row reads back (benchmark loaders, tests)."""

import datetime
from collections.abc import Sequence
from typing import Any

from dangso.members.choices import ETHNICITIES

# Our import template's header row (imports.columns.TEMPLATE_HEADERS; a test keeps them equal).
TEMPLATE_HEADERS: tuple[str, ...] = (
    "Họ và tên", "Tên gọi khác", "Giới tính", "Ngày sinh", "Nơi sinh", "Quê quán",
    "Nơi thường trú", "Dân tộc", "Tôn giáo", "Số CCCD", "Số thẻ đảng viên", "Số lý lịch",
    "Ngày vào Đảng", "Ngày chính thức", "Mã chi bộ", "Trình độ phổ thông",
    "Chuyên môn nghiệp vụ", "Lý luận chính trị", "Nghề nghiệp", "Chức vụ", "Điện thoại", "Email",
)  # fmt: skip
(C_NAME, C_OTHER, C_SEX, C_BIRTH, C_BIRTHPLACE, C_HOMETOWN, C_RESIDENCE, C_ETHNICITY,
 C_RELIGION, C_CCCD, C_CARD, C_DOSSIER, C_ADMISSION, C_OFFICIAL, C_CELL, C_EDUCATION,
 C_QUALIFICATION, C_THEORY, C_OCCUPATION, C_POSITION, C_PHONE, C_EMAIL) = range(22)  # fmt: skip
# Labels of the template's enumerations (the Vietnamese UI labels) → model values.
SEX_LABELS = {"Nam": "M", "Nữ": "F"}
ETHNICITY_LABELS = {name: code for code, name in ETHNICITIES}
RELIGION_LABELS = {"Không": "none", "Phật giáo": "buddhism", "Công giáo": "catholicism",
                   "Tin lành": "protestantism", "Cao Đài": "caodaism", "Hòa Hảo": "hoahao",
                   "Hồi giáo": "islam", "Khác": "other"}  # fmt: skip
QUALIFICATION_LABELS = {"Không": "none", "Sơ cấp": "elementary", "Trung cấp": "intermediate",
                        "Cao đẳng": "college", "Đại học": "bachelor", "Thạc sĩ": "master",
                        "Tiến sĩ": "doctor"}  # fmt: skip
THEORY_LABELS = {"Không": "none", "Sơ cấp": "elementary", "Trung cấp": "intermediate",
                 "Cao cấp": "advanced", "Cử nhân": "bachelor"}  # fmt: skip

# Spellings an importer must map to the value (accepted, never flagged): column → raw → label.
VARIANTS: dict[int, dict[str, str]] = {
    C_ETHNICITY: {"Khơ-me": "Khmer", "Khơ Me": "Khmer", "H'Mông": "Mông", "Hmông": "Mông",
                  "Ê-đê": "Ê Đê", "Gia-rai": "Gia Rai", "Ba-na": "Ba Na", "Xơ-đăng": "Xơ Đăng",
                  "M'Nông": "Mnông", "Cơ-ho": "Cơ Ho", "kinh": "Kinh", "KINH": "Kinh"},
    C_RELIGION: {"Thiên Chúa giáo": "Công giáo", "Đạo Phật": "Phật giáo", "không": "Không"},
    C_QUALIFICATION: {"ĐH": "Đại học", "CĐ": "Cao đẳng", "ThS": "Thạc sĩ", "Ths": "Thạc sĩ",
                      "TS": "Tiến sĩ", "đại học": "Đại học"},
    C_THEORY: {"SC": "Sơ cấp", "TC": "Trung cấp", "CC": "Cao cấp"},
}  # fmt: skip
VARIANT_LABELS = {C_ETHNICITY: ETHNICITY_LABELS, C_RELIGION: RELIGION_LABELS,
                   C_QUALIFICATION: QUALIFICATION_LABELS, C_THEORY: THEORY_LABELS}  # fmt: skip
# Spellings that are no ethnic group: the importer must flag them.
UNKNOWN_ETHNICITIES = ("Kimh", "Không rõ", "Kinh Hoa", "Tày-Nùng", "Dân tộc khác", "Kihn")


def parse_date(text: str) -> datetime.date | None:
    if not text:
        return None
    day, month, year = text.split("/")
    return datetime.date(int(year), int(month), int(day))


def rule_values(row: Sequence[str]) -> dict[str, Any]:
    """A generated row as the `members.rules` input (names taken as written)."""
    return {
        "full_name": row[C_NAME],
        "sex": SEX_LABELS.get(row[C_SEX], ""),
        "date_of_birth": parse_date(row[C_BIRTH]),
        "admission_date": parse_date(row[C_ADMISSION]),
        "official_date": parse_date(row[C_OFFICIAL]),
        "cccd": row[C_CCCD],
        "card_number": row[C_CARD],
        "dossier_number": row[C_DOSSIER],
        "general_education": row[C_EDUCATION],
        "phone": row[C_PHONE],
        "email": row[C_EMAIL],
    }


def label_value(column: int, text: str, default: str) -> str:
    """The model value of an enumeration label of the template, its variants included."""
    labels = VARIANT_LABELS[column]
    text = VARIANTS[column].get(text, text)
    return labels.get(text, default)
