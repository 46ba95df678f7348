from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from groups.models import (
    Activity,
    Invitation,
    JoinRequest,
    Membership,
    Nomination,
    ReadingGroup,
    User,
    Vote,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "display_name", "is_staff", "is_active", "date_joined")
    search_fields = ("username", "email", "display_name")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "time_zone")}),
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(ReadingGroup)
class ReadingGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "visibility", "join_policy", "member_count", "created_at")
    list_filter = ("visibility", "join_policy", "created_at")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    raw_id_fields = ("created_by",)
    inlines = (MembershipInline,)
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReadingGroup]:
        return super().get_queryset(request).with_counts()

    @admin.display(ordering="member_count", description="members")
    def member_count(self, obj: ReadingGroup) -> int:
        return obj.member_count


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "group", "role", "joined_at")
    list_filter = ("role", "group__visibility", "joined_at")
    search_fields = ("user__username", "user__email", "user__display_name", "group__name")
    list_select_related = ("user", "group")
    raw_id_fields = ("user", "group")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("group", "email", "use_count", "max_uses", "expires_at", "revoked_at")
    list_filter = ("expires_at", "revoked_at", "created_at")
    search_fields = ("group__name", "email", "token")
    list_select_related = ("group",)
    raw_id_fields = ("group", "created_by")


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ("user", "group", "status", "created_at", "decided_at")
    list_filter = ("status", "created_at")
    search_fields = ("user__username", "user__email", "group__name")
    list_select_related = ("user", "group")
    raw_id_fields = ("user", "group", "decided_by")


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
    def vote_count(self, obj: Nomination) -> int:
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


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("group", "actor", "kind", "paper", "created_at")
    list_filter = ("kind", "created_at")
    search_fields = ("group__name", "actor__username", "detail")
    list_select_related = ("group", "actor", "paper")
    raw_id_fields = ("group", "actor", "paper")


# --- Email: delivery records (read-only, to see what was sent or failed) -----------------------
from groups.models import DigestEmail, Notification  # noqa: E402


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
