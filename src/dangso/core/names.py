"""Vietnamese name tables for demo data and tests: family + middle + given, weighted.

Faker's vi_VN names are in Western order and carry honorifics (stack-notes §7), so we keep our
own tables. Family-name weights follow the commonly cited shares (Nguyễn ≈ 38 %).
"""

import datetime
import random

from dangso.core.ids import PROVINCE_CODES, century_sex_digit

FAMILY_NAMES: list[tuple[str, float]] = [
    ("Nguyễn", 38.4), ("Trần", 12.1), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 5.1),
    ("Huỳnh", 2.0), ("Phan", 4.5), ("Vũ", 3.9), ("Võ", 1.9), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.8),
    ("Trương", 0.6), ("Mai", 0.4), ("Lương", 0.4), ("Đào", 0.6), ("Tạ", 0.3), ("Hà", 0.5),
    ("Lâm", 0.3), ("Cao", 0.4), ("Chu", 0.3), ("Kiều", 0.2), ("Tô", 0.2), ("Quách", 0.1),
]  # fmt: skip
MALE_MIDDLE = [
    "Văn",
    "Văn",
    "Văn",
    "Đức",
    "Minh",
    "Quang",
    "Hữu",
    "Công",
    "Xuân",
    "Thanh",
    "Ngọc",
    "Duy",
    "Tiến",
    "Mạnh",
    "Đình",
    "Quốc",
    "Trọng",
    "Anh",
    "Hoàng",
    "Bá",
]
FEMALE_MIDDLE = [
    "Thị",
    "Thị",
    "Thị",
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Minh",
    "Hồng",
    "Phương",
    "Kim",
    "Mai",
    "Bích",
    "Thùy",
    "Diệu",
    "Hải",
    "Lan",
    "Khánh",
    "Quỳnh",
    "Tuyết",
]
MALE_GIVEN = [
    "Anh",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Giang",
    "Hải",
    "Hiếu",
    "Hoàng",
    "Hùng",
    "Huy",
    "Khánh",
    "Khoa",
    "Kiên",
    "Lâm",
    "Long",
    "Minh",
    "Nam",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Quân",
    "Quang",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Thịnh",
    "Toàn",
    "Trung",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Hưng",
    "Lộc",
    "Tâm",
    "Tiến",
    "Hòa",
    "Đạt",
]
FEMALE_GIVEN = ["Anh", "Ánh", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền",
                "Hoa", "Hồng", "Huyền", "Hương", "Lan", "Linh", "Loan", "Mai", "My", "Nga",
                "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Thảo", "Thơ",
                "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Yến", "Nhàn", "Xuân", "Hậu",
                "Nhi"]  # fmt: skip

_FAMILY, _FAMILY_WEIGHTS = zip(*FAMILY_NAMES, strict=True)


def random_name(rng: random.Random, sex: str) -> str:
    family = rng.choices(_FAMILY, weights=_FAMILY_WEIGHTS)[0]
    if sex == "F":
        return f"{family} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"
    return f"{family} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"


def random_cccd(rng: random.Random, birth: datetime.date, sex: str, province: str = "") -> str:
    """A CCCD number consistent with birth year and sex (structure only; not a real person)."""
    code = province or rng.choice(list(PROVINCE_CODES))
    digit = century_sex_digit(birth.year, sex)
    return f"{code}{digit}{birth.year % 100:02d}{rng.randrange(10**6):06d}"


def random_phone(rng: random.Random) -> str:
    prefix = rng.choice(["032", "033", "034", "035", "036", "037", "038", "039", "070", "076",
                         "077", "078", "079", "081", "082", "083", "084", "085", "086", "088",
                         "089", "090", "091", "093", "094", "096", "097", "098"])  # fmt: skip
    return f"{prefix}{rng.randrange(10**7):07d}"
