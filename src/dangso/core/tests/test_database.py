"""Which database the suite runs on: scripts/test.sh runs it on SQLite, then on PostgreSQL."""

import pytest
from django.db import connection


def test_sqlite_is_the_embedded_default(db, settings):
    if connection.vendor != "sqlite":
        pytest.skip("this pass runs on PostgreSQL")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgresql_has_the_search_indexes(db):
    """Name search uses a word-run index (the trigram index was dropped: common syllables made
    it slow, limits.md); document search a GIN index on the stored tsvector."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: set DATABASE_URL=postgres://… (scripts/test.sh does)")
    assert connection.pg_version >= 150000
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('member_name_runs', 'member_name_trgm', 'document_search')"
        )
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {"member_name_runs", "document_search"}
    assert "gin (member_name_runs((name_folded)" in indexes["member_name_runs"]
    assert "gin (search_vector)" in indexes["document_search"]
