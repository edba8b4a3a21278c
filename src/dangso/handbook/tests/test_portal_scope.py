"""The member portal's scope matrix: every portal endpoint, for four callers.

A member sees only what concerns them: their own record, card and conversations, what their
cell and the levels above published, their cell's meetings. For each portal endpoint: anonymous
is sent to sign in, an official without a member record is refused (403), the member of cell a1
gets their page, and the member of cell b1 gets 404 for a1's objects (or a page without them)
and changes nothing. `test_every_portal_endpoint_is_in_the_matrix` fails when a portal page is
added without its row; the global matrix (tests/test_permission_matrix.py) names these pages
as covered here.
"""

import json
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse

from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.handbook import actions
from dangso.handbook.models import Message, ReadingMark, StudyRecord, Thread
from dangso.handbook.tests.conftest import activated
from dangso.testing.auth import login_verified
from dangso.testing.documents import pdf_bytes
from dangso.testing.matrix import url_names

pytestmark = pytest.mark.django_db

SECRET = "Nội dung riêng của chi bộ thôn Đông"


@dataclass(frozen=True)
class Page:
    name: str
    method: str = "get"
    target: str = ""  # the world's object the URL names
    payload: dict = field(default_factory=dict)
    lists: bool = False  # out of scope: answered, without a1's data
    api: bool = False  # JSON (the session works for the API too)
    key: str = "pk"  # the URL argument naming the target
    extra: tuple = ()  # further URL arguments: (name, the world's object or value)


PORTAL_PAGES = [
    Page("handbook:home", lists=True),
    Page("handbook:library", lists=True),
    Page("handbook:publication", target="publication"),
    Page("handbook:publication_file", target="publication"),
    Page("handbook:publication_mark", "post", target="publication", payload={"do": "bookmark"}),
    Page("handbook:study", lists=True),
    Page("handbook:campaign", target="campaign"),
    Page("handbook:campaign", "post", target="campaign",
         payload={"reflection": "Bài thu hoạch đủ dài để được nhận, về chuyển đổi số."}),
    Page("handbook:threads", lists=True),
    Page("handbook:thread_new", lists=True),
    Page("handbook:thread_new", "post", lists=True,
         payload={"kind": "question", "subject": "Hỏi", "body": "Câu hỏi"}),
    Page("handbook:thread", target="thread"),
    Page("handbook:thread", "post", target="thread", payload={"body": "Thêm ý"}),
    Page("handbook:card", lists=True),
    Page("api:handbook_me", lists=True, api=True),
    Page("api:handbook_library", lists=True, api=True),
    Page("api:handbook_document", target="publication", api=True, key="publication_id"),
    Page("api:handbook_study", lists=True, api=True),
    Page("api:handbook_study_done", "post", target="campaign", api=True, key="campaign_id",
         payload={"reflection": "Bài thu hoạch đủ dài để được nhận, về chuyển đổi số."}),
    Page("api:handbook_threads", lists=True, api=True),
    Page("api:handbook_thread_new", "post", lists=True, api=True,
         payload={"kind": "question", "subject": "Hỏi", "body": "Câu hỏi"}),
    Page("api:handbook_reply", "post", target="thread", api=True, key="thread_id",
         payload={"body": "Thêm ý"}),
    Page("member_meetings:list", lists=True),
    Page("member_meetings:detail", target="meeting"),
    Page("member_meetings:respond", "post", target="meeting", payload={"answer": "confirmed"}),
    Page("member_meetings:material", target="meeting", extra=(("material_id", "material"),)),
    Page("member_meetings:check_in", target="meeting_token", key="token"),
    Page("member_meetings:check_in", "post", target="meeting_token", key="token"),
    Page("api:my_meetings", lists=True, api=True),
    Page("api:respond_meeting", "post", target="meeting", api=True, key="meeting_id",
         payload={"answer": "confirmed"}),
    Page("api:check_in_self", "post", target="meeting", api=True, key="meeting_id",
         payload={"token": "{meeting_token}"}),
]  # fmt: skip
CALLERS = ["anonymous", "official", "own_member", "other_member"]


def portal_names() -> set[str]:
    return {page.name for page in PORTAL_PAGES}


@pytest.fixture
def world(people, tree):
    office = Actor(people["office"].pk, people["office"].username)
    publication = actions.publish(
        {"title": "Thông báo của Đảng ủy xã Yên Phong", "kind": "notice"},
        organisation=tree["a1"], actor=office,
        upload=Upload("tb.pdf", pdf_bytes(SECRET)),
    )  # fmt: skip
    import datetime

    campaign = actions.open_campaign(
        {"title": "Học tập riêng chi bộ thôn Đông",
         "deadline": datetime.date.today() + datetime.timedelta(days=9)},
        organisation=tree["a1"], materials=[publication], actor=office,
    )  # fmt: skip
    clients = {
        "own_member": activated(people["member"], people["secretary"]),
        "other_member": activated(people["other"], people["secretary"]),
        "official": login_verified(Client(), people["office"]),
        "anonymous": Client(),
    }
    people["member"].refresh_from_db()
    thread = actions.open_thread(
        people["member"], {"kind": "question", "subject": "Câu hỏi riêng", "body": SECRET},
        actor=Actor(people["member"].user_id, "x"),
    )  # fmt: skip
    return {"publication": publication, "campaign": campaign, "thread": thread,
            "clients": clients, **_meeting(people, tree)}  # fmt: skip


def _meeting(people, tree):
    """Cell a1's meeting in session (its agenda is a1's secret), with a material."""
    import datetime

    from django.conf import settings
    from django.test import override_settings
    from django.utils import timezone

    from dangso.meetings import actions as meeting_actions

    secretary = Actor(people["secretary"].pk, people["secretary"].username)
    with override_settings(DANGSO_MEETING_MATERIALS_HOURS=0):
        meeting = meeting_actions.schedule(
            {"title": "Sinh hoạt chi bộ thôn Đông", "place": "Nhà văn hóa", "agenda": SECRET,
             "starts_at": timezone.now() + datetime.timedelta(minutes=30)},
            cell=tree["a1"], actor=secretary,
        )  # fmt: skip
        meeting_actions.add_materials(
            meeting, [Upload("tai-lieu.pdf", pdf_bytes(SECRET))], actor=secretary
        )
        meeting_actions.publish(meeting, actor=secretary)
        meeting_actions.open_meeting(meeting, actor=secretary)
    assert settings.DANGSO_MEETING_MATERIALS_HOURS
    return {"meeting": meeting, "material": meeting.materials.get(),
            "meeting_token": meeting.check_in_token}  # fmt: skip


def _state():
    from dangso.meetings.models import Attendance

    return (
        sorted(Attendance.objects.values_list("member_id", "response", "checked_in_at")),
        sorted(ReadingMark.objects.values_list("member_id", "bookmarked")),
        StudyRecord.objects.count(),
        Thread.objects.count(),
        Message.objects.count(),
    )


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("page", PORTAL_PAGES, ids=lambda page: f"{page.method} {page.name}")
def test_portal_scope(world, caller, page):
    client = world["clients"][caller]
    kwargs = {page.key: _value(world[page.target])} if page.target else {}
    kwargs |= {name: _value(world[key]) for name, key in page.extra}
    payload = {name: world[value[1:-1]] if str(value).startswith("{") else value
               for name, value in page.payload.items()}  # fmt: skip
    url = reverse(page.name, kwargs=kwargs)
    before = _state()
    if page.api and page.method == "post":
        response = client.post(url, json.dumps(payload), content_type="application/json")
    else:
        response = getattr(client, page.method)(url, payload)
    body = b"" if response.streaming else response.content
    if caller == "anonymous" and page.api:
        assert response.status_code == 401
    elif caller == "anonymous":
        assert response.status_code == 302 and reverse("accounts:login") in response.url
    elif caller == "official":
        assert response.status_code == 403
    elif caller == "own_member":
        assert response.status_code in (200, 201, 302), body[:300]
    else:
        if page.target:
            assert response.status_code == 404
        else:
            assert response.status_code in (200, 201, 302, 422)
        assert SECRET.encode() not in body
        assert "Câu hỏi riêng".encode() not in body and "Học tập riêng".encode() not in body
        if page.method == "post" and page.target:
            assert _state() == before


def _value(obj):
    return getattr(obj, "pk", obj)


def test_every_portal_endpoint_is_in_the_matrix():
    from django.urls import get_resolver

    resolver = get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) in ("handbook", "meetings", "member_meetings"):
            names |= {f"{pattern.namespace}:{name}" for name in url_names(pattern)}
    public = {"handbook:activate", "handbook:manifest", "handbook:service_worker",
              "handbook:offline", "handbook:card_verify", "handbook:card_keys",
              "handbook:card_public_key", "handbook:card_revocations"}  # fmt: skip
    committee = {"handbook:accounts", "handbook:publish", "handbook:campaigns",
                 "handbook:campaign_progress", "handbook:committee_threads",
                 "handbook:committee_thread"}  # fmt: skip
    committee |= {name for name in names if name.startswith("meetings:")} - {
        "member_meetings:list",
        "member_meetings:detail",
        "member_meetings:respond",
        "member_meetings:material",
        "member_meetings:check_in",
    }  # the committee's meeting pages are in the global matrix
    assert sorted(names - public - committee - portal_names()) == []
