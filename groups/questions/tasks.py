"""The question board's one periodic task (not email, so not in groups.notifications.tasks)."""

from celery import shared_task

from groups.questions.services import agenda_threads_open_due


@shared_task(name="groups.open_agenda_threads")
def open_agenda_threads() -> int:
    """Beat, every few minutes: the agenda questions of sessions that have started get their
    threads (root notes on the session's notes); returns how many were opened."""
    return agenda_threads_open_due()
