"""The bulk write of an import: parsed records into Paper and DailyListing rows, in SQL.

What callers may rely on (`records_write`, called inside a transaction):

- Only the fields a record carries are written; a field it lacks keeps its stored value (the
  "absent means unknown" rule of papers.parsing). A new paper gets the model's defaults for them.
- A row is written only when a value it carries differs from the stored one: a re-import of
  the same data writes nothing and leaves `updated_at` alone.
- The counts are exact, also with several imports of the same papers at once: a paper counts
  as created by the run whose INSERT (or COPY) created it, as updated by the run whose UPDATE
  changed it (or which put it on a day's list it was not on), and as unchanged otherwise. The
  statements say which rows they wrote (RETURNING), so no run counts what another one did.
- A paper's `latest_version` only rises: a re-import of an older arXiv capture keeps the newer
  version (and is not "updated" for it). `Written.versions_rose` names the stored papers whose
  record carried a newer version than the one read in step 1 (two imports at once may both
  name one; papers.signals.paper_versions_rose says what receivers do about that).
- No text-search work happens here: a row whose title, abstract, authors or keywords change,
  or a new one, gets `search_indexed_at` NULL, and papers.indexing indexes it after the commit.

How, whatever the number of papers, with no Django SQL compilation per row and no statement
with thousands of placeholders:

1. One query reads, for the records' papers, the stored digests (Paper.import_hash of the source
   item, Paper.content_hash of the fields less the counters) and whether each is on its day's
   list. A record whose item digest matches and whose listing exists is unchanged, and is not
   even read (papers.parsing.PaperRecord is deferred): the usual daily re-import costs its JSON
   parsing and this query.
2. New papers are copied straight into papers_paper (COPY on PostgreSQL, executemany on SQLite),
   their fields read while the database writes the rows before. The COPY is binary: each row
   is built in one pass from the record (JSON encoded once, by msgspec), and no value is
   turned into text here or parsed back from it there. On PostgreSQL this runs in a
   savepoint: when a concurrent import created one of them meanwhile, the COPY fails on the
   unique arXiv id, and those records take step 3's path instead (INSERT ... ON CONFLICT DO
   NOTHING), so the counts stay exact.
3. Changed papers go into a temporary table, then: lock their rows in arxiv_id order
   (PostgreSQL; concurrent imports of overlapping days wait for each other instead of
   deadlocking), INSERT ... ON CONFLICT DO NOTHING RETURNING, UPDATE ... FROM the batch WHERE a
   value differs RETURNING. A paper whose content digest matches (only counters moved) goes in
   with its counters only: NULL is "unknown" in the batch, so the rest is neither sent nor
   compared.
4. One INSERT of the daily listings ON CONFLICT DO NOTHING RETURNING the new ones.

The same SQL runs on both databases (SQLite 3.35+ has RETURNING and UPDATE ... FROM; it takes
one writer at a time, so there step 2 never meets a concurrent insert). Every SQL string here is
put together from this module's constant names only (ruff's S608 is off for it in
pyproject.toml); values always go as parameters.
"""

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import psycopg
from django.db import connection, transaction
from django.db.models import Field, JSONField
from django.utils import timezone

from papers.models import Paper
from papers.parsing import PaperRecord, RecordError, fields_digest

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
TEXT_FIELDS = ("title", "abstract", "authors", "ai_keywords")
# Columns an import only raises: the latest arXiv version seen (an older capture, read again,
# must not make a paper look older than it is; notes compare their version with it).
NEVER_LOWERED = ("latest_version",)
BATCH = "papers_import_batch"
BATCH_COLUMNS = ("arxiv_id", *DATA_FIELDS, "import_hash", "content_hash")
NEW_COLUMNS = (*BATCH_COLUMNS, "hidden", "created_at", "updated_at")


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RecordError] = field(default_factory=list)
    # Stored papers whose record carries a newer arXiv version than the stored one (ids).
    versions_rose: list[int] = field(default_factory=list)


@dataclass
class _Stored:
    paper_id: int
    latest_version: int
    import_hash: str
    content_hash: str
    days: set[str]


def _field(name: str) -> "Field[Any, Any]":
    model_field = Paper._meta.get_field(name)
    assert isinstance(model_field, Field)
    return model_field


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _stored(cursor: Any, records: Sequence[PaperRecord]) -> dict[str, _Stored]:
    """The stored digests of the records' papers, and which of the records' days each is
    listed on. One query."""
    ids = [record.arxiv_id for record in records]
    days = sorted({record.day.isoformat() for record in records if record.day})
    select = (
        "SELECT p.arxiv_id, p.id, p.latest_version, p.import_hash, p.content_hash, l.day "
        "FROM papers_paper p "
        "LEFT JOIN papers_dailylisting l ON l.paper_id = p.id AND "
    )
    if _postgres():
        cursor.execute(select + "l.day = ANY(%s::date[]) WHERE p.arxiv_id = ANY(%s)", [days, ids])
    else:
        cursor.execute(
            select + "l.day IN (SELECT value FROM json_each(%s)) "
            "WHERE p.arxiv_id IN (SELECT value FROM json_each(%s))",
            [json.dumps(days), json.dumps(ids)],
        )
    stored: dict[str, _Stored] = {}
    for arxiv_id, paper_id, version, import_hash, content_hash, day in cursor.fetchall():
        known = stored.setdefault(
            arxiv_id, _Stored(paper_id, version, import_hash, content_hash, set())
        )
        if day is not None:
            known.days.add(str(day))
    return stored


class _JsonbBytesDumper(psycopg.adapt.Dumper):
    """JSON already encoded (bytes), as jsonb's binary format: a version byte, then the text.
    Registered for the jsonb columns of a binary COPY only (by type, not for any Python one)."""

    format = psycopg.pq.Format.BINARY
    oid = psycopg.adapters.types["jsonb"].oid

    def dump(self, obj: Any) -> bytes:
        return b"\x01" + obj


class _Rows:
    """Records as rows of BATCH_COLUMNS, values as the columns store them: JSON serialised as
    Django's JSONField does (so SQLite's text comparisons see what the ORM writes), and on
    SQLite dates and times as the text Django stores. Done here rather than through
    Field.get_db_prep_save, which costs more than the COPY itself at 10,000 papers."""

    def __init__(self) -> None:
        self.sqlite = not _postgres()
        self.json = [isinstance(_field(name), JSONField) for name in DATA_FIELDS]
        # PostgreSQL's types of the id and NEW_COLUMNS ("varchar(32)" is a varchar), for COPY.
        self.binary_types = [
            str(_field(name).db_type(connection)).split("(")[0] for name in ("id", *NEW_COLUMNS)
        ]
        # Each DATA_FIELD with the model's default (JSON ones as the value to encode), and
        # where binary_row's rows have the JSON ones.
        self.binary_defaults = [
            (
                name,
                _field(name).get_default()
                if is_json
                else _field(name).get_db_prep_save(_field(name).get_default(), connection),
            )
            for name, is_json in zip(DATA_FIELDS, self.json, strict=True)
        ]
        self.binary_json = [2 + index for index, is_json in enumerate(self.json) if is_json]

    def row(
        self, record: PaperRecord, content: str | None, *, counters_only: bool = False
    ) -> tuple[Any, ...]:
        """The batch row of a record; with `counters_only`, its other fields NULL (unknown),
        and the record not even read (`PaperRecord.counters`)."""
        fields = record.counters() if counters_only else record.fields
        values: list[Any] = [record.arxiv_id]
        for name, is_json in zip(DATA_FIELDS, self.json, strict=True):
            value = fields.get(name)
            if value is None:
                values.append(None)
            elif is_json:
                # SQLite compares the text: as Django writes it. PostgreSQL reads it as jsonb.
                values.append(json.dumps(value) if self.sqlite else _json(value))
            elif self.sqlite and isinstance(value, dt.datetime):
                values.append(str(value.astimezone(dt.UTC).replace(tzinfo=None)))
            else:
                values.append(value)
        values.append(record.digest)
        values.append(content)
        return tuple(values)

    def defaults(self) -> list[Any]:
        """The model's default of each DATA_FIELD, for new rows lacking it."""
        return [
            _field(name).get_db_prep_save(_field(name).get_default(), connection)
            for name in DATA_FIELDS
        ]

    def binary_row(self, paper_id: int, record: PaperRecord, now: Any) -> tuple[Any, ...]:
        """The row of a new paper (id, then NEW_COLUMNS) for a binary COPY, in one pass: the
        JSON as bytes (_JsonbBytesDumper), the model's default for a field the record lacks."""
        get = record.fields.get
        values: list[Any] = [paper_id, record.arxiv_id]
        values += [
            default if (value := get(name)) is None else value
            for name, default in self.binary_defaults
        ]
        for index in self.binary_json:
            values[index] = msgspec.json.encode(values[index])
        values += (record.digest, record.content_digest(), False, now, now)
        return tuple(values)

    def new_row(self, row: tuple[Any, ...], defaults: list[Any], now: Any) -> tuple[Any, ...]:
        data = [
            value if value is not None else default
            for value, default in zip(row[1 : 1 + len(DATA_FIELDS)], defaults, strict=True)
        ]
        return (row[0], *data, *row[1 + len(DATA_FIELDS) :], False, now, now)


def new_paper_rows(records: Sequence[PaperRecord]) -> list[tuple[Any, ...]]:
    """The rows (of NEW_COLUMNS) that step 2 copies into papers_paper for new `records`: for
    bench/papers.py's bare COPY of the very same rows."""
    rows = _Rows()
    defaults = rows.defaults()
    now = timezone.now()
    return [
        rows.new_row(rows.row(record, record.content_digest()), defaults, now)
        for record in records
        if record.resolve() is None
    ]


def records_write(records: Sequence[PaperRecord]) -> Written:
    """Writes `records` (unique arxiv ids) and their daily listings; returns the counts and
    the records whose fields turned out unusable when read (skipped, not written).

    Call it inside a transaction: the temporary table and the row locks live until its end.
    """
    written = Written()
    if not records:
        return written
    rows = _Rows()
    now = _field("created_at").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cursor:
        stored = _stored(cursor, records)
        new: list[PaperRecord] = []
        changed: list[tuple[Any, ...]] = []
        to_list: list[PaperRecord] = []
        for record in records:
            known = stored.get(record.arxiv_id)
            if known is None:
                new.append(record)
                continue
            if not record.digest:  # a record read at once (arXiv): the digest of its fields
                record.digest = fields_digest(record.fields)
            listed = record.day is None or record.day.isoformat() in known.days
            if known.import_hash == record.digest and listed:
                continue  # unchanged: not even read
            content = record.content_digest()
            counters_only = content == known.content_hash
            if not counters_only:
                if error := record.resolve():
                    written.errors.append(error)
                    continue
                # Counters alone never carry a version; the other fields were just read.
                if record.fields.get("latest_version", 0) > known.latest_version:
                    written.versions_rose.append(known.paper_id)
            changed.append(
                rows.row(record, None if counters_only else content, counters_only=counters_only)
            )
            if not listed:
                to_list.append(record)
        if new:
            copied, leftover, listed = _copy_new(cursor, rows, new, now, written.errors)
            written.created += len(copied)
            if not listed:
                _list(cursor, [record for record in copied if record.day])  # counted as created
            for record, row in leftover:
                changed.append(row)
                if record.day:
                    to_list.append(record)
        created_ids: set[int] = set()
        updated_ids: set[int] = set()
        if changed:
            created_ids, updated_ids = _batch_write(cursor, rows, changed, now)
        listed_ids = _list(cursor, to_list)
    written.created += len(created_ids)
    written.updated = len((updated_ids | listed_ids) - created_ids)
    written.unchanged = len(records) - len(written.errors) - written.created - written.updated
    return written


def _copy_new(
    cursor: Any,
    rows: _Rows,
    records: list[PaperRecord],
    now: Any,
    errors: list[RecordError],
) -> tuple[list[PaperRecord], list[tuple[PaperRecord, tuple[Any, ...]]], bool]:
    """Step 2: the papers not stored yet, straight into papers_paper. Returns the records it
    created, those (with their rows) left for the batch because a concurrent import created
    one of them first (PostgreSQL), and whether their listings were written too."""
    good: list[PaperRecord] = []

    def produce() -> Iterable[PaperRecord]:
        # Each record is read here, while the database writes the rows before it.
        for record in records:
            if error := record.resolve():
                errors.append(error)
                continue
            if not record.digest:  # a record read at once (arXiv): the digest of its fields
                record.digest = fields_digest(record.fields)
            good.append(record)
            yield record

    columns = ", ".join(NEW_COLUMNS)
    pending = iter(produce())
    if not _postgres():
        defaults = rows.defaults()
        placeholders = ", ".join(["%s"] * len(NEW_COLUMNS))
        cursor.executemany(
            f"INSERT INTO papers_paper ({columns}) VALUES ({placeholders})",
            [
                rows.new_row(rows.row(record, record.content_digest()), defaults, now)
                for record in pending
            ],
        )
        return good, [], False
    # The new papers' ids, taken first, so that their listings are copied too, without a join.
    # The sequence is looked up once (MATERIALIZED): as nextval's argument it was looked up
    # again for every row, 10,000 catalog lookups that took five times as long as the nextvals.
    cursor.execute(
        "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('papers_paper', 'id')::regclass "
        "AS seq) SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
        [len(records)],
    )
    ids = [row[0] for row in cursor.fetchall()]
    listings: list[tuple[int, dt.date]] = []
    # In binary: no value is turned into text here or parsed from it there.
    cursor.cursor.adapters.register_dumper(None, _JsonbBytesDumper)
    try:
        with transaction.atomic():
            with cursor.cursor.copy(
                f"COPY papers_paper (id, {columns}) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(rows.binary_types)
                for paper_id, record in zip(ids, pending, strict=False):
                    copy.write_row(rows.binary_row(paper_id, record, now))
                    if record.day is not None:
                        listings.append((paper_id, record.day))
            # Papers created in this transaction are on no list yet: nothing to conflict with.
            with cursor.cursor.copy(
                "COPY papers_dailylisting (paper_id, day) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["bigint", "date"])
                for listing in listings:
                    copy.write_row(listing)
    except psycopg.errors.UniqueViolation:
        for _record in pending:  # read the rest, for the batch
            pass
        return [], [(record, rows.row(record, record.content_digest())) for record in good], False
    return good, [], True


def _batch_write(
    cursor: Any, rows: _Rows, changed: list[tuple[Any, ...]], now: Any
) -> tuple[set[int], set[int]]:
    """Step 3: changed papers through the temporary table. Returns the ids it created (a
    concurrent import's leftovers) and the ids it updated."""
    columns = ", ".join(
        f"{name} {'varchar(32)' if name in ('arxiv_id', 'import_hash', 'content_hash') else _field(name).db_type(connection)}"
        for name in BATCH_COLUMNS
    )
    names = ", ".join(BATCH_COLUMNS)
    cursor.execute(f"DROP TABLE IF EXISTS {BATCH}")
    cursor.execute(f"CREATE TEMPORARY TABLE {BATCH} ({columns}, PRIMARY KEY (arxiv_id))")
    if _postgres():
        with cursor.cursor.copy(f"COPY {BATCH} ({names}) FROM STDIN") as copy:
            for row in changed:
                copy.write_row(row)
        cursor.execute(f"ANALYZE {BATCH}")
        cursor.execute(
            "SELECT 1 FROM papers_paper WHERE arxiv_id IN "
            f"(SELECT arxiv_id FROM {BATCH}) ORDER BY arxiv_id FOR NO KEY UPDATE"
        )
    else:
        placeholders = ", ".join(["%s"] * len(BATCH_COLUMNS))
        sql = f"INSERT INTO {BATCH} ({names}) VALUES ({placeholders})"
        cursor.executemany(sql, changed)
    cursor.execute(
        f"INSERT INTO papers_paper ({', '.join(NEW_COLUMNS)}) "
        f"SELECT b.arxiv_id, {', '.join(f'COALESCE(b.{name}, %s)' for name in DATA_FIELDS)}, "
        f"b.import_hash, COALESCE(b.content_hash, ''), %s, %s, %s FROM {BATCH} b "
        "WHERE b.title IS NOT NULL ORDER BY b.arxiv_id "
        "ON CONFLICT (arxiv_id) DO NOTHING RETURNING id",
        [*rows.defaults(), False, now, now],
    )
    created = {row[0] for row in cursor.fetchall()}
    text_changed = " OR ".join(_differs(name) for name in TEXT_FIELDS)
    data_changed = " OR ".join(_differs(name) for name in DATA_FIELDS)
    # A paper whose fields are all as stored but whose import digest is not (its item changed
    # only where nothing is read, or the digest's formula did) gets the new digest, so the next
    # import finds it unchanged at once; it is not counted as updated and keeps its updated_at,
    # which RETURNING (that sees the new row) tells apart.
    cursor.execute(
        "UPDATE papers_paper SET "
        + ", ".join(f"{name} = {_new_value(name)}" for name in DATA_FIELDS)
        + f", updated_at = CASE WHEN {data_changed} THEN %s ELSE papers_paper.updated_at END, "
        "import_hash = b.import_hash, "
        "content_hash = COALESCE(b.content_hash, papers_paper.content_hash), "
        f"search_indexed_at = CASE WHEN {text_changed} THEN NULL "
        f"ELSE papers_paper.search_indexed_at END FROM {BATCH} b "
        f"WHERE papers_paper.arxiv_id = b.arxiv_id AND ({data_changed} "
        f"OR b.import_hash {_distinct()} papers_paper.import_hash) "
        "RETURNING papers_paper.id, papers_paper.updated_at = %s",
        [now, now],
    )
    updated = {paper_id for paper_id, changed in cursor.fetchall() if changed}
    cursor.execute(f"DROP TABLE {BATCH}")
    return created, updated


def _new_value(name: str) -> str:
    """The stored column's value after the UPDATE: the batch's when it carries one. The arXiv
    version only ever rises: a re-import of an older capture keeps the newer version."""
    if name in NEVER_LOWERED:
        return (
            f"CASE WHEN b.{name} > papers_paper.{name} THEN b.{name} ELSE papers_paper.{name} END"
        )
    return f"COALESCE(b.{name}, papers_paper.{name})"


def _distinct() -> str:
    """The null-safe "differs from" of this database."""
    return "IS DISTINCT FROM" if _postgres() else "IS NOT"


def _differs(name: str) -> str:
    if name in NEVER_LOWERED:  # only a higher value changes it (NULL > x is not true)
        return f"(b.{name} > papers_paper.{name})"
    return f"(b.{name} IS NOT NULL AND b.{name} {_distinct()} papers_paper.{name})"


def _list(cursor: Any, records: list[PaperRecord]) -> set[int]:
    """Step 4: puts the records' papers on their days' lists; returns the ids newly listed."""
    pairs = [(record.arxiv_id, record.day.isoformat()) for record in records if record.day]
    if not pairs:
        return set()
    insert = "INSERT INTO papers_dailylisting (paper_id, day) "
    conflict = " ORDER BY p.id ON CONFLICT (paper_id, day) DO NOTHING RETURNING paper_id"
    if _postgres():
        cursor.execute(
            insert + "SELECT p.id, u.day FROM unnest(%s::text[], %s::date[]) AS u(arxiv_id, day) "
            "JOIN papers_paper p ON p.arxiv_id = u.arxiv_id" + conflict,
            [[arxiv_id for arxiv_id, _ in pairs], [day for _, day in pairs]],
        )
    else:
        cursor.execute(
            insert + "SELECT p.id, json_extract(j.value, '$[1]') FROM json_each(%s) j "
            "JOIN papers_paper p ON p.arxiv_id = json_extract(j.value, '$[0]') WHERE true"
            + conflict,
            [json.dumps(pairs)],
        )
    return {row[0] for row in cursor.fetchall()}
