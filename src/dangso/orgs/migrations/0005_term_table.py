from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0004_term"),
        ("documents", "0005_term_moved_to_orgs"),
    ]

    operations = [
        migrations.AlterModelTable(name="term", table=None),
    ]
