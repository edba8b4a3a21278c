from django.db import migrations

from dangso.core.db import postgres_only


class Migration(migrations.Migration):
    """`path` with db_index=True already has Django's varchar_pattern_ops index on PostgreSQL,
    which serves the prefix queries; 0002's index was the same index twice and every
    `member_count` update paid for both."""

    dependencies = [("orgs", "0002_path_prefix_index")]

    operations = [
        postgres_only(
            "DROP INDEX IF EXISTS org_path_prefix;",
            "CREATE INDEX org_path_prefix ON orgs_organisation (path varchar_pattern_ops);",
        ),
    ]
