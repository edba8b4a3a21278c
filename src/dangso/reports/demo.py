"""Demonstration reports: the demo province's quarterly report on admitting new members.

Made through `reports.actions` (form, period, drafts, submissions, approvals), so the audit
log and the figures are those the application itself writes. To show late reports, a few
first-submission times are then set back after the due day, which no action can do.
Call after `members.demo.load_demo()`, which creates the province, communes and officials.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from dangso.core.audit import Actor
from dangso.orgs.choices import OrgKind
from dangso.orgs.models import Organisation
from dangso.reports import actions
from dangso.reports.actions import FormSpec, IndicatorSpec
from dangso.reports.choices import IndicatorKind
from dangso.reports.models import ReportForm, ReportPeriod, Submission
from dangso.reports.periods import period_containing

OPTIONS = ["Hoàn thành xuất sắc", "Hoàn thành tốt", "Hoàn thành", "Không hoàn thành"]
INDICATORS = [
    IndicatorSpec(
        "ket_nap_moi",
        "Số đảng viên kết nạp mới",
        IndicatorKind.NUMBER,
        required=True,
        unit="người",
    ),
    IndicatorSpec(
        "ket_nap_tre", "Trong đó: đảng viên dưới 30 tuổi", IndicatorKind.NUMBER, unit="người"
    ),
    IndicatorSpec("so_chi_bo", "Số chi bộ", IndicatorKind.NUMBER, required=True, unit="chi bộ"),
    IndicatorSpec(
        "chi_bo_dung_ky",
        "Số chi bộ sinh hoạt đúng định kỳ",
        IndicatorKind.NUMBER,
        required=True,
        unit="chi bộ",
    ),
    IndicatorSpec(
        "ty_le_dung_ky",
        "Tỷ lệ chi bộ sinh hoạt đúng định kỳ",
        IndicatorKind.RATIO,
        parts=["chi_bo_dung_ky", "so_chi_bo"],
        unit="%",
    ),
    IndicatorSpec(
        "tong",
        "Tổng số chi bộ và đảng viên mới được theo dõi",
        IndicatorKind.TOTAL,
        parts=["ket_nap_moi", "so_chi_bo"],
    ),
    IndicatorSpec("danh_gia", "Đánh giá chung", IndicatorKind.TEXT),
    IndicatorSpec(
        "muc_do", "Mức độ hoàn thành", IndicatorKind.CHOICE, options=OPTIONS, required=True
    ),
]
ASSESSMENTS = (
    "Các chi bộ duy trì nền nếp sinh hoạt; công tác tạo nguồn phát triển đảng viên được quan tâm.",
    "Hoàn thành chỉ tiêu kết nạp đảng viên của quý; một số chi bộ thôn chưa sinh hoạt đúng kỳ.",
    "Chú trọng phát triển đảng viên trong đoàn viên thanh niên, dân quân, công an xã.",
    "Còn khó khăn về nguồn kết nạp ở các thôn có nhiều lao động đi làm ăn xa.",
)


@dataclass(frozen=True)
class ReportDemoSummary:
    form: ReportForm
    expected: int
    submitted: int
    approved: int


def _user(username: str) -> object:
    return get_user_model().objects.get(username=username)


@transaction.atomic
def load_report_demo(seed: int = 204, province_code: str = "BN") -> ReportDemoSummary:
    """One quarterly form of the demo province, its last quarter opened and mostly filled."""
    rng = random.Random(seed)
    province = Organisation.objects.get(code=province_code)
    designer, leader = _user("vanthu.tinh"), _user("lanhdao.tinh")
    form = actions.save_form(
        None,
        FormSpec(
            name="Báo cáo công tác phát triển đảng viên",
            code="phat-trien-dang-vien",
            period_type="quarter",
            due_days=10,
            obliged_kinds=[OrgKind.COMMUNE, OrgKind.UPPER_GRASSROOTS],
            description="Báo cáo hằng quý của các đảng bộ trực thuộc gửi Ban Tổ chức Tỉnh ủy.",
        ),
        INDICATORS,
        owner=province,
        actor=Actor.for_user(designer),
    )
    last_quarter = period_containing("quarter", timezone.localdate()).previous()
    actions.open_period(form, last_quarter.start, Actor.for_user(designer))
    period = ReportPeriod.objects.get(form=form, start=last_quarter.start)
    submissions = list(
        Submission.objects.filter(form=form, period_start=period.start)
        .select_related("organisation")
        .order_by("organisation__code")
    )
    submitted: list[Submission] = []
    for index, submission in enumerate(submissions):
        cells = Organisation.objects.filter(parent=submission.organisation).count() or 5
        on_schedule = max(0, cells - rng.choice((0, 0, 1, 1, 2, 3)))
        admitted = rng.randint(0, 9)
        values = {
            "ket_nap_moi": admitted, "ket_nap_tre": rng.randint(0, admitted),
            "so_chi_bo": cells, "chi_bo_dung_ky": on_schedule,
            "danh_gia": rng.choice(ASSESSMENTS),
            "muc_do": rng.choices(OPTIONS, weights=(2, 5, 3, 1))[0],
        }  # fmt: skip
        actor = Actor.system("demo")
        if index == 0:  # the demo officials' commune still has its draft to finish
            actions.save_draft(submission, {**values, "muc_do": ""}, actor)
            continue
        if rng.random() < 0.15:  # a few never report
            continue
        submitted.append(actions.submit(submission, values, actor))
    # Backdating shows late reports only once the due day has passed.
    late = (
        [s.pk for s in submitted[1::4]]
        if period.due_on + datetime.timedelta(days=13) < (timezone.localdate())
        else []
    )
    for submission in Submission.objects.filter(pk__in=late):
        when = datetime.datetime.combine(
            period.due_on + datetime.timedelta(days=rng.randint(1, 12)),
            datetime.time(rng.randint(8, 16), rng.randint(0, 59)),
            tzinfo=timezone.get_current_timezone(),
        )
        Submission.objects.filter(pk=submission.pk).update(
            first_submitted_at=when, submitted_at=when, on_time=False
        )
    approved = 0
    for submission in submitted[: len(submitted) // 2]:
        actions.approve_submission(submission, leader, Actor.for_user(leader))
        approved += 1
    if submitted:
        actions.return_submission(
            submitted[-1],
            "Số chi bộ sinh hoạt đúng định kỳ chưa khớp với báo cáo tháng; đề nghị rà soát lại.",
            leader,
            Actor.for_user(leader),
        )
    return ReportDemoSummary(form, len(submissions), len(submitted), approved)
