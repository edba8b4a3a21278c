"""The document workflows, step by step, on a real database with real files and signatures.

Incoming: register → assign → progress → close (or answer, or return to sender). Outgoing:
draft → review → sign → issue (number) → send; interchange between organisations; classified
documents. Every refusal must leave the database (and the file store) exactly as it was.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from dangso.core import signing
from dangso.core.audit import Actor
from dangso.core.classification import Classification
from dangso.core.files import Upload
from dangso.core.models import AuditEntry
from dangso.core.pki import PASSPHRASE, local_pki
from dangso.documents import actions
from dangso.documents.actions import Handler
from dangso.documents.choices import (
    AttachmentKind,
    DeliveryStatus,
    Direction,
    DocumentStatus,
    EventKind,
    HandlingRole,
    ReviewDecision,
)
from dangso.documents.models import (
    Assignment,
    Attachment,
    Counter,
    Delivery,
    Document,
    DocumentEvent,
    Grant,
    ReviewStep,
)
from dangso.documents.queries import inbox, visible_documents
from dangso.orgs.choices import OrgStatus
from dangso.testing.documents import Office, doc_type, pdf_bytes
from dangso.testing.factories import RoleFactory, UserFactory

KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="  # 32 bytes, base64
LEAD, SUPPORT, INFORM = HandlingRole.LEAD, HandlingRole.SUPPORT, HandlingRole.INFORM


@pytest.fixture(autouse=True)
def english():
    """Messages in English, so a test can tell one refusal from another."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Each test stores files in a directory of its own, unclassified-only by default."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    settings.DANGSO_MAX_CLASSIFICATION = "khong_mat"
    settings.DANGSO_FILE_KEY = ""
    settings.DANGSO_TSA_URL = ""
    settings.DANGSO_REGISTER_RESET = "year"
    return root


@pytest.fixture
def trusted_ca(settings, tmp_path) -> Path:
    """The test CA (standing in for Ban Cơ yếu) as this deployment's only trust anchor."""
    directory = tmp_path / "trust"
    directory.mkdir()
    pem = local_pki().root.cert.public_bytes(serialization.Encoding.PEM)
    (directory / "ban-co-yeu-thu-nghiem.pem").write_bytes(pem)
    settings.DANGSO_TRUST_ANCHORS_DIR = str(directory)
    return directory


@pytest.fixture
def untrusted(settings, tmp_path) -> None:
    directory = tmp_path / "no-trust"
    directory.mkdir()
    settings.DANGSO_TRUST_ANCHORS_DIR = str(directory)


@pytest.fixture
def classified_allowed(settings) -> None:
    settings.DANGSO_MAX_CLASSIFICATION = "mat"
    settings.DANGSO_FILE_KEY = KEY


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return pdf_bytes("Công văn về việc học tập nghị quyết chuyển đổi số")


@pytest.fixture(scope="module")
def draft_pdf() -> bytes:
    return pdf_bytes("Báo cáo kết quả thực hiện chuyển đổi số", pages=2)


@pytest.fixture(scope="module")
def result_pdf() -> bytes:
    return pdf_bytes("Kết quả rà soát hồ sơ đảng viên")


def act(user: Any) -> Actor:
    return Actor.for_user(user)


def person(office: Office, role: str, name: str) -> Any:
    """Another person with a role at the office's organisation."""
    user = UserFactory(first_name=name)
    RoleFactory(user=user, organisation=office.organisation, role=role)
    return user


def register(office: Office, content: bytes, **fields: Any) -> Document:
    data = {
        "document_type": doc_type("CV"),
        "symbol": "12-CV/BTGTU",
        "issuer_name": "Ban Tuyên giáo Tỉnh ủy",
        "summary": "Về việc học tập nghị quyết chuyển đổi số",
        **fields,
    }
    return actions.register_incoming(
        data,
        organisation=office.organisation,
        uploads=[Upload("cong-van.pdf", content)],
        actor=act(office.clerk),
    )


def write_draft(office: Office, content: bytes, *, author: Any = None, **fields: Any) -> Document:
    data = {
        "document_type": doc_type("BC"),
        "summary": "Báo cáo kết quả thực hiện chuyển đổi số",
        "issuing_body": office.committee,
        "place": "Yên Phong",
        **fields,
    }
    replies_to = data.pop("replies_to", None)
    return actions.draft(
        data,
        organisation=office.organisation,
        uploads=[Upload("bao-cao.pdf", content)],
        actor=act(author or office.handler),
        replies_to=replies_to,
    )


def credential(identity_name: str = "signer") -> signing.Credential:
    identity = getattr(local_pki(), identity_name)
    return signing.load_credential(identity.pkcs12(), PASSPHRASE)


def approved(office: Office, content: bytes, **fields: Any) -> Document:
    document = write_draft(office, content, **fields)
    return actions.submit(document, [], actor=act(office.handler))


def signed(office: Office, content: bytes, **fields: Any) -> Document:
    document = approved(office, content, **fields)
    return actions.sign(document, credential(), actor=act(office.leader), title="Bí thư")


def issued(office: Office, content: bytes, **fields: Any) -> Document:
    return actions.issue(signed(office, content, **fields), actor=act(office.clerk))


def events(document: Document) -> list[str]:
    return list(document.events.order_by("id").values_list("kind", flat=True))


def audited(document: Document) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="documents.document", object_id=str(document.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def stored_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def state() -> dict[str, Any]:
    """Everything an action may write: rows, their changing fields, counters and files."""
    return {
        "documents": list(
            Document.objects.order_by("pk").values_list(
                "pk", "status", "number", "symbol", "register_number", "deadline", "updated_at"
            )
        ),
        "events": DocumentEvent.objects.count(),
        "attachments": list(Attachment.objects.order_by("pk").values_list("pk", "current")),
        "assignments": list(
            Assignment.objects.order_by("pk").values_list("pk", "role", "deadline", "done_at")
        ),
        "reviews": list(ReviewStep.objects.order_by("pk").values_list("pk", "decision")),
        "deliveries": list(Delivery.objects.order_by("pk").values_list("pk", "status")),
        "grants": Grant.objects.count(),
        "counters": list(Counter.objects.order_by("key").values_list("key", "last")),
        "audit": AuditEntry.objects.count(),
        "files": stored_files(),
    }


@contextmanager
def refused(match: str) -> Iterator[None]:
    """The action is refused with a message containing `match`, and nothing is written."""
    before = state()
    with pytest.raises(ValidationError) as error:
        yield
    assert match in " ".join(error.value.messages)
    assert state() == before


# --- incoming --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_register_incoming_takes_the_next_register_number(commune, pdf):
    first = register(commune, pdf, issuing_body=commune.committee)
    second = register(commune, pdf, summary="Về việc kiểm điểm cuối năm")

    assert (first.register_number, second.register_number) == (1, 2)
    assert first.register_period == str(timezone.localdate().year)
    assert first.status == DocumentStatus.REGISTERED
    assert first.direction == Direction.INCOMING
    assert first.received_on == timezone.localdate()
    assert first.registered_at is not None
    assert first.issuing_body is None  # an incoming document is not numbered by us
    assert first.symbol == "12-CV/BTGTU"
    assert events(first) == [EventKind.REGISTERED]
    assert first.events.get().data == {"register_number": 1}
    assert audited(first) == ["document.register"]
    attachment = first.attachments.get()
    assert (attachment.kind, attachment.content_type, attachment.current) == (
        AttachmentKind.MAIN, "application/pdf", True,
    )  # fmt: skip
    assert actions.read_file(attachment) == pdf
    assert "chuyen doi so" in Document.objects.get(pk=first.pk).search_text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"summary": "  "}, "summary"),
        ({"issuer_name": ""}, "who issued"),
        ({"document_type": None}, "type of document"),
        ({"classification": Classification.SECRET}, "cannot be stored here"),
    ],
)
@pytest.mark.django_db
def test_register_incoming_refusals_write_nothing(commune, pdf, fields, message):
    register(commune, pdf)  # the register's counter exists: a refusal must not move it
    with refused(message):
        register(commune, pdf, **fields)


@pytest.mark.django_db
def test_register_incoming_refuses_a_file_that_is_not_a_pdf(commune, pdf):
    before = state()
    with pytest.raises(ValidationError):
        actions.register_incoming(
            {"document_type": doc_type("CV"), "issuer_name": "Ban Tổ chức", "summary": "Về việc"},
            organisation=commune.organisation,
            uploads=[Upload("cong-van.pdf", b"<html>not a pdf</html>")],
            actor=act(commune.clerk),
        )
    assert state() == before


@pytest.fixture
def incoming(commune, pdf) -> Document:
    return register(commune, pdf)


@pytest.mark.django_db
def test_assign_names_one_lead_supporters_and_a_deadline(commune, incoming):
    supporter = person(commune, "organisation", "Phạm Văn Phối Hợp")
    reader = person(commune, "office", "Đỗ Thị Để Biết")
    deadline = timezone.localdate() + datetime.timedelta(days=10)

    document = actions.assign(
        incoming,
        [Handler(commune.handler, LEAD), Handler(supporter, SUPPORT), Handler(reader, INFORM)],
        deadline=deadline,
        actor=act(commune.leader),
        note="Đề nghị xử lý trước hạn",
    )

    assert document.status == DocumentStatus.ASSIGNED
    assert document.deadline == deadline
    assignments = {a.user_id: (a.role, a.deadline) for a in document.assignments.all()}
    assert assignments == {
        commune.handler.pk: (LEAD, deadline),
        supporter.pk: (SUPPORT, deadline),
        reader.pk: (INFORM, deadline),
    }
    assert events(document) == [EventKind.REGISTERED, EventKind.ASSIGNED]
    assert document.events.last().note == "Đề nghị xử lý trước hạn"
    assert audited(document) == ["document.register", "document.assign"]
    assert not Grant.objects.exists()  # unclassified: no grants needed


@pytest.mark.django_db
def test_assign_again_adds_handlers_and_keeps_one_lead(commune, incoming):
    second = person(commune, "organisation", "Phạm Văn Hai")
    actions.assign(
        incoming, [Handler(commune.handler, LEAD)], deadline=None, actor=act(commune.leader)
    )

    actions.assign(incoming, [Handler(second, SUPPORT)], deadline=None, actor=act(commune.leader))
    assert set(incoming.assignments.values_list("user_id", "role")) == {
        (commune.handler.pk, LEAD), (second.pk, SUPPORT),
    }  # fmt: skip

    with refused("exactly one lead"):  # two leads at once
        actions.assign(incoming, [Handler(second, LEAD)], deadline=None, actor=act(commune.leader))

    # Handing the lead over names both.
    actions.assign(
        incoming, [Handler(second, LEAD), Handler(commune.handler, SUPPORT)], deadline=None,
        actor=act(commune.leader),
    )  # fmt: skip
    assert set(incoming.assignments.values_list("user_id", "role")) == {
        (commune.handler.pk, SUPPORT), (second.pk, LEAD),
    }  # fmt: skip


@pytest.mark.parametrize(
    "case", ["no lead", "two leads", "same person twice", "out of scope", "past deadline",
             "past deadline of one handler", "closed"],
)  # fmt: skip
@pytest.mark.django_db
def test_assign_refusals_write_nothing(commune, commune_b, incoming, case):
    supporter = person(commune, "organisation", "Phạm Văn Phối Hợp")
    leader = act(commune.leader)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    handlers = [Handler(commune.handler, LEAD), Handler(supporter, SUPPORT)]
    deadline = None
    message = {
        "no lead": "exactly one lead",
        "two leads": "exactly one lead",
        "same person twice": "only once",
        "out of scope": "cannot read this organisation",
        "past deadline": "past",
        "past deadline of one handler": "past",
        "closed": "cannot be done",
    }[case]
    if case == "no lead":
        handlers = [Handler(supporter, SUPPORT)]
    elif case == "two leads":
        handlers = [Handler(commune.handler, LEAD), Handler(supporter, LEAD)]
    elif case == "same person twice":
        handlers = [Handler(commune.handler, LEAD), Handler(commune.handler, SUPPORT)]
    elif case == "out of scope":
        handlers = [Handler(commune.handler, LEAD), Handler(commune_b.handler, SUPPORT)]
    elif case == "past deadline":
        deadline = yesterday
    elif case == "past deadline of one handler":
        handlers = [Handler(commune.handler, LEAD), Handler(supporter, SUPPORT, yesterday)]
    elif case == "closed":
        actions.close(incoming, actor=leader, by_leader=True)
    with refused(message):
        actions.assign(incoming, handlers, deadline=deadline, actor=leader)


@pytest.fixture
def assigned(commune, incoming) -> tuple[Document, Any]:
    """The incoming document with the commune's handler as lead and one supporter."""
    supporter = person(commune, "organisation", "Phạm Văn Phối Hợp")
    document = actions.assign(
        incoming,
        [Handler(commune.handler, LEAD), Handler(supporter, SUPPORT)],
        deadline=timezone.localdate() + datetime.timedelta(days=7),
        actor=act(commune.leader),
    )
    return document, supporter


@pytest.mark.django_db
def test_handlers_record_progress_with_a_result_and_finish(commune, assigned, result_pdf):
    document, supporter = assigned

    actions.record_progress(
        document, note="Đã rà soát 120 hồ sơ", uploads=[Upload("ket-qua.pdf", result_pdf)],
        actor=act(commune.handler),
    )  # fmt: skip
    actions.record_progress(document, note="Phần phối hợp xong", actor=act(supporter), done=True)

    result = document.attachments.get(kind=AttachmentKind.RESULT)
    assert (result.name, result.uploaded_by_id) == ("ket-qua.pdf", commune.handler.pk)
    assert actions.read_file(result) == result_pdf
    assert "ra soat ho so dang vien" in Document.objects.get(pk=document.pk).search_text
    assert events(document)[-2:] == [EventKind.PROGRESS, EventKind.HANDLER_DONE]
    assert document.assignments.get(user=supporter).done_at is not None
    assert document.assignments.get(user=commune.handler).done_at is None
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.ASSIGNED


@pytest.mark.django_db
def test_progress_refusals_write_nothing(commune, assigned):
    document, _supporter = assigned
    with refused("not a handler"):
        actions.record_progress(document, note="Tôi cũng làm", actor=act(commune.clerk))
    with refused("Write what was done"):
        actions.record_progress(document, note="  ", actor=act(commune.handler))


@pytest.mark.django_db
def test_only_the_lead_handler_closes(commune, assigned):
    document, supporter = assigned
    with refused("Only the lead"):
        actions.close(document, actor=act(supporter))
    with refused("not a handler"):
        actions.close(document, actor=act(commune.clerk))

    closed = actions.close(document, note="Đã hoàn thành", actor=act(commune.handler))

    assert closed.status == DocumentStatus.CLOSED
    assert not closed.assignments.filter(done_at__isnull=True).exists()
    assert events(closed)[-1] == EventKind.CLOSED
    assert audited(closed)[-1] == "document.close"
    with refused("cannot be done"):
        actions.close(closed, actor=act(commune.handler))
    with refused("cannot be done"):
        actions.record_progress(closed, note="Muộn", actor=act(commune.handler))


@pytest.mark.django_db
def test_a_leader_closes_a_registered_document_without_assigning(commune, incoming):
    closed = actions.close(incoming, note="Lưu", actor=act(commune.leader), by_leader=True)
    assert closed.status == DocumentStatus.CLOSED


# --- outgoing --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_draft_takes_the_issuing_body_name_and_waits_unnumbered(commune, draft_pdf):
    document = write_draft(commune, draft_pdf)

    assert document.status == DocumentStatus.DRAFT
    assert document.direction == Direction.OUTGOING
    assert document.issuer_name == commune.committee.name
    assert (document.number, document.symbol, document.register_number) == (None, "", None)
    assert document.created_by_id == commune.handler.pk
    assert events(document) == [EventKind.DRAFTED]
    assert audited(document) == ["document.draft"]
    assert "bao cao ket qua" in Document.objects.get(pk=document.pk).search_text


@pytest.mark.django_db
def test_draft_refusals_write_nothing(commune, commune_b, incoming, draft_pdf):
    with refused("issuing body of this organisation"):
        write_draft(commune, draft_pdf, issuing_body=commune_b.committee)
    with refused("body that issues"):
        write_draft(commune, draft_pdf, issuing_body=None)
    with refused("summary"):
        write_draft(commune, draft_pdf, summary="")
    with refused("drafted by the organisation that received"):
        write_draft(commune_b, draft_pdf, replies_to=incoming)
    commune.committee.active = False
    commune.committee.save()
    with refused("in use"):
        write_draft(commune, draft_pdf)


@pytest.mark.django_db
def test_submit_without_reviewers_is_ready_to_sign(commune, draft_pdf):
    document = approved(commune, draft_pdf)
    assert document.status == DocumentStatus.APPROVED
    assert not document.reviews.exists()


@pytest.mark.django_db
def test_one_reviewer_approves(commune, draft_pdf):
    document = actions.submit(
        write_draft(commune, draft_pdf), [commune.leader], actor=act(commune.handler)
    )
    assert document.status == DocumentStatus.IN_REVIEW

    document = actions.review(document, approve=True, comment="Đồng ý", actor=act(commune.leader))

    assert document.status == DocumentStatus.APPROVED
    step = document.reviews.get()
    assert (step.decision, step.comment, step.round) == (ReviewDecision.APPROVED, "Đồng ý", 1)
    assert events(document) == [EventKind.DRAFTED, EventKind.SUBMITTED, EventKind.REVIEWED]


@pytest.mark.django_db
def test_two_reviewers_decide_in_order(commune, draft_pdf):
    deputy = person(commune, "leader", "Vũ Văn Phó Bí Thư")
    document = actions.submit(
        write_draft(commune, draft_pdf), [deputy, commune.leader], actor=act(commune.handler)
    )

    with refused("not your turn"):
        actions.review(document, approve=True, actor=act(commune.leader))

    document = actions.review(document, approve=True, actor=act(deputy))
    assert document.status == DocumentStatus.IN_REVIEW
    with refused("not your turn"):
        actions.review(document, approve=True, actor=act(deputy))

    document = actions.review(document, approve=True, actor=act(commune.leader))
    assert document.status == DocumentStatus.APPROVED
    assert list(document.reviews.values_list("position", "reviewer_id", "decision")) == [
        (1, deputy.pk, ReviewDecision.APPROVED), (2, commune.leader.pk, ReviewDecision.APPROVED),
    ]  # fmt: skip


@pytest.mark.django_db
def test_returned_draft_goes_back_and_a_resubmission_starts_a_new_round(commune, draft_pdf):
    deputy = person(commune, "leader", "Vũ Văn Phó Bí Thư")
    document = actions.submit(
        write_draft(commune, draft_pdf), [deputy, commune.leader], actor=act(commune.handler)
    )
    with refused("Say what must change"):
        actions.review(document, approve=False, comment=" ", actor=act(deputy))

    document = actions.review(
        document, approve=False, comment="Bổ sung số liệu quý IV", actor=act(deputy)
    )

    assert document.status == DocumentStatus.DRAFT
    # The second reviewer is not asked in this round.
    assert list(document.reviews.values_list("round", "reviewer_id", "decision")) == [
        (1, deputy.pk, ReviewDecision.RETURNED)
    ]
    assert document.events.last().note == "Bổ sung số liệu quý IV"
    assert inbox(commune.handler).returned_drafts == [document]
    assert inbox(commune.leader).to_review == []

    document = actions.edit_draft(
        document, {"summary": "Báo cáo kết quả chuyển đổi số (bổ sung quý IV)"},
        actor=act(commune.handler),
    )  # fmt: skip
    document = actions.submit(document, [deputy, commune.leader], actor=act(commune.handler))

    assert document.status == DocumentStatus.IN_REVIEW
    assert list(document.reviews.filter(round=2).values_list("position", "reviewer_id")) == [
        (1, deputy.pk), (2, commune.leader.pk),
    ]  # fmt: skip
    assert [s.reviewer_id for s in inbox(deputy).to_review] == [deputy.pk]
    assert inbox(commune.handler).returned_drafts == []
    actions.review(document, approve=True, actor=act(deputy))
    document = actions.review(document, approve=True, actor=act(commune.leader))
    assert document.status == DocumentStatus.APPROVED


@pytest.mark.django_db
def test_submit_refusals_write_nothing(commune, commune_b, draft_pdf):
    document = write_draft(commune, draft_pdf)
    with refused("only once"):
        actions.submit(document, [commune.leader, commune.leader], actor=act(commune.handler))
    with refused("cannot read this organisation"):
        actions.submit(document, [commune_b.leader], actor=act(commune.handler))
    bare = actions.draft(
        {"document_type": doc_type("TB"), "summary": "Thông báo", "issuing_body": commune.office},
        organisation=commune.organisation, actor=act(commune.handler),
    )  # fmt: skip
    with refused("Attach the draft"):
        actions.submit(bare, [], actor=act(commune.handler))
    actions.submit(document, [], actor=act(commune.handler))
    with refused("cannot be done"):
        actions.submit(document, [], actor=act(commune.handler))


@pytest.mark.django_db
def test_sign_replaces_the_main_file_with_a_validly_signed_pdf(commune, draft_pdf, trusted_ca):
    document = approved(commune, draft_pdf)
    original = actions.main_file(document)

    document = actions.sign(document, credential(), actor=act(commune.leader), title="Bí thư")

    assert document.status == DocumentStatus.SIGNED
    assert document.signer_id == commune.leader.pk
    assert document.signer_name == "Nguyễn Văn Đức"
    assert document.signer_title == "Bí thư"
    signed_file = actions.main_file(document)
    assert signed_file is not None and signed_file.pk != original.pk
    assert signed_file.supersedes_id == original.pk
    original.refresh_from_db()
    assert original.current is False
    assert actions.read_file(original) == draft_pdf  # the unsigned draft is kept
    content = actions.read_file(signed_file)
    assert content.startswith(draft_pdf[:8]) and len(content) > len(draft_pdf)
    report = signed_file.signature_report
    assert report["status"] == signing.VALID
    assert [s["signer_name"] for s in report["signatures"]] == ["Nguyễn Văn Đức"]
    assert events(document)[-1] == EventKind.SIGNED
    assert audited(document)[-1] == "document.sign"


@pytest.mark.django_db
def test_a_signature_from_an_untrusted_ca_is_reported_untrusted(commune, draft_pdf, untrusted):
    document = actions.sign(approved(commune, draft_pdf), credential(), actor=act(commune.leader))
    assert actions.main_file(document).signature_report["status"] == signing.UNTRUSTED


@pytest.mark.django_db
def test_sign_is_refused_before_approval(commune, draft_pdf):
    document = write_draft(commune, draft_pdf)
    with refused("cannot be done"):
        actions.sign(document, credential(), actor=act(commune.leader))


@pytest.mark.django_db
def test_issue_numbers_registers_and_seals(commune, draft_pdf, trusted_ca):
    document = signed(commune, draft_pdf)
    personal = actions.main_file(document)

    document = actions.issue(
        document, actor=act(commune.clerk), organisation_credential=credential("organisation")
    )

    assert document.status == DocumentStatus.ISSUED
    assert (document.number, document.symbol) == (1, "01-BC/ĐU")
    assert document.term == commune.term
    assert document.issued_on == timezone.localdate()
    assert (document.register_number, document.registered_at is not None) == (1, True)
    final = actions.main_file(document)
    assert final.supersedes_id == personal.pk
    assert Attachment.objects.filter(document=document, current=True).count() == 1
    report = signing.validate_pdf(actions.read_file(final))
    assert report.status == signing.VALID
    assert [s.signer_name for s in report.signatures] == [
        "Nguyễn Văn Đức", "Văn phòng Tỉnh ủy Bắc Ninh",
    ]  # fmt: skip
    assert final.signature_report["status"] == signing.VALID
    assert len(final.signature_report["signatures"]) == 2
    assert events(document)[-1] == EventKind.NUMBERED
    assert document.events.last().data == {"symbol": "01-BC/ĐU"}
    assert audited(document)[-1] == "document.issue"
    assert "01 bc du" in Document.objects.get(pk=document.pk).search_text


@pytest.mark.django_db
def test_issue_without_a_seal_numbers_in_the_types_series(commune, draft_pdf):
    first = issued(commune, draft_pdf)
    second = issued(commune, draft_pdf, document_type=doc_type("CV"))
    third = issued(commune, draft_pdf)
    assert [d.symbol for d in (first, second, third)] == ["01-BC/ĐU", "01-CV/ĐU", "02-BC/ĐU"]
    assert [d.register_number for d in (first, second, third)] == [1, 2, 3]


@pytest.mark.django_db
def test_issue_without_a_term_is_refused_and_takes_no_number(commune, draft_pdf):
    issued(commune, draft_pdf)
    document = signed(commune, draft_pdf)
    before_term = commune.term.starts_on - datetime.timedelta(days=1)
    with refused("no committee term"):
        actions.issue(document, actor=act(commune.clerk), day=before_term)
    assert actions.issue(document, actor=act(commune.clerk)).symbol == "02-BC/ĐU"


@pytest.mark.django_db
def test_issue_is_refused_unless_signed(commune, draft_pdf):
    document = approved(commune, draft_pdf)
    with refused("cannot be done"):
        actions.issue(document, actor=act(commune.clerk))


# --- interchange -----------------------------------------------------------------------------


@pytest.fixture
def sent(commune, province, commune_b, draft_pdf) -> Document:
    """An issued report of commune a, sent to the province and to commune b."""
    document = issued(commune, draft_pdf)
    return actions.send(
        document, [province.organisation, commune_b.organisation], actor=act(commune.clerk)
    )


def incoming_at(document: Document, organisation: Any) -> Document:
    return document.deliveries.get(recipient=organisation).incoming


@pytest.mark.django_db
def test_send_queues_one_pending_entry_per_recipient_sharing_the_files(
    commune, province, commune_b, draft_pdf
):
    document = issued(commune, draft_pdf)
    files_before = stored_files()

    document = actions.send(
        document, [province.organisation, commune_b.organisation], actor=act(commune.clerk)
    )

    assert document.status == DocumentStatus.SENT
    assert stored_files() == files_before  # nothing copied
    source = actions.main_file(document)
    deliveries = list(document.deliveries.select_related("incoming"))
    recipients = {province.organisation.pk, commune_b.organisation.pk}
    assert {d.recipient_id for d in deliveries} == recipients
    for delivery in deliveries:
        entry = delivery.incoming
        assert delivery.status == DeliveryStatus.SENT
        assert entry.organisation_id == delivery.recipient_id
        assert (entry.direction, entry.status) == (Direction.INCOMING, DocumentStatus.PENDING)
        assert (entry.symbol, entry.summary) == (document.symbol, document.summary)
        assert entry.issuer_name == commune.committee.name
        assert entry.register_number is None
        assert events(entry) == [EventKind.QUEUED]
        copy = entry.attachments.get()
        assert (copy.sha256, copy.storage_name) == (source.sha256, source.storage_name)
        assert actions.read_file(copy) == actions.read_file(source)
    assert events(document)[-1] == EventKind.SENT


@pytest.mark.django_db
def test_receive_registers_with_the_recipients_number(commune, province, sent, pdf):
    register(province, pdf)  # the province's register already holds one entry
    entry = incoming_at(sent, province.organisation)

    received = actions.receive(entry, actor=act(province.clerk))

    assert received.status == DocumentStatus.REGISTERED
    assert received.register_number == 2
    assert received.received_on == timezone.localdate()
    assert events(received) == [EventKind.QUEUED, EventKind.REGISTERED]
    delivery = sent.deliveries.get(recipient=province.organisation)
    assert delivery.status == DeliveryStatus.RECEIVED
    assert sent.events.filter(kind=EventKind.RECEIVED).get().data["recipient_id"] == (
        province.organisation.pk
    )
    assert audited(received) == ["document.receive"]
    with refused("cannot be done"):
        actions.receive(received, actor=act(province.clerk))


@pytest.mark.django_db
def test_recall_before_receipt_takes_the_entry_out_of_the_queue(commune, commune_b, sent):
    entry = incoming_at(sent, commune_b.organisation)
    assert inbox(commune_b.clerk).to_receive == [entry]

    actions.recall(sent, commune_b.organisation, actor=act(commune.clerk), reason="Gửi nhầm")

    entry.refresh_from_db()
    assert entry.status == DocumentStatus.RECALLED
    assert sent.deliveries.get(recipient=commune_b.organisation).status == DeliveryStatus.RECALLED
    assert inbox(commune_b.clerk).to_receive == []
    assert events(entry)[-1] == EventKind.RECALLED
    assert sent.events.last().kind == EventKind.RECALLED
    assert sent.events.last().note == "Gửi nhầm"
    with refused("cannot be done"):
        actions.receive(entry, actor=act(commune_b.clerk))

    # Sent again after the recall: a new entry, received normally.
    actions.send(sent, [commune_b.organisation], actor=act(commune.clerk))
    again = incoming_at(sent, commune_b.organisation)
    assert again.pk != entry.pk
    assert actions.receive(again, actor=act(commune_b.clerk)).register_number == 1


@pytest.mark.django_db
def test_recall_after_receipt_is_refused(commune, province, sent):
    actions.receive(incoming_at(sent, province.organisation), actor=act(province.clerk))
    with refused("already received"):
        actions.recall(sent, province.organisation, actor=act(commune.clerk))


@pytest.mark.django_db
def test_recall_from_an_organisation_never_sent_to_is_refused(commune, tree, sent):
    with refused("was not sent to"):
        actions.recall(sent, tree["central"], actor=act(commune.clerk))


@pytest.mark.django_db
def test_send_refusals_write_nothing(commune, province, commune_b, tree, sent, draft_pdf):
    clerk = act(commune.clerk)
    with refused("its own organisation"):
        actions.send(sent, [commune.organisation], actor=clerk)
    with refused("already sent"):
        actions.send(sent, [province.organisation], actor=clerk)
    central = tree["central"]
    with refused("already sent"):  # the same recipient twice in one sending
        actions.send(sent, [central, central], actor=clerk)
    with refused("at least one recipient"):
        actions.send(sent, [], actor=clerk)
    central.status = OrgStatus.DISSOLVED
    central.save()
    with refused("no longer active"):
        actions.send(sent, [central], actor=clerk)
    unissued = signed(commune, draft_pdf)
    with refused("cannot be done"):
        actions.send(unissued, [province.organisation], actor=clerk)


@pytest.mark.django_db
def test_return_to_sender_only_while_pending(commune, province, commune_b, sent):
    entry = incoming_at(sent, commune_b.organisation)
    with refused("why the document is returned"):
        actions.return_to_sender(entry, reason=" ", actor=act(commune_b.clerk))

    returned = actions.return_to_sender(
        entry, reason="Thiếu phụ lục kèm theo", actor=act(commune_b.clerk)
    )

    assert returned.status == DocumentStatus.RETURNED
    delivery = sent.deliveries.get(recipient=commune_b.organisation)
    assert delivery.status == DeliveryStatus.RETURNED
    assert sent.events.last().note == "Thiếu phụ lục kèm theo"
    assert inbox(commune_b.clerk).to_receive == []

    received = actions.receive(incoming_at(sent, province.organisation), actor=act(province.clerk))
    with refused("cannot be done"):
        actions.return_to_sender(received, reason="Muộn", actor=act(province.clerk))


@pytest.mark.django_db
def test_issuing_a_reply_answers_the_incoming_and_marks_its_delivery_handled(
    commune, province, draft_pdf
):
    # The province sends a guidance document to the commune, which receives and assigns it.
    guidance = issued(province, draft_pdf, document_type=doc_type("HD"), place="Bắc Ninh")
    actions.send(guidance, [commune.organisation], actor=act(province.clerk))
    entry = actions.receive(incoming_at(guidance, commune.organisation), actor=act(commune.clerk))
    actions.assign(
        entry, [Handler(commune.handler, LEAD)], deadline=None, actor=act(commune.leader)
    )

    reply = write_draft(commune, draft_pdf, replies_to=entry)
    reply = actions.submit(reply, [commune.leader], actor=act(commune.handler))
    reply = actions.review(reply, approve=True, actor=act(commune.leader))
    reply = actions.sign(reply, credential(), actor=act(commune.leader))
    assert Document.objects.get(pk=entry.pk).status == DocumentStatus.ASSIGNED
    reply = actions.issue(reply, actor=act(commune.clerk))

    entry.refresh_from_db()
    assert entry.status == DocumentStatus.ANSWERED
    assert not entry.assignments.filter(done_at__isnull=True).exists()
    answered = entry.events.get(kind=EventKind.ANSWERED)
    assert answered.data == {"symbol": reply.symbol, "answer_id": reply.pk}
    delivery = guidance.deliveries.get(recipient=commune.organisation)
    assert delivery.status == DeliveryStatus.HANDLED
    assert guidance.events.filter(kind=EventKind.HANDLED).exists()


@pytest.mark.django_db
def test_closing_a_received_document_marks_its_delivery_handled(commune, province, sent):
    entry = actions.receive(incoming_at(sent, province.organisation), actor=act(province.clerk))
    actions.close(entry, actor=act(province.leader), by_leader=True)
    assert sent.deliveries.get(recipient=province.organisation).status == DeliveryStatus.HANDLED


# --- classified documents --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_secret_document_is_refused_where_the_network_holds_only_unclassified(
    commune, pdf, media
):
    with refused("cannot be stored here"):
        register(commune, pdf, classification=Classification.SECRET)
    assert not Document.objects.exists()
    assert stored_files() == []
    with refused("cannot be stored here"):
        write_draft(commune, pdf, classification=Classification.SECRET)
    assert stored_files() == []


@pytest.mark.django_db
def test_a_secret_document_is_refused_without_an_encryption_key(commune, pdf, settings):
    settings.DANGSO_MAX_CLASSIFICATION = "mat"
    settings.DANGSO_FILE_KEY = ""
    with refused("no encryption key"):
        register(commune, pdf, classification=Classification.SECRET)
    assert stored_files() == []


@pytest.mark.django_db
def test_top_secret_is_refused_where_secret_is_the_maximum(commune, pdf, classified_allowed):
    with refused("cannot be stored here"):
        register(commune, pdf, classification=Classification.TOP_SECRET)


@pytest.mark.django_db
def test_a_secret_file_is_stored_encrypted(commune, pdf, media, classified_allowed):
    document = register(commune, pdf, classification=Classification.SECRET)

    attachment = document.attachments.get()
    assert attachment.encrypted is True
    on_disk = (media / attachment.storage_name).read_bytes()
    assert pdf[:64] not in on_disk and b"%PDF-" not in on_disk
    assert actions.read_file(attachment) == pdf


@pytest.mark.django_db
def test_a_secret_document_is_seen_only_by_those_granted(commune, pdf, classified_allowed):
    other_clerk = person(commune, "office", "Ngô Thị Văn Thư Hai")
    document = register(commune, pdf, classification=Classification.SECRET)

    def sees(user: Any) -> bool:
        return visible_documents(user).filter(pk=document.pk).exists()

    assert sees(commune.clerk)  # the clerk who registered it is granted
    assert sees(commune.leader)  # and the organisation's leaders, who assign its handling
    assert inbox(commune.leader).to_assign == [document]
    assert not sees(other_clerk)
    assert not sees(commune.handler)

    actions.grant(document, other_clerk, actor=act(commune.leader))
    assert sees(other_clerk)
    assert events(document)[-1] == EventKind.GRANTED

    actions.assign(
        document, [Handler(commune.handler, LEAD)], deadline=None, actor=act(commune.leader)
    )
    assert sees(commune.handler)


@pytest.mark.django_db
def test_grant_refusals(commune, commune_b, pdf, classified_allowed):
    plain = register(commune, pdf)
    with refused("need no grant"):
        actions.grant(plain, commune.leader, actor=act(commune.clerk))
    secret = register(commune, pdf, classification=Classification.SECRET)
    with refused("cannot read this organisation"):
        actions.grant(secret, commune_b.clerk, actor=act(commune.clerk))


@pytest.mark.django_db
def test_reviewers_of_a_secret_draft_are_granted_and_its_signed_file_stays_encrypted(
    commune, draft_pdf, classified_allowed, trusted_ca
):
    other_clerk = person(commune, "office", "Ngô Thị Văn Thư Hai")
    document = write_draft(commune, draft_pdf, classification=Classification.SECRET)
    document = actions.submit(document, [commune.leader], actor=act(commune.handler))

    assert set(Grant.objects.filter(document=document).values_list("user_id", flat=True)) == {
        commune.handler.pk, commune.leader.pk,
    }  # fmt: skip
    assert [s.document_id for s in inbox(commune.leader).to_review] == [document.pk]
    assert not visible_documents(other_clerk).filter(pk=document.pk).exists()

    document = actions.review(document, approve=True, actor=act(commune.leader))
    document = actions.sign(document, credential(), actor=act(commune.leader))
    signed_file = actions.main_file(document)
    assert signed_file.encrypted is True
    assert signed_file.signature_report["status"] == signing.VALID
    number = actions.issue(document, actor=act(commune.clerk)).symbol
    assert number == "01-BC/ĐU"  # classified documents share the series of their type


@pytest.mark.django_db
def test_reading_is_audited_for_classified_documents_only(commune, pdf, classified_allowed):
    plain = register(commune, pdf)
    secret = register(commune, pdf, classification=Classification.SECRET)

    actions.record_read(plain, act(commune.handler))
    actions.record_read(secret, act(commune.clerk))

    assert audited(plain) == ["document.register"]
    assert audited(secret) == ["document.register", "document.read"]
    read = AuditEntry.objects.get(action="document.read")
    assert (read.actor_id, read.org_path) == (commune.clerk.pk, commune.organisation.path)


@pytest.mark.django_db
def test_a_failed_issue_gives_its_number_back(commune, draft_pdf, classified_allowed, settings):
    """The number is taken, then sealing fails (the file key is gone): no number is lost."""
    document = signed(commune, draft_pdf, classification=Classification.SECRET)
    settings.DANGSO_FILE_KEY = ""
    with refused("no encryption key"):
        actions.issue(
            document, actor=act(commune.clerk), organisation_credential=credential("organisation")
        )
    settings.DANGSO_FILE_KEY = KEY
    issued_now = actions.issue(
        document, actor=act(commune.clerk), organisation_credential=credential("organisation")
    )
    assert (issued_now.symbol, issued_now.register_number) == ("01-BC/ĐU", 1)


# --- more of the outgoing workflow -----------------------------------------------------------


@pytest.mark.django_db
def test_congress_documents_are_issued_in_the_congress_series(commune, draft_pdf):
    from dangso.documents.models import Congress

    congress = Congress.objects.create(
        organisation=commune.organisation, name="Đại hội Đảng bộ xã lần thứ I",
        opens_on=timezone.localdate() - datetime.timedelta(days=1),
        closes_on=timezone.localdate() + datetime.timedelta(days=1),
    )  # fmt: skip
    resolution = issued(commune, draft_pdf, document_type=doc_type("NQ"), congress=congress)
    minutes = issued(commune, draft_pdf, document_type=doc_type("BB"), congress=congress)
    assert (resolution.symbol, minutes.symbol) == ("01-NQ/ĐH", "02-BB/ĐH")
    assert resolution.term is None


@pytest.mark.django_db
def test_draft_refuses_a_congress_of_another_organisation(commune, commune_b, draft_pdf):
    from dangso.documents.models import Congress

    congress = Congress.objects.create(
        organisation=commune_b.organisation, name="Đại hội", opens_on=datetime.date(2030, 9, 1),
        closes_on=datetime.date(2030, 9, 3),
    )  # fmt: skip
    with refused("congress of this organisation"):
        write_draft(commune, draft_pdf, congress=congress)


@pytest.mark.django_db
def test_edit_draft_only_while_a_draft(commune, draft_pdf):
    document = write_draft(commune, draft_pdf)
    edited = actions.edit_draft(
        document, {"summary": "Báo cáo   sơ kết\tquý I", "urgency": "khan"},
        actor=act(commune.handler),
    )  # fmt: skip
    assert (edited.summary, edited.urgency) == ("Báo cáo sơ kết quý I", "khan")
    assert events(edited)[-1] == EventKind.EDITED
    with refused("summary"):
        actions.edit_draft(edited, {"summary": ""}, actor=act(commune.handler))
    actions.submit(edited, [commune.leader], actor=act(commune.handler))
    with refused("cannot be done"):
        actions.edit_draft(edited, {"summary": "Đổi khi đang duyệt"}, actor=act(commune.handler))


@pytest.mark.django_db
def test_an_uploaded_signed_pdf_keeps_its_report_and_recipients_get_it(
    commune, province, draft_pdf, pdf, trusted_ca
):
    already_signed = signing.sign_pdf(
        pdf, credential(), field_name="BiThu", stamp_lines=["Ký bởi: Nguyễn Văn Đức"]
    ).content
    document = register(province, already_signed)
    assert document.attachments.get().signature_report["status"] == signing.VALID
    assert register(province, pdf).attachments.get().signature_report is None  # unsigned

    report = issued(commune, draft_pdf)
    actions.send(report, [province.organisation], actor=act(commune.clerk))
    copy = incoming_at(report, province.organisation).attachments.get()
    assert copy.signature_report == actions.main_file(report).signature_report
    assert copy.signature_report["status"] == signing.VALID


def test_a_secret_document_sent_inside_the_system_reaches_the_recipients_clerks_only(
    commune, province, draft_pdf, classified_allowed
):
    document = issued(commune, draft_pdf, classification="mat")
    actions.send(document, [province.organisation], actor=act(commune.clerk))
    entry = document.deliveries.get().incoming
    assert entry.is_classified
    assert entry in inbox(province.clerk).to_receive
    assert not visible_documents(province.leader).filter(pk=entry.pk).exists()
    received = actions.receive(entry, actor=act(province.clerk))
    assert received.register_number == 1
    assert visible_documents(province.clerk).filter(pk=entry.pk).exists()


def test_the_leaders_see_a_secret_document_their_clerk_registers(commune, pdf, classified_allowed):
    document = register(commune, pdf, classification="mat")
    assert document in inbox(commune.leader).to_assign
    assert not visible_documents(commune.handler).filter(pk=document.pk).exists()
