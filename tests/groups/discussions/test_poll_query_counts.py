"""The poll page and an htmx answer cost the same number of queries for 2 slots as for 8, and
for 2 invitees as for 200."""

import pytest

from groups.models import Membership, PollAnswer, PollInvitee, Vote
from tests.factories import UserFactory
from tests.groups.discussions.conftest import make_cast, nominate
from tests.groups.discussions.polls import make_poll
from tests.people import Cast

pytestmark = pytest.mark.django_db


def fill(cast: Cast, slots: int, invitees: int):
    """A poll of `slots` slots asking `invitees` people (the member among them), each of whom
    has answered every slot."""
    nomination = nominate(cast.group)
    others = UserFactory.create_batch(invitees - 1)
    Membership.objects.bulk_create(Membership(group=cast.group, user=u) for u in others)
    Vote.objects.bulk_create(Vote(nomination=nomination, user=u) for u in [cast.member, *others])
    poll = make_poll(cast, nomination, slots=slots, presenter=cast.member)
    people = list(PollInvitee.objects.filter(poll=poll))
    PollAnswer.objects.bulk_create(
        PollAnswer(slot=slot, invitee=invitee, answer=["yes", "maybe", "no"][i % 3])
        for slot in poll.slots.all()
        for i, invitee in enumerate(people)
    )
    return poll


SIZES = [(2, 2), (8, 2), (2, 200), (8, 200)]


@pytest.mark.parametrize(("slots", "invitees"), SIZES)
@pytest.mark.parametrize(("role", "queries"), [("member", 7), ("organizer", 7)])
def test_it_pins_the_poll_page(
    django_assert_num_queries, slots: int, invitees: int, role: str, queries: int
) -> None:
    cast = make_cast()
    poll = fill(cast, slots, invitees)
    client = cast.client(role)

    # session + user, membership with group, the poll with its paper, slots, answers, invitees
    # with their people; the organizer's page is the same reads
    with django_assert_num_queries(queries):
        response = client.get(f"/g/{cast.group.slug}/polls/{poll.pk}/")

    assert response.status_code == 200
    assert len(response.context["page"].slots) == slots
    assert len(response.context["page"].invitees) == invitees


@pytest.mark.parametrize(("slots", "invitees"), SIZES)
def test_it_pins_an_htmx_answer(django_assert_num_queries, slots: int, invitees: int) -> None:
    cast = make_cast()
    poll = fill(cast, slots, invitees)
    slot = poll.slots.last()
    client = cast.client("member")
    url = f"/g/{cast.group.slug}/polls/{poll.pk}/slots/{slot.pk}/answer/"

    # session + user, membership with group, the poll and the slot; the answer (savepoint, the
    # invitee, the poll's lock, update_or_create's savepoint, select, update and two releases);
    # then the row: the poll page's four reads
    with django_assert_num_queries(17):
        response = client.post(url, {"answer": "yes"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert PollAnswer.objects.get(slot=slot, invitee__user=cast.member).answer == "yes"


@pytest.mark.parametrize("polls", [1, 5])
def test_it_pins_the_group_home_with_polls(django_assert_num_queries, polls: int) -> None:
    cast = make_cast()
    for _ in range(polls):
        nomination = nominate(cast.group)
        Vote.objects.create(nomination=nomination, user=cast.member)
        make_poll(cast, nomination)
    client = cast.client("member")

    # the home page's seven (tests/groups/membership/test_home.py) and the member's polls
    with django_assert_num_queries(8):
        response = client.get(f"/g/{cast.group.slug}/")

    assert len(response.context["my_polls"]) == polls
