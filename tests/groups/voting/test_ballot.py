from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from groups.models import Membership, Nomination, Vote
from groups.voting.ballot import PAGE_STEP, ballot_leaders
from groups.voting.services import vote_cast
from tests.factories import MembershipFactory, NominationFactory, VoteFactory
from tests.people import Cast

pytestmark = pytest.mark.django_db


def _nominate(cast: Cast, *, votes: int, minutes_ago: int) -> Nomination:
    nomination = NominationFactory(group=cast.group, nominated_by=cast.member)
    Nomination.objects.filter(pk=nomination.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    for _ in range(votes):
        VoteFactory(nomination=nomination, user=MembershipFactory(group=cast.group).user)
    return nomination


def test_it_ranks_by_votes_with_ties_going_to_the_earlier_nomination(cast: Cast) -> None:
    late_tie = _nominate(cast, votes=2, minutes_ago=1)
    leader = _nominate(cast, votes=3, minutes_ago=5)
    early_tie = _nominate(cast, votes=2, minutes_ago=10)
    last = _nominate(cast, votes=0, minutes_ago=20)
    closed = _nominate(cast, votes=9, minutes_ago=30)
    Nomination.objects.filter(pk=closed.pk).update(status=Nomination.Status.ARCHIVED)

    ranked, winner = ballot_leaders(cast.group, 10)

    assert [n.pk for n in ranked] == [leader.pk, early_tie.pk, late_tie.pk, last.pk]
    assert [n.vote_count for n in ranked] == [3, 2, 2, 0]
    assert winner == leader.pk


def test_it_shows_the_ranked_ballot_with_voters_to_members(cast: Cast) -> None:
    low = _nominate(cast, votes=0, minutes_ago=5)
    high = _nominate(cast, votes=1, minutes_ago=1)
    VoteFactory(nomination=high, user=cast.organizer)

    response = cast.client("member").get(f"/g/{cast.group.slug}/ballot/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(high.paper.title) < html.index(low.paper.title)
    assert cast.organizer.name in html
    assert 'aria-label="Vote for' in html


def test_it_hides_voters_from_visitors_of_a_public_group(cast: Cast) -> None:
    nomination = _nominate(cast, votes=0, minutes_ago=1)
    VoteFactory(nomination=nomination, user=cast.organizer)

    response = Client().get(f"/g/{cast.group.slug}/ballot/")

    assert response.status_code == 200
    assert nomination.paper.title in response.content.decode()
    assert cast.organizer.name not in response.content.decode()
    assert "Sign in to vote" in response.content.decode()


@pytest.mark.parametrize(("nominations", "members"), [(5, 2), (500, 200)])
def test_it_renders_the_ballot_in_a_constant_number_of_queries(
    cast: Cast, nominations: int, members: int, django_assert_num_queries
) -> None:
    voters = [MembershipFactory(group=cast.group).user for _ in range(members)]
    created = NominationFactory.create_batch(nominations, group=cast.group, nominated_by=voters[0])
    Vote.objects.bulk_create(
        Vote(nomination=nomination, user=voter)
        for i, nomination in enumerate(created)
        for voter in voters[: 1 + i % members]
    )
    client = cast.client("member")

    # session, user, the membership with its group; the ranking with the version and the shown
    # rows; their voters
    with django_assert_num_queries(5):
        response = client.get(f"/g/{cast.group.slug}/ballot/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="ballot-row"') == min(nominations, PAGE_STEP)
    assert ("Show more" in html) is (nominations > PAGE_STEP)

    # A filter reads the whole ranking to match in Python, then the kept rows: one query more.
    title = created[-1].paper.title
    with django_assert_num_queries(6):
        filtered = client.get(f"/g/{cast.group.slug}/ballot/", {"q": title})
    assert f'id="nomination-{created[-1].pk}"' in filtered.content.decode()


@pytest.mark.parametrize("voters", [1, 200])
def test_it_answers_an_htmx_vote_with_its_row_alone(
    cast: Cast, voters: int, django_assert_num_queries
) -> None:
    nomination = NominationFactory(group=cast.group)
    for _ in range(voters):
        VoteFactory(nomination=nomination, user=MembershipFactory(group=cast.group).user)
    client = cast.client("member")
    url = f"/g/{cast.group.slug}/n/{nomination.pk}/vote/"

    # session, user, the membership with its group, nomination; the service's savepoint, row lock, its inner
    # savepoint, insert, release, version bump and read, release; the ranking, the row, its voters
    with django_assert_num_queries(15):
        response = client.post(
            url, {"next": "/elsewhere/", "answer": "row"}, headers={"HX-Request": "true"}
        )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="ballot-row" id="nomination-{nomination.pk}"')
    assert "<html" not in html and html.count("<li") == 1
    assert f'<span class="count">{voters + 1}</span>' in html
    assert 'aria-pressed="true"' in html
    assert cast.member.name in html
    assert response["X-Ballot-Answer"] == "row"
    assert response["X-Ballot-Version"] == "1"
    assert response["X-Ballot-Before"] == "0"
    assert response["X-Ballot-Rank"] == response["X-Ballot-Old-Rank"] == "1"
    # Plain str, as WSGI servers demand (wsgiref refuses a SafeString).
    assert {type(value) for name, value in response.items() if name.startswith("X-Ballot")} == {str}
    # Small: the row and its voters' names, nothing of the page around it.
    assert len(response.content) < 5 * 1024


def test_it_answers_the_nomination_page_with_its_vote_box(cast: Cast) -> None:
    nomination = NominationFactory(group=cast.group)
    response = cast.client("member").post(
        f"/g/{cast.group.slug}/n/{nomination.pk}/vote/", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div class="vote-box voted" id="vote-{nomination.pk}"')
    assert "ballot-row" not in html
    assert response["X-Ballot-Answer"] == "box"


def test_it_votes_and_unvotes_without_javascript_and_redirects_back(cast: Cast) -> None:
    nomination = NominationFactory(group=cast.group)
    client = cast.client("member")
    back = f"/g/{cast.group.slug}/n/{nomination.pk}/"

    response = client.post(f"/g/{cast.group.slug}/n/{nomination.pk}/vote/", {"next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    assert Vote.objects.filter(nomination=nomination, user=cast.member).count() == 1

    response = client.post(f"/g/{cast.group.slug}/n/{nomination.pk}/unvote/", {"next": back})
    assert response.status_code == 302
    assert not Vote.objects.filter(nomination=nomination, user=cast.member).exists()


def test_it_ignores_a_next_address_on_another_site(cast: Cast) -> None:
    nomination = NominationFactory(group=cast.group)
    response = cast.client("member").post(
        f"/g/{cast.group.slug}/n/{nomination.pk}/vote/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/g/{cast.group.slug}/ballot/"


def test_it_counts_a_double_click_once(cast: Cast) -> None:
    nomination = NominationFactory(group=cast.group)
    client = cast.client("member")
    for _ in range(2):
        response = client.post(f"/g/{cast.group.slug}/n/{nomination.pk}/vote/")
        assert response.status_code == 302
    assert Vote.objects.filter(nomination=nomination, user=cast.member).count() == 1
    assert vote_cast(nomination=nomination, user=cast.member).changed is False


def test_it_refuses_votes_on_a_closed_nomination_with_a_message(cast: Cast) -> None:
    nomination = NominationFactory(group=cast.group, status=Nomination.Status.ARCHIVED)
    client = cast.client("member")

    response = client.post(f"/g/{cast.group.slug}/n/{nomination.pk}/vote/", follow=True)
    assert "This nomination is archived." in response.content.decode()

    response = client.post(
        f"/g/{cast.group.slug}/n/{nomination.pk}/vote/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "This nomination is archived." in response.content.decode()
    assert not Vote.objects.filter(nomination=nomination).exists()


def test_it_refreshes_the_ranking_through_an_htmx_get_of_the_list(cast: Cast) -> None:
    _nominate(cast, votes=1, minutes_ago=3)
    response = cast.client("member").get(
        f"/g/{cast.group.slug}/ballot/", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ballot"')
    assert 'hx-trigger="every 5s, ballot:refresh"' in html
    assert "<html" not in html
    assert response["X-Ballot-Answer"] == "list"


def test_it_keeps_one_vote_per_member_in_the_database(cast: Cast) -> None:
    from django.db import IntegrityError, transaction

    nomination = NominationFactory(group=cast.group)
    Vote.objects.create(nomination=nomination, user=cast.member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(nomination=nomination, user=cast.member)


def test_it_lets_members_vote_for_any_number_of_nominations(cast: Cast) -> None:
    nominations = NominationFactory.create_batch(3, group=cast.group)
    client = cast.client("member")
    for nomination in nominations:
        client.post(f"/g/{cast.group.slug}/n/{nomination.pk}/vote/")
    assert Vote.objects.filter(user=cast.member).count() == 3
    assert Membership.objects.filter(group=cast.group).count() == 3


def test_it_tells_caches_that_the_ballot_varies_with_htmx(cast: Cast) -> None:
    response = cast.client("member").get(f"/g/{cast.group.slug}/ballot/")
    assert "HX-Request" in response["Vary"]
