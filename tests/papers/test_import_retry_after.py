"""A source asking us to wait longer than the client will is not asked again early."""

import datetime as dt

import httpx
import pytest
from celery.exceptions import Retry
from django.utils import timezone

from papers import services, tasks
from papers.clients.http import SourceError
from papers.models import ImportRun, Paper
from tests.papers.conftest import FakeNetwork

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)


def busy_for_an_hour(network: FakeNetwork) -> None:
    network.routes["huggingface.co/api/daily_papers"] = lambda request: httpx.Response(
        429, headers={"Retry-After": "3600"}, text="Too Many Requests"
    )


def test_it_fails_the_run_instead_of_retrying_early(network: FakeNetwork) -> None:
    busy_for_an_hour(network)
    before = timezone.now()
    with pytest.raises(SourceError) as caught:
        services.import_daily(day=DAY)
    assert len(network.requests) == 1
    assert network.sleeps == []
    assert caught.value.retryable
    retry_at = caught.value.retry_at
    assert retry_at is not None
    assert before + dt.timedelta(seconds=3599) <= retry_at <= timezone.now() + dt.timedelta(hours=1)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert run.error == (
        "Hugging Face answered 429 Too Many Requests and asked to wait 3600 s; "
        f"will retry at {retry_at:%Y-%m-%d %H:%M:%S} UTC"
    )
    assert Paper.objects.count() == 0


def test_it_still_waits_a_short_retry_after(network: FakeNetwork) -> None:
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "30"}), httpx.Response(200, content=b"[]")]
    )
    network.routes["huggingface.co/api/daily_papers"] = lambda request: next(answers)
    assert services.import_daily(day=DAY).status == ImportRun.Status.SUCCEEDED
    assert network.sleeps == [30.0]


def test_the_daily_task_schedules_itself_for_when_it_was_asked(
    network: FakeNetwork, monkeypatch
) -> None:
    busy_for_an_hour(network)
    scheduled: list[dict] = []

    def retry(**options):
        scheduled.append(options)
        return Retry("scheduled", when=options.get("countdown"))

    # Celery's retry (which would send the task to the broker), not our code.
    monkeypatch.setattr(tasks.import_daily, "retry", retry)
    with pytest.raises(Retry):
        tasks.import_daily.run("2026-06-12")
    assert len(scheduled) == 1
    assert 3590 <= scheduled[0]["countdown"] <= 3600
    assert "asked to wait 3600 s" in str(scheduled[0]["exc"])
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED
