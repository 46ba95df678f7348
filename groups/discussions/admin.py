"""Admin pages for discussion sessions, RSVPs and the record of session emails."""

from django.contrib import admin
from django.http import HttpRequest

from groups.models import DiscussionSession, Rsvp, SessionEmail


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
class SessionEmailAdmin(admin.ModelAdmin):
    """Read-only: each row is the claim that made an email go out at most once."""

    list_display = ("session", "user", "kind", "sequence", "claimed_at", "sent_at")
    list_filter = ("kind", "sent_at")
    search_fields = ("user__email", "session__paper__title")
    list_select_related = ("session__paper", "user")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
