import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import Note
from groups.notes.services import (
    MAX_INDENT,
    build_thread,
    note_create,
    note_delete,
    note_hide,
    page_after,
    subtree,
    thread_items,
)
from tests.groups.notes.conftest import make_thread
from tests.people import client_for


def post(cast, body: str, parent: Note | None = None, author=None) -> Note:
    return note_create(
        author=author or cast.member, subject=cast.nomination, body=body, parent=parent
    )


def read(subject, **options) -> list:
    """The whole thread's rows, as a page shows them."""
    return thread_items(build_thread(Note.objects.for_tree(subject), **options))


def shape(items) -> list[tuple[str, int]]:
    """(Markdown source, depth) per row: rows carry what they print, so the source is looked up."""
    bodies = dict(Note.objects.values_list("pk", "body"))
    return [(bodies[item.note.pk], item.depth) for item in items]


def placeholders(items) -> list[tuple[str, str]]:
    """(Markdown source, placeholder) per row."""
    bodies = dict(Note.objects.values_list("pk", "body"))
    return [(bodies[item.note.pk], item.placeholder) for item in items]


def test_it_lists_replies_under_their_notes_oldest_or_newest_first(private) -> None:
    a = post(private, "a")
    b = post(private, "b")
    a1 = post(private, "a1", a)
    post(private, "a1x", a1)
    post(private, "a2", a)
    post(private, "b1", b)
    assert shape(read(private.nomination)) == [
        ("a", 0), ("a1", 1), ("a1x", 2), ("a2", 1), ("b", 0), ("b1", 1),
    ]  # fmt: skip
    assert shape(read(private.nomination, order="newest")) == [
        ("b", 0), ("b1", 1), ("a", 0), ("a2", 1), ("a1", 1), ("a1x", 2),
    ]  # fmt: skip


def test_it_keeps_deleted_notes_with_replies_as_placeholders(private) -> None:
    a = post(private, "a")
    a1 = post(private, "a1", a)
    a1x = post(private, "a1x", a1)
    lone = post(private, "lone")
    note_delete(note=a, user=private.member)
    note_delete(note=lone, user=private.member)
    items = read(private.nomination)
    assert placeholders(items) == [
        ("a", "deleted"), ("a1", ""), ("a1x", ""),
    ]  # fmt: skip
    # Once nothing under it is shown, a deleted note leaves the thread too.
    note_delete(note=a1x, user=private.member)
    note_delete(note=a1, user=private.member)
    assert build_thread(Note.objects.for_tree(private.nomination)) == []
    assert Note.objects.count() == 4


def test_it_shows_hidden_notes_to_organizers_only(private) -> None:
    a = post(private, "a")
    post(private, "a1", a, author=private.other_member)
    lone = post(private, "lone")
    note_hide(note=a, by=private.organizer)
    note_hide(note=lone, by=private.organizer)
    members = read(private.nomination)
    assert placeholders(members) == [("a", "hidden"), ("a1", "")]
    organizers = read(private.nomination, show_hidden=True)
    assert placeholders(organizers) == [
        ("a", ""), ("a1", ""), ("lone", ""),
    ]  # fmt: skip


def test_it_folds_a_collapsed_subtree(private) -> None:
    a = post(private, "a")
    a1 = post(private, "a1", a)
    post(private, "a1x", a1)
    post(private, "b")
    items = read(private.nomination, collapsed=[a.pk])
    assert shape(items) == [("a", 0), ("b", 0)]
    assert (items[0].collapsed, items[0].replies) == (True, 2)


def test_it_caps_the_indent_but_keeps_the_depth_of_a_long_chain(private) -> None:
    parent = None
    for index in range(1200):  # deeper than Python's recursion limit would allow a recursive walk
        parent = Note.objects.create(
            group=private.group,
            nomination=private.nomination,
            author=private.member,
            parent=parent,
            body=f"n{index}",
            body_html="x",
        )
    items = read(private.nomination)
    assert [item.depth for item in items] == list(range(1200))
    assert items[-1].indent == MAX_INDENT
    assert items[0].replies == 1199
    assert items[7].parent_author == private.member.name


def test_it_pages_by_note_not_by_position(private) -> None:
    notes = make_thread(private.nomination, [private.member, private.other_member], 450)
    places = build_thread(Note.objects.for_tree(private.nomination))
    first, cursor = page_after(places, None)
    assert len(first) == 200 and cursor == first[-1].note_id
    second, cursor2 = page_after(places, cursor)
    third, cursor3 = page_after(places, cursor2)
    assert (len(second), len(third), cursor3) == (200, 50, None)
    assert [p.note_id for p in first + second + third] == [p.note_id for p in places]
    assert {p.note_id for p in places} == {note.pk for note in notes}


def test_it_cuts_a_subtree_out_of_the_thread(private) -> None:
    a = post(private, "a")
    a1 = post(private, "a1", a)
    post(private, "a1x", a1)
    post(private, "b")
    places = build_thread(Note.objects.for_tree(private.nomination))
    assert shape(thread_items(subtree(places, a1.pk))) == [("a1", 1), ("a1x", 2)]


@pytest.mark.parametrize("count", [10, 2000])
def test_it_reads_a_thread_in_the_same_number_of_queries(
    private, count: int, django_assert_num_queries
) -> None:
    make_thread(
        private.nomination, [private.member, private.other_member, private.organizer], count
    )
    url = reverse("note_thread", args=[private.group.slug, "nominations", private.nomination.pk])
    client = client_for(private.member)
    # session, user, the membership with its group, nomination + paper, the thread's tree
    # (tuples), the shown notes (with their authors)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b'class="note ') == min(count, 200)


@pytest.mark.parametrize("count", [10, 2000])
def test_it_reads_the_next_page_and_a_note_page_in_constant_queries(
    private, count: int, django_assert_num_queries
) -> None:
    notes = make_thread(private.nomination, [private.member, private.other_member], count)
    client = client_for(private.other_member)
    more = reverse("note_more", args=[private.group.slug, "nominations", private.nomination.pk])
    # as for the thread page: the tree, then the shown notes (and the notes they reply to)
    with django_assert_num_queries(6):
        response = client.get(f"{more}?after={notes[0].pk}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    detail = reverse("note_detail", args=[private.group.slug, notes[0].pk])
    # session, user, the membership with its group, the note (author, subject), its subtree's
    # notes: the thread's layout is the one the page above left in the cache
    with django_assert_num_queries(5):
        response = client.get(detail)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 2000])
def test_it_posts_a_reply_in_the_same_number_of_queries(
    private, count: int, django_assert_num_queries
) -> None:
    notes = make_thread(private.nomination, [private.member, private.other_member], count)
    Note.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    client = client_for(private.other_member)
    url = reverse("note_reply", args=[private.group.slug, notes[-1].pk])
    # the htmx answer reads the tree to place the row, then the reply and its parent
    with django_assert_num_queries(14):
        response = client.post(url, {"body": "Agreed, @alice."}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert Note.objects.filter(body="Agreed, @alice.", parent=notes[-1]).exists()


@contextmanager
def notes_built() -> Iterator[list[int]]:
    """The ids of the Note instances built inside the block (a `post_init` receiver)."""
    built: list[int] = []

    def receiver(sender, instance, **kwargs) -> None:
        built.append(instance.pk)

    post_init.connect(receiver, sender=Note)
    try:
        yield built
    finally:
        post_init.disconnect(receiver, sender=Note)


def test_it_builds_no_note_instances_for_the_rows(private) -> None:
    make_thread(private.nomination, [private.member, private.other_member], 2000)
    url = reverse("note_thread", args=[private.group.slug, "nominations", private.nomination.pk])
    client = client_for(private.member)
    with notes_built() as built:
        response = client.get(url)
    shown = re.findall(r'<li id="note-(\d+)"', response.content.decode())
    assert len(set(shown)) == 200
    # Rows are read as tuples (ShownNote): not one of the 2,000 notes becomes a model instance.
    assert built == []


def test_it_reads_only_the_ancestors_of_a_later_page_beyond_its_notes(private) -> None:
    make_thread(private.nomination, [private.member, private.other_member], 2000)
    places = build_thread(Note.objects.for_tree(private.nomination))
    second, _ = page_after(places, places[199].note_id)
    more = reverse("note_more", args=[private.group.slug, "nominations", private.nomination.pk])
    client = client_for(private.other_member)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{more}?after={places[199].note_id}", headers={"HX-Request": "true"})
    assert [item.note.pk for item in response.context["items"]] == [p.note_id for p in second]
    # The rows' query reads the page's notes and the ancestors of its first note, nothing else.
    (rows_query,) = [q["sql"] for q in queries.captured_queries if '"body_html"' in q["sql"]]
    read_ids = {int(pk) for pk in re.findall(r"\d+", rows_query.split(" IN (")[1].split(")")[0])}
    assert len(read_ids) == 200 + second[0].depth


def test_it_names_the_author_replied_to_when_that_note_was_on_an_earlier_page(private) -> None:
    root = post(private, "the question")
    Note.objects.bulk_create(
        Note(
            group=private.group,
            nomination=private.nomination,
            author=private.other_member,
            parent=root,
            body=f"answer {index}",
            body_html=f"<p>answer {index}</p>",
        )
        for index in range(200)
    )
    places = build_thread(Note.objects.for_tree(private.nomination))
    more = reverse("note_more", args=[private.group.slug, "nominations", private.nomination.pk])
    response = client_for(private.other_member).get(f"{more}?after={places[199].note_id}")
    [item] = response.context["items"]
    assert (item.note.body_html, item.parent_author) == ("<p>answer 199</p>", private.member.name)
    assert f"in reply to {private.member.name}" in response.content.decode()


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_it_never_formats_the_note_ids_of_thread_rows_for_the_locale(private) -> None:
    note = Note.objects.create(
        pk=1_234_567,
        group=private.group,
        nomination=private.nomination,
        author=private.member,
        body="big id",
        body_html="<p>big id</p>",
    )
    reply = post(private, "a reply", note)
    url = reverse("note_thread", args=[private.group.slug, "nominations", private.nomination.pk])
    html = client_for(private.member).get(url).content.decode()
    assert 'id="note-1234567"' in html
    assert f"/notes/{note.pk}/reply/" in html
    assert f'id="note-{reply.pk}-content"' in html
    assert "1,234,567" not in html


@pytest.mark.parametrize("kind", ["nominations", "sessions"])
def test_it_links_the_breadcrumb_to_the_group(private, kind: str) -> None:
    subject = private.nomination if kind == "nominations" else private.session
    url = reverse("note_thread", args=[private.group.slug, kind, subject.pk])
    page = client_for(private.other_member).get(url).content.decode()
    crumbs = page.split('<nav class="breadcrumb"')[1].split("</nav>")[0]
    assert f'<a href="{reverse("group_home", args=[private.group.slug])}">' in crumbs
