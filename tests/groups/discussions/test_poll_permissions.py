"""Every time poll URL tried by each kind of visitor, with the wrong method, and without CSRF."""

import pytest
from django.test import Client

from groups.models import DiscussionSession, PollAnswer, TimePoll
from tests.groups.discussions.conftest import make_cast, nominate
from tests.groups.discussions.polls import make_poll, supported
from tests.people import Cast

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "organizer", "owner", "staff"]


def urls(cast: Cast) -> tuple[dict[str, str], TimePoll]:
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member, cast.owner))
    nominate(cast.group, votes=1)
    base = f"/g/{cast.group.slug}/polls"
    slot = poll.slots.first()
    return {
        "new": f"{base}/new/",
        "detail": f"{base}/{poll.pk}/",
        "answer": f"{base}/{poll.pk}/slots/{slot.pk}/answer/",
        "pick": f"{base}/{poll.pk}/pick/",
        "cancel": f"{base}/{poll.pk}/cancel/",
    }, poll


CALLS = [
    ("new", "get", None),
    ("detail", "get", None),
    ("answer", "post", {"answer": "yes"}),
    ("cancel", "post", {}),
]
# Everyone outside the group gets 404, public group or not (polls are the members' business);
# the member and the owner are invited (they answer), the organizer is not (refused, back to the
# page with why).
EXPECTED = {
    "new": [404, 404, 403, 200, 200, 404],
    "detail": [404, 404, 200, 200, 200, 404],
    "answer": [404, 404, 302, 302, 302, 404],
    "cancel": [404, 404, 403, 302, 302, 404],
}


@pytest.mark.parametrize("visibility", ["public", "private"])
@pytest.mark.parametrize(("name", "method", "data"), CALLS)
@pytest.mark.parametrize("role", ROLES)
def test_it_lets_each_visitor_do_what_their_role_allows(
    visibility: str, name: str, method: str, data: dict | None, role: str
) -> None:
    cast = make_cast(visibility=visibility)
    paths, poll = urls(cast)

    response = getattr(cast.client(role), method)(paths[name], data or {})

    assert response.status_code == EXPECTED[name][ROLES.index(role)]
    if name == "answer":
        answered = {a.invitee.user for a in PollAnswer.objects.select_related("invitee__user")}
        invited = {"member": cast.member, "owner": cast.owner}
        assert answered == ({invited[role]} if role in invited else set())
    if name == "cancel":
        poll.refresh_from_db()
        cancelled = role in ("organizer", "owner")
        assert poll.status == ("cancelled" if cancelled else "open")


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_organizers_pick(role: str) -> None:
    cast = make_cast()
    paths, poll = urls(cast)

    response = cast.client(role).post(paths["pick"], {"slot": poll.slots.first().pk})

    expected = {"member": 403, "organizer": 302, "owner": 302}.get(role, 404)
    assert response.status_code == expected
    assert DiscussionSession.objects.count() == (1 if expected == 302 else 0)


def test_it_refuses_an_organizer_creating_a_poll_in_another_group() -> None:
    cast = make_cast()
    paths, _ = urls(cast)

    client = Client()
    client.force_login(cast.other_organizer)

    assert client.get(paths["new"]).status_code == 404


@pytest.mark.parametrize("name", ["answer", "pick", "cancel"])
def test_it_refuses_get_on_actions(name: str) -> None:
    cast = make_cast()
    paths, poll = urls(cast)

    response = cast.client("organizer").get(paths[name])

    assert response.status_code == 405
    poll.refresh_from_db()
    assert poll.status == "open"


def test_it_refuses_a_detail_post() -> None:
    cast = make_cast()
    paths, _ = urls(cast)

    assert cast.client("member").post(paths["detail"]).status_code == 405


@pytest.mark.parametrize("name", ["new", "answer", "pick", "cancel"])
def test_it_refuses_posts_without_the_csrf_token(name: str) -> None:
    cast = make_cast()
    paths, poll = urls(cast)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.owner)  # an organizer and an invitee

    response = client.post(paths[name], {"answer": "yes", "slot": poll.slots.first().pk})

    assert response.status_code == 403
    poll.refresh_from_db()
    assert (poll.status, PollAnswer.objects.count(), TimePoll.objects.count()) == ("open", 0, 1)
