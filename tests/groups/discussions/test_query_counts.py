"""The session list and the feed cost the same number of queries for 3 sessions as for 300."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.discussions.services import calendar_token_for
from groups.models import DiscussionSession, Rsvp
from tests.factories import PaperFactory
from tests.groups.discussions.conftest import make_cast
from tests.people import Cast

pytestmark = pytest.mark.django_db


def fill(cast: Cast, count: int) -> None:
    """Half past (done, with a presenter), half ahead; everyone answers the ones ahead."""
    now = timezone.now()
    papers = PaperFactory.create_batch(count)
    sessions = DiscussionSession.objects.bulk_create(
        DiscussionSession(
            group=cast.group,
            paper=paper,
            starts_at=now + timedelta(days=i - count // 2, hours=1),
            duration=timedelta(hours=1),
            presenter=cast.member,
            status="done" if i < count // 2 else "scheduled",
        )
        for i, paper in enumerate(papers)
    )
    Rsvp.objects.bulk_create(
        Rsvp(session=session, user=user, answer=answer)
        for session in sessions
        if session.status == "scheduled"
        for user, answer in [(cast.owner, "going"), (cast.member, "maybe")]
    )


@pytest.mark.parametrize("count", [3, 300])
@pytest.mark.parametrize(
    ("visibility", "role", "queries"),
    [
        # session + user, the membership with its group, the active time polls, upcoming, past
        # (+ the token for private groups); a visitor's page reads the group instead, no polls
        ("public", "member", 6),
        ("private", "member", 7),
        ("public", "anonymous", 3),
    ],
)
def test_it_pins_the_session_list(
    django_assert_num_queries, count: int, visibility: str, role: str, queries: int
) -> None:
    cast = make_cast(visibility=visibility)
    fill(cast, count)
    client = cast.client(role)
    if visibility == "private":
        calendar_token_for(group=cast.group, user=cast.member)

    with django_assert_num_queries(queries):
        response = client.get(f"/g/{cast.group.slug}/sessions/")

    assert response.status_code == 200
    assert len(response.context["upcoming"]) + len(response.context["past"]) == count


@pytest.mark.parametrize("count", [3, 300])
def test_it_pins_the_public_feed(django_assert_num_queries, count: int) -> None:
    cast = make_cast()
    fill(cast, count)
    client = cast.client("anonymous")

    with django_assert_num_queries(2):  # the group, the sessions with paper and presenter
        response = client.get(f"/g/{cast.group.slug}/calendar.ics")

    assert response.content.count(b"BEGIN:VEVENT") == count


@pytest.mark.parametrize("count", [3, 300])
def test_it_pins_the_token_feed(django_assert_num_queries, count: int) -> None:
    cast = make_cast(visibility="private")
    fill(cast, count)
    token = calendar_token_for(group=cast.group, user=cast.member).token
    client = cast.client("anonymous")

    with django_assert_num_queries(3):  # the token with its group, the membership, the sessions
        response = client.get(f"/g/{cast.group.slug}/calendar/{token}.ics")

    assert response.content.count(b"BEGIN:VEVENT") == count


@pytest.mark.parametrize("count", [3, 300])
def test_it_pins_the_session_page_and_the_htmx_rsvp(django_assert_num_queries, count: int) -> None:
    cast = make_cast()
    fill(cast, 2)
    session = DiscussionSession.objects.filter(status="scheduled").first()
    Rsvp.objects.bulk_create(
        Rsvp(session=session, user=user, answer="going")
        for user in [make_cast().member for _ in range(count // 3)]
    )
    client = cast.client("organizer")

    # session + user, the membership with its group, the session, its answers with their people;
    # the readiness counts, the agenda, the number of questions, the readiness warning (organizer),
    # the time poll it came from (none here)
    with django_assert_num_queries(10):
        client.get(f"/g/{cast.group.slug}/sessions/{session.pk}/")
    # session + user, the membership with its group, the session; the service's lock, lookup and
    # insert (with their savepoints); then the box's session and answers again.
    with django_assert_num_queries(15):
        response = client.post(
            f"/g/{cast.group.slug}/sessions/{session.pk}/rsvp/",
            {"answer": "maybe"},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
