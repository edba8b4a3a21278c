"""Who is using the portal: the signed-in person's own member record, and nothing else.

A member sees only what concerns them: their record, their cell's meetings, what their cell and
the organisations above it published, their own threads and reflections. Every portal view
finds the member with `portal_member()`; there is no scope to widen.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dangso.members.choices import PORTAL_STATUSES
from dangso.members.models import Member
from dangso.orgs import paths as org_paths

# Quy định 339-QĐ/TW: official and probationary members use the handbook (members exempted
# from Party work and activities do not).


def portal_member(request: HttpRequest) -> Member | None:
    """The signed-in person's member record, if they may use the portal."""
    user = request.user
    if not user.is_authenticated:
        return None
    if hasattr(request, "_portal_member"):
        return request._portal_member  # type: ignore[no-any-return]
    # At most one row (Member.user is one-to-one): no ORDER BY, which first() would add.
    found = Member.objects.select_related("organisation").filter(
        user_id=user.pk, status__in=PORTAL_STATUSES
    )[:1]
    member = next(iter(found), None)
    request._portal_member = member  # type: ignore[attr-defined]
    return member


def member_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A portal page: signed in, and a member on the roll of a cell; `request.member` is set and
    the day's use is recorded (once a day)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = portal_member(request)
        if member is None:
            raise PermissionDenied
        request.member = member  # type: ignore[attr-defined]
        _seen_today(request, member)
        return view(request, *args, **kwargs)

    return wrapped


def _seen_today(request: HttpRequest, member: Member) -> None:
    """Record the day's use once: the session remembers the day it was recorded."""
    from dangso.handbook.models import MemberAccount

    today = timezone.localdate().isoformat()
    if request.session.get("handbook_seen") == today:
        return
    MemberAccount.objects.filter(member=member).update(last_seen=today)
    request.session["handbook_seen"] = today


def visible_paths(member: Member) -> list[str]:
    """The paths of the member's cell and of every organisation above it."""
    return org_paths.lineage(member.organisation.path)
