"""Celery tasks for sessions. They take ids and call one function in groups.notifications."""

from smtplib import SMTPException

from celery import shared_task

from groups.notifications import session_notice_send, session_reminders_send


@shared_task(
    name="groups.send_session_notice",
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
