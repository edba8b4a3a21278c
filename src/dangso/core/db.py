"""Database helpers shared by migrations."""

from django.db import migrations


def vendor_only(
    vendor: str, sql: str | list[str], reverse_sql: str | list[str]
) -> migrations.RunPython:
    """A migration step that runs `sql` (one statement, or a list) on one database vendor only."""

    def run(schema_editor, statements: str | list[str]) -> None:  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == vendor:
            for statement in [statements] if isinstance(statements, str) else statements:
                schema_editor.execute(statement, params=None)

    def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
        run(schema_editor, sql)

    def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
        run(schema_editor, reverse_sql)

    return migrations.RunPython(forward, backward, elidable=False)


def postgres_only(sql: str | list[str], reverse_sql: str | list[str]) -> migrations.RunPython:
    """A migration step that runs `sql` on PostgreSQL and does nothing on SQLite."""
    return vendor_only("postgresql", sql, reverse_sql)


def sqlite_only(sql: str | list[str], reverse_sql: str | list[str]) -> migrations.RunPython:
    """A migration step that runs `sql` on SQLite and does nothing on PostgreSQL."""
    return vendor_only("sqlite", sql, reverse_sql)
