import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from groups.models import Mention, Note, NoteRevision
from groups.notes.services import note_create, note_delete, note_edit, note_hide, note_unhide
from tests.factories import NominationFactory, ReadingGroupFactory
from tests.groups.notes.conftest import make_session
from tests.people import client_for


def test_it_posts_a_note_with_rendered_html(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="  *Hello* $x$  ")
    assert note.body == "*Hello* $x$"
    assert note.body_html == '<p><em>Hello</em> <span class="math inline">x</span></p>\n'
    assert (note.group, note.nomination, note.session, note.parent) == (
        private.group,
        private.nomination,
        None,
        None,
    )


def test_it_posts_on_a_session(private) -> None:
    note = note_create(author=private.other_member, subject=private.session, body="See you there")
    assert (note.nomination, note.session) == (None, private.session)


def test_it_refuses_an_empty_or_too_long_body(private) -> None:
    with pytest.raises(ValidationError, match="Write something"):
        note_create(author=private.member, subject=private.nomination, body="   \n ")
    with pytest.raises(ValidationError, match="at most"):
        note_create(author=private.member, subject=private.nomination, body="x" * 20_001)
    assert Note.objects.count() == 0


def test_it_keeps_a_reply_on_its_parents_subject(private) -> None:
    parent = note_create(author=private.member, subject=private.nomination, body="Question")
    reply = note_create(
        author=private.other_member, subject=private.nomination, body="A", parent=parent
    )
    assert reply.parent == parent
    with pytest.raises(ValidationError, match="same thread"):
        note_create(author=private.other_member, subject=private.session, body="B", parent=parent)
    other = NominationFactory(group=private.group)
    with pytest.raises(ValidationError, match="same thread"):
        note_create(author=private.other_member, subject=other, body="C", parent=parent)


def test_it_refuses_replies_to_deleted_or_hidden_notes(private) -> None:
    gone = note_create(author=private.member, subject=private.nomination, body="Gone")
    note_delete(note=gone, user=private.member)
    hidden = note_create(author=private.member, subject=private.nomination, body="Hidden")
    note_hide(note=hidden, by=private.organizer)
    for parent in (gone, hidden):
        with pytest.raises(ValidationError, match="no longer there"):
            note_create(
                author=private.other_member, subject=private.nomination, body="Hm", parent=parent
            )


def test_it_treats_the_same_post_twice_as_one_note(private) -> None:
    first = note_create(author=private.member, subject=private.nomination, body="Once")
    second = note_create(author=private.member, subject=private.nomination, body="Once")
    assert first == second
    assert Note.objects.count() == 1
    # Someone else saying the same thing is a note of their own.
    note_create(author=private.other_member, subject=private.nomination, body="Once")
    assert Note.objects.count() == 2


def test_it_records_mentions_of_members_only(private) -> None:
    note = note_create(
        author=private.member,
        subject=private.nomination,
        body="@Bob and @olga, not @oscar (outsider) nor @ghost; @bob again",
    )
    assert set(Mention.objects.filter(note=note).values_list("user__username", flat=True)) == {
        "bob",
        "olga",
    }
    slug = private.group.slug
    assert f'<a class="mention" href="/g/{slug}/members/#member-bob"' in note.body_html
    assert "@oscar" in note.body_html and "member-oscar" not in note.body_html


def test_it_links_a_mention_to_the_member_s_row_on_the_members_page(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Over to @Bob")
    link = note.body_html.split('<a class="mention" href="')[1].split('"')[0]
    path, anchor = link.split("#")
    page = client_for(private.member).get(path).content.decode()
    assert f'id="{anchor}"' in page and anchor == "member-bob"


def test_it_holds_one_mention_per_note_and_user_in_the_database(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="@bob")
    with pytest.raises(IntegrityError), transaction.atomic():
        Mention.objects.create(note=note, user=private.other_member)


def test_it_edits_keeping_the_earlier_body(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="First @bob")
    note = note_edit(note=note, user=private.member, body="Second @olga")
    note = note_edit(note=note, user=private.member, body="Third")
    note.refresh_from_db()
    assert note.body == "Third"
    assert note.body_html == "<p>Third</p>\n"
    assert note.edited_at is not None
    assert list(NoteRevision.objects.filter(note=note).values_list("body", flat=True)) == [
        "First @bob",
        "Second @olga",
    ]
    assert not Mention.objects.filter(note=note).exists()


def test_it_makes_no_revision_when_nothing_changed(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Same")
    note = note_edit(note=note, user=private.member, body="Same ")
    assert note.edited_at is None
    assert not NoteRevision.objects.exists()


def test_it_lets_only_the_author_edit_or_delete(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Mine")
    for user in (private.other_member, private.organizer):
        with pytest.raises(PermissionDenied):
            note_edit(note=note, user=user, body="Theirs")
        with pytest.raises(PermissionDenied):
            note_delete(note=note, user=user)
    note.refresh_from_db()
    assert (note.body, note.deleted_at) == ("Mine", None)


def test_it_deletes_softly_and_only_once(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Oops")
    deleted_at = note_delete(note=note, user=private.member).deleted_at
    assert deleted_at is not None
    assert note_delete(note=note, user=private.member).deleted_at == deleted_at
    note.refresh_from_db()
    assert note.body == "Oops"
    with pytest.raises(ValidationError, match="deleted"):
        note_edit(note=note, user=private.member, body="Back")


def test_it_hides_and_unhides(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Rude")
    # The services return whether anything changed (the moderation issue); the note is refreshed.
    assert note_hide(note=note, by=private.organizer) is True
    assert note.hidden_at is not None and note.hidden_by == private.organizer
    assert note_unhide(note=note, by=private.organizer) is True
    assert (note.hidden_at, note.hidden_by) == (None, None)


def test_it_holds_exactly_one_subject_in_the_database(private) -> None:
    base = {"group": private.group, "author": private.member, "body": "x", "body_html": "x"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Note.objects.create(**base)
    with pytest.raises(IntegrityError), transaction.atomic():
        Note.objects.create(**base, nomination=private.nomination, session=private.session)
    with pytest.raises(IntegrityError), transaction.atomic():
        Note.objects.create(**{**base, "body": ""}, nomination=private.nomination)


def test_it_lets_a_whole_thread_go_with_its_group(private) -> None:
    parent = note_create(author=private.member, subject=private.nomination, body="Q")
    note_create(author=private.other_member, subject=private.nomination, body="A", parent=parent)
    private.group.delete()
    assert Note.objects.count() == 0


def test_it_keeps_threads_of_other_groups_apart(private) -> None:
    other_nomination = NominationFactory(group=ReadingGroupFactory())
    session = make_session(other_nomination)
    note = note_create(author=private.member, subject=session, body="Elsewhere")
    assert note.group == other_nomination.group
