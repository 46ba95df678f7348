"""The User admin: profile fields, and suspending or reinstating a person (moderation)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from groups.models import (
    User,
)
from groups.moderation.admin_actions import ReasonActionForm, moderation_action
from groups.moderation.services import user_suspend, user_unsuspend


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "display_name", "is_staff", "is_active", "date_joined")
    search_fields = ("username", "email", "display_name")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Profile", {"fields": ("display_name", "time_zone")}),
    )
    action_form = ReasonActionForm
    actions = ("suspend_users", "unsuspend_users")

    # Moderators hold change_user only to suspend people (the actions below, which also end
    # their sessions and write the audit log). Everything else stays with superusers: the form
    # is read-only for them and they cannot set passwords, so nobody grants themselves more.
    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple:
        if request.user.is_superuser:
            return tuple(super().get_readonly_fields(request, obj))
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

    suspend_users = moderation_action(
        user_suspend,
        "user",
        description="Suspend the selected users (sign them out)",
        done="Suspended {n} user(s); they are signed out.",
        noop="{n} user(s) were already suspended.",
    )

    unsuspend_users = moderation_action(
        user_unsuspend,
        "user",
        description="Reinstate the selected users",
        done="Reinstated {n} user(s).",
        noop="{n} user(s) were not suspended.",
    )
