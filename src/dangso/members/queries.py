"""Read-side helpers for member lists: scope, the Vietnamese order, filters and counts.

Every queryset here starts from `restrict()`; the only other way to a record is a member's
own (a party member may read their own record without `member.view`).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Collate

from dangso.accounts.scope import covers, restrict
from dangso.core.dates import add_months
from dangso.members.choices import AGE_BANDS, ON_ROLL, MemberStatus, Sex
from dangso.members.models import Member
from dangso.members.stats import subtree_statistics
from dangso.orgs.models import Organisation

# Age bands of the dashboard: (key, youngest age, oldest age or None).


def vietnamese_order(members: QuerySet[Member]) -> QuerySet[Member]:
    """Order by `sort_key` in binary collation, the only one under which the key sorts right.

    PostgreSQL compares text in the database's collation (often en_US), which would put the
    key's space and letters in another order; SQLite compares bytes already.
    """
    if connections[members.db].vendor == "postgresql":
        return members.order_by(Collate("sort_key", "C"), "pk")
    return members.order_by(F("sort_key"), "pk")


def readable_members(user: Any) -> QuerySet[Member]:
    """Members `user` may read: those in their `member.view` scope, and their own record."""
    members = Member.objects.select_related("organisation", "temporary_organisation")
    scoped = restrict(members, user, "member.view")
    if not user.is_authenticated:
        return scoped
    return scoped | members.filter(user=user)


def holds(user: Any, capability: str, member: Member) -> bool:
    return covers(user, capability, member.organisation.path)


@dataclass(frozen=True)
class MemberFilters:
    query: str = ""
    organisation: Organisation | None = None
    status: str = ""  # "" = on the roll, "all" = every status, or one MemberStatus value
    sex: str = ""

    def as_audit(self) -> dict[str, Any]:
        return {
            "q": self.query,
            "organisation": self.organisation.pk if self.organisation else None,
            "status": self.status or "on_roll",
            "sex": self.sex,
        }


def filter_members(members: QuerySet[Member], filters: MemberFilters) -> QuerySet[Member]:
    """The list's filters on an already restricted queryset (the web list and the API)."""
    if filters.status == "all":
        pass
    elif filters.status:
        members = members.filter(status=filters.status)
    else:
        members = members.filter(status__in=ON_ROLL)
    if filters.sex:
        members = members.filter(sex=filters.sex)
    if filters.organisation is not None:
        members = members.filter(organisation__path__startswith=filters.organisation.path)
    if filters.query:
        members = members.search(filters.query)  # type: ignore[attr-defined]
    return members


def _born_by(today: datetime.date, age: int) -> datetime.date:
    """The latest birth date of someone who is at least `age` years old on `today`."""
    return add_months(today, -12 * age)


def member_statistics(
    members: QuerySet[Member],
    today: datetime.date,
    *,
    roots: Sequence[Organisation] | None = None,
) -> dict[str, int]:
    """Counts by status (all records), and by sex and age band (members on the roll): one query.

    `roots`: when `members` is exactly the members under these organisations (a scope, nothing
    filtered out), the figures come from the kept counts of `members.stats` instead, a few
    hundred rows rather than every member; age bands then go by birth year.
    """
    if roots is not None:
        return subtree_statistics(roots, today)
    on_roll = Q(status__in=ON_ROLL)
    counts: dict[str, Any] = {"on_roll": Count("pk", filter=on_roll)}
    for status in MemberStatus.values:
        counts[f"status_{status}"] = Count("pk", filter=Q(status=status))
    for sex in Sex.values:
        counts[f"sex_{sex}"] = Count("pk", filter=on_roll & Q(sex=sex))
    for key, youngest, oldest in AGE_BANDS:
        band = on_roll & Q(date_of_birth__lte=_born_by(today, youngest))
        if oldest is not None:
            band &= Q(date_of_birth__gt=_born_by(today, oldest + 1))
        counts[f"age_{key}"] = Count("pk", filter=band)
    return members.order_by().aggregate(**counts)
