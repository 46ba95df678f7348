"""Celery tasks for email. They take ids and call one function in groups.notifications.sessions,
groups.notifications.notices or groups.notifications.digest."""

import datetime as dt
import logging
from functools import partial
from smtplib import SMTPException
from typing import Any, TypedDict

from celery import Task, current_app, shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from groups.models import UnsentTask
from groups.notifications.digest import (
    digest_deliver,
    digest_prepare,
    digests_never_tried,
    digests_stuck,
)
from groups.notifications.notices import (
    notices_for_nomination,
    notices_for_note,
    notification_deliver,
    notification_summary_send,
    notifications_never_tried,
    notifications_stuck,
    summary_users,
)
from groups.notifications.polls import poll_invites_record, poll_reminders_record, polls_close
from groups.notifications.sessions import (
    quorum_warnings_send,
    readiness_warnings_send,
    session_claims_stale,
    session_email_resend,
    session_notice_send,
    session_reminders_send,
)
from groups.notifications.versions import version_notices_record

logger = logging.getLogger(__name__)


class RecordedTask(DjangoTask):
    """A task queued after commit that is never lost when the broker is down.

    `delay_on_commit` queues it once the transaction commits, as DjangoTask's does; if the
    broker cannot take it then (Redis down: kombu gives up after its publish retries), the
    request does not fail (its work is committed) and the task is recorded as an `UnsentTask`
    row, which beat's `requeue_pending_notifications` sends once the broker is back. Only for
    tasks whose effects are claimed in the database, so that sending one twice is harmless.
    """

    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]  # celery-types says AsyncResult; Celery's own DjangoTask.delay_on_commit returns None
        transaction.on_commit(partial(self.send_or_record, args, kwargs))

    def send_or_record(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            self.apply_async(args=args, kwargs=kwargs)
        except (BrokerError, OSError) as exc:
            if self.app.conf.task_always_eager:
                raise  # in-process (the test suite): the task itself failed, not the broker
            logger.warning(
                "Could not queue %s%s, recorded to send later: %s", self.name, tuple(args), exc
            )
            UnsentTask.objects.create(
                name=self.name, args=list(args), kwargs=kwargs, error=repr(exc)
            )


def unsent_tasks_send() -> int:
    """Sends the recorded UnsentTasks, oldest first; returns how many went. Stops at the first
    the broker refuses (it is still down) and keeps that one and the rest."""
    sent = 0
    for unsent in UnsentTask.objects.order_by("created_at", "id"):
        deleted, _ = UnsentTask.objects.filter(pk=unsent.pk).delete()
        if not deleted:
            continue  # another requeue run has it
        try:
            current_app.tasks[unsent.name].apply_async(args=unsent.args, kwargs=unsent.kwargs)
        except (BrokerError, OSError):
            unsent.save(force_insert=True)
            logger.warning("The broker still refuses tasks: %s waits", unsent)
            break
        sent += 1
    return sent


@shared_task(
    name="groups.send_session_notice",
    base=RecordedTask,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    max_retries=5,
)
def send_session_notice(session_id: int, kind: str, sequence: int, actor_id: int | None) -> int:
    """Emails members a scheduled/changed/cancelled notice; a retry skips those already sent."""
    return session_notice_send(
        session_id=session_id, kind=kind, sequence=sequence, actor_id=actor_id
    )


@shared_task(
    name="groups.send_session_email",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    max_retries=5,
)
def send_session_email(session_id: int, user_id: int, kind: str, sequence: int) -> bool:
    """Sends again one session notice whose first send was cut off (its worker died)."""
    return session_email_resend(
        session_id=session_id, user_id=user_id, kind=kind, sequence=sequence
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


@shared_task(name="groups.send_digests", base=RecordedTask)
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


@shared_task(name="groups.send_group_notices", base=RecordedTask)
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


# --- New arXiv versions of papers groups discussed (issue 16, item 6) ----------------------


def version_notices_after_import(*, paper_ids: list[int], **_signal: object) -> None:
    """Receives papers' `paper_versions_rose` (inside the import's transaction): the groups
    that discussed those papers are told after the commit."""
    send_version_notices.delay_on_commit(list(paper_ids))


@shared_task(name="groups.send_version_notices", base=RecordedTask)
def send_version_notices(paper_ids: list[int]) -> int:
    """Tells the groups that discussed these papers of their new version (each group once per
    paper and version) and queues the immediate emails; returns how many."""
    return _send_notifications(version_notices_record(paper_ids=paper_ids))


# --- Time polls: invitations, the reminder to those who have not answered, closing ----------


def _send_notifications(ids: list[int]) -> int:
    """Queues the send of each recorded immediate notification; returns how many."""
    for notification_id in ids:
        _queue(send_notification, notification_id)
    return len(ids)


@shared_task(name="groups.send_poll_invites", base=RecordedTask)
def send_poll_invites(poll_id: int) -> int:
    """Records each invitee's invitation to a new time poll and queues the immediate emails."""
    return _send_notifications(poll_invites_record(poll_id=poll_id))


@shared_task(name="groups.send_poll_reminders")
def send_poll_reminders() -> int:
    """Beat, every few minutes: one reminder per poll to each invitee who has not answered."""
    return _send_notifications(poll_reminders_record())


@shared_task(name="groups.close_time_polls")
def close_time_polls() -> int:
    """Beat, every few minutes: closes polls at their deadline and tells the organizers."""
    return _send_notifications(polls_close())


@shared_task(name="groups.check_session_quorums")
def check_session_quorums() -> int:
    """Beat, every few minutes: warns organizers once of a session under quorum 48 h ahead."""
    return _send_notifications(quorum_warnings_send())


@shared_task(name="groups.check_session_readiness")
def check_session_readiness() -> int:
    """Beat, every few minutes: warns organizers once when, 24 h ahead, fewer than half of
    those going have read or skimmed the paper."""
    return _send_notifications(readiness_warnings_send())


@shared_task(name="groups.requeue_pending_notifications")
def requeue_pending_notifications() -> int:
    """Beat, every few minutes: whatever email work was lost on its way, queued again; returns
    how many tasks it queued.

    - tasks the broker could not take when they were queued (`UnsentTask` rows);
    - immediate notifications and digests that have waited longer than EMAIL_REQUEUE_AFTER
      without any task trying them (queueing their send failed);
    - notifications, digests and session emails claimed longer than EMAIL_CLAIM_TIMEOUT ago and
      still not sent: their worker died mid-send. The timeout is longer than the task time
      limit, so a worker still sending is never overtaken.

    Sends claim their row first, so a row whose first task was only slow, or that two runs
    queue, is still sent once.
    """
    now = timezone.now()
    queued = unsent_tasks_send()
    recorded_before = now - settings.EMAIL_REQUEUE_AFTER
    claimed_before = now - settings.EMAIL_CLAIM_TIMEOUT
    stuck_notifications, stuck_summaries = notifications_stuck(claimed_before=claimed_before)
    notifications = notifications_never_tried(recorded_before=recorded_before) + stuck_notifications
    digests = digests_never_tried(recorded_before=recorded_before) + digests_stuck(
        claimed_before=claimed_before
    )
    for notification_id in notifications:
        _queue(send_notification, notification_id)
    for digest_id in digests:
        _queue(send_digest, digest_id)
    for user_id in stuck_summaries:
        _queue(send_notification_summary, user_id)
    session_emails = session_claims_stale(claimed_before=claimed_before)
    for args in session_emails:
        try:
            send_session_email.apply_async(args=args)
        except Exception:
            logger.exception("Could not queue send_session_email%s", args)
    return queued + len(notifications) + len(digests) + len(stuck_summaries) + len(session_emails)
