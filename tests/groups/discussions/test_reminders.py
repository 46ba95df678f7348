from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from groups.discussions.services import session_update
from groups.models import SessionEmail
from groups.notifications.sessions import session_reminders_send
from groups.notifications.tasks import send_session_reminders
from tests.concurrency import at_once, postgres_threads
from tests.factories import DiscussionSessionFactory, RsvpFactory
from tests.groups.discussions.conftest import make_cast
from tests.people import Cast

pytestmark = pytest.mark.django_db


def soon_session(cast: Cast, hours: float = 3):
    """A session inside the reminder lead with one going, one maybe and one not going."""
    session = DiscussionSessionFactory(
        group=cast.group, starts_at=timezone.now() + timedelta(hours=hours)
    )
    RsvpFactory(session=session, user=cast.owner, answer="going")
    RsvpFactory(session=session, user=cast.organizer, answer="maybe")
    RsvpFactory(session=session, user=cast.member, answer="not_going")
    return session


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_it_reminds_going_and_maybe_once_when_run_twice(cast: Cast) -> None:
    session = soon_session(cast)

    first = send_session_reminders.delay().get()
    second = send_session_reminders.delay().get()

    assert (first, second) == (2, 0)
    assert recipients() == sorted([cast.owner.email, cast.organizer.email])
    message = mail.outbox[0]
    assert message.subject.startswith("[Paper Club] Reminder: ")
    assert session.paper.title in message.body
    assert f"/g/{cast.group.slug}/sessions/{session.pk}/" in message.body
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Open the session" in html
    assert SessionEmail.objects.filter(kind="reminder", sent_at__isnull=False).count() == 2


def test_it_waits_until_the_lead_time(cast: Cast, settings) -> None:
    settings.SESSION_REMINDER_LEAD = timedelta(hours=24)
    soon_session(cast, hours=30)

    assert session_reminders_send() == 0
    assert session_reminders_send(now=timezone.now() + timedelta(hours=7)) == 2
    assert session_reminders_send(now=timezone.now() + timedelta(hours=31)) == 0  # started


def test_it_skips_cancelled_sessions_and_former_members(cast: Cast) -> None:
    soon_session(cast)
    cancelled = soon_session(make_cast())
    cancelled.status = "cancelled"
    cancelled.save(update_fields=["status"])
    cast.group.memberships.filter(user=cast.organizer).delete()

    session_reminders_send()

    assert recipients() == [cast.owner.email]


def test_it_shows_the_time_in_each_recipients_zone(cast: Cast) -> None:
    session = soon_session(cast)
    cast.owner.time_zone = "Asia/Tokyo"
    cast.owner.save(update_fields=["time_zone"])

    session_reminders_send()

    to_owner = next(m for m in mail.outbox if m.to == [cast.owner.email])
    local = timezone.localtime(session.starts_at, timezone.get_fixed_timezone(9 * 60))
    assert f"{local:%H:%M}" in to_owner.body
    assert "JST" in to_owner.body
    assert "in Europe/Berlin" in to_owner.body


def test_it_rearms_the_reminder_when_the_session_is_rescheduled(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    session = soon_session(cast)
    session_reminders_send()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        session_update(
            session=session,
            starts_at=session.starts_at + timedelta(hours=2),
            duration=session.duration,
            place=session.place,
            video_url=session.video_url,
            presenter=None,
            agenda="",
            updated_by=cast.organizer,
        )
    changes = [m for m in mail.outbox if m.subject.startswith("[Paper Club] Changed:")]
    mail.outbox.clear()
    session_reminders_send()

    assert sorted(a for m in changes for a in m.to) == sorted([cast.owner.email, cast.member.email])
    assert recipients() == sorted([cast.owner.email, cast.organizer.email])


def test_it_frees_the_claim_when_sending_fails(cast: Cast, settings) -> None:
    soon_session(cast)
    settings.MAILERS = {"default": {"BACKEND": "tests.groups.discussions.failing_mail.Backend"}}

    assert session_reminders_send() == 0
    assert not SessionEmail.objects.exists()

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert session_reminders_send() == 2


@postgres_threads
def test_it_reminds_once_when_two_workers_run_at_once() -> None:
    casts = [make_cast() for _ in range(3)]
    for cast in casts:
        soon_session(cast)

    counts, errors = at_once([session_reminders_send] * 4)
    assert errors == []
    expected = sorted(email for c in casts for email in (c.owner.email, c.organizer.email))
    assert sum(counts) == 6
    assert recipients() == expected
    assert SessionEmail.objects.filter(kind="reminder").count() == 6
