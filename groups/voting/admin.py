from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from groups.models import (
    Nomination,
    Vote,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class VoteCount(TypedDict):
    vote_count: int


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Nomination]:
        return super().get_queryset(request).annotate(vote_count=Count("votes"))

    @admin.display(ordering="vote_count", description="votes")
    def vote_count(self, obj: "WithAnnotations[Nomination, VoteCount]") -> int:
        return obj.vote_count


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
