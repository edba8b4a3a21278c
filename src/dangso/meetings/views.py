"""Meeting pages: the committee's (list, schedule, the meeting page and its steps, minutes,
attendance rates) and the member portal's (my meetings, a meeting, answering, check-in by QR).

A committee page finds the meeting through `restrict(…, "meeting.view")`, so a meeting out of
scope is a 404; each step then needs `meeting.manage` over the cell. A portal page finds it
among the member's own cell's announced meetings only (`queries.member_meetings`).
"""

from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangso.accounts.scope import can, covers, require_capability, restrict, scope_roots
from dangso.core import files
from dangso.core.audit import Actor
from dangso.core.forms import show_errors
from dangso.core.responses import file_response
from dangso.meetings import actions, queries
from dangso.meetings.choices import MeetingStatus, Response
from dangso.meetings.forms import (
    DEFAULT_AGENDA,
    CancelForm,
    MaterialsForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
    ScheduleForm,
    meeting_initial,
)
from dangso.meetings.models import Material, Meeting
from dangso.meetings.printing import render_minutes_pdf
from dangso.members.models import Member
from dangso.orgs.choices import CELL_KINDS
from dangso.orgs.models import Organisation

PAGE_SIZE = 50


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meetings = restrict(
        Meeting.objects.select_related("cell", "cell__parent"), request.user, "meeting.view"
    )
    return get_object_or_404(meetings, pk=pk)


def _step(request: HttpRequest, pk: int) -> Meeting:
    meeting = _meeting(request, pk)
    if not covers(request.user, "meeting.manage", meeting.cell.path):
        raise PermissionDenied
    return meeting


def check_in_url(meeting: Meeting) -> str:
    path = reverse("member_meetings:check_in", args=[meeting.check_in_token])
    return f"{settings.DANGSO_BASE_URL}{path}"


def qr_svg(meeting: Meeting) -> str:
    """The meeting's QR code as inline SVG: the member's phone opens the check-in page."""
    code = segno.make(check_in_url(meeting), error="m")
    svg = code.svg_inline(scale=6, dark="#000", light="#fff")
    return mark_safe(svg)  # segno writes the SVG; nothing in it comes from a person


# --- committee pages ----------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Lịch sinh hoạt: the meetings of the cells in scope, newest first."""
    require_capability(request, "meeting.view")
    form = MeetingFilterForm(request.GET, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    node = None
    if data.get("org"):
        node = get_object_or_404(
            restrict(Organisation.objects.all(), request.user, "meeting.view"), pk=data["org"]
        )
    meetings = queries.meeting_list(request.user, cell=node, status=data.get("status") or "")
    page = Paginator(meetings.order_by("-starts_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    template = "meetings/_meeting_rows.html" if request.htmx else "meetings/list.html"  # type: ignore[attr-defined]
    response = render(
        request,
        template,
        {"form": form, "page": page, "can_schedule": can(request.user, "meeting.manage")},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Lên lịch sinh hoạt: a draft meeting for one of the cells the secretary runs."""
    require_capability(request, "meeting.manage")
    initial: dict[str, Any] = {"agenda": DEFAULT_AGENDA, "time": "19:30"}
    if request.GET.get("cell", "").isdigit():
        initial["cell"] = int(request.GET["cell"])
    form = ScheduleForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.schedule(
                form.meeting_data(), cell=form.cleaned_data["cell"],
                actor=Actor.from_request(request),
            )  # fmt: skip
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The meeting is scheduled as a draft."))
            return redirect("meetings:detail", pk=meeting.pk)
    context = {"form": form, "hours": settings.DANGSO_MEETING_MATERIALS_HOURS}
    return render(request, "meetings/new.html", context, status=422 if form.errors else 200)


def _detail_context(request: HttpRequest, meeting: Meeting, **forms: Any) -> dict[str, Any]:
    may_manage = covers(request.user, "meeting.manage", meeting.cell.path)
    before_start = meeting.status in (MeetingStatus.DRAFT, MeetingStatus.PUBLISHED)
    context: dict[str, Any] = {
        "meeting": meeting,
        "may_manage": may_manage,
        "materials": list(meeting.materials.all()),
        "deadline": actions.materials_deadline(meeting.starts_at),
        "rows": queries.attendance_list(meeting),
        "attendance": queries.minutes_attendance(meeting),
        "now": timezone.now(),
    }
    if may_manage:
        context.update({
            "edit_form": forms.get("edit") or MeetingForm(initial=meeting_initial(meeting))
            if before_start else None,
            "materials_form": forms.get("materials") or MaterialsForm() if before_start else None,
            "cancel_form": forms.get("cancel") or CancelForm() if before_start else None,
            "minutes_form": forms.get("minutes") or MinutesForm(initial={
                name: getattr(meeting, name) for name in actions.MINUTES_FIELDS
            }) if meeting.minutes_editable else None,
            "step_error": forms.get("step_error"),
            "qr": qr_svg(meeting) if meeting.status == MeetingStatus.OPEN else "",
            "check_in_link": check_in_url(meeting) if meeting.status == MeetingStatus.OPEN else "",
        })  # fmt: skip
    return context


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return render(request, "meetings/detail.html", _detail_context(request, meeting))


def _run_step(
    request: HttpRequest,
    meeting: Meeting,
    form: Any,
    name: str,
    act: Callable[[dict[str, Any], Actor], object],
    done: str,
) -> HttpResponse:
    """Call the step's action with the form's data: back to the meeting page with `done`, or
    the page again with the reason and what was typed (422), nothing written."""
    if form is None or form.is_valid():
        try:
            act(form.cleaned_data if form is not None else {}, Actor.from_request(request))
        except ValidationError as error:
            if form is None:
                context = _detail_context(request, meeting, step_error=error.messages)
                return render(request, "meetings/detail.html", context, status=422)
            show_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("meetings:detail", pk=meeting.pk)
    context = _detail_context(request, meeting, **{name: form})
    return render(request, "meetings/detail.html", context, status=422)


@login_required
@require_POST
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _step(request, pk)

    def act(data: dict[str, Any], actor: Actor) -> object:
        return actions.edit(meeting, form.meeting_data(), actor=actor)

    form = MeetingForm(request.POST)
    return _run_step(request, meeting, form, "edit", act, _("The meeting was changed."))


@login_required
@require_POST
def meeting_materials(request: HttpRequest, pk: int) -> HttpResponse:
    """Đăng tài liệu sinh hoạt."""
    meeting = _step(request, pk)

    def act(data: dict[str, Any], actor: Actor) -> object:
        uploads = [actions.Upload(item.name or "", item.read()) for item in data["materials"]]
        return actions.add_materials(meeting, uploads, actor=actor)

    form = MaterialsForm(request.POST, request.FILES)
    return _run_step(request, meeting, form, "materials", act, _("Materials added."))


@login_required
@require_POST
def material_remove(request: HttpRequest, pk: int, material_id: int) -> HttpResponse:
    meeting = _step(request, pk)
    material = get_object_or_404(Material, pk=material_id, meeting=meeting)

    def act(data: dict[str, Any], actor: Actor) -> object:
        actions.remove_material(material, actor=actor)
        return None

    return _run_step(request, meeting, None, "", act, _("The file was removed."))


def serve_material(request: HttpRequest, material: Material, back: str) -> HttpResponse:
    """A meeting's material, checked against its hash (a clear page when it was altered)."""
    try:
        content = actions.material_bytes(material)
    except files.IntegrityFailure as failure:
        return render(request, "meetings/integrity_failure.html",
                      {"message": failure.message, "back": back}, status=409)  # fmt: skip
    return file_response(content, material.content_type, material.name)


@login_required
def material(request: HttpRequest, pk: int, material_id: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = get_object_or_404(Material, pk=material_id, meeting=meeting)
    return serve_material(request, item, reverse("meetings:detail", args=[meeting.pk]))


def _simple_step(
    request: HttpRequest, pk: int, act: Callable[[Meeting, Actor], object], done: str
) -> HttpResponse:
    meeting = _step(request, pk)
    return _run_step(request, meeting, None, "", lambda _data, actor: act(meeting, actor), done)


@login_required
@require_POST
def meeting_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Thông báo: members and the committee above are told; the meeting shows in the portal."""
    return _simple_step(
        request, pk, lambda meeting, actor: actions.publish(meeting, actor=actor),
        _("The meeting is announced to the members and to the committee above."),
    )  # fmt: skip


@login_required
@require_POST
def meeting_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_step(
        request, pk, lambda meeting, actor: actions.open_meeting(meeting, actor=actor),
        _("The meeting is in session: members can check in."),
    )  # fmt: skip


@login_required
@require_POST
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_step(
        request, pk, lambda meeting, actor: actions.close(meeting, actor=actor),
        _("The meeting is closed."),
    )  # fmt: skip


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _step(request, pk)

    def act(data: dict[str, Any], actor: Actor) -> object:
        return actions.cancel(meeting, reason=data["reason"], actor=actor)

    form = CancelForm(request.POST)
    return _run_step(request, meeting, form, "cancel", act, _("The meeting is cancelled."))


def _attendance_step(
    request: HttpRequest, pk: int, member_id: int, act: Callable[[Meeting, Member, Actor], object],
    done: str,
) -> HttpResponse:  # fmt: skip
    meeting = _step(request, pk)
    member = get_object_or_404(
        Member.objects.filter(
            Q(organisation=meeting.cell) | Q(pk__in=meeting.attendances.values("member_id"))
        ),
        pk=member_id,
    )
    if request.htmx:  # type: ignore[attr-defined]
        try:
            act(meeting, member, Actor.from_request(request))
        except ValidationError as error:
            return HttpResponse(" ".join(error.messages), status=422)
        row = meeting.attendances.select_related("member", "checked_in_by").get(member=member)
        return render(request, "meetings/_attendance_row.html",
                      {"row": row, "meeting": meeting, "may_manage": True})  # fmt: skip
    return _run_step(
        request, meeting, None, "", lambda _data, actor: act(meeting, member, actor), done
    )


@login_required
@require_POST
def attendance_check_in(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    """Điểm danh: the secretary marks a member present."""
    return _attendance_step(
        request, pk, member_id,
        lambda meeting, member, actor: actions.check_in(meeting, member, actor=actor),
        _("Checked in."),
    )  # fmt: skip


@login_required
@require_POST
def attendance_leave(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    """A leave the member asked for in person, recorded by the secretary with its reason."""
    reason = request.POST.get("reason", "")
    return _attendance_step(
        request, pk, member_id,
        lambda meeting, member, actor: actions.respond(
            meeting, member, answer=Response.LEAVE, reason=reason, actor=actor
        ),
        _("Leave recorded."),
    )  # fmt: skip


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Ghi biên bản (draft): attendance comes from the check-in list."""
    meeting = _step(request, pk)

    def act(data: dict[str, Any], actor: Actor) -> object:
        return actions.record_minutes(meeting, data, actor=actor)

    form = MinutesForm(request.POST)
    return _run_step(request, meeting, form, "minutes", act, _("The minutes are saved."))


@login_required
@require_POST
def minutes_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_step(
        request, pk, lambda meeting, actor: actions.finalise_minutes(meeting, actor=actor),
        _("The minutes are final."),
    )  # fmt: skip


@login_required
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Biên bản sinh hoạt chi bộ, printed: marked as a draft until finalised; before the
    meeting, the form to fill in by hand where there is no network in the hall."""
    meeting = _meeting(request, pk)
    name = f"bien-ban-sinh-hoat-{timezone.localtime(meeting.starts_at):%Y-%m-%d}.pdf"
    return file_response(render_minutes_pdf(meeting), "application/pdf", name)


def _node(request: HttpRequest) -> Organisation:
    organisations = restrict(Organisation.objects.all(), request.user, "meeting.view")
    pk = request.GET.get("org", "")
    if pk.isdigit():
        return get_object_or_404(organisations, pk=int(pk))
    roots = scope_roots(request.user, "meeting.view")
    if not roots:
        raise PermissionDenied
    return roots[0]


@login_required
def rates(request: HttpRequest) -> HttpResponse:
    """Tỷ lệ dự sinh hoạt: per cell under an organisation in scope, last twelve months."""
    require_capability(request, "meeting.view")
    node = _node(request)
    since = queries.rate_since()
    cells = queries.cells_under(request.user, node)
    rows = queries.with_rates(cells, since).order_by("path")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    held, total = queries.total_rate(cells, since)
    form = MeetingFilterForm(request.GET, user=request.user)
    return render(request, "meetings/rates.html", {
        "node": node, "page": page, "since": since, "held": held, "total": total, "form": form,
        "rows": [(cell, queries.cell_rate(cell)) for cell in page],
    })  # fmt: skip


@login_required
def rates_cell(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance rate of each member of one cell."""
    require_capability(request, "meeting.view")
    cells = Organisation.objects.filter(kind__in=CELL_KINDS)
    cell = get_object_or_404(restrict(cells, request.user, "meeting.view"), pk=pk)
    since = queries.rate_since()
    return render(request, "meetings/rates_cell.html", {
        "cell": cell, "since": since, "rows": queries.member_rates(cell, since),
    })  # fmt: skip
