"""Fairness across rounds: the weight rule, the weighted count and order (pure, checked by hand),
and the history the weights come from (rounds recorded when a paper is scheduled)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from groups.discussions.services import session_schedule
from groups.models import BallotRound, BallotRoundVoter, Nomination, ReadingGroup, User
from groups.voting.ballot import ranking
from groups.voting.fairness import fairness_weights, points_for, weight_for
from groups.voting.ranked import ranked_ballot
from groups.voting.runoff import finishing_order, instant_runoff
from groups.voting.services import (
    ballot_fairness_set,
    ballot_method_set,
    ranking_save,
    vote_cast,
)
from tests.factories import MembershipFactory, NominationFactory
from tests.people import Cast

A, B, C, D = 1, 2, 3, 4


# --- The rule and the count, pure ------------------------------------------------------------


@pytest.mark.parametrize(
    ("losses", "weight", "points"),
    [(0, "1", 2), (1, "1.5", 3), (2, "2", 4), (3, "2", 4), (10, "2", 4), (-1, "1", 2)],
)
def test_the_weight_grows_by_a_half_per_lost_round_up_to_two(
    losses: int, weight: str, points: int
) -> None:
    assert weight_for(losses) == Decimal(weight)
    assert str(weight_for(losses)) == weight  # printed as the page says it
    assert points_for(losses) == points


def test_weights_change_who_wins_a_ranked_count() -> None:
    ballots = [[A], [A], [B], [C, B]]
    # Unweighted: A 2, B 1, C 1 of 4. B and C tie for fewest, C (last) drops out, its ballot goes
    # to B. Round 2: A 2, B 2 of 4, no majority; the tie drops B (later); both its ballots are
    # exhausted. Round 3: A 2 of 2 wins.
    plain = instant_runoff([A, B, C], ballots)
    assert plain.winner == A
    assert [r.eliminated for r in plain.rounds] == [(C,), (B,), ()]
    assert finishing_order(plain) == [A, B, C]
    # The B voter weighs 1.5 (lost one round): A 2, B 1.5, C 1 of 4.5; C drops out and passes
    # its 1 to B. Round 2: B 2.5 of 4.5 is more than half: B wins.
    weighted = instant_runoff(
        [A, B, C], ballots, [Decimal(1), Decimal(1), Decimal("1.5"), Decimal(1)]
    )
    assert weighted.winner == B
    first, second = weighted.rounds
    assert first.tallies == [(A, 2), (B, Decimal("1.5")), (C, 1)]
    assert first.active == Decimal("4.5")
    assert first.eliminated == (C,) and first.transfers == [(B, 1)]
    assert second.tallies == [(B, Decimal("2.5")), (A, 2)]
    assert finishing_order(weighted) == [B, A, C]


def test_weighted_ballots_are_weighed_when_exhausted_too() -> None:
    # A 2 (two ballots of 1); B 2 (one ballot of 2) of 4: no majority; the tie drops B (later),
    # whose ballot ranks nothing else: 2 exhausted. Round 2: A 2 of 2 wins.
    result = instant_runoff([A, B], [[A], [A], [B]], [Decimal(1), Decimal(1), Decimal(2)])
    assert result.winner == A
    assert result.rounds[0].newly_exhausted == 2
    assert result.rounds[1].exhausted == 2 and result.rounds[1].active == 2


def test_without_weights_the_count_stays_in_whole_ballots() -> None:
    result = instant_runoff([A, B], [[A], [B], [B]])
    assert result.rounds[0].tallies == [(B, 2), (A, 1)]
    assert all(type(n) is int for _, n in result.rounds[0].tallies)
    assert type(result.rounds[0].active) is int


def test_weights_must_match_the_ballots() -> None:
    with pytest.raises(ValueError):
        instant_runoff([A, B], [[A], [B]], [Decimal(1)])


def test_the_finishing_order_puts_papers_that_dropped_out_last_first() -> None:
    # D has no first choice: out at once. Round 2: A 2, B 1, C 1 of 4; C (later) drops out, its
    # ballot exhausted. Round 3: A 2 of 3 wins; B is still in.
    result = instant_runoff([A, B, C, D], [[A], [A], [B], [C]])
    assert [r.eliminated for r in result.rounds] == [(D,), (C,), ()]
    assert finishing_order(result) == [A, B, C, D]
    # A first-round majority: the others as the round stands, then the tie order.
    assert finishing_order(instant_runoff([A, B, C, D], [[B], [B], [A]])) == [B, A, C, D]
    # Nobody ranked anything: the tie order; no candidates: nothing.
    assert finishing_order(instant_runoff([A, B, C], [])) == [A, B, C]
    assert finishing_order(instant_runoff([], [])) == []


# --- The history: rounds recorded when a paper is scheduled -----------------------------------


def _paper(cast: Cast, minutes_ago: int = 0) -> Nomination:
    nomination = NominationFactory(group=cast.group, nominated_by=cast.organizer)
    created = timezone.now() - timedelta(minutes=minutes_ago)
    Nomination.objects.filter(pk=nomination.pk).update(created_at=created)
    nomination.refresh_from_db()
    return nomination


def _schedule(cast: Cast, nomination: Nomination) -> None:
    session_schedule(
        group=cast.group,
        nomination=nomination,
        starts_at=timezone.now() + timedelta(days=7),
        duration=timedelta(minutes=60),
        created_by=cast.organizer,
    )


def _losses(cast: Cast) -> dict[int, int]:
    return fairness_weights(cast.group).losses


@pytest.mark.django_db
def test_scheduling_records_the_round_and_the_streaks_follow_it(cast: Cast) -> None:
    owner, organizer, member = cast.owner, cast.organizer, cast.member
    a, b = _paper(cast, 10), _paper(cast, 9)
    vote_cast(nomination=a, user=owner)
    vote_cast(nomination=b, user=member)  # the organizer sits this round out
    _schedule(cast, a)

    decided = BallotRound.objects.get(group=cast.group)
    assert decided.nomination_id == a.pk and decided.method == "approval"
    assert dict(BallotRoundVoter.objects.values_list("user_id", "won")) == {
        owner.pk: True,
        member.pk: False,
    }
    assert _losses(cast) == {member.pk: 1}
    assert fairness_weights(cast.group).of(member.pk) == Decimal("1.5")
    assert fairness_weights(cast.group).of(owner.pk) == 1

    # Round 2: the member still backs B (open) and D, the organizer D; C wins.
    c, d = _paper(cast, 8), _paper(cast, 7)
    vote_cast(nomination=c, user=owner)
    vote_cast(nomination=d, user=member)
    vote_cast(nomination=d, user=organizer)
    _schedule(cast, c)
    assert _losses(cast) == {member.pk: 2, organizer.pk: 1}
    assert fairness_weights(cast.group).of(member.pk) == 2

    # Round 3: the member's B wins: back to 1; the organizer takes no part: still 1.5.
    Nomination.objects.filter(pk=d.pk).update(status=Nomination.Status.WITHDRAWN)
    _schedule(cast, b)
    assert _losses(cast) == {organizer.pk: 1}
    # Round 4: the organizer loses again (capped at 2 in the weight, counted in full).
    e, f = _paper(cast, 6), _paper(cast, 5)
    vote_cast(nomination=e, user=organizer)
    vote_cast(nomination=f, user=owner)
    _schedule(cast, f)
    assert _losses(cast) == {organizer.pk: 2}


@pytest.mark.django_db
def test_on_a_ranked_ballot_a_round_is_won_with_the_winner_among_the_first_three(
    cast: Cast,
) -> None:
    ballot_method_set(group=cast.group, method=ReadingGroup.BallotMethod.RANKED)
    papers = [_paper(cast, 10 - i) for i in range(4)]
    ranking_save(group=cast.group, user=cast.member, order=[p.pk for p in papers])
    ranking_save(group=cast.group, user=cast.owner, order=[papers[3].pk])
    ranking_save(group=cast.group, user=cast.organizer, order=[papers[1].pk, papers[3].pk])
    _schedule(cast, papers[3])  # fourth for the member, first for the owner, second for Olga

    assert dict(BallotRoundVoter.objects.values_list("user_id", "won")) == {
        cast.member.pk: False,
        cast.owner.pk: True,
        cast.organizer.pk: True,
    }
    assert BallotRound.objects.get().method == "ranked"


@pytest.mark.django_db
def test_a_nomination_wins_one_round_at_most(cast: Cast) -> None:
    a = _paper(cast)
    _schedule(cast, a)
    with pytest.raises(IntegrityError):
        BallotRound.objects.create(group=cast.group, nomination=a, method="approval")


def _lost(cast: Cast, user: User, rounds: int) -> None:
    """History: `user` lost `rounds` rounds in a row (papers scheduled from the ballot)."""
    for _ in range(rounds):
        winner = _paper(cast, 100)
        decided = BallotRound.objects.create(group=cast.group, nomination=winner, method="x")
        BallotRoundVoter.objects.create(round=decided, group=cast.group, user=user, won=False)
        Nomination.objects.filter(pk=winner.pk).update(status=Nomination.Status.SCHEDULED)


@pytest.mark.django_db
def test_weighted_votes_decide_the_approval_ranking_when_fairness_is_on(cast: Cast) -> None:
    q, p = _paper(cast, 10), _paper(cast, 5)  # Q earlier: it wins ties
    vote_cast(nomination=q, user=cast.owner)
    vote_cast(nomination=p, user=cast.member)
    _lost(cast, cast.member, 2)

    # Off: 1 vote each, the earlier Q first, read as before.
    assert [item.id for item in ranking(cast.group).order] == [q.pk, p.pk]
    ballot_fairness_set(group=cast.group, on=True)
    # On: P 2 (the member weighs 2), Q 1.
    order = ranking(cast.group).order
    assert [(item.id, item.votes, item.score) for item in order] == [(p.pk, 1, 4), (q.pk, 1, 2)]


@pytest.mark.django_db
def test_weighted_ballots_decide_the_ranked_count_when_fairness_is_on(cast: Cast) -> None:
    ballot_method_set(group=cast.group, method=ReadingGroup.BallotMethod.RANKED)
    a, b = _paper(cast, 10), _paper(cast, 5)
    other = MembershipFactory(group=cast.group).user
    ranking_save(group=cast.group, user=cast.owner, order=[a.pk])
    ranking_save(group=cast.group, user=cast.organizer, order=[a.pk])
    ranking_save(group=cast.group, user=cast.member, order=[b.pk])
    ranking_save(group=cast.group, user=other, order=[b.pk])
    _lost(cast, cast.member, 3)
    _lost(cast, other, 1)

    # Off: A 2, B 2 of 4; the tie drops B (later): A wins.
    assert ranked_ballot(cast.group, viewer=cast.member).winner.id == a.pk
    ballot_fairness_set(group=cast.group, on=True)
    # On: A 2, B 2 + 1.5 = 3.5 of 5.5: B has more than half at once.
    counted = ranked_ballot(cast.group, viewer=cast.member)
    assert counted.winner.id == b.pk
    assert counted.result.rounds[0].tallies == [(b.pk, Decimal("3.5")), (a.pk, 2)]


@pytest.mark.django_db
def test_turning_fairness_on_or_off_raises_the_ballot_version_once(cast: Cast) -> None:
    before = cast.group.ballot_version
    assert ballot_fairness_set(group=cast.group, on=True) is True
    assert ballot_fairness_set(group=cast.group, on=True) is False  # a no-op raises nothing
    cast.group.refresh_from_db()
    assert cast.group.fairness and cast.group.ballot_version == before + 1
    assert ballot_fairness_set(group=cast.group, on=False) is True
    cast.group.refresh_from_db()
    assert not cast.group.fairness and cast.group.ballot_version == before + 2
