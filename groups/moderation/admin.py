"""Site moderation in the Django admin: the queue of flagged notes, flags, locks, bans and the
read-only audit log. Staff in the "Moderators" auth group (migration 0007) and superusers use it.

Every action goes through the services in `groups/moderation.py` and `groups/notes.py`, which
check the actor, write the audit log in the same transaction and treat "already so" as a no-op.
A reason typed in the action bar (beside the action menu) goes to the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from groups.models import (
    DiscussionSession,
    FlaggedNote,
    GroupBan,
    ModerationLog,
    Nomination,
    Note,
    NoteFlag,
    ThreadLock,
    User,
)
from groups.moderation.admin_actions import ReadOnlyAdmin, ReasonActionForm, moderation_action
from groups.moderation.services import (
    flags_dismiss,
    paper_hide,
    paper_unhide,
    thread_lock,
    thread_unlock,
    user_suspend,
    user_unsuspend,
)
from groups.notes.links import (
    subject_kind,
)
from groups.notes.services import (
    note_hide,
    note_unhide,
)
from papers.admin import PaperAdmin
from papers.models import Paper

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class QueueCounts(TypedDict):
    """What `FlaggedNoteQuerySet.queue` adds to each note."""

    open_flags: int
    flag_count: int
    last_flag_at: datetime | None


def subjects(queryset: QuerySet[FlaggedNote]) -> list[Nomination | DiscussionSession]:
    seen: dict[tuple[str, int], Nomination | DiscussionSession] = {}
    for note in queryset.select_related("nomination__paper", "session__paper"):
        subject = note.subject
        seen.setdefault((subject_kind(subject), subject.pk), subject)
    return list(seen.values())


def authors(queryset: QuerySet[FlaggedNote]) -> list[User]:
    ids = set(queryset.exclude(author=None).values_list("author_id", flat=True))
    return list(User.objects.filter(pk__in=ids))


# ---------------------------------------------------------------------------------------------
# The moderation queue


class QueueStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("open", "Open flags"),
            ("dismissed", "Flags dismissed"),
            ("hidden", "Hidden"),
            ("visible", "Visible"),
            ("locked", "Thread locked"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        match self.value():
            case "open":
                return queryset.filter(open_flags__gt=0)
            case "dismissed":
                return queryset.filter(open_flags=0)
            case "hidden":
                return queryset.filter(hidden_at__isnull=False)
            case "visible":
                return queryset.filter(hidden_at__isnull=True)
            case "locked":
                return queryset.filter(nomination__thread_lock__isnull=False) | queryset.filter(
                    session__thread_lock__isnull=False
                )
        return queryset


class FlagInline(admin.TabularInline):
    model = NoteFlag
    fk_name = "note"
    extra = 0
    can_delete = False
    fields = ("created_at", "flagged_by", "reason", "text", "dismissed_at", "dismissed_by")
    readonly_fields = fields
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(FlaggedNote)
class ModerationQueueAdmin(admin.ModelAdmin):
    """Flagged notes, newest flag first; each opens read-only in its thread's context."""

    action_form = ReasonActionForm
    list_display = (
        "excerpt",
        "author",
        "group",
        "open_flags_display",
        "reasons",
        "last_flag_at_display",
        "state",
    )
    list_display_links = ("excerpt",)
    list_filter = (
        QueueStateFilter,
        ("group", admin.RelatedOnlyFieldListFilter),
        "flags__reason",
        ("flags__created_at", admin.DateFieldListFilter),
    )
    search_fields = (
        "body",
        "author__username",
        "author__email",
        "author__display_name",
        "group__name",
        "flags__text",
    )
    list_select_related = ("author", "group")
    list_per_page = 50
    inlines = (FlagInline,)
    fields = (
        "group",
        "thread",
        "thread_state",
        "parent_note",
        "author",
        "created_at",
        "note_body",
        "state",
        "hidden_by",
        "replies_list",
    )
    readonly_fields = fields
    actions = (
        "hide_notes",
        "unhide_notes",
        "dismiss_flags",
        "lock_threads",
        "unlock_threads",
        "suspend_authors",
        "unsuspend_authors",
    )

    class Media:
        css = {"all": ["css/moderation_admin.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[FlaggedNote]:
        return (
            FlaggedNote.objects.queue()
            .select_related("author", "group", "hidden_by")
            .prefetch_related("flags")
        )

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...]:
        # The changelist orders by this, else by Note's Meta (oldest note first), never by the
        # queryset's own order_by. Not `ordering = ...`: the admin's check wants model fields.
        return ("-last_flag_at", "-id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # A note opens read-only (no Save button): it changes through the list's actions only,
        # which need the change permission (checked here without an object).
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    # Columns and read-only fields

    @admin.display(description="note")
    def excerpt(self, obj: Note) -> str:
        text = " ".join(obj.body.split())
        return text[:90] + ("…" if len(text) > 90 else "")

    @admin.display(description="open flags", ordering="open_flags")
    def open_flags_display(self, obj: WithAnnotations[FlaggedNote, QueueCounts]) -> str:
        return f"{obj.open_flags} of {obj.flag_count}"

    @admin.display(description="reasons")
    def reasons(self, obj: Note) -> str:
        labels = sorted({flag.get_reason_display() for flag in obj.flags.all()})
        return ", ".join(labels)

    @admin.display(description="last flagged", ordering="last_flag_at")
    def last_flag_at_display(self, obj: WithAnnotations[FlaggedNote, QueueCounts]) -> object:
        return obj.last_flag_at

    @admin.display(description="state")
    def state(self, obj: Note) -> str:
        if obj.is_deleted:
            return "deleted by its author"
        return "hidden" if obj.is_hidden else "visible"

    @admin.display(description="thread")
    def thread(self, obj: Note) -> SafeString:
        subject = obj.subject
        url = reverse("note_thread", args=[obj.group.slug, subject_kind(subject), subject.pk])
        kind = "Nomination" if obj.nomination_id else "Session"
        return format_html('{} of <a href="{}">{}</a>', kind, url, subject.paper.title)

    @admin.display(description="thread locked")
    def thread_state(self, obj: Note) -> str:
        subject = obj.subject
        try:
            lock = subject.thread_lock
        except ThreadLock.DoesNotExist:
            return "no"
        return f"yes, since {timezone.localtime(lock.locked_at):%d %b %Y %H:%M}" + (
            f" ({lock.reason})" if lock.reason else ""
        )

    @admin.display(description="in reply to")
    def parent_note(self, obj: Note) -> SafeString | str:
        parent = obj.parent
        if parent is None:
            return "— (a top-level note)"
        who = parent.author_name
        # body_html was sanitized when stored (groups/markdown.py).
        return format_html(
            '<div class="moderation-context"><strong>{}</strong>{}</div>',
            who,
            SafeString(parent.body_html),
        )

    @admin.display(description="note")
    def note_body(self, obj: Note) -> SafeString:
        return format_html('<div class="moderation-context">{}</div>', SafeString(obj.body_html))

    @admin.display(description="replies")
    def replies_list(self, obj: Note) -> SafeString | str:
        replies = list(obj.replies.select_related("author").order_by("id")[:50])
        if not replies:
            return "No replies."
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                '<li class="moderation-context"><strong>{}</strong>{}{}</li>',
                (
                    (
                        reply.author_name,
                        " (hidden)" if reply.is_hidden else "",
                        SafeString(reply.body_html),
                    )
                    for reply in replies
                ),
            ),
        )

    # Actions

    hide_notes = moderation_action(
        note_hide,
        "note",
        description="Hide the selected notes from members",
        done="Hid {n} note(s).",
        noop="{n} note(s) were already hidden.",
    )

    unhide_notes = moderation_action(
        note_unhide,
        "note",
        description="Show the selected notes again",
        done="Showed {n} note(s) again.",
        noop="{n} note(s) were not hidden.",
    )

    dismiss_flags = moderation_action(
        flags_dismiss,
        "note",
        description="Dismiss the flags on the selected notes",
        done="Dismissed the flags on {n} note(s).",
        noop="{n} note(s) had no open flags.",
    )

    lock_threads = moderation_action(
        thread_lock,
        "subject",
        description="Lock the threads of the selected notes",
        done="Locked {n} thread(s).",
        noop="{n} thread(s) were already locked.",
        targets=subjects,
    )

    unlock_threads = moderation_action(
        thread_unlock,
        "subject",
        description="Unlock the threads of the selected notes",
        done="Unlocked {n} thread(s).",
        noop="{n} thread(s) were not locked.",
        targets=subjects,
    )

    suspend_authors = moderation_action(
        user_suspend,
        "user",
        description="Suspend the authors site-wide (sign them out)",
        done="Suspended {n} user(s); they are signed out.",
        noop="{n} user(s) were already suspended.",
        targets=authors,
    )

    unsuspend_authors = moderation_action(
        user_unsuspend,
        "user",
        description="Reinstate the authors (end their suspension)",
        done="Reinstated {n} user(s).",
        noop="{n} user(s) were not suspended.",
        targets=authors,
    )


# ---------------------------------------------------------------------------------------------
# Flags, locks, bans: read-only lists (the actions live in the queue and on group pages)


@admin.register(NoteFlag)
class NoteFlagAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "reason", "note", "flagged_by", "text", "dismissed_at")
    list_filter = ("reason", ("dismissed_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("text", "flagged_by__username", "flagged_by__email", "note__body")
    list_select_related = ("note", "flagged_by")
    date_hierarchy = "created_at"


@admin.register(ThreadLock)
class ThreadLockAdmin(ReadOnlyAdmin):
    list_display = ("locked_at", "group", "nomination", "session", "locked_by", "reason")
    list_filter = ("locked_at", ("group", admin.RelatedOnlyFieldListFilter))
    search_fields = ("group__name", "reason", "locked_by__username")
    list_select_related = ("group", "nomination__paper", "session__paper", "locked_by")


@admin.register(GroupBan)
class GroupBanAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "group", "user", "banned_by", "reason")
    list_filter = ("created_at", ("group", admin.RelatedOnlyFieldListFilter))
    search_fields = ("group__name", "user__username", "user__email", "reason")
    list_select_related = ("group", "user", "banned_by")


@admin.register(ModerationLog)
class ModerationLogAdmin(ReadOnlyAdmin):
    """The audit log: searchable and filterable, and nobody edits or deletes it here."""

    list_display = (
        "created_at",
        "actor_label",
        "action",
        "target_type",
        "target_label",
        "group",
        "reason",
    )
    list_filter = (
        "action",
        "target_type",
        ("group", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    search_fields = ("actor_label", "target_label", "reason", "group__name")
    list_select_related = ("group",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at",
        "actor",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "group",
        "reason",
    )


# ---------------------------------------------------------------------------------------------
# Papers: site moderators hide a paper from listings (papers' admin, with the audit-logged actions)

admin.site.unregister(Paper)


@admin.register(Paper)
class ModeratedPaperAdmin(PaperAdmin):
    action_form = ReasonActionForm
    actions = ["hide_papers", "unhide_papers"]

    hide_papers = moderation_action(
        paper_hide,
        "paper",
        description="Hide the selected papers from listings",
        done="Hid {n} paper(s) from listings.",
        noop="{n} paper(s) were already hidden.",
    )

    unhide_papers = moderation_action(
        paper_unhide,
        "paper",
        description="Show the selected papers in listings again",
        done="Showed {n} paper(s) in listings again.",
        noop="{n} paper(s) were not hidden.",
    )
