"""Portal pages for members (mobile first) and the cell committee's handbook pages.

Member pages go through `portal.member_view`: they show only the signed-in member's own
record, what their cell and the organisations above it published, their own study and threads.
"""

import json
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Exists, OuterRef, When
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from dangso.accounts.scope import require_capability, restrict
from dangso.core import files
from dangso.core.audit import Actor
from dangso.core.files import Upload
from dangso.core.forms import show_errors
from dangso.core.responses import file_response
from dangso.handbook import actions, library
from dangso.handbook import study as study_queries
from dangso.handbook.choices import ThreadStatus
from dangso.handbook.forms import (
    ActivateForm,
    CampaignForm,
    DecisionForm,
    LibraryFilterForm,
    PublishForm,
    ReflectionForm,
    ReplyForm,
    ThreadForm,
)
from dangso.handbook.models import (
    Publication,
    ReadingMark,
    StudyCampaign,
    StudyRecord,
    Thread,
)
from dangso.handbook.portal import member_view
from dangso.members.choices import PORTAL_STATUSES
from dangso.members.models import Member
from dangso.orgs.models import Organisation


def _labelled(rows: Iterable[Any], field: str) -> list[Any]:
    """The rows, each with `<field>_label`: what `get_<field>_display()` shows, looked up in one
    dictionary made once (get_<field>_display() translates every choice of the field at each
    call: 16 for a member's event)."""
    rows = list(rows)
    if rows:
        labels = dict(rows[0]._meta.get_field(field).flatchoices)
        for row in rows:
            value = getattr(row, field)
            setattr(row, f"{field}_label", labels.get(value, value))
    return rows


@member_view
def home(request: HttpRequest) -> HttpResponse:
    """Trang chủ: the member's summary, own history, upcoming meetings, new documents and
    unread answers."""
    from dangso.meetings.queries import upcoming_titles

    member = request.member  # type: ignore[attr-defined]
    return render(
        request,
        "handbook/home.html",
        {
            "member": _labelled([member], "status")[0],
            "events": _labelled(member.events.order_by("-date", "-pk")[:10], "kind"),
            "meetings": upcoming_titles(member)[:3],
            "documents": _labelled(library.new_for(member)[:5], "kind"),
            "answers": _labelled(
                Thread.objects.filter(member=member, member_unread=True)[:5], "status"
            ),
        },
    )


@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the portal installs on a phone's home screen."""
    data: dict[str, Any] = {
        "name": _("Party member handbook"),
        "short_name": "Sổ tay ĐV",
        "start_url": reverse("handbook:home"),
        "scope": reverse("handbook:home"),
        "display": "standalone",
        "background_color": "#f7f4f2",
        "theme_color": "#b71c1c",
        "lang": "vi",
        "icons": [
            {"src": static("handbook/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("handbook/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("handbook/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /handbook/ so that it controls the portal's pages."""
    offline = reverse("handbook:offline")
    script = render(
        request,
        "handbook/sw.js",
        {"offline_url": json.dumps(offline), "static_urls": json.dumps(_shell())},
    ).content
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("handbook:home")
    response["Cache-Control"] = "no-cache"
    return response


def _shell() -> list[str]:
    return [
        static("vendor/bootstrap/bootstrap.min.css"),
        static("vendor/bootstrap-icons/bootstrap-icons.min.css"),
        static("core/dangso.css"),
        static("handbook/portal.css"),
        static("handbook/portal.js"),
        static("vendor/bootstrap/bootstrap.bundle.min.js"),
        static("vendor/htmx/htmx.min.js"),
    ]


def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page that is not saved, when the phone is offline."""
    return render(request, "handbook/offline.html")


# --- accounts -----------------------------------------------------------------------------


def activate_view(request: HttpRequest) -> HttpResponse:
    """Kích hoạt tài khoản: the member's number, the code from the secretary, a new password.
    The same page sets a new password when the secretary gives a new code."""
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.activate(
                data["number"],
                data["code"],
                data["password"],
                address=Actor.from_request(request).address,
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your handbook account is ready."))
            return redirect("handbook:home")
    return render(request, "handbook/activate.html", {"form": form})


# --- library ------------------------------------------------------------------------------


@member_view
def library_view(request: HttpRequest) -> HttpResponse:
    """Thư viện: what the member's cell and the organisations above it published."""
    member = request.member  # type: ignore[attr-defined]
    form = LibraryFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    text, kind, only = data.get("q") or "", data.get("kind") or "", data.get("only") or ""
    if only:  # narrowed by the marks: they are part of the query
        publications = library.filtered(member, text=text, kind=kind, only=only)
        page = Paginator(publications.only(*library.ROW_FIELDS), 20).get_page(
            request.GET.get("page")
        )
    else:  # the marks of the page's rows only, in one query
        publications = library.narrowed(member, text=text, kind=kind)
        page = Paginator(publications.only(*library.ROW_FIELDS), 20).get_page(
            request.GET.get("page")
        )
        page.object_list = library.add_marks(page.object_list, member)
    page.object_list = _labelled(page.object_list, "kind")
    template = "handbook/_library_rows.html" if request.htmx else "handbook/library.html"  # type: ignore[attr-defined]
    response = render(request, template, {"form": form, "page": page})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _publication(request: HttpRequest, pk: int) -> Publication:
    member = request.member  # type: ignore[attr-defined]
    return get_object_or_404(library.visible_to(member), pk=pk)


@member_view
def publication(request: HttpRequest, pk: int) -> HttpResponse:
    """A library document, its PDF shown in the page; opening it marks it read."""
    member = request.member  # type: ignore[attr-defined]
    [item] = library.add_marks([_publication(request, pk)], member)
    if not item.is_read:  # type: ignore[attr-defined]  # read before: nothing to write
        actions.mark(member, item, read=True)
    return render(request, "handbook/publication.html", {"item": _labelled([item], "kind")[0]})


@xframe_options_sameorigin
@member_view
def publication_file(request: HttpRequest, pk: int) -> HttpResponse:
    item = _publication(request, pk)
    if not item.file_storage_name:
        raise Http404
    try:
        content = actions.publication_bytes(item)
    except files.IntegrityFailure as failure:
        return HttpResponse(failure.message, status=409, content_type="text/plain; charset=utf-8")
    return file_response(content, item.content_type, item.file_name)


@member_view
@require_POST
def publication_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """Bookmark or un-bookmark, mark read or unread."""
    item = _publication(request, pk)
    member = request.member  # type: ignore[attr-defined]
    what = request.POST.get("do", "")
    if what == "bookmark":
        actions.mark(member, item, bookmarked=True)
    elif what == "unbookmark":
        actions.mark(member, item, bookmarked=False)
    elif what == "unread":
        ReadingMark.objects.filter(member=member, publication=item).update(read_at=None)
    else:
        return HttpResponse(_("Unknown action."), status=400)
    return redirect("handbook:publication", pk=item.pk)


# --- study --------------------------------------------------------------------------------


def _campaigns_for(member: Any) -> Any:
    from dangso.handbook.portal import visible_paths

    mine = StudyRecord.objects.filter(campaign=OuterRef("pk"), member=member)
    return (
        StudyCampaign.objects.filter(organisation__path__in=visible_paths(member))
        .annotate(done=Exists(mine))
        .select_related("organisation")
    )


@member_view
def study(request: HttpRequest) -> HttpResponse:
    """Học tập nghị quyết: the member's campaigns, open first."""
    campaigns = _campaigns_for(request.member).order_by("done", "deadline")  # type: ignore[attr-defined]
    return render(
        request, "handbook/study.html", {"campaigns": campaigns, "today": timezone.localdate()}
    )


@member_view
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    """One campaign: its materials, and the member's reflection to hand in."""
    member = request.member  # type: ignore[attr-defined]
    item = get_object_or_404(_campaigns_for(member), pk=pk)
    record = StudyRecord.objects.filter(campaign=item, member=member).first()
    form = ReflectionForm(
        request.POST or None, initial={"reflection": record.reflection if record else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.complete_study(
                item,
                member,
                reflection=form.cleaned_data["reflection"],
                actor=Actor.from_request(request),
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Your study is recorded as done."))
            return redirect("handbook:campaign", pk=item.pk)
    materials = library.with_marks(item.materials.all(), member)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "handbook/campaign.html",
        {"campaign": item, "record": record, "form": form, "materials": materials},
        status=status,
    )


# --- the two-way channel ------------------------------------------------------------------


@member_view
def threads(request: HttpRequest) -> HttpResponse:
    """Hỏi đáp, kiến nghị: the member's own conversations with the cell committee."""
    mine = Thread.objects.filter(member=request.member)  # type: ignore[attr-defined]
    return render(request, "handbook/threads.html", {"threads": mine, "form": ThreadForm()})


@member_view
def thread_new(request: HttpRequest) -> HttpResponse:
    form = ThreadForm(request.POST or None, initial={"kind": request.GET.get("kind", "question")})
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.open_thread(
                request.member,  # type: ignore[attr-defined]
                form.cleaned_data,
                actor=Actor.from_request(request),
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Sent to your cell committee."))
            return redirect("handbook:thread", pk=item.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "handbook/thread_new.html", {"form": form}, status=status)


@member_view
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Thread.objects.filter(member=request.member), pk=pk)  # type: ignore[attr-defined]
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.write(
                item,
                form.cleaned_data["body"],
                actor=Actor.from_request(request),
                from_committee=False,
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            return redirect("handbook:thread", pk=item.pk)
    if item.member_unread:
        Thread.objects.filter(pk=item.pk).update(member_unread=False)
    return render(
        request,
        "handbook/thread.html",
        {"thread": item, "form": form, "messages_list": item.messages.all()},
    )


# --- the committee's pages ----------------------------------------------------------------


def _cell(request: HttpRequest, pk: Any, capability: str) -> Organisation:
    cells = restrict(Organisation.objects.active().cells(), request.user, capability)
    if pk:
        try:
            return get_object_or_404(cells, pk=int(pk))
        except (TypeError, ValueError):
            raise Http404 from None
    first = cells.order_by("path").first()
    if first is None:
        raise PermissionDenied
    return first


@login_required
def accounts_view(request: HttpRequest) -> HttpResponse:
    """Tài khoản Sổ tay of a cell: who is activated and when they last came; activation codes
    for the chosen members, printed on a sheet to hand out."""
    require_capability(request, "portal.support")
    cell = _cell(request, request.GET.get("cell") or request.POST.get("cell"), "portal.support")
    members = list(
        Member.objects.filter(organisation=cell, status__in=PORTAL_STATUSES)
        .select_related("handbook_account")
        .order_by("sort_key")
    )
    if request.method == "POST":
        chosen = [m for m in members if str(m.pk) in request.POST.getlist("members")]
        try:
            issued = actions.issue_codes(chosen, actor=Actor.from_request(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return render(
                request,
                "handbook/code_sheet.html",
                {
                    "cell": cell,
                    "issued": issued,
                    "activate_url": request.build_absolute_uri(reverse("handbook:activate")),
                },
            )
    cells = restrict(
        Organisation.objects.active().cells(), request.user, "portal.support"
    ).order_by("path")
    return render(
        request, "handbook/accounts.html", {"cell": cell, "members": members, "cells": cells[:300]}
    )


@login_required
def publish_view(request: HttpRequest) -> HttpResponse:
    """Đăng tài liệu: a document of the platform, or a file, to the library of the members
    of an organisation's subtree; the list of what was published, with withdrawal."""
    require_capability(request, "portal.publish")
    form = PublishForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and request.POST.get("withdraw"):
        item = get_object_or_404(
            restrict(Publication.objects.all(), request.user, "portal.publish"),
            pk=request.POST["withdraw"],
        )
        actions.withdraw(item, actor=Actor.from_request(request))
        messages.success(request, _("The document was withdrawn from the library."))
        return redirect("handbook:publish")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("upload")
        try:
            actions.publish(
                data,
                organisation=data["organisation"],
                document=data.get("document"),
                upload=Upload(upload.name or "", upload.read()) if upload else None,
                actor=Actor.from_request(request),
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Published to the members' library."))
            return redirect("handbook:publish")
    published = restrict(
        Publication.objects.filter(withdrawn_at__isnull=True), request.user, "portal.publish"
    ).select_related("organisation")[:100]
    return render(request, "handbook/publish.html", {"form": form, "published": published})


@login_required
def campaigns_view(request: HttpRequest) -> HttpResponse:
    """Học tập nghị quyết, the committee's side: open a campaign; see completion of each."""
    require_capability(request, "portal.publish")
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = actions.open_campaign(
                data,
                organisation=data["organisation"],
                materials=data["materials"],
                actor=Actor.from_request(request),
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The study campaign is open."))
            return redirect("handbook:campaign_progress", pk=item.pk)
    campaigns = restrict(
        StudyCampaign.objects.all(), request.user, "portal.publish"
    ).select_related("organisation")
    return render(request, "handbook/campaigns.html", {"form": form, "campaigns": campaigns[:100]})


@login_required
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Completion of a campaign per cell, and per member of a chosen cell, with reflections."""
    require_capability(request, "portal.publish")
    item = get_object_or_404(
        restrict(
            StudyCampaign.objects.select_related("organisation"), request.user, "portal.publish"
        ),
        pk=pk,
    )
    cells = study_queries.completion_by_cell(item)
    chosen = request.GET.get("cell")
    roster = None
    if chosen:
        cell = get_object_or_404(
            Organisation.objects.filter(path__startswith=item.organisation.path), pk=chosen
        )
        roster = study_queries.roster(item, cell)
    return render(
        request,
        "handbook/campaign_progress.html",
        {"campaign": item, "cells": cells, "roster": roster, "today": timezone.localdate()},
    )


@login_required
def committee_threads(request: HttpRequest) -> HttpResponse:
    """Members' questions, opinions, requests and corrections, waiting ones first."""
    require_capability(request, "portal.support")
    waiting = restrict(
        Thread.objects.select_related("member", "cell"), request.user, "portal.support"
    )
    status_order = Case(When(status=ThreadStatus.OPEN, then=0), default=1)
    return render(
        request,
        "handbook/committee_threads.html",
        {"threads": waiting.order_by(status_order, "-updated_at")[:200]},
    )


@login_required
def committee_thread(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a member; approve or refuse a correction of their record."""
    require_capability(request, "portal.support")
    item = get_object_or_404(
        restrict(Thread.objects.select_related("member", "cell"), request.user, "portal.support"),
        pk=pk,
    )
    reply = ReplyForm(request.POST if request.POST.get("do") == "reply" else None)
    decision = DecisionForm(request.POST if request.POST.get("do") == "decide" else None)
    actor = Actor.from_request(request)
    try:
        if reply.is_bound and reply.is_valid():
            actions.write(item, reply.cleaned_data["body"], actor=actor, from_committee=True)
            return redirect("handbook:committee_thread", pk=item.pk)
        if decision.is_bound and decision.is_valid():
            actions.decide_correction(
                item,
                approve=decision.cleaned_data["decision"] == "approve",
                note=decision.cleaned_data["note"],
                actor=actor,
            )
            messages.success(request, _("Decision recorded."))
            return redirect("handbook:committee_thread", pk=item.pk)
    except ValidationError as error:
        show_errors(decision if decision.is_bound else reply, error)
    current = getattr(item.member, item.field, "") if item.field else ""
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "handbook/committee_thread.html",
        {
            "thread": item,
            "reply": reply,
            "decision": decision,
            "current_value": current,
            "messages_list": item.messages.all(),
        },
        status=status,
    )
