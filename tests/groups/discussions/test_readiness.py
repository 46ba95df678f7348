"""Readiness check-in: attendees (going or maybe) say read / skimmed / not yet before a session;
the session page and the organizers' reminder show the counts; 24 h ahead, when fewer than half
of those going have read or skimmed, the organizers are warned once (email and a banner)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from groups.models import DiscussionSession, Readiness, ReadinessWarning, Rsvp
from groups.notifications.tasks import check_session_readiness, send_session_reminders
from tests.concurrency import at_once, postgres_threads
from tests.factories import DiscussionSessionFactory, RsvpFactory, UserFactory
from tests.groups.discussions.conftest import make_cast
from tests.people import Cast

pytestmark = pytest.mark.django_db


def url(session: DiscussionSession, tail: str = "") -> str:
    return f"/g/{session.group.slug}/sessions/{session.pk}/{tail}"


def going(cast: Cast, hours: float = 20) -> DiscussionSession:
    """A session `hours` ahead: the member and the organizer going, the owner maybe."""
    session = DiscussionSessionFactory(
        group=cast.group, starts_at=timezone.now() + timedelta(hours=hours)
    )
    RsvpFactory(session=session, user=cast.member, answer="going")
    RsvpFactory(session=session, user=cast.organizer, answer="going")
    RsvpFactory(session=session, user=cast.owner, answer="maybe")
    return session


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# --- Checking in ---------------------------------------------------------------------------


def test_it_records_one_check_in_per_person_and_changes_it(cast: Cast) -> None:
    session = going(cast)
    client = cast.client("member")

    first = client.post(url(session, "readiness/"), {"state": "skimmed"})
    second = client.post(url(session, "readiness/"), {"state": "read"})

    assert (first.status_code, second.status_code) == (302, 302)
    assert list(Readiness.objects.values_list("user", "state")) == [(cast.member.pk, "read")]
    page = client.get(url(session)).content.decode()
    assert '<strong data-count="read">1</strong> read' in page
    assert '<strong data-count="not_yet">0</strong> not yet' in page
    assert '<span data-count="unanswered">2</span> no answer' in page


def test_the_database_holds_one_check_in_per_person(cast: Cast) -> None:
    session = going(cast)
    Readiness.objects.create(session=session, user=cast.member, state="read")

    with pytest.raises(IntegrityError), transaction.atomic():
        Readiness.objects.create(session=session, user=cast.member, state="not_yet")
    with pytest.raises(IntegrityError), transaction.atomic():
        Readiness.objects.create(session=session, user=cast.owner, state="maybe-ish")


@pytest.mark.parametrize("answer", [None, "not_going"])
def test_it_is_only_for_those_coming(cast: Cast, answer: str | None) -> None:
    session = going(cast)
    Rsvp.objects.filter(session=session, user=cast.member).delete()
    if answer:
        RsvpFactory(session=session, user=cast.member, answer=answer)

    response = cast.client("member").post(url(session, "readiness/"), {"state": "read"})
    page = cast.client("member").get(url(session)).content.decode()

    assert response.status_code == 302
    assert not Readiness.objects.exists()
    assert "Answer going or maybe to check in." in page


def test_it_closes_at_the_start_and_refuses_nonsense(cast: Cast) -> None:
    session = going(cast, hours=-0.5)
    fresh = going(cast)

    started = cast.client("member").post(url(session, "readiness/"), {"state": "read"})
    nonsense = cast.client("member").post(url(fresh, "readiness/"), {"state": "all of it"})

    assert started.status_code == nonsense.status_code == 302
    assert not Readiness.objects.exists()


def test_a_changed_answer_leaves_the_counts(cast: Cast) -> None:
    session = going(cast)
    cast.client("member").post(url(session, "readiness/"), {"state": "read"})
    Rsvp.objects.filter(session=session, user=cast.member).update(answer="not_going")

    assert Readiness.objects.counts(session) == {"read": 0, "skimmed": 0, "not_yet": 0}


def test_htmx_gets_the_box_with_the_counts(cast: Cast) -> None:
    session = going(cast)

    response = cast.client("member").post(
        url(session, "readiness/"), {"state": "not_yet"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card readiness-box" id="readiness-box"')
    assert '<strong data-count="not_yet">1</strong> not yet' in html
    assert 'value="not_yet" class="choice chosen"' in html


def test_htmx_refusal_says_why_in_the_box(cast: Cast) -> None:
    session = going(cast)
    Rsvp.objects.filter(session=session, user=cast.member).update(answer="not_going")

    response = cast.client("member").post(
        url(session, "readiness/"), {"state": "read"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "Answer going or maybe first" in response.content.decode()
    assert not Readiness.objects.exists()


def test_the_rsvp_box_on_the_session_page_brings_the_check_in_along(cast: Cast) -> None:
    session = going(cast)
    Rsvp.objects.filter(session=session, user=cast.member).delete()

    response = cast.client("member").post(
        url(session, "rsvp/"),
        {"answer": "going", "with": "readiness"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert (
        'id="readiness-box" aria-labelledby="readiness-box-title" aria-live="polite" hx-swap-oob="outerHTML"'
        in html
    )
    assert "Where are you with it?" in html


@pytest.mark.parametrize(
    ("role", "visibility", "status"),
    [
        ("anonymous", "public", 302),
        ("outsider", "public", 403),
        ("anonymous", "private", 404),
        ("outsider", "private", 404),
        ("staff", "private", 404),
    ],
)
def test_only_members_check_in(role: str, visibility: str, status: int) -> None:
    cast = make_cast(visibility=visibility)
    session = going(cast)

    response = cast.client(role).post(url(session, "readiness/"), {"state": "read"})

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")
    assert not Readiness.objects.exists()


def test_it_refuses_get(cast: Cast) -> None:
    session = going(cast)

    assert cast.client("member").get(url(session, "readiness/")).status_code == 405


# --- The warning and the reminder ---------------------------------------------------------


def test_it_warns_the_organizers_once_when_few_have_read(cast: Cast) -> None:
    session = going(cast)
    Readiness.objects.create(session=session, user=cast.member, state="not_yet")
    Readiness.objects.create(session=session, user=cast.owner, state="read")  # maybe: not counted

    first = check_session_readiness.delay().get()
    second = check_session_readiness.delay().get()

    assert (first, second) == (2, 0)
    assert recipients() == sorted([cast.owner.email, cast.organizer.email])
    assert "Few have read it yet" in mail.outbox[0].subject
    assert "0 of the 2 going have read or skimmed" in mail.outbox[0].body
    warning = ReadinessWarning.objects.get()
    assert (warning.session, warning.going, warning.ready) == (session, 2, 0)


@pytest.mark.parametrize(
    ("ready", "hours", "warned"),
    [
        (1, 20, False),  # one of two going skimmed: half
        (0, 30, False),  # more than 24 h ahead: not yet
        (0, -1, False),  # started
        (0, 20, True),
    ],
)
def test_it_warns_only_under_half_within_24_hours(
    cast: Cast, ready: int, hours: float, warned: bool
) -> None:
    session = going(cast, hours=hours)
    if ready:
        Readiness.objects.create(session=session, user=cast.member, state="skimmed")

    check_session_readiness.delay().get()

    assert ReadinessWarning.objects.exists() is warned
    assert bool(mail.outbox) is warned


def test_nobody_going_is_no_readiness_warning(cast: Cast) -> None:
    session = going(cast)
    Rsvp.objects.filter(session=session).update(answer="maybe")

    assert check_session_readiness.delay().get() == 0


def test_it_warns_again_only_when_the_session_moves(cast: Cast) -> None:
    session = going(cast)
    check_session_readiness.delay().get()
    check_session_readiness.delay().get()

    DiscussionSession.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at + timedelta(hours=1)
    )
    check_session_readiness.delay().get()

    assert ReadinessWarning.objects.count() == 2
    assert len(mail.outbox) == 4


def test_it_shows_the_banner_to_organizers_only(cast: Cast) -> None:
    session = going(cast)
    before = cast.client("organizer").get(url(session)).content.decode()
    check_session_readiness.delay().get()

    organizer = cast.client("organizer").get(url(session)).content.decode()
    member = cast.client("member").get(url(session)).content.decode()

    assert "Few have read it yet" not in before
    assert "Few have read it yet" in organizer
    assert "<strong>0</strong> of the <strong>2</strong> going" in organizer
    assert "Few have read it yet" not in member


@postgres_threads
def test_it_warns_once_when_beat_runs_on_several_workers_at_once() -> None:
    cast = make_cast()
    going(cast)

    counts, errors = at_once([check_session_readiness] * 6)

    assert errors == []
    assert sum(counts) == 2
    assert ReadinessWarning.objects.count() == 1
    assert recipients() == sorted([cast.owner.email, cast.organizer.email])


def test_the_organizers_reminder_shows_the_counts(cast: Cast) -> None:
    session = going(cast, hours=3)
    Readiness.objects.create(session=session, user=cast.member, state="skimmed")
    Readiness.objects.create(session=session, user=cast.owner, state="read")

    send_session_reminders.delay().get()

    by_address = {message.to[0]: message for message in mail.outbox}
    line = "Readiness of the 3 going or maybe: 1 read, 1 skimmed, 0 not yet."
    assert line in by_address[cast.organizer.email].body
    assert line in by_address[cast.owner.email].body
    assert "Readiness" not in by_address[cast.member.email].body
    html = by_address[cast.organizer.email].alternatives[0][0]
    assert "<strong>Readiness</strong> of the 3 going or maybe: 1 read, 1 skimmed" in html


# --- Query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("attendees", [2, 200])
def test_it_pins_the_session_page_and_the_htmx_check_in(
    cast: Cast, django_assert_num_queries, attendees: int
) -> None:
    session = going(cast)
    people = UserFactory.create_batch(attendees)
    Rsvp.objects.bulk_create(Rsvp(session=session, user=user, answer="going") for user in people)
    Readiness.objects.bulk_create(
        Readiness(session=session, user=user, state="read") for user in people[::2]
    )
    client = cast.client("member")

    # the session row and user, the membership, the session and its answers, the readiness
    # counts, the member's own check-in, the agenda, the number of questions, the time poll it
    # came from (none here)
    with django_assert_num_queries(10):
        page = client.get(url(session))
    # the session row and user, the membership, the session; the service's lock, answer check
    # and update_or_create (a lookup and an insert, with their savepoints); then the box's
    # session, answers, counts and check-in
    with django_assert_num_queries(18):
        box = client.post(
            url(session, "readiness/"), {"state": "read"}, headers={"HX-Request": "true"}
        )

    assert f'<strong data-count="read">{len(people[::2])}</strong> read' in page.content.decode()
    assert f'<strong data-count="read">{len(people[::2]) + 1}</strong>' in box.content.decode()
