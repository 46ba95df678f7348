"""Nomination.vote_count, the stored count the ballot is ranked by, always equals its votes.

The database keeps it (migration 0015's triggers), whichever path writes the votes: the voting
services, bulk writes, an account's deletion, the admin moving a vote, a stale model save.
"""

import random

import pytest
from django.db import connection
from django.db.models import Count

from groups.models import Nomination, ReadingGroup, User, Vote
from groups.voting.services import (
    VotingError,
    ballot_method_set,
    nomination_archive,
    nomination_create,
    nomination_withdraw,
    ranking_save,
    vote_cast,
    vote_withdraw,
)
from tests.factories import (
    MembershipFactory,
    NominationFactory,
    PaperFactory,
    ReadingGroupFactory,
)

pytestmark = pytest.mark.django_db


def _stored(nomination: Nomination) -> int:
    return Nomination.objects.values_list("vote_count", flat=True).get(pk=nomination.pk)


def _mismatches() -> dict[int, tuple[int, int]]:
    """Nomination id -> (stored, counted), for every nomination whose stored count is wrong."""
    return {
        pk: (stored, counted)
        for pk, stored, counted in Nomination.objects.annotate(n=Count("votes")).values_list(
            "pk", "vote_count", "n"
        )
        if stored != counted
    }


def _group_with_members(count: int) -> tuple[ReadingGroup, list[User]]:
    group = ReadingGroupFactory()
    members = [MembershipFactory(group=group).user for _ in range(count)]
    return group, members


def test_it_counts_a_vote_and_a_take_back() -> None:
    group, (ada, bob) = _group_with_members(2)
    nomination = nomination_create(group=group, user=ada, paper=PaperFactory()).nomination
    assert _stored(nomination) == 1  # the nominator's vote

    vote_cast(nomination=nomination, user=bob)
    assert _stored(nomination) == 2

    vote_withdraw(nomination=nomination, user=bob)
    assert _stored(nomination) == 1


def test_it_counts_a_double_click_once() -> None:
    group, (ada, bob) = _group_with_members(2)
    nomination = NominationFactory(group=group, nominated_by=ada)

    assert vote_cast(nomination=nomination, user=bob).changed
    assert not vote_cast(nomination=nomination, user=bob).changed
    assert _stored(nomination) == 1

    assert vote_withdraw(nomination=nomination, user=bob).changed
    assert not vote_withdraw(nomination=nomination, user=bob).changed
    assert _stored(nomination) == 0


def test_it_refuses_a_vote_for_an_archived_or_withdrawn_nomination_and_keeps_the_count() -> None:
    group, (owner, ada, bob) = _group_with_members(3)
    archived = nomination_create(group=group, user=ada, paper=PaperFactory()).nomination
    vote_cast(nomination=archived, user=owner)
    organizer = group.memberships.get(user=owner)
    organizer.role = "organizer"
    organizer.save(update_fields=["role"])
    nomination_archive(nomination=archived, by=organizer)
    withdrawn = nomination_create(group=group, user=ada, paper=PaperFactory()).nomination
    nomination_withdraw(nomination=withdrawn, user=ada)

    for closed, votes in [(archived, 2), (withdrawn, 1)]:
        with pytest.raises(VotingError):
            vote_cast(nomination=closed, user=bob)
        with pytest.raises(VotingError):
            vote_withdraw(nomination=closed, user=ada)
        assert _stored(closed) == votes
        assert Vote.objects.filter(nomination=closed).count() == votes


def test_deleting_an_account_takes_its_votes_off_the_counts() -> None:
    group, (ada, bob) = _group_with_members(2)
    first, second = NominationFactory.create_batch(2, group=group)
    for nomination in (first, second):
        vote_cast(nomination=nomination, user=ada)
        vote_cast(nomination=nomination, user=bob)

    bob.delete()

    assert (_stored(first), _stored(second)) == (1, 1)
    assert _mismatches() == {}


def test_bulk_writes_count_only_the_votes_they_insert() -> None:
    group, members = _group_with_members(3)
    nominations = NominationFactory.create_batch(2, group=group)
    pairs = [Vote(nomination=n, user=u) for n in nominations for u in members[:2]]
    Vote.objects.bulk_create(pairs)
    Vote.objects.bulk_create(
        [Vote(nomination=n, user=u) for n in nominations for u in members], ignore_conflicts=True
    )

    assert [_stored(n) for n in nominations] == [3, 3]
    Vote.objects.filter(user=members[0]).delete()
    assert [_stored(n) for n in nominations] == [2, 2]


def test_moving_a_vote_to_another_nomination_moves_its_count() -> None:
    group, (ada,) = _group_with_members(1)
    first, second = NominationFactory.create_batch(2, group=group)
    vote = Vote.objects.create(nomination=first, user=ada)

    vote.nomination = second
    vote.save()  # as the admin's vote form does

    assert (_stored(first), _stored(second)) == (0, 1)


def test_a_stale_save_or_a_direct_write_is_counted_again() -> None:
    group, (ada, bob) = _group_with_members(2)
    nomination = NominationFactory(group=group)
    stale = Nomination.objects.get(pk=nomination.pk)
    vote_cast(nomination=nomination, user=ada)
    vote_cast(nomination=nomination, user=bob)

    stale.pitch = "Read it."
    stale.save()  # read before the votes: its 0 is not written back
    assert _stored(nomination) == 2

    Nomination.objects.filter(pk=nomination.pk).update(vote_count=40)
    assert _stored(nomination) == 2


def test_the_database_holds_the_count_not_negative() -> None:
    """A direct write is counted again before the check could see it, so the check is read from
    the schema: the rule is the database's, not only the triggers'."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "groups_nomination")
    assert constraints["nomination_vote_count_not_negative"]["check"]


STEPS = ["nominate", "vote", "vote", "vote", "take back", "take back", "rank", "close", "method"]
STEPS += ["delete votes"]


def test_counts_stay_exact_through_a_random_mix_of_everything_that_writes_votes() -> None:
    rng = random.Random(2026)
    group, members = _group_with_members(8)
    organizer = group.memberships.get(user=members[0])
    organizer.role = "organizer"
    organizer.save(update_fields=["role"])
    papers = PaperFactory.create_batch(12)
    for _ in range(300):
        user = rng.choice(members)
        open_ones = list(Nomination.objects.filter(group=group).open())
        step = rng.choice(STEPS)
        try:
            if step == "nominate" or not open_ones:
                nomination_create(group=group, user=user, paper=rng.choice(papers))
            elif step == "vote":
                vote_cast(nomination=rng.choice(open_ones), user=user)
            elif step == "take back":
                vote_withdraw(nomination=rng.choice(open_ones), user=user)
            elif step == "rank":
                chosen = rng.sample(open_ones, rng.randint(0, len(open_ones)))
                ranking_save(group=group, user=user, order=[n.pk for n in chosen])
            elif step == "close":
                nomination_archive(nomination=rng.choice(open_ones), by=organizer)
            elif step == "method":
                ballot_method_set(group=group, method=rng.choice(["approval", "ranked"]))
            else:
                Vote.objects.filter(user=user, nomination__in=rng.sample(open_ones, 1)).delete()
        except VotingError:
            pass
        if rng.random() < 0.02 and len(members) > 2:  # someone deletes their account
            members.pop(rng.randrange(1, len(members))).delete()
    assert Vote.objects.filter(nomination__group=group).count() > 20  # the mix did vote
    assert _mismatches() == {}
