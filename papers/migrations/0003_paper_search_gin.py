"""A GIN index for paper search, on PostgreSQL only (SQLite searches by substring).

The indexed expression repeats papers.models.paper_search_vector() exactly: PostgreSQL uses an
expression index only for a query with the same expression. Written out here rather than
imported so that later edits to the model do not change this migration.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "paper_search_gin"


def _index() -> GinIndex:
    return GinIndex(
        SearchVector("title", weight="A", config="english")
        + SearchVector("search_text", weight="B", config="english"),
        name=INDEX_NAME,
    )


def add_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("papers", "Paper"), _index())


def remove_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("papers", "Paper"), _index())


class Migration(migrations.Migration):
    dependencies = [("papers", "0002_daily_listings_import_runs_search")]

    operations = [migrations.RunPython(add_index, remove_index)]
