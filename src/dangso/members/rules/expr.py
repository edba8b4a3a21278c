"""A small language for the member rules, with two executors.

Each rule of `members.rules` is declared once, as data built from the nodes below (a field, a
literal, comparisons, Kleene and/or/not, a pattern, a code table, calendar arithmetic). Every
node can be run two ways:

- `py(row)`: on one record (a mapping of field → clean Python value), for forms, the API and
  `Member.clean()`;
- `pl()`: as a polars expression over a whole frame of records, for imports and bulk checks.

Both follow the same three-valued logic as SQL and polars: an empty value (None or "") is
null, a comparison with null is null, `a & b` is False when either is False, `a | b` True when
either is True, and a rule fires only where its condition is True. Regular expressions are
written in the subset Python's `re` and Rust's `regex` (polars) read alike: character classes,
repetitions, groups and alternation, no look-around or back-references. Patterns match the
whole value (Python's `fullmatch`, `^(?:…)$` in polars).

A node that cannot be vectorised (Django's e-mail validator, a code list read by a Python
function) is a `Call`: polars runs the function once per distinct value of the column and maps
the results back, so its cost follows the number of distinct values, not of rows.
"""

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dangso.core.dates import add_months, format_date

if TYPE_CHECKING:
    import polars as pl

TEXT = "text"
DATE = "date"
BOOL = "bool"
INT = "int"


@dataclass
class Row:
    """One record as the per-record executor sees it, with the day it is checked on."""

    record: Mapping[str, Any]
    today: datetime.date


class Expr:
    """A node of a rule's declaration; see the module's docstring."""

    def py(self, row: Row) -> Any:
        raise NotImplementedError  # pragma: no cover - every node overrides it

    def pl(self) -> "pl.Expr":
        raise NotImplementedError  # pragma: no cover - every node overrides it

    # --- building -------------------------------------------------------------------------

    def __lt__(self, other: Any) -> "Expr":
        return Compare("<", self, lift(other))

    def __le__(self, other: Any) -> "Expr":
        return Compare("<=", self, lift(other))

    def __gt__(self, other: Any) -> "Expr":
        return Compare(">", self, lift(other))

    def __ge__(self, other: Any) -> "Expr":
        return Compare(">=", self, lift(other))

    def eq(self, other: Any) -> "Expr":
        return Compare("==", self, lift(other))

    def ne(self, other: Any) -> "Expr":
        return Compare("!=", self, lift(other))

    def __and__(self, other: "Expr") -> "Expr":
        return And(self, other)

    def __or__(self, other: "Expr") -> "Expr":
        return Or(self, other)

    def __invert__(self) -> "Expr":
        return Not(self)

    def __add__(self, other: Any) -> "Expr":
        return Arith("+", self, lift(other))

    def __sub__(self, other: Any) -> "Expr":
        return Arith("-", self, lift(other))

    def __mul__(self, other: Any) -> "Expr":
        return Arith("*", self, lift(other))

    def __floordiv__(self, other: Any) -> "Expr":
        return Arith("//", self, lift(other))

    def present(self) -> "Expr":
        """True when the value is recorded (not None, not "")."""
        return Present(self)

    def absent(self) -> "Expr":
        return Not(Present(self))

    def matches(self, pattern: str) -> "Expr":
        """The whole value matches `pattern`."""
        return Matches(self, pattern)

    def contains(self, pattern: str) -> "Expr":
        """Some part of the value matches `pattern`."""
        return Contains(self, pattern)

    def extract(self, pattern: str, group: int) -> "Expr":
        """Group `group` of `pattern` matched against the whole value (null without a match)."""
        return Extract(self, pattern, group)

    def word_count(self) -> "Expr":
        """Words separated by white space (Python's `str.split()`); 0 for an empty value."""
        return WordCount(self)

    def slice(self, start: int, end: int) -> "Expr":
        return Slice(self, start, end)

    def to_int(self) -> "Expr":
        """The value's ASCII digits as a number (null if it has anything else)."""
        return ToInt(self)

    def isin(self, values: Sequence[Any]) -> "Expr":
        return IsIn(self, tuple(values))

    def year(self) -> "Expr":
        return Year(self)

    def add_months(self, months: int) -> "Expr":
        """The same day `months` later, clipped to the month's end (`core.dates.add_months`)."""
        return AddMonths(self, months)

    def days_until(self, later: "Expr") -> "Expr":
        return DaysBetween(self, later)

    def months_until(self, later: "Expr") -> "Expr":
        """Whole calendar months from this date to `later` (`core.dates.whole_months_between`)."""
        return MonthsBetween(self, later)

    def format_date(self) -> "Expr":
        """dd/mm/yyyy (`core.dates.format_date`), for messages."""
        return FormatDate(self)

    def two_digits(self) -> "Expr":
        """A number 0–99 written with two digits ("07")."""
        return TwoDigits(self)

    def where(self, condition: "Expr") -> "Expr":
        """The value where `condition` is True, else null."""
        return Where(self, condition)

    def length(self) -> "Expr":
        return Length(self)

    def or_false(self) -> "Expr":
        """A flag that counts as False when not recorded."""
        return OrFalse(self)


def lift(value: Any) -> Expr:
    return value if isinstance(value, Expr) else Lit(value)


def _blank(value: Any) -> bool:
    return value is None or value == ""


@dataclass(frozen=True, eq=False)
class Field(Expr):
    """A field of the record; an empty text ("") is null."""

    name: str
    kind: str = TEXT

    def py(self, row: Row) -> Any:
        value = row.record.get(self.name)
        return None if _blank(value) else value

    def pl(self) -> "pl.Expr":
        import polars as pl

        return pl.col(self.name)


@dataclass(frozen=True, eq=False)
class Lit(Expr):
    value: Any

    def py(self, row: Row) -> Any:
        return self.value

    def pl(self) -> "pl.Expr":
        import polars as pl

        return pl.lit(self.value)


@dataclass(frozen=True, eq=False)
class Today(Expr):
    """The day the record is checked on."""

    def py(self, row: Row) -> Any:
        return row.today

    def pl(self) -> "pl.Expr":
        import polars as pl

        return pl.col("__today")


@dataclass(frozen=True, eq=False)
class Setting(Expr):
    """A value read when the check runs (a `DANGSO_*` setting), through `read`."""

    read: Callable[[], Any]

    def py(self, row: Row) -> Any:
        return self.read()

    def pl(self) -> "pl.Expr":
        import polars as pl

        return pl.lit(self.read())


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


@dataclass(frozen=True, eq=False)
class Compare(Expr):
    op: str
    left: Expr
    right: Expr

    def py(self, row: Row) -> Any:
        a, b = self.left.py(row), self.right.py(row)
        if a is None or b is None:
            return None
        return _COMPARE[self.op](a, b)

    def pl(self) -> "pl.Expr":
        a, b = self.left.pl(), self.right.pl()
        return {
            "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b,
        }[self.op]  # fmt: skip


@dataclass(frozen=True, eq=False)
class Arith(Expr):
    op: str
    left: Expr
    right: Expr

    def py(self, row: Row) -> Any:
        a, b = self.left.py(row), self.right.py(row)
        if a is None or b is None:
            return None
        if self.op == "+":
            return a + b
        if self.op == "-":
            return a - b
        if self.op == "*":
            return a * b
        return a // b

    def pl(self) -> "pl.Expr":
        a, b = self.left.pl(), self.right.pl()
        return {"+": a + b, "-": a - b, "*": a * b, "//": a // b}[self.op]


@dataclass(frozen=True, eq=False)
class And(Expr):
    left: Expr
    right: Expr

    def py(self, row: Row) -> Any:
        a = self.left.py(row)
        if a is False:
            return False
        b = self.right.py(row)
        if b is False:
            return False
        if a is None or b is None:
            return None
        return True

    def pl(self) -> "pl.Expr":
        return self.left.pl() & self.right.pl()


@dataclass(frozen=True, eq=False)
class Or(Expr):
    left: Expr
    right: Expr

    def py(self, row: Row) -> Any:
        a = self.left.py(row)
        if a is True:
            return True
        b = self.right.py(row)
        if b is True:
            return True
        if a is None or b is None:
            return None
        return False

    def pl(self) -> "pl.Expr":
        return self.left.pl() | self.right.pl()


@dataclass(frozen=True, eq=False)
class Not(Expr):
    operand: Expr

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        return None if value is None else not value

    def pl(self) -> "pl.Expr":
        return ~self.operand.pl()


@dataclass(frozen=True, eq=False)
class Present(Expr):
    operand: Expr

    def py(self, row: Row) -> Any:
        return not _blank(self.operand.py(row))

    def pl(self) -> "pl.Expr":
        return self.operand.pl().is_not_null()


@dataclass(frozen=True, eq=False)
class OrFalse(Expr):
    operand: Expr

    def py(self, row: Row) -> Any:
        return bool(self.operand.py(row))

    def pl(self) -> "pl.Expr":
        return self.operand.pl().fill_null(False)


@dataclass(frozen=True, eq=False)
class Where(Expr):
    operand: Expr
    condition: Expr

    def py(self, row: Row) -> Any:
        return self.operand.py(row) if self.condition.py(row) is True else None

    def pl(self) -> "pl.Expr":
        import polars as pl

        return pl.when(self.condition.pl().fill_null(False)).then(self.operand.pl())


@dataclass(frozen=True, eq=False)
class Matches(Expr):
    operand: Expr
    pattern: str
    _compiled: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.pattern))

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        return None if value is None else self._compiled.fullmatch(value) is not None

    def pl(self) -> "pl.Expr":
        return self.operand.pl().str.contains(f"^(?:{self.pattern})$")


@dataclass(frozen=True, eq=False)
class Contains(Expr):
    operand: Expr
    pattern: str
    _compiled: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.pattern))

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        return None if value is None else self._compiled.search(value) is not None

    def pl(self) -> "pl.Expr":
        return self.operand.pl().str.contains(self.pattern)


@dataclass(frozen=True, eq=False)
class Extract(Expr):
    operand: Expr
    pattern: str
    group: int
    _compiled: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.pattern))

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        if value is None:
            return None
        found = self._compiled.fullmatch(value)
        return None if found is None else found[self.group]

    def pl(self) -> "pl.Expr":
        return self.operand.pl().str.extract(f"^(?:{self.pattern})$", self.group)


# Python's str.split() separates words at str.isspace() characters: Unicode White_Space (what
# `\s` is in Rust's regex) and the four information separators \x1c–\x1f.
_WORD = r"[^\s\x1c-\x1f]+"


@dataclass(frozen=True, eq=False)
class WordCount(Expr):
    operand: Expr

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        return 0 if value is None else len(value.split())

    def pl(self) -> "pl.Expr":
        return self.operand.pl().str.count_matches(_WORD).fill_null(0)


@dataclass(frozen=True, eq=False)
class Length(Expr):
    operand: Expr

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        return None if value is None else len(value)

    def pl(self) -> "pl.Expr":
        return self.operand.pl().str.len_chars()


@dataclass(frozen=True, eq=False)
class Slice(Expr):
    operand: Expr
    start: int
    end: int

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        return None if value is None else value[self.start : self.end]

    def pl(self) -> "pl.Expr":
        return self.operand.pl().str.slice(self.start, self.end - self.start)


@dataclass(frozen=True, eq=False)
class ToInt(Expr):
    operand: Expr

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        if value is None or not (value.isascii() and value.isdigit()):
            return None
        return int(value)

    def pl(self) -> "pl.Expr":
        import polars as pl

        text = self.operand.pl()
        return pl.when(text.str.contains(r"^[0-9]+$")).then(text.cast(pl.Int64, strict=False))


@dataclass(frozen=True, eq=False)
class TwoDigits(Expr):
    operand: Expr

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        return None if value is None else f"{value:02d}"

    def pl(self) -> "pl.Expr":
        import polars as pl

        return self.operand.pl().cast(pl.String).str.zfill(2)


@dataclass(frozen=True, eq=False)
class IsIn(Expr):
    operand: Expr
    values: tuple[Any, ...]

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        return None if value is None else value in self.values

    def pl(self) -> "pl.Expr":
        import polars as pl

        operand = self.operand.pl()
        return pl.when(operand.is_not_null()).then(operand.is_in(list(self.values)))


@dataclass(frozen=True, eq=False)
class Year(Expr):
    operand: Expr

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        return None if value is None else value.year

    def pl(self) -> "pl.Expr":
        import polars as pl

        return self.operand.pl().dt.year().cast(pl.Int64)


@dataclass(frozen=True, eq=False)
class AddMonths(Expr):
    operand: Expr
    months: int

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        return None if value is None else add_months(value, self.months)

    def pl(self) -> "pl.Expr":
        return self.operand.pl().dt.offset_by(f"{self.months}mo")


@dataclass(frozen=True, eq=False)
class DaysBetween(Expr):
    start: Expr
    end: Expr

    def py(self, row: Row) -> Any:
        a, b = self.start.py(row), self.end.py(row)
        return None if a is None or b is None else (b - a).days

    def pl(self) -> "pl.Expr":
        import polars as pl

        return (self.end.pl() - self.start.pl()).dt.total_days().cast(pl.Int64)


@dataclass(frozen=True, eq=False)
class MonthsBetween(Expr):
    start: Expr
    end: Expr

    def py(self, row: Row) -> Any:
        from dangso.core.dates import whole_months_between

        a, b = self.start.py(row), self.end.py(row)
        return None if a is None or b is None else whole_months_between(a, b)

    def pl(self) -> "pl.Expr":
        # whole_months_between: one month less when the end's day comes before the start's,
        # unless the end is the last day of its month (31/01 → 28/02 is a whole month).
        import polars as pl

        start, end = self.start.pl(), self.end.pl()
        months = (end.dt.year().cast(pl.Int64) - start.dt.year().cast(pl.Int64)) * 12 + (
            end.dt.month().cast(pl.Int64) - start.dt.month().cast(pl.Int64)
        )
        short = (end.dt.day() < start.dt.day()) & (end.dt.day() != end.dt.month_end().dt.day())
        return months - short.cast(pl.Int64)


@dataclass(frozen=True, eq=False)
class FormatDate(Expr):
    operand: Expr

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        return None if value is None else format_date(value)

    def pl(self) -> "pl.Expr":
        return self.operand.pl().dt.strftime("%d/%m/%Y")


@dataclass(frozen=True, eq=False)
class Call(Expr):
    """`function(value)` for a check no pattern can express; vectorised by distinct value."""

    function: Callable[[Any], Any]
    operand: Expr
    kind: str = BOOL

    def py(self, row: Row) -> Any:
        value = self.operand.py(row)
        return None if value is None else self.function(value)

    def pl(self) -> "pl.Expr":
        import polars as pl

        dtype = {BOOL: pl.Boolean, TEXT: pl.String, INT: pl.Int64, DATE: pl.Date}[self.kind]
        function = self.function

        def by_distinct(series: "pl.Series") -> "pl.Series":
            distinct = series.drop_nulls().unique()
            if not len(distinct):
                return pl.Series(series.name, [None] * len(series), dtype=dtype)
            mapping = {value: function(value) for value in distinct.to_list()}
            return series.replace_strict(mapping, default=None, return_dtype=dtype)

        return self.operand.pl().map_batches(by_distinct, return_dtype=dtype)


@dataclass(frozen=True, eq=False)
class Case(Expr):
    """The first `then` whose `when` is True, else `otherwise`."""

    branches: tuple[tuple[Expr, Expr], ...]
    otherwise: Expr = field(default_factory=lambda: Lit(None))

    def py(self, row: Row) -> Any:
        for when, then in self.branches:
            if when.py(row) is True:
                return then.py(row)
        return self.otherwise.py(row)

    def pl(self) -> "pl.Expr":
        import polars as pl

        (first_when, first_then), *rest = self.branches
        chain: Any = pl.when(first_when.pl().fill_null(False)).then(first_then.pl())
        for when, then in rest:
            chain = chain.when(when.pl().fill_null(False)).then(then.pl())
        result: pl.Expr = chain.otherwise(self.otherwise.pl())
        return result


def case(*branches: tuple[Expr, Any], otherwise: Any = None) -> Expr:
    return Case(tuple((when, lift(then)) for when, then in branches), lift(otherwise))


@dataclass(frozen=True, eq=False)
class Normalize(Expr):
    """Unicode normalisation (NFC, NFKC …): NFKC turns full-width and other compatibility
    digits into ASCII ones, for identifiers typed on a phone or pasted from a PDF."""

    operand: Expr
    form: str

    def py(self, row: Row) -> Any:
        import unicodedata

        value = self.operand.py(row)
        return None if value is None else unicodedata.normalize(self.form, value)  # type: ignore[arg-type]  # the form is one of the four names

    def pl(self) -> "pl.Expr":
        return self.operand.pl().str.normalize(self.form)  # type: ignore[arg-type]  # idem


def nfkc(expr: Expr) -> Expr:
    """A normalisation for `pattern(..., normalise=nfkc)`."""
    return Normalize(expr, "NFKC")
