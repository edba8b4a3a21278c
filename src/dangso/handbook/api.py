"""Handbook API for a member's own apps: their summary, library, study and messages.

Every operation acts for the calling member only (the user linked to a member record on the
roll of a cell); an official without a member record gets 403. A document, campaign or thread
the member may not see answers 404.
"""

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import AuthorizationError

from dangso.accounts.api_auth import api_user
from dangso.core.audit import Actor
from dangso.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, cursor_page
from dangso.handbook import actions, library
from dangso.handbook.models import StudyCampaign, StudyRecord, Thread
from dangso.handbook.portal import visible_paths
from dangso.members.choices import PORTAL_STATUSES
from dangso.members.models import Member

router = Router()


class MeOut(Schema):
    full_name: str
    date_of_birth: datetime.date
    sex: str
    admission_date: datetime.date
    official_date: datetime.date | None
    card_number: str | None
    cccd: str | None
    phone: str
    status: str
    cell: str

    @staticmethod
    def resolve_cell(member: Member) -> str:
        return member.organisation.name


class PublicationOut(Schema):
    id: int
    title: str
    kind: str
    summary: str
    organisation: str
    published_at: datetime.datetime
    is_read: bool
    is_bookmarked: bool
    file_url: str | None

    @staticmethod
    def resolve_organisation(item: Any) -> str:
        return str(item.organisation.name)

    @staticmethod
    def resolve_file_url(item: Any) -> str | None:
        from django.urls import reverse

        return (
            reverse("handbook:publication_file", args=[item.pk]) if item.file_storage_name else None
        )


class PublicationPage(Schema):
    items: list[PublicationOut]
    next_cursor: str | None


class CampaignOut(Schema):
    id: int
    title: str
    organisation: str
    opens_on: datetime.date
    deadline: datetime.date
    done: bool

    @staticmethod
    def resolve_organisation(item: Any) -> str:
        return str(item.organisation.name)


class ReflectionIn(Schema):
    reflection: str


class ThreadIn(Schema):
    kind: str
    subject: str = ""
    body: str
    field: str = ""
    requested_value: str = ""


class MessageIn(Schema):
    body: str


class MessageOut(Schema):
    author_name: str
    from_committee: bool
    body: str
    created_at: datetime.datetime


class ThreadOut(Schema):
    id: int
    kind: str
    subject: str
    status: str
    field: str
    requested_value: str
    updated_at: datetime.datetime
    messages: list[MessageOut]

    @staticmethod
    def resolve_messages(thread: Thread) -> list[Any]:
        return list(thread.messages.all())


def _member(request: HttpRequest) -> Member:
    user = api_user(request)
    member = (
        Member.objects.select_related("organisation")
        .filter(user_id=user.pk, status__in=PORTAL_STATUSES)
        .first()
    )
    if member is None:
        raise AuthorizationError()
    return member


def _actor(request: HttpRequest, member: Member) -> Actor:
    return Actor(member.user_id, member.full_name, Actor.from_request(request).address)


@router.get("/me", response=MeOut, url_name="handbook_me")
def me(request: HttpRequest) -> Member:
    """The calling member's summary (the fields of the Sổ tay)."""
    return _member(request)


@router.get("/library", response=PublicationPage, url_name="handbook_library")
def library_list(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    only: str = "",
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict:
    """What the member's cell and the organisations above it published; `only` is "unread" or
    "bookmarked"."""
    items = library.filtered(_member(request), text=q, kind=kind, only=only)
    return cursor_page(items, cursor=cursor, limit=max(1, min(limit, MAX_LIMIT)))


@router.get("/library/{int:publication_id}", response=PublicationOut, url_name="handbook_document")
def library_item(request: HttpRequest, publication_id: int) -> Any:
    member = _member(request)
    visible = library.with_marks(library.visible_to(member), member)
    item = visible.filter(pk=publication_id).first()
    if item is None:
        raise Http404
    actions.mark(member, item, read=True)
    return visible.get(pk=item.pk)  # with the read mark just written


@router.get("/study", response=list[CampaignOut], url_name="handbook_study")
def study_list(request: HttpRequest) -> list[Any]:
    member = _member(request)
    done = set(StudyRecord.objects.filter(member=member).values_list("campaign_id", flat=True))
    campaigns = StudyCampaign.objects.filter(
        organisation__path__in=visible_paths(member)
    ).select_related("organisation")
    for campaign in campaigns:
        campaign.done = campaign.pk in done  # type: ignore[attr-defined]
    return list(campaigns)


@router.post(
    "/study/{int:campaign_id}", response={201: CampaignOut}, url_name="handbook_study_done"
)
def study_done(request: HttpRequest, campaign_id: int, payload: ReflectionIn) -> Status:
    """Mark the study done, with the reflection (thu hoạch)."""
    member = _member(request)
    campaign = (
        StudyCampaign.objects.filter(organisation__path__in=visible_paths(member))
        .select_related("organisation")
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None:
        raise Http404
    actions.complete_study(
        campaign, member, reflection=payload.reflection, actor=_actor(request, member)
    )
    campaign.done = True  # type: ignore[attr-defined]
    return Status(201, campaign)


@router.get("/threads", response=list[ThreadOut], url_name="handbook_threads")
def thread_list(request: HttpRequest) -> list[Thread]:
    return list(Thread.objects.filter(member=_member(request)).prefetch_related("messages"))


@router.post("/threads", response={201: ThreadOut}, url_name="handbook_thread_new")
def thread_new(request: HttpRequest, payload: ThreadIn) -> Status:
    """A question, opinion, request, or a correction of the member's own record."""
    member = _member(request)
    thread = actions.open_thread(member, payload.dict(), actor=_actor(request, member))
    return Status(201, thread)


@router.post("/threads/{int:thread_id}", response={201: ThreadOut}, url_name="handbook_reply")
def thread_reply(request: HttpRequest, thread_id: int, payload: MessageIn) -> Status:
    member = _member(request)
    thread = Thread.objects.filter(member=member, pk=thread_id).first()
    if thread is None:
        raise Http404
    actions.write(thread, payload.body, actor=_actor(request, member), from_committee=False)
    return Status(201, thread)
