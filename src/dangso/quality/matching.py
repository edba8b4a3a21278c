"""Likely duplicates: which two member records are probably the same person, and how sure.

Pure functions over plain values, so that the national pass (`quality.actions.find_duplicates`)
streams records once, grouped by birth date, and scores the pairs of each group here.

Candidates are pairs born on the same day whose folded names are equal or close
(Jaro-Winkler ≥ 0.9). Close names alone prove little among Vietnamese names — "nguyen van hung"
and "nguyen van dung" score 0.97 — so each candidate is weighed on what else the records share
(hometown, admission date, phone, a CCCD one or two digits apart, the cell) and on what rules a
match out (another sex, another hometown, another CCCD). The weights are log-odds-like points;
the score is their logistic, between 0 and 1.
"""

import datetime
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from dangso.core.text import fold

NAME_CUTOFF = 0.9
HOMETOWN_CLOSE = 90  # token-set ratio (0–100) of two hometowns written differently
PROPOSE_AT = 0.35  # pairs scoring below this are not proposed (see bench.py for the trade-off)
# The score of a pair whose points total MIDPOINT is 0.5.
MIDPOINT = 4.0

# What the two records of a pair have in common, as shown to the officer.
REASONS = {
    "same_name": _("Same name (ignoring diacritics)"),
    "close_name": _("Similar name"),
    "same_birth_date": _("Same date of birth"),
    "same_hometown": _("Same hometown"),
    "close_hometown": _("Similar hometown"),
    "same_admission_date": _("Same admission date"),
    "same_phone": _("Same phone number"),
    "close_cccd": _("CCCD numbers one or two digits apart"),
    "same_cell": _("Same Party cell"),
}

# Words of addresses that say the kind of place, not which one.
_PLACE_WORDS = frozenset(
    {
        "xa", "phuong", "thi", "tran", "huyen", "quan", "tinh", "thanh", "pho", "tp", "tx", "tt",
        "h", "q", "p", "x", "t", "thon", "xom", "ap", "to", "khu", "dan", "so",
    }
)  # fmt: skip
_NON_WORD = re.compile(r"[^a-z0-9]+")


def hometown_key(text: str) -> str:
    """'Xã Yên Phong, tỉnh Bắc Ninh' and 'Yên Phong - Bắc Ninh' → 'yen phong bac ninh'."""
    words = _NON_WORD.sub(" ", fold(text)).split()
    return " ".join(word for word in words if word not in _PLACE_WORDS)


@dataclass(frozen=True, slots=True)
class Person:
    """What the comparison needs of one record, already folded."""

    id: int
    name: str  # folded full name
    sex: str
    hometown: str  # `hometown_key`
    admission_date: datetime.date | None
    phone: str
    cccd: str
    organisation_id: int

    @property
    def given_name(self) -> str:
        return self.name.rpartition(" ")[2]


@dataclass(frozen=True, slots=True)
class Pair:
    member_a: int  # the smaller id
    member_b: int
    score: float
    reasons: tuple[str, ...]


def _digits_apart(first: str, second: str) -> int:
    return sum(1 for x, y in zip(first, second, strict=True) if x != y)


def weigh(a: Person, b: Person, name_similarity: float) -> tuple[float, list[str]]:
    """Points for and against `a` and `b` being one person (born on the same day)."""
    reasons = ["same_birth_date"]
    if name_similarity >= 1.0:
        points = 4.0
        reasons.insert(0, "same_name")
    else:
        # Another given name is usually another person; a typo in the family or middle name
        # keeps the given name.
        points = 2.0 if a.given_name == b.given_name else 0.5
        reasons.insert(0, "close_name")
    if a.sex != b.sex:
        points -= 3.0
    if a.hometown and b.hometown:
        if a.hometown == b.hometown:
            points += 3.0
            reasons.append("same_hometown")
        elif fuzz.token_set_ratio(a.hometown, b.hometown) >= HOMETOWN_CLOSE:
            points += 2.0
            reasons.append("close_hometown")
        else:
            points -= 2.0
    if a.admission_date and b.admission_date:
        if a.admission_date == b.admission_date:
            points += 3.0
            reasons.append("same_admission_date")
        elif abs((a.admission_date - b.admission_date).days) > 366:
            points -= 1.0
    if a.phone and a.phone == b.phone:
        points += 3.0
        reasons.append("same_phone")
    # Only two numbers of the same kind say anything (an old 9-digit card is not a CCCD).
    if len(a.cccd) == len(b.cccd) == 12:
        if _digits_apart(a.cccd, b.cccd) <= 2:
            points += 3.0
            reasons.append("close_cccd")
        else:
            points -= 3.0
    if a.organisation_id == b.organisation_id:
        points += 1.0
        reasons.append("same_cell")
    return points, reasons


def score(points: float) -> float:
    return round(1.0 / (1.0 + math.exp(MIDPOINT - points)), 3)


def given_name_first(name: str) -> str:
    """'nguyen van duc' → 'duc nguyen van': a typo near the start of the family name moves to
    the end, where Jaro-Winkler, which favours a common beginning, forgives it."""
    family_middle, _space, given = name.rpartition(" ")
    return f"{given} {family_middle}" if family_middle else given


def _close_names(names: Sequence[str], start: int, query: str) -> dict[int, float]:
    """{index in `names` from `start`: similarity} of the names close to `query`."""
    matches = process.extract(
        query,
        names[start:],
        scorer=JaroWinkler.normalized_similarity,
        score_cutoff=NAME_CUTOFF,
        limit=None,
    )
    return {start + offset: similarity for _name, similarity, offset in matches}


def pairs_in_group(people: Sequence[Person], *, propose_at: float = PROPOSE_AT) -> Iterator[Pair]:
    """The likely duplicates among people born on the same day."""
    names = [person.name for person in people]
    reordered = [given_name_first(name) for name in names]
    for index, person in enumerate(people[:-1]):
        close = _close_names(names, index + 1, names[index])
        for other_index, similarity in _close_names(reordered, index + 1, reordered[index]).items():
            if similarity > close.get(other_index, 0.0):
                close[other_index] = similarity
        for other_index, similarity in close.items():
            other = people[other_index]
            points, reasons = weigh(person, other, similarity)
            value = score(points)
            if value >= propose_at:
                low, high = sorted((person.id, other.id))
                yield Pair(low, high, value, tuple(reasons))


def pairs_by_birth_date(
    rows: Iterable[tuple[datetime.date, Person]], *, propose_at: float = PROPOSE_AT
) -> Iterator[Pair]:
    """Likely duplicates in `rows` sorted by birth date (the blocking key)."""
    group: list[Person] = []
    current: datetime.date | None = None
    for birth_date, person in rows:
        if birth_date != current:
            if len(group) > 1:
                yield from pairs_in_group(group, propose_at=propose_at)
            group, current = [], birth_date
        group.append(person)
    if len(group) > 1:
        yield from pairs_in_group(group, propose_at=propose_at)
