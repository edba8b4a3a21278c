"""Demo data: one provincial committee with its communes, cells, members and demo officials.

Organisations go through `orgs.actions.create_organisation` (versions and audit, as in real
use); members are made set-based with `bulk_create`, because admitting 10,000 people one by
one through `admit_member` would take minutes. The whole load is summarised in one audit entry.
The same seed gives the same people; dates are counted back from today, so that probationary
members are always in their probation year.
"""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dangso.accounts.actions import grant_role
from dangso.accounts.models import RoleAssignment
from dangso.accounts.roles import Role
from dangso.core import audit
from dangso.core.audit import Actor
from dangso.core.dates import add_months
from dangso.core.names import random_cccd, random_name, random_phone
from dangso.core.text import fold, name_sort_key, normalise_name
from dangso.members.actions import recount_members
from dangso.members.choices import EventKind, MemberStatus, Qualification, Religion, TheoryLevel
from dangso.members.models import Member, MemberEvent
from dangso.orgs.actions import create_organisation
from dangso.orgs.choices import OrgKind
from dangso.orgs.models import Organisation

DEFAULT_SEED = 204
DEFAULT_MEMBERS = 10_000
DEMO_PASSWORD = "DangSo@2026"
# The end-to-end tests look this member up as the first commune's clerk ("nguyen van duc").
KNOWN_MEMBER_NAME = "Nguyễn Văn Đức"
PROVINCE_CODE = "027"  # Bắc Ninh, for CCCD numbers
DOSSIER_LETTERS = "BN"

ACTOR = Actor.system("demo")
CENTRAL_SINCE = datetime.date(1930, 2, 3)
PROVINCE_SINCE = datetime.date(1997, 1, 1)
REORGANISED_ON = datetime.date(2025, 7, 1)  # communes and their cells after the 2025 mergers

# (unit word, name): the first one holds the demo officials.
COMMUNES: list[tuple[str, str]] = [
    ("xã", "Yên Phong"), ("phường", "Kinh Bắc"), ("phường", "Võ Cường"), ("phường", "Vũ Ninh"),
    ("phường", "Từ Sơn"), ("phường", "Đồng Nguyên"), ("xã", "Tiên Du"), ("xã", "Phật Tích"),
    ("phường", "Thuận Thành"), ("xã", "Gia Bình"), ("xã", "Lương Tài"), ("phường", "Quế Võ"),
    ("xã", "Văn Môn"), ("xã", "Tam Giang"), ("xã", "Đại Đồng"),
]  # fmt: skip
VILLAGES = [
    "Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Đoài", "Chính Trung", "Phù Lưu",
    "Đông Xá", "Yên Lã", "Mai Cương", "Ân Phú", "Phúc Lộc", "Xuân Ổ", "Đại Lâm", "Trần Xá",
    "Hữu Ái", "Đồng Kỵ", "Tiến Bào", "Lạc Vệ", "Hoài Thị", "Cẩm Giang", "Phong Khê", "Đông Côi",
    "Khám Lạng", "Lũng Giang", "Vọng Nguyệt", "Ngô Xá", "Đình Cả", "Quan Độ", "Thọ Đức",
    "Phấn Động", "Ô Cách", "Trung Bạn", "Hạ Giang", "Cổ Mễ", "Dương Ổ", "Tam Tảo",
]  # fmt: skip
AGENCY_CELLS = [
    "Chi bộ Văn phòng Tỉnh ủy",
    "Chi bộ Ban Tổ chức Tỉnh ủy",
    "Chi bộ Ủy ban Kiểm tra Tỉnh ủy",
    "Chi bộ Ban Tuyên giáo và Dân vận Tỉnh ủy",
    "Chi bộ Báo và Phát thanh, Truyền hình Bắc Ninh",
]
CELLS_TOTAL = 300
OTHER_PROVINCES = [
    ("001", "Xã Đông Anh, Thành phố Hà Nội"),
    ("030", "Phường Hải Dương, Thành phố Hải Phòng"),
    ("033", "Xã Văn Giang, tỉnh Hưng Yên"),
    ("019", "Phường Phan Đình Phùng, tỉnh Thái Nguyên"),
    ("036", "Xã Nam Trực, tỉnh Ninh Bình"),
    ("024", "Xã Lạng Giang, tỉnh Bắc Ninh"),
]

# How a cell's members tend to look: (working-age only, weight of the cell's size, occupations).
_PROFILES: dict[str, tuple[bool, float, list[tuple[str, float]]]] = {
    "village": (False, 40, [("Nông dân", 40), ("Công nhân", 20), ("Kinh doanh", 12),
                            ("Lao động tự do", 10), ("Giáo viên", 6), ("Công chức", 6),
                            ("Cựu chiến binh", 6)]),
    "ward": (False, 45, [("Kinh doanh", 25), ("Công nhân", 20), ("Viên chức", 15),
                         ("Nhân viên văn phòng", 15), ("Kỹ sư", 10), ("Lao động tự do", 10),
                         ("Cựu chiến binh", 5)]),
    "office": (True, 18, [("Công chức", 80), ("Cán bộ", 20)]),
    "school": (True, 12, [("Giáo viên", 85), ("Cán bộ quản lý giáo dục", 10), ("Nhân viên", 5)]),
    "health": (True, 8, [("Bác sĩ", 35), ("Y sĩ", 25), ("Điều dưỡng", 25), ("Dược sĩ", 15)]),
    "police": (True, 10, [("Công an", 100)]),
    "military": (True, 6, [("Quân nhân", 100)]),
    "agency": (True, 25, [("Công chức", 70), ("Viên chức", 20), ("Phóng viên", 10)]),
}  # fmt: skip
_ETHNICITIES = [("01", 970), ("18", 10), ("02", 7), ("07", 6), ("06", 4), ("04", 3)]
_RELIGIONS = [(Religion.NONE, 92), (Religion.BUDDHISM, 5), (Religion.CATHOLICISM, 3)]
_FEMALE_SHARE = {"school": 0.75, "health": 0.6, "police": 0.12, "military": 0.05}
_PROBATIONARY_SHARE = 0.05
_EXEMPT_SHARE = 0.02  # of residential cells' members: the old and ill, aged 72 and over


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    roles: tuple[str, ...]
    where: str  # "province", "commune" or "cell"


DEMO_USERS = [
    DemoUser("admin.tinh", "Lê Minh Tuấn", (Role.ADMIN,), "province"),
    DemoUser("vanphong.xa", "Trần Thị Thu Hà", (Role.OFFICE, Role.ORGANISATION), "commune"),
    DemoUser("lanhdao.xa", "Nguyễn Văn Thành", (Role.LEADER,), "commune"),
    DemoUser("vanthu.tinh", "Phạm Thị Lan", (Role.OFFICE,), "province"),
    DemoUser("lanhdao.tinh", "Hoàng Văn Dũng", (Role.LEADER,), "province"),
    DemoUser("bithu.chibo", "", (Role.CELL_SECRETARY,), "cell"),  # named after the cell's secretary
    DemoUser("dangvien", "", (Role.MEMBER,), "cell"),  # named after the member record it links
]


@dataclass
class CellPlan:
    organisation: Organisation
    profile: str
    commune_label: str  # "xã Yên Phong"
    residence: str
    members: int = 0


@dataclass
class DemoSummary:
    organisations: int = 0
    cells: int = 0
    members: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    events: int = 0
    users: list[str] = field(default_factory=list)


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _days(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _triangular_day(
    rng: random.Random, start: datetime.date, end: datetime.date, mode: datetime.date
) -> datetime.date:
    low, high = start.toordinal(), end.toordinal()
    if high <= low:
        return start
    picked = round(rng.triangular(low, high, min(max(mode.toordinal(), low), high)))
    return datetime.date.fromordinal(picked)


# Organisations ------------------------------------------------------------------------------


def _cell_names(rng: random.Random, index: int, unit: str, name: str, count: int) -> list[tuple]:
    """(cell name, profile, residence) for one commune's cells: residential ones, then agencies."""
    place = f"{unit} {name}"
    agencies = [
        (f"Chi bộ Cơ quan Đảng ủy - HĐND - UBND {place}", "office"),
        (f"Chi bộ Trường THCS {name}", "school"),
        (f"Chi bộ Trường Tiểu học {name}", "school"),
        (f"Chi bộ Trường Mầm non {name}", "school"),
        (f"Chi bộ Trạm Y tế {place}", "health"),
        (f"Chi bộ Công an {place}", "police"),
        (f"Chi bộ Quân sự {place}", "military"),
    ]
    residential = count - len(agencies)
    cells: list[tuple] = []
    if unit == "xã":
        villages = rng.sample(VILLAGES, residential)
        if index == 0 and "Đông" in villages:
            villages.remove("Đông")
            villages.insert(0, "Đông")
        elif index == 0:
            villages[0] = "Đông"
        for village in villages:
            residence = f"Thôn {village}, {place}, tỉnh Bắc Ninh"
            cells.append((f"Chi bộ thôn {village}", "village", residence))
    else:
        for number in range(1, residential + 1):
            residence = f"Khu phố {number}, {place}, tỉnh Bắc Ninh"
            cells.append((f"Chi bộ khu phố {number}", "ward", residence))
    general = f"{place[:1].upper()}{place[1:]}, tỉnh Bắc Ninh"
    cells.extend((cell, profile, general) for cell, profile in agencies)
    return cells


def _build_organisations(rng: random.Random) -> tuple[list[Organisation], list[CellPlan]]:
    def create(code: str, name: str, kind: str, parent: Organisation | None, since: datetime.date,
               short_name: str = "") -> Organisation:  # fmt: skip
        org = create_organisation(
            code=code, name=name, kind=kind, parent=parent, valid_from=since, actor=ACTOR,
            short_name=short_name,
        )  # fmt: skip
        created.append(org)
        return org

    created: list[Organisation] = []
    cells: list[CellPlan] = []
    central = create("TW", "Ban Chấp hành Trung ương", OrgKind.CENTRAL, None, CENTRAL_SINCE, "TW")
    province = create(
        "BN", "Đảng bộ tỉnh Bắc Ninh", OrgKind.PROVINCE, central, PROVINCE_SINCE, "TU"
    )
    agencies = create(
        "BN-CQD", "Đảng bộ các cơ quan Đảng tỉnh", OrgKind.UPPER_GRASSROOTS, province,
        REORGANISED_ON, "ĐU",
    )  # fmt: skip
    for number, name in enumerate(AGENCY_CELLS, start=1):
        cell = create(
            f"BN-CQD-{number:02d}", name, OrgKind.GRASSROOTS_CELL, agencies, REORGANISED_ON, "CB"
        )
        cells.append(CellPlan(cell, "agency", "", "Phường Kinh Bắc, tỉnh Bắc Ninh"))
    commune_cells = CELLS_TOTAL - len(AGENCY_CELLS)
    per_commune, extra = divmod(commune_cells, len(COMMUNES))
    for index, (unit, name) in enumerate(COMMUNES):
        commune = create(
            f"BN-X{index + 1:02d}", f"Đảng bộ {unit} {name}", OrgKind.COMMUNE, province,
            REORGANISED_ON, "ĐU",
        )  # fmt: skip
        count = per_commune + (1 if index < extra else 0)
        for number, (cell_name, profile, residence) in enumerate(
            _cell_names(rng, index, unit, name, count), start=1
        ):
            cell = create(
                f"{commune.code}-{number:02d}", cell_name, OrgKind.CELL, commune, REORGANISED_ON,
                "CB",
            )  # fmt: skip
            cells.append(CellPlan(cell, profile, f"{unit} {name}", residence))
    return created, cells


def _allocate(rng: random.Random, cells: list[CellPlan], total: int, first: CellPlan) -> None:
    """Spread `total` members over the cells by weight (largest remainder), every cell getting
    at least three when there are enough, and the demo officials' cell at least eight."""
    weights = [_PROFILES[cell.profile][1] * rng.uniform(0.6, 1.4) for cell in cells]
    minimum = 3 if total >= 6 * len(cells) else 0
    spread = total - minimum * len(cells)
    whole = sum(weights)
    shares = [spread * weight / whole for weight in weights]
    counts = [int(share) for share in shares]
    order = sorted(range(len(cells)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[: spread - sum(counts)]:
        counts[i] += 1
    for cell, count in zip(cells, counts, strict=True):
        cell.members = count + minimum
    wanted = min(8, total)
    others = [cell for cell in cells if cell is not first]
    while first.members < wanted:
        donor = max(others, key=lambda cell: cell.members)
        donor.members -= 1
        first.members += 1


# Members ------------------------------------------------------------------------------------


class _MemberMaker:
    """Builds unsaved Member rows and their events with unique identifiers."""

    def __init__(self, rng: random.Random, today: datetime.date, official_count: int, total: int):
        self.rng = rng
        self.today = today
        self.cccds: set[str] = set()
        self.cards = iter(rng.sample(range(10_000_000, 100_000_000), official_count + 16))
        self.dossiers = iter(rng.sample(range(1, 1_000_000), total + 16))
        self.decisions = 0
        self.hometowns = [
            f"{unit[:1].upper()}{unit[1:]} {name}, tỉnh Bắc Ninh" for unit, name in COMMUNES
        ]

    def _decision(self, suffix: str) -> str:
        self.decisions += 1
        return f"{(self.decisions * 37) % 900 + 100}-QĐ/{suffix}"

    def _cccd(self, birth: datetime.date, sex: str, province: str) -> str:
        while True:
            number = random_cccd(self.rng, birth, sex, province)
            if number not in self.cccds:
                self.cccds.add(number)
                return number

    def _name(self, sex: str) -> str:
        """A random name, never the known member's, and never "Dương Anh Anh"."""
        while True:
            name = random_name(self.rng, sex)
            words = name.split(" ")
            if name != KNOWN_MEMBER_NAME and words[-1] != words[-2]:
                return name

    def _dates(
        self, status: str, working_age: bool
    ) -> tuple[datetime.date, datetime.date, datetime.date | None]:
        """Birth, admission and official dates: admitted at 18–60, official after 12 months."""
        rng, today = self.rng, self.today
        if status == MemberStatus.PROBATIONARY:
            admission = today - datetime.timedelta(days=rng.randint(7, 355))
            age = round(rng.triangular(18, 45 if working_age else 40, 24))
            birth = add_months(admission, -12 * age) - datetime.timedelta(days=rng.randint(0, 360))
            return birth, admission, None
        if status == MemberStatus.EXEMPT:
            age_now = rng.randint(72, 92)
        elif working_age:
            age_now = round(rng.triangular(24, 60, 38))
        else:
            age_now = round(rng.triangular(23, 92, 58))
        birth = add_months(today, -12 * age_now) - datetime.timedelta(days=rng.randint(0, 360))
        earliest = add_months(birth, 12 * 18)
        latest = min(add_months(birth, 12 * 61) - datetime.timedelta(days=1),
                     today - datetime.timedelta(days=420))  # fmt: skip
        admission = _triangular_day(rng, earliest, latest, add_months(birth, 12 * 26))
        official = add_months(admission, 12) + datetime.timedelta(days=rng.randint(0, 45))
        return birth, admission, official

    def make(
        self,
        cell: CellPlan,
        *,
        status: str,
        sex: str | None = None,
        full_name: str | None = None,
        position: str = "",
    ) -> tuple[Member, list[MemberEvent]]:
        rng = self.rng
        working_age, _weight, occupations = _PROFILES[cell.profile]
        sex = sex or ("F" if rng.random() < _FEMALE_SHARE.get(cell.profile, 0.38) else "M")
        full_name = normalise_name(full_name or self._name(sex))
        birth, admission, official = self._dates(status, working_age)
        age_now = (self.today - birth).days // 365
        if rng.random() < 0.9:
            province, hometown = PROVINCE_CODE, rng.choice(self.hometowns)
        else:
            province, hometown = rng.choice(OTHER_PROVINCES)
        if age_now >= 60 and not working_age:
            occupation = "Hưu trí" if rng.random() < 0.7 else _weighted(rng, occupations)
        else:
            occupation = _weighted(rng, occupations)
        if birth.year < 1972:
            education = "10/10" if rng.random() < 0.85 else "7/10"
        else:
            education = "12/12" if rng.random() < 0.95 else "9/12"
        member = Member(
            full_name=full_name,
            sex=sex,
            date_of_birth=birth,
            place_of_birth=hometown,
            hometown=hometown,
            residence=cell.residence,
            ethnicity=_weighted(rng, _ETHNICITIES),
            religion=_weighted(rng, _RELIGIONS),
            cccd=self._cccd(birth, sex, province),
            card_number=None if official is None else f"{next(self.cards):08d}",
            dossier_number=f"{next(self.dossiers):06d}{DOSSIER_LETTERS}",
            admission_date=admission,
            official_date=official,
            organisation=cell.organisation,
            general_education=education,
            professional_qualification=self._qualification(cell.profile),
            political_theory=self._theory(cell.profile, status, position),
            occupation=occupation,
            position=position,
            phone=random_phone(rng),
            status=status,
            name_folded=fold(full_name),
            sort_key=name_sort_key(full_name),
        )
        suffix = "ĐU" if cell.profile != "agency" else "ĐUK"
        events = [
            MemberEvent(
                member=member, kind=EventKind.ADMITTED, date=admission,
                decision_number=self._decision(suffix), to_organisation=cell.organisation,
                recorded_by=ACTOR.name,
            )
        ]  # fmt: skip
        if official is not None:
            events.append(
                MemberEvent(
                    member=member, kind=EventKind.MADE_OFFICIAL, date=official,
                    decision_number=self._decision(suffix), recorded_by=ACTOR.name,
                )
            )  # fmt: skip
        if status == MemberStatus.EXEMPT:
            assert official is not None
            start = max(official + datetime.timedelta(days=1), add_months(birth, 12 * 70))
            events.append(
                MemberEvent(
                    member=member, kind=EventKind.EXEMPTED, date=_days(rng, start, self.today),
                    detail="Tuổi cao, sức yếu", recorded_by=ACTOR.name,
                )
            )  # fmt: skip
        return member, events

    def _qualification(self, profile: str) -> str:
        q = Qualification
        if profile in ("office", "school", "health", "agency"):
            pairs = [(q.BACHELOR, 65), (q.MASTER, 20), (q.COLLEGE, 12), (q.DOCTOR, 3)]
        elif profile in ("police", "military"):
            pairs = [(q.BACHELOR, 50), (q.COLLEGE, 20), (q.INTERMEDIATE, 30)]
        else:
            pairs = [(q.NONE, 40), (q.ELEMENTARY, 12), (q.INTERMEDIATE, 20), (q.COLLEGE, 10),
                     (q.BACHELOR, 18)]  # fmt: skip
        return str(_weighted(self.rng, pairs))

    def _theory(self, profile: str, status: str, position: str) -> str:
        t = TheoryLevel
        if status == MemberStatus.PROBATIONARY:
            pairs = [(t.NONE, 70), (t.ELEMENTARY, 30)]
        elif position:
            pairs = [(t.ELEMENTARY, 60), (t.INTERMEDIATE, 40)]
        elif profile in ("office", "agency"):
            pairs = [(t.ELEMENTARY, 25), (t.INTERMEDIATE, 45), (t.ADVANCED, 25), (t.BACHELOR, 5)]
        else:
            pairs = [(t.NONE, 15), (t.ELEMENTARY, 70), (t.INTERMEDIATE, 15)]
        return str(_weighted(self.rng, pairs))


def _status(rng: random.Random, cell: CellPlan) -> str:
    if rng.random() < _PROBATIONARY_SHARE:
        return MemberStatus.PROBATIONARY
    working_age = _PROFILES[cell.profile][0]
    if not working_age and rng.random() < _EXEMPT_SHARE:
        return MemberStatus.EXEMPT
    return MemberStatus.OFFICIAL


def _build_members(
    rng: random.Random, cells: list[CellPlan], first: CellPlan, today: datetime.date
) -> tuple[list[Member], list[MemberEvent], dict[str, Member]]:
    """Unsaved members and events; `special` names the ones the demo officials are tied to."""
    plan = [(cell, _status(rng, cell)) for cell in cells for _ in range(cell.members)]
    official_count = sum(1 for _cell, status in plan if status != MemberStatus.PROBATIONARY)
    maker = _MemberMaker(rng, today, official_count + 4, len(plan))
    members: list[Member] = []
    events: list[MemberEvent] = []
    special: dict[str, Member] = {}
    positions = {cell.organisation.pk: 0 for cell in cells}
    for cell, status in plan:
        options: dict[str, Any] = {"status": status}
        index = positions[cell.organisation.pk]
        positions[cell.organisation.pk] += 1
        if cell is first and index < 4:
            options["status"] = MemberStatus.OFFICIAL
            key = ("secretary", "deputy", "known", "member")[index]
            if key == "known":
                options.update(full_name=KNOWN_MEMBER_NAME, sex="M")
        else:
            key = ""
        if index < 2 and options["status"] == MemberStatus.OFFICIAL and cell.members >= 3:
            options["position"] = ("Bí thư chi bộ", "Phó Bí thư chi bộ")[index]
        member, member_events = maker.make(cell, **options)
        members.append(member)
        events.extend(member_events)
        if key:
            special[key] = member
    return members, events, special


# Legacy defects -----------------------------------------------------------------------------

# Registries kept by hand for years are not clean (seed 003: 84 % clean after a national
# campaign). The demo plants the usual slips in a share of its records so that the data-quality
# pages, the worklist and the duplicates queue have work to show.
DEFECT_SHARE = 0.06


def duplicate_count(members: int) -> int:
    """How many second records of an existing person the demo adds."""
    return max(1, members // 500)


def _plant_defect(rng: random.Random, member: Member, taken: set[str]) -> None:
    """One realistic data-entry error. A CCCD changed into another member's number (likely
    at 100,000 members) is left empty instead: the unique key holds, the record stays wrong."""
    before = member.cccd
    _change(rng, member)
    if member.cccd and member.cccd != before:
        if member.cccd in taken:
            member.cccd = None
        else:
            taken.add(member.cccd)


def _change(rng: random.Random, member: Member) -> None:
    kind = rng.choice(
        ["cccd_sex", "cccd_year", "cccd_missing", "phone", "official", "education", "card"]
    )
    if kind == "cccd_sex" and member.cccd:
        digit = int(member.cccd[3])
        member.cccd = f"{member.cccd[:3]}{digit ^ 1}{member.cccd[4:]}"
    elif kind == "cccd_year" and member.cccd:
        year = (int(member.cccd[4:6]) + 1) % 100
        member.cccd = f"{member.cccd[:4]}{year:02d}{member.cccd[6:]}"
    elif kind == "cccd_missing":
        member.cccd = None
    elif kind == "phone":
        member.phone = member.phone[1:] if member.phone else "091234567"
    elif kind == "official" and member.official_date:
        member.official_date = add_months(member.admission_date, 7)
    elif kind == "education":
        member.general_education = "12/10"
    elif kind == "card" and member.card_number:
        member.card_number = member.card_number[:7]


def _second_record(rng: random.Random, member: Member) -> Member:
    """The same person entered again by another hand: name unaccented or one letter off, no
    CCCD or card, same birth date and hometown."""
    if rng.random() < 0.5:
        name = fold(member.full_name).title()
    else:
        family_middle, given = member.full_name.rsplit(" ", 1)
        name = f"{family_middle} {given[:-1]}{'hnmt'[rng.randrange(4)]}"
    copy = Member(
        **{
            field.name: getattr(member, field.name)
            for field in Member._meta.concrete_fields
            if field.name not in {"id", "cccd", "card_number", "dossier_number", "user"}
        }
    )
    copy.full_name = name
    copy.name_folded = fold(name)
    copy.sort_key = name_sort_key(name)
    return copy


def _plant_legacy_errors(
    rng: random.Random, members: list[Member], events: list[MemberEvent], keep: set[int]
) -> None:
    taken = {member.cccd for member in members if member.cccd}
    for index, member in enumerate(members):
        if index not in keep and rng.random() < DEFECT_SHARE:
            _plant_defect(rng, member, taken)
    for member in rng.sample([m for i, m in enumerate(members) if i not in keep],
                             duplicate_count(len(members))):  # fmt: skip
        copy = _second_record(rng, member)
        members.append(copy)
        events.append(
            MemberEvent(member=copy, kind=EventKind.ADMITTED, date=copy.admission_date,
                        to_organisation=copy.organisation, recorded_by=ACTOR.name)
        )  # fmt: skip
        if copy.official_date:
            events.append(
                MemberEvent(member=copy, kind=EventKind.MADE_OFFICIAL, date=copy.official_date,
                            recorded_by=ACTOR.name)
            )  # fmt: skip


# Demo officials -----------------------------------------------------------------------------


def _create_users(
    province: Organisation, commune: Organisation, cell: Organisation, special: dict[str, Member]
) -> list[str]:
    places = {"province": province, "commune": commune, "cell": cell}
    linked = {"bithu.chibo": special.get("secretary"), "dangvien": special.get("member")}
    created = []
    for demo_user in DEMO_USERS:
        member = linked.get(demo_user.username)
        full_name = demo_user.full_name or (member.full_name if member else demo_user.username)
        user = User.objects.create_user(
            demo_user.username, password=DEMO_PASSWORD, first_name=full_name
        )
        for role in demo_user.roles:
            grant_role(user, places[demo_user.where], role, actor=ACTOR)
        if demo_user.username == "dangvien" and member is not None:
            Member.objects.filter(pk=member.pk).update(user=user)
        created.append(user.username)
    return created


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, roles, organisation) of the demo officials that exist."""
    rows = []
    for demo_user in DEMO_USERS:
        assignments = list(
            RoleAssignment.objects.filter(user__username=demo_user.username)
            .select_related("organisation")
            .order_by("pk")
        )
        if not assignments:
            continue
        roles = ", ".join(str(assignment.get_role_display()) for assignment in assignments)
        rows.append((demo_user.username, DEMO_PASSWORD, roles, assignments[0].organisation.name))
    return rows


# The load -----------------------------------------------------------------------------------


def has_data() -> bool:
    return Organisation.objects.exists()


@transaction.atomic
def load_demo(*, members: int = DEFAULT_MEMBERS, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Build the demo organisation tree, members and officials in an empty database."""
    rng = random.Random(seed)
    today = timezone.localdate()
    organisations, cells = _build_organisations(rng)
    province = next(org for org in organisations if org.kind == OrgKind.PROVINCE)
    commune = next(org for org in organisations if org.kind == OrgKind.COMMUNE)
    first = next(cell for cell in cells if cell.organisation.parent_id == commune.pk)
    _allocate(rng, cells, members, first)
    rows, events, special = _build_members(rng, cells, first, today)
    special_ids = {id(member) for member in special.values()}
    _plant_legacy_errors(
        rng, rows, events, {i for i, member in enumerate(rows) if id(member) in special_ids}
    )
    Member.objects.bulk_create(rows, batch_size=500)
    for event in events:
        event.member_id = event.member.pk
    MemberEvent.objects.bulk_create(events, batch_size=1000)
    recount_members()
    users = _create_users(province, commune, first.organisation, special)
    summary = DemoSummary(
        organisations=len(organisations),
        cells=len(cells),
        members=len(rows),
        events=len(events),
        users=users,
    )
    for member in rows:
        summary.by_status[member.status] = summary.by_status.get(member.status, 0) + 1
    audit.record(
        ACTOR,
        "demo.load",
        province,
        changes={
            "organisations": [None, summary.organisations],
            "members": [None, summary.members],
            "member_events": [None, summary.events],
            "by_status": [None, summary.by_status],
            "users": [None, users],
            "seed": [None, seed],
        },
    )
    return summary
