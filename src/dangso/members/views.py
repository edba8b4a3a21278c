"""Member pages: overview, list (with htmx search and .xlsx export), record, edit, events.

Each view parses, authorises through `restrict()`, calls one action and renders. A write
re-reads its record through the same restricted queryset inside the transaction, so a record
that left the user's scope in the meantime is a 404 and nothing is written.
"""

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from dangso.accounts.scope import (
    can,
    organisation_options,
    require_capability,
    restrict,
    scope_roots,
)
from dangso.core.audit import Actor
from dangso.core.forms import show_errors
from dangso.core.models import AuditEntry
from dangso.core.spreadsheets import XLSX_CONTENT_TYPE
from dangso.members import actions
from dangso.members.exports import export_members
from dangso.members.forms import (
    AdmissionForm,
    EventForm,
    MemberFilterForm,
    MemberForm,
    ReceiveForm,
)
from dangso.members.models import Member
from dangso.members.queries import (
    filter_members,
    holds,
    readable_members,
    vietnamese_order,
)
from dangso.orgs.models import Organisation

PAGE_SIZE = 50
HISTORY_SIZE = 50


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    """Danh sách đảng viên in the user's scope; htmx requests get only the results."""
    require_capability(request, "member.view")
    form = MemberFilterForm(request.GET, user=request.user)
    members = restrict(Member.objects.select_related("organisation"), request.user, "member.view")
    members = (
        vietnamese_order(filter_members(members, form.filters()))
        if form.is_valid()
        else members.none()
    )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    if request.htmx and not request.htmx.history_restore_request:  # type: ignore[attr-defined]
        response = render(request, "members/_results.html", context)
    else:
        context["organisation_options"] = _organisation_options(request.user, form)
        context["can_admit"] = can(request.user, "member.event")
        response = render(request, "members/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _organisation_options(user: Any, form: MemberFilterForm) -> list[tuple[int, str]]:
    options = organisation_options(user, "member.view")
    chosen = form.cleaned_data.get("organisation") if form.is_valid() else None
    if chosen is not None and chosen.pk not in {pk for pk, _name in options}:
        options.insert(0, (chosen.pk, chosen.name))
    return options


@login_required
def member_export(request: HttpRequest) -> HttpResponse:
    """The current filtered list as .xlsx; the export is one audited read."""
    require_capability(request, "member.view")
    form = MemberFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        messages.error(request, _("The filters are not valid; nothing was exported."))
        return redirect("members:list")
    filters = form.filters()
    members = restrict(Member.objects.select_related("organisation"), request.user, "member.view")
    out = io.BytesIO()
    export_members(
        vietnamese_order(filter_members(members, filters)),
        filters=filters.as_audit(),
        actor=Actor.from_request(request),
        out=out,
        scope=filters.organisation or _single_scope_root(request.user),
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="dang-vien-{stamp}.xlsx"'
    return response


def _single_scope_root(user: Any) -> Organisation | None:
    roots = scope_roots(user, "member.view")
    return roots[0] if len(roots) == 1 else None


def _field_labels() -> dict[str, str]:
    return {field.name: str(capfirst(field.verbose_name)) for field in Member._meta.fields}


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's full record; every view of it is audited (DESIGN rule 2)."""
    member = get_object_or_404(readable_members(request.user), pk=pk)
    actions.view_member(member, actor=Actor.from_request(request))
    as_officer = holds(request.user, "member.view", member)
    history = []
    if as_officer:
        history = list(
            AuditEntry.objects.filter(object_type="members.member", object_id=str(member.pk))
            .exclude(action="member.view")
            .order_by("-seq")[:HISTORY_SIZE]
        )
    context = {
        "member": member,
        "labels": _field_labels(),
        "events": member.events.select_related("from_organisation", "to_organisation"),
        "history": history,
        "as_officer": as_officer,
        "can_edit": holds(request.user, "member.edit", member),
        "can_record_event": holds(request.user, "member.event", member),
    }
    return render(request, "members/detail.html", context)


def _locked(request: HttpRequest, capability: str, pk: int) -> Member:
    """The member for a write: read again through the scope, locked, inside the transaction."""
    members = restrict(Member.objects.select_for_update(of=("self",)), request.user, capability)
    return get_object_or_404(members, pk=pk)


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Sửa lý lịch: correct fields of the record. Nothing is written when a rule refuses."""
    member = get_object_or_404(
        restrict(Member.objects.select_related("organisation"), request.user, "member.edit"), pk=pk
    )
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "GET":
        actions.view_member(member, actor=Actor.from_request(request))  # the form shows it all
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                actions.update_member(
                    _locked(request, "member.edit", pk), form.cleaned_data,
                    actor=Actor.from_request(request),
                )  # fmt: skip
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The record was saved."))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/edit.html", {"member": member, "form": form})


@login_required
def member_event(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a lifecycle event (official recognition, transfer, exemption, death, …)."""
    member = get_object_or_404(
        restrict(Member.objects.select_related("organisation"), request.user, "member.event"),
        pk=pk,
    )
    form = EventForm(request.POST or None, user=request.user, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                event = actions.record_event(
                    _locked(request, "member.event", pk), form.cleaned_data["kind"],
                    actor=Actor.from_request(request), **form.action_arguments(),
                )  # fmt: skip
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(
                request, _("Recorded: %(event)s.") % {"event": event.get_kind_display()}
            )
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/event.html", {"member": member, "form": form})


@login_required
def member_create(request: HttpRequest) -> HttpResponse:
    """Kết nạp: admit a new probationary member into a cell of the user's scope."""
    require_capability(request, "member.event")
    initial = {"organisation": request.GET.get("organisation")}
    form = AdmissionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = actions.admit_member(
                data,
                organisation=data["organisation"],
                actor=Actor.from_request(request),
                decision_number=data["decision_number"],
                over_60_approved=data["over_60_approved"],
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("%(name)s was admitted.") % {"name": member.full_name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/create.html", {"form": form, "receiving": False})


@login_required
def member_receive(request: HttpRequest) -> HttpResponse:
    """Tiếp nhận: record a member transferred in from outside the system."""
    require_capability(request, "member.event")
    initial = {"organisation": request.GET.get("organisation"), "received_on": timezone.localdate()}
    form = ReceiveForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = actions.receive_member(
                data,
                organisation=data["organisation"],
                received_on=data["received_on"],
                origin=data["origin"],
                decision_number=data["decision_number"],
                actor=Actor.from_request(request),
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("%(name)s was received.") % {"name": member.full_name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/create.html", {"form": form, "receiving": True})
