"""The committee term (nhiệm kỳ) moves from documents to orgs: state only, same table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0003_drop_duplicate_path_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Term",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("starts_on", models.DateField(verbose_name="starts on")),
                        ("ends_on", models.DateField(blank=True, null=True, verbose_name="ends on")),
                        ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="terms", to="orgs.organisation", verbose_name="organisation")),
                    ],
                    options={
                        "verbose_name": "committee term",
                        "verbose_name_plural": "committee terms",
                        "ordering": ["organisation", "-starts_on"],
                        "db_table": "documents_term",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
