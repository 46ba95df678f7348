"""Celery tasks for the daily import. Each takes plain values and calls one service."""

import datetime as dt
import logging
from functools import partial

from celery import Task, shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from papers import services
from papers.clients.http import SourceError
from papers.models import ImportRun
from papers.signals import day_imported

logger = logging.getLogger(__name__)


@shared_task(name="papers.import_daily", bind=True, max_retries=3)
def import_daily(self: Task, day: str) -> int:
    """Imports one day's Hugging Face daily papers (YYYY-MM-DD); returns the run's id.

    The HTTP client already retries a few times with backoff; when the source is still down
    (network, 5xx, 429) the task tries again later, up to three times: after 5, 10, 20 minutes,
    or when the source said to come back (a Retry-After longer than the client waits, which
    fails the run with "asked to wait N s; will retry at <time>"), whichever is later. Other
    errors (a 400, a malformed answer) fail the run with its reason and are not retried.
    """
    try:
        run = services.import_daily(day=dt.date.fromisoformat(day))
    except SourceError as exc:
        # max_retries None is Celery's "retry for ever".
        retries_left = self.max_retries is None or self.request.retries < self.max_retries
        if exc.retryable and retries_left and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=retry_countdown(exc, self.request.retries)) from exc
        logger.warning("Daily import of %s failed: %s", day, exc)
        raise
    logger.info("Daily import of %s: %s", day, run.summary)
    day_imported.send(sender=import_daily, day=dt.date.fromisoformat(day))
    return run.pk


def retry_countdown(exc: SourceError, retries: int) -> float:
    """Seconds until the next try: the backoff, or later when the source asked for later."""
    backoff = 300.0 * 2**retries
    if exc.retry_at is None:
        return backoff
    return max(backoff, (exc.retry_at - timezone.now()).total_seconds())


@shared_task(name="papers.import_daily_catch_up")
def import_daily_catch_up() -> list[str]:
    """Beat's daily entry: queues the import of today, yesterday and any missed day within
    PAPERS_IMPORT_LOOKBACK_DAYS. Returns the days queued."""
    days = services.import_daily_days_due(
        today=timezone.now().date(), lookback=settings.PAPERS_IMPORT_LOOKBACK_DAYS
    )
    for day in days:
        transaction.on_commit(partial(import_daily.delay, day.isoformat()))
    return [day.isoformat() for day in days]


@shared_task(name="papers.import_run_repeat")
def import_run_repeat(run_id: int) -> int | None:
    """Runs an earlier import's request again (the admin's action); returns the new run's id,
    or None when it failed (the failed run is recorded with its reason)."""
    run = ImportRun.objects.get(pk=run_id)
    try:
        return services.import_run_repeat(run=run).pk
    except SourceError as exc:
        # The new run is on record as failed, with this reason, for the admin to see.
        logger.warning("Repeating import run %s failed: %s", run_id, exc)
        return None
