"""Measurements of the data-quality passes on generated members (not a test; prints figures).

    .venv/bin/python -m dangso.quality.bench check --n 100000 [--defects 0.16]
    .venv/bin/python -m dangso.quality.bench duplicates --n 200000 [--db]

The generator makes a realistic population: Vietnamese names with their real concentration
(Nguyễn ≈ 38 %), hometowns mostly in the province of the member's cell, and — for the
duplicate search — birth dates packed as densely as the national roll (5.5 M members over
about 65 years, ≈ 232 people per birth date), so that the same-day groups compared here are
as large as they will be nationally. Planted duplicates copy a record with the variants a
Party office produces: diacritics lost, a tone mark wrong, a typo, the hometown written
another way or missing, no CCCD or one digit off, another cell, another admission date.
`check` plants rule defects at known rates; both print what was found and how fast.
"""

import argparse
import datetime
import os
import time
from typing import Any

from dangso.core.text import fold
from dangso.quality.population import _PROVINCES, Population, generate, report_duplicates


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangso.settings")
    import django

    django.setup()


def _people(population: Population) -> list[tuple[datetime.date, Any]]:
    from dangso.quality.matching import Person, hometown_key

    rows = [
        (
            record["date_of_birth"],
            Person(
                id=index + 1,
                name=fold(record["full_name"]),
                sex=record["sex"],
                hometown=hometown_key(record["hometown"]),
                admission_date=record["admission_date"],
                phone=record["phone"],
                cccd=record["cccd"] or "",
                organisation_id=record["organisation_id"],
            ),
        )
        for index, record in enumerate(population.records)
    ]
    rows.sort(key=lambda row: (row[0], row[1].id))
    return rows


def bench_matching(n: int, seed: int) -> dict[str, Any]:
    """The pure scoring pass (no database) on `n` generated records."""
    from dangso.quality.matching import pairs_by_birth_date

    cells = [(cell, _PROVINCES[cell % len(_PROVINCES)][0]) for cell in range(1, n // 30 + 2)]
    population = generate(n, cells=cells, seed=seed)
    rows = _people(population)
    started = time.perf_counter()
    found = {(pair.member_a, pair.member_b) for pair in pairs_by_birth_date(rows)}
    seconds = time.perf_counter() - started
    return {**report_duplicates(population, found), "score_s": round(seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["matching", "check", "duplicates"])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=204)
    parser.add_argument(
        "--defects", type=float, default=0.16, help="share of records with a defect"
    )
    args = parser.parse_args()
    _setup_django()
    if args.what == "matching":
        print(bench_matching(args.n, args.seed))
    else:
        from dangso.quality import benchdb  # needs Django set up first

        print(benchdb.run(args.what, args.n, args.seed, defect_rate=args.defects))


if __name__ == "__main__":
    main()
