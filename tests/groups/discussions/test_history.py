from datetime import timedelta

import pytest
from django.utils import timezone

from groups.discussions.services import past_sessions, upcoming_sessions
from groups.models import DiscussionSession
from groups.voting.services import last_discussed_at, last_discussions
from tests.factories import DiscussionSessionFactory, PaperFactory
from tests.groups.discussions.conftest import make_cast
from tests.people import Cast

pytestmark = pytest.mark.django_db


def test_it_marks_a_started_session_done(cast: Cast) -> None:
    session = DiscussionSessionFactory(
        group=cast.group, starts_at=timezone.now() - timedelta(hours=2)
    )

    response = cast.client("organizer").post(
        f"/g/{cast.group.slug}/sessions/{session.pk}/done/", follow=True
    )

    session.refresh_from_db()
    assert session.status == "done"
    assert "reading history" in response.content.decode()


def test_it_does_not_mark_a_future_session_done(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group)

    response = cast.client("owner").post(
        f"/g/{cast.group.slug}/sessions/{session.pk}/done/", follow=True
    )

    assert "once it has started" in response.content.decode()
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_it_lists_upcoming_and_past_sessions(cast: Cast) -> None:
    now = timezone.now()
    done = DiscussionSessionFactory(
        group=cast.group, starts_at=now - timedelta(days=14), status="done", presenter=cast.member
    )
    ended = DiscussionSessionFactory(group=cast.group, starts_at=now - timedelta(days=7))
    DiscussionSessionFactory(
        group=cast.group, starts_at=now - timedelta(days=3), status="cancelled"
    )
    running = DiscussionSessionFactory(group=cast.group, starts_at=now - timedelta(minutes=10))
    cancelled = DiscussionSessionFactory(
        group=cast.group, starts_at=now + timedelta(days=3), status="cancelled"
    )
    ahead = DiscussionSessionFactory(group=cast.group, starts_at=now + timedelta(days=5))

    assert list(upcoming_sessions(cast.group)) == [running, cancelled, ahead]
    assert list(past_sessions(cast.group)) == [ended, done]
    page = cast.client("anonymous").get(f"/g/{cast.group.slug}/sessions/").content.decode()
    assert f"/papers/p/{done.paper.arxiv_id}/" in page  # the reading history links the paper page
    assert "presented by Alice Member" in page
    assert (
        page.index(ahead.paper.title) < page.index("Reading history") < page.index(done.paper.title)
    )


def test_it_shows_empty_states(cast: Cast) -> None:
    as_member = cast.client("member").get(f"/g/{cast.group.slug}/sessions/").content.decode()
    as_owner = cast.client("owner").get(f"/g/{cast.group.slug}/sessions/").content.decode()

    assert "No session is planned yet." in as_member
    assert "Organizers schedule the paper that wins the vote" in as_member
    assert "Papers the group has discussed will be listed here." in as_member
    assert "Schedule the paper that won the vote." in as_owner


def test_it_says_when_a_paper_was_discussed(cast: Cast) -> None:
    paper = PaperFactory()
    day = (timezone.now() - timedelta(days=30)).replace(hour=23, minute=30)
    DiscussionSessionFactory(group=cast.group, paper=paper, starts_at=day, status="done")
    DiscussionSessionFactory(
        group=cast.group, paper=paper, starts_at=day + timedelta(days=20), status="cancelled"
    )
    DiscussionSessionFactory(
        group=make_cast().group, paper=paper, starts_at=day + timedelta(days=1)
    )

    assert last_discussed_at(group=cast.group, paper=paper) == day
    other = make_cast().group
    sessions = last_discussions(groups=[cast.group, other], paper=paper)
    assert {group_id: session.starts_at for group_id, session in sessions.items()} == {
        cast.group.pk: day
    }
    assert last_discussed_at(group=cast.group, paper=PaperFactory()) is None
    assert last_discussed_at(group=make_cast().group, paper=paper) is None


def test_it_counts_a_session_not_yet_marked_done_once_it_started(cast: Cast) -> None:
    paper = PaperFactory()
    DiscussionSessionFactory(group=cast.group, paper=paper)
    assert last_discussed_at(group=cast.group, paper=paper) is None

    DiscussionSession.objects.update(starts_at=timezone.now() - timedelta(days=1, hours=1))
    assert last_discussed_at(group=cast.group, paper=paper) is not None


def test_it_shows_the_sessions_list_under_the_group_s_tabs_with_sessions_current(
    cast: Cast,
) -> None:
    page = cast.client("member").get(f"/g/{cast.group.slug}/sessions/").content.decode()
    tabs = page.split('<nav class="tabs" aria-label="Group">')[1].split("</nav>")[0]
    assert f'<a href="/g/{cast.group.slug}/sessions/" aria-current="page">Sessions</a>' in tabs
    assert tabs.count("aria-current") == 1
