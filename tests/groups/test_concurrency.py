"""Many requests at once against PostgreSQL: the database constraints and row locks hold."""

from collections.abc import Callable

from django.test import Client

from groups.membership.services import MembershipError, invitation_accept, membership_role_change
from groups.models import Membership, Nomination, User, Vote
from tests.concurrency import POSTGRES_THREADS, at_once
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    NominationFactory,
    ReadingGroupFactory,
    UserFactory,
)

pytestmark = POSTGRES_THREADS


def _vote_post(user, url: str, *, htmx: bool) -> Callable[[], int]:
    def post() -> int:
        client = Client(raise_request_exception=True)
        client.force_login(user)
        headers = {"HX-Request": "true"} if htmx else {}
        return client.post(url, headers=headers).status_code

    return post


def test_it_keeps_one_vote_when_a_member_votes_twenty_timesat_once() -> None:
    nomination = NominationFactory()
    member = MembershipFactory(group=nomination.group).user
    url = f"/g/{nomination.group.slug}/n/{nomination.pk}/vote/"

    statuses, errors = at_once([_vote_post(member, url, htmx=i % 2 == 0) for i in range(20)])

    assert errors == []
    assert sorted(set(statuses)) == [200, 302]
    assert Vote.objects.filter(nomination=nomination, user=member).count() == 1
    nomination.refresh_from_db()
    assert nomination.vote_count == 1  # the stored count the ballot ranks by


def test_it_counts_every_member_votingat_once() -> None:
    nomination = NominationFactory()
    members = [MembershipFactory(group=nomination.group).user for _ in range(20)]
    url = f"/g/{nomination.group.slug}/n/{nomination.pk}/vote/"

    statuses, errors = at_once([_vote_post(m, url, htmx=True) for m in members])

    assert errors == []
    assert statuses == [200] * 20
    assert Vote.objects.filter(nomination=nomination).count() == 20
    nomination.refresh_from_db()
    assert nomination.vote_count == 20


def test_it_counts_votes_and_take_backs_at_once_with_accounts_deleted_meanwhile() -> None:
    nominations = NominationFactory.create_batch(3)
    group = nominations[0].group
    for nomination in nominations[1:]:
        Nomination.objects.filter(pk=nomination.pk).update(group=group)
    voters = [MembershipFactory(group=group).user for _ in range(12)]
    leaving = [MembershipFactory(group=group).user for _ in range(4)]
    for user in voters[6:] + leaving:  # these have voted for all three
        Vote.objects.bulk_create(Vote(nomination=n, user=user) for n in nominations)

    def vote_all(user, action: str) -> Callable[[], None]:
        def job() -> None:
            client = Client(raise_request_exception=True)
            client.force_login(user)
            for nomination in nominations:
                url = f"/g/{group.slug}/n/{nomination.pk}/{action}/"
                client.post(url, headers={"HX-Request": "true"})

        return job

    def delete(user) -> Callable[[], None]:
        return lambda: User.objects.get(pk=user.pk).delete()

    _, errors = at_once(
        [vote_all(u, "vote") for u in voters[:6]]
        + [vote_all(u, "unvote") for u in voters[6:]]
        + [delete(u) for u in leaving]
    )

    assert errors == []
    for nomination in nominations:
        nomination.refresh_from_db()
        assert nomination.vote_count == Vote.objects.filter(nomination=nomination).count() == 6


def test_it_admits_no_more_people_than_an_invitation_allows() -> None:
    invitation = InvitationFactory(max_uses=3)
    people = UserFactory.create_batch(12)

    def accept(user) -> Callable[[], object]:
        def job() -> object:
            try:
                return invitation_accept(invitation=invitation, user=user)
            except MembershipError as exc:
                return exc

        return job

    results, errors = at_once([accept(u) for u in people])

    assert errors == []
    assert sum(1 for r in results if isinstance(r, MembershipError)) == 9
    assert Membership.objects.filter(group=invitation.group).count() == 3
    invitation.refresh_from_db()
    assert invitation.use_count == 3


def test_it_never_leaves_a_group_without_an_owner_when_owners_step_downat_once() -> None:
    group = ReadingGroupFactory()
    first = MembershipFactory(group=group, role=Membership.Role.OWNER)
    second = MembershipFactory(group=group, role=Membership.Role.OWNER)

    def demote(target: Membership, by: Membership) -> Callable[[], object]:
        def job() -> object:
            try:
                return membership_role_change(membership=target, role=Membership.Role.MEMBER, by=by)
            except MembershipError as exc:
                return exc

        return job

    results, errors = at_once([demote(first, second), demote(second, first)])

    assert errors == []
    assert Membership.objects.filter(group=group, role=Membership.Role.OWNER).count() == 1
    assert sum(1 for r in results if isinstance(r, MembershipError)) == 1


def test_it_gives_every_change_at_once_its_own_ballot_version() -> None:
    """Two tabs, many members, one instant: versions stay a total order, one step per change."""
    from groups.models import ReadingGroup
    from groups.voting.services import nomination_create, vote_cast
    from tests.factories import PaperFactory

    group = ReadingGroupFactory()
    nominations = NominationFactory.create_batch(4, group=group)
    members = [MembershipFactory(group=group).user for _ in range(8)]
    start = ReadingGroup.objects.get(pk=group.pk).ballot_version
    jobs: list[Callable[[], object]] = [
        (lambda m=member, n=nomination: vote_cast(nomination=n, user=m))
        for member in members
        for nomination in nominations[:2]
    ]
    jobs += [lambda: nomination_create(group=group, user=members[0], paper=PaperFactory())]

    results, errors = at_once(jobs)

    assert errors == []
    versions = [r.version for r in results if hasattr(r, "version")]
    # 16 votes and a nomination: 17 versions, each change its own (the nomination took the gap).
    assert len(versions) == len(set(versions)) == 16
    assert set(versions) <= set(range(start + 1, start + 18))
    assert ReadingGroup.objects.get(pk=group.pk).ballot_version == start + 17
