from django.db import migrations

from dangso.core.db import postgres_only


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [
        # Subtree queries are `path LIKE '/1/7/%'`; pattern_ops serves them in any collation.
        postgres_only(
            "CREATE INDEX org_path_prefix ON orgs_organisation (path varchar_pattern_ops);",
            "DROP INDEX IF EXISTS org_path_prefix;",
        ),
    ]
