"""Deciding together under concurrency, on PostgreSQL: the constraints that hold when requests
arrive at once (ranks, poll answers, decided rounds)."""

from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from groups.discussions.services import NominationAlreadyScheduled, session_schedule
from groups.models import (
    BallotRound,
    BallotRoundVoter,
    DiscussionSession,
    PollAnswer,
    Ranking,
    Vote,
)
from groups.voting.services import ballot_method_set
from tests.concurrency import POSTGRES_THREADS, at_once
from tests.factories import NominationFactory
from tests.groups.discussions.conftest import make_cast
from tests.groups.discussions.polls import make_poll

pytestmark = POSTGRES_THREADS


def test_two_nominations_never_share_a_members_rank_even_written_at_once() -> None:
    cast = make_cast()
    ballot_method_set(group=cast.group, method="ranked")
    papers = NominationFactory.create_batch(6, group=cast.group)

    def rank_first(nomination_id: int) -> Callable[[], str]:
        def write() -> str:
            try:
                with transaction.atomic():
                    Ranking.objects.create(
                        group=cast.group, nomination_id=nomination_id, user=cast.member, rank=1
                    )
            except IntegrityError:
                return "refused"
            return "written"

        return write

    results, errors = at_once([rank_first(p.pk) for p in papers])

    assert errors == []
    assert sorted(results) == ["refused"] * 5 + ["written"]
    assert Ranking.objects.filter(user=cast.member, rank=1).count() == 1


def test_one_answer_per_person_and_time_when_they_answer_at_once() -> None:
    cast = make_cast()
    nomination = NominationFactory(group=cast.group)
    Vote.objects.create(nomination=nomination, user=cast.member)
    poll = make_poll(cast, nomination)
    slot = poll.slots.first()

    def answer(value: str) -> Callable[[], int]:
        def post() -> int:
            client = Client(raise_request_exception=True)
            client.force_login(cast.member)
            url = f"/g/{cast.group.slug}/polls/{poll.pk}/slots/{slot.pk}/answer/"
            return client.post(url, {"answer": value}).status_code

        return post

    statuses, errors = at_once([answer(v) for v in ["yes", "maybe", "no"] * 3])

    assert errors == []
    assert statuses == [302] * 9
    answers = PollAnswer.objects.filter(slot=slot, invitee__user=cast.member)
    assert answers.count() == 1 and answers.get().answer in {"yes", "maybe", "no"}


def test_scheduling_at_once_decides_one_round_with_its_voters_once() -> None:
    cast = make_cast()
    winner, other = NominationFactory.create_batch(2, group=cast.group)
    Vote.objects.bulk_create(
        [
            Vote(nomination=winner, user=cast.owner),
            Vote(nomination=other, user=cast.member),
        ]
    )

    def schedule() -> str:
        try:
            session_schedule(
                group=cast.group,
                nomination=winner,
                starts_at=timezone.now() + timedelta(days=2),
                duration=timedelta(hours=1),
                created_by=cast.organizer,
            )
        except NominationAlreadyScheduled:
            return "already"
        return "scheduled"

    results, errors = at_once([schedule] * 6)

    assert errors == []
    assert sorted(results) == ["already"] * 5 + ["scheduled"]
    assert DiscussionSession.objects.filter(group=cast.group).count() == 1
    decided = BallotRound.objects.get(group=cast.group)
    assert decided.nomination_id == winner.pk
    assert sorted(BallotRoundVoter.objects.values_list("user_id", "won")) == sorted(
        [(cast.owner.pk, True), (cast.member.pk, False)]
    )
