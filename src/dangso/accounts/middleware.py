from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from dangso.accounts.roles import MFA_CAPABILITIES
from dangso.accounts.scope import capabilities

_OPEN_PREFIXES = ("/static/", "/api/", "/i18n/", "/favicon")


def needs_second_factor(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(
        settings.DANGSO_MFA_REQUIRED
        and user.is_authenticated
        and capabilities(user) & MFA_CAPABILITIES
        and not user.is_verified()
    )


# Set at sign-in for a person who chose to add an authenticator (members may; officials whose
# roles read member records must): from then on their sign-in needs its code too.
OPTED_IN_SESSION_KEY = "dangso_totp_enrolled"


def needs_code(request: HttpRequest) -> bool:
    """Whether this session must still give the authenticator code."""
    user = request.user
    if needs_second_factor(user):
        return True
    return bool(
        user.is_authenticated
        and request.session.get(OPTED_IN_SESSION_KEY)
        and not user.is_verified()  # type: ignore[union-attr, attr-defined]
    )


class MfaRequiredMiddleware:
    """Sends a user whose roles read member records to the TOTP step until it is done.

    The API checks the same rule in its session authentication; tokens are issued by an
    administrator and carry no second factor.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(_OPEN_PREFIXES) or not needs_code(request):
            return self.get_response(request)
        allowed = {
            reverse("accounts:mfa"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
        }
        if request.path in allowed:
            return self.get_response(request)
        return redirect(f"{reverse('accounts:mfa')}?next={request.get_full_path()}")
