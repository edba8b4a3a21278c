"""Every member rule, run both ways — one record at a time and vectorised over a frame — over
the same generated rows with the planted defects, gives identical problems."""

import datetime
import json

import polars as pl
import pytest
from django.utils import translation

from dangso.members import synthetic
from dangso.members.rules import MEMBER_RULES, check_frame, check_record, problems_of
from dangso.members.rules.catalogue import FIELDS

TODAY = datetime.date(2026, 11, 21)
BIRTH = datetime.date(1990, 5, 17)
CLEAN = {
    "full_name": "Nguyễn Văn Đức", "sex": "M", "date_of_birth": BIRTH,
    "admission_date": datetime.date(2015, 6, 1), "official_date": datetime.date(2016, 6, 1),
    "cccd": "027090001234", "card_number": "12345678", "dossier_number": "012345BN",
    "general_education": "12/12", "phone": "0912345678", "email": "duc@example.vn",
}  # fmt: skip
# Records that break the rules the generator plants no defect for, and the edges of each.
EDGES = [
    {}, {"full_name": "Đức"}, {"full_name": "Nguyễn Văn 2"}, {"full_name": "   "},
    {"full_name": "Lê\x1cAn"}, {"cccd": ""}, {"cccd": None}, {"cccd": "02709000123A"},
    {"cccd": "003090001234"}, {"cccd": "027190001234"}, {"cccd": "027290001234"},
    {"sex": "", "cccd": "027290001234"}, {"sex": None, "cccd": "027190001234"},
    {"date_of_birth": None, "cccd": "027099001234", "admission_date": None},
    {"admission_date": BIRTH}, {"official_date": datetime.date(2015, 6, 1)},
    {"official_date": datetime.date(2015, 1, 1)},
    {"admission_date": datetime.date(2008, 5, 16), "official_date": None},
    {"admission_date": datetime.date(2008, 5, 17), "official_date": None},
    {"date_of_birth": datetime.date(1950, 1, 1), "cccd": "027050001234"},
    {"date_of_birth": datetime.date(1950, 1, 1), "cccd": "027050001234",
     "over_60_approved": True},
    {"date_of_birth": datetime.date(1950, 1, 31), "admission_date": datetime.date(2010, 2, 28),
     "official_date": None, "cccd": "027050001234"},
    {"date_of_birth": datetime.date(1950, 1, 1), "admission_date": datetime.date(2010, 1, 31),
     "official_date": None, "cccd": "027050001234"},
    {"admission_date": datetime.date(2016, 2, 29), "official_date": datetime.date(2017, 2, 28)},
    {"admission_date": datetime.date(2016, 2, 29), "official_date": datetime.date(2017, 2, 27)},
    {"official_date": datetime.date(2016, 8, 31)}, {"official_date": datetime.date(2016, 9, 1)},
    {"official_date": datetime.date(2027, 1, 1)},
    {"date_of_birth": datetime.date(2027, 1, 1), "admission_date": None, "official_date": None},
    {"card_number": "1234567"}, {"card_number": "1234567A"}, {"dossier_number": "12345BN"},
    {"dossier_number": "012345bn"}, {"dossier_number": "012345ABCD"},
    {"dossier_number": "012345Đ"}, {"general_education": "12"},
    {"general_education": "12/11"}, {"general_education": "13/12"},
    {"general_education": "0/12"}, {"general_education": "9/10"},
    {"phone": "912345678"}, {"phone": "0912 345 678"}, {"phone": "02438251234"},
    {"email": "duc@"}, {"email": "Duc.Nguyen+x@Example.VN"}, {"email": "a@[127.0.0.1]"},
    {"email": "x" * 250 + "@a.vn"},
]  # fmt: skip


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    tree = synthetic.build_tree(11, communes_total=40)
    out = tmp_path_factory.mktemp("rules") / "members.csv"
    options = synthetic.MemberOptions(
        rows=6_000, seed=11, defect_rate=0.01, today=TODAY, chunk_rows=1_000
    )
    report = synthetic.write_members(out, options, tree, workers=1)
    manifest = json.loads(report.manifest.read_text(encoding="utf-8"))
    repaired = {
        entry[0]: entry[2]
        for kind in ("legacy_tcvn3", "legacy_vni", "nfd_name")
        for entry in manifest["defects"][kind]["rows"]
    }
    import csv

    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    generated = []
    for line, row in enumerate(rows, start=2):
        values = synthetic.rule_values(row)
        values["full_name"] = repaired.get(line, values["full_name"])
        generated.append(values)
    return [*generated, *({**CLEAN, **edge} for edge in EDGES)], manifest


def _frame(records):
    columns = {
        name: [record.get(name) for record in records]
        for name in FIELDS
        if name != "over_60_approved"
    }
    columns["over_60_approved"] = [bool(record.get("over_60_approved")) for record in records]
    schema = {name: (pl.Date if kind == "date" else pl.Boolean if kind == "bool" else pl.String)
              for name, kind in FIELDS.items()}  # fmt: skip
    return pl.DataFrame(columns, schema=schema)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_rule_gives_identical_problems_both_ways(records, language):
    rows, _manifest = records
    with translation.override(language):
        one_by_one = {}
        for index, record in enumerate(rows):
            problems = check_record(record, today=TODAY)
            if problems:
                one_by_one[index] = problems
        vectorised = problems_of(check_frame(_frame(rows), today=TODAY))
    assert vectorised == one_by_one
    fired = {(p.code, p.field, p.message.split("(")[0]) for ps in one_by_one.values() for p in ps}
    assert len({code for code, _field, _text in fired}) == len({r.code for r in MEMBER_RULES})


def test_every_declared_rule_fires_on_these_rows(records):
    rows, _manifest = records
    found = check_frame(_frame(rows), today=TODAY)
    assert set(found.get_column("order").unique().to_list()) == set(range(len(MEMBER_RULES)))


def test_the_planted_rule_defects_are_found_by_the_vectorised_check(records):
    rows, manifest = records
    problems = problems_of(check_frame(_frame(rows), today=TODAY))
    for defect in manifest["defects"].values():
        codes = set(defect["expected"]) - {"duplicate.likely", "cccd.duplicate",
                                           "card.duplicate", "ethnicity.unknown"}  # fmt: skip
        for entry in defect["rows"]:
            line = entry if isinstance(entry, int) else entry[0]
            assert codes <= {p.code for p in problems.get(line - 2, [])}


def test_warnings_only_without_their_messages(records):
    rows, _manifest = records
    quiet = check_frame(_frame(rows), today=TODAY, messages=False)
    full = check_frame(_frame(rows), today=TODAY)
    assert quiet.select("row", "code").equals(full.select("row", "code"))
    warnings = quiet.filter(pl.col("code") == "cccd.missing")
    assert len(warnings) and set(warnings.get_column("message").to_list()) == {""}
