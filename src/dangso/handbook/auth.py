"""Members sign in with their CCCD or party card number and their own password."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class MemberNumberBackend(ModelBackend):
    """Authenticates a handbook account by the member's CCCD (12 digits) or party card number
    (8 digits); other user names go to the usual backend."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if not username or not password:
            return None
        from dangso.handbook.actions import member_by_number

        member = member_by_number(username)
        user = member.user if member is not None else None
        if user is None or not user.check_password(password):
            return None
        return user if self.user_can_authenticate(user) else None
