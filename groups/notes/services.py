"""Notes: the write services, and reading a thread as a flat, depth-indented list.

A thread is laid out from one query (`Note.objects.for_tree(subject)`), every note as a tuple of
ids and flags, by `build_thread` in Python: with 2,000 notes a few milliseconds. Pages take that
layout from the cache when they can (groups/notes/layout.py, keyed by the subject's
`notes_version`), so the walk runs once per change of the thread, not per page. Then
`thread_items` reads what the rows of the page shown (200 of the 2,000) print, as `ShownNote`s:
no model instances.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone

from groups.access import require_group_moderator
from groups.models import (
    DiscussionSession,
    Mention,
    ModerationLog,
    Nomination,
    Note,
    NoteRevision,
    ReadingGroup,
    ThreadLock,
    User,
)
from groups.models.notes import NOTE_MAX_LENGTH, TreeRow
from groups.models.people import FORMER_MEMBER
from groups.moderation.audit import audit_record
from groups.notes.links import mention_url
from groups.notes.markdown import mention_candidates, render_markdown
from groups.notifications.tasks import send_group_notices

Subject = Nomination | DiscussionSession
SubjectKind = Literal["nominations", "sessions"]
Order = Literal["oldest", "newest"]

PAGE_SIZE = 200  # notes a thread opens with; "more replies" loads the next ones
MAX_INDENT = 6  # deeper replies keep their depth (data-depth) but stop moving right
DUPLICATE_WINDOW = timedelta(seconds=10)  # the same note posted twice in this window is one note


# ---------------------------------------------------------------------------------------------
# Subjects and their URLs


def subject_lock(subject: Subject) -> ThreadLock | None:
    """The subject's thread lock or None; no query when the lock was select_related (as
    `get_subject_or_404` and `get_note_or_404` in groups.access do)."""
    try:
        return subject.thread_lock
    except ThreadLock.DoesNotExist:
        return None


# ---------------------------------------------------------------------------------------------
# Write services


def _lock_filter(subject: Subject) -> dict[str, OuterRef]:
    """ThreadLock lookups matching a subject row of the outer query (for Exists())."""
    field = "nomination" if isinstance(subject, Nomination) else "session"
    return {field: OuterRef("pk")}


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError("Write something first.", code="empty")
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError(
            f"Notes can be at most {NOTE_MAX_LENGTH:,} characters long.", code="too_long"
        )
    return body


def _render(group: ReadingGroup, body: str) -> tuple[str, list[User]]:
    """The sanitized HTML of a body and the group members it mentions (one query at most)."""
    candidates = mention_candidates(body)
    members: dict[str, User] = {}
    if candidates:
        users = User.objects.annotate(handle=Lower("username")).filter(
            handle__in=candidates, memberships__group=group
        )
        members = {user.username.lower(): user for user in users}
    rendered = render_markdown(
        body,
        mentionable={key: user.username for key, user in members.items()},
        mention_url=lambda handle: mention_url(group, handle),
    )
    return rendered.html, [members[handle.lower()] for handle in rendered.mentioned]


def _sync_mentions(note: Note, mentioned: list[User]) -> None:
    Mention.objects.filter(note=note).exclude(user__in=mentioned).delete()
    Mention.objects.bulk_create(
        [Mention(note=note, user=user) for user in mentioned], ignore_conflicts=True
    )


@transaction.atomic
def note_create(*, author: User, subject: Subject, body: str, parent: Note | None = None) -> Note:
    """Posts a note (a reply when `parent` is given) on a subject; the caller checked membership.

    The note remembers the subject's paper's latest arXiv version (`Note.paper_version`), which
    an edit keeps. Raises ValidationError for an empty or too long body, a locked thread, or a
    parent that is on another subject, deleted or hidden. Posting the same text to the same
    place again within a few seconds (a double click, a resent form) returns the first note
    instead of making a second.
    """
    body = _clean_body(body)
    # Lock the subject: two identical posts at once are then seen one after the other, and a
    # thread being locked (`thread_lock` takes the same row lock) is seen before or after, whole.
    # The lock test and the paper's latest version (what the note is about) ride in the same
    # query; the paper row is read, not locked (an import may be writing it).
    locked, paper_version = (
        type(subject)
        .objects.select_for_update(of=("self",))
        .filter(pk=subject.pk)
        .annotate(locked=Exists(ThreadLock.objects.filter(**_lock_filter(subject))))
        .values_list("locked", "paper__latest_version")
        .get()
    )
    if locked:
        raise ValidationError("This thread is locked: no new notes or replies.", code="locked")
    if parent is not None:
        if (parent.nomination_id, parent.session_id) != _subject_key(subject):
            raise ValidationError("A reply belongs to the same thread as its note.")
        if parent.is_deleted or parent.is_hidden:
            raise ValidationError("That note is no longer there to reply to.")
    nomination_id, session_id = _subject_key(subject)
    duplicate = (
        Note.objects.filter(
            author=author,
            nomination=nomination_id,
            session=session_id,
            parent=parent,
            body=body,
            deleted_at__isnull=True,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        )
        .order_by("id")
        .first()
    )
    if duplicate is not None:
        return duplicate
    body_html, mentioned = _render(subject.group, body)
    note = Note.objects.create(
        group=subject.group,
        nomination=subject if isinstance(subject, Nomination) else None,
        session=subject if isinstance(subject, DiscussionSession) else None,
        author=author,
        parent=parent,
        body=body,
        body_html=body_html,
        paper_version=paper_version,
    )
    _sync_mentions(note, mentioned)
    send_group_notices.delay_on_commit("note", note.pk)
    return note


@transaction.atomic
def note_edit(*, note: Note, user: User, body: str) -> Note:
    """Replaces a note's body, keeping the earlier one as a NoteRevision. Only its author may.

    The note keeps the paper version it was written about: an edit is mostly a correction, and
    a note first written about v1 and then fixed for a typo still argues about v1 (a note on the
    new version is a new note or a reply). Saving the same text again changes nothing (no
    empty revision).
    """
    if note.author_id != user.pk:
        raise PermissionDenied("Only its author can edit a note.")
    body = _clean_body(body)
    locked = Note.objects.select_for_update().select_related("group").get(pk=note.pk)
    if locked.is_deleted:
        raise ValidationError("This note was deleted.")
    if locked.body == body:
        return locked
    NoteRevision.objects.create(note=locked, body=locked.body, body_html=locked.body_html)
    locked.body_html, mentioned = _render(locked.group, body)
    locked.body = body
    locked.edited_at = timezone.now()
    locked.save(update_fields=["body", "body_html", "edited_at"])
    _sync_mentions(locked, mentioned)
    # Someone newly @mentioned by the edit hears about it; the others were told already.
    send_group_notices.delay_on_commit("note", locked.pk)
    return locked


@transaction.atomic
def note_delete(*, note: Note, user: User) -> Note:
    """Marks a note deleted (its author only); the row, its text and history stay. Idempotent."""
    if note.author_id != user.pk:
        raise PermissionDenied("Only its author can delete a note.")
    Note.objects.filter(pk=note.pk, deleted_at__isnull=True).update(deleted_at=timezone.now())
    note.refresh_from_db(fields=["deleted_at"])
    return note


@transaction.atomic
def note_hide(*, note: Note, by: User, reason: str = "") -> bool:
    """Hides a note from members (its group's organizers and site moderators; checked here).

    The author and moderators still read it; replies stay. Writes the audit log entry. Returns
    False, changing nothing, when the note was already hidden.
    """
    require_group_moderator(by, note.group)
    changed = Note.objects.filter(pk=note.pk, hidden_at__isnull=True).update(
        hidden_at=timezone.now(), hidden_by=by
    )
    note.refresh_from_db(fields=["hidden_at", "hidden_by"])
    if changed:
        audit_record(
            actor=by,
            action=ModerationLog.Action.NOTE_HIDE,
            target=note,
            group=note.group,
            reason=reason,
        )
    return bool(changed)


@transaction.atomic
def note_unhide(*, note: Note, by: User, reason: str = "") -> bool:
    """Shows a hidden note again (as for `note_hide`). False when it was not hidden."""
    require_group_moderator(by, note.group)
    changed = Note.objects.filter(pk=note.pk, hidden_at__isnull=False).update(
        hidden_at=None, hidden_by=None
    )
    note.refresh_from_db(fields=["hidden_at", "hidden_by"])
    if changed:
        audit_record(
            actor=by,
            action=ModerationLog.Action.NOTE_UNHIDE,
            target=note,
            group=note.group,
            reason=reason,
        )
    return bool(changed)


def _subject_key(subject: Subject) -> tuple[int | None, int | None]:
    if isinstance(subject, Nomination):
        return subject.pk, None
    return None, subject.pk


# ---------------------------------------------------------------------------------------------
# Reading a thread


Placeholder = Literal["", "deleted", "hidden"]


@dataclass(slots=True)
class ThreadPlace:
    """Where one note sits in the flat thread: worked out from its `TreeRow` alone."""

    note_id: int
    parent_id: int | None  # the note it replies to, when that note is in the thread
    depth: int
    replies: int  # shown notes below it
    placeholder: Placeholder
    collapsed: bool = False


@dataclass(frozen=True, slots=True)
class ShownNote:
    """What a thread row shows of a note (no model instance: a page shows 200)."""

    pk: int
    author_id: int | None
    author_name: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    is_deleted: bool
    is_hidden: bool
    paper_version: int | None = None  # the paper's version it was written about (None: unknown)

    @classmethod
    def of(cls, note: Note) -> ShownNote:
        return cls(
            pk=note.pk,
            author_id=note.author_id,
            author_name=note.author_name,
            body_html=note.body_html,
            created_at=note.created_at,
            edited_at=note.edited_at,
            is_deleted=note.is_deleted,
            is_hidden=note.is_hidden,
            paper_version=note.paper_version,
        )


@dataclass(slots=True)
class ThreadItem:
    """One row of the flat thread as a page shows it: a note, how deep it sits, and how."""

    note: ShownNote
    depth: int
    replies: int  # shown notes below it
    placeholder: Placeholder
    collapsed: bool = False
    parent_author: str = ""  # "in reply to ...": "" for a top-level note
    toggle: str = ""  # the `collapsed` query value that folds or unfolds this note's replies

    @property
    def indent(self) -> int:
        return min(self.depth, MAX_INDENT)


def _placeholder(row: TreeRow, *, show_hidden: bool, viewer_id: int | None) -> Placeholder:
    _, _, author_id, is_deleted, is_hidden = row
    if is_deleted:
        return "deleted"
    if is_hidden and not show_hidden and author_id != viewer_id:
        return "hidden"
    return ""


def build_thread(
    rows: Iterable[TreeRow],
    *,
    order: Order = "oldest",
    show_hidden: bool = False,
    collapsed: Iterable[int] = (),
    viewer_id: int | None = None,
) -> list[ThreadPlace]:
    """The thread as a flat list in reading order (each note followed by its replies), from
    `Note.objects.for_tree(subject)`; `thread_items` then reads the notes of the places shown.

    Siblings are sorted oldest or newest first at every level. A deleted note (or, for readers
    who may not see it, a hidden one; its author `viewer_id` always may) stays as a placeholder
    while something below it is shown, and is left out otherwise. Replies under a collapsed note
    are left out. No recursion: a chain of 2,000 replies is as cheap as 2,000 top-level notes.
    """
    by_id = {row[0]: row for row in rows}
    children: dict[int | None, list[int]] = {}
    for note_id, parent_id, *_ in sorted(by_id.values(), reverse=order == "newest"):
        children.setdefault(parent_id if parent_id in by_id else None, []).append(note_id)

    # Plain loops and dict.get rather than generators and a defaultdict: this runs for every
    # note of the thread on every page (2,000 notes: a few milliseconds, bench/pages.py).
    # Pre-order walk once, with depths ...
    preorder: list[tuple[int, int]] = []
    stack = [(note_id, 0) for note_id in reversed(children.get(None, ()))]
    while stack:
        note_id, depth = stack.pop()
        preorder.append((note_id, depth))
        replies = children.get(note_id)
        if replies:
            stack.extend((child, depth + 1) for child in reversed(replies))
    # ... then count shown descendants children-first (reverse pre-order).
    below: dict[int, int] = {}
    placeholders: dict[int, Placeholder] = {}
    shown: set[int] = set()
    for note_id, _ in reversed(preorder):
        count = 0
        for child in children.get(note_id, ()):
            if child in shown:
                count += 1 + below[child]
        below[note_id] = count
        placeholder = _placeholder(by_id[note_id], show_hidden=show_hidden, viewer_id=viewer_id)
        placeholders[note_id] = placeholder
        if not placeholder or count:
            shown.add(note_id)

    # A note that is not shown has nothing shown below it; a folded note's replies are skipped.
    folded = set(collapsed)
    places: list[ThreadPlace] = []
    folded_depth: int | None = None
    for note_id, depth in preorder:
        if folded_depth is not None:
            if depth > folded_depth:
                continue
            folded_depth = None
        if note_id not in shown:
            continue
        parent_id = by_id[note_id][1]
        is_folded = note_id in folded
        places.append(
            ThreadPlace(
                note_id,
                parent_id if parent_id in by_id else None,
                depth,
                below[note_id],
                placeholders[note_id],
                is_folded and below[note_id] > 0,
            )
        )
        if is_folded:
            folded_depth = depth
    return places


def _author_line(parent: ShownNote | None) -> str:
    """How a reply names the note it answers ("in reply to ...")."""
    if parent is None:
        return ""
    if parent.is_deleted:
        return "[deleted]"
    return parent.author_name


def thread_items(places: Sequence[ThreadPlace]) -> list[ThreadItem]:
    """The rows to show for these places, their notes read in one query (none for no places).

    The query also reads the notes they reply to, for the authors' names: on a thread's first
    page those are on the page already; on a later page they add at most the ancestors of its
    first note.
    """
    wanted = {place.note_id for place in places}
    wanted.update(place.parent_id for place in places if place.parent_id is not None)
    notes = {
        pk: ShownNote(
            pk=pk,
            author_id=author_id,
            author_name=display_name or username or FORMER_MEMBER,  # no author: both None
            body_html=body_html,
            created_at=created_at,
            edited_at=edited_at,
            is_deleted=deleted_at is not None,
            is_hidden=hidden_at is not None,
            paper_version=paper_version,
        )
        for (
            pk,
            author_id,
            display_name,
            username,
            body_html,
            created_at,
            edited_at,
            deleted_at,
            hidden_at,
            paper_version,
        ) in Note.objects.filter(id__in_ids=wanted).for_rows()
    }
    return [
        ThreadItem(
            note=notes[place.note_id],
            depth=place.depth,
            replies=place.replies,
            placeholder=place.placeholder,
            collapsed=place.collapsed,
            parent_author=_author_line(notes.get(place.parent_id) if place.parent_id else None),
        )
        for place in places
        if place.note_id in notes  # notes are never deleted, but a whole thread can be, meanwhile
    ]


def page_after(
    places: list[ThreadPlace], after: int | None, size: int = PAGE_SIZE
) -> tuple[list[ThreadPlace], int | None]:
    """The `size` places following note `after` (from the start without it), and the next cursor.

    The cursor is a note id, not a position, so notes posted meanwhile do not shift the pages.
    """
    start = 0
    if after is not None:
        for index, place in enumerate(places):
            if place.note_id == after:
                start = index + 1
                break
    page = places[start : start + size]
    more = start + size < len(places)
    return page, (page[-1].note_id if more and page else None)


def subtree(places: list[ThreadPlace], note_id: int) -> list[ThreadPlace]:
    """A note's place and the places of its replies, as they sit in the thread."""
    for index, place in enumerate(places):
        if place.note_id == note_id:
            end = index + 1
            while end < len(places) and places[end].depth > place.depth:
                end += 1
            return places[index:end]
    return []


def ancestor_places(places: list[ThreadPlace], parent_id: int | None) -> list[ThreadPlace]:
    """The places of the note `parent_id`, its parent, and so on up to the top, as far as they
    are in the thread: the rows whose reply counts (and fold links) a new or gone reply changes."""
    by_id = {place.note_id: place for place in places}
    chain = []
    while parent_id is not None and parent_id in by_id:
        chain.append(by_id[parent_id])
        parent_id = by_id[parent_id].parent_id
    return chain


def fold_toggle(collapsed: Iterable[int], note_id: int) -> str:
    """The `collapsed` query value of a note's fold link: its replies folded, or unfolded."""
    return ",".join(str(pk) for pk in sorted(set(collapsed) ^ {note_id}))


def parse_ids(value: str | None) -> list[int]:
    """Note ids from a comma-separated query parameter, ignoring anything else."""
    return [int(part) for part in (value or "").split(",") if part.strip().isdigit()][:500]
