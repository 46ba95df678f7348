"""Email settings, the digest subscribe form, and one-click unsubscribe (no sign-in needed)."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from groups.limits import rate_limit
from groups.models import EmailPreferences, GroupEmailSettings, ReadingGroup, User
from groups.notifications.digest import digest_subscribe
from groups.notifications.email import (
    DigestChoices,
    GroupChoices,
    UnsubscribeError,
    email_settings_save,
    email_unsubscribe,
    unsubscribe_read,
)
from groups.notifications.forms import DigestForm, GroupEmailForm
from groups.web import AuthenticatedHttpRequest, safe_next


def _group_forms(
    user: User, data: QueryDict | None = None
) -> list[tuple[ReadingGroup, GroupEmailForm]]:
    groups = ReadingGroup.objects.filter(memberships__user=user).order_by("name")
    chosen = {s.group_id: s for s in GroupEmailSettings.objects.filter(user=user)}
    return [
        (
            group,
            GroupEmailForm(
                data,
                instance=chosen.get(group.pk) or GroupEmailSettings(user=user, group=group),
                prefix=f"g{group.pk}",
            ),
        )
        for group in groups
    ]


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    data = request.POST if request.method == "POST" else None
    preferences = EmailPreferences.objects.filter(user=user).first() or EmailPreferences(user=user)
    digest = DigestForm(data, instance=preferences, prefix="digest")
    groups = _group_forms(user, data)
    if data is not None and digest.is_valid() and all(form.is_valid() for _, form in groups):
        # cleaned_data is typed dict[str, Any]; a valid form's fields are the service's keys.
        email_settings_save(
            user=user,
            digest=cast(DigestChoices, digest.cleaned_data),
            groups={group: cast(GroupChoices, form.cleaned_data) for group, form in groups},
        )
        messages.success(request, "Your email settings are saved.")
        return redirect("email_settings")
    return render(
        request, "groups/notifications/email_settings.html", {"digest": digest, "groups": groups}
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limit("digest_subscribe")
def digest_subscribe_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    back = safe_next(request, "")
    if request.method == "GET":
        return render(request, "groups/notifications/email_subscribe.html", {"next": back})
    user = request.user
    if digest_subscribe(user=user):
        messages.success(
            request, f"Subscribed: the day's trending papers will come to {user.email}."
        )
    else:
        messages.info(request, "You are already subscribed to the daily digest.")
    return redirect(back or reverse("email_settings"))


def _unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        unsubscribe = unsubscribe_read(token)
    except UnsubscribeError as exc:
        return render(
            request, "groups/notifications/email_unsubscribe.html", {"error": str(exc)}, status=400
        )
    if request.method == "POST":
        email_unsubscribe(unsubscribe=unsubscribe)
        return render(
            request,
            "groups/notifications/email_unsubscribe.html",
            {"done": True, "unsubscribe": unsubscribe},
        )
    return render(
        request,
        "groups/notifications/email_unsubscribe.html",
        {"unsubscribe": unsubscribe, "token": token},
    )


_unsubscribe_confirmed = csrf_protect(_unsubscribe_page)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST unsubscribes. The signed token is the credential.

    Mail clients post `List-Unsubscribe=One-Click` without a cookie or CSRF token (RFC 8058):
    only that post skips the CSRF check; the confirm page's own form is checked as usual.
    """
    if request.method == "POST" and request.POST.get("List-Unsubscribe") != "One-Click":
        return _unsubscribe_confirmed(request, token)
    return _unsubscribe_page(request, token)
