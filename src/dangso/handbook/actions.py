"""What is done in the handbook: accounts, the library, study, and the two-way channel.

Each action checks first and writes nothing when it refuses (a ValidationError with a message
for the person), then writes, audits and notifies in one transaction. Who may call an action is
decided by the view: a member acts only on their own record; the committee needs its
capability over the member's cell.
"""

import datetime
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangso.accounts.models import RoleAssignment
from dangso.accounts.roles import Role
from dangso.accounts.scope import people_who_can
from dangso.core import audit, files
from dangso.core.audit import Actor
from dangso.core.classification import Classification
from dangso.core.files import Upload
from dangso.core.notifications import notify
from dangso.core.text import clean_spaces, fold, nfc
from dangso.documents.models import Document
from dangso.handbook.choices import ThreadKind, ThreadStatus
from dangso.handbook.models import (
    ActivationCode,
    MemberAccount,
    Message,
    Publication,
    ReadingMark,
    StudyCampaign,
    StudyRecord,
    Thread,
)
from dangso.handbook.notices import notify_accounts, subtree_accounts
from dangso.handbook.tasks import tell_subtree_task
from dangso.members.actions import update_member
from dangso.members.choices import PORTAL_STATUSES
from dangso.members.models import Member
from dangso.orgs.models import Organisation

# Unambiguous letters and digits (no 0/O, 1/I/L) for codes read aloud or copied from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_CODE_ATTEMPTS = 5
# Fields of their own record a member may ask to correct (the secretary approves).
CORRECTABLE_FIELDS = (
    "phone",
    "email",
    "residence",
    "hometown",
    "occupation",
    "position",
    "general_education",
)
# Above this many members to tell, the notices of a new document are written by a job.
NOTIFY_INLINE_LIMIT = 2_000


def _now() -> datetime.datetime:
    return timezone.now()


def member_by_number(number: str) -> Member | None:
    """The member a CCCD (12 digits) or party card number (8 digits) names."""
    value = "".join(number.split())
    if not value.isdigit():
        return None
    if len(value) == 12:
        return Member.objects.select_related("organisation", "user").filter(cccd=value).first()
    if len(value) == 8:
        return (
            Member.objects.select_related("organisation", "user").filter(card_number=value).first()
        )
    return None


# --- accounts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCode:
    member: Member
    code: str
    expires_at: datetime.datetime


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def _normal_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}"


def issue_codes(members: Sequence[Member], *, actor: Actor) -> list[IssuedCode]:
    """One-time activation codes for members of a cell (first sign-in, or a new password).

    A new code replaces the member's unused one. The codes are returned once, for the printed
    sheet; only their hashes are kept."""
    if not members:
        raise ValidationError(_("Choose the members to give codes to."))
    for member in members:
        if member.status not in PORTAL_STATUSES:
            raise ValidationError(
                _("%(name)s does not use the handbook (only official and probationary members do).")
                % {"name": member.full_name}
            )
    now = _now()
    expires = now + datetime.timedelta(days=settings.DANGSO_ACTIVATION_DAYS)
    issued = []
    with transaction.atomic():
        ActivationCode.objects.filter(member__in=members, used_at__isnull=True).delete()
        for member in members:
            code = _new_code()
            ActivationCode.objects.create(
                member=member,
                code_hash=make_password(code),
                issued_by_id=actor.user_id,
                issued_at=now,
                expires_at=expires,
            )
            issued.append(IssuedCode(member, code, expires))
        audit.record(
            actor,
            "handbook.codes",
            members[0].organisation,
            changes={
                "members": [None, [member.full_name for member in members]],
            },
        )
    return issued


def activate(number: str, code: str, password: str, *, address: str = "") -> Any:
    """A member's first sign-in (or a new password): their number, the code from the
    secretary, a password of their own. Returns the user to sign in."""
    member = member_by_number(number)
    wrong = ValidationError(
        _("The number or the activation code is wrong, or the code has expired."), code="invalid"
    )
    if member is None or member.status not in PORTAL_STATUSES:
        raise wrong
    now = _now()
    open_code = ActivationCode.objects.filter(member=member, used_at__isnull=True).first()
    if open_code is None or open_code.expires_at < now:
        raise wrong
    if open_code.failed_attempts >= MAX_CODE_ATTEMPTS:
        raise ValidationError(
            _("This code was tried too many times. Ask your cell secretary for a new one."),
            code="locked",
        )
    if not check_password(_normal_code(code), open_code.code_hash):
        ActivationCode.objects.filter(pk=open_code.pk).update(
            failed_attempts=open_code.failed_attempts + 1
        )
        raise wrong
    User = get_user_model()
    user = member.user or User(username=f"dv{member.pk}", first_name=member.full_name[:150])
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    with transaction.atomic():
        user.set_password(password)
        user.is_active = True
        user.save()
        if member.user_id != user.pk:
            Member.objects.filter(pk=member.pk).update(user=user)
            member.user = user
        RoleAssignment.objects.get_or_create(
            user=user, organisation=member.organisation, role=Role.MEMBER
        )
        MemberAccount.objects.update_or_create(
            member=member,
            defaults={"user": user, "activated_at": now, "last_seen": timezone.localdate()},
        )
        ActivationCode.objects.filter(pk=open_code.pk).update(used_at=now)
        audit.record(Actor(user.pk, member.full_name, address), "handbook.activate", member)
    return user


# --- library ------------------------------------------------------------------------------


def publish(
    data: dict[str, Any],
    *,
    organisation: Organisation,
    actor: Actor,
    document: Document | None = None,
    upload: Upload | None = None,
) -> Publication:
    """Put a document in the library of every member of `organisation`'s subtree: a document
    of the platform (its main file) or an uploaded file. Classified documents never go to
    members' phones."""
    title = clean_spaces(nfc(str(data.get("title") or "")))
    if document is not None and not title:
        title = document.summary
    if not title:
        raise ValidationError({"title": _("Give the document a title.")})
    kind = data.get("kind") or ""
    if document is None and upload is None:
        raise ValidationError(_("Choose a document of the platform or attach a file."))
    stored: dict[str, Any] = {}
    text = ""
    if document is not None:
        if document.classification != Classification.UNCLASSIFIED:
            raise ValidationError(_("Classified documents cannot be published to members."))
        from dangso.documents.actions import main_file

        main = main_file(document)
        if main is not None:
            stored = {
                "file_name": main.name,
                "file_sha256": main.sha256,
                "file_size": main.size,
                "file_storage_name": main.storage_name,
                "content_type": main.content_type,
            }
        text = document.search_text
    if upload is not None:
        checked = files.check_upload(upload.name, upload.content)
        name = files.store(upload.content, sha256=checked.sha256, encrypt=False)
        stored = {
            "file_name": checked.name,
            "file_sha256": checked.sha256,
            "file_size": checked.size,
            "file_storage_name": name,
            "content_type": checked.content_type,
        }
        text = checked.text
    summary = nfc(str(data.get("summary") or "")).strip()
    with transaction.atomic():
        publication = Publication.objects.create(
            organisation=organisation,
            document=document,
            kind=kind,
            title=title,
            summary=summary,
            published_at=_now(),
            published_by_id=actor.user_id,
            search_text=fold(" ".join([title, summary, text[:200_000]])),
            **stored,
        )
        audit.record(actor, "handbook.publish", publication, changes={"title": [None, title]})
        transaction.on_commit(lambda: tell_members_of(publication.pk))
    return publication


def tell_members_of(publication_id: int) -> int:
    """Notices of a new library document to the members who use the handbook."""
    publication = Publication.objects.select_related("organisation").get(pk=publication_id)
    return tell_subtree(
        publication.organisation.pk,
        str(_("New document: %(title)s") % {"title": publication.title[:150]}),
        str(_("Published by %(org)s.") % {"org": publication.organisation.name}),
        url=reverse("handbook:publication", args=[publication.pk]),
        key=f"publication:{publication.pk}",
    )


def tell_subtree(organisation_id: int, subject: str, body: str, *, url: str, key: str) -> int:
    """Tell every member of a subtree who uses the handbook: at once for a cell or a commune,
    by a job from the database queue above NOTIFY_INLINE_LIMIT members (a province)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    accounts = subtree_accounts(organisation)
    if accounts.count() > NOTIFY_INLINE_LIMIT:
        tell_subtree_task.enqueue(organisation_id, subject, body, url=url, key=key)
        return 0
    return notify_accounts(accounts, subject, body, url=url, key=key)


def withdraw(publication: Publication, *, actor: Actor) -> None:
    with transaction.atomic():
        Publication.objects.filter(pk=publication.pk).update(withdrawn_at=_now())
        audit.record(actor, "handbook.withdraw", publication)


def mark(
    member: Member,
    publication: Publication,
    *,
    read: bool | None = None,
    bookmarked: bool | None = None,
) -> ReadingMark:
    record, _created = ReadingMark.objects.get_or_create(member=member, publication=publication)
    if read and record.read_at is None:
        record.read_at = _now()
    if bookmarked is not None:
        record.bookmarked = bookmarked
    record.save()
    return record


def publication_bytes(publication: Publication) -> bytes:
    return files.open_stored(
        publication.file_storage_name, sha256=publication.file_sha256, encrypted=False
    )


# --- study --------------------------------------------------------------------------------


def open_campaign(
    data: dict[str, Any],
    *,
    organisation: Organisation,
    materials: Iterable[Publication],
    actor: Actor,
) -> StudyCampaign:
    """A committee asks its members to study materials by a deadline (học tập nghị quyết)."""
    title = clean_spaces(nfc(str(data.get("title") or "")))
    errors: dict[str, Any] = {}
    if not title:
        errors["title"] = _("Give the campaign a title.")
    opens_on = data.get("opens_on") or timezone.localdate()
    deadline = data.get("deadline")
    if not isinstance(deadline, datetime.date):
        errors["deadline"] = _("Give the deadline.")
    elif deadline < opens_on:
        errors["deadline"] = _("The deadline comes before the start.")
    materials = list(materials)
    if not materials:
        errors["materials"] = _("Choose at least one document to study.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = StudyCampaign.objects.create(
            organisation=organisation,
            title=title,
            description=nfc(str(data.get("description") or "")).strip(),
            opens_on=opens_on,
            deadline=deadline,  # type: ignore[misc]  # a date: checked above
            reflection_required=bool(data.get("reflection_required", True)),
            created_by_id=actor.user_id,
        )
        campaign.materials.set(materials)
        audit.record(actor, "handbook.campaign", campaign, changes={"title": [None, title]})
    subject = _("Study: %(title)s") % {"title": title[:150]}
    body = _("Study the materials and hand in your reflection by %(date)s.") % {
        "date": campaign.deadline.strftime("%d/%m/%Y")
    }
    url = reverse("handbook:campaign", args=[campaign.pk])
    transaction.on_commit(
        lambda: tell_subtree(organisation.pk, str(subject), str(body), url=url,
                             key=f"campaign:{campaign.pk}")
    )  # fmt: skip
    return campaign


def complete_study(
    campaign: StudyCampaign, member: Member, *, reflection: str, actor: Actor
) -> StudyRecord:
    """The member marks the study done, with their reflection (thu hoạch)."""
    reflection = nfc(reflection or "").strip()
    today = timezone.localdate()
    if today < campaign.opens_on:
        raise ValidationError(_("This study has not started yet."))
    if campaign.reflection_required and len(reflection) < 20:
        raise ValidationError(
            {"reflection": _("Write your reflection (at least a few sentences).")}
        )
    if len(reflection) > 20_000:
        raise ValidationError({"reflection": _("The reflection is too long.")})
    with transaction.atomic():
        record, _created = StudyRecord.objects.update_or_create(
            campaign=campaign,
            member=member,
            defaults={"cell": member.organisation, "done_at": _now(), "reflection": reflection},
        )
        audit.record(
            actor,
            "handbook.study",
            campaign,
            changes={
                "member": [None, member.full_name],
                "late": [None, today > campaign.deadline],
            },
        )
    return record


# --- the two-way channel ------------------------------------------------------------------


def _committee(cell: Organisation) -> list[Any]:
    return people_who_can("portal.support", cell, here_only=True) or people_who_can(
        "portal.support", cell
    )


def open_thread(member: Member, data: dict[str, Any], *, actor: Actor) -> Thread:
    """A member writes to their cell committee: a question, opinion, request, or a correction
    of their own record (a field and the value asked for)."""
    kind = data.get("kind") or ""
    subject = clean_spaces(nfc(str(data.get("subject") or "")))
    body = nfc(str(data.get("body") or "")).strip()
    errors: dict[str, Any] = {}
    if kind not in ThreadKind.values:
        errors["kind"] = _("Choose what kind of message this is.")
    if not body:
        errors["body"] = _("Write your message.")
    field, value = "", ""
    if kind == ThreadKind.CORRECTION:
        field = str(data.get("field") or "")
        value = clean_spaces(nfc(str(data.get("requested_value") or "")))
        if field not in CORRECTABLE_FIELDS:
            errors["field"] = _("Choose the part of your record to correct.")
        elif not value:
            errors["requested_value"] = _("Write the correct value.")
        else:
            try:
                _check_value(member, field, value)
            except ValidationError as error:
                errors["requested_value"] = error.messages
        subject = subject or str(_("Correction of my record"))
    if not subject and "kind" not in errors:
        errors["subject"] = _("Give your message a subject.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        thread = Thread.objects.create(
            member=member,
            cell=member.organisation,
            kind=kind,
            subject=subject[:200],
            field=field,
            requested_value=value,
        )
        Message.objects.create(
            thread=thread, author_id=actor.user_id, author_name=member.full_name, body=body
        )
        audit.record(actor, "handbook.thread", thread, changes={"kind": [None, kind]})
        notify(
            _committee(member.organisation),
            _("%(name)s wrote: %(subject)s") % {"name": member.full_name, "subject": subject[:120]},
            url=reverse("handbook:committee_thread", args=[thread.pk]),
        )
    return thread


def _check_value(member: Member, field: str, value: str) -> None:
    """The record's own rules for the value (phone, e-mail…), checked on a copy: what is
    wrong with this field is refused now, not when the secretary approves."""
    copy = Member.objects.select_related("organisation").get(pk=member.pk)
    setattr(copy, field, value)
    try:
        copy.full_clean()
    except ValidationError as error:
        problems = error.message_dict.get(field) if hasattr(error, "error_dict") else None
        if problems:
            raise ValidationError(problems) from error


def write(thread: Thread, body: str, *, actor: Actor, from_committee: bool) -> Message:
    """A reply in a thread, by the member or by the committee."""
    body = nfc(body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your message.")})
    if thread.status == ThreadStatus.CLOSED:
        raise ValidationError(_("This conversation is closed."))
    with transaction.atomic():
        message = Message.objects.create(
            thread=thread,
            author_id=actor.user_id,
            author_name=actor.name[:150],
            body=body,
            from_committee=from_committee,
        )
        fields = ["updated_at"]
        if from_committee:
            thread.member_unread = True
            fields.append("member_unread")
            if thread.status == ThreadStatus.OPEN and thread.kind != ThreadKind.CORRECTION:
                thread.status = ThreadStatus.ANSWERED
                fields.append("status")
        thread.save(update_fields=fields)
        audit.record(actor, "handbook.reply", thread)
        if from_committee and thread.member.user_id:
            notify(
                [thread.member.user],
                _("Answer: %(subject)s") % {"subject": thread.subject},
                body[:300],
                url=reverse("handbook:thread", args=[thread.pk]),
            )
        elif not from_committee:
            notify(
                _committee(thread.cell),
                _("%(name)s wrote: %(subject)s")
                % {"name": thread.member.full_name, "subject": thread.subject[:120]},
                url=reverse("handbook:committee_thread", args=[thread.pk]),
            )
    return message


def decide_correction(thread: Thread, *, approve: bool, note: str, actor: Actor) -> Thread:
    """The secretary approves a correction (the record changes, audited as a member update)
    or refuses it with a reason."""
    if thread.kind != ThreadKind.CORRECTION or thread.status != ThreadStatus.OPEN:
        raise ValidationError(_("There is no correction waiting in this conversation."))
    note = nfc(note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Say why the correction is refused.")})
    with transaction.atomic():
        if approve:
            update_member(thread.member, {thread.field: thread.requested_value}, actor=actor)
        thread.status = ThreadStatus.APPROVED if approve else ThreadStatus.REFUSED
        thread.member_unread = True
        thread.save(update_fields=["status", "member_unread", "updated_at"])
        text = note or str(_("Your record was corrected."))
        Message.objects.create(
            thread=thread,
            author_id=actor.user_id,
            author_name=actor.name[:150],
            body=text,
            from_committee=True,
        )
        audit.record(
            actor,
            "handbook.correction",
            thread,
            changes={
                "field": [None, thread.field],
                "approved": [None, approve],
            },
        )
        if thread.member.user_id:
            notify(
                [thread.member.user],
                thread.get_status_display(),
                text[:300],
                url=reverse("handbook:thread", args=[thread.pk]),
            )
    return thread
