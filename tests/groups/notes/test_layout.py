"""The cached thread layout (groups/notes/layout.py): the same places as `build_thread` and as a
plain recursive reference written here, on random trees, for every kind of reader; the version
the database changes with every note write; a cold or unreachable cache."""

import random
from collections import defaultdict

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from groups.models import DiscussionSession, Nomination, Note
from groups.notes.layout import thread_page, thread_places
from groups.notes.services import ThreadPlace, build_thread, note_delete, note_edit, page_after
from tests.people import client_for

Row = tuple[int, int | None, int | None, bool, bool]  # id, parent, author, deleted, hidden
Place = tuple[int, int | None, int, int, str, bool]


def reference(
    rows: list[Row],
    *,
    order: str,
    organizer: bool,
    viewer_id: int | None,
    collapsed: set[int],
) -> list[Place]:
    """The thread as the notes issue describes it, written the obvious (recursive) way: replies
    under their note, siblings oldest or newest first; a deleted note, or a hidden one this reader
    may not see, stays as a placeholder while something below it is shown; replies under a
    folded note are left out; `replies` counts the shown notes below."""
    by_id = {row[0]: row for row in rows}
    children: dict[int | None, list[int]] = defaultdict(list)
    for note_id in sorted(by_id, reverse=order == "newest"):
        children[by_id[note_id][1]].append(note_id)

    def placeholder(note_id: int) -> str:
        _, _, author_id, deleted, hidden = by_id[note_id]
        if deleted:
            return "deleted"
        if hidden and not organizer and author_id != viewer_id:
            return "hidden"
        return ""

    def below(note_id: int) -> int:
        return sum(1 + below(child) for child in children[note_id] if shown(child))

    def shown(note_id: int) -> bool:
        return not placeholder(note_id) or below(note_id) > 0

    places: list[Place] = []

    def walk(note_id: int, depth: int) -> None:
        if not shown(note_id):
            return
        replies = below(note_id)
        folded = note_id in collapsed and replies > 0
        places.append((note_id, by_id[note_id][1], depth, replies, placeholder(note_id), folded))
        if note_id not in collapsed:
            for child in children[note_id]:
                walk(child, depth + 1)

    for top in children[None]:
        walk(top, 0)
    return places


def as_tuples(places: list[ThreadPlace]) -> list[Place]:
    return [
        (p.note_id, p.parent_id, p.depth, p.replies, p.placeholder, p.collapsed) for p in places
    ]


def random_thread(subject, authors: list, rng: random.Random, shape: str) -> list[Note]:
    """Notes on `subject` shaped as `shape`, a quarter of them hidden or deleted, with and without
    replies below them."""
    notes: list[Note] = []
    count = {"chain": 90, "fan": 80, "mixed": 70, "bushy": 60}[shape]
    field = "nomination" if isinstance(subject, Nomination) else "session"
    for index in range(count):
        if not notes:
            parent = None
        elif shape == "chain":  # one long chain, a few side branches
            parent = notes[-1] if rng.random() < 0.9 else rng.choice(notes)
        elif shape == "fan":  # a few notes with many replies each
            parent = rng.choice(notes[:4]) if rng.random() < 0.85 else None
        elif shape == "bushy":
            parent = rng.choice(notes[-10:]) if rng.random() < 0.7 else None
        else:
            parent = rng.choice(notes) if rng.random() < 0.75 else None
        notes.append(
            Note.objects.create(
                group=subject.group,
                author=rng.choice(authors),
                parent=parent,
                body=f"note {index}",
                body_html=f"<p>note {index}</p>",
                **{field: subject},
            )
        )
    now = timezone.now()
    for note in rng.sample(notes, len(notes) // 8):
        Note.objects.filter(pk=note.pk).update(deleted_at=now)
    for note in rng.sample(notes, len(notes) // 8):
        Note.objects.filter(pk=note.pk).update(hidden_at=now)
    return notes


@pytest.mark.parametrize(
    ("shape", "seed", "kind"),
    [
        ("chain", 1, "nomination"),
        ("fan", 2, "nomination"),
        ("mixed", 3, "session"),
        ("bushy", 4, "nomination"),
        ("mixed", 5, "nomination"),
        ("chain", 6, "session"),
        ("bushy", 7, "session"),
        ("fan", 8, "session"),
    ],
)
def test_it_lays_out_random_threads_as_the_reference_does(
    private, shape: str, seed: int, kind: str
) -> None:
    rng = random.Random(seed)
    subject = private.nomination if kind == "nomination" else private.session
    authors = [private.member, private.other_member, private.organizer]
    random_thread(subject, authors, rng, shape)
    rows: list[Row] = list(Note.objects.for_tree(subject))
    assert any(row[4] for row in rows) and any(row[3] for row in rows)
    with_replies = {row[1] for row in rows if row[1] is not None}
    # The organizer, a member (who wrote some of the hidden notes: they see them), another
    # member and a visitor: the cache is warm from the reader before for all but the first.
    readers = [
        (private.organizer.pk, True),
        (private.member.pk, False),
        (private.other_member.pk, False),
        (None, False),
    ]
    for order in ("oldest", "newest"):
        for viewer_id, organizer in readers:
            for collapsed in (set(), set(rng.sample(sorted(with_replies), 3))):
                expected = reference(
                    rows, order=order, organizer=organizer, viewer_id=viewer_id, collapsed=collapsed
                )
                options = {
                    "order": order,
                    "show_hidden": organizer,
                    "collapsed": collapsed,
                    "viewer_id": viewer_id,
                }
                assert as_tuples(build_thread(rows, **options)) == expected
                places = thread_places(subject, **options)
                assert as_tuples(places) == expected
                # Pages of 7: the same as cutting the whole layout, cursor by cursor.
                after = None
                while True:
                    page, cursor, count = thread_page(subject, **options, after=after, size=7)
                    old_page, old_cursor = page_after(places, after, size=7)
                    assert (as_tuples(page), cursor, count) == (
                        as_tuples(old_page),
                        old_cursor,
                        len(expected),
                    )
                    if cursor is None:
                        break
                    after = cursor


def _version(subject) -> int:
    return type(subject).objects.values_list("notes_version", flat=True).get(pk=subject.pk)


@pytest.mark.parametrize("kind", ["nomination", "session"])
def test_the_database_changes_the_version_with_every_note_write(private, kind: str) -> None:
    subject = private.nomination if kind == "nomination" else private.session
    other = private.session if kind == "nomination" else private.nomination
    field = {kind: subject}
    seen = [_version(subject)]
    untouched = _version(other)

    def changed() -> bool:
        seen.append(_version(subject))
        return seen[-1] != seen[-2]

    note = Note.objects.create(
        group=private.group, author=private.member, body="a", body_html="a", **field
    )
    assert changed()
    Note.objects.bulk_create(
        [
            Note(group=private.group, author=private.member, body="b", body_html="b", **field),
            Note(group=private.group, author=private.member, body="c", body_html="c", **field),
        ]
    )
    assert changed()
    Note.objects.filter(pk=note.pk).update(hidden_at=timezone.now())
    assert changed()
    note_edit(note=note, user=private.member, body="a, again")
    assert changed()
    note_delete(note=note, user=private.member)
    assert changed()
    Note.objects.filter(body="c").delete()
    assert changed()
    # Another subject's thread keeps its version.
    assert _version(other) == untouched


def test_subjects_start_at_different_versions(private) -> None:
    # A subject whose id is used again never meets the layout cached for the one before.
    versions = {_version(private.nomination), _version(private.session)}
    assert len(versions) == 2


def _thread_url(private) -> str:
    return reverse("note_thread", args=[private.group.slug, "nominations", private.nomination.pk])


def _note(private, html: str, *, author=None, **fields) -> Note:
    """A note written straight to the database (past the services), on the nomination unless
    `session=` says otherwise."""
    if "session" not in fields:
        fields["nomination"] = private.nomination
    return Note.objects.create(
        group=private.group,
        author=author or private.member,
        body=html,
        body_html=html,
        **fields,
    )


def test_a_warm_thread_page_reads_no_tree(private, django_assert_num_queries) -> None:
    Note.objects.bulk_create(
        Note(
            group=private.group,
            nomination=private.nomination,
            author=private.other_member,
            body=f"n{index}",
            body_html=f"<p>n{index}</p>",
        )
        for index in range(30)
    )
    client = client_for(private.member)
    assert client.get(_thread_url(private)).status_code == 200  # lays the thread out, cached
    # session, user, the membership with its group, nomination + paper: the rows themselves are
    # the shared ones, cached with the layout's version (test_shared_rows.py)
    with django_assert_num_queries(4):
        response = client.get(_thread_url(private))
    assert response.content.count(b'class="note ') == 30


def test_a_note_written_past_the_services_shows_at_once(private) -> None:
    client = client_for(private.member)
    first = _note(private, "<p>first</p>")
    assert b"<p>first</p>" in client.get(_thread_url(private)).content
    _note(private, "<p>second</p>", author=private.other_member, parent=first)
    html = client.get(_thread_url(private)).content.decode()
    assert "<p>second</p>" in html and "Hide 1 reply" in html
    Note.objects.filter(pk=first.pk).update(hidden_at=timezone.now())
    html = client_for(private.other_member).get(_thread_url(private)).content.decode()
    assert "[hidden by a moderator]" in html and "<p>first</p>" not in html


# Nothing listens there: every cache call fails at once.
UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_it_lays_the_thread_out_without_a_cache(private) -> None:
    note = _note(private, "<p>the question</p>")
    with override_settings(CACHES=UNREACHABLE):
        places = thread_places(private.nomination)
        assert [place.note_id for place in places] == [note.pk]
        nomination = Nomination.objects.get(pk=private.nomination.pk)
        page, cursor, count = thread_page(nomination)
        assert ([place.note_id for place in page], cursor, count) == ([note.pk], None, 1)


def test_it_serves_the_page_without_a_cache(private) -> None:
    # The view itself, with the rate limits and sessions in the database as ever.
    _note(private, "<p>the question</p>")
    client = client_for(private.member)
    with override_settings(CACHES=UNREACHABLE):
        response = client.get(_thread_url(private))
    assert response.status_code == 200
    assert b"<p>the question</p>" in response.content


def test_a_session_thread_has_its_own_layout(private) -> None:
    on_nomination = _note(private, "n")
    on_session = _note(private, "s", session=private.session)
    assert [p.note_id for p in thread_places(private.nomination)] == [on_nomination.pk]
    session = DiscussionSession.objects.get(pk=private.session.pk)
    assert [p.note_id for p in thread_places(session)] == [on_session.pk]
