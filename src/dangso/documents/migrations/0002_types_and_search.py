from django.db import migrations

from dangso.core.db import postgres_only, sqlite_only
from dangso.documents.choices import DEFAULT_TYPES


def seed_types(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    for position, (abbreviation, name) in enumerate(DEFAULT_TYPES, start=1):
        DocumentType.objects.get_or_create(
            abbreviation=abbreviation, defaults={"name": name, "position": position}
        )


# Full-text search over the folded `search_text` (documents.search): a GIN index of its words
# on PostgreSQL, an FTS5 index kept by triggers on SQLite. The text is folded in Python before
# it is stored, so both databases index the same words and no unaccent configuration is needed.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE documents_document_fts USING fts5("
    "search_text, content='documents_document', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER documents_document_fts_ai AFTER INSERT ON documents_document BEGIN "
    "INSERT INTO documents_document_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER documents_document_fts_ad AFTER DELETE ON documents_document BEGIN "
    "INSERT INTO documents_document_fts(documents_document_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER documents_document_fts_au AFTER UPDATE OF search_text ON documents_document "
    "BEGIN INSERT INTO documents_document_fts(documents_document_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO documents_document_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS documents_document_fts_au",
    "DROP TRIGGER IF EXISTS documents_document_fts_ad",
    "DROP TRIGGER IF EXISTS documents_document_fts_ai",
    "DROP TABLE IF EXISTS documents_document_fts",
]


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [
        migrations.RunPython(seed_types, migrations.RunPython.noop),
        postgres_only(
            "CREATE INDEX document_search ON documents_document "
            "USING gin (to_tsvector('simple'::regconfig, search_text))",
            "DROP INDEX IF EXISTS document_search",
        ),
        sqlite_only(SQLITE_FTS, SQLITE_FTS_DROP),
    ]
