"""Organisation pages: the tree (today or on a date), one organisation, its reorganisations.

A reorganisation is a POST to its own URL; it re-reads the organisation through the user's
`org.manage` scope inside the transaction and calls one action of `orgs.actions`. A refusal
re-renders the organisation's page with the form as typed and the reason on it.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dangso.accounts.scope import can, restrict, scope_paths
from dangso.core.audit import Actor
from dangso.core.forms import show_errors
from dangso.orgs import actions
from dangso.orgs.forms import (
    ChildForm,
    DissolveForm,
    MergeForm,
    MoveForm,
    RenameForm,
    ReorganisationForm,
    TreeDateForm,
)
from dangso.orgs.models import Organisation, OrganisationVersion
from dangso.orgs.paths import id_of
from dangso.orgs.queries import current_tree, historical_tree, predecessors

TREE_LEVELS = 2  # levels shown below each root; deeper ones open from a node's link
MANAGE_FORMS: dict[str, type[ReorganisationForm]] = {
    "child": ChildForm,
    "rename": RenameForm,
    "move": MoveForm,
    "merge": MergeForm,
    "dissolve": DissolveForm,
}


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    """Cây tổ chức: the active tree in the user's scope, or as it stood on a date."""
    user = request.user
    if not can(user, "org.view"):
        raise PermissionDenied
    in_scope = restrict(Organisation.objects.active(), user, "org.view")
    root = None
    if request.GET.get("root", "").isdigit():
        root = get_object_or_404(
            restrict(Organisation.objects.all(), user, "org.view"), pk=request.GET["root"]
        )
    root_paths = [root.path] if root else scope_paths(user, "org.view")
    date_form = TreeDateForm(request.GET if "on" in request.GET else None)
    day = date_form.cleaned_data["on"] if date_form.is_valid() else None
    if day:
        within = [id_of(path) for path in root_paths]
        nodes = historical_tree(
            day,
            within=[*within, *predecessors(within)],
            linkable=restrict(Organisation.objects.all(), user, "org.view"),
            levels=TREE_LEVELS,
        )
    else:
        nodes = current_tree(in_scope, root_paths, levels=TREE_LEVELS)
    context = {"nodes": nodes, "date_form": date_form, "day": day, "root": root}
    return render(request, "orgs/tree.html", context)


_REASONS = {
    "created": gettext_lazy("Established"),
    "renamed": gettext_lazy("Renamed"),
    "moved": gettext_lazy("Moved"),
    "merged_parent": gettext_lazy("Its parent was merged"),
}


def _versions(org: Organisation) -> list[OrganisationVersion]:
    versions = list(org.versions.select_related("parent").order_by("-valid_from"))
    for version in versions:
        version.reason_label = _REASONS.get(version.reason, version.reason)  # type: ignore[attr-defined]
    return versions


def _managed(request: HttpRequest, pk: int, *, lock: bool = False) -> Organisation:
    organisations = Organisation.objects.all()
    if lock:
        organisations = organisations.select_for_update()
    return get_object_or_404(restrict(organisations, request.user, "org.manage"), pk=pk)


def _detail_page(
    request: HttpRequest, org: Organisation, bound: ReorganisationForm | None = None
) -> HttpResponse:
    user = request.user
    visible = restrict(Organisation.objects.all(), user, "org.view")
    manage_forms: dict[str, ReorganisationForm] = {}
    if org.is_active and can(user, "org.manage", org):
        for name, form_class in MANAGE_FORMS.items():
            if bound is not None and bound.prefix == name:
                manage_forms[name] = bound
            else:
                manage_forms[name] = form_class(organisation=org, user=user)
    context = {
        "org": org,
        "ancestors": visible.filter(pk__in=org.ancestor_ids()).order_by("depth"),
        "children": visible.filter(parent=org).order_by("code"),
        "versions": _versions(org),
        # Organisations merged into this one lie outside its subtree; their names and dates
        # are this organisation's history, and they are linked only where the user may look.
        "merged_from": org.merged_from.order_by("code"),
        "visible_ids": set(visible.filter(merged_into=org).values_list("pk", flat=True)),
        "subtree_members": visible.filter(path__startswith=org.path).aggregate(
            total=Sum("member_count")
        )["total"]
        or 0,
        "forms": manage_forms,
        "can_list_members": can(user, "member.view"),
    }
    return render(request, "orgs/detail.html", context)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(
        restrict(Organisation.objects.select_related("parent", "merged_into"), request.user,
                 "org.view"),
        pk=pk,
    )  # fmt: skip
    return _detail_page(request, org)


def _reorganise(
    request: HttpRequest,
    pk: int,
    name: str,
    perform: Callable[[Organisation, dict[str, Any], Actor], Organisation],
    success: str,
) -> HttpResponse:
    """Bind the form, call the action on the organisation re-read in scope, and answer."""
    org = _managed(request, pk)
    form = MANAGE_FORMS[name](request.POST, organisation=org, user=request.user)
    if form.is_valid():
        try:
            with transaction.atomic():
                result = perform(
                    _managed(request, pk, lock=True), form.cleaned_data,
                    Actor.from_request(request),
                )  # fmt: skip
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("orgs:detail", pk=result.pk)
    org = Organisation.objects.select_related("parent", "merged_into").get(pk=org.pk)
    return _detail_page(request, org, bound=form)


@require_POST
@login_required
def create_child(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(org: Organisation, data: dict[str, Any], actor: Actor) -> Organisation:
        return actions.create_organisation(
            code=data["code"].strip(), name=data["name"].strip(), kind=data["kind"], parent=org,
            valid_from=data["on"], actor=actor, short_name=data["short_name"].strip(),
        )  # fmt: skip

    return _reorganise(request, pk, "child", perform, _("The organisation was created."))


@require_POST
@login_required
def rename(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(org: Organisation, data: dict[str, Any], actor: Actor) -> Organisation:
        return actions.rename_organisation(
            org, name=data["name"].strip(), short_name=data["short_name"].strip(), on=data["on"],
            actor=actor,
        )  # fmt: skip

    return _reorganise(request, pk, "rename", perform, _("The organisation was renamed."))


@require_POST
@login_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(org: Organisation, data: dict[str, Any], actor: Actor) -> Organisation:
        return actions.move_organisation(
            org, new_parent=data["new_parent"], on=data["on"], actor=actor
        )

    return _reorganise(request, pk, "move", perform, _("The organisation was moved."))


@require_POST
@login_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(org: Organisation, data: dict[str, Any], actor: Actor) -> Organisation:
        result = actions.merge_organisations(
            list(data["sources"]), into=org, on=data["on"], actor=actor
        )
        return result.target

    return _reorganise(request, pk, "merge", perform, _("The organisations were merged."))


@require_POST
@login_required
def dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(org: Organisation, data: dict[str, Any], actor: Actor) -> Organisation:
        return actions.dissolve_organisation(org, on=data["on"], actor=actor)

    return _reorganise(request, pk, "dissolve", perform, _("The organisation was dissolved."))
