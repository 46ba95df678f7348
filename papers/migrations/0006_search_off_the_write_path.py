"""Search moves off the write path (papers.indexing).

PostgreSQL: the trigger that computed Paper.search_vector on every insert and text update is
dropped (it made imports 10x slower), and the vectors move to their own table, PaperSearch, with
the GIN index: imports rewrite Paper rows without touching either. SQLite: an FTS5 table
(ranked full-text search, porter stemming) with a trigger that removes a deleted paper's row.
On both, every paper starts marked for indexing (search_indexed_at NULL): the indexing task, or
beat's sweep within a minute, fills the index.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

POSTGRES_DROP_TRIGGER = """
DROP TRIGGER IF EXISTS papers_paper_search_vector ON papers_paper;
DROP FUNCTION IF EXISTS papers_paper_search_vector_update();
"""
POSTGRES_GIN = "CREATE INDEX papersearch_vector_gin ON papers_papersearch USING gin (vector)"

# Migration 0003's trigger and index again, for going back.
POSTGRES_BACKWARD = """
CREATE FUNCTION papers_paper_search_vector_update() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT'
       OR NEW.title IS DISTINCT FROM OLD.title
       OR NEW.abstract IS DISTINCT FROM OLD.abstract
       OR NEW.authors IS DISTINCT FROM OLD.authors
       OR NEW.ai_keywords IS DISTINCT FROM OLD.ai_keywords
       OR NEW.search_vector IS NULL THEN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('english',
                   coalesce(NEW.abstract, '') || ' ' || coalesce(NEW.authors::text, '')
                   || ' ' || coalesce(NEW.ai_keywords::text, '')), 'B');
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER papers_paper_search_vector
    BEFORE INSERT OR UPDATE ON papers_paper
    FOR EACH ROW EXECUTE FUNCTION papers_paper_search_vector_update();

UPDATE papers_paper SET search_vector = NULL;

CREATE INDEX paper_search_gin ON papers_paper USING gin (search_vector);
"""

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE papers_paper_fts USING fts5("
    "title, abstract, extra, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER papers_paper_fts_delete AFTER DELETE ON papers_paper BEGIN "
    "DELETE FROM papers_paper_fts WHERE rowid = old.id; END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS papers_paper_fts_delete",
    "DROP TABLE IF EXISTS papers_paper_fts",
]


def drop_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP_TRIGGER)


def restore_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)


def create_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_GIN)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def drop_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS papersearch_vector_gin")
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0005_import_run_days"),
    ]

    operations = [
        migrations.RunPython(drop_trigger, restore_trigger),
        migrations.CreateModel(
            name="PaperSearch",
            fields=[
                (
                    "paper",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search",
                        serialize=False,
                        to="papers.paper",
                    ),
                ),
                ("vector", django.contrib.postgres.search.SearchVectorField()),
            ],
        ),
        migrations.RemoveField(
            model_name="paper",
            name="search_vector",
        ),
        migrations.AddField(
            model_name="paper",
            name="content_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="paper",
            name="import_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="paper",
            name="search_indexed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(
                condition=models.Q(("search_indexed_at__isnull", True)),
                fields=["id"],
                name="paper_search_pending_idx",
            ),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
