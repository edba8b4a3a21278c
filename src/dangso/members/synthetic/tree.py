"""The national organisation tree of the benchmarks: 34 provinces → ~3,300 communes → ~200,000
cells (limits.md's shape), with codes, names and materialised paths, as CSV."""

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ORG_HEADERS = ("id", "code", "name", "short_name", "kind", "parent_id", "path", "depth",
               "valid_from")  # fmt: skip
ORGS_SINCE = "2025-07-01"  # the tree after the 2025 reorganisation


def _words(text: str) -> list[str]:
    return text.split()


@dataclass(frozen=True)
class Province:
    name: str
    unit: str  # "Thành phố" or "Tỉnh"
    letters: str  # of the số lý lịch
    cccd_codes: tuple[str, ...]  # birth-registration codes of the provinces merged into it
    members: int  # thousands of party members, roughly (weights, scaled to --n)
    wards: float  # share of wards among its communes


# The 34 provinces and cities after the 2025 mergers, with the CCCD codes of the old ones.
PROVINCES: tuple[Province, ...] = (
    Province("Hà Nội", "Thành phố", "HN", ("001",), 468, 0.4),
    Province("Hồ Chí Minh", "Thành phố", "HCM", ("079", "074", "077"), 440, 0.6),
    Province("Hải Phòng", "Thành phố", "HP", ("031", "030"), 232, 0.3),
    Province("Đà Nẵng", "Thành phố", "ĐN", ("048", "049"), 150, 0.3),
    Province("Huế", "Thành phố", "TTH", ("046",), 62, 0.4),
    Province("Cần Thơ", "Thành phố", "CT", ("092", "094", "093"), 130, 0.3),
    Province("Thanh Hóa", "Tỉnh", "TH", ("038",), 250, 0.1),
    Province("Nghệ An", "Tỉnh", "NA", ("040",), 240, 0.1),
    Province("Ninh Bình", "Tỉnh", "NB", ("037", "035", "036"), 226, 0.15),
    Province("Phú Thọ", "Tỉnh", "PT", ("025", "026", "017"), 215, 0.15),
    Province("Hưng Yên", "Tỉnh", "HY", ("033", "034"), 196, 0.1),
    Province("Bắc Ninh", "Tỉnh", "BN", ("027", "024"), 190, 0.2),
    Province("Hà Tĩnh", "Tỉnh", "HT", ("042",), 118, 0.1),
    Province("Quảng Ninh", "Tỉnh", "QN", ("022",), 110, 0.4),
    Province("Quảng Trị", "Tỉnh", "QT", ("045", "044"), 108, 0.15),
    Province("Thái Nguyên", "Tỉnh", "TN", ("019", "006"), 104, 0.15),
    Province("Quảng Ngãi", "Tỉnh", "QNG", ("051", "062"), 98, 0.1),
    Province("Gia Lai", "Tỉnh", "GL", ("064", "052"), 132, 0.15),
    Province("Khánh Hòa", "Tỉnh", "KH", ("056", "058"), 82, 0.25),
    Province("Lâm Đồng", "Tỉnh", "LĐ", ("068", "067", "060"), 112, 0.15),
    Province("Đắk Lắk", "Tỉnh", "ĐL", ("066", "054"), 100, 0.15),
    Province("Đồng Nai", "Tỉnh", "ĐNA", ("075", "070"), 140, 0.25),
    Province("Tây Ninh", "Tỉnh", "TNI", ("072", "080"), 108, 0.15),
    Province("Vĩnh Long", "Tỉnh", "VL", ("086", "083", "084"), 150, 0.1),
    Province("Đồng Tháp", "Tỉnh", "ĐT", ("087", "082"), 122, 0.1),
    Province("An Giang", "Tỉnh", "AG", ("089", "091"), 138, 0.15),
    Province("Cà Mau", "Tỉnh", "CM", ("096", "095"), 80, 0.1),
    Province("Tuyên Quang", "Tỉnh", "TQ", ("008", "002"), 92, 0.05),
    Province("Lào Cai", "Tỉnh", "LC", ("010", "015"), 86, 0.05),
    Province("Sơn La", "Tỉnh", "SL", ("014",), 70, 0.05),
    Province("Lạng Sơn", "Tỉnh", "LS", ("020",), 60, 0.05),
    Province("Cao Bằng", "Tỉnh", "CB", ("004",), 45, 0.05),
    Province("Điện Biên", "Tỉnh", "ĐB", ("011",), 40, 0.05),
    Province("Lai Châu", "Tỉnh", "LCH", ("012",), 31, 0.05),
)
COMMUNES_TOTAL = 3_305
CELLS_PER_COMMUNE = (30, 91)  # uniform: ~60.5 on average, ~200,000 in all
_PLACE_SYLLABLES = _words(
    "An Bình Hòa Phú Tân Long Thạnh Phước Đông Tây Nam Bắc Xuân Hưng Thịnh Lợi Mỹ Hiệp Thuận "
    "Vĩnh Hải Sơn Thành Trung Quang Minh Đức Nghĩa Phong Lộc Yên Cẩm Tiên Kim Ngọc Hồng Lạc "
    "Thái Thượng Hạ Khánh Định Hoàng Cát Vân Lâm Tường Thọ Châu Hà Gia Đại Lương Tam Quảng "
    "Thanh Hợp Liên Tiến Thắng"
)
_AGENCY_CELLS = ("Chi bộ Cơ quan Đảng ủy - HĐND - UBND", "Chi bộ Trường Tiểu học",
                 "Chi bộ Trạm Y tế", "Chi bộ Công an", "Chi bộ Quân sự")  # fmt: skip


@dataclass
class Commune:
    province: int  # index in PROVINCES
    label: str  # "xã Yên Phong"
    place: str  # "Xã Yên Phong, Tỉnh Bắc Ninh" (quoted for CSV)
    residences: list[str]  # "Thôn 1, xã Yên Phong, tỉnh Bắc Ninh", … (quoted for CSV)


@dataclass
class OrgTree:
    """The national tree: org rows for the CSV/COPY, and what member generation needs."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)  # in ORG_HEADERS order
    communes: list[Commune] = field(default_factory=list)
    cell_codes: list[str] = field(default_factory=list)
    cell_communes: list[int] = field(default_factory=list)
    cell_weights: list[float] = field(default_factory=list)
    province_communes: list[list[int]] = field(default_factory=list)


def build_tree(seed: int = 204, *, communes_total: int = COMMUNES_TOTAL) -> OrgTree:
    """Central → 34 provinces → communes (∝ members) → cells; ids from 1, paths from them.
    `communes_total` shrinks the tree for tests (at least 2 communes per province)."""
    rng = random.Random(f"orgs:{seed}:{communes_total}")
    tree = OrgTree()
    total_members = sum(p.members for p in PROVINCES)
    next_id = 1
    tree.rows.append((1, "TW", "Ban Chấp hành Trung ương", "TW", "central", "", "/1/", 0))
    next_id = 2
    for p_index, province in enumerate(PROVINCES):
        province_id = next_id
        next_id += 1
        province_path = f"/1/{province_id}/"
        code = f"T{p_index + 1:02d}"
        unit_name = "thành phố" if province.unit == "Thành phố" else "tỉnh"
        tree.rows.append((province_id, code, f"Đảng bộ {unit_name} {province.name}", "TU",
                          "province", 1, province_path, 1))  # fmt: skip
        communes = max(min(8, communes_total // 20 + 2),
                       round(communes_total * province.members / total_members))  # fmt: skip
        names = rng.sample(
            [f"{a} {b}" for a in _PLACE_SYLLABLES for b in _PLACE_SYLLABLES if a != b], communes
        )
        tree.province_communes.append([])
        cells_in_province: list[int] = []
        for c_index, name in enumerate(names):
            is_ward = rng.random() < province.wards
            unit = "phường" if is_ward else "xã"
            commune_id = next_id
            next_id += 1
            commune_path = f"{province_path}{commune_id}/"
            commune_code = f"{code}-X{c_index + 1:03d}"
            tree.rows.append((commune_id, commune_code, f"Đảng bộ {unit} {name}", "ĐU", "commune",
                              province_id, commune_path, 2))  # fmt: skip
            commune_index = len(tree.communes)
            tree.province_communes[-1].append(commune_index)
            place = f"{unit.capitalize()} {name}, {province.unit} {province.name}"
            residences = [
                _quote(f"{'Khu phố' if is_ward else 'Thôn'} {number}, {unit} {name}, "
                       f"{province.unit.lower()} {province.name}")
                for number in range(1, 13)
            ]  # fmt: skip
            tree.communes.append(Commune(p_index, f"{unit} {name}", _quote(place), residences))
            cells = rng.randint(*CELLS_PER_COMMUNE)
            residential = cells - len(_AGENCY_CELLS)
            for number in range(1, cells + 1):
                if number <= residential:
                    cell_name = f"Chi bộ {'khu phố' if is_ward else 'thôn'} {number}"
                else:
                    cell_name = f"{_AGENCY_CELLS[number - residential - 1]} {unit} {name}"
                cell_id = next_id
                next_id += 1
                cell_code = f"{commune_code}-{number:03d}"
                tree.rows.append((cell_id, cell_code, cell_name, "CB", "cell", commune_id,
                                  f"{commune_path}{cell_id}/", 3))  # fmt: skip
                cells_in_province.append(len(tree.cell_codes))
                tree.cell_codes.append(cell_code)
                tree.cell_communes.append(commune_index)
        # Members spread over the province's cells, each cell ±50 % around the mean.
        share = province.members / total_members / len(cells_in_province)
        for _cell in cells_in_province:
            tree.cell_weights.append(share * rng.uniform(0.5, 1.5))
    return tree


def write_orgs(tree: OrgTree, path: Path) -> int:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(ORG_HEADERS)
        for row in tree.rows:
            writer.writerow((*row, ORGS_SINCE))
    return len(tree.rows)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
