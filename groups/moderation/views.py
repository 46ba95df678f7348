"""Moderation from the group's pages: flagging notes (members); locking threads, banning and the
group's moderation page (organizers). Site-wide moderation is in the admin (groups/moderation_admin.py).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from groups.access import (
    get_group_for_member,
    get_group_for_organizer,
    get_note_or_404,
    get_subject_or_404,
    sign_in_to_act,
)
from groups.limits import rate_limit
from groups.models import (
    GroupBan,
    Membership,
    ModerationLog,
    NoteFlag,
    ReadingGroup,
    ThreadLock,
    User,
)
from groups.moderation.forms import BanForm, FlagForm
from groups.moderation.services import group_ban, group_unban, note_flag, thread_lock, thread_unlock
from groups.notes.links import (
    thread_url,
)
from groups.web import AuthenticatedHttpRequest, group_context
from papers.web import HtmxHttpRequest

FLAG = "groups/moderation/flag.html"
PAGE = "groups/moderation/group.html"
BAN = "groups/moderation/ban.html"
RECENT_LOG = 50


@sign_in_to_act
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@rate_limit("flag")
def flag(request: AuthenticatedHttpRequest, slug: str, note_id: int) -> HttpResponse:
    """A member flags someone else's note for the moderators: the form (GET), the flag (POST).

    With htmx the form opens under the note and is replaced by the answer.
    """
    group, membership = get_group_for_member(request, slug)
    note = get_note_or_404(group, note_id)
    if note.is_deleted:
        raise Http404("This note was deleted.")
    if note.author_id == request.user.pk:
        raise PermissionDenied("You cannot flag your own note.")
    form = FlagForm(request.POST or None, auto_id=f"flag-{note.pk}-%s")
    back = f"{thread_url(group, note.subject)}#note-{note.pk}"
    context = {
        "group": group,
        "membership": membership,
        "note": note,
        "form": form,
        "thread_url": thread_url(group, note.subject),
        "back": back,
    }
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _flag, created = note_flag(
                    note=note,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data["text"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                message = (
                    "Thank you: the moderators will look at this note."
                    if created
                    else "You have already flagged this note; the moderators have it."
                )
                if request.htmx:
                    context["done"] = message
                    return render(request, f"{FLAG}#flag-form", context)
                (messages.success if created else messages.info)(request, message)
                return redirect(back)
        status = 400
    if request.htmx:
        return render(request, f"{FLAG}#flag-form", context, status=200)
    return render(request, FLAG, context, status=status)


def _lock(
    request: HttpRequest, slug: str, kind: str, subject_id: int, *, lock: bool
) -> HttpResponse:
    group, _membership = get_group_for_organizer(request, slug)
    assert isinstance(request.user, User)  # an organizer has signed in
    subject = get_subject_or_404(group, kind, subject_id)
    reason = request.POST.get("reason", "")[:500]
    if lock:
        changed = thread_lock(subject=subject, by=request.user, reason=reason)
        message = (
            "The thread is locked: no new notes or replies."
            if changed
            else "The thread was already locked."
        )
    else:
        changed = thread_unlock(subject=subject, by=request.user, reason=reason)
        message = "The thread is open again." if changed else "The thread was not locked."
    (messages.success if changed else messages.info)(request, message)
    return redirect(thread_url(group, subject))


@require_POST
@sign_in_to_act
def lock(request: HttpRequest, slug: str, kind: str, subject_id: int) -> HttpResponse:
    """Organizers lock a thread (no new notes or replies); the notes stay readable."""
    return _lock(request, slug, kind, subject_id, lock=True)


@require_POST
@sign_in_to_act
def unlock(request: HttpRequest, slug: str, kind: str, subject_id: int) -> HttpResponse:
    """Organizers open a locked thread again."""
    return _lock(request, slug, kind, subject_id, lock=False)


def _page(
    request: HttpRequest, slug: str, *, form: BanForm | None = None, status: int = 200
) -> HttpResponse:
    group, membership = get_group_for_organizer(request, slug)
    context = group_context(group, membership, "moderation") | {
        "bans": GroupBan.objects.filter(group=group).select_related("user", "banned_by"),
        "locks": ThreadLock.objects.filter(group=group).select_related(
            "nomination__paper", "session__paper", "locked_by"
        ),
        "flags": NoteFlag.objects.filter(note__group=group, dismissed_at__isnull=True)
        .select_related("note__author", "flagged_by")
        .order_by("-created_at", "-id")[:RECENT_LOG],
        "log": ModerationLog.objects.filter(group=group).select_related("actor")[:RECENT_LOG],
        "form": form or BanForm(),
    }
    return render(request, PAGE, context, status=status)


@require_GET
@sign_in_to_act
def group_moderation(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's moderation page: open flags, bans, locked threads and the recent audit log."""
    return _page(request, slug)


def _ban_confirm(
    request: HtmxHttpRequest,
    group: ReadingGroup,
    membership: Membership,
    target: User,
    form: BanForm,
    *,
    status: int = 200,
) -> HttpResponse:
    context = group_context(group, membership, "members") | {"target": target, "form": form}
    if request.htmx:
        return render(request, f"{BAN}#confirm", context)
    return render(request, BAN, context, status=status)


@require_http_methods(["GET", "POST"])
@sign_in_to_act
@vary_on_headers("HX-Request")
def ban(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Organizers ban someone by handle, saying why: their membership ends and they cannot come
    back. GET `?username=<handle>` asks first ("Ban <name>?", the form alone with htmx), for the
    members page; the moderation page's own form posts here directly."""
    group, membership = get_group_for_organizer(request, slug)
    assert isinstance(request.user, User)  # an organizer has signed in
    if request.method == "GET":
        handle = request.GET.get("username", "").strip().lstrip("@")
        target = get_object_or_404(User, username__iexact=handle)
        form = BanForm(initial={"username": target.username}, auto_id=f"ban-{target.pk}-%s")
        return _ban_confirm(request, group, membership, target, form)
    form = BanForm(request.POST)
    valid = form.is_valid()
    asked: str = form.cleaned_data.get("username", "")
    user = User.objects.filter(username__iexact=asked).first() if asked else None
    if asked and user is None:
        form.add_error("username", "Nobody has that handle.")
    elif valid and user is not None:
        try:
            changed = group_ban(
                group=group, user=user, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(request, f"{user.name} is banned from {group.name}.")
            else:
                messages.info(request, f"{user.name} was already banned.")
            back = "group_members" if request.POST.get("next") == "members" else "group_moderation"
            return redirect(back, slug=slug)
    if user is not None and request.POST.get("next") == "members":
        return _ban_confirm(request, group, membership, user, form, status=400)
    return _page(request, slug, form=form, status=400)


@require_POST
@sign_in_to_act
def unban(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Organizers lift a ban; the person may join again the usual ways."""
    group, _membership = get_group_for_organizer(request, slug)
    assert isinstance(request.user, User)  # an organizer has signed in
    user = get_object_or_404(User, pk=pk)
    changed = group_unban(
        group=group, user=user, by=request.user, reason=request.POST.get("reason", "")[:500]
    )
    if changed:
        messages.success(request, f"{user.name} may join {group.name} again.")
    else:
        messages.info(request, f"{user.name} was not banned.")
    return redirect("group_moderation", slug=slug)
