"""Every session URL tried by each kind of visitor, and with the wrong HTTP method."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from groups.discussions.services import calendar_token_for
from tests.factories import DiscussionSessionFactory, RsvpFactory
from tests.groups.discussions.conftest import make_cast, nominate
from tests.people import Cast

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "organizer", "owner", "staff"]
LOGIN = "login"  # a redirect to the sign-in page


def urls(cast: Cast) -> dict[str, str]:
    """One session that started an hour ago (so it can be marked done) and one ahead."""
    group = cast.group
    started = DiscussionSessionFactory(group=group, starts_at=timezone.now() - timedelta(hours=1))
    ahead = DiscussionSessionFactory(group=group)
    RsvpFactory(session=ahead, user=cast.member)
    nominate(group, votes=1)
    base = f"/g/{group.slug}"
    return {
        "list": f"{base}/sessions/",
        "new": f"{base}/sessions/new/",
        "detail": f"{base}/sessions/{ahead.pk}/",
        "edit": f"{base}/sessions/{ahead.pk}/edit/",
        "cancel": f"{base}/sessions/{ahead.pk}/cancel/",
        "done": f"{base}/sessions/{started.pk}/done/",
        "rsvp": f"{base}/sessions/{ahead.pk}/rsvp/",
        "ics": f"{base}/sessions/{ahead.pk}/session.ics",
        "feed": f"{base}/calendar.ics",
        "regenerate": f"{base}/calendar/token/",
    }


# (name, method, data): the right way to call each URL.
CALLS = [
    ("list", "get", None),
    ("detail", "get", None),
    ("ics", "get", None),
    ("feed", "get", None),
    ("new", "get", None),
    ("edit", "get", None),
    ("cancel", "post", {}),
    ("done", "post", {}),
    ("rsvp", "post", {"answer": "maybe"}),
    ("regenerate", "post", {}),
]

# Expected status per role, in ROLES order. 302 = done and redirected back; LOGIN = sent to sign in.
PUBLIC = {
    "list": [200, 200, 200, 200, 200, 200],
    "detail": [200, 200, 200, 200, 200, 200],
    "ics": [200, 200, 200, 200, 200, 200],
    "feed": [200, 200, 200, 200, 200, 200],
    "new": [LOGIN, 403, 403, 200, 200, 403],
    "edit": [LOGIN, 403, 403, 200, 200, 403],
    "cancel": [LOGIN, 403, 403, 302, 302, 403],
    "done": [LOGIN, 403, 403, 302, 302, 403],
    "rsvp": [LOGIN, 403, 302, 302, 302, 403],
    "regenerate": [LOGIN, 403, 302, 302, 302, 403],
}
# Private groups do not exist for outsiders, anonymous visitors and staff included (moderation
# happens in the admin): one rule for every group page, groups.access.sign_in_to_act.
PRIVATE = {
    "list": [404, 404, 200, 200, 200, 404],
    "detail": [404, 404, 200, 200, 200, 404],
    "ics": [404, 404, 200, 200, 200, 404],
    "feed": [404, 404, 200, 200, 200, 404],
    "new": [404, 404, 403, 200, 200, 404],
    "edit": [404, 404, 403, 200, 200, 404],
    "cancel": [404, 404, 403, 302, 302, 404],
    "done": [404, 404, 403, 302, 302, 404],
    "rsvp": [404, 404, 302, 302, 302, 404],
    "regenerate": [404, 404, 302, 302, 302, 404],
}


def check(response, expected: int | str) -> None:
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected
        if expected == 302:
            assert not response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("visibility", ["public", "private"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "data"), CALLS)
def test_it_lets_each_visitor_do_only_what_their_role_allows(
    visibility: str, role: str, name: str, method: str, data: dict | None
) -> None:
    cast = make_cast(visibility=visibility)
    url = urls(cast)[name]
    expected = (PUBLIC if visibility == "public" else PRIVATE)[name][ROLES.index(role)]

    response = getattr(cast.client(role), method)(url, data)

    check(response, expected)


WRONG = [
    ("list", "post"),
    ("detail", "post"),
    ("ics", "post"),
    ("feed", "post"),
    ("new", "put"),
    ("edit", "delete"),
    ("cancel", "get"),
    ("done", "get"),
    ("rsvp", "get"),
    ("regenerate", "get"),
]


@pytest.mark.parametrize(("name", "method"), WRONG)
@pytest.mark.parametrize("role", ["member", "owner"])
def test_it_refuses_the_wrong_method(cast: Cast, role: str, name: str, method: str) -> None:
    response = getattr(cast.client(role), method)(urls(cast)[name])

    assert response.status_code == 405


def test_it_opens_a_private_feed_to_its_token_only(private_cast: Cast) -> None:
    DiscussionSessionFactory(group=private_cast.group)
    token = calendar_token_for(group=private_cast.group, user=private_cast.member).token
    anonymous = Client()
    slug = private_cast.group.slug

    assert anonymous.get(f"/g/{slug}/calendar/{token}.ics").status_code == 200
    assert anonymous.get(f"/g/{slug}/calendar/{token}x.ics").status_code == 404
    assert anonymous.post(f"/g/{slug}/calendar/{token}.ics").status_code == 405
    other = make_cast(visibility="private").group
    assert anonymous.get(f"/g/{other.slug}/calendar/{token}.ics").status_code == 404


@pytest.mark.parametrize("role", ["member", "organizer", "owner"])
def test_it_needs_csrf_for_rsvps(cast: Cast, role: str) -> None:
    session = DiscussionSessionFactory(group=cast.group)
    client = Client(enforce_csrf_checks=True)
    client.force_login(getattr(cast, role))

    response = client.post(f"/g/{cast.group.slug}/sessions/{session.pk}/rsvp/", {"answer": "going"})

    assert response.status_code == 403
    assert not session.rsvps.exists()
