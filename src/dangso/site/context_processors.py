from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from dangso.accounts.scope import capabilities
from dangso.core.notifications import unread_count
from dangso.site.menu import menu


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    held = capabilities(user) if user is not None else set()
    return {
        "mfa_required": settings.DANGSO_MFA_REQUIRED,
        "user_capabilities": held,
        "menu": SimpleLazyObject(lambda: menu(held)),
        "unread_notifications": (lambda: unread_count(user)) if user is not None else 0,
    }
