from django.contrib import admin

from groups.models import (
    Nomination,
    Vote,
)


class VoteInline(admin.TabularInline):
    model = Vote
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ("paper", "group", "status", "vote_count", "nominated_by", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("paper__arxiv_id", "paper__title", "group__name", "pitch")
    list_select_related = ("paper", "group", "nominated_by")
    raw_id_fields = ("group", "paper", "nominated_by")
    inlines = (VoteInline,)
    date_hierarchy = "created_at"


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("user", "nomination", "created_at")
    list_filter = ("created_at", "nomination__status")
    search_fields = (
        "user__username",
        "user__email",
        "nomination__paper__title",
        "nomination__paper__arxiv_id",
    )
    list_select_related = ("user", "nomination__paper", "nomination__group")
    raw_id_fields = ("user", "nomination")
