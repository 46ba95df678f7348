"""Ranked ballots' data: the constraints, saving a ranking, and switching the group's method."""

import pytest
from django.db import IntegrityError, transaction

from groups.models import Nomination, Ranking, ReadingGroup, Vote
from groups.voting.services import (
    VotingError,
    ballot_method_set,
    ranking_save,
    vote_cast,
    vote_withdraw,
)
from tests.factories import NominationFactory, RankingFactory, VoteFactory
from tests.people import Cast

pytestmark = pytest.mark.django_db


def _ranks(cast: Cast, user=None) -> list[tuple[int, int]]:
    user = user or cast.member
    return list(
        Ranking.objects.filter(group=cast.group, user=user)
        .order_by("rank")
        .values_list("nomination_id", "rank")
    )


def _voted(cast: Cast, user=None) -> set[int]:
    user = user or cast.member
    return set(
        Vote.objects.filter(user=user, nomination__group=cast.group).values_list(
            "nomination_id", flat=True
        )
    )


def test_it_holds_one_ranking_per_member_per_nomination(cast: Cast) -> None:
    nomination = NominationFactory(group=cast.group)
    RankingFactory(nomination=nomination, user=cast.member, rank=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        RankingFactory(nomination=nomination, user=cast.member, rank=2)


def test_it_holds_one_nomination_per_rank_per_member(cast: Cast) -> None:
    first, second = NominationFactory.create_batch(2, group=cast.group)
    RankingFactory(nomination=first, user=cast.member, rank=1)
    RankingFactory(nomination=first, user=cast.organizer, rank=1)  # another member: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        RankingFactory(nomination=second, user=cast.member, rank=1)


def test_it_refuses_a_rank_below_one(cast: Cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        RankingFactory(nomination=NominationFactory(group=cast.group), user=cast.member, rank=0)


def test_it_refuses_an_unknown_ballot_method(cast: Cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadingGroup.objects.filter(pk=cast.group.pk).update(ballot_method="borda")
    with pytest.raises(VotingError):
        ballot_method_set(group=cast.group, method="borda")


def test_it_saves_a_ranking_with_its_votes_and_bumps_the_version(cast: Cast) -> None:
    a, b, c = NominationFactory.create_batch(3, group=cast.group)
    VoteFactory(nomination=c, user=cast.member)  # an approval vote left unranked: taken back
    cast.group.refresh_from_db()
    version = cast.group.ballot_version

    change = ranking_save(group=cast.group, user=cast.member, order=[b.pk, a.pk])

    assert change.changed and change.version == version + 1
    assert _ranks(cast) == [(b.pk, 1), (a.pk, 2)]
    assert _voted(cast) == {a.pk, b.pk}


def test_it_reorders_and_changes_nothing_on_a_second_identical_save(cast: Cast) -> None:
    a, b, c = NominationFactory.create_batch(3, group=cast.group)
    ranking_save(group=cast.group, user=cast.member, order=[a.pk, b.pk, c.pk])

    swapped = ranking_save(group=cast.group, user=cast.member, order=[c.pk, a.pk, b.pk])
    again = ranking_save(group=cast.group, user=cast.member, order=[c.pk, a.pk, b.pk])

    assert swapped.changed and not again.changed
    assert again.version == swapped.version
    assert _ranks(cast) == [(c.pk, 1), (a.pk, 2), (b.pk, 3)]


def test_it_refuses_repeats_outsiders_and_other_groups_papers(cast: Cast) -> None:
    mine = NominationFactory(group=cast.group)
    theirs = NominationFactory(group=cast.other_group)
    with pytest.raises(VotingError, match="one place"):
        ranking_save(group=cast.group, user=cast.member, order=[mine.pk, mine.pk])
    with pytest.raises(VotingError, match="not on this group"):
        ranking_save(group=cast.group, user=cast.member, order=[mine.pk, theirs.pk])
    with pytest.raises(VotingError, match="Only members"):
        ranking_save(group=cast.group, user=cast.outsider, order=[mine.pk])
    assert Ranking.objects.count() == 0


def test_it_skips_papers_that_left_the_ballot_since_the_page_was_read(cast: Cast) -> None:
    a, b = NominationFactory.create_batch(2, group=cast.group)
    Nomination.objects.filter(pk=a.pk).update(status=Nomination.Status.SCHEDULED)

    ranking_save(group=cast.group, user=cast.member, order=[a.pk, b.pk])

    assert _ranks(cast) == [(b.pk, 1)]


def test_it_drops_the_rank_with_the_vote(cast: Cast) -> None:
    a, b = NominationFactory.create_batch(2, group=cast.group)
    ranking_save(group=cast.group, user=cast.member, order=[a.pk, b.pk])

    vote_withdraw(nomination=a, user=cast.member)

    assert _ranks(cast) == [(b.pk, 2)]  # a gap: the count reads ranks in order


def test_switching_to_ranked_keeps_votes_as_unranked_preferences_and_back(cast: Cast) -> None:
    a, b, c = NominationFactory.create_batch(3, group=cast.group)
    vote_cast(nomination=a, user=cast.member)
    vote_cast(nomination=b, user=cast.member)
    cast.group.refresh_from_db()
    version = cast.group.ballot_version

    assert ballot_method_set(group=cast.group, method="ranked")
    cast.group.refresh_from_db()
    assert cast.group.is_ranked and cast.group.ballot_version == version + 1
    assert _voted(cast) == {a.pk, b.pk} and _ranks(cast) == []  # unranked preferences

    ranking_save(group=cast.group, user=cast.member, order=[c.pk, a.pk])
    assert ballot_method_set(group=cast.group, method="approval")
    assert _voted(cast) == {a.pk, c.pk}  # the ranked papers are the approval votes
    assert _ranks(cast) == [(c.pk, 1), (a.pk, 2)]  # kept for the next switch

    assert ballot_method_set(group=cast.group, method="ranked")
    assert _ranks(cast) == [(c.pk, 1), (a.pk, 2)]
    assert not ballot_method_set(group=cast.group, method="ranked")  # no change, no bump


def test_switching_back_to_approval_gives_every_rank_its_vote(cast: Cast) -> None:
    ballot_method_set(group=cast.group, method="ranked")
    nomination = NominationFactory(group=cast.group)
    RankingFactory(nomination=nomination, user=cast.member, rank=1)  # a rank without its vote

    ballot_method_set(group=cast.group, method="approval")

    assert _voted(cast) == {nomination.pk}


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "staff"])
def test_only_organizers_choose_the_ballot_method(cast: Cast, role: str) -> None:
    response = cast.client(role).post(
        f"/g/{cast.group.slug}/settings/", {"ballot_method": "ranked"}
    )
    assert response.status_code in {302, 403, 404}
    cast.group.refresh_from_db()
    assert not cast.group.is_ranked


def test_organizers_choose_the_ballot_method_in_the_settings(cast: Cast) -> None:
    client = cast.client("organizer")
    page = client.get(f"/g/{cast.group.slug}/settings/").content.decode()
    assert 'name="ballot_method"' in page and "Ranked choice" in page
    fields = {
        "name": cast.group.name,
        "description": "",
        "visibility": "public",
        "join_policy": "open",
        "time_zone": "UTC",
    }

    response = client.post(f"/g/{cast.group.slug}/settings/", fields | {"ballot_method": "ranked"})

    assert response.status_code == 302
    cast.group.refresh_from_db()
    assert cast.group.is_ranked
    client.post(f"/g/{cast.group.slug}/settings/", fields)  # no choice sent: unchanged
    cast.group.refresh_from_db()
    assert cast.group.is_ranked
