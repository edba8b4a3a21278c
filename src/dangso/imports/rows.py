"""From a file's cells to a member record, or to the reasons the row is bad.

This is the per-row work of an import, run over millions of rows, possibly in worker
processes: no database access, no per-row translation lookups (messages are translated once
per run), and every conversion that sees the same values again and again (code lists, dates,
words of names, repaired text) is remembered per run.

A row is bad when a required value (name, sex, birth date, admission date, cell) is missing or
cannot be read, when a value cannot be read at all, when it is too long for the record, or when
it breaks a blocking rule of `members.rules`. Warnings (no CCCD yet, …) do not stop a row.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangso.core import legacy
from dangso.core.text import fold, name_sort_key, normalise_name
from dangso.imports.columns import BY_FIELD, COLUMNS
from dangso.imports.readers import CsvUnit, RowsUnit, Unit, csv_records
from dangso.members import vocab
from dangso.members.choices import MemberStatus
from dangso.members.models import Member
from dangso.members.rules import WARNINGS, check_frame, value_text
from dangso.members.rules.catalogue import FIELDS as RULE_KINDS

# The staging row, in this order, for COPY (PostgreSQL) and executemany (SQLite).
STAGE_COLUMNS: tuple[str, ...] = (
    "line", "ok", "cccd", "card_number", "full_name", "other_names", "sex", "date_of_birth",
    "place_of_birth", "hometown", "residence", "ethnicity", "religion", "dossier_number",
    "admission_date", "official_date", "organisation_id", "general_education",
    "professional_qualification", "political_theory", "occupation", "position", "phone",
    "email", "status", "name_folded", "sort_key",
)  # fmt: skip
DATE_FIELDS = frozenset({"date_of_birth", "admission_date", "official_date"})
TEXT_FIELDS = ("other_names", "place_of_birth", "hometown", "residence", "occupation",
               "position")  # fmt: skip
# Fields read through a code list: the same few values on millions of rows.
_VOCAB: dict[str, Callable[[Any], Any]] = {
    "sex": vocab.parse_sex,
    "ethnicity": vocab.parse_ethnicity,
    "religion": vocab.parse_religion,
    "professional_qualification": vocab.parse_qualification,
    "political_theory": vocab.parse_theory,
    "general_education": vocab.parse_education,
}
_IDENTIFIERS: dict[str, Callable[[Any], Any]] = {
    "cccd": vocab.clean_cccd,
    "card_number": vocab.clean_card,
    "phone": vocab.clean_phone,
}
_CACHE_LIMIT = 50_000  # entries per cache: cleared when full, so memory stays flat
# The record fields the rules read, and their frame types.
_CHECKED = ("full_name", "sex", "date_of_birth", "admission_date", "official_date", "cccd",
            "card_number", "dossier_number", "general_education", "phone", "email")  # fmt: skip
# Free text is checked for length here; identifiers and codes by the rules' format checks.
_LENGTH_CHECKED = ("full_name", *TEXT_FIELDS, "email")
_MISSING = object()
_BAD = object()
# Fields the fast path reads through a per-field cache of cell → value.
_FAST_CACHED = ("full_name", "sex", "date_of_birth", "admission_date", "official_date",
                "ethnicity", "religion", "general_education", "professional_qualification",
                "political_theory", "other_names", "place_of_birth", "hometown", "residence",
                "occupation", "position")  # fmt: skip
# Identifiers already in their clean form when they are this many digits (phone: with its 0).
_FAST_IDENTIFIERS = (("cccd", 12), ("card_number", 8), ("phone", 10))
_EMPTY_TAIL = (None,) * (len(STAGE_COLUMNS) - 4)
_OFFICIAL = str(MemberStatus.OFFICIAL.value)
_PROBATIONARY = str(MemberStatus.PROBATIONARY.value)


def max_lengths() -> dict[str, int]:
    return {
        f.name: int(f.max_length)
        for f in Member._meta.fields
        if f.max_length and f.name in BY_FIELD
    }


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error)


def cell_text(value: Any) -> str:
    """What a cell holds, as the person sees it: 1.0 → '1', None → ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y") if not value.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@dataclass
class Messages:
    """Every message the converter writes, translated once per run."""

    required: str = ""
    unreadable: str = ""
    unknown_cell: str = ""
    ambiguous_cell: str = ""
    too_long: str = ""
    date: str = ""
    unknown: dict[str, str] = field(default_factory=dict)  # per code list: what it takes

    @classmethod
    def translated(cls, scope_name: str) -> "Messages":
        return cls(
            required=_("A value is required."),
            unreadable=_("This value is not recognised."),
            unknown_cell=_("There is no active Party cell with this code in %(scope)s.")
            % {"scope": scope_name},
            ambiguous_cell=_("Several Party cells have this name; use the cell's code."),
            too_long=_("Too long: at most %(max)s characters."),
            date=_("Not a date: write it as dd/mm/yyyy."),
            unknown={
                "sex": _("Write Nam or Nữ."),
                "ethnicity": _(
                    "Not one of the 54 ethnic groups: write its name (Kinh, Tày, Mường, …) "
                    "or its code, 01 to 54."
                ),
                "religion": _(
                    "Not a religion of the list: Không, Phật giáo, Công giáo, Tin lành, "
                    "Cao Đài, Hòa Hảo, Hồi giáo or Khác."
                ),
                "professional_qualification": _(
                    "Not a level of the list: Không, Sơ cấp, Trung cấp, Cao đẳng, Đại học, "
                    "Thạc sĩ or Tiến sĩ."
                ),
                "political_theory": _(
                    "Not a level of the list: Không, Sơ cấp, Trung cấp, Cao cấp or Cử nhân."
                ),
                "general_education": _("Write grade/system, e.g. 12/12 or 10/10."),
            },
        )


@dataclass
class UnitResult:
    """What one unit of rows gave: staged rows (good and bad), errors and counts, and the
    warnings of the good rows, (line, rule code, field, value) — the problems the data-quality
    table records for a new member, found by the same `check_record` call that passed the row
    (as COPY text in `problem_data` for PostgreSQL, else in `problems`)."""

    first_line: int
    rows: int = 0
    valid: int = 0
    staged: list[tuple[Any, ...]] = field(default_factory=list)
    copy_data: bytes = b""
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)
    last_line: int = 0
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)
    problem_data: bytes = b""


class RowConverter:
    """Turns rows of one file into staging rows; built once per run (and per process)."""

    def __init__(
        self,
        *,
        headers: Sequence[str],
        mapping: Mapping[str, int],
        cells: Mapping[str, int],
        cell_names: Mapping[str, int | None],
        scope_name: str,
        today: datetime.date,
        copy_format: bool,
    ) -> None:
        self.headers = list(headers)
        self.mapping = dict(mapping)
        self.cells = {code.upper(): pk for code, pk in cells.items()}
        self.cell_names = dict(cell_names)
        self.today = today
        self.copy_format = copy_format
        self.messages = Messages.translated(scope_name)
        self.max_length = max_lengths()
        self.fields = [column.field for column in COLUMNS if column.field in self.mapping]
        self._text_cache: dict[str, str] = {}
        self._word_cache: dict[str, tuple[str, str, str]] = {}
        self._value_cache: dict[str, dict[Any, tuple[Any, str]]] = {f: {} for f in BY_FIELD}
        self._header = {f: self.header_of(f) for f in BY_FIELD}
        # The fast path: each field's column (or the padding column, always empty), and one
        # cache per field from a cell as read to its value (or _BAD: take the slow path).
        self.width = max(self.mapping.values(), default=-1) + 2
        self.index = {name: self.mapping.get(name, self.width - 1) for name in BY_FIELD}
        self._fast: dict[str, dict[Any, Any]] = {name: {} for name in BY_FIELD}
        self._cell_text = {code: str(pk) for code, pk in self.cells.items()}
        self._plan = [(name, self.index[name], self._fast[name]) for name in _FAST_CACHED]

    def header_of(self, field_name: str) -> str:
        index = self.mapping.get(field_name)
        if index is None or index >= len(self.headers):
            return BY_FIELD[field_name].header if field_name in BY_FIELD else field_name
        return self.headers[index] or BY_FIELD[field_name].header

    # --- cells ------------------------------------------------------------------------------

    def text(self, raw: str) -> str:
        """Repaired text: NFC, legacy encodings converted, single spaces."""
        if raw.isascii():
            return " ".join(raw.split())
        cached = self._text_cache.get(raw)
        if cached is None:
            if len(self._text_cache) > _CACHE_LIMIT:
                self._text_cache.clear()
            cached = self._text_cache[raw] = legacy.repair_text(raw)
        return cached

    def name(self, text: str) -> tuple[str, str, str]:
        """(full name, folded, sort key), built word by word (names share their words)."""
        words = text.split()
        parts = []
        for word in words:
            known = self._word_cache.get(word)
            if known is None:
                if len(self._word_cache) > _CACHE_LIMIT:
                    self._word_cache.clear()
                normal = normalise_name(word)
                known = self._word_cache[word] = (normal, fold(normal), name_sort_key(normal))
            parts.append(known)
        if not parts:
            return "", "", ""
        full = " ".join(part[0] for part in parts)
        folded = " ".join(part[1] for part in parts)
        # Vietnamese order: the given name (last word) first, then family and middle names.
        key = " ".join([parts[-1][2], *(part[2] for part in parts[:-1])])[:255]
        return full, folded, key

    def vocabulary(self, field_name: str, raw: Any) -> tuple[Any, str]:
        """(value, error) through the field's code list, remembered per distinct cell."""
        cache = self._value_cache[field_name]
        key = raw if isinstance(raw, str | float | int) else cell_text(raw)
        found = cache.get(key)
        if found is None:
            text = self.text(cell_text(raw))
            if not text:
                found = (None, "")
            else:
                try:
                    value = _VOCAB[field_name](text)
                except (ValueError, ValidationError) as error:
                    found = (None, _error_text(error) or self._unknown(field_name))
                else:
                    found = (value, "") if value not in (None, "") else (
                        None, self._unknown(field_name)
                    )  # fmt: skip
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            cache[key] = found
        return found

    def _unknown(self, field_name: str) -> str:
        return self.messages.unknown.get(field_name, self.messages.unreadable)

    def date(self, field_name: str, raw: Any) -> tuple[datetime.date | None, str]:
        if isinstance(raw, datetime.datetime):
            return raw.date(), ""
        if isinstance(raw, datetime.date):
            return raw, ""
        cache = self._value_cache[field_name]
        found = cache.get(raw)
        if found is None:
            if isinstance(raw, str) and not raw.strip():
                found = (None, "")
            else:
                try:
                    day = vocab.parse_date(raw.strip() if isinstance(raw, str) else raw)
                except (ValueError, ValidationError, OverflowError) as error:
                    found = (None, _error_text(error) or self.messages.date)
                else:
                    found = (day, "") if day is not None else (None, self.messages.date)
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            cache[raw] = found
        return found

    def identifier(self, field_name: str, raw: Any) -> tuple[str | None, str]:
        """CCCD, card or phone number; a number cell gets back the zeros Excel dropped."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None, ""
        try:
            value = _IDENTIFIERS[field_name](raw)
        except (ValueError, ValidationError) as error:
            return None, _error_text(error) or self.messages.unreadable
        return (value or None), ""

    def cell(self, raw: str) -> tuple[int | None, str]:
        code = " ".join(cell_text(raw).split())
        if not code:
            return None, ""
        found = self.cells.get(code.upper())
        if found is not None:
            return found, ""
        by_name = self.cell_names.get(fold(legacy.repair_text(code)), 0)
        if by_name is None:
            return None, self.messages.ambiguous_cell
        if by_name:
            return by_name, ""
        return None, self.messages.unknown_cell

    # --- rows -------------------------------------------------------------------------------

    def convert(self, unit: Unit) -> UnitResult:
        """The unit's rows read (per row, through caches of distinct values), then checked
        against the member rules all at once (`members.rules.check_frame`)."""
        result = UnitResult(first_line=unit.first_line)
        records: Iterable[tuple[int, list[Any]]]
        if isinstance(unit, CsvUnit):
            records = csv_records(unit)
            blank = _blank_csv
        else:
            records = enumerate(unit.rows, start=unit.first_line)
            blank = _blank_cells
        out: list[Any] = []
        read: list[tuple[int, Sequence[Any], tuple[Any, ...], dict[str, Any], bool]] = []
        fast = self.fast_row
        for line, row in records:
            if blank(row):
                continue
            result.rows += 1
            found = fast(line, row)
            if found is not None:
                read.append((line, row, found[0], found[1], True))
                continue
            staged, errors, record = self.convert_row(line, row)
            if errors:
                result.errors.extend(errors)
                if staged is not None:
                    out.append(self._encode(staged, fast=False))
            elif staged is not None and record is not None:
                read.append((line, row, staged, record, False))
        result.last_line = line if result.rows else 0
        self._check(read, result, out)
        if self.copy_format:
            result.copy_data = "".join(out).encode()
            result.problem_data = "".join(
                [_copy_line(problem) for problem in result.problems]
            ).encode()
            result.problems = []
        else:
            result.staged = out
        return result

    def _check(
        self,
        read: list[tuple[int, Sequence[Any], tuple[Any, ...], dict[str, Any], bool]],
        result: UnitResult,
        out: list[Any],
    ) -> None:
        """The rules over every row read without error, vectorised: a row breaking a blocking
        rule is bad (its reasons reported on the rule's column, with the cell as typed); the
        warnings of the good rows go to `result.problems` for the data-quality table."""
        if not read:
            return
        import polars as pl

        types = {"text": pl.String, "date": pl.Date}
        frame = pl.DataFrame(
            {name: [entry[3].get(name) for entry in read] for name in _CHECKED},
            schema={name: types[RULE_KINDS[name]] for name in _CHECKED},
        )
        found = check_frame(frame, today=self.today, messages=False)
        problems: dict[int, list[tuple[str, str, str]]] = {}
        for index, code, name, message in found.select("row", "code", "field", "message").rows():
            problems.setdefault(index, []).append((code, name, message))
        for index, (line, row, staged, record, is_fast) in enumerate(read):
            mine = problems.get(index)
            if mine and any(code not in WARNINGS for code, _name, _message in mine):
                for code, name, message in mine:
                    if code in WARNINGS:
                        continue
                    column = name if name in BY_FIELD else "full_name"
                    position = self.mapping.get(column)
                    raw = row[position] if position is not None and position < len(row) else ""
                    result.errors.append((line, self._header[column], cell_text(raw), message))
                cccd, card = staged[2], staged[3]
                if cccd or card:
                    out.append(self._encode((line, False, cccd, card, *_EMPTY_TAIL), fast=False))
                continue
            result.valid += 1
            if mine:
                result.problems.extend(
                    (line, code, name, value_text(record[name])) for code, name, _m in mine
                )
            out.append(self._encode(staged, fast=is_fast))

    def _encode(self, staged: tuple[Any, ...], *, fast: bool) -> Any:
        """A staging row as COPY text (PostgreSQL) or a tuple for executemany (SQLite)."""
        if not self.copy_format:
            return _sqlite_row(staged)
        if not fast:
            return _copy_line(staged)
        values_out = [str(staged[0]), "t", *staged[2:]]
        nulls = values_out.count(None)
        text = "\t".join(["\\N" if value is None else value for value in values_out])
        if text.count("\\") != nulls:  # a backslash in the data: escape it
            return _copy_line(staged)
        return text + "\n"

    def _fill(self, name: str, raw: Any) -> Any:
        """The fast cache's entry for a cell: the value, or _BAD for anything the slow path
        must look at (unknown, missing when required, too long)."""
        cache = self._fast[name]
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        value: Any
        if name in _VOCAB:
            value, error = self.vocabulary(name, raw)
            if error or (value is None and name == "sex"):
                value = _BAD
        elif name in DATE_FIELDS:
            day, error = self.date(name, raw)
            if error or (day is None and name != "official_date"):
                value = _BAD
            else:
                value = (day, day.isoformat()) if day else None
        elif name == "full_name":
            names = self.name(self.text(cell_text(raw)))
            value = names if names[0] and len(names[0]) <= self.max_length[name] else _BAD
        else:  # free text
            text = self.text(cell_text(raw)) or None
            limit = self.max_length.get(name, 255)
            value = _BAD if text is not None and len(text) > limit else text
        cache[raw] = value
        return value

    def fast_row(
        self, line: int, row: Sequence[Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
        """(staging row, the record the rules check) of a row that needs nothing but the
        common case — every value known and read; None sends the row to `convert_row`, which
        finds and words its errors."""
        if len(row) < self.width:
            row = [*row, *([""] * (self.width - len(row)))]
        index = self.index
        fill = self._fill
        values = []
        for name, column, cache in self._plan:
            raw = row[column]
            value = cache.get(raw, _MISSING)
            if value is _MISSING:
                value = fill(name, raw)
            if value is _BAD:
                return None
            values.append(value)
        (
            (full, folded, key), sex, birth, admission, official, ethnicity, religion,
            education, qualification, theory, other_names, place_of_birth, hometown,
            residence, occupation, position,
        ) = values  # fmt: skip
        ids: list[str | None] = []
        for name, size in _FAST_IDENTIFIERS:
            raw = row[index[name]]
            if not raw:
                ids.append(None)
            elif (
                raw.__class__ is str
                and len(raw) == size
                and raw.isdigit()
                and (name != "phone" or raw[0] == "0")
            ):
                ids.append(raw)
            else:
                value, error = self.identifier(name, raw)
                if error:
                    return None
                ids.append(value)
        cccd, card, phone = ids
        raw = row[index["dossier_number"]]
        dossier = "".join(cell_text(raw).split()).upper() if raw else None
        raw = row[index["email"]]
        email = cell_text(raw).strip() if raw else None
        raw = row[index["organisation"]]
        organisation = self._cell_text.get(raw if raw.__class__ is str else cell_text(raw))
        if organisation is None or (dossier and len(dossier) > 10) or (
            email and len(email) > 254
        ):  # fmt: skip
            return None
        record = {
            "full_name": full,
            "sex": sex,
            "date_of_birth": birth[0],
            "admission_date": admission[0],
            "official_date": official[0] if official else None,
            "cccd": cccd or "",
            "card_number": card or "",
            "dossier_number": dossier or "",
            "general_education": education or "",
            "phone": phone or "",
            "email": email or "",
        }
        staged = (
            line, True, cccd, card, full, other_names, sex, birth[1], place_of_birth, hometown,
            residence, ethnicity, religion, dossier, admission[1],
            official[1] if official else None,
            organisation if self.copy_format else int(organisation), education, qualification,
            theory, occupation, position, phone, email,
            _OFFICIAL if official else _PROBATIONARY, folded, key,
        )  # fmt: skip
        return staged, record

    def convert_row(
        self, line: int, row: Sequence[Any]
    ) -> tuple[tuple[Any, ...] | None, list[tuple[int, str, str, str]], dict[str, Any] | None]:
        """The staging row (bad rows keep only their identifiers), the errors of reading the
        row, and the record the rules check (None for a row with errors)."""
        size = len(row)
        raws: dict[str, Any] = {}
        for name in self.fields:
            index = self.mapping[name]
            raws[name] = row[index] if index < size else ""
        values: dict[str, Any] = {}
        errors: list[tuple[int, str, str, str]] = []
        failed: set[str] = set()

        def fail(name: str, reason: str) -> None:
            failed.add(name)
            errors.append((line, self._header[name], cell_text(raws.get(name, "")), reason))

        full, folded, key = self.name(self.text(cell_text(raws.get("full_name", ""))))
        for name in _VOCAB:
            if name in raws:
                values[name], error = self.vocabulary(name, raws[name])
                if error:
                    fail(name, error)
        for name in ("date_of_birth", "admission_date", "official_date"):
            if name in raws:
                values[name], error = self.date(name, raws[name])
                if error:
                    fail(name, error)
        for name in ("cccd", "card_number", "phone"):
            if name in raws:
                values[name], error = self.identifier(name, raws[name])
                if error:
                    fail(name, error)
        for name in TEXT_FIELDS:
            if name in raws:
                values[name] = self.text(cell_text(raws[name]))
        if "dossier_number" in raws:
            values["dossier_number"] = "".join(cell_text(raws["dossier_number"]).split()).upper()
        if "email" in raws:
            values["email"] = cell_text(raws["email"]).strip()
        organisation_id, error = self.cell(raws.get("organisation", ""))
        if error:
            fail("organisation", error)
        values["full_name"] = full
        values["organisation"] = organisation_id
        for name in ("full_name", "sex", "date_of_birth", "admission_date", "organisation"):
            if name not in failed and values.get(name) in (None, ""):
                fail(name, self.messages.required)
        for name in _LENGTH_CHECKED:
            value, limit = values.get(name), self.max_length[name]
            if isinstance(value, str) and len(value) > limit and name not in failed:
                fail(name, self.messages.too_long % {"max": limit})
        record: dict[str, Any] | None = None
        if not errors:
            record = {
                "full_name": full,
                "sex": values["sex"],
                "date_of_birth": values["date_of_birth"],
                "admission_date": values["admission_date"],
                "official_date": values.get("official_date"),
                "cccd": values.get("cccd") or "",
                "card_number": values.get("card_number") or "",
                "dossier_number": values.get("dossier_number") or "",
                "general_education": values.get("general_education") or "",
                "phone": values.get("phone") or "",
                "email": values.get("email") or "",
            }
        if errors:
            cccd, card = values.get("cccd"), values.get("card_number")
            if not (cccd or card):
                return None, errors, None
            return (line, False, cccd, card, *_EMPTY_TAIL), errors, None
        official = values.get("official_date")
        return (
            line, True, values.get("cccd"), values.get("card_number"), full,
            values.get("other_names") or None, values["sex"], values["date_of_birth"],
            values.get("place_of_birth") or None, values.get("hometown") or None,
            values.get("residence") or None, values.get("ethnicity"), values.get("religion"),
            values.get("dossier_number") or None, values["admission_date"], official,
            organisation_id, values.get("general_education") or None,
            values.get("professional_qualification"), values.get("political_theory"),
            values.get("occupation") or None, values.get("position") or None,
            values.get("phone"), values.get("email") or None,
            _OFFICIAL if official else _PROBATIONARY, folded, key,
        ), errors, record  # fmt: skip


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _copy_line(values: tuple[Any, ...]) -> str:
    """One line of PostgreSQL's COPY text format."""
    return "\t".join([_copy_value(value) for value in values]) + "\n"


def _blank_csv(row: list[str]) -> bool:
    return all(not cell or cell.isspace() for cell in row)


def _blank_cells(row: list[Any]) -> bool:
    return not any(cell_text(cell).strip() for cell in row)


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A staging row for SQLite: dates as ISO text, booleans as 0/1 (as Django stores them)."""
    return tuple(
        value.isoformat()
        if isinstance(value, datetime.date)
        else (int(value) if isinstance(value, bool) else value)
        for value in row
    )


__all__ = ["STAGE_COLUMNS", "RowConverter", "RowsUnit", "UnitResult"]
