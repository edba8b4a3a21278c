"""A generated member population for the data-quality measurements: realistic Vietnamese names
(Nguyễn ≈ 38 %), hometowns mostly in the cell's province, birth dates as dense as the national
roll, and planted duplicates and rule defects at known rates (see `quality.bench`)."""

import datetime
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dangso.core.dates import add_months
from dangso.core.ids import PROVINCE_CODES
from dangso.core.names import random_cccd, random_name, random_phone
from dangso.core.text import fold, normalise_name

NATIONAL_MEMBERS = 5_500_000
NATIONAL_PER_BIRTH_DATE = NATIONAL_MEMBERS // (65 * 365)
_SYLLABLES = [
    "An", "Bình", "Cẩm", "Đông", "Đoài", "Giang", "Hà", "Hải", "Hòa", "Hưng", "Khánh", "Lạc",
    "Lâm", "Long", "Minh", "Nam", "Ninh", "Phong", "Phú", "Phúc", "Quang", "Sơn", "Tân", "Thái",
    "Thanh", "Thịnh", "Thọ", "Thuận", "Tiến", "Trung", "Vân", "Vĩnh", "Xuân", "Yên", "Mỹ", "Đức",
]  # fmt: skip
_PROVINCES = sorted(PROVINCE_CODES.items())
_TONE_SWAPS = {"ứ": "ư", "ễ": "ê", "ă": "ắ", "ị": "i", "ồ": "ô", "ầ": "ấ", "ơ": "ở", "ạ": "á",
               "ố": "ồ", "ư": "ứ", "ú": "ù", "ò": "ó", "ì": "í", "ả": "ã", "ệ": "ê"}  # fmt: skip
NAME_VARIANTS = ("unaccented", "tone", "exact", "typo_family", "typo_given")


@dataclass
class Population:
    records: list[dict[str, Any]] = field(default_factory=list)
    # (index of the original, index of the copy, name variant)
    planted: list[tuple[int, int, str]] = field(default_factory=list)
    # index → the rule codes planted in that record
    defects: dict[int, set[str]] = field(default_factory=dict)


def _communes(rng: random.Random) -> dict[str, list[str]]:
    return {
        code: sorted({f"{rng.choice(_SYLLABLES)} {rng.choice(_SYLLABLES)}" for _ in range(40)})
        for code, _name in _PROVINCES
    }


def _hometown(rng: random.Random, province: str, commune: str) -> str:
    unit = rng.choice(["Xã", "Xã", "Phường", "Thị trấn"])
    return f"{unit} {commune}, tỉnh {PROVINCE_CODES[province]}"


def _rewrite_hometown(rng: random.Random, hometown: str) -> str:
    place, _comma, province = hometown.partition(", ")
    commune = place.split(" ", 1)[1] if " " in place else place
    province = province.removeprefix("tỉnh ")
    return rng.choice(
        [f"{commune}, {province}", f"{commune} - {province}", f"{place.lower()}, {province}",
         f"{place}, huyện {commune}, tỉnh {province}"]
    )  # fmt: skip


def _name_variant(rng: random.Random, name: str, kind: str) -> str:
    words = name.split(" ")
    if kind == "unaccented":
        return normalise_name(fold(name))
    if kind == "tone":
        for index in range(len(words) - 1, -1, -1):
            letters = list(words[index])
            for position, letter in enumerate(letters):
                if letter.lower() in _TONE_SWAPS:
                    letters[position] = _TONE_SWAPS[letter.lower()]
                    words[index] = "".join(letters)
                    return normalise_name(" ".join(words))
        return normalise_name(fold(name))
    if kind in ("typo_family", "typo_given"):
        index = len(words) - 1 if kind == "typo_given" else rng.randrange(len(words) - 1)
        word = words[index]
        position = rng.randrange(1, len(word)) if len(word) > 1 else 0
        replacement = rng.choice("aeiouynhtcg".replace(word[position].lower(), ""))
        words[index] = word[:position] + replacement + word[position + 1 :]
        return normalise_name(" ".join(words))
    return name


def _birth_dates(rng: random.Random, n: int, per_date: int) -> Iterator[datetime.date]:
    days = max(1, n // per_date)
    start = datetime.date(1975, 1, 1)
    for _ in range(n):
        yield start + datetime.timedelta(days=rng.randrange(days))


def generate(
    n: int,
    *,
    cells: list[tuple[int, str]],
    seed: int = 204,
    duplicate_rate: float = 0.01,
    defect_rate: float = 0.0,
    per_birth_date: int = NATIONAL_PER_BIRTH_DATE,
) -> Population:
    """`n` member records (plus their planted duplicates) in `cells` [(cell id, province code)].

    With `per_birth_date` people per birth date on average; 0 spreads them over 1950–2000."""
    rng = random.Random(seed)
    communes = _communes(rng)
    population = Population()
    today = datetime.date.today()
    births = _birth_dates(rng, n, per_birth_date) if per_birth_date else None
    used_cccd: set[str] = set()
    for _ in range(n):
        sex = rng.choice("MF")
        if births is not None:
            birth = next(births)
        else:
            birth = datetime.date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
        cell, cell_province = rng.choice(cells)
        province = cell_province if rng.random() < 0.7 else rng.choice(_PROVINCES)[0]
        admission = add_months(birth, 12 * rng.randint(19, 40) + rng.randint(0, 11))
        if admission > today:
            admission = add_months(birth, 12 * 19)
        cccd = random_cccd(rng, birth, sex, province)
        while cccd in used_cccd:
            cccd = random_cccd(rng, birth, sex, province)
        used_cccd.add(cccd)
        population.records.append(
            {
                "full_name": random_name(rng, sex),
                "sex": sex,
                "date_of_birth": birth,
                "hometown": _hometown(rng, province, rng.choice(communes[province])),
                "cccd": cccd,
                "admission_date": admission,
                "official_date": add_months(admission, 12),
                "phone": random_phone(rng) if rng.random() < 0.8 else "",
                "organisation_id": cell,
            }
        )
    for original in rng.sample(range(n), int(n * duplicate_rate)):
        kind = rng.choice(NAME_VARIANTS)
        population.planted.append((original, len(population.records), kind))
        copy = _duplicate(rng, population.records[original], kind, cells)
        if copy["cccd"] in used_cccd:  # a digit off that is someone else's number
            copy["cccd"] = None
        elif copy["cccd"]:
            used_cccd.add(copy["cccd"])
        population.records.append(copy)
    if defect_rate:
        _plant_defects(rng, population, defect_rate)
    return population


def _duplicate(
    rng: random.Random, record: dict[str, Any], kind: str, cells: list[tuple[int, str]]
) -> dict[str, Any]:
    copy = dict(record, full_name=_name_variant(rng, record["full_name"], kind))
    roll = rng.random()
    if roll < 0.25:
        copy["hometown"] = _rewrite_hometown(rng, record["hometown"])
    elif roll < 0.45:
        copy["hometown"] = ""
    roll = rng.random()
    if roll < 0.55:
        copy["cccd"] = None  # not recorded on the second record
    elif roll < 0.8:
        position = rng.randrange(6, 12)
        digit = str((int(record["cccd"][position]) + rng.randint(1, 9)) % 10)
        copy["cccd"] = record["cccd"][:position] + digit + record["cccd"][position + 1 :]
    else:
        copy["cccd"] = f"{rng.randrange(10**9):09d}"  # the old 9-digit identity card
    if rng.random() < 0.4:
        admission = record["admission_date"] + datetime.timedelta(days=rng.randint(1, 40))
        copy["admission_date"] = admission
        copy["official_date"] = add_months(admission, 12)
    if rng.random() < 0.5:
        copy["phone"] = ""
    if rng.random() < 0.5:
        copy["organisation_id"] = rng.choice(cells)[0]
    return copy


# Rule defects a generator plants, each with the change it makes.
def _plant_defects(rng: random.Random, population: Population, rate: float) -> None:
    records = population.records
    taken = {record["cccd"] for record in records if record["cccd"]}
    for index in rng.sample(range(len(records)), int(len(records) * rate)):
        record = records[index]
        code = rng.choice(
            ["cccd.century_sex", "cccd.birth_year", "cccd.province", "cccd.format",
             "phone.format", "email.format", "age.admission_min", "official.too_early",
             "education.format"]
        )  # fmt: skip
        cccd = record["cccd"] or ""
        if code.startswith("cccd.") and len(cccd) != 12:
            code = "phone.format"
        if code == "cccd.century_sex":
            record["cccd"] = cccd[:3] + str((int(cccd[3]) + 2) % 10) + cccd[4:]
        elif code == "cccd.birth_year":
            record["cccd"] = cccd[:4] + f"{(int(cccd[4:6]) + 1) % 100:02d}" + cccd[6:]
        elif code == "cccd.province":
            record["cccd"] = "003" + cccd[3:]
        elif code == "cccd.format":
            record["cccd"] = cccd[:11] + "X"
        if (record["cccd"] or "") != cccd:
            if record["cccd"] in taken:  # the defect would make someone else's number
                record["cccd"], code = cccd, "phone.format"
            else:
                taken.add(record["cccd"])
        if code == "phone.format":
            record["phone"] = "12345"
        elif code == "email.format":
            record["email"] = "khong-hop-le@"
        elif code == "age.admission_min":
            record["admission_date"] = add_months(record["date_of_birth"], 12 * 17)
            record["official_date"] = add_months(record["admission_date"], 12)
        elif code == "official.too_early":
            record["official_date"] = add_months(record["admission_date"], 6)
        elif code == "education.format":
            record["general_education"] = "12-12"
        population.defects.setdefault(index, set()).add(code)


# --- the measurements --------------------------------------------------------------------------


def report_duplicates(population: Population, found: set[tuple[int, int]]) -> dict[str, Any]:
    """Recall over the planted pairs (by name variant) and the share of false pairs; `found`
    holds pairs of 1-based record numbers."""
    planted = {(min(a, b) + 1, max(a, b) + 1): kind for a, b, kind in population.planted}
    hits = Counter(kind for pair, kind in planted.items() if pair in found)
    kinds = Counter(planted.values())
    false_pairs = len(found - set(planted))
    return {
        "records": len(population.records),
        "planted": len(planted),
        "found": len(found),
        "recall": round(sum(hits.values()) / max(len(planted), 1), 4),
        "false_pair_rate": round(false_pairs / max(len(found), 1), 4),
        "recall_by_variant": {kind: round(hits[kind] / kinds[kind], 3) for kind in sorted(kinds)},
    }
