"""The pages that compose the apps: the home page, the steering dashboard, the audit log."""

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dangso.accounts.models import RoleAssignment
from dangso.accounts.scope import can, chosen_organisation, restrict
from dangso.core.models import AuditEntry
from dangso.handbook.portal import portal_member
from dangso.members.choices import AGE_BANDS, MemberStatus, Sex
from dangso.members.models import Member
from dangso.members.queries import member_statistics
from dangso.orgs.models import Organisation
from dangso.site import dashboard

_AGE_LABELS = {
    "under_30": gettext_lazy("Under 30"),
    "30_45": gettext_lazy("30–45"),
    "46_60": gettext_lazy("46–60"),
    "over_60": gettext_lazy("Over 60"),
}
_CHART_ROW = 36
_CHART_BAR = 330


def _chart(rows: list[tuple[Any, int]]) -> dict[str, Any]:
    """Bars for the inline SVG chart (viewBox 400 wide): label, count, y and bar width."""
    largest = max((count for _label, count in rows), default=0) or 1
    bars = [
        {
            "label": label,
            "count": count,
            "y": index * _CHART_ROW,
            "width": max(round(_CHART_BAR * count / largest), 2 if count else 0),
        }
        for index, (label, count) in enumerate(rows)
    ]
    return {"bars": bars, "height": len(rows) * _CHART_ROW}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Tổng quan: figures of the members in scope, or a welcome for everyone else."""
    user = cast(User, request.user)  # signed in: login_required
    if not can(user, "org.view") and portal_member(request) is not None:
        return redirect("handbook:home")  # a member: their handbook is their home
    context: dict[str, Any] = {
        "roles": RoleAssignment.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__path", "role"),
    }
    if can(user, "member.view"):
        stats = member_statistics(
            restrict(Member.objects.all(), user, "member.view"), timezone.localdate()
        )
        context |= {
            "stats": stats,
            "cells": restrict(Organisation.objects.active().cells(), user, "member.view").count(),
            "status_chart": _chart(
                [(label, stats[f"status_{value}"]) for value, label in MemberStatus.choices]
            ),
            "sex_chart": _chart([(label, stats[f"sex_{value}"]) for value, label in Sex.choices]),
            "age_chart": _chart(
                [(_AGE_LABELS[key], stats[f"age_{key}"]) for key, _low, _high in AGE_BANDS]
            ),
        }
    else:
        context["own_member"] = (
            Member.objects.filter(user=user).select_related("organisation").first()
        )
    return render(request, "site/home.html", context)


@login_required
def steering(request: HttpRequest) -> HttpResponse:
    """Bảng điều hành: tasks, reports and members of one organisation in scope, each figure
    leading to its child units and to the list behind it."""
    node = chosen_organisation(request.user, "org.view", request.GET.get("org"))
    return render(request, "site/steering.html", dashboard.context(request.user, node))


@login_required
def steering_members(request: HttpRequest) -> HttpResponse:
    """The members panel of the dashboard, loaded after the page (it may count many rows)."""
    node = chosen_organisation(request.user, "org.view", request.GET.get("org"))
    return render(request, "site/_members_panel.html", dashboard.member_context(request.user, node))


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Browse the audit log within the user's scope, by object or by user."""
    if not can(request.user, "audit.view"):
        raise PermissionDenied
    entries = restrict(AuditEntry.objects.all(), request.user, "audit.view").order_by("-seq")
    object_type = request.GET.get("object_type", "").strip()
    object_id = request.GET.get("object_id", "").strip()
    actor = request.GET.get("actor", "").strip()
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if actor:
        entries = entries.filter(actor_name=actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "site/audit_log.html",
        {"page": page, "object_type": object_type, "object_id": object_id, "actor": actor},
    )
