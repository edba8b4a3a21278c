"""Party member records API: lists, the audited full record, admission, edits and events.

Reads need member.view, edits member.edit, admissions and lifecycle events member.event,
each over the member's cell (DESIGN rule 1). Writes go through `members.actions`, which
refuse bad input with a message per field and write nothing.
"""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, P, QueryEx, Router, Schema, Status
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from dangso.accounts.api_auth import api_user, get_in_scope, require, scoped
from dangso.accounts.roles import Capability
from dangso.core.audit import Actor, client_address
from dangso.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, cursor_page
from dangso.members import actions
from dangso.members.choices import (
    ETHNICITIES,
    EventKind,
    MemberStatus,
    Qualification,
    Religion,
    Sex,
    TheoryLevel,
)
from dangso.members.models import Member, MemberEvent
from dangso.members.queries import MemberFilters, filter_members
from dangso.orgs.models import Organisation

router = Router()

Ethnicity = Literal[tuple(code for code, _name in ETHNICITIES)]  # type: ignore[valid-type]
# Fields that may be emptied with null; every other field takes a value ("" to clear text).
_NULLABLE = frozenset({"cccd", "card_number", "official_date"})


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(api_user(request), client_address(request))


# --- output -----------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    code: str
    name: str


class MemberSummary(Schema):
    """A line of a member list: no CCCD, contact or history (the full record is audited)."""

    id: int
    full_name: str
    sex: Sex
    date_of_birth: datetime.date
    status: MemberStatus
    card_number: str | None
    admission_date: datetime.date
    official_date: datetime.date | None
    organisation: OrganisationRef


class MemberPage(Schema):
    items: list[MemberSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class MemberOut(MemberSummary):
    """The full record (Phiếu đảng viên). Reading it is recorded in the audit log."""

    other_names: str
    place_of_birth: str
    hometown: str
    residence: str
    ethnicity: str
    religion: Religion
    cccd: str | None
    dossier_number: str
    general_education: str
    professional_qualification: Qualification
    political_theory: TheoryLevel
    occupation: str
    position: str
    phone: str
    email: str
    temporary_organisation: OrganisationRef | None
    temporary_until: datetime.date | None
    updated_at: datetime.datetime


class EventOut(Schema):
    id: int
    kind: EventKind
    date: datetime.date
    decision_number: str
    from_organisation: OrganisationRef | None
    to_organisation: OrganisationRef | None
    destination: str
    detail: str
    note: str
    recorded_at: datetime.datetime
    recorded_by: str


# --- input ------------------------------------------------------------------------------


class _Input(Schema):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    @field_validator("cccd", "card_number", mode="before", check_fields=False)
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        """Unique identifiers: an empty one is absent (two blanks must not collide)."""
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value


class MemberCreate(_Input):
    """Kết nạp: the new member's record, the cell admitting them and the decision."""

    organisation: int = Field(description="Id of the Party cell admitting the member.")
    decision_number: str = Field("", max_length=60)
    over_60_approved: bool = Field(
        False, description="Approved by a committee directly under the Central Committee."
    )
    full_name: str
    sex: Sex
    date_of_birth: datetime.date
    admission_date: datetime.date
    other_names: str = ""
    place_of_birth: str = ""
    hometown: str = ""
    residence: str = ""
    ethnicity: Ethnicity = "01"  # type: ignore[valid-type]
    religion: Religion = Religion.NONE
    cccd: str | None = None
    card_number: str | None = None
    dossier_number: str = ""
    general_education: str = ""
    professional_qualification: Qualification = Qualification.NONE
    political_theory: TheoryLevel = TheoryLevel.NONE
    occupation: str = ""
    position: str = ""
    phone: str = ""
    email: str = ""

    def record_fields(self) -> dict[str, Any]:
        return self.model_dump(include=set(actions.EDITABLE_FIELDS))


class MemberPatch(_Input):
    """Corrections to a record: only the fields given change."""

    full_name: str | None = None
    other_names: str | None = None
    sex: Sex | None = None
    date_of_birth: datetime.date | None = None
    place_of_birth: str | None = None
    hometown: str | None = None
    residence: str | None = None
    ethnicity: Ethnicity | None = None  # type: ignore[valid-type]
    religion: Religion | None = None
    cccd: str | None = None
    card_number: str | None = None
    dossier_number: str | None = None
    admission_date: datetime.date | None = None
    official_date: datetime.date | None = None
    general_education: str | None = None
    professional_qualification: Qualification | None = None
    political_theory: TheoryLevel | None = None
    occupation: str | None = None
    position: str | None = None
    phone: str | None = None
    email: str | None = None

    @field_validator(*(f for f in actions.EDITABLE_FIELDS if f not in _NULLABLE), mode="after")
    @classmethod
    def _required_value(cls, value: Any) -> Any:
        # Runs only for fields the client sent: an explicit null is refused, not stored.
        if value is None:
            raise PydanticCustomError("null", _("This field cannot be null."))
        return value


class EventCreate(_Input):
    kind: EventKind
    date: datetime.date
    decision_number: str = Field("", max_length=60)
    to_organisation: int | None = Field(
        None, description="Receiving Party cell (transfer, temporary transfer within the system)."
    )
    destination: str = Field("", max_length=255, description="Receiving organisation by name.")
    detail: str = Field("", max_length=255, description="Form of reward or discipline.")
    note: str = ""
    until: datetime.date | None = Field(None, description="End of a temporary transfer.")


# --- handlers ---------------------------------------------------------------------------


def _cell_in_scope(user: Any, capability: str, pk: int, field: str) -> Organisation:
    """An organisation named in a request body; missing and out of scope read the same."""
    org = scoped(Organisation.objects.all(), user, capability).filter(pk=pk).first()
    if org is None:
        raise ValidationError({field: _("Choose a Party cell within your scope.")})
    return org


_SEARCH = P(description="Name without diacritics, or an exact CCCD (12 digits) or card (8 digits).")
_SUBTREE = P(description="Members of this organisation's whole subtree.")
_STATUS = P(description="Members in this status (then `on_roll` does not apply).")
_ON_ROLL = P(description="Only members still on a cell's roll; false includes those who left.")
_LIMIT = P(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")


@router.get("/", response=MemberPage)
def list_members(
    request: HttpRequest,
    q: QueryEx[str | None, _SEARCH] = None,
    organisation: QueryEx[int | None, _SUBTREE] = None,
    status: QueryEx[MemberStatus | None, _STATUS] = None,
    sex: Sex | None = None,
    on_roll: QueryEx[bool, _ON_ROLL] = True,
    cursor: str | None = None,
    limit: QueryEx[int, _LIMIT] = DEFAULT_LIMIT,
) -> dict:
    """Members in the caller's scope, in id order, a page at a time."""
    user = api_user(request)
    org = None
    if organisation is not None:
        org = get_in_scope(
            Organisation.objects.all(), user, Capability.MEMBER_VIEW, pk=organisation
        )
    members = filter_members(
        scoped(Member.objects.select_related("organisation"), user, Capability.MEMBER_VIEW),
        MemberFilters(
            query=q or "", organisation=org, status=status or ("" if on_roll else "all"),
            sex=sex or "",
        ),
    )  # fmt: skip
    return cursor_page(members, cursor=cursor, limit=limit)


def _full_records() -> QuerySet[Member]:
    return Member.objects.select_related("organisation", "temporary_organisation")


@router.get("/{int:member_id}", response=MemberOut)
def get_member(request: HttpRequest, member_id: int) -> Member:
    """A member's full record; the read is recorded in the audit log."""
    member = get_in_scope(_full_records(), api_user(request), Capability.MEMBER_VIEW, pk=member_id)
    actions.view_member(member, actor=_actor(request))
    return member


@router.post("/", response={201: MemberOut})
def admit_member(request: HttpRequest, payload: MemberCreate) -> Status[Member]:
    """Kết nạp: admit a new probationary member in a Party cell of the caller's scope."""
    user = api_user(request)
    require(user, Capability.MEMBER_EVENT)
    with transaction.atomic():
        cell = _cell_in_scope(user, Capability.MEMBER_EVENT, payload.organisation, "organisation")
        member = actions.admit_member(
            payload.record_fields(),
            organisation=cell,
            actor=_actor(request),
            decision_number=payload.decision_number,
            over_60_approved=payload.over_60_approved,
        )
    return Status(201, member)


@router.patch("/{int:member_id}", response=MemberOut)
def update_member(request: HttpRequest, member_id: int, payload: MemberPatch) -> Member:
    """Correct fields of a record; every old and new value goes to the audit log."""
    with transaction.atomic():
        member = get_in_scope(
            Member.objects.select_for_update(of=("self",)),
            api_user(request),
            Capability.MEMBER_EDIT,
            pk=member_id,
        )
        actions.update_member(member, payload.model_dump(exclude_unset=True), actor=_actor(request))
    return _full_records().get(pk=member.pk)


@router.get("/{int:member_id}/events", response=list[EventOut])
def list_events(request: HttpRequest, member_id: int) -> QuerySet[MemberEvent]:
    """A member's history in the Party, oldest first. Part of the record: the read is audited."""
    member = get_in_scope(
        Member.objects.select_related("organisation"),
        api_user(request),
        Capability.MEMBER_VIEW,
        pk=member_id,
    )
    actions.view_member(member, actor=_actor(request))
    return member.events.select_related("from_organisation", "to_organisation")


@router.post("/{int:member_id}/events", response={201: EventOut})
def record_event(request: HttpRequest, member_id: int, payload: EventCreate) -> Status[MemberEvent]:
    """Record a lifecycle event (recognition, transfer, exemption, reward, death, …)."""
    user = api_user(request)
    with transaction.atomic():
        member = get_in_scope(
            Member.objects.select_for_update(of=("self",)),
            user,
            Capability.MEMBER_EVENT,
            pk=member_id,
        )
        to_organisation = None
        if payload.to_organisation is not None:
            to_organisation = _cell_in_scope(
                user, Capability.MEMBER_EVENT, payload.to_organisation, "to_organisation"
            )
        event = actions.record_event(
            member,
            payload.kind,
            date=payload.date,
            actor=_actor(request),
            decision_number=payload.decision_number,
            to_organisation=to_organisation,
            destination=payload.destination,
            detail=payload.detail,
            note=payload.note,
            until=payload.until,
        )
    return Status(201, event)
