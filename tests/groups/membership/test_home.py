"""The signed-in home page: the person's groups (what is on each ballot, the next session), then the
latest papers under their real date. Signed-out visitors get the intro and the papers."""

import datetime as dt
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from groups.models import Nomination
from tests.factories import (
    DiscussionSessionFactory,
    MembershipFactory,
    NominationFactory,
    ReadingGroupFactory,
    RsvpFactory,
)
from tests.pages import h1_count
from tests.papers.conftest import listed_papers
from tests.people import Cast, make_cast

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)


def rows(response) -> dict[str, tuple]:
    return {group.name: (group, session) for group, session in response.context["groups"]}


def test_it_lists_the_persons_groups_with_their_open_ballots(cast: Cast) -> None:
    NominationFactory.create_batch(3, group=cast.group)
    NominationFactory(group=cast.group, status=Nomination.Status.ARCHIVED)
    NominationFactory(group=cast.other_group)
    response = cast.client("member").get("/")
    assert list(rows(response)) == [cast.group.name]
    group, _ = rows(response)[cast.group.name]
    assert group.open_count == 3
    html = response.content.decode()
    assert f'href="/g/{cast.group.slug}/"' in html
    assert f'href="/g/{cast.group.slug}/ballot/">3 papers on the ballot</a>' in html
    assert cast.other_group.name not in html


def test_it_shows_each_groups_next_session(cast: Cast) -> None:
    soon = timezone.now() + timedelta(days=2)
    DiscussionSessionFactory(group=cast.group, starts_at=soon + timedelta(days=5))
    DiscussionSessionFactory(group=cast.group, starts_at=soon - timedelta(days=30))  # held
    DiscussionSessionFactory(group=cast.group, starts_at=soon, status="cancelled")
    nearest = DiscussionSessionFactory(group=cast.group, starts_at=soon + timedelta(days=1))
    RsvpFactory(session=nearest, user=cast.member, answer="maybe")
    response = cast.client("member").get("/")
    _, session = rows(response)[cast.group.name]
    assert session == nearest
    assert session.my_answer == "maybe"
    html = response.content.decode()
    assert f'href="/g/{cast.group.slug}/sessions/{nearest.pk}/"' in html
    assert nearest.paper.title in html


def test_it_says_when_a_group_has_no_session_ahead(cast: Cast) -> None:
    response = cast.client("owner").get("/")
    assert rows(response)[cast.group.name][1] is None
    assert b"No session scheduled" in response.content


def test_it_invites_someone_in_no_group_to_find_one(cast: Cast) -> None:
    html = cast.client("outsider").get("/").content.decode()
    assert "not in a group yet" in html
    assert 'href="/groups/"' in html and 'href="/groups/new/"' in html


def test_it_labels_the_papers_with_their_real_date(cast: Cast) -> None:
    listed_papers(2, DAY)
    html = cast.client("member").get("/").content.decode()
    assert "Papers of 12 June 2026" in html
    # Not "Today" alone: Faker's English titles may start with the word.
    assert "Today\u2019s papers" not in html
    assert h1_count(html) == 1


def test_it_says_today_only_for_todays_papers(cast: Cast) -> None:
    listed_papers(2, timezone.localdate())
    html = cast.client("member").get("/").content.decode()
    assert "Today\u2019s papers" in html


def test_it_keeps_the_intro_for_signed_out_visitors() -> None:
    listed_papers(2, DAY)
    response = Client().get("/")
    html = response.content.decode()
    assert "Read research papers together" in html
    assert "Papers of 12 June 2026" in html
    assert h1_count(html) == 1
    assert "groups" not in response.context


def test_it_is_titled_for_what_it_shows(cast: Cast) -> None:
    listed_papers(1, DAY)
    html = cast.client("member").get("/").content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert "Today" not in title and "Home" in title


@pytest.mark.parametrize("size", [1, 8])
def test_it_shows_the_home_page_in_a_fixed_number_of_queries(
    size: int, django_assert_num_queries
) -> None:
    cast = make_cast()
    listed_papers(size * 30, DAY)
    for _ in range(size):
        group = ReadingGroupFactory()
        MembershipFactory(group=group, user=cast.member)
        NominationFactory.create_batch(size, group=group)
        for days in range(1, size + 2):
            session = DiscussionSessionFactory(
                group=group, starts_at=timezone.now() + timedelta(days=days)
            )
            RsvpFactory(session=session, user=cast.member)
    client = cast.client("member")
    # the session, the user; the groups with their counts, their next sessions; the latest day,
    # its top papers, the state of the daily import
    with django_assert_num_queries(7):
        response = client.get("/")
    assert len(response.context["groups"]) == size + 1
    assert all(session for group, session in response.context["groups"] if group != cast.group)


def test_it_refuses_the_wrong_method(cast: Cast) -> None:
    assert cast.client("member").post("/").status_code == 405


def test_it_shows_the_zone_of_each_next_session(cast: Cast) -> None:
    cast.member.time_zone = "Europe/Berlin"
    cast.member.save(update_fields=["time_zone"])
    DiscussionSessionFactory(group=cast.group, starts_at=timezone.now() + timedelta(days=2))
    html = cast.client("member").get("/").content.decode()
    assert '<abbr class="tz" title="Europe/Berlin">' in html
    assert ">CET</abbr>" in html or ">CEST</abbr>" in html
