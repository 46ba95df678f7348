"""The admin's moderation actions, written once: a reason field in the action bar, and one
action per service that runs it on each selected item and says how many changed, how many were
already so, and which were refused."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

AdminAction = Callable[[admin.ModelAdmin, HttpRequest, QuerySet[Any]], None]


class ReasonActionForm(ActionForm):
    """The admin's action bar with a reason field: it goes to the audit log with each action."""

    reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason",
        widget=forms.TextInput(attrs={"placeholder": "Reason (for the audit log)", "size": 40}),
    )


def reason_of(request: HttpRequest) -> str:
    return request.POST.get("reason", "").strip()[:2000]


def run_action(
    admin_: admin.ModelAdmin,
    request: HttpRequest,
    items: Iterable,
    act: Callable[..., bool | int],
    *,
    done: str,
    noop: str,
) -> None:
    """Runs one service per selected item and reports how many changed and how many were no-ops."""
    changed = unchanged = 0
    errors: list[str] = []
    for item in items:
        try:
            result = act(item)
        except (PermissionDenied, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            errors.append(f"{item}: {message}")
            continue
        if result:
            changed += 1
        else:
            unchanged += 1
    if changed:
        admin_.message_user(request, done.format(n=changed), messages.SUCCESS)
    if unchanged:
        admin_.message_user(request, noop.format(n=unchanged), messages.INFO)
    for text in errors:
        admin_.message_user(request, text, messages.ERROR)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the services write: nobody adds, edits or deletes them here, superusers neither."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def moderation_action(
    service: Callable[..., bool | int],
    target: str,
    *,
    description: str,
    done: str,
    noop: str,
    targets: Callable[[QuerySet[Any]], Iterable[Any]] | None = None,
) -> AdminAction:
    """An admin action calling `service(<target>=item, by=<the admin user>, reason=<the bar's
    reason>)` for each selected item (or each of `targets(queryset)`); `done`/`noop` are messages
    with `{n}`. Needs the model admin's change permission and `action_form = ReasonActionForm`."""

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        reason = reason_of(request)
        run_action(
            modeladmin,
            request,
            targets(queryset) if targets else queryset,
            lambda item: service(**{target: item}, by=request.user, reason=reason),
            done=done,
            noop=noop,
        )

    return action
