"""Demonstration handbook: the demo member's account, the library, a study campaign and a
conversation with the cell committee, made through the actions."""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from dangso.accounts.models import RoleAssignment
from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.core.printing import make_pdf
from dangso.handbook import actions
from dangso.handbook.models import MemberAccount, Publication
from dangso.members.choices import PORTAL_STATUSES
from dangso.members.models import Member

LIBRARY = [
    (
        "province",
        "resolution",
        "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XXI, nhiệm kỳ 2025–2030",
    ),
    ("province", "directive", "Chỉ thị về đẩy mạnh chuyển đổi số trong các cơ quan Đảng của tỉnh"),
    ("commune", "resolution", "Nghị quyết Đại hội Đảng bộ xã nhiệm kỳ 2025–2030"),
    ("commune", "guidance", "Hướng dẫn sử dụng Sổ tay đảng viên điện tử"),
    (
        "commune",
        "study",
        "Tài liệu học tập Nghị quyết số 57-NQ/TW về phát triển khoa học, công nghệ",
    ),
    ("cell", "notice", "Thông báo nội dung sinh hoạt chi bộ tháng này"),
]


@dataclass
class HandbookDemoSummary:
    accounts: int
    publications: int


def _official(username: str) -> Actor:
    assignment = RoleAssignment.objects.select_related("user").filter(user__username=username)[0]
    return Actor(assignment.user.pk, assignment.user.username)


@transaction.atomic
def load_handbook_demo(seed: int = 204) -> HandbookDemoSummary:
    rng = random.Random(seed)
    member = Member.objects.select_related("organisation").get(user__username="dangvien")
    cell = member.organisation
    commune = cell.parent
    assert commune is not None and commune.parent is not None
    places = {"province": commune.parent, "commune": commune, "cell": cell}
    office = _official("vanphong.xa")
    now = timezone.now()
    # The demo member signs in with the demo password (no code needed); a third of the cell
    # has activated too, some of them recently.
    MemberAccount.objects.create(
        member=member,
        user=member.user,  # type: ignore[misc]  # the demo member is linked to "dangvien"
        activated_at=now,
        last_seen=timezone.localdate(),
    )
    published = [
        actions.publish(
            {"title": title, "kind": kind}, organisation=places[where], actor=office,
            upload=Upload("tai-lieu.pdf", make_pdf(pages=2, text=title)),
        )
        for where, kind, title in LIBRARY
    ]  # fmt: skip
    cellmates = Member.objects.filter(
        organisation=cell, status__in=PORTAL_STATUSES, cccd__isnull=False
    ).exclude(pk=member.pk)
    for other in cellmates:
        if rng.random() < 0.35:
            issued = actions.issue_codes([other], actor=office)
            actions.activate(other.cccd or "", issued[0].code, "DangSo@2026")
            seen = timezone.localdate() - datetime.timedelta(days=rng.choice([0, 3, 12, 45]))
            MemberAccount.objects.filter(member=other).update(last_seen=seen)
    actions.open_campaign(
        {"title": "Học tập, quán triệt Nghị quyết số 57-NQ/TW",
         "description": "Nghiên cứu tài liệu và viết thu hoạch về việc vận dụng ở chi bộ.",
         "deadline": timezone.localdate() + datetime.timedelta(days=21)},
        organisation=commune, materials=[published[4], published[0]], actor=office,
    )  # fmt: skip
    thread = actions.open_thread(
        member,
        {"kind": "question", "subject": "Thời gian nộp đảng phí quý này",
         "body": "Xin hỏi chi bộ thu đảng phí quý này vào buổi sinh hoạt nào ạ?"},
        actor=Actor(member.user_id, member.full_name),
    )  # fmt: skip
    actions.write(
        thread, "Chi bộ thu đảng phí tại buổi sinh hoạt định kỳ đầu tháng tới.",
        actor=_official("bithu.chibo"), from_committee=True,
    )  # fmt: skip
    return HandbookDemoSummary(
        accounts=MemberAccount.objects.count(), publications=Publication.objects.count()
    )
