"""Demonstration tasks: the province's programme "Đề án 204", tasks given to its communes and
handed down to cells, progress at every stage, some done, some overdue.

Tasks are made through the actions (so audit, notices and roll-ups are real), then a few are
moved back in time, as if assigned months ago, so that the dashboard has overdue and late work.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from dangso.accounts.models import RoleAssignment
from dangso.core.audit import Actor
from dangso.followup import actions
from dangso.followup.models import ProgressUpdate, Task
from dangso.orgs.models import Organisation

TASKS = [
    ("Số hóa 100 % hồ sơ đảng viên của đảng bộ", "Kế hoạch số 12-KH/TU", True),
    ("Triển khai Sổ tay đảng viên điện tử đến toàn bộ đảng viên", "Quyết định số 339-QĐ/TW", True),
    ("Sử dụng chữ ký số trong gửi, nhận văn bản của cấp ủy", "Đề án 204-QĐ/TW", True),
    ("Tổ chức học tập, quán triệt Nghị quyết số 57-NQ/TW", "Nghị quyết số 57-NQ/TW", False),
    ("Rà soát, cập nhật dữ liệu đảng viên sau sắp xếp tổ chức", "Công văn số 96-CV/VPTU", True),
    ("Sơ kết 6 tháng thực hiện Chỉ thị số 35-CT/TW", "Chỉ thị số 35-CT/TW", False),
    ("Kiểm tra việc sinh hoạt chi bộ định kỳ", "Hướng dẫn số 42-HD/BTCTW", False),
]


@dataclass
class FollowupDemoSummary:
    tasks: int
    updates: int


def _user(username: str) -> tuple[Actor, Organisation]:
    assignment = RoleAssignment.objects.select_related("user", "organisation").filter(
        user__username=username
    )[0]
    return Actor(assignment.user.pk, assignment.user.username), assignment.organisation


@transaction.atomic
def load_followup_demo(seed: int = 204) -> FollowupDemoSummary:
    rng = random.Random(seed)
    today = timezone.localdate()
    clerk, province = _user("vanthu.tinh")
    commune_clerk, home_commune = _user("vanphong.xa")
    communes = list(Organisation.objects.active().filter(parent=province).order_by("name")[:6])
    if home_commune not in communes:
        communes[-1:] = [home_commune]
    programme = actions.create_programme(
        {"name": "Đề án 204 — Chuyển đổi số trong cơ quan Đảng",
         "starts_on": datetime.date(today.year, 1, 1)},
        organisation=province, actor=clerk,
    )  # fmt: skip
    made: list[Task] = []
    for index, (title, source, in_programme) in enumerate(TASKS):
        task = actions.assign(
            {"title": title, "source_text": source,
             "programme": programme if in_programme else None,
             "deadline": today + datetime.timedelta(days=30 + 15 * index),
             "expected_result": "Báo cáo kết quả kèm minh chứng"},
            organisation=province, assignees=rng.sample(communes, k=min(len(communes), 4)),
            actor=clerk,
        )  # fmt: skip
        made.append(task)
    # The home commune hands its share of the first two tasks down to three of its cells.
    cells = list(Organisation.objects.active().filter(parent=home_commune).order_by("name")[:3])
    for task in made[:2]:
        share = task.children.filter(organisation=home_commune).first()
        if share is not None and cells:
            actions.delegate(share, cells, actor=commune_clerk)
    leaves = Task.objects.filter(children__isnull=True, parent__isnull=False)
    for leaf in leaves.order_by("pk"):
        percent = rng.choice([0, 20, 40, 60, 80, 100, 100])
        if percent:
            actions.report_progress(
                leaf, percent=percent,
                note="Đã hoàn thành" if percent == 100 else "Đang triển khai theo kế hoạch",
                actor=commune_clerk if leaf.organisation.parent_id == home_commune.pk else clerk,
            )  # fmt: skip
    # Two tasks assigned three months ago and due last month: overdue where not finished.
    shift = datetime.timedelta(days=90)
    for task in made[-2:]:
        family = [task.pk, *task.children.values_list("pk", flat=True)]
        for item in Task.objects.filter(pk__in=family):
            Task.objects.filter(pk=item.pk).update(
                assigned_on=item.assigned_on - shift,
                deadline=today - datetime.timedelta(days=20),
                started_on=item.started_on - shift if item.started_on else None,
                completed_on=item.completed_on - shift if item.completed_on else None,
            )
        ProgressUpdate.objects.filter(task_id__in=family).update(reported_on=today - shift)
    return FollowupDemoSummary(tasks=Task.objects.count(), updates=ProgressUpdate.objects.count())
