"""Server-side time of the member list and search pages on the demo data.

Usage: .venv/bin/python bench/member_pages.py [--requests 60]
Runs against the database named by DATABASE_URL (default: a fresh SQLite file under
bench/data/), loads the demo (~10,000 members) if it is empty, signs in as the commune clerk
and the provincial administrator with the second factor done, and times each page through
Django's test client (request → response, no network). Prints p50/p95 and the query count and
writes bench/results/member_pages.json. The issue's target: under 100 ms server-side.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangso.settings_test")
if "DATABASE_URL" not in os.environ:
    (ROOT / "bench" / "data").mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'bench' / 'data' / 'member_pages.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from dangso.members.models import Member  # noqa: E402
from dangso.testing.auth import login_verified  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]


def timed(client: Client, url: str, runs: int) -> dict[str, float]:
    client.get(url)  # warm caches and templates
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 2),
        "queries": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not Member.objects.exists():
        start = time.perf_counter()
        call_command("demo", verbosity=0)
        print(f"demo data loaded in {time.perf_counter() - start:.1f} s")
    results: dict[str, object] = {
        "database": connection.vendor,
        "members": Member.objects.count(),
        "requests_per_page": args.requests,
    }
    pages = {
        "list_first_page": "/members/",
        "list_page_20": "/members/?page=20",
        "search_folded_name": "/members/?q=nguyen+van+duc",
        "search_partial_name": "/members/?q=thi+hoa",
        "search_cccd": "/members/?q={cccd}",
        "search_htmx_partial": "/members/?q=tran+minh",
    }
    cccd = Member.objects.exclude(cccd=None).values_list("cccd", flat=True).first()
    for username in ("vanphong.xa", "admin.tinh"):
        client = login_verified(Client(), User.objects.get(username=username))
        for name, url in pages.items():
            headers = {"HTTP_HX_REQUEST": "true"} if "htmx" in name else {}
            if headers:
                client.defaults.update(headers)
            figures = timed(client, url.format(cccd=cccd), args.requests)
            client.defaults.pop("HTTP_HX_REQUEST", None)
            results[f"{username}:{name}"] = figures
            print(
                f"{username:12} {name:22} p50 {figures['p50_ms']:7.2f} ms  "
                f"p95 {figures['p95_ms']:7.2f} ms  queries {figures['queries']}"
            )
    out = ROOT / "bench" / "results" / f"member_pages_{connection.vendor}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
