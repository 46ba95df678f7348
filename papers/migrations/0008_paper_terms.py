"""Papers' term counts (PaperTerms), written by the indexing beside the search vector.

Every paper is marked for indexing again (search_indexed_at emptied), so the indexing task (queued
by the next import, and beat's every minute) writes the counts of the papers indexed before this
table existed; until then their search vectors stand and the similarity reads their text."""

import django.db.models.deletion
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def index_again(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Paper = apps.get_model("papers", "Paper")
    Paper.objects.filter(search_indexed_at__isnull=False).update(search_indexed_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0007_fewer_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="PaperTerms",
            fields=[
                (
                    "paper",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="terms",
                        serialize=False,
                        to="papers.paper",
                    ),
                ),
                ("counts", models.TextField()),
            ],
        ),
        migrations.RunPython(index_again, migrations.RunPython.noop, elidable=True),
    ]
