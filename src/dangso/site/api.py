"""The HTTP API (django-ninja) under /api/v1/, OpenAPI at /api/v1/openapi.json and /api/docs.

Every handler is thin: parse, authorise through `accounts.scope.restrict`, call an action,
render. Errors share one shape, `{"detail": "...", "errors": {field: [messages]}}` for bad
input (422), `{"detail": "..."}` otherwise; messages follow the request's Accept-Language.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from dangso.accounts.api_auth import TokenAuth, VerifiedSessionAuth
from dangso.documents.api import router as documents_router
from dangso.followup.api import router as followup_router
from dangso.handbook.api import router as handbook_router
from dangso.meetings.api import router as meetings_router
from dangso.members.api import router as members_router
from dangso.orgs.api import router as orgs_router
from dangso.reports.api import router as reports_router

api = NinjaAPI(
    title="Đảng số API",
    version="1",
    description=(
        "Organisations and party member records, limited to the caller's scope. "
        "Authenticate with a personal token (`Authorization: Bearer <key>`) or the web "
        "session (second factor done; CSRF token on writes)."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), VerifiedSessionAuth()],
)
api.add_router("/orgs/", orgs_router, tags=["organisations"])
api.add_router("/members/", members_router, tags=["members"])
api.add_router("/documents/", documents_router, tags=["documents"])
api.add_router("/tasks/", followup_router, tags=["tasks"])
api.add_router("/reports/", reports_router, tags=["reports"])
api.add_router("/handbook/", handbook_router, tags=["handbook"])
api.add_router("/meetings/", meetings_router, tags=["meetings"])


def _invalid(request: HttpRequest, errors: Mapping[str, Sequence[str]]) -> HttpResponse:
    fields = [name for name in errors if name != NON_FIELD_ERRORS]
    if fields:
        detail = _("The data is not valid: %(fields)s.") % {"fields": ", ".join(fields)}
    else:
        detail = " ".join(errors.get(NON_FIELD_ERRORS, ()))
    return api.create_response(
        request, {"detail": detail, "errors": {k: list(v) for k, v in errors.items()}}, status=422
    )


@api.exception_handler(DjangoValidationError)
def refused_by_rule(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A domain rule said no (actions and model `clean()` raise these, nothing was written)."""
    if hasattr(exc, "error_dict"):
        return _invalid(request, exc.message_dict)
    return _invalid(request, {NON_FIELD_ERRORS: exc.messages})


_PARAM_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_name(location: Sequence[Any]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] == "body":
        parts = parts[2:]  # ("body", <parameter name>, field, …)
    elif parts and parts[0] in _PARAM_SOURCES:
        parts = parts[1:]
    return ".".join(parts) or NON_FIELD_ERRORS


@api.exception_handler(NinjaValidationError)
def refused_by_schema(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Input that does not fit the schema (wrong type, unknown choice, unknown field)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), []).append(_schema_message(error))
    return _invalid(request, errors)


# Pydantic's own messages are English only: the common kinds in the request's language.
_SCHEMA_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("This field is not expected here."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "bool_type": gettext_lazy("Enter true or false."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_type": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "string_type": gettext_lazy("Enter text."),
    "string_too_long": gettext_lazy("Write at most %(max_length)s characters."),
    "list_type": gettext_lazy("Give a list."),
}


def _schema_message(error: Mapping[str, Any]) -> str:
    template = _SCHEMA_MESSAGES.get(str(error.get("type", "")))
    if template is None:
        return str(error.get("msg", ""))
    context = dict(error.get("ctx") or {})
    if "expected" in context:  # pydantic writes "'a', 'b' or 'c'" in English
        context["expected"] = str(context["expected"]).replace(" or ", ", ")
    try:
        return str(template) % context if "%(" in str(template) else str(template)
    except (KeyError, ValueError):
        return str(error.get("msg", ""))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Missing and out of scope look the same (DESIGN rule 1)."""
    return api.create_response(request, {"detail": "Not found"}, status=404)
