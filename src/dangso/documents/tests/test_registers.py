"""Registers (sổ đăng ký văn bản đến / đi) exported to .xlsx and printed as PDF.

Headers are compared with the module's own (translated) labels, so the tests hold whatever the
catalogue says; the printed titles are Vietnamese in every language.
"""

import base64
import datetime
import io
import unicodedata

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from dangso.core.audit import Actor
from dangso.core.classification import Classification
from dangso.core.files import Upload
from dangso.documents import actions, registers
from dangso.documents.actions import Handler
from dangso.documents.choices import Direction, DocumentStatus, HandlingRole, Urgency
from dangso.documents.models import Document
from dangso.documents.queries import RegisterFilters, register_page
from dangso.testing.documents import doc_type, make_office, pdf_bytes

pytestmark = pytest.mark.django_db

SUMMARY = "Về việc tổ chức học tập, quán triệt Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV"
SYMBOL = "125-CV/BTGDVTU"
ISSUER = "Ban Tuyên giáo và Dân vận Tỉnh ủy"
FORMULA = '=HYPERLINK("http://example.invalid","Bấm vào đây")'
SECRET_SUMMARY = "Phương án nhân sự chưa công khai"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.DANGSO_MAX_CLASSIFICATION = "tuyet_mat"
    settings.DANGSO_REGISTER_RESET = "year"
    settings.DANGSO_FILE_KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture
def office(tree):
    return make_office(tree["a"])


def register(office, summary=SUMMARY, **data):
    values = {
        "document_type": doc_type("CV"),
        "symbol": SYMBOL,
        "issuer_name": ISSUER,
        "issued_on": datetime.date(2026, 3, 2),
        "summary": summary,
        **data,
    }
    return actions.register_incoming(
        values, organisation=office.organisation, actor=Actor.for_user(office.clerk)
    )


def issued(office, summary="Báo cáo kết quả học tập Nghị quyết", **data):
    """An outgoing document taken through draft, review and numbering; the signature itself is
    tested in test_signing, so the draft is marked signed directly."""
    values = {
        "document_type": doc_type("BC"),
        "issuing_body": office.committee,
        "place": "Yên Phong",
        "summary": summary,
        "signer_name": "Nguyễn Văn Lãnh Đạo",
        "recipients": "- Ban Thường vụ Tỉnh ủy,\n- Lưu Văn phòng.",
        **data,
    }
    clerk = Actor.for_user(office.clerk)
    document = actions.draft(
        values,
        organisation=office.organisation,
        uploads=[Upload("bao-cao.pdf", pdf_bytes("Báo cáo"))],
        actor=Actor.for_user(office.handler),
    )
    document = actions.submit(document, [], actor=Actor.for_user(office.handler))
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.SIGNED)
    return actions.issue(document, actor=clerk, day=datetime.date(2026, 3, 5))


def entries(office, direction, user=None):
    filters = RegisterFilters(direction=direction, organisation=office.organisation)
    return registers.for_export(register_page(user or office.clerk, filters))


def workbook_rows(office, direction, documents=None):
    out = io.BytesIO()
    count = registers.write_register_xlsx(
        entries(office, direction) if documents is None else documents,
        direction,
        out,
        organisation=office.organisation,
        filters_label="Từ 01/03/2026 đến 31/03/2026",
    )
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    return count, sheet


def pdf_text(content: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (table cells wrap their lines)."""
    reader = PdfReader(io.BytesIO(content))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def test_incoming_xlsx_headers_and_values(office):
    document = register(office, urgency=Urgency.URGENT)
    actions.assign(
        document,
        [Handler(office.handler, HandlingRole.LEAD)],
        deadline=None,
        actor=Actor.for_user(office.leader),
    )
    # assign() with a deadline cannot yet write its event (a date in a JSONField): set it here.
    Document.objects.filter(pk=document.pk).update(deadline=datetime.date(2099, 12, 31))
    document.refresh_from_db()

    count, sheet = workbook_rows(office, Direction.INCOMING)

    assert count == 1
    assert sheet["A1"].value == f"SỔ ĐĂNG KÝ VĂN BẢN ĐẾN — {office.organisation.name}"
    assert sheet["A2"].value.startswith("Từ 01/03/2026 đến 31/03/2026")
    header = [cell.value for cell in sheet[registers.HEADER_ROW]]
    assert header == [str(column.header) for column in registers.INCOMING_COLUMNS]
    row = sheet[registers.HEADER_ROW + 1]
    assert [cell.value for cell in row] == [
        1,
        datetime.datetime.combine(timezone.localdate(), datetime.time()),
        SYMBOL,
        datetime.datetime(2026, 3, 2),
        ISSUER,
        SUMMARY,
        None,  # không mật: left blank
        str(Urgency.URGENT.label),
        "Lê Thị Chuyên Viên",
        datetime.datetime(2099, 12, 31),
        document.get_status_display(),
    ]
    assert row[1].number_format == "DD/MM/YYYY"
    assert row[3].number_format == "DD/MM/YYYY"


def test_outgoing_xlsx_headers_and_values(office):
    document = issued(office, classification=Classification.SECRET)
    # A Mật document is listed for those granted it: here its drafter.
    count, sheet = workbook_rows(
        office, Direction.OUTGOING, entries(office, Direction.OUTGOING, office.handler)
    )

    assert count == 1
    assert sheet["A1"].value.startswith("SỔ ĐĂNG KÝ VĂN BẢN ĐI")
    header = [cell.value for cell in sheet[registers.HEADER_ROW]]
    assert header == [str(column.header) for column in registers.OUTGOING_COLUMNS]
    values = [cell.value for cell in sheet[registers.HEADER_ROW + 1]]
    assert values == [
        1,
        "01-BC/ĐU",
        datetime.datetime(2026, 3, 5),
        "Báo cáo",
        "Báo cáo kết quả học tập Nghị quyết",
        "Nguyễn Văn Lãnh Đạo",
        "- Ban Thường vụ Tỉnh ủy,\n- Lưu Văn phòng.",  # as typed: a text cell, quote-prefixed
        str(Classification.SECRET.label),
        None,
        document.get_status_display(),
    ]


def test_summary_that_looks_like_a_formula_is_exported_as_text(office):
    register(office, summary=FORMULA)

    _count, sheet = workbook_rows(office, Direction.INCOMING)

    cell = sheet.cell(registers.HEADER_ROW + 1, 6)
    assert cell.data_type == "s"
    assert cell.value == FORMULA and cell.quotePrefix


def test_most_secret_summary_is_not_written(office):
    register(office, summary=SECRET_SUMMARY, classification=Classification.MOST_SECRET)
    register(office, summary="Kế hoạch kiểm tra", classification=Classification.TOP_SECRET)
    everything = list(entries(office, Direction.INCOMING))  # the clerk holds the grants

    _count, sheet = workbook_rows(office, Direction.INCOMING, everything)
    pdf = registers.register_pdf(
        everything, Direction.INCOMING, organisation=office.organisation, filters_label=""
    )

    summaries = [row[5].value for row in sheet.iter_rows(min_row=registers.HEADER_ROW + 1)]
    assert summaries == [str(registers.HIDDEN_SUMMARY), "Kế hoạch kiểm tra"]
    text = " ".join(pdf_text(pdf))
    assert SECRET_SUMMARY not in text
    assert str(registers.HIDDEN_SUMMARY) in text


def test_for_export_keeps_register_entries_in_order_in_one_query(
    office, tree, django_assert_num_queries
):
    first = register(office, summary="Văn bản thứ nhất")
    second = register(office, summary="Văn bản thứ hai")
    # A draft has no outgoing number yet: it is not in the register.
    actions.draft(
        {"document_type": doc_type("BC"), "issuing_body": office.committee, "summary": "Dự thảo"},
        organisation=office.organisation,
        actor=Actor.for_user(office.handler),
    )
    actions.assign(
        second,
        [Handler(office.handler, HandlingRole.LEAD), Handler(office.leader, HandlingRole.INFORM)],
        deadline=None,
        actor=Actor.for_user(office.leader),
    )
    queryset = registers.for_export(Document.objects.filter(organisation=office.organisation))

    with django_assert_num_queries(1):
        listed = list(queryset)
        handlers = [registers._lead_handler(document) for document in listed]
        types = [document.document_type.name for document in listed]

    assert listed == [first, second]
    assert handlers == ["", "Lê Thị Chuyên Viên"]
    assert types == ["Công văn", "Công văn"]


def test_register_pdf_has_title_symbol_and_summary(office):
    # An NFD summary (as pasted from some macOS programs) prints as NFC text.
    register(office, summary=unicodedata.normalize("NFD", SUMMARY))
    Document.objects.filter(organisation=office.organisation).update(
        summary=unicodedata.normalize("NFD", SUMMARY)
    )

    pdf = registers.register_pdf(
        entries(office, Direction.INCOMING),
        Direction.INCOMING,
        organisation=office.organisation,
        filters_label="Trạng thái: Đã vào sổ",
    )

    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # A4 landscape
    text = pdf_text(pdf)[0]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    assert "Trạng thái: Đã vào sổ" in text
    assert SYMBOL in text
    assert SUMMARY in text
    assert unicodedata.is_normalized("NFC", text)


def _in_memory(count: int) -> list[Document]:
    """Unsaved register entries: the layout needs no database rows."""
    kind = doc_type("CV")
    return [
        Document(
            direction=Direction.INCOMING,
            status=DocumentStatus.REGISTERED,
            document_type=kind,
            register_number=number,
            symbol=f"{number}-CV/VPTU",
            issuer_name=ISSUER,
            summary=f"Về việc thứ {number}",
            received_on=datetime.date(2026, 3, 2),
        )
        for number in range(1, count + 1)
    ]


def _with_handler(documents: list[Document]) -> list[Document]:
    for document in documents:
        document.lead_handler_name = ""  # type: ignore[attr-defined]
    return documents


def test_register_pdf_repeats_the_header_row_and_numbers_pages(office):
    pdf = registers.register_pdf(
        _with_handler(_in_memory(120)),
        Direction.INCOMING,
        organisation=office.organisation,
        filters_label="",
    )

    pages = pdf_text(pdf)
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert str(registers.INCOMING_COLUMNS[5].header) in text
        assert f"{number} / {len(pages)}" in text
    assert "120-CV/VPTU" in pages[-1]


def test_register_pdf_stops_at_the_row_limit_and_says_so(office, monkeypatch):
    monkeypatch.setattr(registers, "PDF_ROW_LIMIT", 3)

    pdf = registers.register_pdf(
        _with_handler(_in_memory(5)),
        Direction.INCOMING,
        organisation=office.organisation,
        filters_label="",
    )

    text = " ".join(pdf_text(pdf))
    assert "3-CV/VPTU" in text
    assert "4-CV/VPTU" not in text
    assert "Excel" in text


def test_register_pdf_of_an_empty_selection(office):
    pdf = registers.register_pdf(
        [], Direction.OUTGOING, organisation=office.organisation, filters_label=""
    )

    text = pdf_text(pdf)[0]
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text
    assert str(registers.OUTGOING_COLUMNS[0].header) in text


def test_xlsx_is_not_limited_like_the_pdf(office, monkeypatch):
    monkeypatch.setattr(registers, "PDF_ROW_LIMIT", 3)

    count, sheet = workbook_rows(office, Direction.INCOMING, _with_handler(_in_memory(10)))

    assert count == 10
    assert sheet.max_row == registers.HEADER_ROW + 10


def test_unknown_direction_is_refused(office):
    with pytest.raises(ValueError):
        registers.write_register_xlsx(
            [], "sideways", io.BytesIO(), organisation=office.organisation, filters_label=""
        )


def test_prefetched_handlers_need_no_query_per_entry(office, django_assert_num_queries):
    for number in range(3):
        document = register(office, summary=f"Văn bản số {number}")
        actions.assign(
            document,
            [Handler(office.handler, HandlingRole.LEAD)],
            deadline=None,
            actor=Actor.for_user(office.leader),
        )
    documents = (
        Document.objects.filter(organisation=office.organisation)
        .select_related("document_type")
        .prefetch_related("assignments__user")
    )

    with django_assert_num_queries(3):  # documents, assignments, users
        count, sheet = workbook_rows(office, Direction.INCOMING, documents)

    assert count == 3
    assert [row[8].value for row in sheet.iter_rows(min_row=registers.HEADER_ROW + 1)] == [
        "Lê Thị Chuyên Viên"
    ] * 3


def test_register_of_several_organisations_has_no_organisation_line(office):
    register(office)
    out = io.BytesIO()

    registers.write_register_xlsx(
        entries(office, Direction.INCOMING), Direction.INCOMING, out, organisation=None,
        filters_label="",
    )  # fmt: skip
    pdf = registers.register_pdf(
        entries(office, Direction.INCOMING), Direction.INCOMING, organisation=None,
        filters_label="",
    )  # fmt: skip

    assert load_workbook(out).active["A1"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
    assert SYMBOL in pdf_text(pdf)[0]
