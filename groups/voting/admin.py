from django.contrib import admin

from groups.models import (
    BallotRound,
    BallotRoundVoter,
    Nomination,
    Ranking,
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


@admin.register(Ranking)
class RankingAdmin(admin.ModelAdmin):
    list_display = ("user", "rank", "nomination", "group")
    list_filter = ("nomination__status", "group")
    search_fields = (
        "user__username",
        "user__email",
        "nomination__paper__title",
        "nomination__paper__arxiv_id",
        "group__name",
    )
    list_select_related = ("user", "nomination__paper", "nomination__group", "group")
    raw_id_fields = ("user", "nomination", "group")
    ordering = ("group", "user", "rank")


class BallotRoundVoterInline(admin.TabularInline):
    model = BallotRoundVoter
    extra = 0
    raw_id_fields = ("user", "group")


@admin.register(BallotRound)
class BallotRoundAdmin(admin.ModelAdmin):
    """The decided rounds fairness across rounds reads: who took part, who won."""

    list_display = ("nomination", "group", "method", "decided_at")
    list_filter = ("method", "decided_at")
    search_fields = ("group__name", "nomination__paper__title", "nomination__paper__arxiv_id")
    list_select_related = ("group", "nomination__paper", "nomination__group")
    raw_id_fields = ("group", "nomination")
    inlines = (BallotRoundVoterInline,)
    date_hierarchy = "decided_at"
