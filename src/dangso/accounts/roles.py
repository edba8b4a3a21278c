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
    TASK_VIEW = "task.view", _("Follow tasks")
    TASK_ASSIGN = "task.assign", _("Assign and delegate tasks, manage programmes")
    TASK_UPDATE = "task.update", _("Report progress on tasks")
    REPORT_VIEW = "report.view", _("Read reports and their aggregates")
    REPORT_DESIGN = "report.design", _("Define report forms and open reporting periods")
    REPORT_SUBMIT = "report.submit", _("Fill and submit reports")
    REPORT_APPROVE = "report.approve", _("Approve or return reports")
    MEETING_VIEW = "meeting.view", _("See cell meetings and attendance")
    MEETING_MANAGE = "meeting.manage", _("Schedule and run cell meetings, keep minutes")
    PORTAL_PUBLISH = "portal.publish", _("Publish documents and study campaigns to members")
    PORTAL_SUPPORT = (
        "portal.support",
        _("Activate members' handbook accounts, answer them, approve their corrections"),
    )


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
    Role.LEADER: frozenset(
        {C.ORG_VIEW, C.DOC_VIEW, C.DOC_ASSIGN, C.DOC_DRAFT, C.DOC_SIGN}
        | {C.TASK_VIEW, C.TASK_ASSIGN, C.TASK_UPDATE, C.REPORT_VIEW, C.REPORT_APPROVE}
        | {C.MEETING_VIEW}
    ),
    Role.OFFICE: frozenset(
        {C.ORG_VIEW, C.DOC_VIEW, C.DOC_REGISTER, C.DOC_DRAFT}
        | {C.TASK_VIEW, C.TASK_ASSIGN, C.TASK_UPDATE}
        | {C.REPORT_VIEW, C.REPORT_DESIGN, C.REPORT_SUBMIT}
        | {C.MEETING_VIEW, C.PORTAL_PUBLISH}
    ),
    Role.ORGANISATION: frozenset(
        {C.ORG_VIEW, C.MEMBER_VIEW, C.MEMBER_EDIT, C.MEMBER_EVENT, C.DOC_VIEW, C.DOC_DRAFT}
        | {C.TASK_VIEW, C.TASK_UPDATE, C.REPORT_VIEW, C.REPORT_SUBMIT}
        | {C.MEETING_VIEW, C.PORTAL_PUBLISH, C.PORTAL_SUPPORT}
    ),
    # Quy chế 08-QC/TW: inspection committees at all levels read the follow-up data.
    Role.INSPECTION: frozenset(
        {C.ORG_VIEW, C.MEMBER_VIEW, C.AUDIT_VIEW, C.DOC_VIEW, C.DOC_DRAFT}
        | {C.TASK_VIEW, C.REPORT_VIEW, C.MEETING_VIEW}
    ),
    Role.CELL_SECRETARY: frozenset(
        {C.ORG_VIEW, C.MEMBER_VIEW, C.MEMBER_EDIT, C.DOC_VIEW, C.DOC_REGISTER, C.DOC_DRAFT}
        | {C.TASK_VIEW, C.TASK_UPDATE, C.REPORT_VIEW, C.REPORT_SUBMIT}
        | {C.MEETING_VIEW, C.MEETING_MANAGE, C.PORTAL_PUBLISH, C.PORTAL_SUPPORT}
    ),
    Role.MEMBER: frozenset(),
}

# Whoever can read member records must sign in with a second factor.
MFA_CAPABILITIES = frozenset({C.MEMBER_VIEW, C.AUDIT_VIEW, C.USER_MANAGE})
