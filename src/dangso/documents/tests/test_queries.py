"""The read side: who sees which documents, the registers and their filters, full-text search
(diacritics ignored on both databases) and each person's inbox."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from dangso.core import signing
from dangso.core.audit import Actor
from dangso.core.classification import Classification
from dangso.core.files import Upload
from dangso.core.pki import PASSPHRASE, local_pki
from dangso.documents import actions
from dangso.documents.actions import Handler
from dangso.documents.choices import Direction, DocumentStatus, HandlingRole
from dangso.documents.models import Document
from dangso.documents.queries import (
    RegisterFilters,
    inbox,
    matching,
    register_page,
    search_words,
    visible_documents,
)
from dangso.testing.documents import Office, doc_type, pdf_bytes
from dangso.testing.factories import RoleFactory, UserFactory

KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DANGSO_MAX_CLASSIFICATION = "mat"
    settings.DANGSO_FILE_KEY = KEY
    settings.DANGSO_TSA_URL = ""
    settings.DANGSO_TRUST_ANCHORS_DIR = str(tmp_path)
    return tmp_path / "media"


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return pdf_bytes("Kế hoạch tổ chức hội nghị sơ kết công tác kiểm tra giám sát")


def act(user: Any) -> Actor:
    return Actor.for_user(user)


def register(office: Office, summary: str, *, files: tuple[bytes, ...] = (), **fields) -> Document:
    data = {
        "document_type": doc_type("CV"),
        "symbol": "15-CV/BTCTU",
        "issuer_name": "Ban Tổ chức Tỉnh ủy",
        "summary": summary,
        **fields,
    }
    return actions.register_incoming(
        data,
        organisation=office.organisation,
        uploads=[Upload("van-ban.pdf", content) for content in files],
        actor=act(office.clerk),
    )


def found(user: Any, **filters: Any) -> list[Document]:
    return list(register_page(user, RegisterFilters(**filters)))


# --- scope -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_office_sees_its_own_subtree(tree, province, commune, commune_b):
    in_a = register(commune, "Về việc kết nạp đảng viên mới")
    in_b = register(commune_b, "Về việc chuyển sinh hoạt đảng")
    at_province = register(province, "Về việc tổng kết năm")
    cell_secretary = UserFactory(first_name="Bí thư chi bộ")
    RoleFactory(user=cell_secretary, organisation=tree["a1"], role="cell_secretary")

    assert found(commune_b.clerk) == [in_b]
    assert found(commune.handler) == [in_a]
    assert set(found(province.clerk)) == {in_a, in_b, at_province}
    assert found(cell_secretary) == []  # a cell does not read its commune's register
    assert found(UserFactory()) == []  # no role, nothing


@pytest.mark.django_db
def test_register_page_needs_the_capability_asked_for(commune):
    document = register(commune, "Về việc học tập nghị quyết")
    assert list(visible_documents(commune.handler, "document.register")) == []
    assert list(visible_documents(commune.clerk, "document.register")) == [document]


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("chuyen doi so", {"digital"}),
        ("Chuyển đổi số", {"digital"}),
        ("CHUYỂN ĐỔI", {"digital"}),
        ("dang vien", {"members"}),
        ("Đảng viên", {"members"}),
        ("DANG VIEN moi", {"members"}),
        ("kiem tra giam sat", {"with_file"}),  # only in the attached PDF
        ("hoi nghi so ket", {"with_file"}),
        ("ban to chuc", {"digital", "members", "with_file"}),  # the issuer
        ("15-CV/BTCTU", {"digital", "members", "with_file"}),  # the number and symbol
        ("chuyen doi so dang vien", set()),  # every word must match
        ("chuyen doi so xyzzy", set()),
        ("", {"digital", "members", "with_file"}),
        ("  ,;  ", {"digital", "members", "with_file"}),
    ],
)
@pytest.mark.django_db
def test_search_ignores_diacritics_and_needs_every_word(commune, pdf, query, expected):
    made = {
        "digital": register(commune, "Về việc đẩy mạnh Chuyển đổi số trong cơ quan Đảng"),
        "members": register(commune, "Về việc kết nạp Đảng viên mới năm 2026"),
        "with_file": register(commune, "Về việc gửi tài liệu", files=(pdf,)),
    }
    names = {pk: name for name, pk in ((n, d.pk) for n, d in made.items())}
    assert {names[d.pk] for d in found(commune.clerk, query=query)} == expected


@pytest.mark.django_db
def test_search_finds_an_issued_number_and_a_result_file(commune, pdf):
    document = register(commune, "Về việc rà soát hồ sơ")
    actions.assign(
        document, [Handler(commune.handler, HandlingRole.LEAD)], deadline=None,
        actor=act(commune.leader),
    )  # fmt: skip
    actions.record_progress(
        document, note="Có kết quả", uploads=[Upload("ket-qua.pdf", pdf)],
        actor=act(commune.handler),
    )  # fmt: skip
    assert found(commune.clerk, query="giam sat") == [document]

    draft = actions.draft(
        {"document_type": doc_type("KH"), "summary": "Kế hoạch", "issuing_body": commune.office},
        organisation=commune.organisation, uploads=[Upload("kh.pdf", pdf)],
        actor=act(commune.handler),
    )  # fmt: skip
    draft = actions.submit(draft, [], actor=act(commune.leader))
    credential = signing.load_credential(local_pki().signer.pkcs12(), PASSPHRASE)
    draft = actions.sign(draft, credential, actor=act(commune.leader))
    issued = actions.issue(draft, actor=act(commune.clerk))
    assert issued.symbol == "01-KH/VPĐU"
    assert found(commune.clerk, query="01-KH/VPĐU") == [issued]
    assert found(commune.clerk, query="01 kh vpdu") == [issued]


@pytest.mark.django_db
def test_search_stays_inside_the_users_scope(commune, commune_b):
    register(commune, "Về việc chuyển đổi số")
    mine = register(commune_b, "Về việc chuyển đổi số")
    assert found(commune_b.clerk, query="chuyen doi so") == [mine]


@pytest.mark.django_db
def test_matching_applies_to_any_queryset_and_search_words_are_bounded(commune):
    document = register(commune, "Về việc chuyển đổi số")
    assert list(matching(Document.objects.all(), "Chuyển đổi")) == [document]
    assert search_words("Đảng viên, đảng-bộ!") == ["dang", "vien", "dang", "bo"]
    assert len(search_words(" ".join(f"tu{n}" for n in range(20)))) == 8


# --- register filters ------------------------------------------------------------------------


@pytest.fixture
def register_book(commune, commune_b, tree) -> dict[str, Document]:
    """Commune a's register with documents that differ in one thing each."""
    day = datetime.date
    books = {
        "march": register(commune, "Về việc tháng ba", issued_on=day(2026, 3, 5)),
        "april_report": register(
            commune,
            "Báo cáo tháng tư",
            document_type=doc_type("BC"),
            issued_on=day(2026, 4, 9),
            issuer_name="Văn phòng Tỉnh ủy",
        ),
        "secret": register(
            commune,
            "Về việc nhân sự",
            classification=Classification.SECRET,
            issued_on=day(2026, 4, 20),
        ),
        "assigned": register(commune, "Về việc phải xử lý", issued_on=day(2026, 5, 1)),
    }
    actions.assign(
        books["assigned"], [Handler(commune.handler, HandlingRole.LEAD)],
        deadline=timezone.localdate() + datetime.timedelta(days=3), actor=act(commune.leader),
    )  # fmt: skip
    register(commune_b, "Của xã khác", issued_on=day(2026, 3, 5))
    return books


@pytest.mark.django_db
def test_register_page_filters(commune, register_book):
    books, clerk = register_book, commune.clerk
    names = {d.pk: n for n, d in books.items()}

    def names_of(**filters: Any) -> list[str]:
        return [names[d.pk] for d in found(clerk, organisation=commune.organisation, **filters)]

    assert names_of() == ["assigned", "secret", "april_report", "march"]  # newest entry first
    assert names_of(direction=Direction.INCOMING) == names_of()
    assert names_of(direction=Direction.OUTGOING) == []
    assert names_of(status=DocumentStatus.ASSIGNED) == ["assigned"]
    assert names_of(document_type=doc_type("BC").pk) == ["april_report"]
    assert names_of(date_from=datetime.date(2026, 4, 1), date_to=datetime.date(2026, 4, 30)) == [
        "secret", "april_report",
    ]  # fmt: skip
    assert names_of(date_to=datetime.date(2026, 3, 31)) == ["march"]
    assert names_of(issuer="văn phòng") == ["april_report"]
    assert names_of(classification=Classification.SECRET) == ["secret"]
    assert names_of(classification=Classification.UNCLASSIFIED) == [
        "assigned", "april_report", "march",
    ]  # fmt: skip
    assert names_of(status=DocumentStatus.REGISTERED, query="thang") == ["april_report", "march"]


@pytest.mark.django_db
def test_overdue_filter_lists_open_documents_past_their_deadline(commune, register_book):
    late = register_book["assigned"]
    assert found(commune.clerk, overdue=True) == []
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Document.objects.filter(pk=late.pk).update(deadline=yesterday)
    Document.objects.filter(pk=register_book["march"].pk).update(
        deadline=yesterday, status=DocumentStatus.CLOSED
    )
    assert found(commune.clerk, overdue=True) == [late]
    assert Document.objects.get(pk=late.pk).is_overdue


@pytest.mark.django_db
def test_a_classified_entry_is_listed_only_for_those_granted(commune, register_book):
    other_clerk = UserFactory(first_name="Văn thư hai")
    RoleFactory(user=other_clerk, organisation=commune.organisation, role="office")
    secret = register_book["secret"]
    assert secret in found(commune.clerk)
    assert secret not in found(other_clerk)
    assert secret not in found(other_clerk, classification=Classification.SECRET)
    assert len(found(other_clerk)) == len(found(commune.clerk)) - 1


@pytest.mark.django_db
def test_register_page_query_count_does_not_grow_with_rows(
    commune, register_book, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        rows = [(d.document_type.abbreviation, d.organisation.name) for d in found(commune.clerk)]
    assert len(rows) == 4


# --- inbox -----------------------------------------------------------------------------------


def credential() -> signing.Credential:
    return signing.load_credential(local_pki().signer.pkcs12(), PASSPHRASE)


def draft(office: Office, pdf: bytes, summary: str) -> Document:
    return actions.draft(
        {"document_type": doc_type("TB"), "summary": summary, "issuing_body": office.committee},
        organisation=office.organisation, uploads=[Upload("tb.pdf", pdf)],
        actor=act(office.handler),
    )  # fmt: skip


@pytest.mark.django_db
def test_inbox_lists_what_waits_for_each_role(commune, commune_b, province, pdf):
    deputy = UserFactory(first_name="Phó Bí thư")
    RoleFactory(user=deputy, organisation=commune.organisation, role="leader")
    registered = register(commune, "Chờ giao xử lý")
    to_handle = register(commune, "Đang xử lý")
    actions.assign(
        to_handle, [Handler(commune.handler, HandlingRole.LEAD)],
        deadline=timezone.localdate() + datetime.timedelta(days=2), actor=act(commune.leader),
    )  # fmt: skip
    in_review = actions.submit(
        draft(commune, pdf, "Chờ duyệt"), [deputy, commune.leader], actor=act(commune.handler)
    )
    returned = actions.submit(
        draft(commune, pdf, "Bị trả lại"), [commune.leader], actor=act(commune.handler)
    )
    returned = actions.review(returned, approve=False, comment="Sửa lại", actor=act(commune.leader))
    to_sign = actions.submit(draft(commune, pdf, "Chờ ký"), [], actor=act(commune.handler))
    to_number = actions.sign(
        actions.submit(draft(commune, pdf, "Chờ cấp số"), [], actor=act(commune.handler)),
        credential(), actor=act(commune.leader),
    )  # fmt: skip
    # The province sends one document to the commune: it waits for the commune's clerk.
    from_province = actions.issue(
        actions.sign(
            actions.submit(draft(province, pdf, "Gửi xã"), [], actor=act(province.handler)),
            credential(), actor=act(province.leader),
        ),
        actor=act(province.clerk),
    )  # fmt: skip
    actions.send(from_province, [commune.organisation], actor=act(province.clerk))
    pending = from_province.deliveries.get().incoming
    register(commune_b, "Của xã khác")  # out of everyone's scope here but commune b's

    handler = inbox(commune.handler)
    assert [a.document_id for a in handler.to_handle] == [to_handle.pk]
    assert handler.returned_drafts == [returned]
    assert (handler.to_review, handler.to_assign, handler.to_sign, handler.to_receive) == (
        [], [], [], [],
    )  # fmt: skip

    # Only the first reviewer's turn has come.
    assert [s.document_id for s in inbox(deputy).to_review] == [in_review.pk]
    leader = inbox(commune.leader)
    assert leader.to_review == []
    assert leader.to_assign == [registered]
    assert leader.to_sign == [to_sign]
    assert leader.to_issue == [] and leader.to_receive == []

    clerk = inbox(commune.clerk)
    assert clerk.to_receive == [pending]
    assert clerk.to_issue == [to_number]
    assert clerk.to_assign == [] and clerk.to_sign == [] and clerk.to_handle == []
    assert clerk.total == 2

    actions.review(in_review, approve=True, actor=act(deputy))
    assert inbox(deputy).to_review == []
    assert [s.document_id for s in inbox(commune.leader).to_review] == [in_review.pk]

    # What waits in commune a waits for nobody in commune b.
    other = inbox(commune_b.leader)
    assert [d.summary for d in other.to_assign] == ["Của xã khác"]


@pytest.mark.django_db
def test_inbox_drops_finished_work_and_counts_overdue(commune):
    document = register(commune, "Có hạn xử lý")
    actions.assign(
        document, [Handler(commune.handler, HandlingRole.LEAD)],
        deadline=timezone.localdate() + datetime.timedelta(days=1), actor=act(commune.leader),
    )  # fmt: skip
    assert inbox(commune.handler).overdue == 0
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    document.assignments.update(deadline=yesterday)
    assert inbox(commune.handler).overdue == 1

    late_registered = register(commune, "Chưa giao, đã quá hạn")
    Document.objects.filter(pk=late_registered.pk).update(deadline=yesterday)
    assert inbox(commune.leader).overdue == 1

    actions.record_progress(document, note="Xong", actor=act(commune.handler), done=True)
    assert inbox(commune.handler).to_handle == []


@pytest.mark.django_db
def test_inbox_query_count_is_bounded(commune, pdf, django_assert_max_num_queries):
    for n in range(3):
        document = register(commune, f"Văn bản {n}")
        actions.assign(
            document, [Handler(commune.leader, HandlingRole.LEAD)], deadline=None,
            actor=act(commune.leader),
        )  # fmt: skip
        register(commune, f"Chờ giao {n}")
    with django_assert_max_num_queries(8):
        box = inbox(commune.leader)
        labels = [a.document.document_type.abbreviation for a in box.to_handle]
        labels += [d.organisation.name for d in box.to_assign]
    assert len(labels) == 6


@pytest.mark.parametrize("window", [2, 20_000])
def test_register_window_pages_through_the_newest_matches(commune, monkeypatch, window):
    """Searching the newest documents first (PostgreSQL) gives the same page as gathering
    every match, whether the recent window holds enough matches or not."""
    from dangso.documents import queries

    monkeypatch.setattr(queries, "RECENT_WINDOW", window)
    documents = [
        register(commune, f"Về việc chuyển đổi số đợt {n}" if n % 2 else f"Về việc khác {n}")
        for n in range(1, 9)
    ]
    newest_first = [d for d in reversed(documents) if "chuyển đổi" in d.summary]
    filters = queries.RegisterFilters(direction=Direction.INCOMING, query="chuyen doi so")
    assert queries.register_window(commune.clerk, filters, 0, 2) == newest_first[:2]
    assert queries.register_window(commune.clerk, filters, 2, 10) == newest_first[2:]
    assert queries.register_window(commune.clerk, filters, 0, 10) == list(
        queries.register_page(commune.clerk, filters)
    )
