"""Portal pages for members (mobile first) and the cell committee's handbook pages.

Member pages go through `portal.member_view`: they show only the signed-in member's own
record, what their cell and the organisations above it published, their own study and threads.
"""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from dangso.handbook import library
from dangso.handbook.models import Thread
from dangso.handbook.portal import member_view


@member_view
def home(request: HttpRequest) -> HttpResponse:
    """Trang chủ: the member's summary, own history, upcoming meetings, new documents and
    unread answers."""
    from dangso.meetings.queries import upcoming_for_member

    member = request.member  # type: ignore[attr-defined]
    return render(
        request,
        "handbook/home.html",
        {
            "member": member,
            "events": member.events.select_related("from_organisation", "to_organisation")
            .order_by("-date", "-pk")[:10],
            "meetings": upcoming_for_member(member)[:3],
            "documents": library.new_for(member)[:5],
            "answers": Thread.objects.filter(member=member, member_unread=True)[:5],
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
    script = render(request, "handbook/sw.js", {"offline_url": json.dumps(offline),
                    "static_urls": json.dumps(_shell())}).content  # fmt: skip
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
