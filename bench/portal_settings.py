"""Settings of the server bench/portal_load.py starts: production settings, plus one bench-only
URL, /bench/bare/<id>, the "bare Django view doing one indexed PostgreSQL lookup" the portal is
compared with (bench/portal_urls.py). Same middleware, same workers, same database.

Static files: the production storage less the rewriting of JavaScript source-map comments
(bench/portal_static.py), because production's fails in collectstatic on a missing map file."""

from dangso.settings import *  # noqa: F403

ROOT_URLCONF = "portal_urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "portal_static.BenchStaticStorage"},
}
