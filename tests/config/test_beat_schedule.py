"""Beat's schedule names tasks by string: a typo or a renamed task only shows up as a worker error
at the scheduled hour, so the schedule is pinned here against the tasks Celery registers."""

from celery.schedules import crontab
from django.conf import settings

from config.celery import app

EXPECTED_TASKS = {
    "send-session-reminders": "groups.send_session_reminders",
    "papers-import-daily": "papers.import_daily_catch_up",
    "papers-search-index": "papers.search_index_fill",
    "send-digests": "groups.send_digests",
    "send-notification-summaries": "groups.send_notification_summaries",
    "requeue-pending-notifications": "groups.requeue_pending_notifications",
    "check-session-quorums": "groups.check_session_quorums",
    "check-session-readiness": "groups.check_session_readiness",
    "open-agenda-threads": "groups.open_agenda_threads",
    "close-time-polls": "groups.close_time_polls",
    "send-poll-reminders": "groups.send_poll_reminders",
}


def test_it_schedules_the_expected_entries_and_tasks() -> None:
    scheduled = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
    assert scheduled == EXPECTED_TASKS


def test_it_names_only_registered_tasks() -> None:
    # What a worker does at start: import every installed app's tasks module.
    app.autodiscover_tasks(force=True)
    unregistered = {
        name: entry["task"]
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["task"] not in app.tasks
    }
    assert unregistered == {}


def test_it_gives_every_entry_a_crontab_and_only_known_keys() -> None:
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert isinstance(entry["schedule"], crontab), name
        assert set(entry) <= {"task", "schedule", "options"}, name


def test_it_sends_reminders_at_the_configured_interval_and_expires_stale_runs() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["send-session-reminders"]
    every = settings.SESSION_REMINDER_EVERY_MINUTES
    assert entry["schedule"] == crontab(minute=f"*/{every}")
    assert entry["options"] == {"expires": every * 60}


def test_it_sends_notification_summaries_at_the_configured_hour() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["send-notification-summaries"]
    assert entry["schedule"] == crontab(minute=0, hour=settings.NOTIFICATION_SUMMARY_HOUR)


def test_it_requeues_lost_email_every_five_minutes_and_expires_stale_runs() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-pending-notifications"]
    assert entry["schedule"] == crontab(minute="*/5")
    assert entry["options"] == {"expires": 5 * 60}
