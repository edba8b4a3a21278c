from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from dangso.core.models import Notification


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's own notices, newest first; POST marks one (`id`) or all of them read."""
    mine = Notification.objects.filter(user_id=cast(int, request.user.pk))
    if request.method == "POST":
        unread = mine.filter(read_at__isnull=True)
        chosen = request.POST.get("id", "")
        if chosen:
            unread = unread.filter(pk=int(chosen)) if chosen.isdigit() else unread.none()
        unread.update(read_at=timezone.now())
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("core:notifications")
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})
