"""A thread and a note's own page sit in the group's frame: its header and tab bar, with the tab of
their subject marked (a nomination's notes under Ballot, a session's under Sessions)."""

import pytest
from django.urls import reverse

from groups.notes.services import note_create
from tests.groups.notes.conftest import Discussed
from tests.pages import current_tab, h1_count
from tests.people import ROLES


@pytest.mark.parametrize("role", [r for r in ROLES if r not in {"anonymous", "outsider"}])
@pytest.mark.parametrize(("kind", "tab"), [("nominations", "Ballot"), ("sessions", "Sessions")])
def test_it_shows_the_thread_under_its_tab(private: Discussed, role: str, kind: str, tab: str):
    subject = private.nomination if kind == "nominations" else private.session
    url = reverse("note_thread", args=[private.group.slug, kind, subject.pk])
    response = private.client(role).get(url)
    if role == "staff":
        assert response.status_code == 404  # a private group: staff are outsiders here
        return
    html = response.content.decode()
    assert current_tab(html) == tab
    assert h1_count(html) == 1
    assert private.nomination.paper.title in html


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "organizer", "owner"])
def test_it_shows_a_public_thread_under_its_tab(public: Discussed, role: str) -> None:
    url = reverse("note_thread", args=[public.group.slug, "sessions", public.session.pk])
    html = public.client(role).get(url).content.decode()
    assert current_tab(html) == "Sessions"


@pytest.mark.parametrize(("kind", "tab"), [("nominations", "Ballot"), ("sessions", "Sessions")])
def test_it_shows_a_note_page_under_its_tab(public: Discussed, kind: str, tab: str) -> None:
    subject = public.nomination if kind == "nominations" else public.session
    note = note_create(author=public.member, subject=subject, body="A first note.")
    url = reverse("note_detail", args=[public.group.slug, note.pk])
    html = public.client("outsider").get(url).content.decode()
    assert current_tab(html) == tab
    assert h1_count(html) == 1


def test_it_keeps_the_tab_bar_when_a_note_is_refused(public: Discussed) -> None:
    url = reverse("note_post", args=[public.group.slug, "sessions", public.session.pk])
    response = public.client("member").post(url, {"body": ""})
    assert response.status_code == 400
    assert current_tab(response.content.decode()) == "Sessions"


def test_it_shows_the_next_notes_page_under_its_tab(public: Discussed) -> None:
    note = note_create(author=public.member, subject=public.nomination, body="A first note.")
    url = reverse("note_more", args=[public.group.slug, "nominations", public.nomination.pk])
    html = public.client("member").get(url, {"after": note.pk}).content.decode()
    assert current_tab(html) == "Ballot"
