"""What an organisation types into a report, checked against the form's indicators.

The same rules answer the web page, the API and the demo: each refusal names the indicator and
is keyed by its code, so a page shows it beside the field. A draft may leave required
indicators empty; a submission may not. Totals and ratios are computed, never typed.
"""

import decimal
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangso.core.text import nfc
from dangso.reports.choices import COMPUTED_KINDS, IndicatorKind
from dangso.reports.models import Indicator

MAX_TEXT = 5_000
PLACES = Decimal("0.0001")
LIMIT = Decimal("1e16")
_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


@dataclass(frozen=True)
class Value:
    number: Decimal | None = None
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return self.number is None and not self.text


def parse_number(raw: Any) -> Decimal:
    """A number as people write it here: "1.234" or "1 234" (thousands), "12,5" (decimal).

    Raises ValueError when it is not one."""
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(str(raw))
    else:
        text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif _THOUSANDS.match(text):
            text = text.replace(".", "")
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ValueError(raw)
        number = Decimal(text)
    if not number.is_finite():
        raise ValueError(raw)
    return number


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _clean_one(indicator: Indicator, raw: Any) -> Value:
    name = indicator.label
    kind = indicator.kind
    if kind in (IndicatorKind.NUMBER, IndicatorKind.PERCENT):
        try:
            number = parse_number(raw)
        except (ValueError, decimal.InvalidOperation):
            raise ValidationError(
                _("“%(indicator)s” must be a number.") % {"indicator": name}, code="not_a_number"
            ) from None
        if abs(number) >= LIMIT:
            raise ValidationError(
                _("“%(indicator)s” is too large.") % {"indicator": name}, code="too_large"
            )
        if kind == IndicatorKind.PERCENT and not Decimal(0) <= number <= Decimal(100):
            raise ValidationError(
                _("“%(indicator)s” is a percentage: give a number from 0 to 100.")
                % {"indicator": name},
                code="percent_range",
            )
        if number < 0 and not indicator.allow_negative:
            raise ValidationError(
                _("“%(indicator)s” cannot be negative.") % {"indicator": name}, code="negative"
            )
        return Value(number=number.quantize(PLACES, rounding=decimal.ROUND_HALF_UP))
    text = nfc(str(raw).strip())
    if kind == IndicatorKind.CHOICE:
        if text not in indicator.options:
            raise ValidationError(
                _("“%(indicator)s” must be one of: %(options)s.")
                % {"indicator": name, "options": "; ".join(indicator.options)},
                code="not_an_option",
            )
        return Value(text=text)
    if len(text) > MAX_TEXT:
        raise ValidationError(
            _("“%(indicator)s” is too long: write at most %(max)s characters.")
            % {"indicator": name, "max": MAX_TEXT},
            code="too_long",
        )
    return Value(text=text)


def clean_values(
    indicators: Iterable[Indicator], raw: Mapping[str, Any], *, complete: bool
) -> dict[int, Value]:
    """{indicator id: value} of the typed values in `raw` (keyed by indicator code), with the
    totals and ratios computed. Raises one ValidationError holding every problem, keyed by code.

    `complete`: every required indicator must have a value (a submission, not a draft)."""
    indicators = list(indicators)
    by_code = {indicator.code: indicator for indicator in indicators}
    errors: dict[str, list[ValidationError]] = {}
    for code in raw:
        if code not in by_code:
            errors.setdefault(code, []).append(
                ValidationError(
                    _("There is no indicator “%(code)s” in this form.") % {"code": code},
                    code="unknown_indicator",
                )
            )
    values: dict[int, Value] = {}
    for indicator in indicators:
        given = raw.get(indicator.code)
        if indicator.kind in COMPUTED_KINDS:
            if not _is_blank(given):
                errors.setdefault(indicator.code, []).append(
                    ValidationError(
                        _("“%(indicator)s” is computed from other indicators; do not fill it in.")
                        % {"indicator": indicator.label},
                        code="computed",
                    )
                )
            continue
        if _is_blank(given):
            if complete and indicator.required:
                errors.setdefault(indicator.code, []).append(
                    ValidationError(
                        _("“%(indicator)s” is required.") % {"indicator": indicator.label},
                        code="required",
                    )
                )
            continue
        try:
            values[indicator.id] = _clean_one(indicator, given)
        except ValidationError as error:
            errors.setdefault(indicator.code, []).append(error)
    if errors:
        raise ValidationError(errors)
    values.update(computed_values(indicators, values))
    return values


def computed_values(
    indicators: Iterable[Indicator], values: Mapping[int, Value]
) -> dict[int, Value]:
    """Totals (the sum of the parts given) and ratios (numerator / denominator × 100)."""
    indicators = list(indicators)
    numbers: dict[str, Decimal] = {}
    for indicator in indicators:
        number = values[indicator.id].number if indicator.id in values else None
        if number is not None:
            numbers[indicator.code] = number
    computed: dict[int, Value] = {}
    for indicator in indicators:
        if indicator.kind == IndicatorKind.TOTAL:
            parts = [numbers[code] for code in indicator.parts if code in numbers]
            if parts:
                computed[indicator.id] = Value(number=sum(parts, Decimal(0)))
        elif indicator.kind == IndicatorKind.RATIO and len(indicator.parts) == 2:
            numerator, denominator = (numbers.get(code) for code in indicator.parts)
            if numerator is not None and denominator:
                ratio = numerator / denominator * 100
                computed[indicator.id] = Value(
                    number=ratio.quantize(PLACES, rounding=decimal.ROUND_HALF_UP)
                )
    return computed


def missing_required(indicators: Iterable[Indicator], values: Mapping[int, Value]) -> dict:
    """Required indicators without a value, as ValidationError messages keyed by code."""
    return {
        indicator.code: [
            ValidationError(
                _("“%(indicator)s” is required.") % {"indicator": indicator.label},
                code="required",
            )
        ]
        for indicator in indicators
        if indicator.required and not indicator.is_computed and indicator.id not in values
    }
