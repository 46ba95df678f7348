from datetime import timedelta

import pytest
from django.core import mail
from icalendar import Calendar

from groups.discussions.services import session_cancel, session_update
from groups.notifications.tasks import send_session_notice
from tests.factories import DiscussionSessionFactory, RsvpFactory
from tests.groups.discussions.conftest import nominate
from tests.people import Cast

pytestmark = pytest.mark.django_db


def to(*users) -> list[str]:
    return sorted(u.email for u in users)


def sent_to() -> list[str]:
    return sorted(a for m in mail.outbox for a in m.to)


def test_it_tells_members_a_session_is_scheduled(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    nomination = nominate(cast.group, votes=2)
    data = {
        "nomination": nomination.pk,
        "date": "2099-05-04",
        "time": "18:00",
        "time_zone": "Europe/Berlin",
        "duration_minutes": 60,
        "place": "Room 1",
        "video_url": "",
        "presenter": cast.member.pk,
        "agenda": "Read section 3 & 4 <carefully>",
    }

    with django_capture_on_commit_callbacks(execute=True):
        cast.client("organizer").post(f"/g/{cast.group.slug}/sessions/new/", data)

    assert sent_to() == to(cast.owner, cast.member)  # not the organizer who scheduled it
    message = mail.outbox[0]
    assert message.subject.startswith(f"[Paper Club] {cast.group.name}: “")
    assert message.subject.endswith("” is scheduled")
    assert "Read section 3 & 4 <carefully>" in message.body  # plain text is not HTML-escaped
    html = message.alternatives[0].content
    assert "Read section 3 &amp; 4 &lt;carefully&gt;" in html
    (filename, content, mimetype) = message.attachments[0]
    assert (filename, mimetype) == ("session.ics", "text/calendar")
    (event,) = Calendar.from_ical(content).events
    assert (event.start.hour, str(event.start.tzinfo)) == (18, "Europe/Berlin")


def test_it_sends_a_notice_once_even_if_the_task_runs_twice(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group)

    first = send_session_notice.delay(session.pk, "scheduled", 0, None).get()
    second = send_session_notice.delay(session.pk, "scheduled", 0, None).get()

    assert (first, second) == (3, 0)
    assert sent_to() == to(cast.owner, cast.organizer, cast.member)


def test_it_skips_a_notice_overtaken_by_a_later_change(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group, sequence=2)

    assert send_session_notice.delay(session.pk, "changed", 1, None).get() == 0
    assert mail.outbox == []


def test_it_tells_members_about_a_change_but_not_about_an_agenda_edit(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    session = DiscussionSessionFactory(group=cast.group)
    values = {
        "starts_at": session.starts_at,
        "duration": session.duration,
        "place": session.place,
        "video_url": "",
        "presenter": None,
        "updated_by": cast.owner,
    }

    with django_capture_on_commit_callbacks(execute=True):
        session_update(session=session, agenda="Only the agenda", **values)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        session_update(session=session, agenda="", **{**values, "place": "Room 9"})
    assert sent_to() == to(cast.organizer, cast.member)
    assert "Room 9" in mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("[Paper Club] Changed: ")

    with django_capture_on_commit_callbacks(execute=True):
        session_update(
            session=session,
            agenda="",
            **{**values, "place": "Room 9", "starts_at": session.starts_at + timedelta(days=1)},
        )
    assert len(mail.outbox) == 4


def test_it_tells_members_a_session_is_cancelled(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    session = DiscussionSessionFactory(group=cast.group)
    RsvpFactory(session=session, user=cast.member, answer="not_going")
    RsvpFactory(session=session, user=cast.organizer, answer="going")

    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client("owner").post(
            f"/g/{cast.group.slug}/sessions/{session.pk}/cancel/", follow=True
        )

    assert "The session is cancelled." in response.content.decode()
    session.refresh_from_db()
    assert (session.status, session.sequence) == ("cancelled", 1)
    assert sent_to() == to(cast.organizer)
    assert mail.outbox[0].subject.startswith("[Paper Club] Cancelled: ")
    (event,) = Calendar.from_ical(mail.outbox[0].attachments[0][1]).events
    assert str(event["STATUS"]) == "CANCELLED"


def test_it_refuses_to_cancel_twice(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group)
    session_cancel(session=session, cancelled_by=cast.owner)

    response = cast.client("owner").post(
        f"/g/{cast.group.slug}/sessions/{session.pk}/cancel/", follow=True
    )

    assert "This session is already cancelled." in response.content.decode()
    session.refresh_from_db()
    assert session.sequence == 1
