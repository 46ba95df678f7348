from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse

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
from groups.moderation import user_suspend, user_unsuspend

# Importing it registers the moderation queue, flags, locks, bans and the audit log.
from groups.moderation_admin import ReasonActionForm, reason_of, run_action


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "display_name", "is_staff", "is_active", "date_joined")
    search_fields = ("username", "email", "display_name")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "time_zone")}),
    )
    action_form = ReasonActionForm
    actions = ("suspend_users", "unsuspend_users")

    # Moderators hold change_user only to suspend people (the actions below, which also end
    # their sessions and write the audit log). Everything else stays with superusers: the form
    # is read-only for them and they cannot set passwords, so nobody grants themselves more.
    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple:
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return tuple(
            field
            for _name, options in self.get_fieldsets(request, obj)
            for field in options["fields"]
            if field not in {"password1", "password2"}
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return request.user.is_superuser

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.action(description="Suspend the selected users (sign them out)", permissions=["change"])
    def suspend_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reason = reason_of(request)
        run_action(
            self,
            request,
            queryset,
            lambda user: user_suspend(user=user, by=request.user, reason=reason),
            done="Suspended {n} user(s); they are signed out.",
            noop="{n} user(s) were already suspended.",
        )

    @admin.action(description="Reinstate the selected users", permissions=["change"])
    def unsuspend_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reason = reason_of(request)
        run_action(
            self,
            request,
            queryset,
            lambda user: user_unsuspend(user=user, by=request.user, reason=reason),
            done="Reinstated {n} user(s).",
            noop="{n} user(s) were not suspended.",
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


# Discussion sessions register their admin pages in their own module.
from groups import discussion_admin  # noqa: E402, F401

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
