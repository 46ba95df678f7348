"""Every group URL, tried by every kind of visitor with GET and POST.

Private groups do not exist for outsiders (404, anonymous visitors and staff included: staff moderate
in the admin). Public groups are readable by anyone; anonymous visitors are sent to sign in for
actions; signed-in outsiders get 403 for member actions; members get 403 for organizer actions.
A method a URL does not take answers 405 before anything is looked up.

Each cell is checked exactly: the status, where a redirect goes, the message it flashes, and
whether the group's rows changed (an action that was done changed them; a refusal, a page and a
redirect that says no left every row as it was).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.urls import reverse

from groups.models import Membership, ReadingGroup
from tests.factories import (
    InvitationFactory,
    JoinRequestFactory,
    NominationFactory,
    PaperFactory,
    VoteFactory,
)
from tests.people import Cast, make_cast

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "staff", "member", "organizer", "owner")
OUTSIDERS = {"anonymous", "outsider", "staff"}


@dataclass
class Scene:
    cast: Cast
    objects: dict[str, Any]


def _scene(visibility: str) -> Scene:
    cast = make_cast(visibility=visibility)
    member = Membership.objects.get(group=cast.group, user=cast.member)
    nomination = NominationFactory(group=cast.group, nominated_by=cast.member)
    # Everyone in the group has voted for it (so each can take the vote back); nobody has voted
    # for the unvoted one (so each can vote): a vote or unvote that changes nothing is no proof.
    for voter in (cast.member, cast.organizer, cast.owner):
        VoteFactory(nomination=nomination, user=voter)
    return Scene(
        cast=cast,
        objects={
            "nomination": nomination,
            "unvoted": NominationFactory(group=cast.group, nominated_by=cast.member),
            "membership": member,
            "invitation": InvitationFactory(group=cast.group),
            "join_request": JoinRequestFactory(group=cast.group),
            "paper": PaperFactory(),
        },
    )


@dataclass(frozen=True)
class Route:
    name: str
    kind: str  # read, member, organizer or join
    methods: frozenset[str]
    obj: str | None = None  # which scene object's pk goes in the URL
    data: Callable[[Scene], dict[str, str]] = lambda scene: {}

    def done_url(self, scene: Scene) -> str:
        """Where the action redirects once done."""
        done = DONE.get(self.name, "group_ballot")
        return reverse(done, args=[] if done == "group_mine" else [scene.cast.group.slug])

    def url(self, scene: Scene) -> str:
        args: list[Any] = [scene.cast.group.slug]
        if self.obj:
            args.append(scene.objects[self.obj].pk)
        return reverse(self.name, args=args)


DONE = {
    "group_join": "group_home",
    "group_leave": "group_mine",
    "group_member_role": "group_members",
    "group_member_remove": "group_members",
    "group_settings": "group_settings",
    "group_invitations": "group_invitations",
    "group_invite_email": "group_invitations",
    "group_invitation_revoke": "group_invitations",
    "group_request_approve": "group_requests",
    "group_request_decline": "group_requests",
}
GET, POST, BOTH = frozenset({"GET"}), frozenset({"POST"}), frozenset({"GET", "POST"})
ROUTES = [
    Route("group_home", "read", GET),
    Route("group_ballot", "read", GET),
    Route("group_members", "read", GET),
    Route("group_nomination", "read", GET, "nomination"),
    Route("group_join", "join", BOTH),
    Route("group_leave", "member", BOTH),
    Route(
        "group_nominate",
        "member",
        BOTH,
        data=lambda scene: {"paper": scene.objects["paper"].arxiv_id, "pitch": "Good one"},
    ),
    Route("group_vote", "member", POST, "unvoted"),
    Route("group_unvote", "member", POST, "nomination"),
    Route("group_withdraw", "member", POST, "unvoted"),
    Route("group_archive", "organizer", POST, "nomination"),
    Route("group_member_role", "organizer", POST, "membership", lambda s: {"role": "organizer"}),
    Route("group_member_remove", "organizer", BOTH, "membership"),
    Route(
        "group_settings",
        "organizer",
        BOTH,
        data=lambda scene: {
            "name": "Renamed",
            "description": "",
            "visibility": scene.cast.group.visibility,
            "join_policy": "open",
            "time_zone": "Europe/Paris",
        },
    ),
    Route("group_invitations", "organizer", BOTH, data=lambda s: {"days": "7", "max_uses": "5"}),
    Route("group_invite_email", "organizer", POST, data=lambda s: {"email": "new@example.org"}),
    Route("group_invitation_revoke", "organizer", POST, "invitation"),
    Route("group_requests", "organizer", GET),
    Route("group_request_approve", "organizer", POST, "join_request"),
    Route("group_request_decline", "organizer", POST, "join_request"),
]


# Rows the group's actions write; reading them whole before and after tells whether a cell changed
# anything.
WRITTEN = [
    "groups.ReadingGroup",
    "groups.Membership",
    "groups.Nomination",
    "groups.Vote",
    "groups.Invitation",
    "groups.JoinRequest",
]


def _rows() -> dict[str, list[dict]]:
    return {label: list(apps.get_model(label).objects.order_by("pk").values()) for label in WRITTEN}


@dataclass(frozen=True)
class Outcome:
    status: int
    location: str = ""
    message: tuple[str, str] | None = None  # (level, text); a success's text is not compared
    changed: bool = False


SUCCESS = ("success", "")
# Redirects that say no: signed-in people the rules let in, asking for what cannot be done.
ALREADY_A_MEMBER = ("info", "You are already a member.")
LAST_OWNER = ("error", "A group needs at least one owner: make someone else an owner first.")
NOT_THE_NOMINATOR = ("error", "Only the member who nominated a paper can withdraw it.")


def _expected(route: Route, role: str, scene: Scene, *, method: str) -> Outcome:
    slug = scene.cast.group.slug
    public = scene.cast.group.visibility == ReadingGroup.Visibility.PUBLIC
    if method not in route.methods:
        return Outcome(405)
    if not public and role in OUTSIDERS:
        return Outcome(404)
    if route.kind == "read":
        return Outcome(200)
    if role == "anonymous":
        # A POST returns to the group after signing in; the join page is itself the form.
        back = route.url(scene) if method == "GET" or route.kind == "join" else f"/g/{slug}/"
        return Outcome(302, f"/accounts/login/?next={back}")
    if route.kind == "join":
        if role in OUTSIDERS:
            return Outcome(200) if method == "GET" else _done(route, scene)
        return Outcome(302, f"/g/{slug}/", ALREADY_A_MEMBER)
    if role in OUTSIDERS:
        return Outcome(403)
    if route.kind == "organizer" and role == "member":
        return Outcome(403)
    if method == "GET":
        return Outcome(200)
    if route.name == "group_leave" and role == "owner":
        return Outcome(302, reverse("group_members", args=[slug]), LAST_OWNER)
    if route.name == "group_withdraw" and role != "member":
        return Outcome(302, route.done_url(scene), NOT_THE_NOMINATOR)
    return _done(route, scene)


def _done(route: Route, scene: Scene) -> Outcome:
    return Outcome(302, route.done_url(scene), SUCCESS, changed=True)


def _outcome(response: HttpResponse, *, changed: bool) -> Outcome:
    messages = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert len(messages) <= 1, messages
    message = messages[0] if messages else None
    if message and message[0] == "success":
        message = SUCCESS
    return Outcome(response.status_code, response.get("Location", ""), message, changed)


def _sign_in_or_ok(response: HttpResponse) -> str:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return "sign in"
    assert response.status_code == 200, response.status_code
    return "ok"


@pytest.mark.parametrize("visibility", ["public", "private"])
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_it_answers_every_visitor_as_the_rules_say(route: Route, visibility: str) -> None:
    reading_scene = _scene(visibility)
    expected: dict[tuple[str, str], Outcome] = {}
    actual: dict[tuple[str, str], Outcome] = {}
    for role in ROLES:
        for method in ("GET", "POST"):
            # Every POST gets a fresh group so one visitor's action cannot change the next one's.
            scene = reading_scene if method == "GET" else _scene(visibility)
            client = scene.cast.client(role)
            url = route.url(scene)
            before = _rows()
            response = client.get(url) if method == "GET" else client.post(url, route.data(scene))
            expected[role, method] = _expected(route, role, scene, method=method)
            actual[role, method] = _outcome(response, changed=_rows() != before)
    assert actual == expected


def test_it_sends_anonymous_visitors_back_to_the_group_after_signing_in() -> None:
    scene = _scene("public")
    response = scene.cast.client("anonymous").post(
        reverse("group_vote", args=[scene.cast.group.slug, scene.objects["nomination"].pk])
    )
    assert response["Location"] == f"/accounts/login/?next=/g/{scene.cast.group.slug}/"


def test_it_404s_nominations_of_another_group() -> None:
    scene = _scene("public")
    elsewhere = NominationFactory()
    client = scene.cast.client("owner")
    slug = scene.cast.group.slug
    assert client.get(f"/g/{slug}/n/{elsewhere.pk}/").status_code == 404
    assert client.post(f"/g/{slug}/n/{elsewhere.pk}/vote/").status_code == 404
    assert client.post(f"/g/{slug}/n/{elsewhere.pk}/archive/").status_code == 404


def test_it_404s_members_invitations_and_requests_of_another_group() -> None:
    scene, other = _scene("public"), _scene("public")
    client = scene.cast.client("owner")
    slug = scene.cast.group.slug
    assert (
        client.post(f"/g/{slug}/members/{other.objects['membership'].pk}/remove/").status_code
        == 404
    )
    assert (
        client.post(f"/g/{slug}/invitations/{other.objects['invitation'].pk}/revoke/").status_code
        == 404
    )
    assert (
        client.post(f"/g/{slug}/requests/{other.objects['join_request'].pk}/approve/").status_code
        == 404
    )


def test_it_404s_an_unknown_group() -> None:
    scene = _scene("public")
    assert scene.cast.client("owner").get("/g/no-such-group/").status_code == 404


@pytest.mark.parametrize(
    ("path", "anonymous", "signed_in"),
    [
        ("/groups/", "ok", "ok"),
        ("/groups/mine/", "sign in", "ok"),
        ("/groups/new/", "sign in", "ok"),
    ],
)
def test_it_guards_the_site_wide_group_pages(path: str, anonymous: str, signed_in: str) -> None:
    cast = make_cast()
    assert _sign_in_or_ok(cast.client("anonymous").get(path)) == anonymous
    assert _sign_in_or_ok(cast.client("outsider").get(path)) == signed_in
    assert cast.client("outsider").put(path).status_code == 405


def test_it_guards_the_nominate_to_page() -> None:
    cast = make_cast()
    paper = PaperFactory()
    path = f"/nominate/{paper.arxiv_id}/"
    assert _sign_in_or_ok(cast.client("anonymous").get(path)) == "sign in"
    assert (
        _sign_in_or_ok(cast.client("anonymous").post(path, {"group": cast.group.slug})) == "sign in"
    )
    assert cast.client("member").get(path).status_code == 200
    assert cast.client("member").delete(path).status_code == 405


def test_it_refuses_a_vote_without_a_csrf_token() -> None:
    from django.test import Client

    scene = _scene("public")
    client = Client(enforce_csrf_checks=True)
    client.force_login(scene.cast.member)
    nomination = scene.objects["nomination"]
    response = client.post(f"/g/{scene.cast.group.slug}/n/{nomination.pk}/unvote/")
    assert response.status_code == 403
    assert nomination.votes.filter(user=scene.cast.member).exists()
