"""Account actions: roles, tokens, sign-in throttling."""

import datetime
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangso.accounts.models import ApiToken, LoginFailure, RoleAssignment, hash_token
from dangso.core import audit
from dangso.core.audit import Actor
from dangso.orgs.actions import follow_merges
from dangso.orgs.models import Organisation


@transaction.atomic
def grant_role(
    user: User, organisation: Organisation, role: str, *, actor: Actor
) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    if created:
        audit.record(
            actor,
            "role.grant",
            assignment,
            changes={
                "user": [None, user.username],
                "role": [None, role],
                "organisation": [None, organisation.pk],
            },
        )
    return assignment


@transaction.atomic
def create_user(
    username: str,
    *,
    password: str,
    actor: Actor,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """A new person who can sign in; the password must pass Django's validators."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("The user name %(username)s is taken.") % {"username": username}}
        )
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(actor, "user.create", user, changes={"username": [None, username]})
    return user


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, actor: Actor) -> None:
    audit.record(
        actor,
        "role.revoke",
        assignment,
        changes={"user": [assignment.user.username, None], "role": [assignment.role, None]},
    )
    assignment.delete()


@follow_merges
def move_roles_on_merge(
    sources: Sequence[Organisation], target: Organisation, on: datetime.date, actor: Actor
) -> None:
    """Roles held at merged organisations are held at the target from then on."""
    for assignment in RoleAssignment.objects.filter(organisation__in=sources).select_related(
        "user"
    ):
        if RoleAssignment.objects.filter(
            user=assignment.user, organisation=target, role=assignment.role
        ).exists():
            audit.record(actor, "role.revoke", assignment, changes={"reason": [None, "merged"]})
            assignment.delete()
            continue
        old = assignment.organisation_id
        assignment.organisation = target
        assignment.save(update_fields=["organisation"])
        audit.record(actor, "role.move", assignment, changes={"organisation": [old, target.pk]})


@transaction.atomic
def create_token(
    user: User, *, name: str, actor: Actor, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new personal API token; the key is returned once and only its hash is kept."""
    key = "ds_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:10],
        key_hash=hash_token(key),
        expires_at=timezone.now() + datetime.timedelta(days=days) if days else None,
    )
    audit.record(actor, "token.create", token, changes={"user": [None, user.username]})
    return token, key


def user_for_token(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(key), is_revoked=False, user__is_active=True)
        .first()
    )
    if token is None or (token.expires_at and token.expires_at <= timezone.now()):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.DANGSO_LOGIN_LOCK_MINUTES)


def is_locked_out(username: str) -> bool:
    failures = LoginFailure.objects.filter(username=username.lower(), at__gte=_window_start())
    return failures.count() >= settings.DANGSO_LOGIN_MAX_FAILURES


def record_login_failure(username: str, actor: Actor) -> None:
    with transaction.atomic():
        LoginFailure.objects.create(username=username.lower()[:150], address=actor.address)
        audit.record(actor, "auth.login_failed", object_type="auth.user", object_id=username[:64])


def record_login(user: User, actor: Actor) -> None:
    with transaction.atomic():
        LoginFailure.objects.filter(username=user.username.lower()).delete()
        audit.record(actor, "auth.login", user)


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    """A revoked token stops working at once; the row stays for the record."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if not token.is_revoked:
        token.is_revoked = True
        token.save(update_fields=["is_revoked"])
        audit.record(actor, "token.revoke", token, changes={"is_revoked": [False, True]})
    return token
