"""Email whose queueing failed is not lost: beat's requeue task queues it again, and it goes out once.

The broker's edge is the task's `apply_async`: to take the broker down, it raises what kombu
raises when Redis refuses the connection, and tasks stop running in-process meanwhile.
"""

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from celery import Task
from django.conf import settings
from django.core import mail
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.celery import app as celery_app
from groups.models import DigestEmail, Notification
from groups.notifications.tasks import (
    requeue_pending_notifications,
    send_digest,
    send_digests,
    send_group_notices,
    send_notification,
)
from tests.factories import EmailPreferencesFactory, PaperFactory
from tests.groups.notifications.conftest import list_papers, sent_to
from tests.people import Cast

pytestmark = pytest.mark.django_db

REFUSED = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@contextmanager
def broker(task: Task, **behaviour: Any) -> Iterator[mock.MagicMock]:
    """Tasks go to a broker (not run in-process); queueing `task` does what `behaviour` says."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with mock.patch.object(task, "apply_async", **behaviour) as apply_async:
            yield apply_async
    finally:
        celery_app.conf.task_always_eager = eager


def age(rows) -> None:
    """Makes the rows older than the grace period."""
    rows.update(created_at=F("created_at") - settings.EMAIL_REQUEUE_AFTER - dt.timedelta(minutes=1))


def queue_failures(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith("Could not queue")]


def test_it_logs_a_failed_enqueue_and_the_requeue_sends_it_once(cast: Cast, caplog) -> None:
    nomination = cast.group.nominations.create(paper=PaperFactory(), nominated_by=cast.member)
    with broker(send_notification, side_effect=REFUSED):
        assert send_group_notices.apply(args=["nomination", nomination.pk]).get() == 2

    assert mail.outbox == []
    rows = Notification.objects.order_by("pk")
    assert [(row.status, row.attempts) for row in rows] == [("pending", 0)] * 2
    failures = queue_failures(caplog)
    assert [r.getMessage().split(":")[0] for r in failures] == [
        f"Could not queue groups.send_notification({row.pk})" for row in rows
    ]
    assert all(r.levelno == logging.ERROR and r.exc_info for r in failures)

    age(Notification.objects.all())
    assert requeue_pending_notifications.apply().get() == 2
    assert requeue_pending_notifications.apply().get() == 0

    assert sent_to() == sorted([cast.owner.email, cast.organizer.email])
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_it_requeues_a_digest_whose_enqueue_failed(caplog) -> None:
    today = timezone.now().date()
    list_papers(today, [3])
    subscriber = EmailPreferencesFactory().user
    with broker(send_digest, side_effect=REFUSED):
        assert send_digests.apply(args=[today.isoformat()]).get() == 1
    digest = DigestEmail.objects.get()
    assert [r.getMessage().split(":")[0] for r in queue_failures(caplog)] == [
        f"Could not queue groups.send_digest({digest.pk})"
    ]
    assert mail.outbox == []

    age(DigestEmail.objects.all())
    assert requeue_pending_notifications.apply().get() == 1
    assert requeue_pending_notifications.apply().get() == 0

    assert sent_to() == [subscriber.email]
    digest.refresh_from_db()
    assert (digest.status, digest.attempts) == ("sent", 1)


def notification(cast: Cast, key: str, **fields: Any) -> Notification:
    return Notification.objects.create(
        user=cast.owner, group=cast.group, kind="nomination", key=key, subject=key, url="/",
        **fields,
    )  # fmt: skip


def test_it_requeues_only_immediate_untried_rows_older_than_the_grace_period(
    cast: Cast,
) -> None:
    lost = notification(cast, "lost")
    for key, fields in {
        "daily": {"daily": True},  # waits for the person's summary
        "sent": {"status": "sent"},
        "failed": {"status": "failed", "attempts": 6},
        "skipped": {"status": "skipped"},
        "sending": {"status": "sending", "attempts": 1},  # a worker has it
        "retrying": {"attempts": 1},  # released for the task's own retry, with backoff
    }.items():
        notification(cast, key, **fields)
    age(Notification.objects.all())
    notification(cast, "young")  # its first task may well be on its way

    assert requeue_pending_notifications.apply().get() == 1

    assert [message.subject for message in mail.outbox] == [f"[{settings.SITE_NAME}] lost"]
    lost.refresh_from_db()
    assert lost.status == "sent"
    assert Notification.objects.get(key="young").status == "pending"
    assert Notification.objects.get(key="daily").status == "pending"


def test_it_requeues_only_recent_untried_digests_older_than_the_grace_period() -> None:
    today = timezone.now().date()
    stale = today - dt.timedelta(days=settings.DIGEST_MAX_AGE_DAYS + 1)
    for day in (today, stale):
        list_papers(day, [3])
    lost, old, retrying, sent = (EmailPreferencesFactory().user for _ in range(4))
    DigestEmail.objects.create(user=lost, day=today)
    DigestEmail.objects.create(user=old, day=stale)  # nobody wants last week's digest
    DigestEmail.objects.create(user=retrying, day=today, attempts=1)
    DigestEmail.objects.create(user=sent, day=today, status="sent", attempts=1)
    age(DigestEmail.objects.all())
    young = DigestEmail.objects.create(user=EmailPreferencesFactory().user, day=today)

    assert requeue_pending_notifications.apply().get() == 1

    assert sent_to() == [lost.email]
    young.refresh_from_db()
    assert young.status == "pending"


def test_it_sends_once_when_two_requeue_runs_queue_the_same_row(cast: Cast) -> None:
    row = notification(cast, "lost")
    age(Notification.objects.all())
    # The worker is slow: two runs of beat's requeue both find the row pending and queue it.
    with broker(send_notification) as queued:
        assert requeue_pending_notifications.apply().get() == 1
        assert requeue_pending_notifications.apply().get() == 1
    assert [call.kwargs["args"] for call in queued.call_args_list] == [(row.pk,), (row.pk,)]

    # Then the worker runs both; the first claims the row, the second finds it taken.
    results = [send_notification.apply(**call.kwargs).get() for call in queued.call_args_list]

    assert results == [True, False]
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


def test_it_tells_a_failed_send_in_process_from_a_failed_enqueue(
    cast: Cast, failing_mail, caplog
) -> None:
    # In-process (the embedded default) the send runs where it is queued: the owner's failure is
    # recorded on the row for a retry, and the organizer's email is still tried.
    nomination = cast.group.nominations.create(paper=PaperFactory(), nominated_by=cast.member)

    assert send_group_notices.apply(args=["nomination", nomination.pk]).get() == 2

    rows = Notification.objects.order_by("pk")
    assert [(row.status, row.attempts) for row in rows] == [("pending", 1)] * 2
    assert all("Connection unexpectedly closed" in row.error for row in rows)
    assert queue_failures(caplog) == []
    failed = [r for r in caplog.records if r.getMessage().startswith("Sending ")]
    assert [r.getMessage().split(":")[0] for r in failed] == [
        f"Sending groups.send_notification({row.pk}) failed" for row in rows
    ]
