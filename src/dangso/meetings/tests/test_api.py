import json

import pytest
from django.urls import reverse

from dangso.core.audit import Actor
from dangso.meetings import actions
from dangso.meetings.choices import MeetingStatus, Response
from dangso.meetings.models import Attendance, Meeting
from dangso.meetings.tests.conftest import STARTS, local
from dangso.testing.documents import pdf_bytes

pytestmark = pytest.mark.django_db


def _post(client, name, *args, data=None):
    return client.post(
        reverse(f"api:{name}", args=args), json.dumps(data or {}), content_type="application/json"
    )


def test_secretary_runs_a_meeting_through_the_api(clock, tree, people, token_client):
    api = token_client(people["secretary"])
    payload = {
        "cell": tree["a1"].pk, "title": "Sinh hoạt chi bộ tháng 12",
        "starts_at": local(*STARTS).isoformat(), "place": "Nhà văn hóa", "kind": "thematic",
    }  # fmt: skip
    bad = _post(api, "schedule_meeting", data={**payload, "place": " "})
    assert bad.status_code == 422 and "place" in bad.json()["errors"]
    assert not Meeting.objects.exists()
    created = _post(api, "schedule_meeting", data=payload)
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    files = api.post(
        reverse("api:add_materials", args=[meeting_id]),
        {"files": [_file("tai-lieu.pdf")]},
    )
    assert files.status_code == 201 and files.json()[0]["name"] == "tai-lieu.pdf"
    published = _post(api, "publish_meeting", meeting_id)
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["materials"][0]["published_at"]
    clock.move_to(local(*STARTS), tick=False)
    assert _post(api, "open_meeting", meeting_id).json()["status"] == "open"
    checked = _post(api, "check_in_member", meeting_id, data={"member": people["lan"].pk})
    assert checked.status_code == 200 and checked.json()["presence"] == "present"
    # Another cell's member is not found here.
    assert (
        _post(api, "check_in_member", meeting_id, data={"member": people["other"].pk}).status_code
        == 404
    )
    clock.move_to(local(2026, 12, 14, 21, 0), tick=False)  # 90 minutes: thematic needs 120
    early = _post(api, "close_meeting", meeting_id)
    assert early.status_code == 422 and "120" in early.json()["detail"]
    clock.move_to(local(2026, 12, 14, 21, 30), tick=False)
    assert _post(api, "close_meeting", meeting_id).json()["status"] == "closed"
    minutes = api.put(
        reverse("api:record_minutes", args=[meeting_id]),
        json.dumps({"chair": "Nguyễn Văn Hùng", "minute_taker": "Nguyễn Thị Lan",
                    "minutes_resolution": "Thống nhất"}),
        content_type="application/json",
    )  # fmt: skip
    assert minutes.status_code == 200
    body = minutes.json()
    assert body["present"] == ["Nguyễn Thị Lan"] and "Lê Văn Cường" in body["absent"]
    final = _post(api, "finalise_minutes", meeting_id)
    assert final.status_code == 200 and final.json()["minutes_final"] is True
    rows = api.get(reverse("api:meeting_attendance", args=[meeting_id])).json()
    assert {row["full_name"]: row["presence"] for row in rows}["Nguyễn Thị Lan"] == "present"
    rates = api.get(reverse("api:meeting_rates", args=[tree["a1"].pk])).json()
    assert rates == [{
        "cell_id": tree["a1"].pk, "name": "Chi bộ thôn Đông", "held": 1, "expected": 3,
        "present": 1, "excused": 0, "absent": 2, "percent": 33.3,
    }]  # fmt: skip


def _file(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def _meeting(make_meeting, people, cell=None):
    secretary = people["secretary_b1"] if cell is not None else people["secretary"]
    meeting = make_meeting(cell=cell) if cell is not None else make_meeting()
    return actions.publish(meeting, actor=Actor.for_user(secretary))


def test_api_scope(clock, tree, people, make_meeting, token_client):
    ours = _meeting(make_meeting, people)
    theirs = _meeting(make_meeting, people, cell=tree["b1"])
    b1 = token_client(people["secretary_b1"])
    listed = b1.get(reverse("api:list_meetings")).json()["items"]
    assert [item["id"] for item in listed] == [theirs.pk]
    for name in ("get_meeting", "meeting_attendance", "meeting_minutes"):
        assert b1.get(reverse(f"api:{name}", args=[ours.pk])).status_code == 404, name
    for name in ("publish_meeting", "open_meeting", "close_meeting", "finalise_minutes"):
        assert _post(b1, name, ours.pk).status_code == 404, name
    assert _post(b1, "cancel_meeting", ours.pk, data={"reason": "x"}).status_code == 404
    assert b1.get(reverse("api:meeting_rates", args=[tree["a"].pk])).status_code == 404
    ours.refresh_from_db()
    assert ours.status == MeetingStatus.PUBLISHED
    # The leader above reads but does not run it; a member has no committee access at all.
    leader = token_client(people["leader"])
    assert leader.get(reverse("api:get_meeting", args=[ours.pk])).status_code == 200
    assert _post(leader, "cancel_meeting", ours.pk, data={"reason": "x"}).status_code == 403
    member = token_client(people["lan"].user)
    assert member.get(reverse("api:list_meetings")).status_code == 403


def test_member_answers_and_checks_in_through_the_api(
    clock, tree, people, make_meeting, token_client, sec_actor
):
    ours = _meeting(make_meeting, people)
    theirs = _meeting(make_meeting, people, cell=tree["b1"])
    api = token_client(people["lan"].user)
    mine = api.get(reverse("api:my_meetings")).json()
    assert [item["id"] for item in mine] == [ours.pk] and mine[0]["my_response"] == "none"
    refused = _post(api, "respond_meeting", ours.pk, data={"answer": "leave"})
    assert refused.status_code == 422 and "reason" in refused.json()["errors"]
    answered = _post(api, "respond_meeting", ours.pk, data={"answer": "leave", "reason": "Ốm"})
    assert answered.status_code == 200 and answered.json()["response"] == "leave"
    assert _post(api, "respond_meeting", theirs.pk, data={"answer": "confirmed"}).status_code == 404
    clock.move_to(local(*STARTS), tick=False)
    actions.open_meeting(ours, actor=sec_actor)
    wrong = _post(api, "check_in_self", ours.pk, data={"token": "sai"})
    assert wrong.status_code == 422
    assert (
        _post(api, "check_in_self", theirs.pk, data={"token": theirs.check_in_token}).status_code
        == 404
    )
    right = _post(api, "check_in_self", ours.pk, data={"token": ours.check_in_token})
    assert right.status_code == 200 and right.json()["check_in_method"] == "qr"
    row = Attendance.objects.get(meeting=ours, member=people["lan"])
    assert row.checked_in_at and row.response == Response.LEAVE  # came after all
    # A member cannot check another member in.
    assert (
        _post(api, "check_in_member", ours.pk, data={"member": people["binh"].pk}).status_code
        == 403
    )
    assert not Attendance.objects.get(meeting=ours, member=people["binh"]).checked_in_at
