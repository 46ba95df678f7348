"""Quorum: a session under its group's quorum 48 h ahead warns the organizers once (email and a
banner), with a one-click move to the poll's next-best time when it came from a poll."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from groups.discussions.polls import poll_answer_set, poll_pick
from groups.models import DiscussionSession, QuorumWarning, ReadingGroup, SessionEmail
from groups.notifications.tasks import check_session_quorums
from tests.concurrency import at_once, postgres_threads
from tests.factories import DiscussionSessionFactory, RsvpFactory
from tests.groups.discussions.conftest import make_cast, nominate
from tests.groups.discussions.polls import make_poll, supported
from tests.people import Cast

pytestmark = pytest.mark.django_db


def with_quorum(cast: Cast, quorum: int | None = 4) -> None:
    ReadingGroup.objects.filter(pk=cast.group.pk).update(quorum=quorum)
    cast.group.refresh_from_db()


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def soon(cast: Cast, hours: float = 30) -> DiscussionSession:
    """A session 30 h ahead with one going and one maybe (two, under a quorum of four)."""
    session = DiscussionSessionFactory(
        group=cast.group, starts_at=timezone.now() + timedelta(hours=hours)
    )
    RsvpFactory(session=session, user=cast.member, answer="going")
    RsvpFactory(session=session, user=cast.owner, answer="maybe")
    RsvpFactory(session=session, user=cast.organizer, answer="not_going")
    return session


def test_it_warns_the_organizers_once(cast: Cast) -> None:
    with_quorum(cast)
    session = soon(cast)

    first = check_session_quorums.delay().get()
    second = check_session_quorums.delay().get()

    assert (first, second) == (2, 0)
    assert recipients() == sorted([cast.owner.email, cast.organizer.email])
    assert "Under quorum" in mail.outbox[0].subject
    assert "2 going or maybe, the group's quorum is 4" in mail.outbox[0].body
    warning = QuorumWarning.objects.get()
    assert (warning.session, warning.attending, warning.quorum) == (session, 2, 4)


@pytest.mark.parametrize(
    ("quorum", "hours", "warned"),
    [
        (None, 30, False),  # no quorum set
        (2, 30, False),  # two going or maybe: at quorum
        (3, 30, True),
        (4, 60, False),  # more than 48 h ahead: not yet
        (4, -1, False),  # started
    ],
)
def test_it_warns_only_under_quorum_within_48_hours(
    cast: Cast, quorum: int | None, hours: float, warned: bool
) -> None:
    with_quorum(cast, quorum)
    soon(cast, hours=hours)

    check_session_quorums.delay().get()

    assert QuorumWarning.objects.exists() is warned
    assert bool(mail.outbox) is warned


def test_it_does_not_warn_about_a_cancelled_session(cast: Cast) -> None:
    with_quorum(cast)
    session = soon(cast)
    DiscussionSession.objects.filter(pk=session.pk).update(status="cancelled")

    assert check_session_quorums.delay().get() == 0


def test_it_warns_again_only_when_the_session_moves(cast: Cast) -> None:
    with_quorum(cast)
    session = soon(cast)
    check_session_quorums.delay().get()

    DiscussionSession.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at + timedelta(hours=2)
    )
    check_session_quorums.delay().get()

    assert QuorumWarning.objects.count() == 2
    assert len(mail.outbox) == 4


def test_it_shows_the_banner_to_organizers_only(cast: Cast) -> None:
    with_quorum(cast)
    session = soon(cast)
    url = f"/g/{cast.group.slug}/sessions/{session.pk}/"
    before = cast.client("organizer").get(url).content.decode()
    check_session_quorums.delay().get()

    organizer = cast.client("organizer").get(url).content.decode()
    member = cast.client("member").get(url).content.decode()

    assert "Under quorum" not in before
    assert "Under quorum" in organizer and "quorum is <strong>4</strong>" in organizer
    assert "Move to the next-best time" not in organizer  # not from a poll
    assert "Under quorum" not in member


def test_the_settings_take_a_quorum(cast: Cast) -> None:
    data = {
        "name": cast.group.name,
        "description": "",
        "visibility": "public",
        "join_policy": "open",
        "time_zone": "Europe/Berlin",
        "quorum": "4",
        "ballot_method": "approval",
    }

    ok = cast.client("organizer").post(f"/g/{cast.group.slug}/settings/", data)
    refused = cast.client("organizer").post(
        f"/g/{cast.group.slug}/settings/", data | {"quorum": "-1"}
    )

    assert ok.status_code == 302 and refused.status_code == 400
    cast.group.refresh_from_db()
    assert cast.group.quorum == 4


def from_poll(cast: Cast) -> tuple[DiscussionSession, list]:
    """A session picked from a poll's first time (30 h ahead); the third time is next-best."""
    with_quorum(cast)
    nomination = supported(cast, nominate(cast.group), cast.member, cast.owner)
    poll = make_poll(cast, nomination, deadline=timezone.now() + timedelta(hours=1))
    slots = list(poll.slots.all())
    type(slots[0]).objects.filter(pk=slots[0].pk).update(
        starts_at=timezone.now() + timedelta(hours=30)
    )
    slots[0].refresh_from_db()
    for slot, value in zip(slots, ["yes", "maybe", "yes"], strict=True):
        poll_answer_set(poll=poll, slot=slot, user=cast.member, answer=value)
    poll_answer_set(poll=poll, slot=slots[2], user=cast.owner, answer="yes")
    session = poll_pick(poll=poll, slot=slots[0], picked_by=cast.organizer)
    RsvpFactory(session=session, user=cast.member, answer="going")
    return session, slots


def test_it_moves_a_poll_session_to_the_next_best_time_in_one_click(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    session, slots = from_poll(cast)
    check_session_quorums.delay().get()
    url = f"/g/{cast.group.slug}/sessions/{session.pk}/"
    page = cast.client("organizer").get(url).content.decode()
    assert "Move to the next-best time" in page
    assert f'name="slot" value="{slots[2].pk}"' in page
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = cast.client("organizer").post(f"{url}move/", {"slot": slots[2].pk})
    second = cast.client("organizer").post(f"{url}move/", {"slot": slots[2].pk})  # double click

    session.refresh_from_db()
    assert first.status_code == second.status_code == 302
    assert session.starts_at == slots[2].starts_at
    assert session.sequence == 1  # moved once
    assert session.time_poll.picked_slot == slots[2]
    # Members hear of the change; the banner is gone (it was for the old start).
    assert SessionEmail.objects.filter(session=session, kind="changed").count() == 2
    assert "Under quorum" not in cast.client("organizer").get(url).content.decode()


def test_it_refuses_a_move_by_a_member_or_to_another_polls_time(cast: Cast) -> None:
    session, slots = from_poll(cast)
    other = make_poll(cast, supported(cast, nominate(cast.group), cast.member))
    url = f"/g/{cast.group.slug}/sessions/{session.pk}/move/"

    member = cast.client("member").post(url, {"slot": slots[2].pk})
    outsider = cast.client("outsider").post(url, {"slot": slots[2].pk})
    foreign = cast.client("organizer").post(url, {"slot": other.slots.first().pk})
    get = cast.client("organizer").get(url)

    assert (member.status_code, outsider.status_code, get.status_code) == (403, 403, 405)
    assert foreign.status_code == 302
    session.refresh_from_db()
    assert (session.starts_at, session.sequence) == (slots[0].starts_at, 0)


@postgres_threads
def test_it_warns_once_when_beat_runs_on_several_workers_at_once() -> None:
    cast = make_cast()
    with_quorum(cast)
    soon(cast)

    counts, errors = at_once([check_session_quorums] * 6)

    assert errors == []
    assert sum(counts) == 2
    assert QuorumWarning.objects.count() == 1
    assert recipients() == sorted([cast.owner.email, cast.organizer.email])


@pytest.mark.parametrize("slots", [2, 8])
def test_it_pins_the_session_page_with_the_banner_and_the_next_best_time(
    cast: Cast, django_assert_num_queries, slots: int
) -> None:
    with_quorum(cast)
    nomination = supported(cast, nominate(cast.group), cast.member, cast.owner)
    poll = make_poll(cast, nomination, slots=slots, deadline=timezone.now() + timedelta(hours=1))
    first = poll.slots.first()
    type(first).objects.filter(pk=first.pk).update(starts_at=timezone.now() + timedelta(hours=30))
    first.refresh_from_db()
    session = poll_pick(poll=poll, slot=first, picked_by=cast.organizer)
    check_session_quorums.delay().get()
    client = cast.client("organizer")

    # the session page's ten (test_query_counts; the poll's id among them), the warning, and
    # the poll page's four reads
    with django_assert_num_queries(15):
        response = client.get(f"/g/{cast.group.slug}/sessions/{session.pk}/")

    assert response.context["quorum_warning"] is not None
    assert response.context["next_best"] is not None
