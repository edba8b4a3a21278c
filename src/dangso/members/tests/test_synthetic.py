"""The benchmark generator: its file reads back, and its manifest is exactly what the rules find."""

import collections
import csv
import datetime
import json

import pytest
from django.core.management import call_command

from dangso.core.ids import cccd_problems
from dangso.core.text import fold
from dangso.members import synthetic
from dangso.members.rules import check_record
from dangso.members.synthetic.members import _Chunk
from dangso.orgs.models import Organisation, OrganisationVersion

TODAY = datetime.date(2026, 11, 21)


@pytest.fixture(scope="module")
def small_tree():
    return synthetic.build_tree(7, communes_total=40)


@pytest.fixture(scope="module")
def generated(small_tree, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "members.csv"
    options = synthetic.MemberOptions(
        rows=6_000, seed=7, defect_rate=0.01, today=TODAY, chunk_rows=1_000
    )
    report = synthetic.write_members(out, options, small_tree, workers=1)
    manifest = json.loads(report.manifest.read_text(encoding="utf-8"))
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows, manifest


def test_the_header_is_our_import_template():
    columns = pytest.importorskip("dangso.imports.columns")
    assert synthetic.TEMPLATE_HEADERS == columns.TEMPLATE_HEADERS


def test_the_tree_has_the_national_shape():
    tree = synthetic.build_tree(204)
    kinds = collections.Counter(row[4] for row in tree.rows)
    assert kinds["province"] == 34
    assert 3_200 <= kinds["commune"] <= 3_400
    assert 190_000 <= kinds["cell"] <= 210_000
    assert len({row[1] for row in tree.rows}) == len(tree.rows)  # codes are unique


def test_rows_read_back_in_the_template_columns(generated, small_tree):
    rows, manifest = generated
    assert tuple(rows[0]) == synthetic.TEMPLATE_HEADERS
    assert len(rows) - 1 == manifest["rows"] == 6_000
    assert all(len(row) == 22 for row in rows)
    assert {row[synthetic.C_CELL] for row in rows[1:]} <= set(small_tree.cell_codes)


def test_the_same_seed_gives_the_same_file(small_tree, tmp_path, generated):
    out = tmp_path / "again.csv"
    options = synthetic.MemberOptions(
        rows=6_000, seed=7, defect_rate=0.01, today=TODAY, chunk_rows=1_000
    )
    synthetic.write_members(out, options, small_tree, workers=2)
    with out.open(encoding="utf-8", newline="") as f:
        assert list(csv.reader(f)) == generated[0]


def test_every_planted_defect_is_found_and_clean_rows_are_clean(generated):
    """The manifest is the truth the importer's recall is scored against: check it with the
    rules we have (likely duplicates are the quality engine's job, checked for shape only)."""
    rows, manifest = generated
    expected: dict[int, set[str]] = collections.defaultdict(set)
    repaired: dict[int, str] = {}
    for kind, defect in manifest["defects"].items():
        assert defect["rows"], f"no {kind} planted"
        for entry in defect["rows"]:
            line = entry if isinstance(entry, int) else entry[0]
            expected[line] |= set(defect["expected"]) - {"duplicate.likely"}
            if kind in ("legacy_tcvn3", "legacy_vni", "nfd_name"):
                repaired[line] = entry[2]
    found: dict[int, set[str]] = collections.defaultdict(set)
    first_seen: dict[tuple[int, str], int] = {}
    for line, row in enumerate(rows[1:], start=2):
        values = synthetic.rule_values(row)
        values["full_name"] = repaired.get(line, values["full_name"])
        found[line] |= {problem.code for problem in check_record(values, today=TODAY)}
        ethnicity = row[synthetic.C_ETHNICITY]
        if synthetic.label_value(synthetic.C_ETHNICITY, ethnicity, "") == "":
            found[line].add("ethnicity.unknown")
        for column, code in ((synthetic.C_CCCD, "cccd.duplicate"),
                             (synthetic.C_CARD, "card.duplicate")):  # fmt: skip
            if row[column] and first_seen.setdefault((column, row[column]), line) != line:
                found[line].add(code)
    wrong = {
        line: (expected.get(line, set()), found.get(line, set()))
        for line in set(expected) | set(found)
        if expected.get(line, set()) != found.get(line, set())
    }
    assert wrong == {}


def test_duplicates_point_at_an_earlier_row_of_the_same_person(generated):
    rows, manifest = generated
    for kind in ("likely_duplicate", "likely_duplicate_no_cccd", "cccd_duplicate"):
        for line, source, variant in manifest["defects"][kind]["rows"]:
            row, original = rows[line - 1], rows[source - 1]
            assert source < line
            for column in (synthetic.C_BIRTH, synthetic.C_SEX, synthetic.C_HOMETOWN):
                assert row[column] == original[column]
            if variant == "unaccented":
                assert row[0] == " ".join(w.capitalize() for w in fold(original[0]).split())
            elif variant == "one_letter_off":
                assert fold(row[0]) != fold(original[0])
                assert abs(len(row[0]) - len(original[0])) <= 1
            if kind == "likely_duplicate":
                assert row[synthetic.C_CCCD] != original[synthetic.C_CCCD]
                assert (
                    cccd_problems(
                        row[synthetic.C_CCCD],
                        birth_date=synthetic.parse_date(row[synthetic.C_BIRTH]),
                        sex=synthetic.SEX_LABELS[row[synthetic.C_SEX]],
                    )
                    == []
                )
    sources = [
        entry[1]
        for kind in (
            "likely_duplicate",
            "likely_duplicate_no_cccd",
            "cccd_duplicate",
            "card_duplicate",
        )
        for entry in manifest["defects"][kind]["rows"]
    ]
    assert len(sources) == len(set(sources))  # pairs, never groups of three


def test_mapped_spellings_are_listed_with_their_value(generated):
    rows, manifest = generated
    for line, header, raw, value in manifest["defects"]["enum_variant"]["rows"]:
        column = synthetic.TEMPLATE_HEADERS.index(header)
        assert rows[line - 1][column] == raw
        assert synthetic.label_value(column, raw, "?") == value


@pytest.mark.parametrize(
    ("text", "tcvn3", "vni"),
    [
        ("Nguyễn Văn Đức", "NguyÔn V¨n §øc", "Nguyeãn Vaên Ñöùc"),
        ("Bảo Thắng", "B¶o Th¾ng", "Baûo Thaéng"),
        ("Trường Ước", "Tr\xadêng ¦íc", "Tröôøng Öôùc"),
        ("Lê Thị Ánh", None, "Leâ Thò AÙnh"),
        ("Xin chào các bạn", "Xin chµo c¸c b¹n", "Xin chaøo caùc baïn"),
    ],
)
def test_legacy_encodings(text, tcvn3, vni):
    assert synthetic.to_tcvn3(text) == tcvn3
    assert synthetic.to_vni(text) == vni


def test_xlsx_for_small_lists(small_tree, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "members.xlsx"
    options = synthetic.MemberOptions(rows=300, seed=3, today=TODAY)
    synthetic.write_members(out, options, small_tree, xlsx=True, workers=1)
    sheet = load_workbook(out, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert tuple(rows[0]) == synthetic.TEMPLATE_HEADERS
    assert len(rows) == 301
    assert isinstance(rows[1][synthetic.C_BIRTH], datetime.datetime)
    assert isinstance(rows[1][synthetic.C_CCCD], str) and len(rows[1][synthetic.C_CCCD]) == 12


def test_bench_commands_generate_and_load_the_tree(tmp_path, db):
    orgs = tmp_path / "orgs.csv"
    members = tmp_path / "members.csv"
    call_command("bench", "gen-members", "--n", "500", "--out", str(members),
                 "--orgs-out", str(orgs), "--seed", "9", "--communes", "40", "--workers", "1",
                 verbosity=0)  # fmt: skip
    assert members.exists() and synthetic.manifest_path(members).exists()
    call_command("bench", "load-orgs", str(orgs), verbosity=0)
    assert Organisation.objects.count() == OrganisationVersion.objects.count() > 5_000
    assert Organisation.objects.filter(kind="province").count() == 34
    cell = Organisation.objects.filter(kind="cell").order_by("pk").first()
    assert cell is not None and cell.path.count("/") == 5 and cell.depth == 3


def test_legacy_encodings_agree_with_the_importers_tables(small_tree):
    """Two independent tables, the generator's and the repair's (core.legacy), agree."""
    legacy = pytest.importorskip("dangso.core.legacy")
    chunk = _Chunk(small_tree, synthetic.MemberOptions(rows=1), 0, 1)
    for number in range(2_000):
        name = chunk.name(female=number % 3 == 0)
        assert legacy.from_unicode(name, "vni") == synthetic.to_vni(name)
        tcvn3 = synthetic.to_tcvn3(name)
        if tcvn3 is not None:
            assert legacy.from_unicode(name, "tcvn3") == tcvn3


def test_members_load_by_copy_with_the_indexes_deferred(tmp_path, db):
    from django.db import connection

    from dangso.members.models import Member
    from dangso.members.stats import fresh_counts, rebuild_member_counts, stored_counts
    from dangso.members.synthetic.load import (
        LoadReport,
        indexes_deferred,
        load_members,
        load_orgs,
        secondary_indexes,
    )

    if connection.vendor != "postgresql":
        pytest.skip("COPY: PostgreSQL only")
    tree = synthetic.build_tree(5, communes_total=40)
    orgs, members = tmp_path / "orgs.csv", tmp_path / "members.csv"
    synthetic.write_orgs(tree, orgs)
    options = synthetic.MemberOptions(rows=800, seed=5, defect_rate=0.02, today=TODAY)
    synthetic.write_members(members, options, tree, workers=1)
    load_orgs(orgs)
    before = {index.name for index in secondary_indexes("members_member")}
    timings = LoadReport()
    with indexes_deferred("members_member", timings):
        assert secondary_indexes("members_member") == []
        report = load_members(members)
    assert {index.name for index in secondary_indexes("members_member")} == before
    assert set(timings.timings_s) == {f"index:{name}" for name in before}
    assert report.rows == Member.objects.count() == 800
    member = Member.objects.get(pk=1)  # row 2 of the file
    with members.open(encoding="utf-8") as f:
        first = next(csv.reader(f.readlines()[1:2]))
    assert (member.full_name, member.organisation.code) == (first[0], first[synthetic.C_CELL])
    assert Member.objects.search(first[0]).filter(pk=1).exists()
    rebuild_member_counts()
    assert stored_counts() == fresh_counts()


_GENERATE_AND_STOP = """
import os, signal, sys, datetime
PARENT = os.getpid()

def on_term(*_):  # as bench/benchdata.py does, and noting who ran it
    if os.getpid() != PARENT:
        print("worker ran the parent's handler", flush=True)
    sys.exit(143)

signal.signal(signal.SIGTERM, on_term)
from dangso.members import synthetic
from dangso.members.synthetic.members import generate_chunks
tree = synthetic.build_tree(5, communes_total=20)
options = synthetic.MemberOptions(rows=40_000, seed=5, chunk_rows=500,
                                  today=datetime.date(2026, 11, 21))
for _round in range(6):
    chunks = generate_chunks(options, tree, workers=2, as_text=True)
    next(chunks)
    chunks.close()  # Pool.terminate while the workers are busy
print("done")
"""


def test_the_generator_pool_never_hangs_when_stopped():
    """Workers forked from a parent with a SIGTERM handler are terminated mid-run, six times:
    none runs the parent's handler (which made a run hang at Pool.terminate), and the run ends
    within the timeout."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dangso.settings_test"}
    code = "import django; django.setup()\n" + _GENERATE_AND_STOP
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "done"
