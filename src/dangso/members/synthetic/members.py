"""Member lists in our import template, with defects planted at known rates and a manifest.

Rows are made in chunks by worker processes, each chunk seeded from (seed, chunk), so the same
seed gives the same file whatever the number of processes; chunks are streamed to disk in
order. CCCD and card numbers are unique by construction (bijections of per-chunk counters),
never through a global set, so memory stays flat at any size.
"""

import datetime
import json
import multiprocessing
import os
import random
import signal
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dangso.core.ids import PROVINCE_CODES
from dangso.core.names import FAMILY_NAMES, FEMALE_GIVEN, FEMALE_MIDDLE, MALE_GIVEN, MALE_MIDDLE
from dangso.core.text import fold
from dangso.members.synthetic.encodings import to_tcvn3, to_vni
from dangso.members.synthetic.template import (
    C_ADMISSION,
    C_BIRTH,
    C_CARD,
    C_CCCD,
    C_CELL,
    C_DOSSIER,
    C_EMAIL,
    C_ETHNICITY,
    C_NAME,
    C_OFFICIAL,
    C_OTHER,
    C_PHONE,
    C_SEX,
    TEMPLATE_HEADERS,
    UNKNOWN_ETHNICITIES,
    VARIANT_LABELS,
    VARIANTS,
)
from dangso.members.synthetic.tree import PROVINCES, OrgTree, _words

# --- people ------------------------------------------------------------------------------------

# The shared name tables of core.names, widened with further common given and middle names:
# with ~40 given names a national file would hold far more same-name, same-birthday pairs than
# real registers do, and every one of them would look like a planted duplicate.
_MORE_MALE_GIVEN = _words(
    "An Bảo Chiến Chính Công Danh Dương Điệp Định Đông Hào Hậu Hiển Hiệp Hoan Học Hợp Khải "
    "Khang Khiêm Lợi Luân Lực Nhân Ninh Phát Phương Quý Quyết Sang Sáng Tân Thái Thanh Thiện "
    "Thông Thuận Tín Trí Trường Tú Tường Vũ Vương Xuân Bằng Chung Doanh Hà Hiền Khương Lập "
    "Lương Ngọc Nguyên Nhật Phú Quảng Quyền Sĩ Tấn Thạch Thăng Thế Thọ Thuyết Tiệp Triều "
    "Tuyên Uy Vĩnh Ân Bắc Cảnh Chương Du Duy Đăng Đoàn Giáp Hạnh Hoàn Huân Kha Khiết Lãm Lĩnh "
    "Mừng Năng Ngân Nhất Phi Phụng Quế Sơn Thìn Thục Toản Trọng Tuệ Tưởng Ước Vượng Yên"
)
_MORE_FEMALE_GIVEN = _words(
    "Bích Cúc Diễm Diệp Dịu Đào Gấm Hải Hảo Hoài Hòa Huệ Hường Khánh Khuyên Kiều Lài Lệ Liên "
    "Liễu Lý Mơ Mỹ Nguyệt Nương Phượng Quế Sen Sương Tâm Thanh Thắm Thoa Thu Thúy Thư Tình "
    "Trâm Tú Vy Xoan Yên Ái Ân Ngà Bình Cẩm Châu Diệu Hiên Lam Lành Len Luyến Lụa Mến Miên Na "
    "Nhạn Phấn Soan Thêu Thìn Thơm Thùy Tươi Vui Đan Điệp Gương Hân Hiệp Hợp Khuê Liễu Lựu "
    "Mận Minh Ngát Nhài Nhiên Phúc Quý Sâm Sinh Thạch Thanh Thoan Thục Tiên Trà Tuyền Uyển Vinh"
)
_MORE_MALE_MIDDLE = _words("Viết Thế Kim Hồng Sỹ Gia Trung Phú Nhật Bảo Đăng Chí Khắc Tuấn Huy")
_MORE_FEMALE_MIDDLE = _words("Thúy Như Bảo Cẩm Hương Vân Ánh Hoài Thảo Bảo Khánh Yến")


def _unique(words: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(words))


# The shared tables weigh three times as much as the additions (they hold the commonest names).
MALE_GIVEN_POOL = [*MALE_GIVEN * 3, *_unique(w for w in _MORE_MALE_GIVEN if w not in MALE_GIVEN)]
FEMALE_GIVEN_POOL = [
    *FEMALE_GIVEN * 3, *_unique(w for w in _MORE_FEMALE_GIVEN if w not in FEMALE_GIVEN)
]  # fmt: skip
MALE_MIDDLE_POOL = [*MALE_MIDDLE * 3, *_MORE_MALE_MIDDLE]
FEMALE_MIDDLE_POOL = [*FEMALE_MIDDLE * 3, *_MORE_FEMALE_MIDDLE]
_FAMILIES = [name for name, _weight in FAMILY_NAMES]
_FAMILY_CUMULATIVE: list[float] = []
for _name, _weight in FAMILY_NAMES:
    _FAMILY_CUMULATIVE.append((_FAMILY_CUMULATIVE[-1] if _FAMILY_CUMULATIVE else 0) + _weight)
_FAMILY_TOTAL = _FAMILY_CUMULATIVE[-1] * 0.999_999  # bisect never runs past the last name


def _expand(pairs: Sequence[tuple[str, float]]) -> list[str]:
    """A list in which each value appears in proportion to its weight (pick by index)."""
    out: list[str] = []
    for value, weight in pairs:
        out.extend([value] * round(weight * 10))
    return out


_ETHNICITY_POOL = _expand([
    ("Kinh", 86), ("Tày", 2.2), ("Thái", 1.8), ("Mường", 1.5), ("Khmer", 1.2), ("Nùng", 1.1),
    ("Mông", 0.9), ("Hoa", 0.7), ("Dao", 0.8), ("Gia Rai", 0.4), ("Ê Đê", 0.4), ("Ba Na", 0.3),
    ("Sán Dìu", 0.2), ("Chăm", 0.2), ("Xơ Đăng", 0.2), ("Sán Chay", 0.2), ("Cơ Ho", 0.2),
    ("Hrê", 0.1), ("Mnông", 0.1), ("Thổ", 0.1), ("Giáy", 0.1), ("Cơ Tu", 0.1), ("Khơ Mú", 0.1),
])  # fmt: skip
_RELIGION_POOL = _expand([("Không", 90.5), ("Phật giáo", 5), ("Công giáo", 3), ("Tin lành", 0.4),
                          ("Cao Đài", 0.4), ("Hòa Hảo", 0.4), ("Hồi giáo", 0.1),
                          ("Khác", 0.2)])  # fmt: skip
_EDUCATION_POOL = _expand([("12/12", 84), ("10/10", 11), ("9/12", 3), ("7/10", 2)])
_QUALIFICATION_POOL = _expand([("Không", 18), ("Sơ cấp", 6), ("Trung cấp", 16), ("Cao đẳng", 8),
                               ("Đại học", 44), ("Thạc sĩ", 7), ("Tiến sĩ", 1)])  # fmt: skip
_THEORY_POOL = _expand([("Không", 8), ("Sơ cấp", 55), ("Trung cấp", 30), ("Cao cấp", 6),
                        ("Cử nhân", 1)])  # fmt: skip
_OCCUPATION_POOL = _expand([
    ("Nông dân", 22), ("Hưu trí", 20), ("Công chức", 12), ("Viên chức", 8), ("Giáo viên", 7),
    ("Công nhân", 6), ("Kinh doanh", 5), ("Cựu chiến binh", 5), ("Công an", 4), ("Quân nhân", 3),
    ("Bác sĩ", 2), ("Kỹ sư", 2), ("Lao động tự do", 3), ("Sinh viên", 1),
])  # fmt: skip
_POSITION_POOL = _expand([("", 84), ("Bí thư chi bộ", 3.5), ("Phó Bí thư chi bộ", 3.5),
                          ("Chi ủy viên", 9)])  # fmt: skip
_MOBILE_PREFIXES = _words(
    "032 033 034 035 036 037 038 039 070 076 077 078 079 081 082 083 084 085 086 088 089 090 091 "
    "093 094 096 097 098"
)
_MAIL_DOMAINS = _expand([("gmail.com", 80), ("yahoo.com", 8), ("vnpt.vn", 4), ("dcs.vn", 8)])
_BAD_PROVINCE_CODES = tuple(f"{n:03d}" for n in range(100) if f"{n:03d}" not in PROVINCE_CODES)
_ALL_CODES = tuple(PROVINCE_CODES)
_CONSONANTS = "bcdghklmnpqrstvx"


# --- defects -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Defect:
    kind: str
    expected: tuple[str, ...]  # rule codes that must flag the row ("" = accepted or repaired)
    paired: bool = False  # the manifest gives the earlier row it duplicates


DEFECTS: tuple[Defect, ...] = (
    Defect("cccd_century_sex", ("cccd.century_sex",)),
    Defect("cccd_birth_year", ("cccd.birth_year",)),
    Defect("cccd_province", ("cccd.province",)),
    Defect("cccd_11_digits", ("cccd.format",)),
    Defect("admission_under_18", ("age.admission_min",)),
    Defect("official_too_early", ("official.too_early",)),
    Defect("future_date", ("date.future",)),
    # No rule code for enumerations exists in members.rules yet: the importer's name for it.
    Defect("ethnicity_unknown", ("ethnicity.unknown",)),
    Defect("phone_bad", ("phone.format",)),
    Defect("email_bad", ("email.format",)),
    Defect("card_format", ("card.format",)),
    Defect("dossier_format", ("dossier.format",)),
    Defect("card_duplicate", ("card.duplicate",), paired=True),
    Defect("cccd_duplicate", ("cccd.duplicate",), paired=True),
    Defect("likely_duplicate", ("duplicate.likely",), paired=True),
    Defect("likely_duplicate_no_cccd", ("duplicate.likely", "cccd.missing"), paired=True),
    # Accepted after repair or mapping: listed with the value the importer must arrive at.
    Defect("enum_variant", ()),
    Defect("legacy_tcvn3", ()),
    Defect("legacy_vni", ()),
    Defect("nfd_name", ()),
)
DEFECT_KINDS = {defect.kind: defect for defect in DEFECTS}


# --- members -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberOptions:
    rows: int
    seed: int = 204
    defect_rate: float = 0.005  # of the rows, for each kind of defect
    today: datetime.date = field(default_factory=datetime.date.today)
    chunk_rows: int = 50_000


@dataclass
class ChunkResult:
    index: int
    rows: list[list[str]]  # empty when `text` holds them as CSV lines
    planted: dict[str, list[list[Any]]]
    text: bytes = b""


_HALF = 500_000  # CCCD serial pre-images: below for clean numbers, above for planted ones
_DATE_TEXT: dict[int, str] = {}


def _date_text(ordinal: int) -> str:
    text = _DATE_TEXT.get(ordinal)
    if text is None:
        day = datetime.date.fromordinal(ordinal)
        text = _DATE_TEXT[ordinal] = f"{day.day:02d}/{day.month:02d}/{day.year}"
    return text


def _birth_years(today: datetime.date) -> tuple[list[int], list[float]]:
    """Birth years of members on the roll and their cumulative weights: many retired members,
    the bulk born 1955–1995, the youngest 19 (so that every admission date can be in the past)."""
    years, cumulative, total = [], [], 0.0
    for year in range(1930, today.year - 19):
        age = today.year - year
        weight = 0.3 if age > 85 else 1.0 if age > 75 else 1.6 if age > 30 else 1.1
        if age < 24:
            weight = 0.4
        total += weight
        years.append(year)
        cumulative.append(total)
    return years, cumulative


class _Chunk:
    """One chunk of rows: the generator's state for it and the planted defects it made."""

    def __init__(self, tree: OrgTree, options: MemberOptions, index: int, chunks: int) -> None:
        self.tree = tree
        self.options = options
        self.index = index
        self.chunks = chunks
        self.rng = random.Random(f"members:{options.seed}:{index}")
        self.start = index * options.chunk_rows
        self.today = options.today.toordinal()
        self.serials: dict[str, int] = {}
        self.planted_serials = 0
        self.short_serials = 0
        self.planted: dict[str, list[list[Any]]] = {}

    # identifiers

    def cccd(self, code: str, year: int, female: bool) -> str:
        prefix = f"{code}{(year // 100 - 19) * 2 + female}{year % 100:02d}"
        count = self.serials.get(prefix, 0)
        self.serials[prefix] = count + 1
        preimage = count * self.chunks + self.index
        if preimage >= _HALF:
            raise OverflowError(f"too many CCCD numbers for {prefix}: make chunks larger")
        return prefix + _serial(prefix, preimage)

    def planted_cccd(self, prefix: str) -> str:
        """A number with a planted prefix whose serial no clean number uses (stays unique)."""
        preimage = _HALF + self.planted_serials * self.chunks + self.index
        self.planted_serials += 1
        if preimage >= 1_000_000:
            raise OverflowError("too many planted CCCD defects")
        return prefix + _serial(prefix, preimage)

    def card(self, row: int) -> str:
        return str(10_000_000 + (row * 7_368_787 + 7_919 * self.options.seed) % 90_000_000)

    # people

    def name(self, female: bool) -> str:
        rng = self.rng
        random_ = rng.random
        family = _FAMILIES[bisect_right(_FAMILY_CUMULATIVE, random_() * _FAMILY_TOTAL)]
        if female:
            middle = FEMALE_MIDDLE_POOL[int(random_() * len(FEMALE_MIDDLE_POOL))]
            if random_() < 0.18:
                second = FEMALE_MIDDLE_POOL[int(random_() * len(FEMALE_MIDDLE_POOL))]
                if second != middle:
                    middle = f"{middle} {second}" if middle == "Thị" else f"Thị {second}"
            given = FEMALE_GIVEN_POOL[int(random_() * len(FEMALE_GIVEN_POOL))]
        else:
            middle = MALE_MIDDLE_POOL[int(random_() * len(MALE_MIDDLE_POOL))]
            if random_() < 0.04:
                second = MALE_MIDDLE_POOL[int(random_() * len(MALE_MIDDLE_POOL))]
                if second != middle:
                    middle = f"{middle} {second}"
            given = MALE_GIVEN_POOL[int(random_() * len(MALE_GIVEN_POOL))]
        if given in middle.split():
            middle = "Thị" if female else "Văn"
        return f"{family} {middle} {given}"

    def make(self) -> ChunkResult:
        options, tree, rng = self.options, self.tree, self.rng
        random_ = rng.random
        count = min(options.chunk_rows, options.rows - self.start)
        today = self.today
        cells = rng.choices(
            range(len(tree.cell_codes)), cum_weights=_cell_cumulative(tree), k=count
        )
        years, year_weights = _birth_years(options.today)
        births = rng.choices(years, cum_weights=year_weights, k=count)
        rate = options.defect_rate
        defect_limit = rate * len(DEFECTS)
        rows: list[list[str]] = []
        people: list[tuple[bool, int, int, int | None, int, str]] = []  # for duplicates
        clean: list[int] = []  # rows of this chunk that a duplicate may copy
        used_sources: set[int] = set()
        communes = tree.communes
        n_communes = len(communes)
        province_communes = tree.province_communes
        cell_communes, cell_codes = tree.cell_communes, tree.cell_codes
        year_start = {year: datetime.date(year, 1, 1).toordinal() for year in years}
        date_text, card, make_cccd, make_name = _date_text, self.card, self.cccd, self.name
        ethnicities, n_ethnicities = _ETHNICITY_POOL, len(_ETHNICITY_POOL)
        religions, n_religions = _RELIGION_POOL, len(_RELIGION_POOL)
        educations, n_educations = _EDUCATION_POOL, len(_EDUCATION_POOL)
        qualifications, n_qualifications = _QUALIFICATION_POOL, len(_QUALIFICATION_POOL)
        theories, n_theories = _THEORY_POOL, len(_THEORY_POOL)
        occupations, n_occupations = _OCCUPATION_POOL, len(_OCCUPATION_POOL)
        positions, n_positions = _POSITION_POOL, len(_POSITION_POOL)
        mobiles, n_mobiles = _MOBILE_PREFIXES, len(_MOBILE_PREFIXES)
        all_codes, n_codes = _ALL_CODES, len(_ALL_CODES)
        for i in range(count):
            line = self.start + i + 2  # the header is line 1
            cell = cells[i]
            commune = communes[cell_communes[cell]]
            province = PROVINCES[commune.province]
            female = random_() < 0.34
            year = births[i]
            birth = year_start[year] + int(random_() * 365)
            u = random_()
            kind = DEFECTS[int(u / rate)].kind if u < defect_limit else ""
            # dates: admission at 18–60 (mostly young), recognised 12 months later (+0–59 days)
            low = birth + 6_600
            high = min(birth + 21_900, today - 30)
            admission = low + int((high - low) * random_() ** 2.2)
            if kind == "admission_under_18":
                admission = birth + 5_500 + int(random_() * 900)  # aged 15–17
            elif kind == "future_date":
                if random_() < 0.5:
                    admission = today + 5 + int(random_() * 300)
                else:
                    admission = today - 330 - int(random_() * 30)
                birth = admission - 6_600 - int(random_() * 12_000)
                year = datetime.date.fromordinal(birth).year
            elif kind == "official_too_early" and admission > today - 400:
                admission = today - 400 - int(random_() * 400)
                if admission - birth < 6_600:
                    birth = admission - 6_600 - int(random_() * 4_000)
                    year = datetime.date.fromordinal(birth).year
            official: int | None = admission + 366 + int(random_() * 60)
            if kind == "official_too_early":
                official = admission + 60 + int(random_() * 270)
            elif kind == "future_date":
                official = official if admission < today else None
            elif official is not None and official > today:
                official = None
            # where they come from
            roll = random_()
            if roll < 0.6:
                home = commune
            elif roll < 0.9:
                home_list = province_communes[commune.province]
                home = communes[home_list[int(random_() * len(home_list))]]
            else:
                home = communes[int(random_() * n_communes)]
            if random_() < 0.5:
                birthplace = home.place
            else:
                home_list = province_communes[home.province]
                birthplace = communes[home_list[int(random_() * len(home_list))]].place
            codes = PROVINCES[home.province].cccd_codes
            code = (codes[int(random_() * len(codes))] if random_() < 0.9
                    else all_codes[int(random_() * n_codes)])  # fmt: skip
            name = make_name(female)
            row = [
                name,
                "",
                "Nữ" if female else "Nam",
                date_text(birth),
                birthplace,
                home.place,
                commune.residences[int(random_() * 12)],
                ethnicities[int(random_() * n_ethnicities)],
                religions[int(random_() * n_religions)],
                make_cccd(code, year, female),
                card(line) if official else "",
                f"{(line * 7_919 + 13) % 1_000_000:06d}{province.letters}",
                date_text(admission),
                date_text(official) if official else "",
                cell_codes[cell],
                educations[int(random_() * n_educations)],
                qualifications[int(random_() * n_qualifications)],
                theories[int(random_() * n_theories)],
                occupations[int(random_() * n_occupations)],
                positions[int(random_() * n_positions)],
                (mobiles[int(random_() * n_mobiles)] + f"{int(random_() * 10_000_000):07d}")
                if random_() < 0.75 else "",
                "",
            ]  # fmt: skip
            if random_() < 0.3:
                row[C_EMAIL] = self.email(name)
            if random_() < 0.01:
                row[C_OTHER] = name.split()[-1] + " " + self.name(female).split()[-1]
            if kind:
                kind = self.plant(kind, i, line, row, rows, clean, used_sources, people)
            if not kind:
                clean.append(i)
            rows.append(row)
            people.append((female, year, birth, official, cell, code))
        return ChunkResult(self.index, rows, self.planted)

    def email(self, name: str) -> str:
        words = _folded(name).split()
        local = f"{words[-1]}{words[0]}" if self.rng.random() < 0.5 else f"{words[-1]}.{words[0]}"
        domain = _MAIL_DOMAINS[int(self.rng.random() * len(_MAIL_DOMAINS))]
        return f"{local}{int(self.rng.random() * 1000)}@{domain}"

    def note(self, kind: str, *entry: Any) -> None:
        self.planted.setdefault(kind, []).append(list(entry))

    def plant(
        self,
        kind: str,
        i: int,
        line: int,
        row: list[str],
        rows: list[list[str]],
        clean: list[int],
        used: set[int],
        people: list[tuple[bool, int, int, int | None, int, str]],
    ) -> str:
        """Apply a defect to `row` (dates were done while making it); returns the kind planted,
        or "" when the row could not take it (no earlier clean row to duplicate)."""
        rng = self.rng
        cccd = row[C_CCCD]
        if kind == "cccd_century_sex":
            digit = int(cccd[3])
            wrong = digit ^ 1 if rng.random() < 0.7 else (digit + 2) % 10
            row[C_CCCD] = self.planted_cccd(f"{cccd[:3]}{wrong}{cccd[4:6]}")
        elif kind == "cccd_birth_year":
            year = (int(cccd[4:6]) + 1 + int(rng.random() * 9)) % 100
            row[C_CCCD] = self.planted_cccd(f"{cccd[:4]}{year:02d}")
        elif kind == "cccd_province":
            bad = _BAD_PROVINCE_CODES[int(rng.random() * len(_BAD_PROVINCE_CODES))]
            row[C_CCCD] = self.planted_cccd(bad + cccd[3:6])
        elif kind == "cccd_11_digits":  # a digit of the serial lost; still unique
            preimage = self.short_serials * self.chunks + self.index
            self.short_serials += 1
            if preimage >= 100_000:
                raise OverflowError("too many planted 11-digit CCCD numbers")
            row[C_CCCD] = cccd[:6] + f"{(preimage * 7_919 + int(cccd[:6])) % 100_000:05d}"
        elif kind == "ethnicity_unknown":
            row[C_ETHNICITY] = UNKNOWN_ETHNICITIES[int(rng.random() * len(UNKNOWN_ETHNICITIES))]
        elif kind == "phone_bad":
            prefix = _MOBILE_PREFIXES[int(rng.random() * len(_MOBILE_PREFIXES))]
            digits = f"{int(rng.random() * 1e7):07d}"
            # nine digits, a letter, or a number not starting with 0
            row[C_PHONE] = rng.choice([prefix + digits[:6], f"{prefix}{digits[:6]}x", f"1{digits}"])
        elif kind == "email_bad":
            local = fold(row[C_NAME]).replace(" ", "")
            row[C_EMAIL] = rng.choice(
                [
                    f"{local}gmail.com",
                    f"{local}@@gmail.com",
                    f"{local}@gmail",
                    f"{local} @gmail.com",
                ]
            )
        elif kind == "card_format":
            row[C_CARD] = rng.choice(
                [f"{int(rng.random() * 1e7):07d}", f"{int(rng.random() * 1e9):09d}",
                 f"{int(rng.random() * 1e7):07d}A"]
            )  # fmt: skip
        elif kind == "dossier_format":
            dossier = row[C_DOSSIER]
            row[C_DOSSIER] = rng.choice(
                [dossier[1:], dossier[:6], dossier[:6] + dossier[6:].lower()]
            )
        elif kind == "enum_variant":
            column = rng.choice(list(VARIANTS))
            raw, label = rng.choice(list(VARIANTS[column].items()))
            row[column] = raw
            self.note(kind, line, TEMPLATE_HEADERS[column], raw, VARIANT_LABELS[column][label])
            return kind
        elif kind in ("legacy_tcvn3", "legacy_vni", "nfd_name"):
            name = row[C_NAME]
            female = row[C_SEX] == "Nữ"
            if kind == "legacy_tcvn3":
                encoded = to_tcvn3(name)
                while encoded is None:  # a capital with a tone: take a name TCVN3 can type
                    name = self.name(female)
                    encoded = to_tcvn3(name)
                row[C_NAME] = name  # so that a repair to `name` is right
                legacy = encoded
            elif kind == "legacy_vni":
                legacy = to_vni(name)
            else:
                legacy = unicodedata.normalize("NFD", name)
            if legacy == name:  # nothing to repair in a name of plain letters
                return ""
            row[C_NAME] = legacy
            self.note(kind, line, TEMPLATE_HEADERS[C_NAME], name)
            return kind
        elif DEFECT_KINDS[kind].paired:
            return self.duplicate(kind, i, line, row, rows, clean, used, people)
        self.note(kind, line)
        return kind

    def duplicate(
        self,
        kind: str,
        i: int,
        line: int,
        row: list[str],
        rows: list[list[str]],
        clean: list[int],
        used: set[int],
        people: list[tuple[bool, int, int, int | None, int, str]],
    ) -> str:
        rng = self.rng
        source = -1
        for _attempt in range(8):
            if not clean:
                break
            candidate = clean[int(rng.random() * len(clean))]
            if candidate not in used and (kind != "card_duplicate" or rows[candidate][C_CARD]):
                source = candidate
                break
        if source < 0:
            return ""
        used.add(source)
        source_row = rows[source]
        source_line = self.start + source + 2
        if kind == "card_duplicate":  # another person typed with the same card number
            if not row[C_CARD]:
                return ""
            row[C_CARD] = source_row[C_CARD]
            self.note(kind, line, source_line)
            return kind
        female, year, _birth, _official, _cell, code = people[source]
        person = list(source_row)
        if rng.random() < 0.5:
            person[C_CELL] = row[C_CELL]  # entered again by another cell
        person[C_CARD] = ""
        person[C_PHONE] = source_row[C_PHONE] if rng.random() < 0.5 else ""
        person[C_EMAIL] = ""
        variant = "same_name"
        if kind == "cccd_duplicate":
            pass  # the same CCCD, name and birth date: the same person entered twice
        else:
            roll = rng.random()
            if roll < 0.4:
                variant = "unaccented"
                person[C_NAME] = " ".join(w.capitalize() for w in fold(source_row[C_NAME]).split())
            elif roll < 0.8:
                variant = "one_letter_off"
                person[C_NAME] = self.one_letter_off(source_row[C_NAME])
            person[C_CCCD] = (
                "" if kind == "likely_duplicate_no_cccd" else self.cccd(code, year, female)
            )
        row[:] = person
        self.note(kind, line, source_line, variant)
        return kind

    def one_letter_off(self, name: str) -> str:
        """One consonant of the middle or given name typed as another."""
        words = name.split()
        for _attempt in range(20):
            w = 1 + int(self.rng.random() * (len(words) - 1))
            word = words[w]
            spots = [k for k, ch in enumerate(word) if ch.lower() in _CONSONANTS and k > 0]
            if not spots:
                continue
            k = spots[int(self.rng.random() * len(spots))]
            new = self.rng.choice([c for c in _CONSONANTS if c != word[k].lower()])
            words[w] = word[:k] + new + word[k + 1 :]
            return " ".join(words)
        words[-1] = words[-1] + "h" if not words[-1].endswith("h") else words[-1][:-1]
        return " ".join(words)


def _serial(prefix: str, preimage: int) -> str:
    """Digits 7–12: a bijection of 0…999,999, shifted per prefix so numbers look random."""
    return f"{(preimage * 7_919 + int(prefix) * 104_729) % 1_000_000:06d}"


_CUMULATIVE_CACHE: dict[int, list[float]] = {}
_FOLDED: dict[str, str] = {}


def _folded(name: str) -> str:
    folded = _FOLDED.get(name)
    if folded is None:
        folded = _FOLDED[name] = fold(name)
    return folded


def _cell_cumulative(tree: OrgTree) -> list[float]:
    cached = _CUMULATIVE_CACHE.get(id(tree))
    if cached is None:
        cached, total = [], 0.0
        for weight in tree.cell_weights:
            total += weight
            cached.append(total)
        _CUMULATIVE_CACHE[id(tree)] = cached
    return cached


# Set in the parent before the worker processes fork, read by them.
_WORK: tuple[OrgTree, MemberOptions, int, bool] | None = None


def _make_chunk(index: int) -> ChunkResult:
    assert _WORK is not None
    tree, options, chunks, as_text = _WORK
    result = _Chunk(tree, options, index, chunks).make()
    if as_text:  # one string crosses the process boundary much faster than a million
        result.text = "".join(",".join(row) + "\n" for row in result.rows).encode()
        result.rows = []
    return result


def generate_chunks(
    options: MemberOptions, tree: OrgTree, *, workers: int | None = None, as_text: bool = False
) -> Iterator[ChunkResult]:
    """The member rows chunk by chunk, in order (worker processes when more than one);
    `as_text`: as UTF-8 CSV lines instead of lists."""
    global _WORK
    chunks = max(1, -(-options.rows // options.chunk_rows))
    _WORK = (tree, options, chunks, as_text)
    _cell_cumulative(tree)
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or chunks == 1 or "fork" not in multiprocessing.get_all_start_methods():
        for index in range(chunks):
            yield _make_chunk(index)
        return
    with multiprocessing.get_context("fork").Pool(workers, initializer=reset_signals) as pool:
        yield from pool.imap(_make_chunk, range(chunks))


def reset_signals() -> None:
    """Pool initializer: a forked worker drops the handlers it inherited from its parent.

    A parent that exits on SIGTERM through a Python handler (`sys.exit`, as the benchmarks do)
    would otherwise have its workers run that handler when `Pool.terminate` stops them: the
    worker then unwinds while holding the pool's queue lock and the parent waits for it for
    ever. Workers die on SIGTERM at once, and leave Ctrl-C to the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass
class GenerateReport:
    rows: int
    planted: dict[str, int]
    out: Path
    manifest: Path


def write_members(
    out: Path,
    options: MemberOptions,
    tree: OrgTree,
    *,
    xlsx: bool = False,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> GenerateReport:
    """Write the member file (CSV, UTF-8; or .xlsx) and its manifest `<file>.manifest.json`."""
    planted: dict[str, list[list[Any]]] = {defect.kind: [] for defect in DEFECTS}
    written = 0
    if xlsx:
        from openpyxl import Workbook

        if options.rows > 1_048_575:
            raise ValueError("An .xlsx sheet holds at most 1,048,575 data rows.")
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Danh sách đảng viên")
        sheet.append(list(TEMPLATE_HEADERS))
        for chunk in generate_chunks(options, tree, workers=workers):
            for row in chunk.rows:
                sheet.append([_cell_value(column, value) for column, value in enumerate(row)])
            written += len(chunk.rows)
            _merge(planted, chunk.planted)
            if progress:
                progress(written)
        workbook.save(out)
    else:
        with out.open("wb") as handle:
            handle.write((",".join(TEMPLATE_HEADERS) + "\n").encode())
            for chunk in generate_chunks(options, tree, workers=workers, as_text=True):
                handle.write(chunk.text)
                written += chunk.text.count(b"\n")
                _merge(planted, chunk.planted)
                if progress:
                    progress(written)
    manifest = manifest_path(out)
    manifest.write_text(
        json.dumps(_manifest(out, options, written, planted), ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    return GenerateReport(written, {k: len(v) for k, v in planted.items()}, out, manifest)


def manifest_path(out: Path) -> Path:
    return out.with_name(out.name + ".manifest.json")


def _merge(planted: dict[str, list[list[Any]]], chunk: dict[str, list[list[Any]]]) -> None:
    for kind, entries in chunk.items():
        planted[kind].extend(entries)


def _cell_value(column: int, value: str) -> Any:
    """Cells as an office's sheet holds them: dates as dates, the rest as text."""
    if value.startswith('"'):
        return value[1:-1].replace('""', '"')
    if value and column in (C_BIRTH, C_ADMISSION, C_OFFICIAL):
        day, month, year = value.split("/")
        return datetime.date(int(year), int(month), int(day))
    return value


def _manifest(
    out: Path, options: MemberOptions, rows: int, planted: dict[str, list[list[Any]]]
) -> dict[str, Any]:
    defects: dict[str, Any] = {}
    for defect in DEFECTS:
        entries = planted[defect.kind]
        if defect.kind == "enum_variant":
            defects[defect.kind] = {
                "expected": [],
                "note": "accepted: the raw spelling maps to the value (not flagged)",
                "columns": ["row", "column", "raw", "value"],
                "rows": entries,
            }
        elif defect.kind in ("legacy_tcvn3", "legacy_vni", "nfd_name"):
            defects[defect.kind] = {
                "expected": [],
                "note": "repaired on import to the NFC text given (not flagged)",
                "columns": ["row", "column", "repaired"],
                "rows": entries,
            }
        elif defect.paired:
            defects[defect.kind] = {
                "expected": list(defect.expected),
                "columns": ["row", "duplicate_of_row", "name_variant"],
                "rows": entries,
            }
        else:
            defects[defect.kind] = {
                "expected": list(defect.expected),
                "rows": [entry[0] for entry in entries],
            }
    return {
        "file": out.name,
        "rows": rows,
        "seed": options.seed,
        "today": options.today.isoformat(),
        "defect_rate": options.defect_rate,
        "row_numbering": "line of the file / row of the sheet: the header is row 1",
        "clean_rows": "a row listed under no defect breaks no rule of members.rules",
        "planted": {kind: len(entries) for kind, entries in planted.items()},
        "variants": {TEMPLATE_HEADERS[column]: spellings for column, spellings in VARIANTS.items()},
        "defects": defects,
    }
