"""Calendar arithmetic for Party rules, which count ages and probation by whole months."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clipped to the month's end (31/01 + 1 month = 28/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months_between(start: datetime.date, end: datetime.date) -> int:
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day and end != add_months(start, months):
        months -= 1
    return months


def age_in_years(birth: datetime.date, on: datetime.date) -> int:
    return whole_months_between(birth, on) // 12


def format_date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")
