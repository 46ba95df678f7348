"""The bulk write of an import: parsed records into Paper and DailyListing rows, in SQL.

What callers may rely on (`records_write`, called inside a transaction):

- Only the fields a record carries are written; a field it lacks keeps its stored value (the
  "absent means unknown" rule of papers.parsing). A new paper gets the model's defaults for them.
- A row is written only when a value it carries differs from the stored one: a re-import of
  the same data writes nothing and leaves `updated_at` alone.
- The counts are exact, also with several imports of the same papers at once: a paper counts
  as created by the run whose INSERT created it, as updated by the run whose UPDATE changed it
  (or which put it on a day's list it was not on), and as unchanged otherwise. Both statements
  say which rows they wrote (RETURNING), so no run counts what another one did.

How: the records go into a temporary table (COPY on PostgreSQL, one executemany on SQLite),
then four statements do the work whatever the number of papers: lock the existing rows in
arxiv_id order (PostgreSQL; concurrent imports of overlapping days then wait for each other
instead of deadlocking), INSERT ... ON CONFLICT DO NOTHING RETURNING the new rows, UPDATE ...
FROM the batch WHERE something differs RETURNING the changed rows, and INSERT the daily listings
ON CONFLICT DO NOTHING RETURNING the new ones. No Django SQL compilation per row, no statement
with thousands of placeholders. The same SQL runs on both databases (SQLite 3.35+ has
RETURNING and UPDATE ... FROM; its one writer at a time makes the counts exact there anyway).

Every SQL string here is put together from this module's constant names only (hence the
`noqa: S608`); values always go as parameters.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Field
from django.utils import timezone

from papers.models import DailyListing, Paper
from papers.parsing import PaperRecord

# The columns an import may write, in the temporary table's order.
DATA_FIELDS = (
    "title",
    "abstract",
    "authors",
    "published_at",
    "upvotes",
    "num_comments",
    "github_repo",
    "github_stars",
    "project_page",
    "ai_summary",
    "ai_keywords",
    "organization",
    "thumbnail_url",
    "categories",
    "latest_version",
    "withdrawn",
)
BATCH = "papers_import_batch"


@dataclass(frozen=True)
class Written:
    created: int
    updated: int
    unchanged: int


def _field(name: str) -> "Field[Any, Any]":
    field = Paper._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _prep(name: str, value: Any) -> Any:
    """A value as the database driver takes it (JSON serialised as Django does, dates as
    SQLite stores them), so that comparisons in SQL see what the ORM would have written."""
    if value is None:
        return None
    return _field(name).get_db_prep_save(value, connection)


def _batch_create(cursor: Any) -> None:
    columns = ", ".join(f"{name} {_field(name).db_type(connection)}" for name in DATA_FIELDS)
    cursor.execute(f"DROP TABLE IF EXISTS {BATCH}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {BATCH} (arxiv_id varchar(32) PRIMARY KEY, {columns}, "
        "listed_on date)"
    )


def _batch_rows(records: Sequence[PaperRecord]) -> list[tuple[Any, ...]]:
    day_field = DailyListing._meta.get_field("day")
    return [
        (
            record.arxiv_id,
            *(_prep(name, record.fields.get(name)) for name in DATA_FIELDS),
            day_field.get_db_prep_save(record.day, connection) if record.day else None,
        )
        for record in records
    ]


def _batch_fill(cursor: Any, rows: list[tuple[Any, ...]]) -> None:
    columns = ", ".join(("arxiv_id", *DATA_FIELDS, "listed_on"))
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {BATCH} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"ANALYZE {BATCH}")
    else:
        placeholders = ", ".join(["%s"] * (len(DATA_FIELDS) + 2))
        sql = f"INSERT INTO {BATCH} ({columns}) VALUES ({placeholders})"  # noqa: S608
        cursor.executemany(sql, rows)


def _differs(name: str) -> str:
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    return f"(b.{name} IS NOT NULL AND b.{name} {distinct} papers_paper.{name})"


def records_write(records: Sequence[PaperRecord]) -> Written:
    """Upserts `records` (unique arxiv ids) and their daily listings; returns the counts.

    Call it inside a transaction: the temporary table and the row locks live until its end.
    """
    if not records:
        return Written(0, 0, 0)
    now = timezone.now()
    now_db = _prep("created_at", now)
    with connection.cursor() as cursor:
        _batch_create(cursor)
        _batch_fill(cursor, _batch_rows(records))
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 1 FROM papers_paper WHERE arxiv_id IN "  # noqa: S608
                f"(SELECT arxiv_id FROM {BATCH}) ORDER BY arxiv_id FOR NO KEY UPDATE"
            )
        defaults = [_prep(name, _field(name).get_default()) for name in DATA_FIELDS]
        cursor.execute(
            f"INSERT INTO papers_paper (arxiv_id, {', '.join(DATA_FIELDS)}, hidden, "  # noqa: S608
            "created_at, updated_at) "
            f"SELECT b.arxiv_id, {', '.join(f'COALESCE(b.{name}, %s)' for name in DATA_FIELDS)}, "
            f"%s, %s, %s FROM {BATCH} b WHERE true ORDER BY b.arxiv_id "
            "ON CONFLICT (arxiv_id) DO NOTHING RETURNING id",
            [*defaults, _prep("hidden", False), now_db, now_db],
        )
        created = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "UPDATE papers_paper SET "  # noqa: S608
            + ", ".join(f"{name} = COALESCE(b.{name}, papers_paper.{name})" for name in DATA_FIELDS)
            + f", updated_at = %s FROM {BATCH} b WHERE papers_paper.arxiv_id = b.arxiv_id AND ("
            + " OR ".join(_differs(name) for name in DATA_FIELDS)
            + ") RETURNING papers_paper.id",
            [now_db],
        )
        updated = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "INSERT INTO papers_dailylisting (paper_id, day) "  # noqa: S608
            f"SELECT p.id, b.listed_on FROM {BATCH} b JOIN papers_paper p "
            "ON p.arxiv_id = b.arxiv_id WHERE b.listed_on IS NOT NULL ORDER BY p.id "
            "ON CONFLICT (paper_id, day) DO NOTHING RETURNING paper_id"
        )
        listed = {row[0] for row in cursor.fetchall()}
        cursor.execute(f"DROP TABLE {BATCH}")
    changed = (updated | listed) - created
    return Written(len(created), len(changed), len(records) - len(created) - len(changed))
