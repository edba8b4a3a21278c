"""The member's cell meetings in the handbook: coming and past meetings with their
attendance, confirming or asking leave, the published materials, and checking in by the
meeting's QR code. Only the member's own cell's meetings exist here (others answer 404)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from dangso.core.audit import Actor
from dangso.core.forms import show_errors
from dangso.handbook.portal import member_view
from dangso.meetings import actions, queries
from dangso.meetings.choices import Response
from dangso.meetings.forms import RespondForm
from dangso.meetings.models import Material, Meeting
from dangso.meetings.views import serve_material


@member_view
def portal_list(request: HttpRequest) -> HttpResponse:
    """Sinh hoạt chi bộ: my cell's coming meetings, and past ones with my attendance."""
    member = request.member  # type: ignore[attr-defined]
    past = Paginator(queries.past_for_member(member), 20).get_page(request.GET.get("page"))
    return render(request, "handbook/meetings/portal_list.html", {
        "member": member, "upcoming": list(queries.upcoming_for_member(member)), "past": past,
        "rate": queries.member_rate(member),
    })  # fmt: skip


def _my_meeting(request: HttpRequest, pk: int) -> Meeting:
    member = request.member  # type: ignore[attr-defined]
    return get_object_or_404(queries.member_meetings(member), pk=pk)


def _portal_context(request: HttpRequest, meeting: Meeting, form: Any = None) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "materials": meeting.materials.filter(published_at__isnull=False),
        "form": form or RespondForm(initial={"reason": meeting.my_reason or ""}),  # type: ignore[attr-defined]
    }


@member_view
def portal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _my_meeting(request, pk)
    return render(
        request, "handbook/meetings/portal_detail.html", _portal_context(request, meeting)
    )


@member_view
@require_POST
def portal_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """Xác nhận tham dự / Xin vắng (with the reason)."""
    meeting = _my_meeting(request, pk)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            actions.respond(
                meeting, request.member,  # type: ignore[attr-defined]
                answer=form.cleaned_data["answer"], reason=form.cleaned_data["reason"],
                actor=Actor.from_request(request),
            )  # fmt: skip
        except ValidationError as error:
            show_errors(form, error)
        else:
            confirmed = form.cleaned_data["answer"] == Response.CONFIRMED
            messages.success(
                request,
                _("Your attendance is confirmed.") if confirmed else _("Your leave is recorded."),
            )
            return redirect("member_meetings:detail", pk=meeting.pk)
    context = _portal_context(request, meeting, form)
    return render(request, "handbook/meetings/portal_detail.html", context, status=422)


@xframe_options_sameorigin
@member_view
def portal_material(request: HttpRequest, pk: int, material_id: int) -> HttpResponse:
    meeting = _my_meeting(request, pk)
    item = get_object_or_404(Material, pk=material_id, meeting=meeting, published_at__isnull=False)
    return serve_material(request, item, reverse("member_meetings:detail", args=[meeting.pk]))


@member_view
def check_in(request: HttpRequest, token: str) -> HttpResponse:
    """Điểm danh bằng mã QR: the page the meeting's QR code opens (after signing in, the
    sign-in page comes back here). Another cell's code is a 404, like any other cell's page."""
    member = request.member  # type: ignore[attr-defined]
    meeting = get_object_or_404(queries.member_meetings(member), check_in_token=token)
    error = ""
    if request.method == "POST":
        try:
            actions.check_in_self(meeting, member, token=token, actor=Actor.from_request(request))
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("You are checked in. Have a good meeting."))
            return redirect("member_meetings:detail", pk=meeting.pk)
    row = meeting.attendances.filter(member=member).first()
    context = {"meeting": meeting, "row": row, "error": error}
    return render(
        request, "handbook/meetings/check_in.html", context, status=422 if error else 200,
    )  # fmt: skip
