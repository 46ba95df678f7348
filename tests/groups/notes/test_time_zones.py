"""Notes' times carry the viewer's zone: its name on each note (once per page, the thread is
benchmarked), its abbreviation on the page's single times (CET in winter, CEST in summer)."""

from datetime import UTC, datetime

from django.urls import reverse

from groups.models import Note, NoteRevision
from groups.notes.services import note_create
from tests.people import client_for

WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)  # 13:00 CET
SUMMER = datetime(2026, 7, 15, 12, tzinfo=UTC)  # 14:00 CEST


def _note_in_berlin(private) -> Note:
    private.member.time_zone = "Europe/Berlin"
    private.member.save(update_fields=["time_zone"])
    note = note_create(author=private.member, subject=private.session, body="Hello")
    Note.objects.filter(pk=note.pk).update(created_at=WINTER, edited_at=SUMMER)
    return note


def test_it_shows_the_zone_of_each_note_time_on_the_thread(private) -> None:
    _note_in_berlin(private)
    url = reverse("note_thread", args=[private.group.slug, "sessions", private.session.pk])
    html = client_for(private.member).get(url).content.decode()
    assert 'title="15 Jan 2026, 13:00 Europe/Berlin"' in html
    assert 'title="Edited 15 Jul 2026, 14:00 Europe/Berlin"' in html
    assert "Session Wed 1 Jul 2026, 19:00 CEST" in html  # the session starts 17:00 UTC


def test_it_shows_utc_to_a_viewer_who_kept_utc(private) -> None:
    _note_in_berlin(private)
    url = reverse("note_thread", args=[private.group.slug, "sessions", private.session.pk])
    html = client_for(private.organizer).get(url).content.decode()
    assert 'title="15 Jan 2026, 12:00 UTC"' in html
    assert "Session Wed 1 Jul 2026, 17:00 UTC" in html


def test_it_shows_the_zone_of_earlier_versions_on_the_note_page(private) -> None:
    note = _note_in_berlin(private)
    revision = NoteRevision.objects.create(note=note, body="Hi", body_html="<p>Hi</p>")
    NoteRevision.objects.filter(pk=revision.pk).update(replaced_at=WINTER)
    url = reverse("note_detail", args=[private.group.slug, note.pk])
    html = client_for(private.member).get(url).content.decode()
    assert "Version replaced 15 Jan 2026, 13:00 CET" in html
    assert 'title="15 Jan 2026, 13:00 Europe/Berlin"' in html
