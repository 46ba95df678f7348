"""Beat's time poll tasks: closing at the deadline, and the one reminder to those who have not
answered; each sends once however often it runs."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from groups.discussions.polls import poll_answer_set
from groups.models import GroupEmailSettings, Notification, TimePoll
from groups.notifications.tasks import close_time_polls, send_poll_invites, send_poll_reminders
from tests.concurrency import at_once, postgres_threads
from tests.groups.discussions.conftest import make_cast, nominate
from tests.groups.discussions.polls import ahead, make_poll, supported
from tests.people import Cast

pytestmark = pytest.mark.django_db


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def near_deadline(cast: Cast) -> TimePoll:
    """A poll opened two days ago whose answers close in 12 hours; the member and the owner are
    asked, the member has answered."""
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member, cast.owner))
    TimePoll.objects.filter(pk=poll.pk).update(
        created_at=timezone.now() - timedelta(days=2), deadline=timezone.now() + timedelta(hours=12)
    )
    poll.refresh_from_db()
    poll_answer_set(poll=poll, slot=poll.slots.first(), user=cast.member, answer="yes")
    return poll


def test_it_invites_once_when_the_task_runs_twice(cast: Cast) -> None:
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member))

    first = send_poll_invites.delay(poll.pk).get()
    second = send_poll_invites.delay(poll.pk).get()

    assert (first, second) == (1, 0)
    assert recipients() == [cast.member.email]
    message = mail.outbox[0]
    assert "When can you come?" in message.subject
    assert "Answer by" in message.body


def test_it_leaves_out_invitees_who_switched_session_email_off(cast: Cast) -> None:
    GroupEmailSettings.objects.create(user=cast.member, group=cast.group, sessions=False)
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member, cast.owner))

    send_poll_invites.delay(poll.pk).get()

    assert recipients() == [cast.owner.email]


def test_it_reminds_only_those_who_have_not_answered_once(cast: Cast) -> None:
    near_deadline(cast)

    first = send_poll_reminders.delay().get()
    second = send_poll_reminders.delay().get()

    assert (first, second) == (1, 0)
    assert recipients() == [cast.owner.email]
    assert mail.outbox[0].subject.startswith("[Paper Club]")
    assert "Reminder: when can you come?" in mail.outbox[0].subject


def test_it_does_not_remind_a_poll_just_opened_with_a_short_deadline(cast: Cast) -> None:
    make_poll(
        cast,
        supported(cast, nominate(cast.group), cast.owner),
        deadline=timezone.now() + timedelta(hours=6),
    )

    assert send_poll_reminders.delay().get() == 0
    assert mail.outbox == []


def test_it_closes_at_the_deadline_and_tells_the_organizers_once(cast: Cast) -> None:
    poll = near_deadline(cast)
    TimePoll.objects.filter(pk=poll.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    still_open = make_poll(cast, supported(cast, nominate(cast.group), cast.member))

    first = close_time_polls.delay().get()
    second = close_time_polls.delay().get()

    assert (first, second) == (2, 0)
    assert recipients() == sorted([cast.owner.email, cast.organizer.email])
    assert "pick a time" in mail.outbox[0].subject
    poll.refresh_from_db()
    still_open.refresh_from_db()
    assert (poll.status, still_open.status) == ("closed", "open")
    assert poll.closed_at is not None
    # Closed: the page says so and takes no answers; organizers can still pick.
    body = cast.client("owner").get(f"/g/{cast.group.slug}/polls/{poll.pk}/").content.decode()
    assert "Time poll · closed" in body and "Schedule the session at this time" in body
    assert "If need be</button>" not in body


def test_the_beat_schedule_runs_both_tasks(settings) -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {"groups.close_time_polls", "groups.send_poll_reminders"} <= tasks


@postgres_threads
def test_it_reminds_once_when_beat_runs_on_several_workers_at_once() -> None:
    cast = make_cast()
    near_deadline(cast)
    mail.outbox.clear()  # the invitations (sent on commit here)

    counts, errors = at_once([send_poll_reminders] * 6)

    assert errors == []
    assert sum(counts) == 1
    assert Notification.objects.filter(key__startswith="poll_reminder:").count() == 1
    assert recipients() == [cast.owner.email]


@postgres_threads
def test_it_closes_once_when_beat_runs_on_several_workers_at_once() -> None:
    cast = make_cast()
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member))
    TimePoll.objects.filter(pk=poll.pk).update(deadline=ahead(-1))
    mail.outbox.clear()  # the invitations (sent on commit here)

    counts, errors = at_once([close_time_polls] * 6)

    assert errors == []
    assert sum(counts) == 2  # the owner and the organizer, once each
    assert recipients() == sorted([cast.owner.email, cast.organizer.email])
