"""Celery tasks for email. They take ids and call one function in groups.notifications.sessions,
groups.notifications.notices or groups.notifications.digest."""

import datetime as dt
import logging
from smtplib import SMTPException
from typing import TypedDict

from celery import Task, shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.utils import timezone

from groups.notifications.digest import digest_deliver, digest_prepare, digests_never_tried
from groups.notifications.notices import (
    notices_for_nomination,
    notices_for_note,
    notification_deliver,
    notification_summary_send,
    notifications_never_tried,
    summary_users,
)
from groups.notifications.sessions import session_notice_send, session_reminders_send

logger = logging.getLogger(__name__)


@shared_task(
    name="groups.send_session_notice",
    base=DjangoTask,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    max_retries=5,
)
def send_session_notice(session_id: int, kind: str, sequence: int, actor_id: int | None) -> int:
    """Emails members a scheduled/changed/cancelled notice; a retry skips those already sent."""
    return session_notice_send(
        session_id=session_id, kind=kind, sequence=sequence, actor_id=actor_id
    )


@shared_task(name="groups.send_session_reminders")
def send_session_reminders() -> int:
    """Run by beat every few minutes: sends the reminders that are due, each at most once."""
    return session_reminders_send()


# --- The email issue: digest and group notifications --------------------------------------
# Sends retry on mail-server trouble with exponential backoff, at most EMAIL_MAX_RETRIES times;
# the last failure is recorded on the delivery row (status "failed"), not retried again.


class RetryOptions(TypedDict):
    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: int
    retry_backoff_max: int
    retry_jitter: bool
    max_retries: int


SEND_RETRY: RetryOptions = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 60,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 5,
}


def _queue(task: Task, object_id: int) -> None:
    """Queues `task(object_id)` and never raises: one person's failure must not stop the rest of
    a fan-out.

    A failure to queue (the broker is down) is logged, and is not the end of it: the row stays
    pending, never tried, and `requeue_pending_notifications` queues it again. In-process (eager,
    the test suite) there is no broker and the send runs right here: its failure is already
    recorded on its row (pending for a retry, or failed), and is logged as a failed send.
    """
    try:
        task.apply_async(args=(object_id,))
    except Exception:
        if task.app.conf.task_always_eager:
            logger.exception("Sending %s(%s) failed", task.name, object_id)
        else:
            logger.exception(
                "Could not queue %s(%s): groups.requeue_pending_notifications queues it again",
                task.name,
                object_id,
            )


def _last_attempt(task: Task) -> bool:
    return task.max_retries is not None and task.request.retries >= task.max_retries


def digests_after_import(*, day: dt.date, **_signal: object) -> None:
    """Receives papers' `day_imported`: a fresh list of today or yesterday goes out to digest
    subscribers (each once per day); catching up on older days sends nothing, nobody wants last
    week's digest."""
    if day >= timezone.now().date() - dt.timedelta(days=settings.DIGEST_MAX_AGE_DAYS):
        send_digests.delay_on_commit(day.isoformat())


@shared_task(name="groups.send_digests", base=DjangoTask)
def send_digests(day: str | None = None) -> int:
    """Queues the day's digest (today, UTC, by default) for every subscriber; returns how many.

    Run after a successful daily import and by beat later in the day; each person gets each
    day's digest at most once however often this runs.
    """
    when = dt.date.fromisoformat(day) if day else timezone.now().date()
    ids = digest_prepare(day=when)
    for digest_id in ids:
        _queue(send_digest, digest_id)
    return len(ids)


@shared_task(name="groups.send_digest", bind=True, **SEND_RETRY)
def send_digest(self: Task, digest_id: int) -> bool:
    """Sends one recorded digest (claimed first, so a duplicate task sends nothing)."""
    return digest_deliver(digest_id=digest_id, final_attempt=_last_attempt(self))


@shared_task(name="groups.send_group_notices", base=DjangoTask)
def send_group_notices(event: str, object_id: int) -> int:
    """Records who hears about a new nomination or note, and queues the immediate emails."""
    if event == "nomination":
        ids = notices_for_nomination(nomination_id=object_id)
    else:
        ids = notices_for_note(note_id=object_id)
    for notification_id in ids:
        _queue(send_notification, notification_id)
    return len(ids)


@shared_task(name="groups.send_notification", bind=True, **SEND_RETRY)
def send_notification(self: Task, notification_id: int) -> bool:
    """Sends one immediate group notification (claimed first)."""
    return notification_deliver(notification_id=notification_id, final_attempt=_last_attempt(self))


@shared_task(name="groups.send_notification_summaries")
def send_notification_summaries() -> int:
    """Beat, once a day: queues one summary email per person with notifications waiting."""
    users = summary_users()
    for user_id in users:
        _queue(send_notification_summary, user_id)
    return len(users)


@shared_task(name="groups.send_notification_summary", bind=True, **SEND_RETRY)
def send_notification_summary(self: Task, user_id: int) -> int:
    """Sends one person's daily summary of group notifications."""
    return notification_summary_send(user_id=user_id, final_attempt=_last_attempt(self))


@shared_task(name="groups.requeue_pending_notifications")
def requeue_pending_notifications() -> int:
    """Beat, every few minutes: queues again each immediate notification and digest that has
    waited longer than EMAIL_REQUEUE_AFTER without any task trying it (queueing it failed);
    returns how many. Sends claim their row first, so a row whose first task was only slow, or
    that two runs queue, is still sent once."""
    recorded_before = timezone.now() - settings.EMAIL_REQUEUE_AFTER
    notifications = notifications_never_tried(recorded_before=recorded_before)
    digests = digests_never_tried(recorded_before=recorded_before)
    for notification_id in notifications:
        _queue(send_notification, notification_id)
    for digest_id in digests:
        _queue(send_digest, digest_id)
    return len(notifications) + len(digests)
