"""Data-quality actions: check records against the rules, count the figures of the day, find
and decide likely duplicates.

`check_members` is set-based: it works through the member table in blocks of ids, reads each
block's rule fields in one query, runs the pure rules of `members.rules` in Python and replaces
the block's problems with one DELETE and one COPY (PostgreSQL) or bulk insert (SQLite). Each
block is one short transaction, so a national run never holds locks for long.

A run and a concurrent edit cannot leave a stale problem behind: on PostgreSQL the run holds
an exclusive advisory lock on a block while it reads and writes it, and the re-check that
follows every member change (`recheck_changed_members`, inside the edit's transaction) takes
the same lock shared. Whichever comes second reads the other's committed data. The problem
table has no foreign-key constraint to members, so the run never waits on a row lock held by
an edit while holding the block (which could deadlock).
"""

import datetime
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from dangso.core import audit
from dangso.core.audit import Actor
from dangso.members.actions import follow_member_changes, merge_members
from dangso.members.choices import ON_ROLL
from dangso.members.models import RULE_FIELDS, Member
from dangso.members.rules import check_record, value_text
from dangso.orgs import paths as org_paths
from dangso.orgs.models import Organisation
from dangso.quality.matching import PROPOSE_AT, Person, hometown_key, pairs_by_birth_date
from dangso.quality.models import (
    BLOCKING_CODES,
    DuplicateCandidate,
    MemberProblem,
    PairStatus,
    QualitySnapshot,
)

BLOCK = 10_000  # member ids per block: the unit of reading, writing and locking
LIKELY = "duplicate.likely"  # written by `find_duplicates`, not by the rule checks
_LOCK_CLASS = 2043  # first key of the advisory locks on blocks (PostgreSQL)
_FIELDS = ("pk", "status", "organisation_id", *RULE_FIELDS)
_COPY = (
    "COPY quality_memberproblem (member_id, organisation_id, code, field, value, detected_at) "
    "FROM STDIN"
)

# (member id, organisation id, code, field, value, detected at)
ProblemRow = tuple[int, int, str, str, str, datetime.datetime]


@dataclass
class CheckResult:
    members: int = 0  # members on the roll checked
    problems: int = 0  # problems written
    unclean: int = 0  # members with at least one problem that needs fixing
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Members checked per second."""
        return self.members / self.seconds if self.seconds else 0.0


def _batched(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _lock_block(block: int, *, shared: bool) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite runs one writing transaction at a time
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [_LOCK_CLASS, block])


def _insert(rows: list[ProblemRow]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(_COPY) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        MemberProblem.objects.bulk_create(
            (
                MemberProblem(
                    member_id=m, organisation_id=o, code=c, field=f, value=v, detected_at=at
                )
                for m, o, c, f, v, at in rows
            ),
            batch_size=2000,
        )


def _check_block(
    rows: Iterable[tuple[Any, ...]],
    *,
    today: datetime.date,
    now: datetime.datetime,
    result: CheckResult,
) -> tuple[list[ProblemRow], list[int]]:
    """The problems of one block's members, and the ids of those no longer on the roll."""
    problems: list[ProblemRow] = []
    gone: list[int] = []
    blocking = set(BLOCKING_CODES)
    for pk, status, organisation_id, *values in rows:
        if status not in ON_ROLL:
            gone.append(pk)
            continue
        record = dict(zip(RULE_FIELDS, values, strict=True))
        result.members += 1
        unclean = False
        for problem in check_record(record, today=today):
            value = value_text(record[problem.field])
            problems.append((pk, organisation_id, problem.code, problem.field, value, now))
            unclean = unclean or problem.code in blocking
        result.unclean += unclean
    result.problems += len(problems)
    return problems, gone


def _replace(
    problems: list[ProblemRow], gone: list[int], *, ids: Sequence[int] | None, span: range | None
) -> None:
    """Replace the stored problems of a block (its id `span`, or just `ids`) by `problems`.

    Likely-duplicate problems belong to `find_duplicates` and stay, except on records that left
    the roll, whose open pairs go too."""
    stored = MemberProblem.objects.all()
    if span is not None:
        stored = stored.filter(member_id__gte=span.start, member_id__lt=span.stop)
    else:
        stored = stored.filter(member_id__in=ids)
    stored.filter(~Q(code=LIKELY) | Q(member_id__in=gone)).delete()
    if gone:
        _close_pairs_of(gone)
    _insert(problems)


def _blocks_of(ids: Iterable[int]) -> Iterator[tuple[int, list[int]]]:
    by_block: dict[int, list[int]] = defaultdict(list)
    for pk in sorted(set(ids)):
        by_block[pk // BLOCK].append(pk)
    yield from sorted(by_block.items())


@dataclass
class _Run:
    today: datetime.date
    now: datetime.datetime
    result: CheckResult


def _check_rows(
    rows: Iterable[tuple[Any, ...]],
    run: _Run,
    *,
    ids: Sequence[int] | None = None,
    span: range | None = None,
) -> None:
    problems, gone = _check_block(rows, today=run.today, now=run.now, result=run.result)
    _replace(problems, gone, ids=ids, span=span)


def _check_listed(ids: list[int], run: _Run) -> None:
    """Given members, inside the caller's transaction: the blocks are locked shared."""
    for block, block_ids in _blocks_of(ids):
        with transaction.atomic():
            _lock_block(block, shared=True)
            for part in _batched(block_ids, 2000):  # a bounded IN list, also on SQLite
                members = Member.objects.filter(pk__in=part)
                _check_rows(members.values_list(*_FIELDS), run, ids=part)


def _check_subtree(path: str, run: _Run) -> None:
    members = Member.objects.filter(organisation__path__startswith=path)
    for block, block_ids in _blocks_of(members.values_list("pk", flat=True)):
        with transaction.atomic():
            _lock_block(block, shared=False)
            rows = Member.objects.filter(pk__in=block_ids).values_list(*_FIELDS)
            _check_rows(rows, run, ids=block_ids)
    # Problems filed under the subtree for members now elsewhere (moved without a re-check).
    MemberProblem.objects.filter(organisation__path__startswith=path).exclude(
        member_id__in=Subquery(members.values("pk"))
    ).delete()


def _check_everyone(run: _Run) -> None:
    """Every block of ids in turn, each read by its id range (an index range scan)."""
    block = _next_block(0)
    while block is not None:
        span = range(block * BLOCK, (block + 1) * BLOCK)
        with transaction.atomic():
            _lock_block(block, shared=False)
            rows = (
                Member.objects.filter(pk__gte=span.start, pk__lt=span.stop)
                .order_by()
                .values_list(*_FIELDS)
            )
            _check_rows(rows, run, span=span)
        block = _next_block(span.stop)


def check_members(
    member_ids: Iterable[int] | None = None,
    *,
    under: str | None = None,
    today: datetime.date | None = None,
) -> CheckResult:
    """Run every rule of `members.rules` over members and store what they break.

    `member_ids` checks those members (inside the caller's transaction: the re-check after an
    edit or an import); otherwise every member on the roll, or those under the organisation
    path `under`. Members off the roll lose their problems.
    """
    started = time.perf_counter()
    run = _Run(today or timezone.localdate(), timezone.now(), CheckResult())
    if member_ids is not None:
        _check_listed(sorted(set(member_ids)), run)
    elif under:
        _check_subtree(under, run)
    else:
        _check_everyone(run)
    result = run.result
    result.seconds = time.perf_counter() - started
    return result


def _next_block(from_id: int) -> int | None:
    """The block of the first member id at or after `from_id` (gaps in the ids are skipped)."""
    first = Member.objects.filter(pk__gte=from_id).order_by("pk").values_list("pk", flat=True)
    pk = first.first()
    return None if pk is None else pk // BLOCK


@follow_member_changes
def recheck_changed_members(member_ids: Sequence[int], organisation_ids: Sequence[int]) -> None:
    """Re-check members an action just changed, in its transaction: a record corrected on the
    edit page is clean (or shows its remaining problems) as soon as it is saved."""
    check_members(member_ids)


def check_scope(organisation: Organisation, *, actor: Actor) -> CheckResult:
    """Kiểm tra ngay: re-check the members of an organisation's subtree, audited. The root of
    the tree is the national run, which reads the member table by id ranges."""
    result = check_members(under=organisation.path if organisation.parent_id else None)
    audit.record(
        actor,
        "quality.check",
        organisation,
        changes={"members": [None, result.members], "unclean": [None, result.unclean]},
    )
    return result


def check_all(*, actor: Actor) -> CheckResult:
    """The national run (`dangso check-members`, the nightly job), audited once."""
    result = check_members()
    audit.record(
        actor,
        "quality.check",
        object_type="members.member",
        changes={"members": [None, result.members], "unclean": [None, result.unclean]},
    )
    return result


# --- figures of the day -------------------------------------------------------------------------


def snapshot_quality(day: datetime.date | None = None) -> int:
    """Write the day's figures of every organisation's subtree; returns the rows written.

    Members on the roll come from the kept `Organisation.member_count`; the members with
    problems are counted per cell from the problem table (needing fixing, and by rule), then
    added up the tree in Python along each cell's path.
    """
    day = day or timezone.localdate()
    problems = MemberProblem.objects.all()
    unclean = dict(
        problems.filter(code__in=BLOCKING_CODES)
        .values("organisation_id")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("organisation_id", "n")
        .order_by()
    )
    by_rule: dict[int, dict[str, int]] = defaultdict(dict)
    for cell, code, count in (
        problems.values("organisation_id", "code")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("organisation_id", "code", "n")
        .order_by()
    ):
        by_rule[cell][code] = count
    paths = dict(Organisation.objects.values_list("pk", "path"))
    totals: dict[int, list[Any]] = {}
    for cell, members in Organisation.objects.filter(member_count__gt=0).values_list(
        "pk", "member_count"
    ):
        clean = max(members - unclean.get(cell, 0), 0)
        for ancestor in org_paths.ids_of(paths[cell]):
            total = totals.setdefault(ancestor, [0, 0, defaultdict(int)])
            total[0] += members
            total[1] += clean
            for code, count in by_rule.get(cell, {}).items():
                total[2][code] += count
    with transaction.atomic():
        QualitySnapshot.objects.filter(day=day).delete()
        QualitySnapshot.objects.bulk_create(
            (
                QualitySnapshot(
                    organisation_id=pk,
                    day=day,
                    members=members,
                    clean_records=clean,
                    by_rule=dict(rules),
                )
                for pk, (members, clean, rules) in totals.items()
            ),
            batch_size=2000,
        )
    return len(totals)


# --- likely duplicates --------------------------------------------------------------------------


@dataclass
class DuplicateResult:
    members: int = 0  # members on the roll compared
    found: int = 0  # pairs scoring at least PROPOSE_AT
    new: int = 0  # of which not proposed before
    decided: int = 0  # of which already decided (left as they are)
    seconds: float = 0.0


def _people(result: DuplicateResult) -> Iterator[tuple[datetime.date, Person]]:
    hometowns: dict[str, str] = {}
    rows = (
        Member.objects.filter(status__in=ON_ROLL)
        .order_by("date_of_birth", "pk")
        .values_list(
            "pk",
            "date_of_birth",
            "name_folded",
            "sex",
            "hometown",
            "admission_date",
            "phone",
            "cccd",
            "organisation_id",
        )
        .iterator(chunk_size=20_000)
    )
    for pk, birth, name, sex, hometown, admission, phone, cccd, organisation_id in rows:
        result.members += 1
        key = hometowns.get(hometown)
        if key is None:
            key = hometowns[hometown] = hometown_key(hometown)
        yield birth, Person(pk, name, sex, key, admission, phone or "", cccd or "", organisation_id)


def find_duplicates(*, propose_at: float = PROPOSE_AT) -> DuplicateResult:
    """Propose the pairs of records on the roll that are probably the same person.

    One pass over the roll sorted by birth date (the blocking key; see `quality.matching`).
    Pairs already decided are left as they are; open pairs get their new score, and open pairs
    no longer found (a record was corrected) are withdrawn.
    """
    started = time.perf_counter()
    result = DuplicateResult()
    now = timezone.now()
    with transaction.atomic():  # one snapshot, streamed through a server-side cursor
        found = {
            (pair.member_a, pair.member_b): pair
            for pair in pairs_by_birth_date(_people(result), propose_at=propose_at)
        }
    result.found = len(found)
    with transaction.atomic():
        existing = {
            (a, b): (pk, status, score, reasons)
            for pk, a, b, status, score, reasons in DuplicateCandidate.objects.values_list(
                "pk", "member_a_id", "member_b_id", "status", "score", "reasons"
            ).iterator(chunk_size=10_000)
        }
        new, changed, withdrawn = [], [], []
        for key, (pk, status, score, reasons) in existing.items():
            pair = found.get(key)
            if status != PairStatus.OPEN:
                result.decided += pair is not None
            elif pair is None:
                withdrawn.append(pk)
            elif (pair.score, list(pair.reasons)) != (score, reasons):
                changed.append(
                    DuplicateCandidate(pk=pk, score=pair.score, reasons=list(pair.reasons))
                )
        for key, pair in found.items():
            if key not in existing:
                new.append(
                    DuplicateCandidate(
                        member_a_id=pair.member_a,
                        member_b_id=pair.member_b,
                        score=pair.score,
                        reasons=list(pair.reasons),
                        found_at=now,
                    )
                )
        for part in _batched(withdrawn, 2000):
            DuplicateCandidate.objects.filter(pk__in=part).delete()
        DuplicateCandidate.objects.bulk_update(changed, ["score", "reasons"], batch_size=2000)
        DuplicateCandidate.objects.bulk_create(new, batch_size=2000)
        result.new = len(new)
        _mark_likely_duplicates(None)
    result.seconds = time.perf_counter() - started
    return result


def find_duplicates_audited(*, actor: Actor) -> DuplicateResult:
    result = find_duplicates()
    audit.record(
        actor,
        "quality.find_duplicates",
        object_type="quality.duplicatecandidate",
        changes={"found": [None, result.found], "new": [None, result.new]},
    )
    return result


def _mark_likely_duplicates(member_ids: Sequence[int] | None) -> None:
    """Give each member of an open pair one `duplicate.likely` problem per pair (all members,
    or only `member_ids`), so that the worklist and the counts by rule show them."""
    stored = MemberProblem.objects.filter(code=LIKELY)
    pairs = DuplicateCandidate.objects.filter(status=PairStatus.OPEN)
    if member_ids is not None:
        stored = stored.filter(member_id__in=member_ids)
        pairs = pairs.filter(Q(member_a__in=member_ids) | Q(member_b__in=member_ids))
    stored.delete()
    now = timezone.now()
    wanted = None if member_ids is None else set(member_ids)
    rows: list[ProblemRow] = []
    for a, b, org_a, org_b in pairs.values_list(
        "member_a_id", "member_b_id", "member_a__organisation_id", "member_b__organisation_id"
    ).iterator(chunk_size=10_000):
        for member, organisation, other in ((a, org_a, b), (b, org_b, a)):
            if wanted is None or member in wanted:
                rows.append((member, organisation, LIKELY, "full_name", str(other), now))
    _insert(rows)


def _close_pairs_of(member_ids: Sequence[int]) -> None:
    """Withdraw the open pairs of records that left the roll (merged, dead, transferred out)."""
    pairs = DuplicateCandidate.objects.filter(status=PairStatus.OPEN).filter(
        Q(member_a__in=member_ids) | Q(member_b__in=member_ids)
    )
    partners = {
        pk for pair in pairs.values_list("member_a_id", "member_b_id") for pk in pair
    } - set(member_ids)
    if partners:
        pairs.delete()
        _mark_likely_duplicates(sorted(partners))


def _decide(candidate: DuplicateCandidate, status: str, actor: Actor) -> DuplicateCandidate:
    locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if not locked.is_open:
        raise ValidationError(
            _("This pair was already decided: %(status)s.")
            % {"status": locked.get_status_display()},
            code="decided",
        )
    locked.status = status
    locked.decided_by = actor.name
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


@transaction.atomic
def merge_duplicate(
    candidate: DuplicateCandidate, *, keep: Member, actor: Actor
) -> DuplicateCandidate:
    """Gộp hồ sơ: the two records of the pair are one person; `keep` stays on the roll and
    the other is merged into it (`members.actions.merge_members`)."""
    if keep.pk not in (candidate.member_a_id, candidate.member_b_id):
        raise ValidationError(_("Choose one of the two records of the pair to keep."))
    remove_id = candidate.member_b_id if keep.pk == candidate.member_a_id else candidate.member_a_id
    decided = _decide(candidate, PairStatus.MERGED, actor)
    merge_members(keep, Member.objects.get(pk=remove_id), actor=actor)
    _mark_likely_duplicates([candidate.member_a_id, candidate.member_b_id])
    return decided


@transaction.atomic
def dismiss_duplicate(candidate: DuplicateCandidate, actor: Actor) -> DuplicateCandidate:
    """Không trùng: the two records are different people; the pair is not proposed again."""
    decided = _decide(candidate, PairStatus.DISMISSED, actor)
    audit.record(
        actor,
        "quality.duplicate.dismiss",
        decided,
        changes={"status": [PairStatus.OPEN.value, decided.status],
                 "members": [None, [decided.member_a_id, decided.member_b_id]]},
    )  # fmt: skip
    _mark_likely_duplicates([decided.member_a_id, decided.member_b_id])
    return decided
