"""Moderation: flags on notes, thread locks, group bans and the audit log (the moderation issue).

Moderation hides and records, it never destroys: hiding a note sets `Note.hidden_at`, a lock or a
ban is a row that lifting deletes, and every action by a moderator or organizer leaves a
`ModerationLog` row written in the same transaction (see `groups/moderation.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from groups.models.discussions import DiscussionSession
from groups.models.groups import Nomination, ReadingGroup
from groups.models.notes import Note


class NoteFlag(models.Model):
    """A member's report that a note needs a moderator's look. One per person per note."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Abusive or harassing"
        OFF_TOPIC = "off_topic", "Off-topic"
        OTHER = "other", "Something else"

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="flags")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="note_flags"
    )
    reason = models.CharField(max_length=10, choices=Reason)
    text = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Dismissed flags stay (they are part of the record) but leave the queue.
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["note", "flagged_by"], name="one_flag_per_note_and_user"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=["spam", "abuse", "off_topic", "other"]),
                name="note_flag_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Flag on note {self.note_id} ({self.reason})"

    @property
    def is_open(self) -> bool:
        return self.dismissed_at is None


class FlaggedNoteQuerySet(models.QuerySet["FlaggedNote"]):
    def queue(self) -> FlaggedNoteQuerySet:
        """Notes with at least one flag, newest flag first, with `open_flags`, `flag_count` and
        `last_flag_at`. Subqueries, not joins: the admin's filters join the flags again, and a
        join here would multiply the counts."""
        flags = NoteFlag.objects.filter(note=OuterRef("pk")).order_by().values("note")

        def counted(queryset: models.QuerySet) -> Coalesce:
            return Coalesce(
                Subquery(queryset.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
                Value(0),
            )

        return (
            self.filter(Exists(flags))
            .annotate(
                open_flags=counted(flags.filter(dismissed_at__isnull=True)),
                flag_count=counted(flags),
                last_flag_at=Subquery(flags.annotate(last=Max("created_at")).values("last")),
            )
            .order_by("-last_flag_at", "-id")
        )


class FlaggedNote(Note):
    """The moderation queue in the admin: a view of notes that somebody flagged."""

    objects = FlaggedNoteQuerySet.as_manager()  # type: ignore[assignment, misc]  # the proxy's own manager (the queue), not a subtype of Note's

    class Meta:
        proxy = True
        verbose_name = "flagged note"
        verbose_name_plural = "moderation queue"

    def __str__(self) -> str:
        author = self.author_name
        text = " ".join(self.body.split())
        return f"Note by {author}: {text[:60]}{'…' if len(text) > 60 else ''}"


class ThreadLock(models.Model):
    """A locked thread (the notes of one nomination or session): no new notes or replies."""

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="thread_locks")
    nomination = models.OneToOneField(
        Nomination, on_delete=models.CASCADE, null=True, blank=True, related_name="thread_lock"
    )
    session = models.OneToOneField(
        DiscussionSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="thread_lock",
    )
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    locked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-locked_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(nomination__isnull=False, session__isnull=True)
                    | Q(nomination__isnull=True, session__isnull=False)
                ),
                name="thread_lock_exactly_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"Lock on {'nomination' if self.nomination_id else 'session'} in {self.group_id}"


class GroupBan(models.Model):
    """Someone an organizer banned from a group: they cannot join it again in any way."""

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="bans")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_bans"
    )
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_ban_per_group_and_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} banned from {self.group_id}"


class ModerationLog(models.Model):
    """One moderation action, on the record. Written by the services only; never edited."""

    class Action(models.TextChoices):
        NOTE_HIDE = "note_hide", "hid a note"
        NOTE_UNHIDE = "note_unhide", "unhid a note"
        FLAGS_DISMISS = "flags_dismiss", "dismissed flags"
        THREAD_LOCK = "thread_lock", "locked a thread"
        THREAD_UNLOCK = "thread_unlock", "unlocked a thread"
        MEMBER_REMOVE = "member_remove", "removed a member"
        USER_BAN = "user_ban", "banned from the group"
        USER_UNBAN = "user_unban", "lifted a group ban"
        USER_SUSPEND = "user_suspend", "suspended a user"
        USER_UNSUSPEND = "user_unsuspend", "reinstated a user"
        PAPER_HIDE = "paper_hide", "hid a paper"
        PAPER_UNHIDE = "paper_unhide", "showed a paper again"
        QUESTION_HIDE = "question_hide", "hid a question"
        QUESTION_UNHIDE = "question_unhide", "unhid a question"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept as text too: the record must still say who acted after an account is gone.
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20, choices=Action)
    target_type = models.CharField(max_length=20)
    target_id = models.BigIntegerField()
    target_label = models.CharField(max_length=200, blank=True)
    group = models.ForeignKey(
        ReadingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_log",
    )
    reason = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="modlog_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.get_action_display()} ({self.target_label})"
