"""Rankings saved at once against PostgreSQL: two tabs of one member, and many members."""

from collections.abc import Callable

from django.db.models import Count
from django.test import Client

from groups.models import Nomination, Ranking, ReadingGroup, User, Vote
from groups.voting.services import ballot_method_set, ranking_save
from tests.concurrency import POSTGRES_THREADS, at_once
from tests.factories import MembershipFactory, NominationFactory, ReadingGroupFactory

pytestmark = POSTGRES_THREADS


def _save(
    user: User, group: ReadingGroup, order: list[Nomination], *, htmx: bool
) -> Callable[[], int]:
    shown = Nomination.objects.filter(group=group).open().values_list("id", flat=True)
    data = {f"rank-{pk}": "" for pk in shown} | {
        f"rank-{n.pk}": str(rank) for rank, n in enumerate(order, start=1)
    }
    data["shown"] = ",".join(str(pk) for pk in shown)

    def post() -> int:
        client = Client(raise_request_exception=True)
        client.force_login(user)
        headers = {"HX-Request": "true"} if htmx else {}
        return client.post(f"/g/{group.slug}/ballot/rank/", data, headers=headers).status_code

    return post


def _ranked_group() -> tuple[ReadingGroup, list[Nomination]]:
    group = ReadingGroupFactory()
    ballot_method_set(group=group, method="ranked")
    return group, NominationFactory.create_batch(4, group=group)


def _counts_match(group: ReadingGroup) -> bool:
    """Every nomination's stored vote_count is its number of votes."""
    rows = Nomination.objects.filter(group=group).annotate(n=Count("votes"))
    return all(stored == counted for stored, counted in rows.values_list("vote_count", "n"))


def _order(group: ReadingGroup, user: User) -> list[int]:
    return list(
        Ranking.objects.filter(group=group, user=user)
        .order_by("rank")
        .values_list("nomination_id", flat=True)
    )


def test_two_tabs_saving_at_once_leave_one_whole_ranking() -> None:
    group, (a, b, c, d) = _ranked_group()
    member = MembershipFactory(group=group).user
    first, second = [a, b, c], [d, c]
    before = ReadingGroup.objects.get(pk=group.pk).ballot_version

    for round_ in range(5):
        jobs = [_save(member, group, first, htmx=True), _save(member, group, second, htmx=False)]
        if round_ % 2:
            jobs.reverse()
        statuses, errors = at_once(jobs)

        assert errors == []
        assert sorted(statuses) == [200, 302]
        order = _order(group, member)
        assert order in ([n.pk for n in first], [n.pk for n in second])
        voted = set(Vote.objects.filter(user=member).values_list("nomination_id", flat=True))
        assert voted == set(order)  # the votes are those of the ranking that stands
    # every save that changed the ballot raised the version once
    after = ReadingGroup.objects.get(pk=group.pk).ballot_version
    assert before < after <= before + 10


def test_every_member_saving_at_once_is_counted() -> None:
    group, (a, b, c, d) = _ranked_group()
    members = [MembershipFactory(group=group).user for _ in range(12)]
    orders = [[a, b], [b, c, d], [c], [d, a]]

    statuses, errors = at_once(
        [_save(m, group, orders[i % 4], htmx=i % 2 == 0) for i, m in enumerate(members)]
    )

    assert errors == []
    assert sorted(set(statuses)) == [200, 302]
    for i, member in enumerate(members):
        assert _order(group, member) == [n.pk for n in orders[i % 4]]
    assert ReadingGroup.objects.get(pk=group.pk).ballot_version == 1 + 12  # the switch, the saves
    assert _counts_match(group)


def test_members_swapping_papers_at_once_wait_for_each_other_and_are_counted() -> None:
    """Half the members move their votes from a, b to c, d and the other half the other way, at
    once: each save changes the counts of all four papers (the votes' triggers lock them), so
    without the save locking them in one order first, two saves would deadlock."""
    group, (a, b, c, d) = _ranked_group()
    members = [MembershipFactory(group=group).user for _ in range(10)]
    for i, member in enumerate(members):
        ranking_save(group=group, user=member, order=[n.pk for n in ([a, b], [c, d])[i % 2]])

    for round_ in range(3):
        swapped = [([d, c], [b, a]), ([a, b], [c, d])][round_ % 2]
        statuses, errors = at_once(
            [_save(m, group, swapped[i % 2], htmx=True) for i, m in enumerate(members)]
        )

        assert errors == []
        assert statuses == [200] * len(members)
        assert _counts_match(group)
    assert Nomination.objects.get(pk=a.pk).vote_count == 5
