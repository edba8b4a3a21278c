"""The project's URLs and the bench-only bare view (see bench/portal_settings.py)."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

BARE_SQL = (
    "SELECT id, full_name, sex, date_of_birth, cccd, organisation_id, status "
    "FROM members_member WHERE id = %s"
)


def bare(request: HttpRequest, pk: int) -> JsonResponse:
    """One indexed lookup by primary key, as JSON: shared/limits.md's `/m/<id>`."""
    with connection.cursor() as cursor:
        cursor.execute(BARE_SQL, [pk])
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"id": pk, "found": False}, status=404)
    keys = ("id", "full_name", "sex", "date_of_birth", "cccd", "organisation_id", "status")
    return JsonResponse(dict(zip(keys, row, strict=True)))


urlpatterns = [
    path("bench/bare/<int:pk>", bare),
    path("", include("dangso.site.urls")),
]
