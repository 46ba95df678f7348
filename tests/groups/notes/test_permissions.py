"""Every notes URL, tried by everyone: anonymous, outsider, member, author, organizer, staff."""

import pytest
from django.urls import reverse

from groups.models import Note
from groups.notes.services import note_create
from tests.factories import NoteFactory
from tests.people import client_for

ROLES = ["anonymous", "outsider", "member", "author", "organizer", "staff"]
LOGIN = "login"  # a redirect to the sign-in page
DONE = "redirect"  # the action happened and redirected back to the thread (PRG)

# url name, method -> status for each role in ROLES. Staff are outsiders in groups (access.py).
PRIVATE = {
    ("note_thread", "get"): [404, 404, 200, 200, 200, 404],
    ("note_more", "get"): [404, 404, 200, 200, 200, 404],
    ("note_detail", "get"): [404, 404, 200, 200, 200, 404],
    ("note_post", "post"): [404, 404, DONE, DONE, DONE, 404],
    ("note_reply", "get"): [404, 404, 200, 200, 200, 404],
    ("note_reply", "post"): [404, 404, DONE, DONE, DONE, 404],
    ("note_edit", "get"): [404, 404, 403, 200, 403, 404],
    ("note_edit", "post"): [404, 404, 403, DONE, 403, 404],
    ("note_delete", "get"): [404, 404, 403, 200, 403, 404],
    ("note_delete", "post"): [404, 404, 403, DONE, 403, 404],
    ("note_hide", "post"): [404, 404, 403, 403, DONE, 404],
    ("note_unhide", "post"): [404, 404, 403, 403, DONE, 404],
}
PUBLIC = {
    ("note_thread", "get"): [200, 200, 200, 200, 200, 200],
    ("note_more", "get"): [200, 200, 200, 200, 200, 200],
    ("note_detail", "get"): [200, 200, 200, 200, 200, 200],
    ("note_post", "post"): [LOGIN, 403, DONE, DONE, DONE, 403],
    ("note_reply", "get"): [LOGIN, 403, 200, 200, 200, 403],
    ("note_reply", "post"): [LOGIN, 403, DONE, DONE, DONE, 403],
    ("note_edit", "get"): [LOGIN, 403, 403, 200, 403, 403],
    ("note_edit", "post"): [LOGIN, 403, 403, DONE, 403, 403],
    ("note_delete", "get"): [LOGIN, 403, 403, 200, 403, 403],
    ("note_delete", "post"): [LOGIN, 403, 403, DONE, 403, 403],
    ("note_hide", "post"): [LOGIN, 403, 403, 403, DONE, 403],
    ("note_unhide", "post"): [LOGIN, 403, 403, 403, DONE, 403],
}
WRONG_METHODS = [
    ("note_thread", "post"),
    ("note_more", "post"),
    ("note_detail", "post"),
    ("note_post", "get"),
    ("note_reply", "put"),
    ("note_edit", "delete"),
    ("note_delete", "put"),
    ("note_hide", "get"),
    ("note_unhide", "get"),
]


def url_for(cast, name: str, note: Note) -> str:
    if name in {"note_thread", "note_more", "note_post"}:
        url = reverse(name, args=[cast.group.slug, "nominations", cast.nomination.pk])
        return f"{url}?after={note.pk}" if name == "note_more" else url
    return reverse(name, args=[cast.group.slug, note.pk])


def user_for(cast, role: str):
    return {
        "anonymous": None,
        "outsider": cast.outsider,
        "member": cast.other_member,
        "author": cast.member,
        "organizer": cast.organizer,
        "staff": cast.staff,
    }[role]


def check(cast, table: dict, name: str, method: str) -> None:
    thread_url = reverse("note_thread", args=[cast.group.slug, "nominations", cast.nomination.pk])
    for role, expected in zip(ROLES, table[(name, method)], strict=True):
        note = note_create(author=cast.member, subject=cast.nomination, body=f"By alice for {role}")
        note_create(author=cast.other_member, subject=cast.nomination, body="A reply", parent=note)
        data = {"body": f"Written by {role}"} if method == "post" else None
        response = getattr(client_for(user_for(cast, role)), method)(
            url_for(cast, name, note), data
        )
        got = response.status_code
        if expected == LOGIN:
            assert (got, response.url.split("?")[0]) == (302, reverse("account_login")), role
        elif expected == DONE:
            assert got == 302, (role, got)
            assert response.url.startswith(thread_url), role
        else:
            assert got == expected, (role, name, method)


@pytest.mark.parametrize(("name", "method"), list(PRIVATE))
def test_it_guards_every_url_of_a_private_group(private, name: str, method: str) -> None:
    check(private, PRIVATE, name, method)


@pytest.mark.parametrize(("name", "method"), list(PUBLIC))
def test_it_guards_every_url_of_a_public_group(public, name: str, method: str) -> None:
    check(public, PUBLIC, name, method)


@pytest.mark.parametrize(("name", "method"), WRONG_METHODS)
def test_it_refuses_the_wrong_method(private, name: str, method: str) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Hi")
    response = getattr(client_for(private.member), method)(url_for(private, name, note))
    assert response.status_code == 405


def test_it_keeps_a_private_groups_notes_out_of_outsiders_pages(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Secret plan")
    for user in (None, private.outsider, private.staff):
        client = client_for(user)
        for url in (url_for(private, "note_thread", note), url_for(private, "note_detail", note)):
            response = client.get(url)
            assert response.status_code == 404
            assert b"Secret plan" not in response.content


def test_it_finds_no_note_through_another_groups_url(private, public) -> None:
    note = NoteFactory(nomination=public.nomination, author=public.member)
    # A member of the private group asks for the public group's note under the private slug.
    response = client_for(private.member).get(
        reverse("note_detail", args=[private.group.slug, note.pk])
    )
    assert response.status_code == 404
    thread = reverse("note_thread", args=[private.group.slug, "nominations", public.nomination.pk])
    assert client_for(private.member).get(thread).status_code == 404


def test_it_needs_csrf_on_posts(private) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(private.member)
    response = client.post(url_for(private, "note_post", Note()), {"body": "Hi"})
    assert response.status_code == 403
    assert not Note.objects.exists()
