import base64
from typing import cast

import segno
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangso.accounts import actions
from dangso.accounts.forms import LoginForm, TokenForm
from dangso.accounts.middleware import OPTED_IN_SESSION_KEY
from dangso.core import audit
from dangso.core.audit import Actor


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None
        login(request, form.user)
        if TOTPDevice.objects.filter(user=form.user, confirmed=True).exists():
            request.session[OPTED_IN_SESSION_KEY] = True
        actions.record_login(form.user, Actor.from_request(request))
        return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@login_required
def mfa_view(request: HttpRequest) -> HttpResponse:
    """The second factor: confirm a new TOTP device once, then give a code at each sign-in."""
    user = cast(User, request.user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _reason = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many wrong codes. Wait a few seconds and try again."))
        elif device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.record(Actor.from_request(request), "auth.mfa_enrol", user)
            otp_login(request, device)
            return redirect(_next_url(request))
        else:
            form.add_error("token", _("The code is wrong or has expired."))
    context = {"form": form, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        qr = segno.make(device.config_url, error="m")
        context["qr_data_uri"] = qr.png_data_uri(scale=5)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/mfa.html", context)
