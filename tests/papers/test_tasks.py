import datetime as dt
from functools import partial

import pytest
from django.conf import settings

from papers import services, tasks
from papers.clients.http import SourceError
from papers.models import DailyListing, ImportRun, Paper
from papers.parsing import parse_saved_file
from tests.concurrency import at_once, postgres_threads
from tests.papers.conftest import FakeNetwork, arxiv_fails, hf_fixture_path

DAY = dt.date(2026, 6, 12)


def test_it_schedules_the_daily_import_in_beat() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["papers-import-daily"]
    assert entry["task"] == "papers.import_daily_catch_up"
    assert entry["schedule"].hour == {settings.PAPERS_IMPORT_HOUR}
    assert entry["schedule"].minute == {0}


@pytest.mark.django_db
def test_it_imports_a_day_in_a_task(hf_day: FakeNetwork) -> None:
    run_id = tasks.import_daily.delay("2026-06-12").get()
    run = ImportRun.objects.get(pk=run_id)
    assert (run.status, run.created) == (ImportRun.Status.SUCCEEDED, 30)


@pytest.mark.django_db
def test_it_records_a_failed_task_run(network: FakeNetwork) -> None:
    network.serve_daily(["{}"], status=400)
    with pytest.raises(SourceError):
        tasks.import_daily.delay("2026-06-12")
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_it_catches_up_on_missed_days(hf_day: FakeNetwork, settings) -> None:
    settings.PAPERS_IMPORT_LOOKBACK_DAYS = 2
    queued = tasks.import_daily_catch_up.delay().get()
    assert len(queued) == 3
    requested = sorted({r.url.params["date"] for r in hf_day.requests})
    assert requested == queued
    assert ImportRun.objects.succeeded().count() == 3


@pytest.mark.django_db
def test_it_repeats_a_run(hf_day: FakeNetwork) -> None:
    first = services.import_daily(day=DAY)
    new_id = tasks.import_run_repeat.delay(first.pk).get()
    repeat = ImportRun.objects.get(pk=new_id)
    assert (repeat.source, repeat.request, repeat.unchanged) == (first.source, first.request, 30)


@pytest.mark.django_db
def test_it_retries_arxiv_when_repeating_a_run(network: FakeNetwork) -> None:
    arxiv_fails(network, "unreachable")
    first = ImportRun.objects.create(source=ImportRun.Source.ARXIV_IDS, request="2606.99999")
    assert tasks.import_run_repeat.delay(first.pk).get() is None
    assert len(network.requests) == 4
    assert "gave up after 4 tries" in ImportRun.objects.latest("pk").error


@postgres_threads
def test_it_leaves_one_row_per_paper_when_two_imports_run_at_once() -> None:
    records = parse_saved_file(hf_fixture_path().read_bytes())[1].records
    runs = [ImportRun.objects.create(source="file", request=f"run {n}") for n in range(2)]
    jobs = [partial(services.papers_import_records, run=run, records=records) for run in runs]
    _, errors = at_once(jobs)
    assert errors == []
    assert Paper.objects.count() == 30
    assert DailyListing.objects.count() == 30
    assert ImportRun.objects.succeeded().count() == 2
