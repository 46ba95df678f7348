"""Threaded notes on nominations and sessions (the notes issue).

Notes are never deleted from the database: deleting sets `deleted_at`, organizers hide with
`hidden_at`, and every earlier body is kept as a NoteRevision. Writes go through the services in
`groups/notes/services.py`, which also enforce the rules the database cannot see (a reply shares its parent's
subject; the subject belongs to the note's group).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Q

from groups.models.discussions import DiscussionSession
from groups.models.groups import Nomination, ReadingGroup
from groups.models.people import FORMER_MEMBER, name_of

NOTE_MAX_LENGTH = 20_000

# One note as the thread's tree sees it: (id, parent_id, author_id, is_deleted, is_hidden).
TreeRow = tuple[int, int | None, int | None, bool, bool]
# id, author id, author's display name and username, body HTML, created, edited, deleted, hidden,
# the paper's version it was written about
NoteRowValues = tuple[
    int,
    int | None,
    str | None,
    str | None,
    str,
    datetime,
    datetime | None,
    datetime | None,
    datetime | None,
    int | None,
]


class InIds(models.Lookup):
    """`id__in_ids=[...]`: `IN (1, 2, 3)` with the ids, ints only, written into the statement.

    A thread's page reads its 200 notes by id; binding 200 parameters one by one was a third of
    that query's time (bench/pages.py). Each value is made an int first, so nothing but digits
    reaches the SQL. An empty list matches nothing without a query, as `__in` does.
    """

    lookup_name = "in_ids"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(map(str, self.rhs))})", tuple(params)


class NoteQuerySet(models.QuerySet["Note"]):
    def for_subject(self, subject: Nomination | DiscussionSession) -> NoteQuerySet:
        if isinstance(subject, Nomination):
            return self.filter(nomination=subject)
        return self.filter(session=subject)

    def for_tree(self, subject: Nomination | DiscussionSession) -> models.QuerySet[Note, TreeRow]:
        """Every note of a subject as a `TreeRow` tuple, oldest first: all that
        `groups.notes.services.build_thread` needs to lay out the thread.

        No model instances: a thread of 2,000 notes shows 200, and building an instance (and its
        author's) for every note was most of the page's time. `for_rows` reads the shown ones.
        """
        return (
            self.for_subject(subject)
            # Not named is_deleted/is_hidden: those are the model's properties.
            .annotate(deleted=Q(deleted_at__isnull=False), hidden=Q(hidden_at__isnull=False))
            .order_by("id")
            .values_list("id", "parent_id", "author_id", "deleted", "hidden")
        )

    def for_rows(self) -> models.QuerySet[Note, NoteRowValues]:
        """What a thread row shows of each note, as `NoteRowValues` tuples: the stored HTML,
        times, the author's id and names (the Markdown source and the rest are left out)."""
        return self.values_list(
            "id",
            "author_id",
            "author__display_name",
            "author__username",
            "body_html",
            "created_at",
            "edited_at",
            "deleted_at",
            "hidden_at",
            "paper_version",
        )


class Note(models.Model):
    """A Markdown note on one subject (a nomination or a session) of a group; maybe a reply."""

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="notes")
    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, null=True, blank=True, related_name="notes"
    )
    session = models.ForeignKey(
        DiscussionSession, on_delete=models.CASCADE, null=True, blank=True, related_name="notes"
    )
    # A person's notes outlive their account: the thread keeps its shape, shown as "former member".
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="notes"
    )
    # Notes are only soft-deleted, so a parent never disappears from under its replies (RESTRICT
    # still lets a whole thread go when its subject or group is deleted).
    parent = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(max_length=NOTE_MAX_LENGTH)
    body_html = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The subject's paper's latest arXiv version when the note was written (an edit keeps it):
    # the thread marks notes about an older version than the paper's latest. None for notes
    # written before versions were kept (migration 0019), which are not marked.
    paper_version = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(nomination__isnull=False, session__isnull=True)
                    | Q(nomination__isnull=True, session__isnull=False)
                ),
                name="note_exactly_one_subject",
            ),
            models.CheckConstraint(condition=~Q(body=""), name="note_body_not_empty"),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=False) | Q(hidden_by__isnull=True),
                name="note_hidden_by_only_when_hidden",
            ),
        ]

    def __str__(self) -> str:
        return f"Note {self.pk} by {self.author_id} in {self.group_id}"

    @property
    def subject(self) -> Nomination | DiscussionSession:
        subject = self.nomination if self.nomination_id else self.session
        assert subject is not None  # note_exactly_one_subject: a note has one or the other
        return subject

    @property
    def author_name(self) -> str:
        """The author as readers see them (FORMER_MEMBER once the account is gone)."""
        return name_of(self.author) if self.author_id else FORMER_MEMBER

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


Note._meta.get_field("id").register_lookup(InIds)


class NoteRevision(models.Model):
    """An earlier body of a note, kept when its author edits it."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    body_html = models.TextField()
    # When this body was replaced (it was written at the previous revision's time or note.created_at).
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Revision {self.pk} of note {self.note_id}"


class Mention(models.Model):
    """A group member named by `@username` in a note (the notifications issue reads these)."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["note", "user"], name="one_mention_per_note_and_user"),
        ]

    def __str__(self) -> str:
        return f"@{self.user_id} in note {self.note_id}"
