from typing import Any

from django.conf import settings
from django.http import HttpRequest

from dangso.accounts.scope import capabilities
from dangso.core.notifications import unread_count


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "mfa_required": settings.DANGSO_MFA_REQUIRED,
        "user_capabilities": capabilities(user) if user is not None else set(),
        "unread_notifications": (lambda: unread_count(user)) if user is not None else 0,
    }
