"""Writing papers: imports from Hugging Face and arXiv, and adding one paper by id.

The write (`papers_import_records`) is one transaction of a few bulk statements whatever the
number of papers (papers.upsert). It upserts on the unique arXiv id, so two runs at the same
time still leave one row per paper, and each counts only what it wrote. Imports only touch
Paper and DailyListing rows: nothing a group made (nominations, notes) is ever changed.

The `import_*` functions fetch first and write after, outside a transaction on purpose: a
network call must not hold a database transaction open. Each records an ImportRun, marked
failed with the reason when the source fails or when anything goes wrong in the write (a run
never stays "running"); the SourceError is then raised to the caller.
"""

import contextlib
import datetime as dt
import gc
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from papers.clients.arxiv import ArxivClient
from papers.clients.hf import HuggingFaceClient
from papers.clients.http import SourceError
from papers.indexing import search_index_soon
from papers.models import DailyListing, ImportRun, ImportSkip, Paper
from papers.parsing import (
    PaperRecord,
    ParsedDocument,
    RecordError,
    parse_arxiv_id,
    parse_saved_file,
    split_arxiv_id,
)
from papers.signals import paper_versions_rose
from papers.upsert import records_write

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

# Records per batch of the write (papers.upsert): bounds the temporary table, not the statements.
CHUNK = 10_000
# arXiv imports of at most this many ids also ask Hugging Face about each paper (adding a paper).
HF_ENRICH_MAX = 10
DAY_IN_NAME = re.compile(r"\d{4}-\d{2}-\d{2}")
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
    """Marks a run failed with its reason."""
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


def papers_import_records(
    *,
    run: ImportRun,
    records: Sequence[PaperRecord],
    skipped: Sequence[RecordError] = (),
    progress: Progress | None = None,
) -> ImportRun:
    """Writes parsed records in bulk and completes `run` with its counts and skipped records.

    New papers are created, changed ones updated (only the fields their record carries: an
    arXiv import leaves Hugging Face's upvotes alone, an answer lacking a field keeps it), the
    rest counted unchanged. A paper newly seen on a day's list gets that day added. Safe to
    run twice, or twice at once. Any error in the write rolls it back whole, marks the run
    failed with the reason and raises SourceError: a run never stays "running".
    """
    try:
        with transaction.atomic():
            return _records_import(run=run, records=records, skipped=skipped, progress=progress)
    except Exception as exc:
        reason = f"writing the papers failed ({type(exc).__name__}: {exc})"[:2000]
        run.created = run.updated = run.unchanged = run.skipped = 0
        import_run_fail(run=run, reason=reason)
        raise SourceError(reason) from exc


def _records_import(
    *,
    run: ImportRun,
    records: Sequence[PaperRecord],
    skipped: Sequence[RecordError],
    progress: Progress | None,
) -> ImportRun:
    unique, duplicates = _deduplicated(records)
    skips = [*skipped, *duplicates]
    created = updated = unchanged = 0
    versions_rose: list[int] = []
    for start in range(0, len(unique), CHUNK):
        written = records_write(unique[start : start + CHUNK])
        skips.extend(written.errors)  # records whose fields proved unusable when read
        created += written.created
        updated += written.updated
        unchanged += written.unchanged
        versions_rose += written.versions_rose
        if progress:
            progress(min(start + CHUNK, len(unique)), len(unique))
    ImportSkip.objects.bulk_create(
        [ImportSkip(run=run, record_id=s.record_id[:200], reason=s.reason[:500]) for s in skips]
    )
    if created or updated:
        search_index_soon()  # new and changed papers become searchable after the commit
    if versions_rose:
        # Groups tell those who discussed them, after the commit (papers.signals).
        paper_versions_rose.send(sender=papers_import_records, paper_ids=sorted(versions_rose))
    run.created, run.updated, run.unchanged, run.skipped = created, updated, unchanged, len(skips)
    run.days = sorted({record.day.isoformat() for record in unique if record.day})
    run.status = ImportRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(
        update_fields=[
            "created",
            "updated",
            "unchanged",
            "skipped",
            "days",
            "status",
            "finished_at",
        ]
    )
    return run


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a document is read and written. An import
    allocates a few objects per field of every paper and keeps the records until the end, so
    the collector would run about 85 times for 10,000 papers, one of those passes walking
    every object of the process, for no garbage: the records hold no cycles, and reference
    counting frees them as usual meanwhile. Measured with gc.callbacks in bench/papers.py's
    first import: 0.03-0.13 s of its 0.85-1 s of Python time on a loaded machine, more in a
    process holding more objects (a Celery worker)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _execute(
    *,
    source: str,
    request: str,
    fetch: Callable[[], ParsedDocument],
    progress: Progress | None,
    run: ImportRun | None = None,
) -> ImportRun:
    run = run or import_run_start(source=source, request=request)
    with _collector_paused():
        try:
            document = fetch()
        except SourceError as exc:
            import_run_fail(run=run, reason=str(exc))
            raise
        except Exception as exc:
            # Whatever went wrong before the write (a bug, the disk), the run says so.
            reason = f"reading the papers failed ({type(exc).__name__}: {exc})"[:2000]
            import_run_fail(run=run, reason=reason)
            raise SourceError(reason) from exc
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
    *,
    ids: Sequence[str],
    client: ArxivClient | None = None,
    hf_client: HuggingFaceClient | None = None,
    progress: Progress | None = None,
) -> ImportRun:
    """Imports papers from arXiv by id (ids or URLs; invalid ones fail the run).

    An id arXiv does not know is a skipped record, "arXiv has no paper <id>"; when none of the
    ids asked for was found the run fails with that reason (and SourceError is raised). For a
    few ids (adding a paper), Hugging Face's single-paper API is asked too, one short try per
    paper, so the paper comes with its upvotes, AI summary and keywords; when it does not
    answer, arXiv's data stands alone. arXiv's title, abstract and authors win over its own.
    """
    parsed = [parse_arxiv_id(text) for text in ids]
    bad = [text for text, arxiv_id in zip(ids, parsed, strict=True) if arxiv_id is None]
    run_request = ",".join(arxiv_id or text for text, arxiv_id in zip(ids, parsed, strict=True))
    if bad:
        run = import_run_start(source=ImportRun.Source.ARXIV_IDS, request=run_request)
        import_run_fail(run=run, reason=f"not an arXiv id or URL: {', '.join(bad)}")
        raise SourceError(run.error)
    wanted = list(dict.fromkeys(arxiv_id for arxiv_id in parsed if arxiv_id))
    client = client or ArxivClient()

    def fetch() -> ParsedDocument:
        document = client.by_ids(wanted)
        if document.records and len(wanted) <= HF_ENRICH_MAX:
            hf = hf_client or HuggingFaceClient(interactive=True)
            for record in document.records:
                if found := hf.paper(record.arxiv_id):
                    record.fields = {**found.fields, **record.fields}
        return document

    run = _execute(
        source=ImportRun.Source.ARXIV_IDS, request=run_request, fetch=fetch, progress=progress
    )
    if run.created + run.updated + run.unchanged == 0 and run.skipped:
        reasons = list(run.skips.values_list("reason", flat=True)[:5])
        import_run_fail(run=run, reason="; ".join(reasons))
        raise SourceError(run.error, for_people=f"{reasons[0]}.")
    return run


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


def _day_of_file(path: Path, kind: str, document: ParsedDocument, day: dt.date | None) -> None:
    """Puts every paper of a saved daily list on a day: `day` when given (for an arXiv feed
    too), else each record's own (Hugging Face's submittedOnDailyAt); records of an older
    capture without it get the day most of the others name, else the date in the file's name.
    A daily file with papers on no day fails the run: it would list them nowhere."""
    if day is not None:
        for record in document.records:
            record.day = day
        return
    if kind != "hf" or all(record.day for record in document.records):
        return
    named = Counter(record.day for record in document.records if record.day)
    in_name = DAY_IN_NAME.search(path.name)
    fallback = named.most_common(1)[0][0] if named else None
    if fallback is None and in_name:
        try:
            fallback = dt.date.fromisoformat(in_name.group())
        except ValueError:
            fallback = None
    if fallback is None:
        raise SourceError(
            f"{path} does not say which day's list it is (its papers have no "
            "submittedOnDailyAt and its name no date): give the day with --date"
        )
    for record in document.records:
        record.day = record.day or fallback


def import_file(
    *, path: Path, day: dt.date | None = None, progress: Progress | None = None
) -> ImportRun:
    """Imports a saved Hugging Face daily-papers JSON or arXiv Atom file (told by content).

    Its papers are put on the daily list of `day` when given, else of the day the file names
    (see `_day_of_file`); the run's `days` say which.
    """

    def fetch() -> ParsedDocument:
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
        kind, document = parse_saved_file(body, name=str(path), day=day)
        _day_of_file(path, kind, document, day)
        return document

    return _execute(source=ImportRun.Source.FILE, request=str(path), fetch=fetch, progress=progress)


def import_run_repeat(*, run: ImportRun) -> ImportRun:
    """Runs the same request as `run` again, as a new run."""
    if run.source == ImportRun.Source.HF_DAILY:
        return import_daily(day=dt.date.fromisoformat(run.request))
    if run.source == ImportRun.Source.ARXIV_IDS:
        return import_arxiv_ids(ids=run.request.split(","))
    if run.source == ImportRun.Source.ARXIV_CATEGORY:
        return import_arxiv_category(category=run.request)
    day = dt.date.fromisoformat(run.days[0]) if len(run.days) == 1 else None
    return import_file(path=Path(run.request), day=day)


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
    *,
    arxiv_id_or_url: str,
    interactive: bool,
    client: ArxivClient | None = None,
    hf_client: HuggingFaceClient | None = None,
) -> Paper:
    """The paper for an arXiv id or URL: ours if we have it, else fetched from arXiv (and
    what Hugging Face knows of it, when Hugging Face answers; see `import_arxiv_ids`).

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
    import_arxiv_ids(
        ids=[arxiv_id],
        client=client or ArxivClient(interactive=interactive),
        hf_client=hf_client,
    )
    return Paper.objects.get(arxiv_id=arxiv_id)


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
