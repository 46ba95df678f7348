"""Admin pages for discussion sessions, RSVPs and readiness check-ins, the record of session emails
and warnings, and time polls."""

from django.contrib import admin
from django.http import HttpRequest

from groups.models import (
    DiscussionSession,
    PollAnswer,
    PollInvitee,
    PollSlot,
    QuorumWarning,
    Readiness,
    ReadinessWarning,
    Rsvp,
    SessionEmail,
    TimePoll,
)


class ClaimAdmin(admin.ModelAdmin):
    """Read-only: the rows that made an email or a warning go out once."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RsvpInline(admin.TabularInline):
    model = Rsvp
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(DiscussionSession)
class DiscussionSessionAdmin(admin.ModelAdmin):
    list_display = ("paper", "group", "starts_at", "status", "presenter", "sequence")
    list_filter = ("status", "starts_at")
    search_fields = ("group__name", "paper__title", "paper__arxiv_id", "place")
    date_hierarchy = "starts_at"
    list_select_related = ("group", "paper", "presenter")
    raw_id_fields = ("group", "paper", "nomination", "presenter", "created_by")
    readonly_fields = ("sequence", "created_at", "updated_at")
    inlines = [RsvpInline]


@admin.register(SessionEmail)
class SessionEmailAdmin(ClaimAdmin):
    """Read-only: each row is the claim that made an email go out at most once."""

    list_display = ("session", "user", "kind", "sequence", "claimed_at", "sent_at")
    list_filter = ("kind", "sent_at")
    search_fields = ("user__email", "session__paper__title")
    list_select_related = ("session__paper", "user")


class PollSlotInline(admin.TabularInline):
    model = PollSlot
    extra = 0


class PollInviteeInline(admin.TabularInline):
    model = PollInvitee
    extra = 0
    raw_id_fields = ("user",)


@admin.register(TimePoll)
class TimePollAdmin(admin.ModelAdmin):
    list_display = ("nomination", "group", "status", "deadline", "created_at")
    list_filter = ("status",)
    search_fields = ("group__name", "nomination__paper__title")
    list_select_related = ("group", "nomination__paper")
    raw_id_fields = ("group", "nomination", "presenter", "session", "picked_slot", "created_by")
    readonly_fields = ("created_at", "closed_at")
    inlines = [PollSlotInline, PollInviteeInline]


@admin.register(PollAnswer)
class PollAnswerAdmin(admin.ModelAdmin):
    list_display = ("slot", "invitee", "answer", "updated_at")
    list_filter = ("answer",)
    list_select_related = ("slot", "invitee__user")
    raw_id_fields = ("slot", "invitee")


@admin.register(QuorumWarning)
class QuorumWarningAdmin(ClaimAdmin):
    """Read-only: each row is the claim that made a quorum warning go out once."""

    list_display = ("session", "starts_at", "attending", "quorum", "created_at")
    list_select_related = ("session__paper", "session__group")
    raw_id_fields = ("session",)


@admin.register(Readiness)
class ReadinessAdmin(admin.ModelAdmin):
    list_display = ("session", "user", "state", "updated_at")
    list_filter = ("state",)
    list_select_related = ("session__paper", "user")
    raw_id_fields = ("session", "user")


@admin.register(ReadinessWarning)
class ReadinessWarningAdmin(ClaimAdmin):
    """Read-only: each row is the claim that made a readiness warning go out once."""

    list_display = ("session", "starts_at", "going", "ready", "created_at")
    list_select_related = ("session__paper", "session__group")
    raw_id_fields = ("session",)
