"""Writing papers: imports from Hugging Face and arXiv, and adding one paper by id.

The write (`papers_import_records`) is one transaction of bulk statements: a few queries per
thousand papers, never one per paper. It upserts on the unique arXiv id, so two runs at the
same time still leave one row per paper. Imports only touch Paper and DailyListing rows:
nothing a group made (nominations, notes) is ever changed by an import.

The `import_*` functions fetch first and write after, outside a transaction on purpose: a
network call must not hold a database transaction open. Each records an ImportRun, marked
failed with the reason when the source fails; the SourceError is then raised to the caller.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from papers.clients.arxiv import ArxivClient
from papers.clients.hf import HuggingFaceClient
from papers.clients.http import SourceError
from papers.models import DailyListing, ImportRun, ImportSkip, Paper
from papers.parsing import (
    PaperRecord,
    ParsedDocument,
    RecordError,
    parse_arxiv_id,
    parse_saved_file,
    split_arxiv_id,
)

__all__ = [
    "SAMPLE_DIR",
    "DailyListStatus",
    "SourceError",
    "daily_list_status",
    "import_arxiv_category",
    "import_arxiv_ids",
    "import_daily",
    "import_daily_days_due",
    "import_file",
    "import_run_repeat",
    "paper_import_by_arxiv_id",
    "papers_import_records",
    "parse_arxiv_id",
    "sample_days",
    "sample_files",
    "sample_load",
]

CHUNK = 1000
COUNTERS = frozenset({"upvotes", "num_comments", "github_stars"})
Progress = Callable[[int, int], None]
CATEGORY_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.")
# Real Hugging Face daily lists, recorded and shipped with the app (one file per day, named
# daily_papers_YYYY-MM-DD.json): what a fresh database shows before the daily import runs.
SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
SAMPLE_PREFIX = "daily_papers_"
# A daily import still "running" after this long lost its process; the home page stops saying so.
IMPORT_RUNNING_FOR_AT_MOST = dt.timedelta(minutes=30)


def import_run_start(*, source: str, request: str) -> ImportRun:
    """Records that a run began (committed at once, so a failure is on record too)."""
    return ImportRun.objects.create(source=source, request=request[:500])


def import_run_fail(*, run: ImportRun, reason: str) -> ImportRun:
    """Marks a run failed with its reason; nothing of it was written."""
    run.status = ImportRun.Status.FAILED
    run.error = reason
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    return run


def _deduplicated(
    records: Sequence[PaperRecord],
) -> tuple[list[PaperRecord], list[RecordError]]:
    # One statement may not upsert the same key twice (PostgreSQL refuses): keep the first.
    seen: set[str] = set()
    unique: list[PaperRecord] = []
    duplicates: list[RecordError] = []
    for record in records:
        if record.arxiv_id in seen:
            duplicates.append(RecordError(record.arxiv_id, "appears twice; the first was kept"))
            continue
        seen.add(record.arxiv_id)
        unique.append(record)
    # Writing in key order keeps concurrent runs from deadlocking on each other's rows.
    unique.sort(key=lambda record: record.arxiv_id)
    return unique, duplicates


def _write_chunk(records: list[PaperRecord]) -> tuple[int, int, int]:
    """Upserts one chunk; returns (created, updated, unchanged)."""
    ids = [record.arxiv_id for record in records]
    field_names = sorted({name for record in records for name in record.fields})
    existing = {
        paper.arxiv_id: paper
        for paper in Paper.objects.filter(arxiv_id__in=ids).only("id", "arxiv_id", *field_names)
    }
    days = {record.day for record in records if record.day}
    listed: set[tuple[str, dt.date]] = set()
    if days:
        listed = set(
            DailyListing.objects.filter(paper__arxiv_id__in=ids, day__in=days).values_list(
                "paper__arxiv_id", "day"
            )
        )

    created = updated = unchanged = 0
    # An upsert statement per (fields known, fields set). When only counters moved (the usual
    # daily re-import) just the counters are set, so titles and abstracts are not rewritten and
    # re-indexed; at most two statements per source and chunk, whatever changed.
    to_write: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Paper]] = {}
    new_listings: list[tuple[str, dt.date]] = []  # (arxiv_id, day)
    for record in records:
        paper = existing.get(record.arxiv_id)
        changed = [
            name
            for name, value in record.fields.items()
            if paper is None or getattr(paper, name) != value
        ]
        listing = (record.arxiv_id, record.day) if record.day is not None else None
        listing_new = listing is not None and listing not in listed
        if listing is not None and listing_new:
            new_listings.append(listing)
        if paper is None:
            created += 1
        elif changed or listing_new:
            updated += 1
        else:
            unchanged += 1
        if changed:
            known = tuple(sorted(record.fields))
            counters_only = paper is not None and set(changed) <= set(COUNTERS)
            key = (known, tuple(n for n in known if n in COUNTERS) if counters_only else known)
            to_write.setdefault(key, []).append(Paper(arxiv_id=record.arxiv_id, **record.fields))

    for (_known, changed_fields), papers in to_write.items():
        Paper.objects.bulk_create(
            papers,
            update_conflicts=True,
            unique_fields=["arxiv_id"],
            update_fields=[*changed_fields, "updated_at"],
        )
    if new_listings:
        paper_ids = dict(
            Paper.objects.filter(
                arxiv_id__in=[arxiv_id for arxiv_id, _ in new_listings]
            ).values_list("arxiv_id", "id")
        )
        DailyListing.objects.bulk_create(
            [DailyListing(paper_id=paper_ids[arxiv_id], day=day) for arxiv_id, day in new_listings],
            ignore_conflicts=True,
        )
    return created, updated, unchanged


@transaction.atomic
def papers_import_records(
    *,
    run: ImportRun,
    records: Sequence[PaperRecord],
    skipped: Sequence[RecordError] = (),
    progress: Progress | None = None,
) -> ImportRun:
    """Writes parsed records in bulk and completes `run` with its counts and skipped records.

    New papers are created, changed ones updated (only the fields their source knows; an arXiv
    import leaves Hugging Face's upvotes alone), the rest counted unchanged. A paper newly
    seen on a day's list gets that day added. Safe to run twice, or twice at once.
    """
    unique, duplicates = _deduplicated(records)
    skips = [*skipped, *duplicates]
    created = updated = unchanged = 0
    for start in range(0, len(unique), CHUNK):
        chunk_created, chunk_updated, chunk_unchanged = _write_chunk(unique[start : start + CHUNK])
        created += chunk_created
        updated += chunk_updated
        unchanged += chunk_unchanged
        if progress:
            progress(min(start + CHUNK, len(unique)), len(unique))
    ImportSkip.objects.bulk_create(
        [ImportSkip(run=run, record_id=s.record_id[:200], reason=s.reason[:500]) for s in skips]
    )
    run.created, run.updated, run.unchanged, run.skipped = created, updated, unchanged, len(skips)
    run.status = ImportRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["created", "updated", "unchanged", "skipped", "status", "finished_at"])
    return run


def _execute(
    *, source: str, request: str, fetch: Callable[[], ParsedDocument], progress: Progress | None
) -> ImportRun:
    run = import_run_start(source=source, request=request)
    try:
        document = fetch()
    except SourceError as exc:
        import_run_fail(run=run, reason=str(exc))
        raise
    return papers_import_records(
        run=run, records=document.records, skipped=document.errors, progress=progress
    )


def import_daily(
    *,
    day: dt.date,
    client: HuggingFaceClient | None = None,
    progress: Progress | None = None,
) -> ImportRun:
    """Imports Hugging Face's daily papers of `day` (all pages). Raises SourceError on failure."""
    client = client or HuggingFaceClient()
    return _execute(
        source=ImportRun.Source.HF_DAILY,
        request=day.isoformat(),
        fetch=lambda: client.daily_papers(day),
        progress=progress,
    )


def import_arxiv_ids(
    *, ids: Sequence[str], client: ArxivClient | None = None, progress: Progress | None = None
) -> ImportRun:
    """Imports papers from arXiv by id (ids or URLs; invalid ones fail the run)."""
    parsed = [parse_arxiv_id(text) for text in ids]
    bad = [text for text, arxiv_id in zip(ids, parsed, strict=True) if arxiv_id is None]
    run_request = ",".join(arxiv_id or text for text, arxiv_id in zip(ids, parsed, strict=True))
    if bad:
        run = import_run_start(source=ImportRun.Source.ARXIV_IDS, request=run_request)
        import_run_fail(run=run, reason=f"not an arXiv id or URL: {', '.join(bad)}")
        raise SourceError(run.error)
    client = client or ArxivClient()
    return _execute(
        source=ImportRun.Source.ARXIV_IDS,
        request=run_request,
        fetch=lambda: client.by_ids([arxiv_id for arxiv_id in parsed if arxiv_id]),
        progress=progress,
    )


def import_arxiv_category(
    *,
    category: str,
    max_results: int = 100,
    client: ArxivClient | None = None,
    progress: Progress | None = None,
) -> ImportRun:
    """Imports the newest papers of an arXiv category such as cs.CL."""
    if not category or not set(category) <= CATEGORY_CHARS or len(category) > 40:
        run = import_run_start(source=ImportRun.Source.ARXIV_CATEGORY, request=category)
        import_run_fail(run=run, reason=f"not an arXiv category: {category!r}")
        raise SourceError(run.error)
    client = client or ArxivClient()
    return _execute(
        source=ImportRun.Source.ARXIV_CATEGORY,
        request=category,
        fetch=lambda: client.category(category, max_results=max_results),
        progress=progress,
    )


def import_file(*, path: Path, progress: Progress | None = None) -> ImportRun:
    """Imports a saved Hugging Face daily-papers JSON or arXiv Atom file (told by content)."""

    def fetch() -> ParsedDocument:
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
        return parse_saved_file(body)[1]

    return _execute(source=ImportRun.Source.FILE, request=str(path), fetch=fetch, progress=progress)


def import_run_repeat(*, run: ImportRun) -> ImportRun:
    """Runs the same request as `run` again, as a new run."""
    if run.source == ImportRun.Source.HF_DAILY:
        return import_daily(day=dt.date.fromisoformat(run.request))
    if run.source == ImportRun.Source.ARXIV_IDS:
        return import_arxiv_ids(ids=run.request.split(","))
    if run.source == ImportRun.Source.ARXIV_CATEGORY:
        return import_arxiv_category(category=run.request)
    return import_file(path=Path(run.request))


def import_daily_days_due(*, today: dt.date, lookback: int) -> list[dt.date]:
    """The days the daily import should fetch now, oldest first.

    Today and yesterday always (their lists and upvotes still move); earlier days within
    `lookback` only when no run of theirs has succeeded yet (catching up after downtime).
    """
    days = [today - dt.timedelta(days=offset) for offset in range(max(lookback, 1) + 1)]
    done = set(
        ImportRun.objects.succeeded()
        .filter(source=ImportRun.Source.HF_DAILY, request__in=[d.isoformat() for d in days])
        .values_list("request", flat=True)
    )
    return sorted(
        day for offset, day in enumerate(days) if offset < 2 or day.isoformat() not in done
    )


def paper_import_by_arxiv_id(
    *, arxiv_id_or_url: str, interactive: bool, client: ArxivClient | None = None
) -> Paper:
    """The paper for an arXiv id or URL: ours if we have it, else fetched from arXiv.

    `interactive` is for a person waiting on a page: arXiv gets one short try
    (PAPERS_INTERACTIVE_TIMEOUT) instead of the imports' retries with backoff.
    Raises SourceError when the text is no arXiv id, arXiv has no such paper, or arXiv cannot
    be reached; its `for_people` is the sentence to show, its message the reason on record.
    """
    parsed = split_arxiv_id(arxiv_id_or_url)
    if parsed is None:
        raise SourceError(f"{arxiv_id_or_url.strip()[:80]!r} is not an arXiv id or arXiv URL.")
    arxiv_id = parsed[0]
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is not None:
        return paper
    run = import_arxiv_ids(ids=[arxiv_id], client=client or ArxivClient(interactive=interactive))
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is None:
        reason = f"arXiv has no paper {arxiv_id}."
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, error=reason)
        raise SourceError(reason)
    return paper


def sample_files() -> list[Path]:
    """The shipped sample's recorded daily lists, oldest first."""
    return sorted(SAMPLE_DIR.glob(f"{SAMPLE_PREFIX}*.json"))


def sample_days() -> list[dt.date]:
    """The days the shipped sample has lists of, oldest first."""
    return [dt.date.fromisoformat(path.stem.removeprefix(SAMPLE_PREFIX)) for path in sample_files()]


def sample_load() -> list[ImportRun]:
    """Loads the shipped sample through `import_file` when the database has no papers yet.

    Returns the runs, one per day; none when there were papers already (so a second start,
    or a database the daily import filled, is left alone).
    """
    if Paper.objects.exists():
        return []
    return [import_file(path=path) for path in sample_files()]


@dataclass(frozen=True)
class DailyListStatus:
    sample: bool  # the day's list is only the shipped sample: no live import of it succeeded
    importing: bool  # a Hugging Face daily import is running now


def latest_day() -> dt.date | None:
    """The latest day that has a daily list (None before the first import). One query."""
    return DailyListing.objects.aggregate(latest=Max("day"))["latest"]


@dataclass(frozen=True)
class LatestPapers:
    day: dt.date | None  # the day of the list, never assumed to be today
    papers: list[Paper]  # its most upvoted listed papers, ready for cards
    status: DailyListStatus


def latest_papers(*, limit: int) -> LatestPapers:
    """The front page's papers: the latest day's `limit` most upvoted. Three queries."""
    day = latest_day()
    papers = list(Paper.objects.for_day(day).cards().sorted_by("upvotes")[:limit]) if day else []
    return LatestPapers(day=day, papers=papers, status=daily_list_status(day=day))


def daily_list_status(*, day: dt.date | None) -> DailyListStatus:
    """What the home page says about the list of `day` it shows. One query."""
    counts = ImportRun.objects.filter(source=ImportRun.Source.HF_DAILY).aggregate(
        live=Count(
            "id",
            filter=Q(status=ImportRun.Status.SUCCEEDED, request=day.isoformat() if day else ""),
        ),
        running=Count(
            "id",
            filter=Q(
                status=ImportRun.Status.RUNNING,
                started_at__gte=timezone.now() - IMPORT_RUNNING_FOR_AT_MOST,
            ),
        ),
    )
    return DailyListStatus(
        sample=day in sample_days() and not counts["live"], importing=bool(counts["running"])
    )
