"""Hidden notes, locked threads and flags as members and organizers see them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from groups.models import NoteFlag
from groups.moderation.services import note_flag, thread_lock
from groups.notes.services import note_create, note_hide
from tests.factories import NoteFactory
from tests.people import client_for


def _thread(cast) -> str:
    return reverse("note_thread", args=[cast.group.slug, "nominations", cast.nomination.pk])


def test_it_shows_a_hidden_note_as_hidden_to_members_but_not_to_its_author(cast) -> None:
    reply = NoteFactory(
        nomination=cast.nomination, author=cast.member, parent=cast.note, body="Reply stays"
    )
    note_hide(note=cast.note, by=cast.organizer, reason="spam")
    member = client_for(cast.member).get(_thread(cast)).content.decode()
    assert "[hidden by a moderator]" in member and "Buy pills" not in member
    assert "Reply stays" in member  # replies stay
    author = client_for(cast.other_member).get(_thread(cast)).content.decode()
    assert "Buy pills" in author and "hidden from members" in author
    organizer = client_for(cast.organizer).get(_thread(cast)).content.decode()
    assert "Buy pills" in organizer and "Show to members again" in organizer
    assert reply.pk


def test_it_refuses_new_notes_and_replies_in_a_locked_thread(cast) -> None:
    thread_lock(subject=cast.nomination, by=cast.organizer, reason="Cooling off")
    with pytest.raises(ValidationError, match="locked"):
        note_create(author=cast.member, subject=cast.nomination, body="One more")
    with pytest.raises(ValidationError, match="locked"):
        note_create(author=cast.member, subject=cast.nomination, body="Reply", parent=cast.note)
    page = client_for(cast.member).get(_thread(cast)).content.decode()
    assert "This thread is locked." in page and "Cooling off" in page
    assert 'id="new-note-form"' not in page
    url = reverse("note_post", args=[cast.group.slug, "nominations", cast.nomination.pk])
    response = client_for(cast.member).post(url, {"body": "Sneaking in"})
    assert response.status_code == 400
    assert cast.nomination.notes.count() == 1


def test_it_flags_once_per_person(cast) -> None:
    flag, created = note_flag(note=cast.note, by=cast.member, reason="spam", text="ads")
    again, created_again = note_flag(note=cast.note, by=cast.member, reason="abuse")
    assert created and not created_again and again.pk == flag.pk
    assert NoteFlag.objects.get().reason == "spam"
    with pytest.raises(IntegrityError), transaction.atomic():
        NoteFlag.objects.create(note=cast.note, flagged_by=cast.member, reason="other")


def test_it_refuses_flagging_ones_own_note_or_an_unknown_reason(cast) -> None:
    with pytest.raises(ValidationError, match="own note"):
        note_flag(note=cast.note, by=cast.other_member, reason="spam")
    with pytest.raises(ValidationError, match="reason"):
        note_flag(note=cast.note, by=cast.member, reason="boring")
    assert not NoteFlag.objects.exists()


def test_it_flags_through_the_form_and_says_so_the_second_time(cast) -> None:
    url = reverse("note_flag", args=[cast.group.slug, cast.note.pk])
    client = client_for(cast.member)
    assert 'name="reason"' in client.get(url).content.decode()
    first = client.post(url, {"reason": "spam", "text": "link farm"}, follow=True)
    assert "the moderators will look at this note" in first.content.decode()
    second = client.post(url, {"reason": "spam"}, follow=True)
    assert second.status_code == 200
    assert "already flagged this note" in second.content.decode()
    assert NoteFlag.objects.count() == 1


def test_it_answers_htmx_with_the_flag_box(cast) -> None:
    url = reverse("note_flag", args=[cast.group.slug, cast.note.pk])
    client = client_for(cast.member)
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert form.lstrip().startswith('<div id="flag-form-') and "<html" not in form
    done = client.post(url, {"reason": "abuse"}, headers={"HX-Request": "true"}).content.decode()
    assert "the moderators will look at this note" in done and "<html" not in done


def test_it_rejects_a_flag_without_a_reason(cast) -> None:
    url = reverse("note_flag", args=[cast.group.slug, cast.note.pk])
    response = client_for(cast.member).post(url, {"text": "hmm"})
    assert response.status_code == 400
    assert "Choose a reason." in response.content.decode()
    assert not NoteFlag.objects.exists()


def test_it_shows_the_flag_link_on_others_notes_only(cast) -> None:
    mine = NoteFactory(nomination=cast.nomination, author=cast.member, body="Bob here")
    page = client_for(cast.member).get(_thread(cast)).content.decode()
    assert f"/notes/{cast.note.pk}/flag/" in page
    assert f"/notes/{mine.pk}/flag/" not in page
