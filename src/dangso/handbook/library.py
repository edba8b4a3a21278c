"""The library: what a member may read, and what they did with it.

A member sees the documents their cell and every organisation above it published to members,
and not withdrawn. Search ignores diacritics and treats đ as d, on both databases, over the
title, summary and the text of the file (folded into `search_text` when published).
"""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from dangso.core.text import fold
from dangso.handbook.models import Publication, ReadingMark
from dangso.handbook.portal import visible_paths
from dangso.members.models import Member

# What a row of the library list shows (handbook/_library_rows.html).
ROW_FIELDS = ("pk", "title", "kind", "published_at", "organisation__name")


def _visible(member: Member) -> QuerySet[Publication]:
    return Publication.objects.filter(
        organisation__path__in=visible_paths(member), withdrawn_at__isnull=True
    )


def visible_to(member: Member) -> QuerySet[Publication]:
    # search_text (up to 200,000 characters of the file's text) is for the database's search
    # only: never fetched with the rows.
    return _visible(member).select_related("organisation").defer("search_text")


def with_marks(publications: QuerySet[Publication], member: Member) -> QuerySet[Publication]:
    """Each publication annotated `is_read` and `is_bookmarked` for the member."""
    marks = ReadingMark.objects.filter(member=member, publication=OuterRef("pk"))
    return publications.annotate(
        is_read=Exists(marks.filter(read_at__isnull=False)),
        is_bookmarked=Exists(marks.filter(bookmarked=True)),
    )


def add_marks(publications: Iterable[Publication], member: Member) -> list[Publication]:
    """`with_marks()` for rows already fetched (a page): `is_read` and `is_bookmarked` set from
    one query of the member's marks on them, not two subqueries per row."""
    rows = list(publications)
    marks = {
        publication_id: (read_at, bookmarked)
        for publication_id, read_at, bookmarked in ReadingMark.objects.filter(
            member=member, publication__in=[row.pk for row in rows]
        ).values_list("publication_id", "read_at", "bookmarked")
    }
    for row in rows:
        read_at, bookmarked = marks.get(row.pk, (None, False))
        row.is_read = read_at is not None  # type: ignore[attr-defined]
        row.is_bookmarked = bookmarked  # type: ignore[attr-defined]
    return rows


def new_for(member: Member) -> QuerySet[Publication]:
    """Unread documents, newest first (title and kind: the home page's links)."""
    read = ReadingMark.objects.filter(member=member, read_at__isnull=False)
    return (
        _visible(member)
        .exclude(pk__in=read.values("publication_id"))
        .only("pk", "title", "kind", "published_at")
    )


def search(publications: QuerySet[Publication], text: str) -> QuerySet[Publication]:
    for word in fold(text).split():
        publications = publications.filter(search_text__contains=word)
    return publications


def narrowed(member: Member, *, text: str = "", kind: str = "") -> QuerySet[Publication]:
    """The member's library narrowed by words and kind, without the marks (`add_marks()`)."""
    publications = visible_to(member)
    if text:
        publications = search(publications, text)
    if kind:
        publications = publications.filter(kind=kind)
    return publications


def filtered(
    member: Member, *, text: str = "", kind: str = "", only: str = ""
) -> QuerySet[Publication]:
    """The member's library narrowed: `only` is "unread", "bookmarked" or "" (everything)."""
    publications = with_marks(narrowed(member, text=text, kind=kind), member)
    if only == "unread":
        publications = publications.filter(is_read=False)  # type: ignore[misc]
    elif only == "bookmarked":
        publications = publications.filter(is_bookmarked=True)  # type: ignore[misc]
    return publications
