"""Document numbers and register numbers (HD 36-HD/VPTW §II.1.3; domain.md §4.2).

- An issuing body numbers its documents from 01 per document type per committee term, not
  per calendar year; classified documents share the series of their type.
- Congress documents are numbered in one series across all types for that congress.
- Each organisation's incoming and outgoing registers keep their own running numbers, which
  restart each year or each term (DANGSO_REGISTER_RESET; the Party rule is not published).

Every number comes from `take()`, which increments a `Counter` row under a row lock inside
the caller's transaction: two clerks numbering at once wait for each other, never get the
same number, and a rolled-back transaction gives its number back, so none is skipped.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from dangso.core.dates import format_date
from dangso.documents.models import Congress, Counter, Document, IssuingBody
from dangso.orgs.models import Organisation, Term


def take(key: str) -> int:
    """The next number of the series `key`. Must run inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers are taken inside the transaction that uses them")
    # Create the row if this is the series' first number; a concurrent creator is ignored.
    Counter.objects.bulk_create([Counter(key=key, last=0)], ignore_conflicts=True)
    # The UPDATE takes the row lock and holds it to the end of the caller's transaction.
    Counter.objects.filter(key=key).update(last=F("last") + 1)
    return Counter.objects.values_list("last", flat=True).get(key=key)


def term_on(organisation: Organisation, day: datetime.date) -> Term | None:
    return (
        Term.objects.filter(organisation=organisation, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .order_by("-starts_on")
        .first()
    )


def document_series(document: Document, day: datetime.date) -> tuple[str, Term | None]:
    """The series key the document takes its number from, and the term it falls in."""
    body = document.issuing_body
    if body is None:
        raise ValidationError(_("Choose the body that issues the document."))
    if document.congress_id:
        congress: Congress = document.congress  # type: ignore[assignment]
        if not congress.opens_on <= day <= congress.closes_on:
            raise ValidationError(
                _(
                    "Congress documents are numbered from the preparatory session to the "
                    "closing day (%(start)s – %(end)s); %(day)s is outside it."
                )
                % {
                    "start": format_date(congress.opens_on),
                    "end": format_date(congress.closes_on),
                    "day": format_date(day),
                }
            )
        return f"congress:{congress.pk}", None
    term = term_on(body.organisation, day)
    if term is None:
        raise ValidationError(
            _(
                "%(organisation)s has no committee term covering %(day)s. Record the term "
                "first: numbers restart with each term."
            )
            % {"organisation": body.organisation, "day": format_date(day)}
        )
    return f"doc:{body.pk}:{term.pk}:{document.document_type_id}", term


def symbol_for(document: Document, number: int) -> str:
    """'96-CV/VPTU': number (two digits at least), type abbreviation, issuing body — or the
    congress ('01-NQ/ĐH') for congress documents."""
    body: IssuingBody = document.issuing_body  # type: ignore[assignment]
    suffix = document.congress.symbol if document.congress_id else body.symbol  # type: ignore[union-attr]
    return f"{number:02d}-{document.document_type.abbreviation}/{suffix}"


def number_document(document: Document, day: datetime.date) -> None:
    """Give `document` its number and symbol (inside the caller's transaction)."""
    key, term = document_series(document, day)
    number = take(key)
    document.number = number
    document.symbol = symbol_for(document, number)
    document.term = term
    document.issued_on = day


def register_period(organisation: Organisation, day: datetime.date) -> str:
    if settings.DANGSO_REGISTER_RESET == "term":
        term = term_on(organisation, day)
        return f"term{term.pk}" if term else str(day.year)
    return str(day.year)


def register(document: Document, day: datetime.date) -> None:
    """Give `document` the next number of its organisation's register for its direction."""
    period = register_period(document.organisation, day)
    key = f"register:{document.organisation_id}:{document.direction}:{period}"
    document.register_number = take(key)
    document.register_period = period
