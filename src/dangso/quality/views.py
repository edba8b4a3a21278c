"""Data-quality pages: the leaders' dashboard, the cell secretary's worklist with fixes in
place, and the queue of likely duplicates.

Each view parses, authorises through `restrict()`, calls one action and renders. A write
re-reads its record (or pair) through the same restricted queryset inside the transaction, so
one that left the user's scope in the meantime is a 404 and nothing is written.
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangso.accounts.scope import covers, organisation_options, require_capability, restrict
from dangso.core.audit import Actor
from dangso.core.forms import show_errors
from dangso.members import actions as member_actions
from dangso.members.actions import EDITABLE_FIELDS
from dangso.members.models import Member
from dangso.members.queries import vietnamese_order
from dangso.members.rules import RULES, WARNINGS
from dangso.orgs.models import Organisation
from dangso.quality import actions, queries
from dangso.quality.forms import ScopeForm, WorklistForm, fix_form
from dangso.quality.matching import REASONS
from dangso.quality.models import DuplicateCandidate, MemberProblem
from dangso.quality.tasks import check_subtree

WORKLIST_PAGE = 25
PAIRS_PAGE = 20
# Above this many members, "Check now" goes to the background worker instead of the request.
SYNC_CHECK_LIMIT = 200_000
_CHART = {"width": 600, "height": 180, "pad": 32}


def _scope_form(request: HttpRequest, form_class: type[ScopeForm], capability: str) -> Any:
    """The page's filters; an organisation out of the user's scope is a 404, as its page is."""
    form = form_class(request.GET or None, user=request.user, capability=capability)
    if form.is_bound and not form.is_valid() and "organisation" in form.errors:
        raise Http404
    return form


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _trend_chart(points: list[queries.TrendPoint]) -> dict[str, Any] | None:
    """Coordinates of the inline SVG line of % clean (viewBox 600 × 180), oldest day first."""
    if not points:
        return None
    width, height, pad = _CHART["width"], _CHART["height"], _CHART["pad"]
    span = max(len(points) - 1, 1)
    dots = []
    for index, point in enumerate(points):
        x = pad + (width - 2 * pad) * (index / span if len(points) > 1 else 0.5)
        y = height - pad - (height - 2 * pad) * point.percent_clean / 100
        dots.append({"x": round(x, 1), "y": round(y, 1), "point": point})
    grid = [
        {"y": round(height - pad - (height - 2 * pad) * level / 100, 1), "label": level}
        for level in (0, 50, 100)
    ]
    return {
        **_CHART,
        "dots": dots,
        "line": " ".join(f"{dot['x']},{dot['y']}" for dot in dots),
        "grid": grid,
        "first": points[0],
        "last": points[-1],
    }


def _with_today(
    points: list[queries.TrendPoint], figures: queries.Figures, today: datetime.date
) -> list[queries.TrendPoint]:
    """The recorded days, and today's figure as it stands now (the headline number)."""
    points = [point for point in points if point.day != today]
    if figures.members:
        points.append(queries.TrendPoint(today, figures.members, figures.clean))
    return points


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Chất lượng dữ liệu: % clean of the user's part of the tree, by rule, over time, and per
    child organisation (worst first)."""
    require_capability(request, "member.view")
    user = request.user
    form = _scope_form(request, ScopeForm, "member.view")
    roots = queries.scope_roots(user, "member.view", form.chosen)
    if len(roots) == 1:
        figures = queries.subtree_figures(user, roots[0])
        rows = figures.children
    else:
        figures = queries.Figures()
        rows = []
        for each in roots:
            part = queries.subtree_figures(user, each)
            figures.add(part)
            rows.append(part)
    by_rule = sorted(
        (
            {"code": code, "label": RULES[code], "count": count, "warning": code in WARNINGS}
            for code, count in figures.by_rule.items()
            if code in RULES
        ),
        key=lambda row: -row["count"],
    )
    today = timezone.localdate()
    root: Organisation | None = roots[0] if len(roots) == 1 else None
    parent = None
    if root is not None and root.parent_id:
        parent = (
            restrict(Organisation.objects.all(), user, "member.view")
            .filter(pk=root.parent_id)
            .first()
        )
    context = {
        "form": form,
        "root": root,
        "parent": parent,
        "figures": figures,
        "rows": rows,
        "by_rule": by_rule,
        "chart": _trend_chart(_with_today(queries.trend(user, roots, today=today), figures, today)),
        "can_check": root is not None and covers(user, "member.edit", root.path),
    }
    return render(request, "quality/dashboard.html", context)


@login_required
@require_POST
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """Kiểm tra ngay: re-check the members of an organisation's subtree. A subtree of up to
    SYNC_CHECK_LIMIT members is checked in the request (about 100,000 members a second on
    PostgreSQL); a bigger one is queued for the worker."""
    organisation = get_object_or_404(
        restrict(Organisation.objects.all(), request.user, "member.edit"), pk=pk
    )
    subtree = restrict(Organisation.objects.all(), request.user, "member.edit").filter(
        path__startswith=organisation.path
    )
    members = subtree.aggregate(total=Sum("member_count"))["total"] or 0
    actor = Actor.from_request(request)
    if members > SYNC_CHECK_LIMIT:
        check_subtree.enqueue(organisation.pk, actor.user_id, actor.name, actor.address)
        messages.info(
            request,
            _("The check of %(count)s members was queued; the figures change when it is done.")
            % {"count": members},
        )
    else:
        result = actions.check_scope(organisation, actor=actor)
        messages.success(
            request,
            _("%(count)s members checked: %(unclean)s need fixing.")
            % {"count": result.members, "unclean": result.unclean},
        )
    target = "quality:worklist" if request.POST.get("back") == "worklist" else "quality:dashboard"
    return redirect(f"{reverse(target)}?organisation={organisation.pk}")


def _options(user: Any, capability: str, chosen: Organisation | None) -> list[tuple[int, str]]:
    """The organisation filter's choices: the top of the user's tree, and the chosen one."""
    options = organisation_options(user, capability)
    if chosen is not None and chosen.pk not in {pk for pk, _name in options}:
        options.insert(0, (chosen.pk, chosen.name))
    return options


def _item(member: Member, form: Any = None) -> dict[str, Any]:
    problems: list[MemberProblem] = list(member.problems.all())  # type: ignore[attr-defined]
    return {
        "member": member,
        "lines": queries.problem_lines(member, problems),
        "fields": queries.fix_fields(member, problems),
        "form": form,
    }


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """Danh sách cần sửa: the members in the user's scope whose records break a rule."""
    require_capability(request, "member.edit")
    user = request.user
    form = _scope_form(request, WorklistForm, "member.edit")
    members: QuerySet[Member]
    if form.is_bound and not form.is_valid():
        members = Member.objects.none()
    else:
        data = form.cleaned_data if form.is_bound else {}
        members = queries.worklist(
            user,
            organisation=data.get("organisation"),
            rule=data.get("rule", ""),
            query=data.get("q", "").strip(),
        )
    page = Paginator(vietnamese_order(members), WORKLIST_PAGE).get_page(request.GET.get("page"))
    roots = queries.scope_roots(user, "member.edit", form.chosen)
    context = {
        "form": form,
        "page": page,
        "items": [_item(member) for member in page.object_list],
        "check_root": roots[0] if len(roots) == 1 else None,
        "organisation_options": _options(user, "member.edit", form.chosen),
    }
    return render(request, "quality/worklist.html", context)


def _fixing(request: HttpRequest, pk: int) -> Member:
    members = restrict(Member.objects.select_related("organisation"), request.user, "member.edit")
    return get_object_or_404(members.prefetch_related("problems"), pk=pk)


def _posted_fields(request: HttpRequest, member: Member) -> list[str]:
    """The fields of the form as it was shown (those the person could type in)."""
    posted = request.POST.get("fields", "").split(",")
    fields = [name for name in EDITABLE_FIELDS if name in posted]
    return fields or queries.fix_fields(member, list(member.problems.all()))  # type: ignore[attr-defined]


@login_required
def fix(request: HttpRequest, pk: int) -> HttpResponse:
    """Sửa tại chỗ: the offending fields of one record, saved through `update_member`; the
    answer is the record re-checked, or the form as typed with the reason on each field."""
    member = _fixing(request, pk)
    if request.method == "GET" and "cancel" in request.GET:
        return render(request, "quality/_worklist_item.html", {"item": _item(member)})
    if request.method == "POST":
        fields = _posted_fields(request, member)
        form = fix_form(member, fields, request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    locked = restrict(
                        Member.objects.select_for_update(of=("self",)), request.user, "member.edit"
                    )
                    member_actions.update_member(
                        get_object_or_404(locked, pk=pk),
                        form.cleaned_data,
                        actor=Actor.from_request(request),
                    )
            except ValidationError as error:
                show_errors(form, error)
            else:
                fixed = _fixing(request, pk)
                if not _is_htmx(request):
                    messages.success(request, _("The record was saved."))
                    return redirect("quality:worklist")
                context = {"item": _item(fixed), "saved": True}
                return render(request, "quality/_worklist_item.html", context)
    else:
        fields = queries.fix_fields(member, list(member.problems.all()))  # type: ignore[attr-defined]
        form = fix_form(member, fields)
    context = {"item": _item(member, form), "fields": ",".join(fields)}
    template = "quality/_worklist_item.html" if _is_htmx(request) else "quality/fix.html"
    return render(request, template, context)


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    """Hồ sơ nghi trùng: pairs of records in scope that are probably one person."""
    require_capability(request, "member.edit")
    form = _scope_form(request, ScopeForm, "member.edit")
    found = queries.open_pairs(request.user, form.chosen)
    page = Paginator(found, PAIRS_PAGE).get_page(request.GET.get("page"))
    cards = [
        {
            "pair": pair,
            "rows": queries.pair_rows(pair),
            "reasons": [REASONS[code] for code in pair.reasons if code in REASONS],
        }
        for pair in page.object_list
    ]
    context = {
        "form": form,
        "page": page,
        "cards": cards,
        "organisation_options": _options(request.user, "member.edit", form.chosen),
    }
    return render(request, "quality/duplicates.html", context)


def _decided(request: HttpRequest, pair: DuplicateCandidate, text: str) -> HttpResponse:
    if _is_htmx(request):
        return render(request, "quality/_pair_done.html", {"pair": pair, "text": text})
    messages.success(request, text)
    return redirect("quality:duplicates")


def _refused(request: HttpRequest, pk: int, error: ValidationError) -> HttpResponse:
    text = " ".join(error.messages)
    if _is_htmx(request):
        context = {"pair_id": pk, "text": text, "refused": True}
        return render(request, "quality/_pair_done.html", context)
    messages.error(request, text)
    return redirect("quality:duplicates")


def _locked_pair(request: HttpRequest, pk: int) -> DuplicateCandidate:
    return get_object_or_404(queries.pairs(request.user).select_for_update(of=("self",)), pk=pk)


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Gộp: the pair is one person; the record chosen in `keep` ("a" or "b") stays."""
    try:
        with transaction.atomic():
            pair = _locked_pair(request, pk)
            side = request.POST.get("keep")
            if side not in ("a", "b"):
                raise ValidationError(_("Choose which record to keep."))
            keep = pair.member_a if side == "a" else pair.member_b
            actions.merge_duplicate(pair, keep=keep, actor=Actor.from_request(request))
    except ValidationError as error:
        return _refused(request, pk, error)
    return _decided(
        request, pair, _("Merged: %(name)s's record was kept.") % {"name": keep.full_name}
    )


@login_required
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Không phải một người: the pair is not proposed again."""
    try:
        with transaction.atomic():
            pair = _locked_pair(request, pk)
            actions.dismiss_duplicate(pair, Actor.from_request(request))
    except ValidationError as error:
        return _refused(request, pk, error)
    return _decided(request, pair, _("Marked as two different people."))
