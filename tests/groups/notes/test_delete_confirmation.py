"""Deleting a note asks first: a page of its own without JavaScript, the same form in place with
htmx. The prompt changes nothing; its button posts to the delete action as before."""

from django.urls import reverse

from groups.models import Note
from groups.notes.services import note_create, note_delete
from tests.people import client_for

HTMX = {"HX-Request": "true"}


def delete_url(cast, note: Note) -> str:
    return reverse("note_delete", args=[cast.group.slug, note.pk])


def thread_url(cast) -> str:
    return reverse("note_thread", args=[cast.group.slug, "nominations", cast.nomination.pk])


def test_it_asks_the_author_before_deleting(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Second thoughts")
    response = client_for(private.member).get(delete_url(private, note))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Delete this note?" in page and "Second thoughts" in page
    assert f'method="post" action="{delete_url(private, note)}"' in page
    assert ">Delete</button>" in page
    assert f'href="{thread_url(private)}#note-{note.pk}"' in page  # Cancel
    assert Note.objects.get().deleted_at is None


def test_it_answers_htmx_with_the_prompt_alone(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Second thoughts")
    response = client_for(private.member).get(delete_url(private, note), headers=HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith(f'<form id="delete-form-{note.pk}"')
    assert "<html" not in body and "Delete this note?" in body
    assert f'hx-post="{delete_url(private, note)}"' in body
    # Cancel swaps the note's content back, as the edit form's does.
    assert f'hx-get="{reverse("note_detail", args=[private.group.slug, note.pk])}"' in body
    assert "HX-Request" in response["Vary"]
    assert Note.objects.get().deleted_at is None


def test_it_deletes_from_the_prompt_in_place(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Second thoughts")
    client = client_for(private.member)
    client.get(delete_url(private, note), headers=HTMX)
    response = client.post(delete_url(private, note), headers=HTMX)
    assert (response["HX-Retarget"], response["HX-Reswap"]) == (f"#note-{note.pk}", "delete")
    assert Note.objects.get().deleted_at is not None


def test_it_carries_the_readers_view_through_the_prompt(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Root")
    note_create(author=private.other_member, subject=private.nomination, body="Re", parent=note)
    client = client_for(private.member)
    page = client.get(f"{delete_url(private, note)}?order=newest&collapsed={note.pk}")
    body = page.content.decode()
    assert '<input type="hidden" name="order" value="newest">' in body
    assert f'<input type="hidden" name="collapsed" value="{note.pk}">' in body
    response = client.post(delete_url(private, note), {"order": "newest", "collapsed": note.pk})
    assert response.url == f"{thread_url(private)}?order=newest&collapsed={note.pk}#note-{note.pk}"


def test_it_links_the_authors_notes_to_the_prompt(private) -> None:
    mine = note_create(author=private.member, subject=private.nomination, body="Mine")
    theirs = note_create(author=private.other_member, subject=private.nomination, body="Theirs")
    page = client_for(private.member).get(thread_url(private)).content.decode()
    assert f'href="{delete_url(private, mine)}"' in page
    assert f'hx-get="{delete_url(private, mine)}?order=oldest&amp;collapsed="' in page
    assert delete_url(private, theirs) not in page
    # No one-click delete is left on the thread: the delete URL is only a link.
    assert f'action="{delete_url(private, mine)}"' not in page


def test_it_has_no_prompt_for_a_deleted_note(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Gone")
    note_delete(note=note, user=private.member)
    assert client_for(private.member).get(delete_url(private, note)).status_code == 404
