"""The committee term now belongs to orgs (a term is the organisation's, documents number by it)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_registered_index"),
        ("orgs", "0004_term"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="document",
                    name="term",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to="orgs.term", verbose_name="committee term"),
                ),
                migrations.DeleteModel(name="Term"),
            ],
            database_operations=[],
        ),
    ]
