import datetime

import pytest

from dangso.core.legacy import from_unicode
from dangso.core.text import fold
from dangso.members import vocab
from dangso.members.choices import ETHNICITIES, MemberStatus, Qualification, Religion, TheoryLevel
from dangso.members.rules import EDUCATION, PHONE
from dangso.members.vocab import (
    clean_card,
    clean_cccd,
    clean_digits,
    clean_phone,
    parse_date,
    parse_education,
    parse_ethnicity,
    parse_qualification,
    parse_religion,
    parse_sex,
    parse_status,
    parse_theory,
)


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("Nam", "M"), ("nam", "M"), ("NAM", "M"), (" Nam ", "M"), ("M", "M"), ("m", "M"),
        ("male", "M"), ("Male", "M"), ("Nam giới", "M"), ("Ông", "M"),
        ("Nữ", "F"), ("nữ", "F"), ("NỮ", "F"), ("nu", "F"), ("Nu", "F"), ("F", "F"),
        ("female", "F"), ("Nữ giới", "F"), ("Bà", "F"), ("Nu\u031b\u0303", "F"),
        (from_unicode("Nữ", "tcvn3"), "F"), (from_unicode("Nữ", "vni"), "F"),
        ("1", None), ("0", None), (1.0, None), ("", None), (None, None), ("Nam/Nữ", None),
        ("X", None),
    ],
)  # fmt: skip
def test_parse_sex(text, sex):
    assert parse_sex(text) == sex


@pytest.mark.parametrize(("code", "name"), ETHNICITIES)
def test_every_official_ethnic_name_is_read(code, name):
    assert parse_ethnicity(name) == code
    assert parse_ethnicity(name.upper()) == code
    assert parse_ethnicity(fold(name)) == code
    assert parse_ethnicity(f"Dân tộc {name}") == code


def test_the_54_names_are_distinct_keys():
    assert len({vocab._key(name) for _code, name in ETHNICITIES}) == 54


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Kinh", "01"), ("Việt", "01"), ("Kinh (Việt)", "01"), ("kinh", "01"), ("KINH", "01"),
        ("Khơ-me", "05"), ("Khmer", "05"), ("Khơ me", "05"), ("Khơme", "05"),
        ("Mông", "08"), ("H'Mông", "08"), ("Hmông", "08"), ("Mèo", "08"), ("HMông", "08"),
        ("Ê Đê", "12"), ("Ê-đê", "12"), ("Êđê", "12"), ("Rađê", "12"), ("ê đê", "12"),
        ("Gia Rai", "10"), ("Gia-rai", "10"), ("Jrai", "10"),
        ("Ba Na", "13"), ("Bahnar", "13"), ("Xơ Đăng", "14"), ("Xơ-đăng", "14"),
        ("Cơ Ho", "16"), ("K'Ho", "16"), ("Mnông", "20"), ("M'Nông", "20"),
        ("Xtiêng", "22"), ("X'Tiêng", "22"), ("Stiêng", "22"),
        ("Bru - Vân Kiều", "23"), ("Bru-Vân Kiều", "23"), ("Vân Kiều", "23"),
        ("Cơ Tu", "26"), ("Katu", "26"), ("Tà Ôi", "31"), ("Tà-ôi", "31"), ("Pa Cô", "31"),
        ("Giẻ Triêng", "27"), ("Gié-Triêng", "27"), ("Chơ Ro", "32"), ("Châu Ro", "32"),
        ("Khơ Mú", "29"), ("Khơ-mú", "29"), ("Thổ", "24"),
        ("Sán Chay", "15"), ("Sán Chỉ", "15"), ("Cao Lan", "15"),
        ("Pà Thẻn", "46"), ("Pà Hưng", "46"), ("Lự", "42"), ("Lữ", "42"),
        ("Rơ Măm", "54"), ("Rơ-măm", "54"), ("Hrê", "19"), ("H're", "19"),
        ("Ra Glai", "21"), ("Raglai", "21"), ("Hoa", "04"), ("Hán", "04"),
        ("Nùng", "07"), ("Thái", "03"), ("Tày", "02"), ("Mường", "06"), ("Chăm", "17"),
        ("Chàm", "17"), ("Bố Y", "49"), ("Lào", "37"),
        (from_unicode("Mường", "tcvn3"), "06"), (from_unicode("Ê Đê", "vni"), "12"),
        ("1", "01"), ("01", "01"), (1, "01"), (1.0, "01"), ("54", "54"), (54.0, "54"),
        ("0", None), ("55", None), ("100", None), ("", None), (None, None),
        ("Người nước ngoài", None), ("Kinh, Hoa", None), ("Tay", "02"),
    ],
)  # fmt: skip
def test_parse_ethnicity(text, code):
    assert parse_ethnicity(text) == code


@pytest.mark.parametrize(
    ("text", "religion"),
    [
        ("", Religion.NONE), ("  ", Religion.NONE), (None, Religion.NONE),
        ("Không", Religion.NONE), ("không có", Religion.NONE), ("KHÔNG", Religion.NONE),
        ("-", Religion.NONE), ("Không theo tôn giáo", Religion.NONE),
        ("Phật giáo", Religion.BUDDHISM), ("Đạo Phật", Religion.BUDDHISM),
        ("Phật", Religion.BUDDHISM),
        ("Công giáo", Religion.CATHOLICISM), ("Thiên Chúa giáo", Religion.CATHOLICISM),
        ("Đạo Thiên Chúa", Religion.CATHOLICISM),
        ("Tin lành", Religion.PROTESTANTISM), ("Tin Lành", Religion.PROTESTANTISM),
        ("Cao Đài", Religion.CAODAISM), ("Hòa Hảo", Religion.HOAHAO),
        ("Hoà Hảo", Religion.HOAHAO), ("Phật giáo Hòa Hảo", Religion.HOAHAO),
        ("Hồi giáo", Religion.ISLAM), ("Islam", Religion.ISLAM),
        ("Khác", Religion.OTHER), ("Bà La Môn", Religion.OTHER),
        ("Kitô giáo", None), ("Cơ Đốc giáo", None), ("Có", None), ("1", None),
    ],
)  # fmt: skip
def test_parse_religion(text, religion):
    assert parse_religion(text) == (religion.value if religion else None)


@pytest.mark.parametrize(
    ("text", "qualification"),
    [
        ("", Qualification.NONE), ("Không", Qualification.NONE),
        ("Chưa qua đào tạo", Qualification.NONE),
        ("Sơ cấp", Qualification.ELEMENTARY), ("Sơ cấp nghề", Qualification.ELEMENTARY),
        ("Trung cấp", Qualification.INTERMEDIATE), ("TC", Qualification.INTERMEDIATE),
        ("Trung cấp kế toán", Qualification.INTERMEDIATE), ("THCN", Qualification.INTERMEDIATE),
        ("Cao đẳng", Qualification.COLLEGE), ("CĐ", Qualification.COLLEGE),
        ("Cao đẳng sư phạm", Qualification.COLLEGE),
        ("Đại học", Qualification.BACHELOR), ("ĐH", Qualification.BACHELOR),
        ("đh", Qualification.BACHELOR), ("Cử nhân", Qualification.BACHELOR),
        ("Cử nhân Luật", Qualification.BACHELOR), ("Kỹ sư", Qualification.BACHELOR),
        ("Kĩ sư xây dựng", Qualification.BACHELOR), ("Bác sĩ", Qualification.BACHELOR),
        ("Đại học tại chức", Qualification.BACHELOR),
        ("Thạc sĩ", Qualification.MASTER), ("Thạc sỹ", Qualification.MASTER),
        ("ThS", Qualification.MASTER), ("ThS. Quản lý giáo dục", Qualification.MASTER),
        ("Tiến sĩ", Qualification.DOCTOR), ("TS", Qualification.DOCTOR),
        ("PGS.TS", Qualification.DOCTOR), ("TSKH", Qualification.DOCTOR),
        ("12/12", None), ("Giỏi", None), ("Sau đại học", None),
    ],
)  # fmt: skip
def test_parse_qualification(text, qualification):
    assert parse_qualification(text) == (qualification.value if qualification else None)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("", TheoryLevel.NONE), ("Không", TheoryLevel.NONE), ("Chưa", TheoryLevel.NONE),
        ("Sơ cấp", TheoryLevel.ELEMENTARY), ("SC", TheoryLevel.ELEMENTARY),
        ("Trung cấp", TheoryLevel.INTERMEDIATE), ("TC", TheoryLevel.INTERMEDIATE),
        ("Trung cấp LLCT", TheoryLevel.INTERMEDIATE), ("TCLLCT", TheoryLevel.INTERMEDIATE),
        ("Trung cấp lý luận chính trị - hành chính", TheoryLevel.INTERMEDIATE),
        ("Cao cấp", TheoryLevel.ADVANCED), ("CC", TheoryLevel.ADVANCED),
        ("Cao cấp lý luận chính trị", TheoryLevel.ADVANCED),
        ("Cử nhân", TheoryLevel.BACHELOR), ("CN", TheoryLevel.BACHELOR),
        ("Cử nhân chính trị", TheoryLevel.BACHELOR),
        ("Đại học", None), ("Tốt", None),
    ],
)  # fmt: skip
def test_parse_theory(text, level):
    assert parse_theory(text) == (level.value if level else None)


@pytest.mark.parametrize(
    ("value", "education"),
    [
        ("12/12", "12/12"), ("10/10", "10/10"), ("9/12", "9/12"), ("7/10", "7/10"),
        ("10/12", "10/12"), (" 12 / 12 ", "12/12"), ("12-12", "12/12"),
        ("lớp 12", "12/12"), ("Lớp 12/12", "12/12"), ("12/12 bổ túc", "12/12"),
        ("12/12 (BTVH)", "12/12"), ("12", "12/12"), (12, "12/12"), (12.0, "12/12"),
        ("11", "11/12"), ("10", "10/10"), ("THPT", "12/12"), ("Tốt nghiệp THPT", "12/12"),
        ("THCS", "9/12"), ("Tiểu học", "5/12"),
        ("9", None), ("7", None), ("12/10", None), ("13/12", None), ("0/12", None),
        ("120", None), ("12/120", None), ("Đại học", None), ("", None), (None, None),
        # A cell Excel turned into a date, in either day/month order.
        (datetime.date(2024, 12, 12), "12/12"), (datetime.date(2024, 12, 9), "9/12"),
        (datetime.date(2024, 9, 12), "9/12"), (datetime.date(2024, 10, 7), "7/10"),
        (datetime.datetime(2024, 10, 10), "10/10"), (datetime.date(2024, 3, 4), None),
        (46003.0, "12/12"),
    ],
)  # fmt: skip
def test_parse_education(value, education):
    assert parse_education(value) == education
    if education:
        assert EDUCATION.fullmatch(education)


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (datetime.date(1990, 12, 31), datetime.date(1990, 12, 31)),
        (datetime.datetime(1990, 12, 31, 14, 30), datetime.date(1990, 12, 31)),
        (33238.0, datetime.date(1990, 12, 31)), (33238, datetime.date(1990, 12, 31)),
        (33238.75, datetime.date(1990, 12, 31)), (1.0, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)), (61, datetime.date(1900, 3, 1)),
        (45658.0, datetime.date(2025, 1, 1)),
        ("31/12/1990", datetime.date(1990, 12, 31)), ("1/2/1990", datetime.date(1990, 2, 1)),
        ("01/02/1990", datetime.date(1990, 2, 1)), ("31-12-1990", datetime.date(1990, 12, 31)),
        ("31.12.1990", datetime.date(1990, 12, 31)), ("1990-12-31", datetime.date(1990, 12, 31)),
        ("  31/12/1990 ", datetime.date(1990, 12, 31)),
        ("1990-12-31 00:00:00", datetime.date(1990, 12, 31)),
        ("31/12/1990 08:15", datetime.date(1990, 12, 31)),
        ("ngày 31 tháng 12 năm 1990", datetime.date(1990, 12, 31)),
        ("29/02/2000", datetime.date(2000, 2, 29)),
        ("12/31/1990", None), ("31/02/1990", None), ("29/02/1900", None), ("00/12/1990", None),
        ("12/1990", None), ("1990", None), (1990, None), (1990.0, None), ("31/12/90", None),
        ("31/12-1990", None), ("31 12 1990", None), ("33238", None), ("", None),
        ("không rõ", None), (None, None), (True, None), (60, None), (0, None), (-5.0, None),
        (float("nan"), None), (float("inf"), None), (1e12, None), ("01/01/0199", None),
    ],
)  # fmt: skip
def test_parse_date(value, day):
    assert parse_date(value) == day


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Chính thức", MemberStatus.OFFICIAL), ("chính thức", MemberStatus.OFFICIAL),
        ("Đảng viên chính thức", MemberStatus.OFFICIAL), ("ĐVCT", MemberStatus.OFFICIAL),
        ("Dự bị", MemberStatus.PROBATIONARY), ("DỰ BỊ", MemberStatus.PROBATIONARY),
        ("Đảng viên dự bị", MemberStatus.PROBATIONARY),
        ("Miễn sinh hoạt", MemberStatus.EXEMPT),
        ("Miễn công tác và sinh hoạt đảng", MemberStatus.EXEMPT),
        ("Đã chuyển đi", MemberStatus.TRANSFERRED_OUT), ("Xóa tên", MemberStatus.REMOVED),
        ("Xoá tên", MemberStatus.REMOVED), ("Khai trừ", MemberStatus.EXPELLED),
        ("Từ trần", MemberStatus.DECEASED), ("Đã mất", MemberStatus.DECEASED),
        ("Đình chỉ sinh hoạt", None), ("Xin ra khỏi Đảng", None), ("", None), ("x", None),
    ],
)  # fmt: skip
def test_parse_status(text, status):
    assert parse_status(text) == (status.value if status else None)


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        (27090001234.0, "27090001234"), (27090001234, "27090001234"),
        ("27090001234.0", "27090001234"), ("2.7090001234E+10", "27090001234"),
        ("2.7090001234e10", "27090001234"), ("'027090001234", "027090001234"),
        ("027 090 001 234", "027090001234"), ("027.090.001.234", "027090001234"),
        ("027-090-001-234", "027090001234"), ("027\u00a0090", "027090"),
        ("2.709E+10", "2.709E+10"),  # digits lost in the export: not filled with zeros
        ("Chưa có", "Chưa có"), ("", ""), (None, ""), (float("nan"), ""), (True, ""),
    ],
)  # fmt: skip
def test_clean_digits(value, digits):
    assert clean_digits(value) == digits


@pytest.mark.parametrize(
    ("value", "cccd"),
    [
        (27090001234.0, "027090001234"), ("27090001234", "027090001234"),
        (1090001234, "001090001234"), ("027090001234", "027090001234"),
        ("027 090 001 234", "027090001234"), ("2.7090001234E+10", "027090001234"),
        (3090001234, "3090001234"),  # 003 is no province code
        (99090001234, "99090001234"),  # nor is 099
        ("123456789", "123456789"),  # a 9-digit CMND number
        ("12345678901234", "12345678901234"), ("", ""),
    ],
)  # fmt: skip
def test_clean_cccd(value, cccd):
    assert clean_cccd(value) == cccd


@pytest.mark.parametrize(
    ("value", "card"),
    [
        (12345678.0, "12345678"), (1234567.0, "01234567"), ("123456", "00123456"),
        ("12345", "12345"), ("1234 5678", "12345678"), ("123456789", "123456789"), ("", ""),
    ],
)  # fmt: skip
def test_clean_card(value, card):
    assert clean_card(value) == card


@pytest.mark.parametrize(
    ("value", "phone"),
    [
        (912345678.0, "0912345678"), ("912345678", "0912345678"), (356789012, "0356789012"),
        ("0912 345 678", "0912345678"), ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"), ("84912345678", "0912345678"),
        ("(024) 3825 1234", "02438251234"), (2438251234, "02438251234"),
        ("0912345678", "0912345678"), ("112345678", "112345678"), ("123", "123"), ("", ""),
    ],
)  # fmt: skip
def test_clean_phone(value, phone):
    assert clean_phone(value) == phone
    if len(phone) >= 10:
        assert PHONE.fullmatch(phone)


@pytest.mark.parametrize(
    "parse",
    [parse_sex, parse_ethnicity, parse_religion, parse_qualification, parse_theory,
     parse_education, parse_date, parse_status, clean_digits, clean_cccd, clean_card,
     clean_phone],
)  # fmt: skip
def test_no_cell_makes_a_reader_fail(parse):
    for value in ["", " ", "?", "--", "§¨", "\u0300", "9" * 40, -1, 0, 1e300, None, "Nam Nữ"]:
        parse(value)
