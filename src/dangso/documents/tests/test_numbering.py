"""Document and register numbers (HD 36 §II.1.3; domain.md §4.2).

Numbers run from 01 per document type, per issuing body, per committee term — not per year;
congress documents share one series across types; classified documents share their type's.
"""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from dangso.core.classification import Classification
from dangso.documents import numbering
from dangso.documents.choices import Direction
from dangso.documents.models import Congress, Counter, Document, IssuingBody
from dangso.orgs.models import Term
from dangso.testing.documents import doc_type, make_office

DAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def numbered(
    body: IssuingBody,
    abbreviation: str = "CV",
    day: datetime.date = DAY,
    **fields,
) -> Document:
    """An outgoing document of `body`, numbered on `day` (not saved: numbering needs no row)."""
    document = Document(
        organisation=body.organisation,
        direction=Direction.OUTGOING,
        issuing_body=body,
        document_type=doc_type(abbreviation),
        summary="Về công tác chuyển đổi số",
        **fields,
    )
    numbering.number_document(document, day)
    return document


def symbols(body: IssuingBody, *abbreviations: str, day: datetime.date = DAY) -> list[str]:
    return [numbered(body, abbreviation, day).symbol for abbreviation in abbreviations]


@pytest.mark.django_db
def test_each_type_numbers_from_01_when_types_interleave(province):
    assert symbols(province.office, "CV", "BC", "CV", "KH", "BC", "CV") == [
        "01-CV/VPTU", "01-BC/VPTU", "02-CV/VPTU", "01-KH/VPTU", "02-BC/VPTU", "03-CV/VPTU",
    ]  # fmt: skip


@pytest.mark.django_db
def test_document_records_number_term_and_date(province):
    document = numbered(province.office, "CV")
    assert (document.number, document.symbol) == (1, "01-CV/VPTU")
    assert document.term == province.term
    assert document.issued_on == DAY


@pytest.mark.django_db
def test_a_new_term_restarts_at_01_and_the_old_series_is_kept(province):
    old = province.term
    old.ends_on = datetime.date(2030, 9, 30)
    old.save()
    new = Term.objects.create(
        organisation=province.organisation, name="Nhiệm kỳ 2030–2035",
        starts_on=datetime.date(2030, 10, 1),
    )  # fmt: skip
    last_day, first_day = datetime.date(2030, 9, 30), datetime.date(2030, 10, 1)

    assert symbols(province.office, "CV", "CV", day=last_day) == ["01-CV/VPTU", "02-CV/VPTU"]
    first_of_new = numbered(province.office, "CV", first_day)
    assert (first_of_new.symbol, first_of_new.term) == ("01-CV/VPTU", new)
    late_entry = numbered(province.office, "CV", last_day)
    assert (late_entry.symbol, late_entry.term) == ("03-CV/VPTU", old)


@pytest.mark.django_db
def test_numbers_do_not_restart_with_the_calendar_year(province):
    assert symbols(province.office, "CV", day=datetime.date(2025, 12, 31)) == ["01-CV/VPTU"]
    assert symbols(province.office, "CV", day=datetime.date(2026, 1, 2)) == ["02-CV/VPTU"]


@pytest.mark.django_db
def test_the_same_type_in_two_bodies_numbers_independently(province, commune):
    assert symbols(province.office, "CV", "CV") == ["01-CV/VPTU", "02-CV/VPTU"]
    assert symbols(province.committee, "CV") == ["01-CV/TU"]
    assert symbols(commune.committee, "CV") == ["01-CV/ĐU"]
    assert symbols(province.office, "CV") == ["03-CV/VPTU"]


@pytest.mark.django_db
def test_classified_documents_share_the_series_of_their_type(province):
    plain = numbered(province.committee, "CV")
    secret = numbered(province.committee, "CV", classification=Classification.SECRET)
    top_secret = numbered(province.committee, "CV", classification=Classification.TOP_SECRET)
    after = numbered(province.committee, "CV")
    assert [d.symbol for d in (plain, secret, top_secret, after)] == [
        "01-CV/TU", "02-CV/TU", "03-CV/TU", "04-CV/TU",
    ]  # fmt: skip


@pytest.fixture
def congress(province) -> Congress:
    return Congress.objects.create(
        organisation=province.organisation, name="Đại hội Đảng bộ tỉnh lần thứ XXI",
        opens_on=datetime.date(2030, 9, 27), closes_on=datetime.date(2030, 9, 30),
    )  # fmt: skip


@pytest.mark.django_db
def test_congress_documents_share_one_series_across_types(province, congress):
    opening, closing = congress.opens_on, congress.closes_on
    made = [
        numbered(province.committee, "NQ", opening, congress=congress),
        numbered(province.office, "BC", opening, congress=congress),
        numbered(province.committee, "BB", closing, congress=congress),
        numbered(province.committee, "NQ", closing, congress=congress),
    ]
    assert [d.symbol for d in made] == ["01-NQ/ĐH", "02-BC/ĐH", "03-BB/ĐH", "04-NQ/ĐH"]
    assert all(d.term is None for d in made)
    # The committee's own series is untouched by the congress's.
    assert symbols(province.committee, "NQ", day=opening) == ["01-NQ/TU"]


@pytest.mark.django_db
def test_two_congresses_have_separate_series(province, congress):
    next_congress = Congress.objects.create(
        organisation=province.organisation, name="Đại hội lần thứ XXII", symbol="ĐH",
        opens_on=datetime.date(2035, 9, 27), closes_on=datetime.date(2035, 9, 30),
    )  # fmt: skip
    first = numbered(province.committee, "NQ", congress.opens_on, congress=congress)
    next_first = numbered(province.committee, "NQ", next_congress.opens_on, congress=next_congress)
    assert (first.number, next_first.number) == (1, 1)


@pytest.mark.parametrize("day", [datetime.date(2030, 9, 26), datetime.date(2030, 10, 1)])
@pytest.mark.django_db
def test_congress_documents_are_refused_outside_the_congress(province, congress, day):
    with pytest.raises(ValidationError, match="preparatory session to the closing day"):
        numbered(province.committee, "NQ", day, congress=congress)
    assert not Counter.objects.exists()


@pytest.mark.django_db
def test_no_term_covering_the_day_is_a_clear_refusal(province):
    day_before = province.term.starts_on - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        numbered(province.office, "CV", day_before)
    message = refused.value.messages[0]
    assert province.organisation.name in message
    assert day_before.strftime("%d/%m/%Y") in message
    assert "term" in message
    assert not Counter.objects.exists()


@pytest.mark.django_db
def test_a_closed_term_does_not_cover_the_days_after_it(province):
    province.term.ends_on = datetime.date(2026, 1, 31)
    province.term.save()
    with pytest.raises(ValidationError, match="no committee term"):
        numbered(province.office, "CV", datetime.date(2026, 2, 1))


@pytest.mark.django_db
def test_a_document_without_issuing_body_is_not_numbered(province):
    document = Document(
        organisation=province.organisation, direction=Direction.OUTGOING,
        document_type=doc_type("CV"), summary="Về việc",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="body that issues"):
        numbering.number_document(document, DAY)


@pytest.mark.django_db
def test_symbol_keeps_two_digits_at_least_and_grows_beyond(province):
    key, _term = numbering.document_series(
        Document(issuing_body=province.office, document_type=doc_type("CV")), DAY
    )
    for _ in range(95):
        numbering.take(key)
    assert numbered(province.office, "CV").symbol == "96-CV/VPTU"
    document = Document(issuing_body=province.office, document_type=doc_type("CV"))
    assert numbering.symbol_for(document, 7) == "07-CV/VPTU"
    assert numbering.symbol_for(document, 100) == "100-CV/VPTU"
    assert numbering.symbol_for(document, 15671) == "15671-CV/VPTU"


# --- registers -------------------------------------------------------------------------------


def registered(organisation, direction: str, day: datetime.date) -> tuple[int | None, str]:
    document = Document(organisation=organisation, direction=direction)
    numbering.register(document, day)
    return document.register_number, document.register_period


@pytest.mark.django_db
def test_register_numbers_run_per_organisation_per_direction_per_year(tree, settings):
    settings.DANGSO_REGISTER_RESET = "year"
    a, b = tree["a"], tree["b"]
    assert registered(a, Direction.INCOMING, DAY) == (1, "2026")
    assert registered(a, Direction.INCOMING, DAY) == (2, "2026")
    assert registered(a, Direction.OUTGOING, DAY) == (1, "2026")
    assert registered(b, Direction.INCOMING, DAY) == (1, "2026")
    assert registered(a, Direction.INCOMING, datetime.date(2027, 1, 1)) == (1, "2027")
    assert registered(a, Direction.INCOMING, datetime.date(2026, 12, 31)) == (3, "2026")


@pytest.mark.django_db
def test_register_numbers_per_term_when_configured(tree, settings):
    settings.DANGSO_REGISTER_RESET = "term"
    office = make_office(tree["a"])
    old = office.term
    old.ends_on = datetime.date(2030, 9, 30)
    old.save()
    new = Term.objects.create(
        organisation=office.organisation, name="Nhiệm kỳ 2030–2035",
        starts_on=datetime.date(2030, 10, 1),
    )  # fmt: skip
    a = office.organisation
    # Across a new year inside one term the numbers run on ...
    assert registered(a, Direction.INCOMING, datetime.date(2029, 12, 31)) == (1, f"term{old.pk}")
    assert registered(a, Direction.INCOMING, datetime.date(2030, 1, 2)) == (2, f"term{old.pk}")
    # ... and restart with the new term in the same year.
    assert registered(a, Direction.INCOMING, datetime.date(2030, 10, 1)) == (1, f"term{new.pk}")
    assert registered(a, Direction.OUTGOING, datetime.date(2030, 10, 1)) == (1, f"term{new.pk}")


@pytest.mark.django_db
def test_register_per_term_falls_back_to_the_year_without_a_term(tree, settings):
    settings.DANGSO_REGISTER_RESET = "term"
    assert registered(tree["b"], Direction.INCOMING, DAY) == (1, "2026")


# --- taking numbers --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_number_back():
    assert numbering.take("doc:test") == 1

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        assert numbering.take("doc:test") == 2
        raise Abandoned
    assert numbering.take("doc:test") == 2
    assert Counter.objects.get(key="doc:test").last == 2


def in_own_connection(work):
    """Run `work` in a thread with its own database connection (autocommit, no test
    transaction around it), and return its result or raise its error."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as error:
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome.get("result")


@pytest.mark.django_db
def test_numbers_are_taken_only_inside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        in_own_connection(lambda: numbering.take("doc:test"))


# Not `django_db(transaction=True)`: its flush TRUNCATEs the audit log, which PostgreSQL refuses
# (core migration 0003), and would drop the seeded document types. The threads touch only the
# Counter table, each in its own connection and transaction, so they race for real; the test's
# own transaction never holds that row.
@pytest.mark.django_db
def test_concurrent_number_requests_get_distinct_consecutive_numbers(tree):
    """50 clerks numbering the same type and body at once (HD 36: no repeat, no gap)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections need PostgreSQL (SQLite has one writer)")
    office = make_office(tree["province"])
    key, _term = numbering.document_series(
        Document(issuing_body=office.office, document_type=doc_type("CV")), DAY
    )
    requests = 50
    start = threading.Barrier(requests)
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def clerk() -> None:
        try:
            start.wait(timeout=30)
            with transaction.atomic():
                number = numbering.take(key)
            with lock:
                numbers.append(number)
        except BaseException as error:  # reported by the main thread
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk) for _ in range(requests)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors
        assert sorted(numbers) == list(range(1, requests + 1))
        assert in_own_connection(lambda: Counter.objects.get(key=key).last) == requests
    finally:
        in_own_connection(lambda: Counter.objects.filter(key=key).delete())
