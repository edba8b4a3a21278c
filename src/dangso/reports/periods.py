"""Reporting periods: a period is named by its form's period type and its first day.

Months, quarters, halves and years follow the calendar. A report is due `due_days` after the
period's last day; it is on time when first submitted on or before that day.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangso.core.dates import add_months, format_date
from dangso.reports.choices import PeriodType

MONTHS = {
    PeriodType.MONTH: 1,
    PeriodType.QUARTER: 3,
    PeriodType.HALF_YEAR: 6,
    PeriodType.YEAR: 12,
}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    period_type: str
    start: datetime.date

    @property
    def end(self) -> datetime.date:
        return add_months(self.start, MONTHS[PeriodType(self.period_type)]) - datetime.timedelta(
            days=1
        )

    def due_on(self, due_days: int) -> datetime.date:
        return self.end + datetime.timedelta(days=due_days)

    @property
    def label(self) -> str:
        return period_label(self.period_type, self.start)

    @property
    def slug(self) -> str:
        return self.start.isoformat()

    def previous(self) -> "Period":
        return Period(
            self.period_type, add_months(self.start, -MONTHS[PeriodType(self.period_type)])
        )

    def next(self) -> "Period":
        return Period(
            self.period_type, add_months(self.start, MONTHS[PeriodType(self.period_type)])
        )


def period_containing(period_type: str, day: datetime.date) -> Period:
    months = MONTHS[PeriodType(period_type)]
    first_month = (day.month - 1) // months * months + 1
    return Period(period_type, datetime.date(day.year, first_month, 1))


def period_starting(period_type: str, start: datetime.date) -> Period:
    """The period that begins on `start`; refused with a message when none does."""
    period = period_containing(period_type, start)
    if period.start != start:
        raise ValidationError(
            {
                "start": _("%(date)s is not the first day of a reporting period of this form; "
                           "the period containing it starts on %(start)s.")
                % {"date": format_date(start), "start": format_date(period.start)}
            },
            code="not_a_period_start",
        )  # fmt: skip
    return period


def parse_start(period_type: str, text: str) -> Period:
    try:
        start = datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            {"start": _("Give the period's first day as YYYY-MM-DD.")}, code="bad_date"
        ) from None
    return period_starting(period_type, start)


def period_label(period_type: str, start: datetime.date) -> str:
    year = start.year
    if period_type == PeriodType.MONTH:
        return _("Month %(month)s/%(year)s") % {"month": start.month, "year": year}
    if period_type == PeriodType.QUARTER:
        quarter = ROMAN[(start.month - 1) // 3 + 1]
        return _("Quarter %(q)s/%(year)s") % {"q": quarter, "year": year}
    if period_type == PeriodType.HALF_YEAR:
        if start.month == 1:
            return _("First half of %(year)s") % {"year": year}
        return _("Second half of %(year)s") % {"year": year}
    return _("Year %(year)s") % {"year": year}


def recent_periods(period_type: str, today: datetime.date, count: int = 6) -> list[Period]:
    """The current period and those before it, newest first."""
    period = period_containing(period_type, today)
    periods = [period]
    for _index in range(count - 1):
        period = period.previous()
        periods.append(period)
    return periods
