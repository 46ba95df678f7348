"""A thread's layout (which notes it shows, in what order, how deep, with how many replies),
cached under its subject's `notes_version`.

Laying out a thread reads every note of it as a tuple and walks the tree (`build_thread`): with
2,000 notes that was most of the page's time (bench/pages.py). The layout depends only on the
notes' ids, parents, authors and deleted/hidden flags, and on who reads (organizers see hidden
notes; a hidden note's author sees it too), so it is kept in the cache (Redis in production, local
memory in the embedded set-up) per subject, version, order and audience: organizers, or members
and visitors.

The version changes in the same transaction as every write of one of the subject's notes (a
database trigger, groups/migrations/0012_thread_versions.py), so a layout cached under the
version a page read with its subject is never older than that subject row. The layout is read
from the tree together with the version, in one statement, and stored under that version. A cold
cache, or one that cannot be reached, costs the tree query and the walk, as before; nothing else.

What is cached is unfolded: folds (`?collapsed=`) are a reader's view, cut out here per request.
A member whose own hidden note is in the thread sees it where others see a placeholder: the cached
entry names those authors, and their layout is built for them, uncached (it is rare).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

from django.db.models import F

from groups.caching import cache_read, cache_write
from groups.models import Membership, Nomination, Note, ReadingGroup
from groups.models.notes import NOTE_MAX_LENGTH, TreeRow
from groups.notes.links import note_urls, subject_kind, thread_url
from groups.notes.services import (
    PAGE_SIZE,
    Order,
    Placeholder,
    Subject,
    ThreadPlace,
    build_thread,
    fold_toggle,
    subject_lock,
    thread_items,
)

PLACEHOLDERS: tuple[Placeholder, ...] = ("", "deleted", "hidden")
CODES: dict[Placeholder, int] = {placeholder: code for code, placeholder in enumerate(PLACEHOLDERS)}
# A place is five ints in a flat array: note id, parent id (0: none), depth, replies, placeholder
# code. One array unpickles in microseconds; 2,000 objects would not.
WIDTH = 5
CACHE_SECONDS = 24 * 3600  # a thread nobody reads for a day is laid out again when it is


def _key(subject: Subject, version: int, order: Order, show_hidden: bool) -> str:
    kind = "n" if isinstance(subject, Nomination) else "s"
    audience = "all" if show_hidden else "members"
    return f"notes:layout:{kind}{subject.pk}:{version}:{order}:{audience}"


def _encode(places: Iterable[ThreadPlace]) -> array[int]:
    flat = array("q")
    for place in places:
        flat.extend(
            (
                place.note_id,
                place.parent_id or 0,
                place.depth,
                place.replies,
                CODES[place.placeholder],
            )
        )
    return flat


def _place(flat: array[int], start: int, folded: set[int]) -> ThreadPlace:
    note_id, parent_id, depth, replies, code = flat[start : start + WIDTH]
    return ThreadPlace(
        note_id,
        parent_id or None,
        depth,
        replies,
        PLACEHOLDERS[code],
        note_id in folded and replies > 0,
    )


def _read_tree(subject: Subject) -> tuple[list[TreeRow], int | None]:
    """Every note of the subject as a `TreeRow`, and the subject's `notes_version` read in the
    same statement (None for a thread without notes)."""
    field = "nomination" if isinstance(subject, Nomination) else "session"
    rows = list(
        Note.objects.for_tree(subject).values_list(
            "id",
            "parent_id",
            "author_id",
            "deleted",
            "hidden",
            F(f"{field}__notes_version"),
        )
    )
    if not rows:
        return [], None
    return [row[:5] for row in rows], rows[0][5]


def _layout(
    subject: Subject, *, order: Order, show_hidden: bool, viewer_id: int | None, fresh: bool
) -> tuple[array[int], frozenset[int]]:
    """The unfolded layout of the thread for this reader, flat (see WIDTH), and the authors of
    its hidden notes (each of whom sees their own where other members see a placeholder).

    `fresh`: the caller has just written a note, so the version on its subject object is old;
    the cache is not asked, the tree is read, its layout stored under the version read with it,
    and the subject object given that version (so later calls in the request find it cached).
    """
    if not fresh:
        entry = cache_read(_key(subject, subject.notes_version, order, show_hidden))
        if entry is not None:
            flat, hidden_authors = entry
            if show_hidden or viewer_id is None or viewer_id not in hidden_authors:
                return flat, hidden_authors
    rows, version = _read_tree(subject)
    if version is not None:
        # The version this layout is of: what the rest of the request asks the cache for.
        subject.notes_version = version
    # Built for members in general: the cached layout must not show one member's hidden note.
    flat = _encode(build_thread(rows, order=order, show_hidden=show_hidden))
    hidden_authors = frozenset(
        author_id
        for _, _, author_id, is_deleted, is_hidden in rows
        if is_hidden and not is_deleted and author_id is not None
    )
    if version is not None:
        cache_write(
            _key(subject, version, order, show_hidden), (flat, hidden_authors), CACHE_SECONDS
        )
        if not show_hidden and viewer_id in hidden_authors:
            own = build_thread(rows, order=order, show_hidden=False, viewer_id=viewer_id)
            return _encode(own), hidden_authors
    return flat, hidden_authors


def _starts(flat: array[int], folded: set[int]) -> list[int]:
    """The offsets in `flat` of the places shown with these notes' replies folded."""
    starts = []
    end = len(flat)
    start = 0
    while start < end:
        starts.append(start)
        if flat[start] in folded:
            depth = flat[start + 2]
            start += WIDTH
            while start < end and flat[start + 2] > depth:
                start += WIDTH
        else:
            start += WIDTH
    return starts


def thread_places(
    subject: Subject,
    *,
    order: Order = "oldest",
    show_hidden: bool = False,
    collapsed: Iterable[int] = (),
    viewer_id: int | None = None,
    fresh: bool = False,
) -> list[ThreadPlace]:
    """The whole thread in reading order, as `build_thread` lays it out from
    `Note.objects.for_tree(subject)` with the same options (and so the same rules); from the
    cache when it holds the subject's current version. `fresh` as for `thread_page`."""
    flat, _ = _layout(
        subject, order=order, show_hidden=show_hidden, viewer_id=viewer_id, fresh=fresh
    )
    folded = set(collapsed)
    starts = _starts(flat, folded) if folded else range(0, len(flat), WIDTH)
    return [_place(flat, start, folded) for start in starts]


def thread_page(
    subject: Subject,
    *,
    order: Order = "oldest",
    show_hidden: bool = False,
    collapsed: Iterable[int] = (),
    viewer_id: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
    fresh: bool = False,
) -> tuple[list[ThreadPlace], int | None, int]:
    """The `size` places after note `after` (from the start without it), the next page's cursor
    and how many places the whole thread has: what `page_after(thread_places(...), after)` gives,
    without making a place of every note. `fresh` after a write in the same request (the subject
    object's version is old then): the tree is read whatever the cache holds."""
    page, next_after, count, _ = _page(
        subject,
        order=order,
        show_hidden=show_hidden,
        collapsed=collapsed,
        viewer_id=viewer_id,
        after=after,
        size=size,
        fresh=fresh,
    )
    return page, next_after, count


def _page(
    subject: Subject,
    *,
    order: Order,
    show_hidden: bool,
    collapsed: Iterable[int],
    viewer_id: int | None,
    after: int | None,
    size: int,
    fresh: bool,
) -> tuple[list[ThreadPlace], int | None, int, frozenset[int]]:
    """`thread_page`, and the authors of the thread's hidden notes."""
    flat, hidden_authors = _layout(
        subject, order=order, show_hidden=show_hidden, viewer_id=viewer_id, fresh=fresh
    )
    folded = set(collapsed)
    if folded:
        starts: list[int] | range = _starts(flat, folded)
    else:
        starts = range(0, len(flat), WIDTH)
    first = 0
    if after is not None:
        if folded:
            first = next(
                (index + 1 for index, start in enumerate(starts) if flat[start] == after), 0
            )
        else:
            try:
                first = flat[0::WIDTH].index(after) + 1
            except ValueError:
                first = 0
    shown = starts[first : first + size]
    page = [_place(flat, start, folded) for start in shown]
    more = first + size < len(starts)
    return page, (page[-1].note_id if more and page else None), len(starts), hidden_authors


def thread_frame(
    *,
    group: ReadingGroup,
    membership: Membership | None,
    subject: Subject,
    order: str = "oldest",
    collapsed: Iterable[int] = (),
    highlight: int | None = None,
) -> dict:
    """What `thread_context` gives but the page of notes (`items`, `note_count`, `next_after`,
    `hidden_authors`): the thread's frame, for a page whose rows come from elsewhere."""
    chosen: Order = "newest" if order == "newest" else "oldest"
    folded = sorted(set(collapsed))
    return {
        "group": group,
        "membership": membership,
        "subject": subject,
        "subject_kind": subject_kind(subject),
        "thread_url": thread_url(group, subject),
        "note_urls": note_urls(group),
        "order": chosen,
        "collapsed": ",".join(str(pk) for pk in folded),
        "collapsed_ids": set(folded),
        "highlight": highlight,
        "max_length": NOTE_MAX_LENGTH,
        "lock": subject_lock(subject),
    }


def thread_context(
    *,
    group: ReadingGroup,
    membership: Membership | None,
    subject: Subject,
    order: str = "oldest",
    after: int | None = None,
    collapsed: Iterable[int] = (),
    highlight: int | None = None,
    fresh: bool = False,
) -> dict:
    """The context of `groups/notes/thread.html#thread` (see the template's header comment);
    `fresh` right after a write (see `thread_page`). `hidden_authors`: who wrote the thread's
    hidden notes (they see their own)."""
    context = thread_frame(
        group=group,
        membership=membership,
        subject=subject,
        order=order,
        collapsed=collapsed,
        highlight=highlight,
    )
    folded = sorted(context["collapsed_ids"])
    page, next_after, note_count, hidden_authors = _page(
        subject,
        order=context["order"],
        show_hidden=membership is not None and membership.is_organizer,
        collapsed=folded,
        viewer_id=membership.user_id if membership is not None else None,
        after=after,
        size=PAGE_SIZE,
        fresh=fresh,
    )
    items = thread_items(page)
    for item in items:
        if item.replies:
            item.toggle = fold_toggle(folded, item.note.pk)
    context.update(
        items=items, note_count=note_count, next_after=next_after, hidden_authors=hidden_authors
    )
    return context
