from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from groups.models import (
    Activity,
    Invitation,
    JoinRequest,
    Membership,
    ReadingGroup,
)
from groups.models.groups import ReadingGroupQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class MemberCount(TypedDict):
    member_count: int


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
        return cast(ReadingGroupQuerySet, super().get_queryset(request)).with_counts()

    @admin.display(ordering="member_count", description="members")
    def member_count(self, obj: "WithAnnotations[ReadingGroup, MemberCount]") -> int:
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


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("group", "actor", "kind", "paper", "created_at")
    list_filter = ("kind", "created_at")
    search_fields = ("group__name", "actor__username", "detail")
    list_select_related = ("group", "actor", "paper")
    raw_id_fields = ("group", "actor", "paper")
