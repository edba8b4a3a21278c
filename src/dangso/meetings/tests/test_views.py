import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from dangso.core.audit import Actor
from dangso.core.models import AuditEntry
from dangso.meetings import actions
from dangso.meetings.choices import CheckInMethod, MeetingStatus, Response
from dangso.meetings.models import Attendance, Material, Meeting
from dangso.meetings.tests.conftest import STARTS, local
from dangso.testing.documents import pdf_bytes

pytestmark = pytest.mark.django_db


def _upload(name="tai-lieu-thang-12.pdf", text="Nghị quyết chi bộ tháng 12"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def _published(make_meeting, sec_actor, **kwargs):
    meeting = make_meeting(**kwargs)
    actions.add_materials(meeting, [actions.Upload("tai-lieu.pdf", pdf_bytes())], actor=sec_actor)
    return actions.publish(meeting, actor=sec_actor)


def _state(meeting):
    meeting.refresh_from_db()
    return (
        meeting.status, meeting.title, meeting.opened_at, meeting.closed_at, meeting.chair,
        meeting.minutes_final, meeting.materials.count(),
        list(meeting.attendances.values_list("response", "reason", "checked_in_at")),
    )  # fmt: skip


def test_secretary_runs_a_meeting_in_the_ui(clock, client, sign_in, tree, people):
    sign_in(people["secretary"])
    page = client.get(reverse("meetings:new"))
    assert page.status_code == 200 and "Chi bộ thôn Đông" in page.content.decode()
    assert "Chi bộ khu phố 1" not in page.content.decode()  # b1 is not the secretary's
    form = {
        "cell": tree["a1"].pk, "kind": "regular", "title": "Sinh hoạt chi bộ tháng 12",
        "date": "31/02/2026", "time": "19:30", "place": "Nhà văn hóa thôn Đông",
        "agenda": "1. Điểm danh",
    }  # fmt: skip
    bad = client.post(reverse("meetings:new"), form)
    assert bad.status_code == 422 and "Sinh hoạt chi bộ tháng 12" in bad.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(reverse("meetings:new"), {**form, "date": "14/12/2026"})
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "meetings:detail", args=[meeting.pk]
    )
    assert meeting.starts_at == local(*STARTS) and meeting.status == MeetingStatus.DRAFT

    detail = reverse("meetings:detail", args=[meeting.pk])
    response = client.post(
        reverse("meetings:materials", args=[meeting.pk]), {"materials": _upload()}
    )
    assert response.status_code == 302 and meeting.materials.count() == 1
    response = client.post(reverse("meetings:publish", args=[meeting.pk]))
    assert response.status_code == 302 and response.url == detail
    page = client.get(detail).content.decode()
    assert "Nguyễn Thị Lan" in page and "tai-lieu-thang-12.pdf" in page

    clock.move_to(local(*STARTS), tick=False)
    sign_in(people["secretary"])  # a new day, a new session
    assert client.post(reverse("meetings:open", args=[meeting.pk])).status_code == 302
    page = client.get(detail).content.decode()
    assert "<svg" in page and meeting.check_in_token in page  # the QR code and its link
    row = client.post(
        reverse("meetings:attendance_check_in", args=[meeting.pk, people["lan"].pk]),
        HTTP_HX_REQUEST="true",
    )
    assert row.status_code == 200 and f'id="attendance-{people["lan"].pk}"' in row.content.decode()
    assert Attendance.objects.get(member=people["lan"]).check_in_method == CheckInMethod.SECRETARY
    leave = client.post(
        reverse("meetings:attendance_leave", args=[meeting.pk, people["binh"].pk]),
        {"reason": "Đi công tác tỉnh"},
    )
    assert leave.status_code == 302
    assert Attendance.objects.get(member=people["binh"]).reason == "Đi công tác tỉnh"

    clock.move_to(local(2026, 12, 14, 20, 15), tick=False)
    early = client.post(reverse("meetings:close", args=[meeting.pk]))
    assert (
        early.status_code == 422
        and "45" in early.content.decode()
        and "90" in early.content.decode()
    )
    assert Meeting.objects.get().status == MeetingStatus.OPEN
    clock.move_to(local(2026, 12, 14, 21, 5), tick=False)
    assert client.post(reverse("meetings:close", args=[meeting.pk])).status_code == 302
    minutes = {
        "chair": "Nguyễn Văn Hùng", "minute_taker": "Nguyễn Thị Lan",
        "minutes_news": "Thông tin thời sự", "minutes_review": "Kiểm điểm",
        "minutes_tasks": "Nhiệm vụ", "minutes_resolution": "Nghị quyết tháng 12",
    }  # fmt: skip
    assert client.post(reverse("meetings:minutes", args=[meeting.pk]), minutes).status_code == 302
    assert client.post(reverse("meetings:minutes_finalise", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_final and meeting.chair == "Nguyễn Văn Hùng"
    pdf = client.get(reverse("meetings:minutes_pdf", args=[meeting.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "BIÊN BẢN" in text and "Nguyễn Thị Lan" in text and "Đi công tác tỉnh" in text
    assert "DỰ THẢO" not in text


def test_late_materials_are_refused_on_the_page(clock, client, sign_in, make_meeting, people):
    meeting = make_meeting()
    actions.add_materials(
        meeting, [actions.Upload("a.pdf", pdf_bytes())], actor=Actor.for_user(people["secretary"])
    )
    clock.move_to(local(2026, 12, 13, 22, 0), tick=False)
    sign_in(people["secretary"])
    before = _state(meeting)
    response = client.post(reverse("meetings:publish", args=[meeting.pk]))
    text = response.content.decode()
    assert response.status_code == 422 and "19:30" in text and "13/12/2026" in text
    assert _state(meeting) == before


def test_secretary_of_another_cell_gets_404_on_every_meeting_page(
    clock, client, sign_in, tree, make_meeting, sec_actor, people
):
    meeting = _published(make_meeting, sec_actor)
    material = meeting.materials.get()
    member = people["lan"]
    sign_in(people["secretary_b1"])
    own = _published(make_meeting, actions.Actor.for_user(people["secretary_b1"]), cell=tree["b1"],
                     title="Chi bộ khu phố 1 tháng 12")  # fmt: skip
    listing = client.get(reverse("meetings:list")).content.decode()
    assert own.title in listing and meeting.title not in listing
    before = _state(meeting)
    gets = [
        ("meetings:detail", [meeting.pk]), ("meetings:material", [meeting.pk, material.pk]),
        ("meetings:minutes_pdf", [meeting.pk]), ("meetings:rates_cell", [tree["a1"].pk]),
    ]  # fmt: skip
    posts = [
        ("meetings:edit", [meeting.pk], {"title": "x"}),
        ("meetings:materials", [meeting.pk], {"materials": _upload()}),
        ("meetings:material_remove", [meeting.pk, material.pk], {}),
        ("meetings:publish", [meeting.pk], {}), ("meetings:open", [meeting.pk], {}),
        ("meetings:close", [meeting.pk], {}), ("meetings:cancel", [meeting.pk], {"reason": "x"}),
        ("meetings:attendance_check_in", [meeting.pk, member.pk], {}),
        ("meetings:attendance_leave", [meeting.pk, member.pk], {"reason": "x"}),
        ("meetings:minutes", [meeting.pk], {"chair": "x"}),
        ("meetings:minutes_finalise", [meeting.pk], {}),
    ]  # fmt: skip
    for name, args in gets:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    for name, args, data in posts:
        assert client.post(reverse(name, args=args), data).status_code == 404, name
    assert _state(meeting) == before
    assert client.get(reverse("meetings:rates"), {"org": tree["a"].pk}).status_code == 404


def test_leader_above_reads_but_does_not_run_the_meeting(
    clock, client, sign_in, make_meeting, sec_actor, people
):
    meeting = _published(make_meeting, sec_actor)
    sign_in(people["leader"])
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("meetings:new")).status_code == 403
    before = _state(meeting)
    assert (
        client.post(reverse("meetings:cancel", args=[meeting.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert _state(meeting) == before


def test_member_never_sees_another_cells_meetings(
    clock, client, tree, make_meeting, sec_actor, people
):
    ours = _published(make_meeting, sec_actor)
    theirs = _published(make_meeting, actions.Actor.for_user(people["secretary_b1"]),
                        cell=tree["b1"], title="Chi bộ khu phố 1 tháng 12")  # fmt: skip
    draft = make_meeting(title="Bản nháp chưa thông báo")
    material = theirs.materials.get()
    client.force_login(people["lan"].user)
    listing = client.get(reverse("member_meetings:list"))
    text = listing.content.decode()
    assert listing.status_code == 200 and ours.title in text
    assert theirs.title not in text and draft.title not in text
    home = client.get(reverse("handbook:home")).content.decode()
    assert ours.title in home and theirs.title not in home
    before = _state(theirs)
    assert client.get(reverse("member_meetings:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("member_meetings:detail", args=[draft.pk])).status_code == 404
    assert (
        client.get(reverse("member_meetings:material", args=[theirs.pk, material.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("member_meetings:respond", args=[theirs.pk]), {"answer": "confirmed"}
    )
    assert response.status_code == 404
    clock.move_to(local(*STARTS), tick=False)
    actions.open_meeting(theirs, actor=actions.Actor.for_user(people["secretary_b1"]))
    client.force_login(people["lan"].user)
    before = _state(theirs)
    url = reverse("member_meetings:check_in", args=[theirs.check_in_token])
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    assert _state(theirs) == before
    # Committee pages are not for members.
    assert client.get(reverse("meetings:detail", args=[ours.pk])).status_code == 404
    assert client.get(reverse("meetings:list")).status_code == 403


def test_member_answers_reads_materials_and_checks_in_by_qr(
    clock, client, make_meeting, sec_actor, people
):
    meeting = _published(make_meeting, sec_actor)
    lan = people["lan"]
    client.force_login(lan.user)
    page = client.get(reverse("member_meetings:detail", args=[meeting.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "tai-lieu.pdf" in text and "ds-pdf-frame" in text
    material = meeting.materials.get()
    file = client.get(reverse("member_meetings:material", args=[meeting.pk, material.pk]))
    assert file.status_code == 200 and file["Content-Disposition"].startswith("inline")
    assert file["X-Frame-Options"] == "SAMEORIGIN"  # shown in the page's frame
    respond = reverse("member_meetings:respond", args=[meeting.pk])
    refused = client.post(respond, {"answer": "leave", "reason": "  "})
    assert refused.status_code == 422
    assert Attendance.objects.get(meeting=meeting, member=lan).response == Response.NONE
    assert client.post(respond, {"answer": "leave", "reason": "Đi công tác"}).status_code == 302
    assert Attendance.objects.get(meeting=meeting, member=lan).reason == "Đi công tác"
    assert client.post(respond, {"answer": "confirmed"}).status_code == 302
    assert Attendance.objects.get(meeting=meeting, member=lan).response == Response.CONFIRMED

    # Scanning the QR code before signing in: sign in, then back to the check-in page.
    client.logout()
    url = reverse("member_meetings:check_in", args=[meeting.check_in_token])
    response = client.get(url)
    assert response.status_code == 302 and f"next={url}" in response.url
    client.force_login(lan.user)
    early = client.post(url)
    assert early.status_code == 422
    assert not Attendance.objects.get(meeting=meeting, member=lan).checked_in_at
    clock.move_to(local(*STARTS), tick=False)
    actions.open_meeting(meeting, actor=sec_actor)
    client.force_login(lan.user)
    assert "<form" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    row = Attendance.objects.get(meeting=meeting, member=lan)
    assert row.checked_in_at == local(*STARTS) and row.check_in_method == CheckInMethod.QR
    assert (
        client.get(reverse("member_meetings:check_in", args=["khong-dung-ma"])).status_code == 404
    )
    assert AuditEntry.objects.filter(action="meeting.check_in", actor_id=lan.user.pk).exists()


def test_rates_pages(clock, client, sign_in, tree, make_meeting, sec_actor, people,
                     django_assert_max_num_queries):  # fmt: skip
    meeting = _published(make_meeting, sec_actor)
    clock.move_to(local(*STARTS), tick=False)
    actions.open_meeting(meeting, actor=sec_actor)
    actions.check_in(meeting, people["lan"], actor=sec_actor)
    clock.move_to(local(2026, 12, 14, 21, 0), tick=False)
    actions.close(meeting, actor=sec_actor)
    sign_in(people["leader"])
    with django_assert_max_num_queries(14):
        page = client.get(reverse("meetings:rates"), {"org": tree["a"].pk})
    text = page.content.decode()
    assert page.status_code == 200 and "Chi bộ thôn Đông" in text and "Chi bộ thôn Tây" in text
    assert "33,3" in text or "33.3" in text
    assert "Chi bộ khu phố 1" not in text
    with django_assert_max_num_queries(12):
        cell = client.get(reverse("meetings:rates_cell", args=[tree["a1"].pk]))
    assert "Nguyễn Thị Lan" in cell.content.decode() and "100" in cell.content.decode()
    with django_assert_max_num_queries(14):
        listing = client.get(reverse("meetings:list"))
    assert meeting.title in listing.content.decode() and "1/3" in listing.content.decode()


def test_member_list_shows_past_attendance(
    clock, client, make_meeting, sec_actor, people, django_assert_max_num_queries
):
    meeting = _published(make_meeting, sec_actor)
    actions.respond(meeting, people["binh"], answer=Response.LEAVE, reason="Ốm",
                    actor=Actor.for_user(people["binh"].user))  # fmt: skip
    clock.move_to(local(*STARTS), tick=False)
    actions.open_meeting(meeting, actor=sec_actor)
    clock.move_to(local(2026, 12, 14, 21, 0), tick=False)
    actions.close(meeting, actor=sec_actor)
    client.force_login(people["binh"].user)
    with django_assert_max_num_queries(14):  # the same with any number of meetings
        page = client.get(reverse("member_meetings:list"))
    assert page.status_code == 200
    past = page.content.decode().split('id="past"')[1]
    assert meeting.title in past
    assert Material.objects.count() == 1
