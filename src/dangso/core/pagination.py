"""Cursor pagination for large API lists (DESIGN "Interfaces").

An offset makes the database count past every skipped row, and a page shifts when rows are
added in front of it; a cursor ("after this id") does neither, so walking 5 million member
records costs the same per page from the first page to the last. The cursor is opaque to
clients: URL-safe base64 of the last id of the page.
"""

import base64
import binascii
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    if not raw.isdigit():
        raise ValidationError({"cursor": _("This cursor is not valid; start again without it.")})
    return int(raw)


def cursor_page(queryset: QuerySet[M], *, cursor: str | None, limit: int) -> dict[str, Any]:
    """One page of `queryset` in id order after `cursor`: {"items", "next_cursor"}.

    `next_cursor` is None on the last page. One query: it reads one row more than `limit`
    to learn whether another page follows.
    """
    queryset = queryset.order_by("pk")
    if cursor:
        queryset = queryset.filter(pk__gt=decode_cursor(cursor))
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].pk) if more else None}
