"""A rule as data, and the two executors it is compiled to.

`Rule` holds a code, the field a problem is shown on, the condition under which a record breaks
it (an `expr.Expr`), and the message with its parameters (also expressions). The constructors
`pattern`, `value_range`, `code_table` and `condition` build the common kinds.

- `check_record(record, rules, today)`: the problems of one record, rule by rule, in the order
  the rules are declared;
- `check_frame(frame, rules, today)`: the same problems for every row of a polars frame of
  records, as a frame (row, order, code, field, message) sorted by row and then by rule.

Both format a message the same way: the translated msgid, `%` the parameters evaluated for the
failing record, so a test can compare them for equality.
"""

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

from dangso.members.rules.codes import WARNINGS
from dangso.members.rules.expr import BOOL, DATE, TEXT, Expr, Field, Row

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    message: str

    @property
    def is_blocking(self) -> bool:
        return self.code not in WARNINGS


@dataclass(frozen=True)
class Rule:
    code: str
    field: str
    fails: Expr  # True where the record breaks the rule
    message: Any  # a gettext_lazy msgid, with %(name)s placeholders for `params`
    params: Mapping[str, Expr] = dataclass_field(default_factory=dict)

    def text(self, values: Mapping[str, Any]) -> str:
        message = str(self.message)
        return message % dict(values) if self.params else message


Normaliser = Callable[[Expr], Expr]


def _value(name: str, normalise: Normaliser | None) -> Expr:
    value: Expr = Field(name)
    return normalise(value) if normalise is not None else value


def pattern(
    code: str, name: str, regex: str, message: Any, *, normalise: Normaliser | None = None
) -> Rule:
    """A recorded value (after `normalise`) must match `regex` as a whole."""
    value = _value(name, normalise)
    return Rule(code, name, value.present() & ~value.matches(regex), message)


def value_range(
    code: str,
    name: str,
    message: Any,
    *,
    low: Any = None,
    high: Any = None,
    of: Callable[[Expr], Expr] | None = None,
    params: Mapping[str, Expr] | None = None,
) -> Rule:
    """A recorded value (or `of(value)`, e.g. an age) must lie within [low, high]."""
    value: Expr = Field(name)
    measured = of(value) if of is not None else value
    outside: Expr | None = None
    if low is not None:
        outside = measured < low
    if high is not None:
        outside = (measured > high) if outside is None else (outside | (measured > high))
    if outside is None:
        raise ValueError("value_range needs low or high")
    return Rule(code, name, value.present() & outside, message, params or {})


def code_table(
    code: str, name: str, codes: Sequence[str], message: Any, *, normalise: Normaliser | None = None
) -> Rule:
    """A recorded value must be one of `codes`."""
    value = _value(name, normalise)
    return Rule(code, name, value.present() & ~value.isin(codes), message)


def condition(
    code: str, name: str, fails: Expr, message: Any, params: Mapping[str, Expr] | None = None
) -> Rule:
    """Any condition over the record's fields, across fields too."""
    return Rule(code, name, fails, message, params or {})


# --- executors -----------------------------------------------------------------------------


def check_record(
    record: Mapping[str, Any], rules: Sequence[Rule], today: datetime.date
) -> list[Problem]:
    row = Row(record, today)
    problems = []
    for rule in rules:
        if rule.fails.py(row) is True:
            values = {name: expr.py(row) for name, expr in rule.params.items()}
            problems.append(Problem(rule.code, rule.field, rule.text(values)))
    return problems


def prepare_frame(
    frame: "pl.DataFrame", kinds: Mapping[str, str], today: datetime.date
) -> "pl.DataFrame":
    """The frame as the rules read it: every field present with its type (empty text is
    null, a missing flag False), and the day of the check."""
    import polars as pl

    columns = []
    for name, kind in kinds.items():
        if kind == TEXT:
            dtype: Any = pl.String
        elif kind == DATE:
            dtype = pl.Date
        elif kind == BOOL:
            dtype = pl.Boolean
        else:
            dtype = pl.Int64
        if name in frame.columns:
            column = pl.col(name).cast(dtype)
            if kind == TEXT:
                column = pl.when(column != "").then(column)
        else:
            column = pl.lit(False if kind == BOOL else None, dtype=dtype)
        columns.append(column.alias(name))
    columns.append(pl.lit(today, dtype=pl.Date).alias("__today"))
    return frame.select(columns)


PROBLEM_SCHEMA = {"row": "UInt32", "order": "UInt32", "code": "String", "field": "String",
                  "message": "String"}  # fmt: skip


def check_frame(
    frame: "pl.DataFrame",
    rules: Sequence[Rule],
    kinds: Mapping[str, str],
    today: datetime.date,
    *,
    messages: bool | Callable[[Rule], bool] = True,
) -> "pl.DataFrame":
    """Every problem of every row of `frame`, vectorised: (row, order, code, field, message),
    sorted by row and rule; `messages` False (or False for a rule) leaves its message empty."""
    import polars as pl

    prepared = prepare_frame(frame, kinds, today)
    masks = prepared.select(
        [rule.fails.pl().fill_null(False).alias(f"r{i}") for i, rule in enumerate(rules)]
    )
    parts = []
    for order, rule in enumerate(rules):
        mask = masks.get_column(f"r{order}")
        if not mask.any():
            continue
        rows = mask.arg_true().cast(pl.UInt32)
        wanted = messages(rule) if callable(messages) else messages
        if wanted and rule.params:
            chosen = prepared.filter(mask).select(
                [expr.pl().alias(name) for name, expr in rule.params.items()]
            )
            texts = [rule.text(values) for values in chosen.iter_rows(named=True)]
        else:
            texts = [rule.text({}) if wanted else ""] * len(rows)
        parts.append(
            pl.DataFrame(
                {
                    "row": rows,
                    "order": pl.Series([order] * len(rows), dtype=pl.UInt32),
                    "code": [rule.code] * len(rows),
                    "field": [rule.field] * len(rows),
                    "message": texts,
                }
            )
        )
    if not parts:
        return pl.DataFrame(schema={k: getattr(pl, v) for k, v in PROBLEM_SCHEMA.items()})
    return pl.concat(parts).sort(["row", "order"])


def problems_of(found: "pl.DataFrame") -> dict[int, list[Problem]]:
    """`check_frame`'s result as {row: [Problem, …]} (rows without problems left out)."""
    out: dict[int, list[Problem]] = {}
    for row, _order, code, name, message in found.iter_rows():
        out.setdefault(row, []).append(Problem(code, name, message))
    return out
