"""A thread's shared first page (groups/notes/rows.py `SharedRows`, groups/notes/views.py
`_thread_read`): written once per version of the thread for every member (and every visitor),
and served to each reader as the page written for them alone would be: their own notes with
Edit and Delete, others' with Flag, every "ago" as of now; renamed authors, edits, hidden notes
and locks show at once."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.humanize.templatetags import humanize
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from groups.caching import memos_forget
from groups.models import Nomination, Note, User
from groups.moderation.services import thread_lock
from groups.notes.services import note_create, note_edit, note_hide
from tests.factories import NominationFactory
from tests.people import client_for

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
ROWS = re.compile(r'<ol class="note-list">.*</ol>', re.S)


def _url(subject) -> str:
    return reverse("note_thread", args=[subject.group.slug, "nominations", subject.pk])


def _rows(client, subject) -> str:
    response = client.get(_url(subject))
    assert response.status_code == 200
    match = ROWS.search(response.content.decode())
    assert match is not None
    return match.group(0)


def _tokenless(html: str) -> str:
    """The organizers' hide forms carry a CSRF token, masked anew for every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _uncached_rows(user, subject) -> str:
    """The rows as written for this reader alone: nothing comes from a cache (nor from the
    process's memo in front of it), nothing is left in one."""
    memos_forget()
    try:
        with override_settings(CACHES=NO_CACHE):
            return _rows(client_for(user), subject)
    finally:
        memos_forget()


@pytest.fixture
def thread(private) -> list[Note]:
    """Notes by both members, replies in and out of their own, a deleted note with a reply."""
    first = note_create(author=private.member, subject=private.nomination, body="Alice asks")
    reply = note_create(
        author=private.other_member, subject=private.nomination, body="Bob answers", parent=first
    )
    mine = note_create(
        author=private.member, subject=private.nomination, body="Alice again", parent=reply
    )
    gone = note_create(author=private.other_member, subject=private.nomination, body="Gone")
    note_create(author=private.member, subject=private.nomination, body="Under gone", parent=gone)
    Note.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    # Two days old: "2 days ago" for the rest of the hour (just written, it changes by the second).
    Note.objects.filter(nomination=private.nomination).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    cache.clear()
    return [first, reply, mine, gone]


def test_it_serves_every_reader_the_rows_written_for_them(private, thread) -> None:
    readers = [private.member, private.other_member, private.organizer]
    expected = {user.pk: _uncached_rows(user, private.nomination) for user in readers}
    assert "Edit</a>" in expected[private.member.pk]
    for _ in range(2):  # the first fills the cache, the second reads from it
        for user in readers:
            rows = _rows(client_for(user), private.nomination)
            assert _tokenless(rows) == _tokenless(expected[user.pk])


def test_a_reader_gets_edit_and_delete_on_their_own_notes_only(private, thread) -> None:
    first, reply, mine, _ = thread
    _rows(client_for(private.other_member), private.nomination)  # cached from Bob's view
    alice = _rows(client_for(private.member), private.nomination)
    for note, own in ((first, True), (reply, False), (mine, True)):
        row = alice.split(f'id="note-{note.pk}-content"')[1].split("</article>")[0]
        assert (f"notes/{note.pk}/edit/" in row) is own
        assert (f"notes/{note.pk}/delete/" in row) is own
        assert (f"notes/{note.pk}/flag/" in row) is not own


def test_a_warm_page_reads_neither_tree_nor_notes(private, thread, django_assert_num_queries):
    client = client_for(private.other_member)
    _rows(client, private.nomination)
    # session, user, the membership with its group, the nomination with its paper and lock
    with django_assert_num_queries(4):
        response = client.get(_url(private.nomination))
    assert response.content.count(b'class="note ') == 5
    # Another member's first visit is as cheap: the rows are the same for both.
    other = client_for(private.member)
    with django_assert_num_queries(4):
        other.get(_url(private.nomination))


def test_ago_is_worked_out_when_served(private, thread, monkeypatch) -> None:
    client = client_for(private.other_member)
    assert ">2\xa0days ago</time>" in _rows(client, private.nomination)  # and cached
    # Three hours later (for the page, and for Django's naturaltime, which reads the clock itself).
    shift = timedelta(hours=3, minutes=1)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return datetime.now(tz) + shift

    monkeypatch.setattr(humanize, "datetime", Later)
    monkeypatch.setattr(timezone, "now", lambda: datetime.now(UTC) + shift)
    rows = _rows(client, private.nomination)
    assert ">2\xa0days, 3\xa0hours ago</time>" in rows and ">2\xa0days ago<" not in rows


def test_a_renamed_author_shows_at_once(private, thread) -> None:
    client = client_for(private.organizer)  # not an author: reads the shared rows of members
    members = client_for(private.other_member)
    assert "Alice asks" in _rows(members, private.nomination)
    User.objects.filter(pk=private.member.pk).update(display_name="Dr. Alice Renamed")
    rows = _rows(members, private.nomination)
    assert rows.count("Dr. Alice Renamed") == 3 + 1  # her 3 notes, and "in reply to" under one
    assert "Dr. Alice Renamed" in _rows(client, private.nomination)


def test_a_rename_changes_only_the_threads_the_author_wrote_in(private, thread) -> None:
    elsewhere = NominationFactory(group=private.group, nominated_by=private.owner)
    note_create(author=private.owner, subject=elsewhere, body="Owner only")
    before = dict(Nomination.objects.values_list("pk", "notes_version"))
    private.member.display_name = "Alice B."
    private.member.save(update_fields=["display_name"])
    after = dict(Nomination.objects.values_list("pk", "notes_version"))
    assert after[private.nomination.pk] > before[private.nomination.pk]
    assert after[elsewhere.pk] == before[elsewhere.pk]
    # Other writes of the user (a login) change no thread.
    User.objects.filter(pk=private.member.pk).update(last_login=timezone.now())
    assert dict(Nomination.objects.values_list("pk", "notes_version")) == after


def test_an_edit_and_a_hide_show_at_once(private, thread) -> None:
    first = thread[0]
    client = client_for(private.other_member)
    _rows(client, private.nomination)
    note_edit(note=first, user=private.member, body="Alice asks, edited")
    assert "Alice asks, edited" in _rows(client, private.nomination)
    note_hide(note=Note.objects.get(pk=first.pk), by=private.organizer)
    rows = _rows(client, private.nomination)
    assert "[hidden by a moderator]" in rows and "Alice asks, edited" not in rows


def test_the_author_of_a_hidden_note_still_sees_it(private, thread) -> None:
    first = thread[0]
    note_hide(note=first, by=private.organizer)
    assert "[hidden by a moderator]" in _rows(client_for(private.other_member), private.nomination)
    rows = _rows(client_for(private.member), private.nomination)  # the rows above are cached
    assert "Alice asks" in rows and "hidden from members" in rows
    # ... and Bob's page is still his.
    assert "Alice asks" not in _rows(client_for(private.other_member), private.nomination)


def test_a_lock_takes_the_reply_links_away_at_once(private, thread) -> None:
    client = client_for(private.other_member)
    assert ">Reply</a>" in _rows(client, private.nomination)
    thread_lock(subject=private.nomination, by=private.organizer, reason="done")
    assert ">Reply</a>" not in _rows(client, private.nomination)


def test_visitors_of_a_public_group_get_rows_without_actions(public) -> None:
    note_create(author=public.member, subject=public.nomination, body="In the open")
    member_rows = _rows(client_for(public.member), public.nomination)  # members' rows cached
    for visitor in (None, public.outsider):
        rows = _rows(client_for(visitor), public.nomination)
        assert "In the open" in rows
        assert "note-actions" not in rows and "note-actions" in member_rows


def test_a_thread_read_again_comes_from_the_process_memo_and_a_write_shows_at_once(
    private, thread, django_assert_num_queries
) -> None:
    """The shared rows are kept in the process too (`ROWS_MEMO`), under the cache's key: a
    second read needs neither the cache nor the notes, and a new note (a new version of the
    thread, so a new key) shows on the next read though the old rows are still in the memo."""
    client = client_for(private.other_member)
    first = _rows(client, private.nomination)
    cache.clear()  # the memo alone must serve the next read
    with django_assert_num_queries(4):  # session, user, group with membership, subject
        assert _rows(client, private.nomination) == first
    note_create(author=private.member, subject=private.nomination, body="A late thought")
    rows = _rows(client, private.nomination)
    assert "A late thought" in rows
    assert rows != first
