"""Roles a user holds at an organisation, each a set of capabilities over its whole subtree."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Capability(models.TextChoices):
    ORG_VIEW = "org.view", _("See organisations")
    ORG_MANAGE = "org.manage", _("Reorganise organisations")
    MEMBER_VIEW = "member.view", _("Read member records")
    MEMBER_EDIT = "member.edit", _("Edit member records")
    MEMBER_EVENT = "member.event", _("Record member lifecycle events")
    AUDIT_VIEW = "audit.view", _("Read the audit log")
    USER_MANAGE = "user.manage", _("Manage users and roles")
    DOC_VIEW = "document.view", _("Read documents")
    DOC_REGISTER = "document.register", _("Register, number and send documents (clerk)")
    DOC_ASSIGN = "document.assign", _("Assign documents to handlers")
    DOC_DRAFT = "document.draft", _("Draft outgoing documents")
    DOC_SIGN = "document.sign", _("Sign documents")


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    LEADER = "leader", _("Committee leader")
    OFFICE = "office", _("Party office")
    ORGANISATION = "organisation", _("Organisation department (member records)")
    INSPECTION = "inspection", _("Inspection committee")
    CELL_SECRETARY = "cell_secretary", _("Cell secretary")
    MEMBER = "member", _("Party member")


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(C.values),
    Role.LEADER: frozenset({C.ORG_VIEW, C.DOC_VIEW, C.DOC_ASSIGN, C.DOC_DRAFT, C.DOC_SIGN}),
    Role.OFFICE: frozenset({C.ORG_VIEW, C.DOC_VIEW, C.DOC_REGISTER, C.DOC_DRAFT}),
    Role.ORGANISATION: frozenset(
        {C.ORG_VIEW, C.MEMBER_VIEW, C.MEMBER_EDIT, C.MEMBER_EVENT, C.DOC_VIEW, C.DOC_DRAFT}
    ),
    Role.INSPECTION: frozenset({C.ORG_VIEW, C.MEMBER_VIEW, C.AUDIT_VIEW, C.DOC_VIEW, C.DOC_DRAFT}),
    Role.CELL_SECRETARY: frozenset(
        {C.ORG_VIEW, C.MEMBER_VIEW, C.MEMBER_EDIT, C.DOC_VIEW, C.DOC_REGISTER, C.DOC_DRAFT}
    ),
    Role.MEMBER: frozenset(),
}

# Whoever can read member records must sign in with a second factor.
MFA_CAPABILITIES = frozenset({C.MEMBER_VIEW, C.AUDIT_VIEW, C.USER_MANAGE})
