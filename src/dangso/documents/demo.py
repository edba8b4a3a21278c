"""Demonstration documents: the offices of the demo province and commune at work.

Everything goes through `documents.actions`, so numbers, registers, events and the audit log
are those the application itself writes. Signatures use a demonstration certificate authority
(`dangso.core.pki`), whose root is placed among the trust anchors and whose PKCS#12 files
are written to var/demo-certificates/ so that the signing screens can be tried. They are
demonstration keys: never use them for real documents.
"""

import datetime
import random
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dangso.accounts.models import RoleAssignment
from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.core.pki import PASSPHRASE, local_pki
from dangso.core.printing import make_pdf
from dangso.documents import actions
from dangso.documents.actions import Handler
from dangso.documents.choices import HandlingRole, Urgency
from dangso.documents.models import (
    Assignment,
    DocumentType,
    IssuingBody,
    ensure_document_types,
)
from dangso.orgs.models import Organisation, Term

SUBJECTS = (
    "học tập, quán triệt Nghị quyết Đại hội Đảng bộ tỉnh",
    "triển khai Đề án chuyển đổi số trong cơ quan Đảng",
    "kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm 2026",
    "thu, nộp đảng phí theo Quy định 01-QĐ/TW",
    "rà soát, làm sạch dữ liệu đảng viên",
    "sinh hoạt chi bộ theo chuyên đề quý IV",
    "trao Huy hiệu Đảng đợt 7/11",
    "phòng, chống tham nhũng, tiêu cực",
    "công tác phát triển đảng viên trong thanh niên",
    "báo cáo sơ kết 6 tháng thực hiện Chỉ thị 35-CT/TW",
    "chuẩn bị nhân sự cấp ủy nhiệm kỳ mới",
    "tổ chức Hội nghị Ban Chấp hành Đảng bộ mở rộng",
)
ISSUERS = (
    "Ban Tuyên giáo và Dân vận Tỉnh ủy", "Ủy ban Kiểm tra Tỉnh ủy", "Ban Tổ chức Tỉnh ủy",
    "Đảng ủy Khối các cơ quan tỉnh", "Văn phòng Trung ương Đảng",
)  # fmt: skip


@dataclass(frozen=True)
class DocumentDemoSummary:
    documents: int
    certificates: Path


def _person(username: str) -> tuple[object, Organisation]:
    assignment = RoleAssignment.objects.select_related("user", "organisation").filter(
        user__username=username
    )[0]
    return assignment.user, assignment.organisation


def _pdf(title: str, pages: int = 1) -> Upload:
    return Upload("van-ban.pdf", make_pdf(pages=pages, text=title))


def _write_certificates() -> Path:
    pki = local_pki()
    anchors = Path(settings.DANGSO_TRUST_ANCHORS_DIR)
    anchors.mkdir(parents=True, exist_ok=True)
    (anchors / "demo-root.pem").write_bytes(pki.root.cert.public_bytes(serialization.Encoding.PEM))
    folder = Path(settings.VAR_DIR) / "demo-certificates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ca-nhan-nguyen-van-duc.p12").write_bytes(pki.signer.pkcs12())
    (folder / "to-chuc.p12").write_bytes(pki.organisation.pkcs12())
    (folder / "MAT-KHAU.txt").write_text(
        f"Chứng thư số dùng thử (không dùng cho văn bản thật). Mật khẩu: {PASSPHRASE}\n"
    )
    return folder


@transaction.atomic
def load_document_demo(seed: int = 204) -> DocumentDemoSummary:
    rng = random.Random(seed)
    clerk, commune = _person("vanphong.xa")
    leader, _ = _person("lanhdao.xa")
    province_clerk, province = _person("vanthu.tinh")
    province_leader, _ = _person("lanhdao.tinh")
    ensure_document_types()
    types = {t.abbreviation: t for t in DocumentType.objects.all()}
    bodies = {}
    commune_committee = f"Đảng ủy {commune.name.removeprefix('Đảng bộ ')}"
    offices = {
        province: (
            ("Tỉnh ủy", "TU"),
            ("Văn phòng Tỉnh ủy", "VPTU"),
            ("Ban Tổ chức Tỉnh ủy", "BTCTU"),
        ),
        commune: ((commune_committee, "ĐU"), ("Văn phòng Đảng ủy", "VPĐU")),
    }
    for organisation, entries in offices.items():
        for name, symbol in entries:
            bodies[symbol] = IssuingBody.objects.create(
                organisation=organisation, name=name, symbol=symbol
            )
        Term.objects.create(
            organisation=organisation,
            name="Nhiệm kỳ 2025–2030",
            starts_on=datetime.date(2025, 10, 1),
        )
    certificates = _write_certificates()
    pki = local_pki()
    from dangso.core import signing

    personal = signing.load_credential(pki.signer.pkcs12(), PASSPHRASE)
    seal = signing.load_credential(pki.organisation.pkcs12(), PASSPHRASE)
    count = 0

    # The province sends instructions down to the commune.
    for index in range(6):
        subject = rng.choice(SUBJECTS)
        kind = rng.choice(("CV", "HD", "KH", "TB"))
        document = actions.draft(
            {"document_type": types[kind], "issuing_body": bodies[rng.choice(("TU", "VPTU"))],
             "summary": f"Về việc {subject}", "place": "Bắc Ninh",
             "signer_title": "Phó Bí thư Thường trực", "signing_authority": "T/M",
             "recipients": "- Các đảng bộ trực thuộc,\n- Lưu Văn phòng.",
             "urgency": Urgency.URGENT if index == 0 else Urgency.NORMAL},
            organisation=province, uploads=[_pdf(f"Về việc {subject}", pages=2)],
            actor=Actor.for_user(province_clerk),
        )  # fmt: skip
        document = actions.submit(document, [], actor=Actor.for_user(province_clerk))
        document = actions.sign(document, personal, actor=Actor.for_user(province_leader))
        document = actions.issue(
            document, actor=Actor.for_user(province_clerk), organisation_credential=seal
        )
        actions.send(document, [commune], actor=Actor.for_user(province_clerk))
        count += 2
        incoming = document.deliveries.get().incoming
        assert incoming is not None  # send() queued it
        if index < 4:  # the commune clerk has received most of them
            incoming = actions.receive(incoming, actor=Actor.for_user(clerk))
            if index < 3:
                actions.assign(
                    incoming, [Handler(clerk, HandlingRole.LEAD)],
                    deadline=timezone.localdate() + datetime.timedelta(days=5 + index),
                    actor=Actor.for_user(leader),
                )  # fmt: skip

    # Documents that arrived on paper or by e-mail, registered by the commune clerk.
    for index in range(14):
        subject = rng.choice(SUBJECTS)
        document = actions.register_incoming(
            {"document_type": types[rng.choice(("CV", "TB", "HD", "KH", "GM"))],
             "symbol": f"{rng.randint(10, 480)}-CV/{rng.choice(('BTGDVTU', 'UBKTTU', 'BTCTU'))}",
             "issuer_name": rng.choice(ISSUERS), "summary": f"Về việc {subject}",
             "issued_on": timezone.localdate() - datetime.timedelta(days=rng.randint(3, 60))},
            organisation=commune, uploads=[_pdf(f"Về việc {subject}")],
            actor=Actor.for_user(clerk),
        )  # fmt: skip
        count += 1
        if index % 3:
            actions.assign(
                document, [Handler(clerk, HandlingRole.LEAD)],
                deadline=timezone.localdate() + datetime.timedelta(days=rng.randint(1, 20)),
                actor=Actor.for_user(leader),
            )  # fmt: skip
        if index % 5 == 4:
            note = "Đã triển khai đến các chi bộ."
            actions.close(document, note=note, actor=Actor.for_user(leader), by_leader=True)
    # So that the overdue marks show: some deadlines fell a few days ago.
    late = list(Assignment.objects.filter(done_at__isnull=True).values_list("pk", flat=True)[:3])
    Assignment.objects.filter(pk__in=late).update(
        deadline=F("deadline") - datetime.timedelta(days=25)
    )
    for assignment in Assignment.objects.filter(pk__in=late).select_related("document"):
        type(assignment.document).objects.filter(pk=assignment.document_id).update(
            deadline=assignment.deadline
        )

    # A draft report of the commune, waiting for the leader's review.
    draft = actions.draft(
        {"document_type": types["BC"], "issuing_body": bodies["ĐU"],
         "summary": "Báo cáo kết quả rà soát, làm sạch dữ liệu đảng viên", "place": "Yên Phong"},
        organisation=commune, uploads=[_pdf("Báo cáo kết quả rà soát dữ liệu đảng viên", 3)],
        actor=Actor.for_user(clerk),
    )  # fmt: skip
    actions.submit(draft, [leader], actor=Actor.for_user(clerk))
    count += 1
    return DocumentDemoSummary(documents=count, certificates=certificates)
