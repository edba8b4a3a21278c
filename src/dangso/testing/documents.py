"""Test data for documents: the offices of a province and a commune, with their people."""

import datetime
from dataclasses import dataclass
from typing import Any

from dangso.accounts.roles import Role
from dangso.core.printing import make_pdf
from dangso.documents.models import DocumentType, IssuingBody, ensure_document_types
from dangso.orgs.models import Organisation, Term
from dangso.testing.factories import RoleFactory, UserFactory


def pdf_bytes(
    text: str = "Nghị quyết về chuyển đổi số trong cơ quan Đảng", pages: int = 1
) -> bytes:
    """A small real PDF with Vietnamese text (WeasyPrint)."""
    return make_pdf(pages=pages, text=text)


def doc_type(abbreviation: str = "CV") -> DocumentType:
    return DocumentType.objects.get(abbreviation=abbreviation)


@dataclass
class Office:
    """One organisation's document office: its issuing bodies, current term and people."""

    organisation: Organisation
    committee: IssuingBody  # e.g. Đảng ủy xã (ĐU), Tỉnh ủy (TU)
    office: IssuingBody  # e.g. Văn phòng Tỉnh ủy (VPTU)
    term: Term
    clerk: Any  # office role: registers, numbers, sends
    leader: Any  # leader role: assigns, signs
    handler: Any  # organisation department role: reads, drafts, handles


def make_office(organisation: Organisation, *, prefix: str = "") -> Office:
    ensure_document_types()
    symbol = organisation.short_name or "ĐU"
    committee = IssuingBody.objects.create(
        organisation=organisation, name=f"Ban Thường vụ {organisation.name}", symbol=symbol
    )
    office = IssuingBody.objects.create(
        organisation=organisation, name=f"Văn phòng {organisation.name}", symbol=f"VP{symbol}"
    )
    term = Term.objects.create(
        organisation=organisation, name="Nhiệm kỳ 2025–2030", starts_on=datetime.date(2025, 9, 1)
    )
    prefix = prefix or organisation.code.lower()
    people = {}
    for key, role, name in (
        ("clerk", Role.OFFICE, "Trần Thị Văn Thư"),
        ("leader", Role.LEADER, "Nguyễn Văn Lãnh Đạo"),
        ("handler", Role.ORGANISATION, "Lê Thị Chuyên Viên"),
    ):
        user = UserFactory(username=f"{prefix}.{key}", first_name=name)
        RoleFactory(user=user, organisation=organisation, role=role)
        people[key] = user
    return Office(organisation, committee, office, term, **people)
