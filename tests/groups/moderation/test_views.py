"""Every moderation URL on the group pages, tried by everyone, and with the wrong method."""

import pytest
from django.urls import reverse

from groups.models import GroupBan, Note
from tests.people import client_for

ROLES = [
    "anonymous",
    "outsider",
    "member",
    "other_organizer",
    "organizer",
    "moderator",
    "staff",
]
LOGIN, DONE = "login", "redirect"
# Staff are outsiders on group pages (groups/access.py): they moderate in the admin. A private
# group is a 404 for everyone outside it, anonymous visitors included (groups/access.py).
PRIVATE = {
    ("note_flag", "get"): [404, 404, 200, 404, 200, 404, 404],
    ("note_flag", "post"): [404, 404, DONE, 404, DONE, 404, 404],
    ("note_hide", "post"): [404, 404, 403, 404, DONE, 404, 404],
    ("note_unhide", "post"): [404, 404, 403, 404, DONE, 404, 404],
    ("thread_lock", "post"): [404, 404, 403, 404, DONE, 404, 404],
    ("thread_unlock", "post"): [404, 404, 403, 404, DONE, 404, 404],
    ("group_moderation", "get"): [404, 404, 403, 404, 200, 404, 404],
    ("group_ban", "get"): [404, 404, 403, 404, 200, 404, 404],
    ("group_ban", "post"): [404, 404, 403, 404, DONE, 404, 404],
    ("group_unban", "post"): [404, 404, 403, 404, DONE, 404, 404],
}
PUBLIC = {
    ("note_flag", "get"): [LOGIN, 403, 200, 403, 200, 403, 403],
    ("group_moderation", "get"): [LOGIN, 403, 403, 403, 200, 403, 403],
    ("group_ban", "get"): [LOGIN, 403, 403, 403, 200, 403, 403],
    ("group_ban", "post"): [LOGIN, 403, 403, 403, DONE, 403, 403],
    ("thread_lock", "post"): [LOGIN, 403, 403, 403, DONE, 403, 403],
}
WRONG = [
    ("note_flag", "put"),
    ("thread_lock", "get"),
    ("thread_unlock", "get"),
    ("group_moderation", "post"),
    ("group_ban", "put"),
    ("group_unban", "get"),
]


def _url(cast, name: str) -> str:
    slug = cast.group.slug
    if name == "note_flag" or name.startswith("note_"):
        return reverse(name, args=[slug, cast.note.pk])
    if name.startswith("thread_"):
        return reverse(name, args=[slug, "nominations", cast.nomination.pk])
    if name == "group_unban":
        return reverse(name, args=[slug, cast.other_member.pk])
    return reverse(name, args=[slug])


def _user(cast, role: str):
    return None if role == "anonymous" else cast.user(role)


def _check(cast, table, name, method, expected) -> None:
    for role, want in zip(ROLES, expected, strict=True):
        data = {"username": "bob", "reason": "spam"}
        client = client_for(_user(cast, role))
        # The ban's prompt (GET) names whom it is about.
        url = _url(cast, name) + ("?username=bob" if (name, method) == ("group_ban", "get") else "")
        response = getattr(client, method)(url, data if method == "post" else None)
        if want == LOGIN:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], role
        elif want == DONE:
            assert response.status_code == 302 and "/accounts/" not in response["Location"], role
        else:
            assert response.status_code == want, (role, response.status_code)


@pytest.mark.parametrize(("name", "method"), list(PRIVATE))
def test_it_guards_each_url_of_a_private_group(cast, name, method) -> None:
    if name == "group_unban":
        GroupBan.objects.create(group=cast.group, user=cast.other_member)
    _check(cast, PRIVATE, name, method, PRIVATE[(name, method)])


@pytest.mark.parametrize(("name", "method"), list(PUBLIC))
def test_it_guards_each_url_of_a_public_group(public_cast, name, method) -> None:
    _check(public_cast, PUBLIC, name, method, PUBLIC[(name, method)])


@pytest.mark.parametrize(("name", "method"), WRONG)
def test_it_refuses_the_wrong_method(cast, name, method) -> None:
    response = getattr(client_for(cast.organizer), method)(_url(cast, name))
    assert response.status_code == 405


def test_it_keeps_members_from_hiding_others_notes(cast) -> None:
    response = client_for(cast.member).post(_url(cast, "note_hide"), {"reason": "mine now"})
    assert response.status_code == 403
    assert not Note.objects.get(pk=cast.note.pk).is_hidden


def test_it_keeps_flagging_ones_own_note_out(cast) -> None:
    response = client_for(cast.other_member).get(_url(cast, "note_flag"))
    assert response.status_code == 403
