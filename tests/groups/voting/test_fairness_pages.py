"""Fairness across rounds on the pages: the setting (organizers only), the rule on both ballots,
the weights for organizers only, the weighed order served, and query counts at two sizes."""

import re

import pytest

from groups.models import BallotRound, BallotRoundVoter, Nomination, ReadingGroup, User, Vote
from groups.voting.fairness import FAIRNESS_RULE
from groups.voting.services import ballot_fairness_set, ballot_method_set, ranking_save
from tests.factories import MembershipFactory, NominationFactory
from tests.people import ROLES, Cast

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
RULE = FAIRNESS_RULE.split(":")[0]


def _lost(cast: Cast, users: list[User], rounds: int) -> None:
    """History: each of `users` lost `rounds` rounds in a row."""
    for _ in range(rounds):
        winner = NominationFactory(group=cast.group, status=Nomination.Status.SCHEDULED)
        decided = BallotRound.objects.create(group=cast.group, nomination=winner, method="x")
        BallotRoundVoter.objects.bulk_create(
            BallotRoundVoter(round=decided, group=cast.group, user=user, won=False)
            for user in users
        )


def _settings(cast: Cast, **extra: str) -> dict[str, str]:
    return {
        "name": cast.group.name,
        "description": "",
        "visibility": "public",
        "join_policy": "open",
        "time_zone": "UTC",
    } | extra


def test_organizers_turn_fairness_on_and_off_in_the_settings(cast: Cast) -> None:
    client = cast.client("organizer")
    page = client.get(f"/g/{cast.group.slug}/settings/").content.decode()
    assert 'name="fairness"' in page and "Fairness across rounds" in page
    before = cast.group.ballot_version

    response = client.post(f"/g/{cast.group.slug}/settings/", _settings(cast, fairness="on"))

    assert response.status_code == 302
    cast.group.refresh_from_db()
    assert cast.group.fairness and cast.group.ballot_version == before + 1
    client.post(f"/g/{cast.group.slug}/settings/", _settings(cast))  # unticked: off
    cast.group.refresh_from_db()
    assert not cast.group.fairness


def test_a_new_group_starts_without_fairness(cast: Cast) -> None:
    page = cast.client("member").get("/groups/new/").content.decode()
    assert 'name="fairness"' not in page
    assert ReadingGroup._meta.get_field("fairness").default is False


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "staff"])
def test_only_organizers_turn_fairness_on(cast: Cast, role: str) -> None:
    response = cast.client(role).post(
        f"/g/{cast.group.slug}/settings/", _settings(cast, fairness="on")
    )
    assert response.status_code in {302, 403, 404}
    cast.group.refresh_from_db()
    assert not cast.group.fairness


@pytest.mark.parametrize("method", ["approval", "ranked"])
@pytest.mark.parametrize("role", ROLES)
def test_both_ballots_state_the_rule_to_everyone_while_it_is_on(
    cast: Cast, role: str, method: str
) -> None:
    ballot_method_set(group=cast.group, method=method)
    NominationFactory(group=cast.group)
    client = cast.client(role)
    assert RULE not in client.get(f"/g/{cast.group.slug}/ballot/").content.decode()

    ballot_fairness_set(group=cast.group, on=True)
    html = client.get(f"/g/{cast.group.slug}/ballot/").content.decode()

    assert RULE in html and "up to 2" in html
    # The weights are one link away for organizers only.
    organizes = role in {"organizer", "owner"}
    assert ("See each member's weight" in html) is organizes


@pytest.mark.parametrize("role", ROLES)
def test_the_members_page_shows_the_weights_to_organizers_only(cast: Cast, role: str) -> None:
    _lost(cast, [cast.member], 2)
    _lost(cast, [cast.organizer], 1)
    ballot_fairness_set(group=cast.group, on=True)

    html = cast.client(role).get(f"/g/{cast.group.slug}/members/").content.decode()

    if role in {"organizer", "owner"}:
        member = html[html.index(f'id="member-{cast.member.username}"') :]
        assert re.search(r"weight 2</span> <span class=\"meta\">lost 2 rounds in a row", member)
        organizer = html[html.index(f'id="member-{cast.organizer.username}"') :]
        assert "weight 1.5</span>" in organizer.split("</li>")[0]
        owner = html[html.index(f'id="member-{cast.owner.username}"') :]
        assert "weight 1</span>" in owner.split("</li>")[0]
    else:
        assert "fairness-weight" not in html and "in a row" not in html


def test_the_members_page_shows_no_weights_while_fairness_is_off(cast: Cast) -> None:
    _lost(cast, [cast.member], 2)
    html = cast.client("organizer").get(f"/g/{cast.group.slug}/members/").content.decode()
    assert "fairness-weight" not in html


def test_the_members_page_takes_only_get(cast: Cast) -> None:
    assert cast.client("organizer").post(f"/g/{cast.group.slug}/members/").status_code == 405


def _two_papers(cast: Cast) -> tuple[Nomination, Nomination]:
    """Q (earlier, the owner's vote) and P (the member's, who lost two rounds): 1 vote each."""
    q = NominationFactory(group=cast.group, nominated_by=cast.owner)
    p = NominationFactory(group=cast.group, nominated_by=cast.member)
    Vote.objects.bulk_create(
        [Vote(nomination=q, user=cast.owner), Vote(nomination=p, user=cast.member)]
    )
    _lost(cast, [cast.member], 2)
    return q, p


def _row_order(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'class="ballot-row[^"]*" id="nomination-(\d+)"', html)]


def test_the_approval_ballot_ranks_by_weighed_votes_while_fairness_is_on(cast: Cast) -> None:
    q, p = _two_papers(cast)
    client = cast.client("outsider")
    assert _row_order(client.get(f"/g/{cast.group.slug}/ballot/").content.decode()) == [q.pk, p.pk]

    ballot_fairness_set(group=cast.group, on=True)

    assert _row_order(client.get(f"/g/{cast.group.slug}/ballot/").content.decode()) == [p.pk, q.pk]
    home = client.get(f"/g/{cast.group.slug}/").content.decode()
    assert home.index(p.paper.title) < home.index(q.paper.title)
    assert "Votes weighed by fairness across rounds." in home


def test_a_weighed_vote_answers_with_the_rank_its_weight_gives(cast: Cast) -> None:
    # The organizer lost two rounds: their vote counts 2. Q (owner) 1, P (member) 1 + the
    # organizer's 2 = 3: P moves from 2 to 1.
    _, p = _two_papers(cast)
    BallotRoundVoter.objects.filter(user=cast.member).delete()
    _lost(cast, [cast.organizer], 2)
    ballot_fairness_set(group=cast.group, on=True)

    response = cast.client("organizer").post(
        f"/g/{cast.group.slug}/n/{p.pk}/vote/", {"answer": "row"}, headers=HTMX
    )

    assert response["X-Ballot-Rank"] == "1" and response["X-Ballot-Old-Rank"] == "2"
    assert response["X-Ballot-Before"] == str(int(response["X-Ballot-Version"]) - 1)
    assert Vote.objects.filter(nomination=p, user=cast.organizer).exists()


def _big(cast: Cast, nominations: int, members: int) -> list[Nomination]:
    people = [cast.member] + [MembershipFactory(group=cast.group).user for _ in range(members - 1)]
    created = NominationFactory.create_batch(nominations, group=cast.group, nominated_by=people[0])
    Vote.objects.bulk_create(
        Vote(nomination=nomination, user=voter)
        for i, nomination in enumerate(created)
        for voter in people[: 1 + i % members]
    )
    _lost(cast, people[::3], 1)
    _lost(cast, people[::5], 1)
    return created


@pytest.mark.parametrize(("nominations", "members"), [(5, 2), (500, 200)])
def test_the_weighed_approval_ballot_in_a_constant_number_of_queries(
    cast: Cast, nominations: int, members: int, django_assert_num_queries
) -> None:
    _big(cast, nominations, members)
    ballot_fairness_set(group=cast.group, on=True)
    client = cast.client("member")

    # session, user, the membership with its group; the weights; the ranking with the version
    # and the shown rows; their voters
    with django_assert_num_queries(6):
        response = client.get(f"/g/{cast.group.slug}/ballot/")
    assert response.content.decode().count('class="ballot-row"') == min(nominations, 50)

    # the members page for an organizer: session, user, membership, members, pending join
    # requests, the weights
    organizer = cast.client("organizer")
    with django_assert_num_queries(6):
        members_page = organizer.get(f"/g/{cast.group.slug}/members/")
    assert members_page.content.decode().count("fairness-weight") == members + 2


@pytest.mark.parametrize(("nominations", "members"), [(5, 2), (500, 200)])
def test_the_weighed_ranked_ballot_in_a_constant_number_of_queries(
    cast: Cast, nominations: int, members: int, django_assert_num_queries
) -> None:
    ballot_method_set(group=cast.group, method=ReadingGroup.BallotMethod.RANKED)
    papers = _big(cast, nominations, 1)
    people = [cast.member] + [MembershipFactory(group=cast.group).user for _ in range(members - 1)]
    for i, user in enumerate(people):
        order = [papers[(i * 7 + k) % nominations].pk for k in range(min(20, nominations - 1))]
        ranking_save(group=cast.group, user=user, order=order)
    _lost(cast, people[::4], 2)
    ballot_fairness_set(group=cast.group, on=True)
    client = cast.client("member")

    # session, user, the membership with its group; the nominations with the version, the
    # rankings, the member's votes, the weights
    with django_assert_num_queries(7):
        response = client.get(f"/g/{cast.group.slug}/ballot/")
    assert response.content.decode().count('class="rank-row') == nominations
    assert RULE in response.content.decode()
