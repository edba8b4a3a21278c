"""Which database the suite runs on: scripts/test.sh runs it on SQLite, then on PostgreSQL."""

import pytest
from django.db import connection


def test_sqlite_is_the_embedded_default(db, settings):
    if connection.vendor != "sqlite":
        pytest.skip("this pass runs on PostgreSQL")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgresql_has_trigram_search(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: set DATABASE_URL=postgres://… (scripts/test.sh does)")
    assert connection.pg_version >= 150000
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'member_name_trgm'")
        row = cursor.fetchone()
    assert row is not None
    assert "gin_trgm_ops" in row[0] and "name_folded" in row[0]
