"""The search index, kept off the write path: imports mark papers, a batch task indexes them.

An import that creates a paper, or changes its title, abstract, authors or keywords, sets its
`search_indexed_at` to NULL (papers.upsert) and queues `search_index_fill` for after its commit.
The task indexes every paper so marked, a few thousand per statement: on PostgreSQL it writes the
paper's PaperSearch vector (title weighted A; abstract, authors and keywords B; a GIN index
covers it), on SQLite the paper's row of the FTS5 table `papers_paper_fts`; on both, its
`PaperTerms` row (papers.terms: how often each term occurs, which groups' similarity of papers
reads instead of tokenizing the text), in the same transaction that sets the stamp. Beat also runs it every
minute (`papers-search-index`), a safety net for a queued task that was lost. So a new paper is
searchable within seconds of its import when a worker is up, and within a minute at worst; a
paper whose text changed is found by its old text until then. Counter updates (upvotes,
comments, stars) never mark a paper, so they cost no text-search work at all.

The Celery task lives here rather than in papers.tasks because services queue it (tasks sit
above services in the layers of ARCHITECTURE.md).
"""

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import connection, transaction
from django.utils import timezone

from papers.models import Paper, PaperTerms
from papers.terms import paper_terms, terms_dump

BATCH_SIZE = 5000
FTS_TABLE = "papers_paper_fts"

# Title weighted A; abstract, authors and keywords B (as migration 0003's trigger had it).
PG_VECTOR = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(abstract, '') || ' ' || "
    "coalesce(authors::text, '') || ' ' || coalesce(ai_keywords::text, '')), 'B')"
)


def _terms_write(ids: list[int]) -> None:
    rows = Paper.objects.filter(pk__in=ids).values_list("pk", "title", "abstract", "ai_keywords")
    PaperTerms.objects.bulk_create(
        [
            PaperTerms(paper_id=pk, counts=terms_dump(paper_terms(title, abstract, keywords)))
            for pk, title, abstract, keywords in rows
        ],
        update_conflicts=True,
        unique_fields=["paper"],
        update_fields=["counts"],
    )


def _fill_batch(limit: int) -> int:
    now = Paper._meta.get_field("search_indexed_at").get_db_prep_save(timezone.now(), connection)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # SKIP LOCKED: two workers indexing at once share the work instead of queueing.
            cursor.execute(
                "WITH pending AS (SELECT id FROM papers_paper WHERE search_indexed_at IS NULL "
                "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED), "
                "marked AS (UPDATE papers_paper p SET search_indexed_at = %s FROM pending "
                "WHERE p.id = pending.id RETURNING p.id, p.title, p.abstract, p.authors, "
                "p.ai_keywords), "
                "searched AS (INSERT INTO papers_papersearch (paper_id, vector) "
                f"SELECT id, {PG_VECTOR} FROM marked "
                "ON CONFLICT (paper_id) DO UPDATE SET vector = EXCLUDED.vector) "
                "SELECT id FROM marked",
                [limit, now],
            )
            marked = [row[0] for row in cursor.fetchall()]
            if marked:
                _terms_write(marked)
            return len(marked)
        cursor.execute(
            "SELECT id FROM papers_paper WHERE search_indexed_at IS NULL ORDER BY id LIMIT %s",
            [limit],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return 0
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", ids)
        # Title, abstract, then the authors and keywords as plain words (no JSON).
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, abstract, extra) "
            "SELECT id, title, abstract, "
            "coalesce((SELECT group_concat(value, ', ') FROM json_each(papers_paper.authors)), '')"
            " || ' · ' || coalesce((SELECT group_concat(value, ', ') "
            "FROM json_each(papers_paper.ai_keywords)), '') "
            f"FROM papers_paper WHERE id IN ({placeholders})",
            ids,
        )
        cursor.execute(
            f"UPDATE papers_paper SET search_indexed_at = %s WHERE id IN ({placeholders})",
            [now, *ids],
        )
        _terms_write(ids)
        return len(ids)


def search_index_fill(*, limit: int | None = None) -> int:
    """Indexes the papers marked for it (all of them, or at most `limit`); returns how many.

    Safe to run at any time and from several workers at once."""
    done = 0
    while limit is None or done < limit:
        batch = _fill_batch(BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - done))
        done += batch
        if batch == 0:
            break
    return done


@shared_task(name="papers.search_index_fill", base=DjangoTask)
def search_index_fill_task() -> int:
    """Indexes the papers imports marked (see the module's docstring); returns how many."""
    return search_index_fill()


def search_index_soon() -> None:
    """Queues the indexing for after the current transaction commits."""
    search_index_fill_task.delay_on_commit()
