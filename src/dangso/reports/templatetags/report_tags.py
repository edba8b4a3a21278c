"""Filters of the report pages: numbers written the Vietnamese way, an aggregate's value."""

from decimal import Decimal
from typing import Any

from django import template

from dangso.reports.exports import format_number, value_text
from dangso.reports.queries import AggregateRow

register = template.Library()


@register.filter
def vn_number(value: Decimal | float | int | None) -> str:
    return format_number(value)


@register.filter
def shown_value(row: AggregateRow, aggregate: Any = True) -> str:
    return value_text(row, bool(aggregate))
