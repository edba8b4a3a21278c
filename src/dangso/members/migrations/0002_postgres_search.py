from django.db import migrations

from dangso.core.db import postgres_only


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [
        # Folded-name search: a trigram index makes `name_folded LIKE '%…%'` an index scan.
        postgres_only(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm; "
            "CREATE INDEX member_name_trgm ON members_member USING gin (name_folded gin_trgm_ops);",
            "DROP INDEX IF EXISTS member_name_trgm;",
        ),
    ]
