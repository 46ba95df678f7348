"""Delivery records, read-only: what was sent or failed (the reason on each row's page), and
the tasks waiting for the broker to come back."""

from django.contrib import admin

from groups.models import (
    DigestEmail,
    Notification,
    UnsentTask,
    VersionNotice,
)


@admin.register(DigestEmail)
class DigestEmailAdmin(admin.ModelAdmin):
    list_display = ["day", "user", "status", "attempts", "sent_at"]
    list_filter = ["status", "day"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in DigestEmail._meta.fields]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "user", "group", "kind", "daily", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "daily"]
    search_fields = ["user__email", "subject"]
    list_select_related = ["user", "group"]
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(UnsentTask)
class UnsentTaskAdmin(admin.ModelAdmin):
    list_display = ["name", "args", "created_at"]
    readonly_fields = [f.name for f in UnsentTask._meta.fields]


@admin.register(VersionNotice)
class VersionNoticeAdmin(admin.ModelAdmin):
    """Which group was told of which new arXiv version of a paper it discussed (once each)."""

    list_display = ["paper", "version", "group", "created_at"]
    search_fields = ["paper__arxiv_id", "paper__title", "group__name"]
    list_select_related = ["paper", "group"]
    readonly_fields = [f.name for f in VersionNotice._meta.fields]
