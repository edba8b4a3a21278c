"""Member actions: admission, record edits and lifecycle events under the QĐ 232 rules.

Every action validates first and writes nothing when a rule refuses, with a Vietnamese
message; it then writes the record, its `MemberEvent` and the audit entry in one transaction,
and keeps `Organisation.member_count` up to date.
"""

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangso.core import audit
from dangso.core.audit import Actor
from dangso.core.dates import add_months, format_date
from dangso.members.choices import ON_ROLL, EventKind, MemberStatus
from dangso.members.models import Member, MemberEvent, MemberFlag
from dangso.members.rules import PROBATION_MONTHS, check_record
from dangso.orgs.actions import follow_merges
from dangso.orgs.models import Organisation

# Fields of the record an officer may correct through the edit form.
EDITABLE_FIELDS = (
    "full_name", "other_names", "sex", "date_of_birth", "place_of_birth", "hometown",
    "residence", "ethnicity", "religion", "cccd", "card_number", "dossier_number",
    "admission_date", "official_date", "general_education", "professional_qualification",
    "political_theory", "occupation", "position", "phone", "email",
)  # fmt: skip

# The status each event leaves the member in, where it changes it.
_STATUS_AFTER: dict[str, str] = {
    EventKind.MADE_OFFICIAL: MemberStatus.OFFICIAL,
    EventKind.TRANSFERRED_OUT: MemberStatus.TRANSFERRED_OUT,
    EventKind.EXEMPTED: MemberStatus.EXEMPT,
    EventKind.EXEMPTION_ENDED: MemberStatus.OFFICIAL,
    EventKind.REMOVED: MemberStatus.REMOVED,
    EventKind.EXPELLED: MemberStatus.EXPELLED,
    EventKind.DIED: MemberStatus.DECEASED,
}
# Events an officer records through `record_event` (admission goes through `admit_member`).
RECORDABLE_EVENTS = (
    EventKind.MADE_OFFICIAL, EventKind.TRANSFERRED, EventKind.TRANSFERRED_OUT,
    EventKind.TEMPORARY_OUT, EventKind.TEMPORARY_RETURN, EventKind.EXEMPTED,
    EventKind.EXEMPTION_ENDED, EventKind.REWARDED, EventKind.DISCIPLINED, EventKind.REMOVED,
    EventKind.EXPELLED, EventKind.DIED,
)  # fmt: skip
# Sinh hoạt tạm thời: from 3 months up to 2 years (domain.md §2.4).
MIN_TEMPORARY_MONTHS = 3
MAX_TEMPORARY_MONTHS = 24

# Apps above `members` that keep something derived from member records (data-quality
# problems, statistics) register here; each follower is called with the member ids an action
# changed and every organisation those members were or now are in, inside the action's
# transaction. Explicit, like `orgs.actions.follow_merges`.
MemberFollower = Callable[[Sequence[int], Sequence[int]], None]
_member_followers: list[MemberFollower] = []


def follow_member_changes(follower: MemberFollower) -> MemberFollower:
    if follower not in _member_followers:
        _member_followers.append(follower)
    return follower


def members_changed(member_ids: Sequence[int], organisation_ids: Sequence[int]) -> None:
    """Tell the followers that these members' records changed (also used by bulk imports)."""
    for follower in _member_followers:
        follower(member_ids, organisation_ids)


def _snapshot(member: Member, fields: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(member, name) for name in fields}


def _count(organisation_id: int | None, delta: int) -> None:
    if organisation_id and delta:
        Organisation.objects.filter(pk=organisation_id).update(
            member_count=F("member_count") + delta
        )


def _require_cell(organisation: Organisation | None, field: str) -> Organisation:
    if organisation is None:
        raise ValidationError({field: _("Choose the Party cell.")})
    if not organisation.is_cell or not organisation.is_active:
        raise ValidationError({field: _("Choose an active Party cell.")})
    return organisation


def _new_member(data: Mapping[str, Any], organisation: Organisation, status: str) -> Member:
    _require_cell(organisation, "organisation")
    member = Member(organisation=organisation, status=status)
    for name, value in data.items():
        if name in EDITABLE_FIELDS:
            setattr(member, name, value)
    return member


def _enrol(member: Member, event: MemberEvent, actor: Actor, action: str) -> Member:
    """Write a new member with the event that brought them onto the roll, counted and audited."""
    member.save()
    event.member = member
    event.save()
    _count(member.organisation_id, 1)
    audit.record(actor, action, member, changes=audit.diff({}, _snapshot(member, EDITABLE_FIELDS)))
    members_changed([member.pk], [member.organisation_id])
    return member


@transaction.atomic
def admit_member(
    data: Mapping[str, Any],
    *,
    organisation: Organisation,
    actor: Actor,
    decision_number: str = "",
    over_60_approved: bool = False,
) -> Member:
    """Kết nạp: a new probationary member. Ages 18–60 counted by month (QĐ 232, domain.md §2.4);
    above 60 only with the approval of a committee directly under the Central Committee."""
    member = _new_member(data, organisation, MemberStatus.PROBATIONARY)
    member.official_date = None
    member.full_clean()
    if not over_60_approved:
        too_old = [p for p in check_record(member.rule_values()) if p.code == "age.admission_max"]
        if too_old:
            raise ValidationError({"admission_date": too_old[0].message})
    event = MemberEvent(
        kind=EventKind.ADMITTED,
        date=member.admission_date,
        decision_number=decision_number,
        to_organisation=organisation,
        recorded_by=actor.name,
    )
    return _enrol(member, event, actor, "member.create")


@transaction.atomic
def receive_member(
    data: Mapping[str, Any],
    *,
    organisation: Organisation,
    received_on: datetime.date,
    origin: str,
    actor: Actor,
    decision_number: str = "",
) -> Member:
    """Tiếp nhận: a member transferred in officially from a Party organisation outside the
    system, with the admission (and official) dates of their record; official when the record
    has an official date, probationary otherwise."""
    status = MemberStatus.OFFICIAL if data.get("official_date") else MemberStatus.PROBATIONARY
    member = _new_member(data, organisation, status)
    member.full_clean()
    errors: dict[str, str] = {}
    if not origin.strip():
        errors["origin"] = _("Name the Party organisation the member comes from.")
    if received_on > timezone.localdate():
        errors["received_on"] = _("This date is in the future.")
    elif received_on < member.admission_date:
        errors["received_on"] = _("The date is before the admission date (%(day)s).") % {
            "day": format_date(member.admission_date)
        }
    if errors:
        raise ValidationError(errors)
    event = MemberEvent(
        kind=EventKind.RECEIVED,
        date=received_on,
        decision_number=decision_number,
        to_organisation=organisation,
        destination=origin.strip(),
        recorded_by=actor.name,
    )
    return _enrol(member, event, actor, "member.receive")


@transaction.atomic
def update_member(member: Member, data: Mapping[str, Any], *, actor: Actor) -> Member:
    """Correct fields of a member's record; the audit entry keeps each old and new value."""
    member = Member.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    _refuse_if_deceased(member)
    before = _snapshot(member, EDITABLE_FIELDS)
    for name, value in data.items():
        if name in EDITABLE_FIELDS:
            setattr(member, name, value)
    if member.status == MemberStatus.PROBATIONARY and member.official_date:
        raise ValidationError(
            {"official_date": _("A probationary member has no official date yet.")}
        )
    member.full_clean()
    changes = audit.diff(before, _snapshot(member, EDITABLE_FIELDS))
    if changes:
        member.save()
        audit.record(actor, "member.update", member, changes=changes)
        members_changed([member.pk], [member.organisation_id])
    return member


def view_member(member: Member, *, actor: Actor) -> None:
    """Reading a member's full record is audited (DESIGN rule 2)."""
    audit.record(actor, "member.view", member)


def _refuse_if_deceased(member: Member) -> None:
    if member.status == MemberStatus.DECEASED:
        raise ValidationError(
            _("%(name)s is deceased: no change or event can be recorded.") % {"name": member},
            code="deceased",
        )


def _check_event(member: Member, kind: str, day: datetime.date, **details: Any) -> None:
    _refuse_if_deceased(member)
    if member.status not in ON_ROLL:
        raise ValidationError(
            _("%(name)s is no longer on the roll (%(status)s).")
            % {"name": member, "status": member.get_status_display()},
            code="not_on_roll",
        )
    if day > timezone.localdate():
        raise ValidationError({"date": _("This date is in the future.")})
    if day < member.admission_date:
        raise ValidationError(
            {
                "date": _("The date is before the admission date (%(day)s).")
                % {"day": format_date(member.admission_date)}
            }
        )
    if kind == EventKind.MADE_OFFICIAL:
        if member.status != MemberStatus.PROBATIONARY:
            raise ValidationError(_("Only a probationary member can be recognised as official."))
        earliest = add_months(member.admission_date, PROBATION_MONTHS)
        if day < earliest:
            raise ValidationError(
                {
                    "date": _("Recognition needs 12 months of probation: not before %(day)s.")
                    % {"day": format_date(earliest)}
                }
            )
    elif kind in (EventKind.TRANSFERRED, EventKind.TEMPORARY_OUT):
        target = details.get("to_organisation")
        if kind == EventKind.TRANSFERRED or not details.get("destination"):
            _require_cell(target, "to_organisation")
        if target is not None and target.pk == member.organisation_id:
            raise ValidationError({"to_organisation": _("The member is already in this cell.")})
        if kind == EventKind.TEMPORARY_OUT:
            until = details.get("until")
            if until is None or until <= day:
                raise ValidationError({"until": _("Give the end date of the temporary transfer.")})
            if until > add_months(day, MAX_TEMPORARY_MONTHS):
                raise ValidationError({"until": _("A temporary transfer lasts at most 2 years.")})
            if until < add_months(day, MIN_TEMPORARY_MONTHS):
                raise ValidationError(
                    {"until": _("A temporary transfer lasts at least 3 months; shorter absences "
                                "keep the member in their own cell.")}
                )  # fmt: skip
            if member.temporary_organisation_id or member.temporary_until:
                raise ValidationError(_("The member is already on a temporary transfer."))
    elif kind == EventKind.TEMPORARY_RETURN:
        if not (member.temporary_organisation_id or member.temporary_until):
            raise ValidationError(_("The member is not on a temporary transfer."))
    elif kind == EventKind.TRANSFERRED_OUT:
        if not details.get("destination"):
            raise ValidationError({"destination": _("Name the receiving Party organisation.")})
    elif kind == EventKind.EXEMPTED:
        if member.status != MemberStatus.OFFICIAL:
            raise ValidationError(_("Only an official member can be exempted."))
    elif kind == EventKind.EXEMPTION_ENDED:
        if member.status != MemberStatus.EXEMPT:
            raise ValidationError(_("The member is not exempted."))
    elif kind in (EventKind.REWARDED, EventKind.DISCIPLINED) and not details.get("detail"):
        raise ValidationError({"detail": _("Give the form of reward or discipline.")})


@transaction.atomic
def record_event(
    member: Member,
    kind: str,
    *,
    date: datetime.date,
    actor: Actor,
    decision_number: str = "",
    to_organisation: Organisation | None = None,
    destination: str = "",
    detail: str = "",
    note: str = "",
    until: datetime.date | None = None,
) -> MemberEvent:
    """Record one lifecycle event and apply it to the member's record."""
    if kind not in RECORDABLE_EVENTS:
        raise ValidationError({"kind": _("This event cannot be recorded here.")})
    member = Member.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    _check_event(
        member, kind, date, to_organisation=to_organisation, destination=destination,
        detail=detail, until=until,
    )  # fmt: skip
    before = _snapshot(member, ["status", "organisation_id", "official_date",
                                "temporary_organisation_id", "temporary_until"])  # fmt: skip
    event = MemberEvent.objects.create(
        member=member,
        kind=kind,
        date=date,
        decision_number=decision_number,
        from_organisation_id=member.organisation_id,
        to_organisation=to_organisation,
        destination=destination,
        detail=detail,
        note=note,
        recorded_by=actor.name,
    )
    was_on_roll = member.is_on_roll
    if kind == EventKind.MADE_OFFICIAL:
        member.official_date = date
    elif kind == EventKind.TRANSFERRED:
        assert to_organisation is not None
        _count(member.organisation_id, -1)
        _count(to_organisation.pk, 1)
        member.organisation = to_organisation
    elif kind == EventKind.TEMPORARY_OUT:
        member.temporary_organisation, member.temporary_until = to_organisation, until
    elif kind == EventKind.TEMPORARY_RETURN:
        member.temporary_organisation, member.temporary_until = None, None
    member.status = _STATUS_AFTER.get(kind, member.status)
    if was_on_roll and not member.is_on_roll:
        _count(member.organisation_id, -1)
    member.save()
    after = _snapshot(member, list(before))
    audit.record(
        actor,
        f"member.event.{kind}",
        member,
        changes={**audit.diff(before, after), "event": [None, event.pk]},
    )
    members_changed([member.pk], sorted({before["organisation_id"], member.organisation_id}))
    return event


@follow_merges
def move_members_on_merge(
    sources: Sequence[Organisation], target: Organisation, on: datetime.date, actor: Actor
) -> None:
    """Members recorded directly in merged organisations move to the target, with an event."""
    moving = list(
        Member.objects.filter(organisation__in=sources).values_list("pk", "organisation_id")
    )
    MemberEvent.objects.bulk_create(
        MemberEvent(
            member_id=pk,
            kind=EventKind.REORGANISED,
            date=on,
            from_organisation_id=org_id,
            to_organisation=target,
            recorded_by=actor.name,
        )
        for pk, org_id in moving
    )
    Member.objects.filter(organisation__in=sources).update(organisation=target)
    Member.objects.filter(temporary_organisation__in=sources).update(temporary_organisation=target)
    members_changed([pk for pk, _org in moving], [*(o.pk for o in sources), target.pk])
    if moving:
        audit.record(
            actor,
            "member.reorganise",
            target,
            changes={"members": [None, len(moving)], "from": [None, [o.pk for o in sources]]},
        )


def recount_members() -> int:
    """Rebuild every `Organisation.member_count` from the member table; returns how many changed."""
    counts = dict(
        Member.objects.on_roll().values_list("organisation_id").annotate(n=Count("pk")).order_by()
    )
    changed = 0
    with transaction.atomic():
        for org_id, stored in Organisation.objects.values_list("pk", "member_count"):
            actual = counts.get(org_id, 0)
            if stored != actual:
                Organisation.objects.filter(pk=org_id).update(member_count=actual)
                changed += 1
    return changed


# Identifiers a duplicate record hands to the record it is merged into, when that one lacks them.
MERGED_IDENTIFIERS = ("cccd", "card_number", "dossier_number")
_UNIQUE_IDENTIFIERS = {"cccd", "card_number"}


@transaction.atomic
def merge_members(keep: Member, remove: Member, *, actor: Actor) -> Member:
    """Gộp hồ sơ trùng: `remove` is a second record of the person `keep` describes.

    Both rows and both histories stay: `remove` becomes MERGED, points at `keep` and leaves the
    roll; its events are not moved, and each record gets a MERGED event naming the other, so
    either history tells what happened. Identifiers (CCCD, card and dossier numbers) and the
    member's sign-in that `keep` lacks move over from `remove`.
    """
    if keep.pk == remove.pk:
        raise ValidationError(_("A record cannot be merged into itself."))
    locked = Member.objects.select_for_update().order_by("pk").in_bulk([keep.pk, remove.pk])
    keep, remove = locked[keep.pk], locked[remove.pk]
    for member in (keep, remove):
        if member.status == MemberStatus.MERGED:
            raise ValidationError(
                _("%(name)s's record was already merged into another one.") % {"name": member},
                code="merged",
            )
    moving = [
        name for name in MERGED_IDENTIFIERS if getattr(remove, name) and not getattr(keep, name)
    ]
    if remove.user_id and not keep.user_id:
        moving.append("user_id")
    before_keep = _snapshot(keep, moving)
    before_remove = _snapshot(remove, ["status", "merged_into_id", *moving])
    values = {name: getattr(remove, name) for name in moving}
    was_on_roll = remove.is_on_roll
    for name in moving:  # free the unique values before the kept record takes them
        setattr(remove, name, None if name in _UNIQUE_IDENTIFIERS | {"user_id"} else "")
    remove.status = MemberStatus.MERGED
    remove.merged_into = keep
    remove.save()
    for name, value in values.items():
        setattr(keep, name, value)
    if values:
        keep.save()
    if was_on_roll:
        _count(remove.organisation_id, -1)
    today = timezone.localdate()
    MemberEvent.objects.bulk_create(
        [
            MemberEvent(
                member=remove, kind=EventKind.MERGED, date=today, detail=f"→ #{keep.pk} {keep}",
                from_organisation_id=remove.organisation_id,
                to_organisation_id=keep.organisation_id, recorded_by=actor.name,
            ),
            MemberEvent(
                member=keep, kind=EventKind.MERGED, date=today, detail=f"← #{remove.pk} {remove}",
                from_organisation_id=remove.organisation_id,
                to_organisation_id=keep.organisation_id, recorded_by=actor.name,
            ),
        ]
    )  # fmt: skip
    audit.record(
        actor,
        "member.merge",
        keep,
        changes={**audit.diff(before_keep, _snapshot(keep, moving)), "merged": [None, remove.pk]},
    )
    audit.record(
        actor,
        "member.merged",
        remove,
        changes=audit.diff(before_remove, _snapshot(remove, list(before_remove))),
    )
    members_changed([keep.pk, remove.pk], sorted({keep.organisation_id, remove.organisation_id}))
    return keep


@transaction.atomic
def flag_member(
    member: Member, kind: str, year: int, months: Sequence[str], *, threshold: int,
    actor: Actor, note: str = "",
) -> MemberFlag:  # fmt: skip
    """Record the months of `year` that count against `member` for `kind`: the flag is raised
    when they reach `threshold`, and cleared when they fall below it again (a late payment, an
    absence excused afterwards). Audited when its state changes."""
    flag, _created = MemberFlag.objects.select_for_update().get_or_create(
        member=member, kind=kind, year=year
    )
    was_raised = flag.is_raised
    flag.months = sorted(set(months))
    flag.note = note[:255]
    now = timezone.now()
    if len(flag.months) >= threshold and not was_raised:
        flag.raised_at, flag.cleared_at = now, None
    elif len(flag.months) < threshold and was_raised:
        flag.cleared_at = now
    flag.save()
    if flag.is_raised != was_raised:
        action = "member.flag" if flag.is_raised else "member.unflag"
        audit.record(
            actor, action, member, changes={"kind": kind, "year": year, "months": flag.months}
        )
    return flag
