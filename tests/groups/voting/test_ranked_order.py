"""On a ranked ballot, the pages that name the ballot's leaders follow the count, not the votes:
the group home, Schedule the winner (and a time poll's form) and the nomination page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from groups.models import Nomination, ReadingGroup
from groups.voting.services import ballot_method_set, ranking_save, vote_cast
from tests.factories import MembershipFactory, NominationFactory
from tests.people import ROLES, Cast

pytestmark = pytest.mark.django_db


def _ballot(cast: Cast) -> tuple[Nomination, Nomination, Nomination]:
    """A, B, C (in that order). Votes: A 2 (two unranked preferences), B 2, C 1, so the approval
    order is A, B, C. Ranked: B 2 of 3 first choices (the owner's, the organizer's) wins round
    one; C 1 (the member's), A 0: the count's order is B, C, A."""
    ballot_method_set(group=cast.group, method=ReadingGroup.BallotMethod.RANKED)
    start = timezone.now() - timedelta(hours=1)
    papers = NominationFactory.create_batch(3, group=cast.group, nominated_by=cast.organizer)
    for i, nomination in enumerate(papers):
        Nomination.objects.filter(pk=nomination.pk).update(created_at=start + timedelta(minutes=i))
    a, b, c = papers
    ranking_save(group=cast.group, user=cast.owner, order=[b.pk])
    ranking_save(group=cast.group, user=cast.organizer, order=[b.pk])
    ranking_save(group=cast.group, user=cast.member, order=[c.pk])
    for _ in range(2):
        vote_cast(nomination=a, user=MembershipFactory(group=cast.group).user)
    return a, b, c


def _titles_in_order(html: str, *papers: Nomination) -> list[Nomination]:
    return sorted(papers, key=lambda n: html.index(n.paper.title))


@pytest.mark.parametrize("role", ROLES)
def test_the_group_home_lists_the_count_order(cast: Cast, role: str) -> None:
    a, b, c = _ballot(cast)

    html = cast.client(role).get(f"/g/{cast.group.slug}/").content.decode()

    summary = html[html.index('class="ballot-summary"') :]
    assert _titles_in_order(summary, a, b, c) == [b, c, a]
    assert summary.count("Winner of the count") == 1
    assert summary.index("Winner of the count") < summary.index(c.paper.title)
    assert " votes</span>" not in summary  # approval counts would mislead here


def test_the_group_home_lists_votes_on_an_approval_ballot(cast: Cast) -> None:
    a, b, c = _ballot(cast)
    ballot_method_set(group=cast.group, method=ReadingGroup.BallotMethod.APPROVAL)

    html = cast.client("member").get(f"/g/{cast.group.slug}/").content.decode()

    summary = html[html.index('class="ballot-summary"') :]
    assert _titles_in_order(summary, a, b, c) == [a, b, c]
    assert "Winner of the count" not in summary and "2 votes" in summary


@pytest.mark.parametrize("page", ["sessions/new/", "polls/new/"])
def test_schedule_the_winner_preselects_the_count_winner(cast: Cast, page: str) -> None:
    a, b, c = _ballot(cast)

    response = cast.client("organizer").get(f"/g/{cast.group.slug}/{page}")

    assert response.status_code == 200
    assert response.context["form"].initial["nomination"] == b.pk
    html = response.content.decode()
    options = [int(pk) for pk in re.findall(r'<option value="(\d+)"', html)]
    assert options[:3] == [b.pk, c.pk, a.pk]
    assert re.search(rf'<option value="{b.pk}" selected>', html)


def test_schedule_the_winner_says_which_winner_it_picked(cast: Cast) -> None:
    _ballot(cast)
    html = cast.client("organizer").get(f"/g/{cast.group.slug}/sessions/new/").content.decode()
    assert "The winner of the ranked count is picked for you" in html


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member"])
def test_only_organizers_open_schedule_the_winner(cast: Cast, role: str) -> None:
    _ballot(cast)
    response = cast.client(role).get(f"/g/{cast.group.slug}/sessions/new/")
    assert response.status_code in {302, 403}


@pytest.mark.parametrize("role", ROLES)
def test_the_nomination_page_gives_its_place_in_the_count(cast: Cast, role: str) -> None:
    a, b, _ = _ballot(cast)
    client = cast.client(role)

    last = client.get(f"/g/{cast.group.slug}/n/{a.pk}/").content.decode()
    winner = client.get(f"/g/{cast.group.slug}/n/{b.pk}/").content.decode()

    assert "Place <strong>3</strong> of 3 in the ranked count" in last
    assert "Winner of the ranked count" in winner and "Place <strong>" not in winner


def test_the_nomination_page_of_an_approval_ballot_gives_no_count_place(cast: Cast) -> None:
    a, _, _ = _ballot(cast)
    ballot_method_set(group=cast.group, method=ReadingGroup.BallotMethod.APPROVAL)
    html = cast.client("member").get(f"/g/{cast.group.slug}/n/{a.pk}/").content.decode()
    assert "ranked count" not in html


def _large_ranked_ballot(
    cast: Cast, nominations: int, members: int, *, ranked: int
) -> list[Nomination]:
    """A ranked ballot of `nominations` papers; each of `members` ranks `ranked` of them."""
    ballot_method_set(group=cast.group, method=ReadingGroup.BallotMethod.RANKED)
    papers = NominationFactory.create_batch(nominations, group=cast.group)
    people = [cast.member] + [MembershipFactory(group=cast.group).user for _ in range(members - 1)]
    for i, user in enumerate(people):
        order = [papers[(i * 7 + k) % nominations].pk for k in range(min(ranked, nominations - 1))]
        ranking_save(group=cast.group, user=user, order=order)
    return papers


@pytest.mark.parametrize(("nominations", "members"), [(5, 2), (500, 200)])
def test_the_ranked_group_home_in_a_constant_number_of_queries(
    cast: Cast, nominations: int, members: int, django_assert_num_queries
) -> None:
    papers = _large_ranked_ballot(cast, nominations, members, ranked=20)
    client = cast.client("member")

    # session, user, the membership with its group; the count's nominations and rankings, the
    # five leaders with their papers; the open count, the activity, the next session, the time
    # polls asking the member
    with django_assert_num_queries(10):
        response = client.get(f"/g/{cast.group.slug}/")
    assert response.content.decode().count("Winner of the count") == 1

    # the nomination page: session, user, membership; the nomination, its row (2), its voters,
    # when it was discussed, the papers the group discussed (for those like it); the count (2)
    with django_assert_num_queries(11):
        client.get(f"/g/{cast.group.slug}/n/{papers[0].pk}/")


@pytest.mark.parametrize(("nominations", "members"), [(5, 2), (500, 200)])
def test_the_schedule_and_poll_forms_of_a_ranked_ballot_in_a_constant_number_of_queries(
    cast: Cast, nominations: int, members: int, django_assert_num_queries
) -> None:
    _large_ranked_ballot(cast, nominations, members, ranked=3)
    client = cast.client("organizer")

    # session, user, the membership with its group; the count (2), the winner preselected,
    # whether there are any, the choices in the count's order (read by the field and again by
    # its rendering), the presenter's choices
    for page in ("sessions/new/", "polls/new/"):
        with django_assert_num_queries(10):
            response = client.get(f"/g/{cast.group.slug}/{page}")
        assert response.content.decode().count("<option value=") >= nominations
