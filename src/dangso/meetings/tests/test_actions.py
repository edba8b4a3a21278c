import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dangso.core.audit import Actor
from dangso.core.models import AuditEntry, Notification
from dangso.meetings import actions, queries
from dangso.meetings.choices import CheckInMethod, MeetingStatus, Response
from dangso.meetings.models import Attendance, Material, Meeting
from dangso.meetings.tests.conftest import STARTS, local
from dangso.members.choices import MemberStatus
from dangso.testing.documents import pdf_bytes
from dangso.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _pdf(text="Tài liệu sinh hoạt chi bộ tháng 12"):
    return actions.Upload("tai-lieu.pdf", pdf_bytes(text))


def _published(make_meeting, sec_actor, **kwargs):
    meeting = make_meeting(**kwargs)
    return actions.publish(meeting, actor=sec_actor)


def _opened(clock, make_meeting, sec_actor, **kwargs):
    meeting = _published(make_meeting, sec_actor, **kwargs)
    clock.move_to(local(*STARTS), tick=False)
    return actions.open_meeting(meeting, actor=sec_actor)


# --- scheduling and the materials deadline ------------------------------------------------------


def test_schedule_makes_a_draft_no_member_sees(clock, make_meeting, people):
    meeting = make_meeting()
    assert meeting.status == MeetingStatus.DRAFT and len(meeting.check_in_token) >= 32
    assert not queries.member_meetings(people["lan"]).exists()
    entry = AuditEntry.objects.get(action="meeting.schedule")
    assert entry.object_id == str(meeting.pk) and entry.org_path == meeting.cell.path


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "  "}, "title"),
        ({"place": ""}, "place"),
        ({"starts_at": local(2026, 12, 12, 19, 30)}, "starts_at"),
        ({"kind": "weekly"}, "kind"),
    ],
)
def test_schedule_refuses_bad_input(clock, tree, sec_actor, data, field):
    good = {"title": "Sinh hoạt", "place": "Hội trường", "starts_at": local(*STARTS)}
    with pytest.raises(ValidationError) as refused:
        actions.schedule({**good, **data}, cell=tree["a1"], actor=sec_actor)
    assert field in refused.value.message_dict
    assert not Meeting.objects.exists() and not AuditEntry.objects.exists()


def test_schedule_refuses_an_organisation_that_is_not_a_cell(clock, tree, sec_actor):
    with pytest.raises(ValidationError):
        actions.schedule(
            {"title": "Họp", "place": "Xã", "starts_at": local(*STARTS)},
            cell=tree["a"],
            actor=sec_actor,
        )
    assert not Meeting.objects.exists()


def test_materials_less_than_a_day_ahead_are_refused_at_publication(
    clock, make_meeting, sec_actor, people
):
    meeting = make_meeting()
    actions.add_materials(meeting, [_pdf()], actor=sec_actor)  # a draft may hold them any time
    before = AuditEntry.objects.count()
    clock.move_to(local(2026, 12, 13, 20, 0), tick=False)  # 23.5 hours before the meeting
    with pytest.raises(ValidationError) as refused:
        actions.publish(meeting, actor=sec_actor)
    message = refused.value.messages[0]
    assert "24" in message and "19:30" in message and "13/12/2026" in message
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        actions.publish(meeting, actor=sec_actor)
    assert refused.value.messages == [
        "Materials must be published at least 24 hours before the meeting "
        "(before 19:30 on 13/12/2026)."
    ]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.DRAFT and meeting.published_at is None
    assert not Attendance.objects.exists() and not Notification.objects.exists()
    assert not Material.objects.filter(published_at__isnull=False).exists()
    assert AuditEntry.objects.count() == before


def test_material_added_to_an_announced_meeting_too_late_is_refused(
    clock, make_meeting, sec_actor, settings
):
    meeting = _published(make_meeting, sec_actor)
    clock.move_to(local(2026, 12, 14, 8, 0), tick=False)
    with pytest.raises(ValidationError) as refused:
        actions.add_materials(meeting, [_pdf()], actor=sec_actor)
    assert "19:30" in refused.value.messages[0] and "13/12/2026" in refused.value.messages[0]
    assert not Material.objects.exists()
    # The rule is configurable: with 6 hours, 08:00 is early enough for 19:30.
    settings.DANGSO_MEETING_MATERIALS_HOURS = 6
    [material] = actions.add_materials(meeting, [_pdf()], actor=sec_actor)
    assert material.published_at == local(2026, 12, 14, 8, 0)


def test_publishing_in_time_publishes_the_materials_and_makes_the_roll(
    clock, tree, make_meeting, sec_actor, people
):
    MemberFactory(organisation=tree["a1"], status=MemberStatus.EXEMPT)  # exempt: not expected
    meeting = make_meeting()
    actions.add_materials(meeting, [_pdf()], actor=sec_actor)
    actions.publish(meeting, actor=sec_actor)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PUBLISHED
    assert meeting.materials.get().published_at == local(2026, 12, 13, 9, 0)
    expected = {people[name].pk for name in ("lan", "binh", "cuong")}
    assert set(meeting.attendances.values_list("member_id", flat=True)) == expected


def test_same_file_twice_is_refused(clock, make_meeting, sec_actor):
    meeting = make_meeting()
    actions.add_materials(meeting, [_pdf()], actor=sec_actor)
    with pytest.raises(ValidationError) as refused:
        actions.add_materials(meeting, [_pdf()], actor=sec_actor)
    assert "materials" in refused.value.message_dict
    assert meeting.materials.count() == 1


def test_a_file_that_is_not_what_it_says_is_refused(clock, make_meeting, sec_actor):
    meeting = make_meeting()
    with pytest.raises(ValidationError):
        actions.add_materials(meeting, [actions.Upload("x.pdf", b"not a pdf")], actor=sec_actor)
    assert not Material.objects.exists()


def test_moving_an_announced_meeting_earlier_keeps_the_materials_rule(
    clock, make_meeting, sec_actor
):
    meeting = make_meeting()
    actions.add_materials(meeting, [_pdf()], actor=sec_actor)
    actions.publish(meeting, actor=sec_actor)  # materials published 13/12 09:00
    with pytest.raises(ValidationError):
        actions.edit(meeting, {"starts_at": local(2026, 12, 13, 20, 0)}, actor=sec_actor)
    meeting.refresh_from_db()
    assert meeting.starts_at == local(*STARTS)
    actions.edit(meeting, {"starts_at": local(2026, 12, 15, 19, 30)}, actor=sec_actor)
    meeting.refresh_from_db()
    assert meeting.starts_at == local(2026, 12, 15, 19, 30)
    assert Notification.objects.filter(subject__contains="Sinh hoạt chi bộ định kỳ").count() >= 2


# --- notices ------------------------------------------------------------------------------------


def test_publish_tells_members_and_the_committee_above(clock, make_meeting, sec_actor, people):
    meeting = _published(make_meeting, sec_actor)
    notices = Notification.objects.order_by("user__username")
    told = {notice.user.username: notice for notice in notices}
    # Members with handbook accounts (Cường has none), the commune leader; not cell b1's people.
    assert set(told) == {"lan", "binh", "lanhdao.xa"}
    assert told["lan"].url == f"/meetings/my/{meeting.pk}/"
    assert told["lanhdao.xa"].url == f"/meetings/{meeting.pk}/"
    assert "14/12/2026" in told["lan"].subject
    assert "19:30" in told["lan"].body and "Nhà văn hóa thôn Đông" in told["lan"].body
    # Publishing again is refused and tells nobody twice.
    with pytest.raises(ValidationError):
        actions.publish(meeting, actor=sec_actor)
    assert Notification.objects.count() == 3


def test_publish_e_mails_when_configured(
    clock, make_meeting, sec_actor, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DANGSO_EMAIL_ENABLED = True
    with django_capture_on_commit_callbacks(execute=True):
        _published(make_meeting, sec_actor)
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "binh@dang.vn", "lan@dang.vn", "lanhdao.xa@dang.vn",
    ]  # fmt: skip


def test_cancel_needs_a_reason_and_tells_the_members(clock, make_meeting, sec_actor):
    meeting = _published(make_meeting, sec_actor)
    with pytest.raises(ValidationError) as refused:
        actions.cancel(meeting, reason=" ", actor=sec_actor)
    assert "reason" in refused.value.message_dict
    actions.cancel(meeting, reason="Trùng lịch họp của Đảng ủy xã", actor=sec_actor)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert Notification.objects.filter(body="Trùng lịch họp của Đảng ủy xã").count() == 3


# --- answers ------------------------------------------------------------------------------------


def test_leave_needs_a_reason(clock, make_meeting, sec_actor, people):
    meeting = _published(make_meeting, sec_actor)
    member = people["lan"]
    me = Actor.for_user(member.user)
    with pytest.raises(ValidationError) as refused:
        actions.respond(meeting, member, answer=Response.LEAVE, reason="   ", actor=me)
    assert "reason" in refused.value.message_dict
    row = Attendance.objects.get(meeting=meeting, member=member)
    assert row.response == Response.NONE and row.responded_at is None
    assert not AuditEntry.objects.filter(action="meeting.respond").exists()
    actions.respond(meeting, member, answer=Response.LEAVE, reason="Đi công tác", actor=me)
    row.refresh_from_db()
    assert (row.response, row.reason) == (Response.LEAVE, "Đi công tác")
    actions.respond(meeting, member, answer=Response.CONFIRMED, actor=me)
    row.refresh_from_db()
    assert (row.response, row.reason) == (Response.CONFIRMED, "")
    assert AuditEntry.objects.filter(action="meeting.respond").count() == 2


def test_answers_are_refused_after_the_meeting_and_before_the_notice(
    clock, make_meeting, sec_actor, people
):
    draft = make_meeting()
    me = Actor.for_user(people["lan"].user)
    with pytest.raises(ValidationError):
        actions.respond(draft, people["lan"], answer=Response.CONFIRMED, actor=me)
    meeting = _opened(clock, make_meeting, sec_actor, title="Tháng 12")
    clock.move_to(local(2026, 12, 14, 21, 0), tick=False)
    actions.close(meeting, actor=sec_actor)
    with pytest.raises(ValidationError) as refused:
        actions.respond(meeting, people["lan"], answer=Response.LEAVE, reason="Ốm", actor=me)
    assert refused.value.messages
    assert Attendance.objects.get(meeting=meeting, member=people["lan"]).response == Response.NONE


def test_another_cells_member_cannot_answer(clock, make_meeting, sec_actor, people):
    meeting = _published(make_meeting, sec_actor)
    other = people["other"]
    with pytest.raises(ValidationError):
        actions.respond(meeting, other, answer=Response.CONFIRMED, actor=Actor.for_user(other.user))
    assert not Attendance.objects.filter(member=other).exists()


# --- check-in -----------------------------------------------------------------------------------


def test_check_in_by_qr_token(clock, make_meeting, sec_actor, people):
    meeting = _published(make_meeting, sec_actor)
    lan = people["lan"]
    me = Actor.for_user(lan.user)
    with pytest.raises(ValidationError):  # not yet in session
        actions.check_in_self(meeting, lan, token=meeting.check_in_token, actor=me)
    clock.move_to(local(*STARTS), tick=False)
    actions.open_meeting(meeting, actor=sec_actor)
    with pytest.raises(ValidationError):  # wrong token
        actions.check_in_self(meeting, lan, token="x" + meeting.check_in_token[1:], actor=me)
    other = people["other"]
    with pytest.raises(ValidationError):  # another cell's member, with the right token
        actions.check_in_self(
            meeting, other, token=meeting.check_in_token, actor=Actor.for_user(other.user)
        )
    assert not Attendance.objects.filter(checked_in_at__isnull=False).exists()
    assert not Attendance.objects.filter(member=other).exists()
    row = actions.check_in_self(meeting, lan, token=meeting.check_in_token, actor=me)
    assert row.checked_in_at == local(*STARTS) and row.check_in_method == CheckInMethod.QR
    assert row.checked_in_by == lan.user
    # Scanning twice changes nothing.
    clock.move_to(local(2026, 12, 14, 19, 45), tick=False)
    again = actions.check_in_self(meeting, lan, token=meeting.check_in_token, actor=me)
    assert again.checked_in_at == local(*STARTS)
    assert AuditEntry.objects.filter(action="meeting.check_in").count() == 1


def test_secretary_checks_in_a_member_who_joined_after_the_notice(
    clock, tree, make_meeting, sec_actor, people
):
    meeting = _opened(clock, make_meeting, sec_actor)
    newcomer = MemberFactory(organisation=tree["a1"], full_name="Phạm Văn Nam")
    row = actions.check_in(meeting, newcomer, actor=sec_actor)
    assert row.check_in_method == CheckInMethod.SECRETARY and row.checked_in_by_id
    with pytest.raises(ValidationError):
        actions.check_in(meeting, people["other"], actor=sec_actor)


# --- opening and closing ------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "minimum"), [("regular", 90), ("thematic", 120)])
def test_close_refuses_a_meeting_shorter_than_the_minimum(
    clock, make_meeting, sec_actor, kind, minimum
):
    meeting = _opened(clock, make_meeting, sec_actor, kind=kind)
    clock.move_to(local(*STARTS) + datetime.timedelta(minutes=minimum - 1), tick=False)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        actions.close(meeting, actor=sec_actor)
    message = refused.value.messages[0]
    assert f"at least {minimum} minutes" in message and f"lasted {minimum - 1} minutes" in message
    assert "42-HD/BTCTW" in message
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.OPEN and meeting.closed_at is None
    assert not AuditEntry.objects.filter(action="meeting.close").exists()
    clock.move_to(local(*STARTS) + datetime.timedelta(minutes=minimum), tick=False)
    actions.close(meeting, actor=sec_actor)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED and meeting.duration_minutes == minimum


def test_the_minimum_is_configurable(clock, make_meeting, sec_actor, settings):
    settings.DANGSO_MEETING_MIN_MINUTES = 30
    meeting = _opened(clock, make_meeting, sec_actor)
    clock.move_to(local(*STARTS) + datetime.timedelta(minutes=29), tick=False)
    with pytest.raises(ValidationError) as refused:
        actions.close(meeting, actor=sec_actor)
    assert "30" in refused.value.messages[0] and "29" in refused.value.messages[0]
    clock.move_to(local(*STARTS) + datetime.timedelta(minutes=31), tick=False)
    assert actions.close(meeting, actor=sec_actor).status == MeetingStatus.CLOSED


def test_open_refuses_a_draft_and_a_meeting_far_ahead(clock, make_meeting, sec_actor):
    meeting = make_meeting()
    with pytest.raises(ValidationError):
        actions.open_meeting(meeting, actor=sec_actor)
    actions.publish(meeting, actor=sec_actor)
    with pytest.raises(ValidationError) as refused:
        actions.open_meeting(meeting, actor=sec_actor)
    assert "19:30" in refused.value.messages[0]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PUBLISHED and meeting.opened_at is None


# --- minutes ------------------------------------------------------------------------------------


def _held(clock, make_meeting, sec_actor, people):
    """A meeting where Lan came, Bình asked leave, Cường did not come."""
    meeting = _published(make_meeting, sec_actor)
    actions.respond(
        meeting, people["binh"], answer=Response.LEAVE, reason="Đi viện",
        actor=Actor.for_user(people["binh"].user),
    )  # fmt: skip
    clock.move_to(local(*STARTS), tick=False)
    actions.open_meeting(meeting, actor=sec_actor)
    actions.check_in(meeting, people["lan"], actor=sec_actor)
    clock.move_to(local(2026, 12, 14, 21, 15), tick=False)
    return actions.close(meeting, actor=sec_actor)


MINUTES = {
    "chair": "Nguyễn Văn Hùng", "minute_taker": "Nguyễn Thị Lan",
    "minutes_news": "Thông tin về Nghị quyết 57-NQ/TW.",
    "minutes_review": "Hoàn thành 5/6 nhiệm vụ.", "minutes_tasks": "Thu đảng phí.",
    "minutes_discussion": "", "minutes_resolution": "Chi bộ thống nhất 100 %.",
}  # fmt: skip


def test_minutes_state_the_attendance_and_lock_when_final(clock, make_meeting, sec_actor, people):
    meeting = _held(clock, make_meeting, sec_actor, people)
    attendance = queries.minutes_attendance(meeting)
    assert [row.member for row in attendance.present] == [people["lan"]]
    assert [(row.member, row.reason) for row in attendance.excused] == [(people["binh"], "Đi viện")]
    assert [row.member for row in attendance.absent] == [people["cuong"]]
    with pytest.raises(ValidationError) as refused:
        actions.finalise_minutes(meeting, actor=sec_actor)
    assert set(refused.value.message_dict) == {"chair", "minute_taker", "minutes_resolution"}
    actions.record_minutes(meeting, MINUTES, actor=sec_actor)
    actions.finalise_minutes(meeting, actor=sec_actor)
    meeting.refresh_from_db()
    assert meeting.minutes_final and meeting.minutes_resolution == "Chi bộ thống nhất 100 %."
    with pytest.raises(ValidationError):
        actions.record_minutes(meeting, {**MINUTES, "chair": "Người khác"}, actor=sec_actor)
    with pytest.raises(ValidationError):
        actions.check_in(meeting, people["cuong"], actor=sec_actor)
    meeting.refresh_from_db()
    assert meeting.chair == "Nguyễn Văn Hùng"
    assert not Attendance.objects.get(meeting=meeting, member=people["cuong"]).checked_in_at
    actions_done = list(
        AuditEntry.objects.filter(object_id=str(meeting.pk)).values_list("action", flat=True)
    )
    assert actions_done == [
        "meeting.schedule", "meeting.publish", "meeting.respond", "meeting.open",
        "meeting.check_in", "meeting.close", "meeting.minutes", "meeting.finalise",
    ]  # fmt: skip


def test_minutes_pdf(clock, make_meeting, sec_actor, people):
    import io

    from pypdf import PdfReader

    from dangso.meetings.printing import render_minutes_pdf

    meeting = _held(clock, make_meeting, sec_actor, people)
    actions.record_minutes(meeting, MINUTES, actor=sec_actor)
    content = render_minutes_pdf(Meeting.objects.select_related("cell__parent").get(pk=meeting.pk))
    assert content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    for expected in ("BIÊN BẢN SINH HOẠT CHI BỘ", "ĐẢNG CỘNG SẢN VIỆT NAM", "Nguyễn Thị Lan",
                     "Trần Văn Bình", "Đi viện", "Lê Văn Cường", "DỰ THẢO", "Yên Phong",
                     "CHI BỘ THÔN ĐÔNG", "Chi bộ thống nhất 100 %"):  # fmt: skip
        assert expected in text, expected


# --- rates --------------------------------------------------------------------------------------


def test_attendance_rates_per_member_and_per_cell(clock, tree, make_meeting, sec_actor, people):
    first = _held(clock, make_meeting, sec_actor, people)  # Lan present, Bình leave, Cường absent
    clock.move_to(local(2027, 1, 10, 9, 0), tick=False)
    second = _published(make_meeting, sec_actor, starts_at=local(2027, 1, 11, 19, 30))
    clock.move_to(local(2027, 1, 11, 19, 30), tick=False)
    actions.open_meeting(second, actor=sec_actor)
    for name in ("lan", "binh"):
        actions.check_in(second, people[name], actor=sec_actor)
    clock.move_to(local(2027, 1, 11, 21, 30), tick=False)
    actions.close(second, actor=sec_actor)
    # A meeting still announced counts for nobody; nor does a cancelled one.
    _published(make_meeting, sec_actor, starts_at=local(2027, 2, 11, 19, 30))
    rates = {item.member.full_name: item.rate for item in queries.member_rates(tree["a1"])}
    assert rates["Nguyễn Thị Lan"].percent == 100.0
    assert (rates["Trần Văn Bình"].present, rates["Trần Văn Bình"].excused) == (1, 1)
    assert rates["Trần Văn Bình"].percent == 50.0
    assert (rates["Lê Văn Cường"].expected, rates["Lê Văn Cường"].absent) == (2, 2)
    assert rates["Lê Văn Cường"].percent == 0.0
    assert queries.member_rate(people["binh"]).percent == 50.0
    since = queries.rate_since()
    cells = {cell.code: cell for cell in queries.with_rates(queries.cells_under(
        people["leader"], tree["a"]), since)}  # fmt: skip
    assert set(cells) == {"X01C1", "X01C2"}  # the leader's commune only
    a1 = queries.cell_rate(cells["X01C1"])
    assert (cells["X01C1"].held, a1.expected, a1.present, a1.excused) == (2, 6, 3, 1)
    assert a1.percent == 50.0
    assert cells["X01C2"].held == 0 and queries.cell_rate(cells["X01C2"]).percent is None
    held, total = queries.total_rate(queries.cells_under(people["leader"], tree["a"]), since)
    assert (held, total.present, total.expected) == (2, 3, 6)
    # Twelve months later the first meeting falls out of the window.
    clock.move_to(local(2027, 12, 20, 9, 0), tick=False)
    assert queries.member_rate(people["cuong"]).expected == 1
    assert first.pk and second.pk


def test_upcoming_for_member(clock, tree, make_meeting, sec_actor, people):
    later = _published(make_meeting, sec_actor, starts_at=local(2026, 12, 20, 19, 30))
    sooner = _published(make_meeting, sec_actor)
    make_meeting(title="Bản nháp")
    _published(make_meeting, sec_actor, cell=tree["b1"])
    actions.respond(sooner, people["lan"], answer=Response.LEAVE, reason="Ốm",
                    actor=Actor.for_user(people["lan"].user))  # fmt: skip
    upcoming = list(queries.upcoming_for_member(people["lan"])[:3])
    assert upcoming == [sooner, later]
    assert (upcoming[0].my_response, upcoming[0].my_reason) == ("leave", "Ốm")
    assert upcoming[0].my_checked_in is None and upcoming[1].my_response == "none"
