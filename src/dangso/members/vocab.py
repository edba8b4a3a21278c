"""Reading the values people type in member lists into our codes (`members.choices`).

Every `parse_*` function returns the code, or None when it cannot tell; the importer reports
None as a value it does not recognise, so these functions guess only where one reading is
clearly meant. Words are compared without tone or letter marks, case, spaces, hyphens,
apostrophes and dots ("Ê-đê", "Êđê", "ê đê" are one key), and a cell still in a legacy
encoding is repaired first (`core.legacy`).

The code lists see the same few values on millions of rows, so each distinct cell is read
once and remembered (`functools.lru_cache`); dates and identifiers are read afresh (over a
million a second), as they rarely repeat.
"""

import datetime
import functools
import math
import re
from decimal import Decimal, InvalidOperation

from dangso.core.ids import PROVINCE_CODES
from dangso.core.legacy import repair_text
from dangso.core.text import fold
from dangso.members.choices import (
    ETHNICITIES,
    MemberStatus,
    Qualification,
    Religion,
    Sex,
    TheoryLevel,
)
from dangso.members.rules import normalise_phone

Cell = str | int | float | None
_CACHE = 4096
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _words(text: str) -> list[str]:
    """The folded words of a cell: 'Cử nhân - Luật' → ['cu', 'nhan', 'luat']."""
    return [word for word in _NOT_ALNUM.split(fold(repair_text(text))) if word]


def _key(text: str) -> str:
    """The folded cell with nothing but letters and digits: "H'Mông" → 'hmong'."""
    return "".join(_words(text))


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _lookup(table: dict[str, str], text: str, *, prefixes: bool = False) -> str | None:
    """The code of the whole key, or (with `prefixes`) of its first words: 'Cử nhân Luật' is
    read through 'cử nhân', 'ThS. Quản lý' through 'ths'."""
    words = _words(text)
    code = table.get("".join(words))
    if code is None and prefixes:
        for count in range(len(words) - 1, 0, -1):
            code = table.get("".join(words[:count]))
            if code is not None:
                break
    return code


def _table(entries: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Code → spellings, turned into key → code."""
    return {_key(spelling): code for code, spellings in entries.items() for spelling in spellings}


# --- sex ---------------------------------------------------------------------------------

_SEX = _table({
    Sex.MALE.value: ("Nam", "M", "Male", "Nam giới", "Ông", "Trai"),
    Sex.FEMALE.value: ("Nữ", "F", "Female", "Nữ giới", "Bà", "Gái"),
})  # fmt: skip


def parse_sex(text: Cell) -> str | None:
    """ "M" or "F". Numbers ("1", "0") are not read: lists disagree on which is which."""
    return _sex(_text(text))


@functools.lru_cache(maxsize=_CACHE)
def _sex(text: str) -> str | None:
    return _lookup(_SEX, text)


# --- ethnicity ---------------------------------------------------------------------------

# Other spellings and older names of the 54 groups (Danh mục các dân tộc Việt Nam, Tổng cục
# Thống kê). Proper names: not translated.
_ETHNIC_ALIASES: dict[str, tuple[str, ...]] = {
    "01": ("Việt", "Kinh (Việt)", "Việt (Kinh)"),
    "03": ("Tai",),
    "04": ("Hán", "Người Hoa", "Hoa (Hán)"),
    "05": ("Khơ-me", "Khơ me", "Khơme", "Khmer Krom", "Khơ-me Crôm"),
    "08": ("H'Mông", "Hmông", "Hmong", "Mèo", "Mông (Mèo)"),
    "09": ("Mán",),
    "10": ("Gia-rai", "Jrai", "Jarai", "Giarai"),
    "12": ("Ê-đê", "Êđê", "Rađê", "Ra-đê", "Rhade", "Ede"),
    "13": ("Ba-na", "Bahnar"),
    "14": ("Xơ-đăng", "Xê Đăng", "Sedang"),
    "15": ("Sán Chỉ", "Cao Lan", "Cao Lan - Sán Chỉ", "Sán Chay (Cao Lan - Sán Chỉ)"),
    "16": ("K'Ho", "Kơ Ho", "Koho", "Cơ-ho"),
    "17": ("Chàm", "Cham"),
    "19": ("H're", "Hrê", "H'rê"),
    "20": ("M'Nông", "Mơ Nông", "Mnong"),
    "21": ("Raglai", "Ra-glai", "Rắc Lây"),
    "22": ("X'Tiêng", "Stiêng", "Xa Điêng"),
    "23": ("Bru-Vân Kiều", "Bru Vân Kiều", "Vân Kiều", "Bru"),
    "26": ("Ca Tu", "Katu", "Cơ-tu"),
    "27": ("Gié-Triêng", "Giẻ-Triêng", "Gié Triêng", "Giẻ", "Triêng"),
    "29": ("Khơ-mú", "Khmu", "Kmhmu", "Xá Cẩu"),
    "31": ("Tà-ôi", "Pa Cô", "Pa-cô", "Pacoh"),
    "32": ("Chơ-ro", "Châu Ro"),
    "34": ("Xinh-mun",),
    "36": ("Chu-ru",),
    "40": ("Phù-lá",),
    "42": ("Lữ",),
    "43": ("Lô-lô",),
    "46": ("Pà Hưng", "Pà-thẻn"),
    "47": ("Cờ Lao",),
    "49": ("Bố-y",),
    "51": ("Pu-péo",),
    "53": ("Ơ-đu",),
    "54": ("Rơ-măm",),
}
_ETHNICITY = _table({code: (name,) for code, name in ETHNICITIES})
_ETHNICITY.update(_table(_ETHNIC_ALIASES))
_ETHNIC_CODES = frozenset(code for code, _name in ETHNICITIES)


def parse_ethnicity(text: Cell) -> str | None:
    """The two-digit code ("01" Kinh … "54" Rơ Măm) of a group's name, one of its other
    spellings or older names, or its code ("1", "01")."""
    return _ethnicity(_text(text))


@functools.lru_cache(maxsize=_CACHE)
def _ethnicity(text: str) -> str | None:
    key = _key(text)
    if key.isdigit():
        code = key.zfill(2)
        return code if code in _ETHNIC_CODES else None
    return _ETHNICITY.get(key.removeprefix("dantoc"))


# --- religion ----------------------------------------------------------------------------

_RELIGION = _table({
    Religion.NONE.value: ("Không", "Không có", "Không tôn giáo", "Không theo tôn giáo",
                          "Không theo đạo", "Vô thần", "-"),
    Religion.BUDDHISM.value: ("Phật", "Phật giáo", "Đạo Phật", "Theo đạo Phật"),
    Religion.CATHOLICISM.value: ("Công giáo", "Thiên Chúa", "Thiên Chúa giáo", "Đạo Thiên Chúa",
                                 "Đạo Công giáo", "Catholic"),
    Religion.PROTESTANTISM.value: ("Tin lành", "Tin Lành giáo", "Đạo Tin lành", "Protestant"),
    Religion.CAODAISM.value: ("Cao Đài", "Đạo Cao Đài", "Cao Đài giáo"),
    Religion.HOAHAO.value: ("Hòa Hảo", "Phật giáo Hòa Hảo", "Đạo Hòa Hảo"),
    Religion.ISLAM.value: ("Hồi giáo", "Hồi", "Đạo Hồi", "Islam", "Chăm Bàni"),
    Religion.OTHER.value: ("Khác", "Tôn giáo khác", "Bà La Môn", "Baha'i", "Tứ Ân Hiếu Nghĩa",
                           "Bửu Sơn Kỳ Hương", "Minh Sư Đạo", "Minh Lý Đạo"),
})  # fmt: skip


def parse_religion(text: Cell) -> str | None:
    """The Religion code; an empty cell is "none". "Kitô giáo" and "Cơ Đốc giáo" (Christian,
    without saying which church) are not read."""
    return _religion(_text(text))


@functools.lru_cache(maxsize=_CACHE)
def _religion(text: str) -> str | None:
    if not text.strip():
        return Religion.NONE.value
    return _lookup(_RELIGION, text)


# --- professional qualification and political theory -------------------------------------

_QUALIFICATION = _table({
    Qualification.NONE.value: ("Không", "Không có", "Chưa qua đào tạo", "Chưa", "-",
                               "Lao động phổ thông", "LĐPT"),
    Qualification.ELEMENTARY.value: ("Sơ cấp", "SC", "Sơ cấp nghề", "Công nhân kỹ thuật",
                                     "CNKT"),
    Qualification.INTERMEDIATE.value: ("Trung cấp", "TC", "Trung cấp nghề", "TCN",
                                       "Trung học chuyên nghiệp", "THCN"),
    Qualification.COLLEGE.value: ("Cao đẳng", "CĐ", "Cao đẳng nghề", "CĐN"),
    Qualification.BACHELOR.value: ("Đại học", "ĐH", "Cử nhân", "CN", "Kỹ sư", "Kĩ sư", "KS",
                                   "Bác sĩ", "Bác sỹ", "BS", "Dược sĩ", "Dược sỹ", "DS",
                                   "Kiến trúc sư", "KTS", "Luật sư"),
    Qualification.MASTER.value: ("Thạc sĩ", "Thạc sỹ", "ThS", "Cao học", "Bác sĩ chuyên khoa I",
                                 "Bác sĩ nội trú"),
    Qualification.DOCTOR.value: ("Tiến sĩ", "Tiến sỹ", "TS", "TSKH", "Tiến sĩ khoa học", "PGS",
                                 "GS", "Phó giáo sư", "Giáo sư", "PGS TS", "GS TS",
                                 "Bác sĩ chuyên khoa II"),
})  # fmt: skip


def parse_qualification(text: Cell) -> str | None:
    """The Qualification code, read from the cell or its first words ("Cử nhân Luật", "Kỹ sư
    xây dựng", "ThS. Quản lý giáo dục"); an empty cell is "none"."""
    return _qualification(_text(text))


@functools.lru_cache(maxsize=_CACHE)
def _qualification(text: str) -> str | None:
    if not text.strip():
        return Qualification.NONE.value
    return _lookup(_QUALIFICATION, text, prefixes=True)


_THEORY = _table({
    TheoryLevel.NONE.value: ("Không", "Không có", "Chưa", "Chưa qua đào tạo", "Chưa học", "-"),
    TheoryLevel.ELEMENTARY.value: ("Sơ cấp", "SC", "SCLLCT", "Sơ cấp chính trị"),
    TheoryLevel.INTERMEDIATE.value: ("Trung cấp", "TC", "TCLLCT", "Trung cấp chính trị",
                                     "Trung cấp LLCT"),
    TheoryLevel.ADVANCED.value: ("Cao cấp", "CC", "CCLLCT", "Cao cấp chính trị",
                                 "Cao cấp LLCT"),
    TheoryLevel.BACHELOR.value: ("Cử nhân", "CN", "CNCT", "Cử nhân chính trị", "CNLLCT",
                                 "Cử nhân LLCT"),
})  # fmt: skip


def parse_theory(text: Cell) -> str | None:
    """The TheoryLevel code ("Trung cấp lý luận chính trị - hành chính" → intermediate); an
    empty cell is "none"."""
    return _theory(_text(text))


@functools.lru_cache(maxsize=_CACHE)
def _theory(text: str) -> str | None:
    if not text.strip():
        return TheoryLevel.NONE.value
    return _lookup(_THEORY, text, prefixes=True)


# --- general education -------------------------------------------------------------------

_GRADE = re.compile(r"(?:lop)?(\d{1,2})(?:/(10|12))?(?![\d/])")
_EDUCATION_WORDS = _table({
    "12/12": ("THPT", "PTTH", "Tốt nghiệp THPT", "Tốt nghiệp PTTH", "Trung học phổ thông",
              "Phổ thông trung học"),
    "9/12": ("THCS", "PTCS", "Tốt nghiệp THCS", "Trung học cơ sở", "Phổ thông cơ sở"),
    "5/12": ("Tiểu học", "Tốt nghiệp tiểu học"),
})  # fmt: skip


def parse_education(text: Cell | datetime.date) -> str | None:
    """General education as grade/system: "12/12", "9/12", "10/10", "7/10" …

    "12/12 bổ túc", "lớp 12", "12 / 12" give "12/12"; "THPT" gives "12/12", "THCS" "9/12".
    A lone grade is read only where it cannot mean two things: 11 and 12 exist only in the
    12-year system (→ "11/12", "12/12"), and 10 is the last grade of the 10-year system the
    North had until the 1981 reform, which is what someone means who writes just "10" (a
    12-year pupil who left after grade 10 writes "10/12"). Other lone grades (9: 9/12 or
    9/10?) give None, for the officer to say. A cell Excel turned into a date (12/12 → 12
    December, 9/12 → 9 December or 12 September) is read back; only one of its two readings
    is ever a grade/system.
    """
    if isinstance(text, datetime.date):
        return _education_from_date(text)
    if isinstance(text, int | float) and not isinstance(text, bool) and text > 100:
        day = _excel_date(text)
        return _education_from_date(day) if day else None
    return _education(_text(text))


def _education_from_date(day: datetime.date) -> str | None:
    for grade, system in ((day.day, day.month), (day.month, day.day)):
        if system in (10, 12) and 1 <= grade <= system:
            return f"{grade}/{system}"
    return None


@functools.lru_cache(maxsize=_CACHE)
def _education(text: str) -> str | None:
    known = _EDUCATION_WORDS.get(_key(text))
    if known:
        return known
    match = _GRADE.match("".join(fold(text).split()).replace("-", "/"))
    if match is None:
        return None
    grade, system = int(match[1]), match[2]
    if system is None:
        if grade in (11, 12):
            return f"{grade}/12"
        return "10/10" if grade == 10 else None
    if not 1 <= grade <= int(system):
        return None
    return f"{grade}/{system}"


# --- dates -------------------------------------------------------------------------------

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DAY_FIRST = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})" + _TIME)
_YEAR_FIRST = re.compile(r"(\d{4})([./-])(\d{1,2})\2(\d{1,2})" + _TIME)
_IN_WORDS = re.compile(r"(?:ngay)?\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_FIRST_YEAR = 1800
_LAST_YEAR = 2100


def parse_date(value: Cell | datetime.date) -> datetime.date | None:
    """A date from a cell: a date or datetime, an Excel serial number (1900 system, as
    python-calamine gives for unformatted cells: 33238.0 → 31/12/1990), or text "31/12/1990",
    "1/2/1990", "31-12-1990", "31.12.1990", "1990-12-31", "ngày 31 tháng 12 năm 1990".

    Day first, always: "12/31/1990" is not a date. Incomplete dates ("12/1990", "1990") and
    two-digit years give None, as do days that do not exist (31/02/1990). A number from 1800
    to 2100 is a year typed alone, not the serial of a day in 1904–1905.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if _FIRST_YEAR <= value <= _LAST_YEAR:
            return None
        return _excel_date(value)
    return _date_text(value)


def _excel_date(serial: float) -> datetime.date | None:
    """Excel's 1900 date system, which counts a 29 February 1900 that never was (serial 60)."""
    if not math.isfinite(serial) or not 1 <= serial < 2958466:
        return None
    days = int(serial)
    if days == 60:
        return None
    if days < 60:
        days += 1
    return _EXCEL_EPOCH + datetime.timedelta(days=days)


def _date_text(text: str) -> datetime.date | None:
    text = text.strip()
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := _YEAR_FIRST.fullmatch(text):
        year, month, day = int(match[1]), int(match[3]), int(match[4])
    elif (match := _IN_WORDS.fullmatch(fold(text))) is not None:
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    else:
        return None
    if year < _FIRST_YEAR:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


# --- status ------------------------------------------------------------------------------

_STATUS = _table({
    MemberStatus.OFFICIAL.value: ("Chính thức", "Đảng viên chính thức", "ĐVCT", "CT"),
    MemberStatus.PROBATIONARY.value: ("Dự bị", "Đảng viên dự bị", "ĐVDB", "DB"),
    MemberStatus.EXEMPT.value: ("Miễn sinh hoạt", "Miễn SH", "Miễn công tác và sinh hoạt",
                                "Miễn công tác và sinh hoạt đảng", "Miễn công tác, sinh hoạt",
                                "Miễn CT và SH", "Miễn CT, SH", "Miễn sinh hoạt đảng"),
    MemberStatus.TRANSFERRED_OUT.value: ("Chuyển đi", "Đã chuyển đi", "Chuyển sinh hoạt",
                                         "Đã chuyển sinh hoạt", "Chuyển sinh hoạt chính thức"),
    MemberStatus.REMOVED.value: ("Xóa tên", "Xoá tên", "Đã xóa tên", "Bị xóa tên",
                                 "Xóa tên khỏi danh sách"),
    MemberStatus.EXPELLED.value: ("Khai trừ", "Bị khai trừ", "Đã khai trừ",
                                  "Khai trừ khỏi Đảng"),
    MemberStatus.DECEASED.value: ("Từ trần", "Đã từ trần", "Qua đời", "Đã qua đời", "Đã mất",
                                  "Mất", "Chết", "Đã chết", "Từ trần (đã mất)"),
})  # fmt: skip


def parse_status(text: Cell) -> str | None:
    """The MemberStatus of a list's status cell. States we do not record as a status
    (suspended, left at own request, temporarily elsewhere) give None."""
    return _status(_text(text))


@functools.lru_cache(maxsize=_CACHE)
def _status(text: str) -> str | None:
    return _lookup(_STATUS, text)


# --- identifiers -------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s.\-_/()'\u00a0]+")
_WHOLE_FLOAT = re.compile(r"(\d+)\.0+")
_SCIENTIFIC = re.compile(r"(\d)(?:\.(\d+))?[eE]\+?(\d{1,2})")


def clean_digits(text: Cell) -> str:
    """The digits of an identifier cell, as Excel and CSV exports leave it: 27090001234.0 →
    "27090001234", "2.7090001234E+10" → "27090001234", "'027 090 001 234" → "027090001234".

    Leading zeros a number lost are not restored here (see `clean_cccd`, `clean_card`,
    `clean_phone`). A cell with anything but digits and separators comes back stripped, for
    the rules to report; scientific notation that dropped digits ("2.709E+10") is left as it
    is rather than filled with zeros.
    """
    if text is None or isinstance(text, bool):
        return ""
    if isinstance(text, float):
        if not math.isfinite(text):
            return ""
        return str(int(text)) if text.is_integer() else str(text)
    if isinstance(text, int):
        return str(text)
    value = text.strip().lstrip("'").strip()
    if match := _WHOLE_FLOAT.fullmatch(value):
        return match[1]
    if match := _SCIENTIFIC.fullmatch(value):
        digits = match[1] + (match[2] or "")
        if len(digits) == int(match[3]) + 1:
            try:
                return str(int(Decimal(value)))
            except InvalidOperation:
                return value
        return value
    digits = _SEPARATORS.sub("", value)
    return digits if digits.isdigit() else value


def clean_cccd(value: Cell) -> str:
    """A CCCD number (12 digits). Every province code starts with 0 (001 Hà Nội … 096 Cà Mau),
    so a CCCD stored as a number has 10 or 11 digits; they are padded back to 12 when the
    padded number starts with a real province code. Nine digits are an old CMND number and
    are left alone."""
    digits = clean_digits(value)
    if digits.isdigit() and len(digits) in (10, 11):
        padded = digits.zfill(12)
        if padded[:3] in PROVINCE_CODES:
            return padded
    return digits


_CARD_DIGITS = 8


def clean_card(value: Cell) -> str:
    """A party card number (8 digits). Six or seven digits are a number cell that lost its
    leading zeros and are padded back; fewer are left for the rules to report."""
    digits = clean_digits(value)
    if digits.isdigit() and _CARD_DIGITS - 2 <= len(digits) < _CARD_DIGITS:
        return digits.zfill(_CARD_DIGITS)
    return digits


def clean_phone(value: Cell) -> str:
    """A phone number: "0912 345 678", "+84 912.345.678" → "0912345678". A number cell that
    lost its 0 gets it back: nine digits starting 3, 5, 7, 8 or 9 (mobile), ten starting 2
    (a landline with its 02x area code)."""
    phone = normalise_phone(clean_digits(value))
    if phone.isdigit() and (
        (len(phone) == 9 and phone[0] in "35789") or (len(phone) == 10 and phone[0] == "2")
    ):
        return "0" + phone
    return phone
