"""PostgreSQL full-text search for papers: a trigger keeps search_vector, a GIN index covers it.

On SQLite nothing happens here: search_vector stays empty and search falls back to substring
matching. The trigger recomputes the vector only when the searched columns
change, so a re-import that only moves upvotes does not pay for text search.
"""

from django.db import migrations

FORWARD = """
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

BACKWARD = """
DROP INDEX IF EXISTS paper_search_gin;
DROP TRIGGER IF EXISTS papers_paper_search_vector ON papers_paper;
DROP FUNCTION IF EXISTS papers_paper_search_vector_update();
"""


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("papers", "0002_daily_listings_import_runs_search")]

    operations = [migrations.RunPython(forward, backward)]
