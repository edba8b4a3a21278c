"""Setting up a document office: issuing bodies, committee terms, congresses, types."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.core.models import AuditEntry
from dangso.documents import actions, numbering, offices
from dangso.documents.models import Congress, DocumentType, IssuingBody
from dangso.orgs import actions as org_actions
from dangso.orgs.models import Term
from dangso.testing.documents import doc_type, make_office, pdf_bytes
from dangso.testing.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _rows():
    return (
        IssuingBody.objects.count(), Term.objects.count(), Congress.objects.count(),
        DocumentType.objects.count(), AuditEntry.objects.count(),
    )  # fmt: skip


def test_add_issuing_body_and_refusals_write_nothing(tree):
    body = offices.add_issuing_body(
        tree["a"], name="  Ban Tuyên giáo  Đảng ủy ", symbol="BTGĐU", actor=ACTOR
    )
    assert (body.name, body.symbol) == ("Ban Tuyên giáo Đảng ủy", "BTGĐU")
    before = _rows()
    for name, symbol, message in (
        ("Ban khác", "BTGĐU", "already has an issuing body BTGĐU"),
        ("Ban khác", "VP/ĐU", "without slash or hyphen"),
        ("", "XYZ", "name of the issuing body"),
    ):
        with pytest.raises(ValidationError, match=message):
            offices.add_issuing_body(tree["a"], name=name, symbol=symbol, actor=ACTOR)
    assert _rows() == before


def test_a_new_term_ends_the_current_one_and_numbers_restart(tree):
    office = make_office(tree["a"])
    first = actions.draft(
        {"document_type": doc_type("CV"), "issuing_body": office.committee, "summary": "Một"},
        organisation=tree["a"], uploads=[Upload("a.pdf", pdf_bytes())], actor=ACTOR,
    )  # fmt: skip
    actions.submit(first, [], actor=ACTOR)
    first.refresh_from_db()
    first.status = "signed"
    first.save()
    before_new_term = datetime.date(2026, 3, 1)
    assert actions.issue(first, actor=ACTOR, day=before_new_term).number == 1
    term = org_actions.start_term(
        tree["a"], name="Nhiệm kỳ 2030–2035", starts_on=datetime.date(2026, 6, 1), actor=ACTOR
    )
    office.term.refresh_from_db()
    assert office.term.ends_on == datetime.date(2026, 5, 31)
    assert numbering.term_on(tree["a"], datetime.date(2026, 6, 2)) == term
    assert numbering.term_on(tree["a"], datetime.date(2026, 5, 31)) == office.term
    with pytest.raises(ValidationError, match="after the current one"):
        org_actions.start_term(
            tree["a"], name="Sai", starts_on=datetime.date(2026, 5, 1), actor=ACTOR
        )


def test_congress_and_type_refusals(tree):
    with pytest.raises(ValidationError, match="closes after it opens"):
        offices.add_congress(
            tree["a"], name="Đại hội", opens_on=datetime.date(2025, 9, 3),
            closes_on=datetime.date(2025, 9, 1), actor=ACTOR,
        )  # fmt: skip
    congress = offices.add_congress(
        tree["a"], name="Đại hội đại biểu lần thứ XV", opens_on=datetime.date(2025, 9, 1),
        closes_on=datetime.date(2025, 9, 3), actor=ACTOR,
    )  # fmt: skip
    assert congress.symbol == "ĐH"
    make_office(tree["b"])  # the migration's types are there
    with pytest.raises(ValidationError, match="already used"):
        offices.add_document_type(abbreviation="CV", name="Công văn", actor=ACTOR)
    kind = offices.add_document_type(abbreviation="ĐA", name="Đề án", actor=ACTOR)
    offices.set_document_type_active(kind, False, actor=ACTOR)
    assert not DocumentType.objects.get(abbreviation="ĐA").active


def test_the_office_page_for_the_clerk_and_not_for_another_commune(tree, sign_in):
    office = make_office(tree["a"])
    url = reverse("documents:office", kwargs={"pk": tree["a"].pk})
    client = sign_in(office.clerk)
    page = client.get(url)
    assert page.status_code == 200
    assert office.office.name in page.content.decode()
    assert "office-types" not in page.content.decode()  # types are for administrators
    response = client.post(url, {"do": "body", "body-name": "Ban Tổ chức", "body-symbol": "BTCĐU"})
    assert response.status_code == 302
    assert IssuingBody.objects.filter(organisation=tree["a"], symbol="BTCĐU").exists()
    before = _rows()
    response = client.post(url, {"do": "body", "body-name": "Ban Tổ chức", "body-symbol": "BTCĐU"})
    assert response.status_code == 422
    assert "Tổ chức này đã có cơ quan ban hành BTCĐU." in response.content.decode()
    assert (
        client.post(url, {"do": "type", "type-abbreviation": "X", "type-name": "X"}).status_code
        == 403
    )
    assert _rows() == before

    other = UserFactory()
    RoleFactory(user=other, organisation=tree["b"], role="office")
    assert sign_in(other).get(url).status_code == 404
