from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Note
from groups.notes import (
    MAX_INDENT,
    build_thread,
    note_create,
    note_delete,
    note_hide,
    page_after,
    subtree,
)
from tests.notes.conftest import client_for, make_thread


def post(cast, body: str, parent: Note | None = None, author=None) -> Note:
    return note_create(
        author=author or cast.alice, subject=cast.nomination, body=body, parent=parent
    )


def shape(items) -> list[tuple[str, int]]:
    return [(item.note.body, item.depth) for item in items]


def test_it_lists_replies_under_their_notes_oldest_or_newest_first(private) -> None:
    a = post(private, "a")
    b = post(private, "b")
    a1 = post(private, "a1", a)
    post(private, "a1x", a1)
    post(private, "a2", a)
    post(private, "b1", b)
    notes = Note.objects.for_thread(private.nomination)
    assert shape(build_thread(notes)) == [
        ("a", 0), ("a1", 1), ("a1x", 2), ("a2", 1), ("b", 0), ("b1", 1),
    ]  # fmt: skip
    assert shape(build_thread(notes, order="newest")) == [
        ("b", 0), ("b1", 1), ("a", 0), ("a2", 1), ("a1", 1), ("a1x", 2),
    ]  # fmt: skip


def test_it_keeps_deleted_notes_with_replies_as_placeholders(private) -> None:
    a = post(private, "a")
    a1 = post(private, "a1", a)
    a1x = post(private, "a1x", a1)
    lone = post(private, "lone")
    note_delete(note=a, user=private.alice)
    note_delete(note=lone, user=private.alice)
    items = build_thread(Note.objects.for_thread(private.nomination))
    assert [(item.note.body, item.placeholder) for item in items] == [
        ("a", "deleted"), ("a1", ""), ("a1x", ""),
    ]  # fmt: skip
    # Once nothing under it is shown, a deleted note leaves the thread too.
    note_delete(note=a1x, user=private.alice)
    note_delete(note=a1, user=private.alice)
    assert build_thread(Note.objects.for_thread(private.nomination)) == []
    assert Note.objects.count() == 4


def test_it_shows_hidden_notes_to_organizers_only(private) -> None:
    a = post(private, "a")
    post(private, "a1", a, author=private.bob)
    lone = post(private, "lone")
    note_hide(note=a, by=private.organizer)
    note_hide(note=lone, by=private.organizer)
    notes = list(Note.objects.for_thread(private.nomination))
    members = build_thread(notes)
    assert [(item.note.body, item.placeholder) for item in members] == [("a", "hidden"), ("a1", "")]
    organizers = build_thread(notes, show_hidden=True)
    assert [(item.note.body, item.placeholder) for item in organizers] == [
        ("a", ""), ("a1", ""), ("lone", ""),
    ]  # fmt: skip


def test_it_folds_a_collapsed_subtree(private) -> None:
    a = post(private, "a")
    a1 = post(private, "a1", a)
    post(private, "a1x", a1)
    post(private, "b")
    items = build_thread(Note.objects.for_thread(private.nomination), collapsed=[a.pk])
    assert shape(items) == [("a", 0), ("b", 0)]
    assert (items[0].collapsed, items[0].replies) == (True, 2)


def test_it_caps_the_indent_but_keeps_the_depth_of_a_long_chain(private) -> None:
    parent = None
    for index in range(1200):  # deeper than Python's recursion limit would allow a recursive walk
        parent = Note.objects.create(
            group=private.group,
            nomination=private.nomination,
            author=private.alice,
            parent=parent,
            body=f"n{index}",
            body_html="x",
        )
    items = build_thread(Note.objects.for_thread(private.nomination))
    assert [item.depth for item in items] == list(range(1200))
    assert items[-1].indent == MAX_INDENT
    assert items[0].replies == 1199
    assert items[7].parent_author == private.alice.name


def test_it_pages_by_note_not_by_position(private) -> None:
    notes = make_thread(private.nomination, [private.alice, private.bob], 450)
    items = build_thread(Note.objects.for_thread(private.nomination))
    first, cursor = page_after(items, None)
    assert len(first) == 200 and cursor == first[-1].note.pk
    second, cursor2 = page_after(items, cursor)
    third, cursor3 = page_after(items, cursor2)
    assert (len(second), len(third), cursor3) == (200, 50, None)
    assert [i.note.pk for i in first + second + third] == [i.note.pk for i in items]
    assert {i.note.pk for i in items} == {note.pk for note in notes}


def test_it_cuts_a_subtree_out_of_the_thread(private) -> None:
    a = post(private, "a")
    a1 = post(private, "a1", a)
    post(private, "a1x", a1)
    post(private, "b")
    items = build_thread(Note.objects.for_thread(private.nomination))
    assert shape(subtree(items, a1.pk)) == [("a1", 1), ("a1x", 2)]


@pytest.mark.parametrize("count", [10, 2000])
def test_it_reads_a_thread_in_the_same_number_of_queries(
    private, count: int, django_assert_num_queries
) -> None:
    make_thread(private.nomination, [private.alice, private.bob, private.organizer], count)
    url = reverse("note_thread", args=[private.group.slug, "nominations", private.nomination.pk])
    client = client_for(private.alice)
    # session, user, group, membership, nomination + paper, the notes (with their authors)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b'class="note ') == min(count, 200)


@pytest.mark.parametrize("count", [10, 2000])
def test_it_reads_the_next_page_and_a_note_page_in_constant_queries(
    private, count: int, django_assert_num_queries
) -> None:
    notes = make_thread(private.nomination, [private.alice, private.bob], count)
    client = client_for(private.bob)
    more = reverse("note_more", args=[private.group.slug, "nominations", private.nomination.pk])
    with django_assert_num_queries(6):
        response = client.get(f"{more}?after={notes[0].pk}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    detail = reverse("note_detail", args=[private.group.slug, notes[0].pk])
    # session, user, group, membership, the note (author, subject), the thread
    with django_assert_num_queries(6):
        response = client.get(detail)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 2000])
def test_it_posts_a_reply_in_the_same_number_of_queries(
    private, count: int, django_assert_num_queries
) -> None:
    notes = make_thread(private.nomination, [private.alice, private.bob], count)
    Note.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    client = client_for(private.bob)
    url = reverse("note_reply", args=[private.group.slug, notes[-1].pk])
    with django_assert_num_queries(14):
        response = client.post(url, {"body": "Agreed, @alice."}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert Note.objects.filter(body="Agreed, @alice.", parent=notes[-1]).exists()
