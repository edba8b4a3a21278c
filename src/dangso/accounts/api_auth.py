"""Who is calling the HTTP API, and what they may reach.

Two ways in: a personal API token (`Authorization: Bearer ds_…`), issued by an administrator
for another system, or the browser session of a person signed in to the web UI — with the
second factor when their roles read member records, as the web UI demands. Both return the
User, which ninja keeps in `request.auth`; handlers read the caller from there only, because
with a token `request.user` is anonymous (or, worse, a different person's session).
"""

from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer, SessionAuth

from dangso.accounts.actions import user_for_token
from dangso.accounts.middleware import needs_code
from dangso.accounts.scope import restrict, scope_paths

M = TypeVar("M", bound=Model)


class TokenAuth(HttpBearer):
    """A personal API token; revoked, expired or unknown keys are refused."""

    def __call__(self, request: HttpRequest) -> User | None:
        # ninja's HttpBearer logs any other Authorization header whole when DEBUG is on;
        # a password or key must not reach the log, so the header is read quietly here.
        scheme, _space, key = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, key)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token:
            return None
        return user_for_token(token)


class VerifiedSessionAuth(SessionAuth):
    """The web UI's session, refused until the second factor is done when roles require it.

    CSRF is checked (by ninja's cookie auth) for unsafe methods of a signed-in session only,
    so that an anonymous caller is told 401, not a CSRF failure.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated or not user.is_active or needs_code(request):
            return None
        return user


def api_user(request: HttpRequest) -> User:
    """The authenticated caller of an API handler (set by `TokenAuth`/`VerifiedSessionAuth`)."""
    return request.auth  # type: ignore[attr-defined, no-any-return]


def require(user: Any, capability: str) -> None:
    """403 when `user` holds `capability` nowhere: nothing about any record is revealed."""
    if not scope_paths(user, capability):
        raise AuthorizationError()


def scoped(queryset: QuerySet[M], user: Any, capability: str) -> QuerySet[M]:
    """`restrict()` for an API handler: 403 without the capability anywhere, else the scope."""
    require(user, capability)
    return restrict(queryset, user, capability)


def get_in_scope(queryset: QuerySet[M], user: Any, capability: str, **lookup: Any) -> M:
    """One record within the caller's scope; out of scope is indistinguishable from missing."""
    obj = scoped(queryset, user, capability).filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj
