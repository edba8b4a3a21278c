"""Demonstration meetings of the demo secretary's cell ("bithu.chibo"): three monthly meetings
already held, with attendance and final minutes, and next month's meeting announced with its
materials, so that the demo member ("dangvien") can confirm or ask leave.

Meetings go through `meetings.actions` (audit, attendance rows, notices are real); the three
held ones are then moved back in time, as if held in the past months, like the follow-up demo
does with its tasks; the notices of those old meetings are removed. Call after
`members.demo.load_demo()`.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from dangso.accounts.models import RoleAssignment
from dangso.core.audit import Actor
from dangso.core.dates import add_months
from dangso.core.models import Notification
from dangso.core.printing import make_pdf
from dangso.meetings import actions
from dangso.meetings.choices import CheckInMethod, MeetingKind, MeetingStatus, Response
from dangso.meetings.models import Attendance, Material, Meeting

TOPICS = [
    ("Sinh hoạt chi bộ định kỳ tháng {month}", MeetingKind.REGULAR),
    (
        "Sinh hoạt chi bộ tháng {month} và chuyên đề học tập, làm theo tư tưởng, đạo đức, "
        "phong cách Hồ Chí Minh",
        MeetingKind.THEMATIC,
    ),
    ("Sinh hoạt chi bộ định kỳ tháng {month}", MeetingKind.REGULAR),
]
AGENDA = (
    "1. Điểm danh, báo cáo tình hình đảng viên dự sinh hoạt.\n"
    "2. Thông tin thời sự, chủ trương, chính sách mới.\n"
    "3. Kiểm điểm việc thực hiện nhiệm vụ tháng trước.\n"
    "4. Bàn nhiệm vụ, giải pháp tháng tới.\n"
    "5. Thông qua nghị quyết của chi bộ."
)
LEAVE_REASONS = ["Đi công tác", "Ốm, đang điều trị", "Việc gia đình", "Trực cơ quan"]


@dataclass
class MeetingDemoSummary:
    meetings: int
    attendances: int


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _minutes(secretary_name: str, month: str) -> dict[str, str]:
    return {
        "chair": secretary_name,
        "minute_taker": "Nguyễn Thị Hồng Nhung",
        "minutes_news": "Đồng chí Bí thư thông tin tình hình thời sự trong nước, quốc tế; "
        "quán triệt Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ, "
        "đổi mới sáng tạo và chuyển đổi số.",
        "minutes_review": f"Trong tháng {month}, chi bộ đã lãnh đạo hoàn thành các nhiệm vụ đề "
        "ra; 100 % đảng viên cài đặt và sử dụng Sổ tay đảng viên điện tử; thu nộp đảng phí "
        "đầy đủ, đúng hạn.",
        "minutes_tasks": "Tiếp tục rà soát, cập nhật dữ liệu đảng viên; vận động nhân dân "
        "tham gia vệ sinh môi trường; chuẩn bị nội dung sinh hoạt chuyên đề quý.",
        "minutes_discussion": "Các đồng chí đảng viên phát biểu, thống nhất với báo cáo; đề "
        "nghị tăng cường nắm bắt tình hình tư tưởng ở khu dân cư.",
        "minutes_resolution": "Chi bộ thống nhất 100 % thông qua nghị quyết sinh hoạt tháng.",
    }


def _hold(meeting: Meeting, *, held_on: datetime.datetime, rng: random.Random,
          secretary: Actor) -> None:  # fmt: skip
    """Move an announced meeting back to `held_on`, with answers, check-ins and its length."""
    rows = list(meeting.attendances.select_related("member").order_by("pk"))
    for row in rows:
        if rng.random() < 0.06:
            actions.respond(
                meeting, row.member, answer=Response.LEAVE, reason=rng.choice(LEAVE_REASONS),
                actor=secretary,
            )  # fmt: skip
    leave = set(
        meeting.attendances.filter(response=Response.LEAVE).values_list("member_id", flat=True)
    )
    present = [row.member_id for row in rows if row.member_id not in leave and rng.random() < 0.9]
    minutes = meeting.minimum_minutes + rng.randrange(5, 30)
    published = held_on - datetime.timedelta(days=5)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=held_on, published_at=published, opened_at=held_on,
        closed_at=held_on + datetime.timedelta(minutes=minutes), status=MeetingStatus.CLOSED,
    )  # fmt: skip
    Material.objects.filter(meeting=meeting).update(published_at=published)
    Attendance.objects.filter(meeting=meeting, responded_at__isnull=False).update(
        responded_at=published + datetime.timedelta(days=1)
    )
    Attendance.objects.filter(meeting=meeting, member_id__in=present).update(
        checked_in_at=held_on + datetime.timedelta(minutes=rng.randrange(0, 10)),
        checked_in_by_id=secretary.user_id,
        check_in_method=CheckInMethod.SECRETARY,
    )
    Notification.objects.filter(key__startswith=f"meeting:{meeting.pk}:").delete()


@transaction.atomic
def load_meeting_demo(seed: int = 204) -> MeetingDemoSummary:
    rng = random.Random(seed)
    assignment = RoleAssignment.objects.select_related("user", "organisation").filter(
        user__username="bithu.chibo"
    )[0]
    cell, user = assignment.organisation, assignment.user
    secretary = Actor(user.pk, user.username)
    name = user.get_full_name() or user.username
    today = timezone.localdate()
    soon = timezone.now() + datetime.timedelta(days=3)
    first_of_month = today.replace(day=1)
    for months_back, (title, kind) in zip((3, 2, 1), TOPICS, strict=True):
        month = add_months(first_of_month, -months_back)
        label = f"{month.month:02d}/{month.year}"
        meeting = actions.schedule(
            {"title": title.format(month=label), "kind": kind, "starts_at": soon,
             "place": f"Hội trường {cell.name}", "agenda": AGENDA},
            cell=cell, actor=secretary,
        )  # fmt: skip
        if months_back == 1:
            actions.add_materials(
                meeting,
                [actions.Upload("du-thao-nghi-quyet.pdf",
                                make_pdf(text=f"Dự thảo nghị quyết chi bộ tháng {label}"))],
                actor=secretary,
            )  # fmt: skip
        actions.publish(meeting, actor=secretary)
        _hold(meeting, held_on=_at(month.replace(day=10), 19, 30), rng=rng, secretary=secretary)
        meeting.refresh_from_db()
        actions.record_minutes(meeting, _minutes(name, label), actor=secretary)
        actions.finalise_minutes(meeting, actor=secretary)
    # Next month's meeting, announced with its materials.
    month = add_months(first_of_month, 1)
    label = f"{month.month:02d}/{month.year}"
    upcoming = actions.schedule(
        {"title": f"Sinh hoạt chi bộ định kỳ tháng {label}", "kind": MeetingKind.REGULAR,
         "starts_at": _at(month.replace(day=10), 19, 30),
         "place": f"Hội trường {cell.name}", "agenda": AGENDA},
        cell=cell, actor=secretary,
    )  # fmt: skip
    actions.add_materials(
        upcoming,
        [
            actions.Upload("bao-cao-ket-qua-thang.pdf",
                           make_pdf(text=f"Báo cáo kết quả thực hiện nhiệm vụ, tháng {label}")),
            actions.Upload("du-thao-nghi-quyet.pdf",
                           make_pdf(text=f"Dự thảo nghị quyết chi bộ tháng {label}")),
        ],
        actor=secretary,
    )  # fmt: skip
    actions.publish(upcoming, actor=secretary)
    return MeetingDemoSummary(
        meetings=Meeting.objects.filter(cell=cell).count(),
        attendances=Attendance.objects.filter(meeting__cell=cell).count(),
    )
