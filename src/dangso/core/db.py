"""Database helpers shared by migrations."""

from django.db import migrations


def postgres_only(sql: str, reverse_sql: str) -> migrations.RunPython:
    """A migration step that runs `sql` on PostgreSQL and does nothing on SQLite."""

    def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse_sql, params=None)

    return migrations.RunPython(forward, backward, elidable=False)
