"""Read side of data quality: the figures of a subtree, the trend, the worklist, the pairs, and
the sentences a person reads for each problem.

Every queryset starts from `restrict()`. A pair of likely duplicates is shown only to those
whose scope reaches both records: a commune officer never learns of a record in another
commune through a pair.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.text import capfirst

from dangso.accounts.scope import restrict
from dangso.accounts.scope import scope_roots as accounts_scope_roots
from dangso.members.actions import EDITABLE_FIELDS
from dangso.members.choices import ON_ROLL, MemberStatus
from dangso.members.models import Member
from dangso.members.rules import RULES, WARNINGS, check_record
from dangso.orgs.models import Organisation
from dangso.orgs.queries import child_segment
from dangso.quality.models import BLOCKING_CODES, DuplicateCandidate, MemberProblem, PairStatus
from dangso.quality.models import QualitySnapshot as Snapshot

TREND_DAYS = 180
_DATES = ("date_of_birth", "admission_date", "official_date")
# The fields a person may need to change to clear each rule: a CCCD that disagrees with the
# birth year may be right while the date of birth is wrong.
FIX_FIELDS: dict[str, tuple[str, ...]] = {
    "name.format": ("full_name",),
    "cccd.missing": ("cccd",),
    "cccd.format": ("cccd",),
    "cccd.province": ("cccd",),
    "cccd.century_sex": ("cccd", "sex", "date_of_birth"),
    "cccd.birth_year": ("cccd", "date_of_birth"),
    "cccd.duplicate": ("cccd",),
    "date.future": _DATES,
    "date.order": _DATES,
    "age.admission_min": ("date_of_birth", "admission_date"),
    "age.admission_max": ("date_of_birth", "admission_date"),
    "official.too_early": ("admission_date", "official_date"),
    "official.not_12_months": ("admission_date", "official_date"),
    "card.format": ("card_number",),
    "card.duplicate": ("card_number",),
    "dossier.format": ("dossier_number",),
    "education.format": ("general_education",),
    "phone.format": ("phone",),
    "email.format": ("email",),
    "duplicate.likely": (),
}


# --- figures ------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Members on the roll of a subtree, how many have a problem that needs fixing, by rule."""

    organisation: Organisation | None = None
    members: int = 0
    unclean: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    children: list["Figures"] = field(default_factory=list)

    @property
    def clean(self) -> int:
        return max(self.members - self.unclean, 0)

    @property
    def percent_clean(self) -> float | None:
        return round(100 * self.clean / self.members, 1) if self.members else None

    def add(self, other: "Figures") -> None:
        self.members += other.members
        self.unclean += other.unclean
        for code, count in other.by_rule.items():
            self.by_rule[code] = self.by_rule.get(code, 0) + count


def subtree_figures(user: Any, root: Organisation, capability: str = "member.view") -> Figures:
    """The figures of `root`'s subtree, with one `Figures` per child organisation in
    `.children` (worst first). Three grouped queries, whatever the size of the subtree."""
    organisations = restrict(Organisation.objects.all(), user, capability).filter(
        path__startswith=root.path
    )
    members: dict[str, int] = {
        child: total
        for child, total in organisations.filter(member_count__gt=0)
        .annotate(child=child_segment("path", root.path))
        .values("child")
        .annotate(total=Sum("member_count"))
        .values_list("child", "total")
        .order_by()
    }
    problems = restrict(MemberProblem.objects.all(), user, capability).filter(
        organisation__path__startswith=root.path
    )
    unclean: dict[str, int] = dict(
        problems.filter(code__in=BLOCKING_CODES)
        .annotate(child=child_segment("organisation__path", root.path))
        .values("child")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("child", "n")
        .order_by()
    )
    by_rule = dict(
        problems.values("code")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("code", "n")
        .order_by()
    )
    total = Figures(root, sum(members.values()), sum(unclean.values()), by_rule)
    children = []
    for child in organisations.filter(parent=root).order_by("name"):
        key = str(child.pk)
        if key in members or child.is_active:
            children.append(Figures(child, members.get(key, 0), unclean.get(key, 0)))
    children.sort(key=lambda f: (f.percent_clean is None, f.percent_clean or 0, -f.members))
    total.children = children
    return total


def scope_roots(
    user: Any, capability: str, organisation: Organisation | None = None
) -> list[Organisation]:
    """The organisations whose subtrees make up the view: the chosen one, or the user's scope."""
    if organisation is not None:
        return [organisation]
    return accounts_scope_roots(user, capability)


@dataclass(frozen=True)
class TrendPoint:
    day: datetime.date
    members: int
    clean: int

    @property
    def percent_clean(self) -> float:
        return round(100 * self.clean / self.members, 1) if self.members else 0.0


def trend(
    user: Any, roots: Sequence[Organisation], *, today: datetime.date, days: int = TREND_DAYS
) -> list[TrendPoint]:
    """% clean of the roots' subtrees on each day a snapshot was taken (one query)."""
    rows = (
        restrict(Snapshot.objects.all(), user, "member.view")
        .filter(organisation__in=roots, day__gt=today - datetime.timedelta(days=days))
        .values("day")
        .annotate(total=Sum("members"), clean_total=Sum("clean_records"))
        .order_by("day")
    )
    return [TrendPoint(row["day"], row["total"], row["clean_total"]) for row in rows]


# --- the worklist -------------------------------------------------------------------------------


def worklist(
    user: Any,
    *,
    organisation: Organisation | None = None,
    rule: str = "",
    query: str = "",
) -> QuerySet[Member]:
    """Members on the roll in `user`'s `member.edit` scope that have a problem, with their
    problems prefetched."""
    problems = MemberProblem.objects.filter(member=OuterRef("pk"))
    if rule:
        problems = problems.filter(code=rule)
    members = (
        restrict(Member.objects.select_related("organisation"), user, "member.edit")
        .filter(status__in=ON_ROLL)
        .filter(Exists(problems))
        .prefetch_related(Prefetch("problems", MemberProblem.objects.order_by("code", "pk")))
    )
    if organisation is not None:
        members = members.filter(organisation__path__startswith=organisation.path)
    if query:
        members = members.search(query)  # type: ignore[attr-defined]
    return members


@dataclass(frozen=True)
class ProblemLine:
    code: str
    field: str
    field_label: str
    message: str
    is_blocking: bool


def _field_labels() -> dict[str, str]:
    return {f.name: str(capfirst(f.verbose_name)) for f in Member._meta.fields}


def problem_lines(member: Member, problems: Sequence[MemberProblem]) -> list[ProblemLine]:
    """What a person reads for each stored problem of `member`: the rule's own sentence,
    rendered now from the record (so in the reader's language), or the rule's name for
    set-level rules."""
    live = {(p.code, p.field): p.message for p in check_record(member.rule_values())}
    labels = _field_labels()
    return [
        ProblemLine(
            code=problem.code,
            field=problem.field,
            field_label=labels.get(problem.field, problem.field),
            message=live.get((problem.code, problem.field), str(RULES.get(problem.code, ""))),
            is_blocking=problem.code not in WARNINGS,
        )
        for problem in problems
    ]


def fix_fields(member: Member, problems: Sequence[MemberProblem]) -> list[str]:
    """The fields of the inline form that clears `problems`, in the order of the record."""
    wanted = {name for problem in problems for name in FIX_FIELDS.get(problem.code, ())}
    if member.status == MemberStatus.PROBATIONARY:
        wanted.discard("official_date")
    return [name for name in EDITABLE_FIELDS if name in wanted]


# --- likely duplicates --------------------------------------------------------------------------


def pairs(user: Any, capability: str = "member.edit") -> QuerySet[DuplicateCandidate]:
    """Open pairs whose two records are both in `user`'s scope, most likely first."""
    reachable = restrict(Member.objects.all(), user, capability)
    return (
        restrict(DuplicateCandidate.objects.all(), user, capability)
        .filter(member_b__in=reachable)
        .select_related("member_a__organisation", "member_b__organisation")
        .order_by(F("score").desc(), "pk")
    )


def open_pairs(user: Any, organisation: Organisation | None = None) -> QuerySet[DuplicateCandidate]:
    found = pairs(user).filter(status=PairStatus.OPEN)
    if organisation is not None:
        found = found.filter(
            Q(member_a__organisation__path__startswith=organisation.path)
            | Q(member_b__organisation__path__startswith=organisation.path)
        )
    return found


# Fields compared side by side on the duplicates page.
PAIR_FIELDS = (
    "full_name", "date_of_birth", "sex", "hometown", "cccd", "card_number", "dossier_number",
    "organisation", "status", "admission_date", "official_date", "phone", "email",
)  # fmt: skip


def _shown(member: Member, name: str) -> Any:
    if name == "organisation":
        return member.organisation.name
    if name in ("sex", "status"):
        return getattr(member, f"get_{name}_display")()
    return getattr(member, name)


def pair_rows(candidate: DuplicateCandidate) -> list[dict[str, Any]]:
    """(label, value of a, value of b, whether they differ) for the side-by-side table."""
    labels = _field_labels()
    rows = []
    for name in PAIR_FIELDS:
        first, second = _shown(candidate.member_a, name), _shown(candidate.member_b, name)
        rows.append(
            {
                "name": name,
                "label": labels[name],
                "a": first,
                "b": second,
                "differs": (first or "") != (second or ""),
                "is_date": name in _DATES,
            }
        )
    return rows
