"""Identifiers: CCCD (số định danh cá nhân), party card numbers, số lý lịch.

CCCD structure (Nghị định 137/2015 Art. 13, Thông tư 07/2016/TT-BCA Art. 7, Luật Căn cước 2023
Art. 12; domain.md §2.3): digits 1–3 the province of birth registration, digit 4 century and
sex, digits 5–6 the last two digits of the birth year, digits 7–12 random.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Codes of the 63 provinces before the 2025 mergers; old codes stay valid on existing cards.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

_CCCD = re.compile(r"\d{12}")
_CARD = re.compile(r"\d{8}")
# Số lý lịch: 6 digits and 1–3 letters naming the provincial committee (domain.md §2.3).
_DOSSIER = re.compile(r"\d{6}[A-ZĐ]{1,3}")

MALE = "M"
FEMALE = "F"


@dataclass(frozen=True)
class CccdProblem:
    code: str
    message: str


def century_sex_digit(birth_year: int, sex: str) -> int:
    """Digit 4 of a CCCD: 0/1 for the 1900s, 2/3 for the 2000s, …; even for men."""
    century_index = (birth_year // 100) - 19
    return century_index * 2 + (1 if sex == FEMALE else 0)


def cccd_problems(
    number: str, *, birth_date: datetime.date | None = None, sex: str | None = None
) -> list[CccdProblem]:
    """Every way `number` disagrees with the CCCD structure and with the record it belongs to."""
    if not _CCCD.fullmatch(number):
        return [CccdProblem("cccd.format", _("A CCCD number has exactly 12 digits."))]
    problems = []
    if number[:3] not in PROVINCE_CODES:
        problems.append(
            CccdProblem(
                "cccd.province",
                _("The first three digits (%(code)s) are not a province code.")
                % {"code": number[:3]},
            )
        )
    digit = int(number[3])
    if birth_date is not None:
        if sex in (MALE, FEMALE) and digit != century_sex_digit(birth_date.year, sex):
            problems.append(
                CccdProblem(
                    "cccd.century_sex",
                    _(
                        "The fourth digit (%(digit)s) does not match the sex and birth century "
                        "(expected %(expected)s)."
                    )
                    % {"digit": digit, "expected": century_sex_digit(birth_date.year, sex)},
                )
            )
        elif (19 + digit // 2) != birth_date.year // 100:
            problems.append(
                CccdProblem(
                    "cccd.century_sex",
                    _("The fourth digit (%(digit)s) does not match the birth century.")
                    % {"digit": digit},
                )
            )
        if number[4:6] != f"{birth_date.year % 100:02d}":
            problems.append(
                CccdProblem(
                    "cccd.birth_year",
                    _("Digits 5–6 (%(digits)s) do not match the birth year %(year)s.")
                    % {"digits": number[4:6], "year": birth_date.year},
                )
            )
    return problems


def is_card_number(value: str) -> bool:
    return bool(_CARD.fullmatch(value))


def is_dossier_number(value: str) -> bool:
    return bool(_DOSSIER.fullmatch(value))
