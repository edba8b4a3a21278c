from django.db import migrations

from dangso.core.db import postgres_only


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        postgres_only(
            "CREATE INDEX audit_org_path_prefix ON core_auditentry (org_path varchar_pattern_ops);",
            "DROP INDEX IF EXISTS audit_org_path_prefix;",
        ),
    ]
