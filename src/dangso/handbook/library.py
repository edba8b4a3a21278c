"""The library: what a member may read, and what they did with it.

A member sees the documents their cell and every organisation above it published to members,
and not withdrawn. Search ignores diacritics and treats đ as d, on both databases, over the
title, summary and the text of the file (folded into `search_text` when published).
"""

from django.db.models import Exists, OuterRef, QuerySet

from dangso.core.text import fold
from dangso.handbook.models import Publication, ReadingMark
from dangso.handbook.portal import visible_paths
from dangso.members.models import Member


def visible_to(member: Member) -> QuerySet[Publication]:
    return Publication.objects.filter(
        organisation__path__in=visible_paths(member), withdrawn_at__isnull=True
    ).select_related("organisation")


def with_marks(publications: QuerySet[Publication], member: Member) -> QuerySet[Publication]:
    """Each publication annotated `is_read` and `is_bookmarked` for the member."""
    marks = ReadingMark.objects.filter(member=member, publication=OuterRef("pk"))
    return publications.annotate(
        is_read=Exists(marks.filter(read_at__isnull=False)),
        is_bookmarked=Exists(marks.filter(bookmarked=True)),
    )


def new_for(member: Member) -> QuerySet[Publication]:
    """Unread documents, newest first."""
    return with_marks(visible_to(member), member).filter(is_read=False)  # type: ignore[misc]


def search(publications: QuerySet[Publication], text: str) -> QuerySet[Publication]:
    for word in fold(text).split():
        publications = publications.filter(search_text__contains=word)
    return publications


def filtered(
    member: Member, *, text: str = "", kind: str = "", only: str = ""
) -> QuerySet[Publication]:
    """The member's library narrowed: `only` is "unread", "bookmarked" or "" (everything)."""
    publications = with_marks(visible_to(member), member)
    if text:
        publications = search(publications, text)
    if kind:
        publications = publications.filter(kind=kind)
    if only == "unread":
        publications = publications.filter(is_read=False)  # type: ignore[misc]
    elif only == "bookmarked":
        publications = publications.filter(is_bookmarked=True)  # type: ignore[misc]
    return publications
