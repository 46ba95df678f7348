"""Pages and actions for discussion sessions, RSVPs and calendar feeds."""

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups.access import (
    get_group_for_member,
    get_group_for_organizer,
    get_group_for_participant,
    get_group_for_viewer,
    get_poll_or_404,
    get_poll_slot_or_404,
    get_session_or_404,
    sign_in_to_act,
)
from groups.discussions import calendar as ical
from groups.discussions import polls
from groups.discussions import services as discussions
from groups.discussions.forms import PollForm, SessionForm
from groups.models import DiscussionSession, Membership, ReadingGroup, User
from groups.questions import services as questions
from groups.web import AuthenticatedHttpRequest, group_context, safe_next

RSVP_BOX = "groups/discussions/detail.html#rsvp-box"
READINESS_BOX = "groups/discussions/detail.html#readiness-box"
SLOT_ROW = "groups/discussions/poll.html#slot-row"
POLL_PROGRESS = "groups/discussions/poll.html#progress"


def _session_url(session: DiscussionSession) -> str:
    return reverse("session_detail", kwargs={"slug": session.group.slug, "pk": session.pk})


def _feed_urls(
    request: HttpRequest, group: ReadingGroup, membership: Membership | None
) -> dict[str, str]:
    """The calendar subscription address this viewer may use: open for public groups, a
    personal secret one for members of private groups, none for others."""
    if group.is_public:
        path = reverse("session_feed", kwargs={"slug": group.slug})
    elif membership is not None:
        assert isinstance(request.user, User)  # a member has signed in
        token = discussions.calendar_token_for(group=group, user=request.user)
        path = reverse("session_feed_token", kwargs={"slug": group.slug, "token": token.token})
    else:
        return {}
    url = request.build_absolute_uri(path)
    return {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@require_GET
def session_list(request: HttpRequest, slug: str) -> HttpResponse:
    group, membership = get_group_for_viewer(request, slug)
    context = {
        "group": group,
        "membership": membership,
        "tab": "sessions",
        "polls": list(polls.active_polls(group)) if membership else [],
        "upcoming": list(discussions.upcoming_sessions(group)),
        "past": list(discussions.past_sessions(group)),
        **_feed_urls(request, group, membership),
    }
    return render(request, "groups/discussions/list.html", context)


@require_GET
def session_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group, membership = get_group_for_viewer(request, slug)
    session = discussions.session_with_attendees(group, pk, request.user)
    if session is None:
        raise Http404("No such session.")
    context = group_context(group, membership, "sessions") | {
        "session": session,
        "readiness": discussions.readiness_summary(session, request.user),
        "with_readiness": True,
        "agenda": questions.agenda_of(session),
        "question_count": questions.question_count(session),
    }
    if membership is not None and membership.is_organizer and session.is_scheduled:
        context["readiness_warning"] = discussions.readiness_warning_for(session)
    if membership is not None:  # polls are for members only
        context["poll_id"] = polls.poll_of_session(session)
    # Only a group with a quorum can have a warning: the others' page reads nothing more.
    if group.quorum and membership is not None and membership.is_organizer and session.is_scheduled:
        warning = discussions.quorum_warning_for(session)
        context["quorum_warning"] = warning
        poll_id = context["poll_id"]
        context["next_best"] = (
            polls.next_best_slot(session, poll_id) if warning and poll_id else None
        )
    return render(request, "groups/discussions/detail.html", context)


@sign_in_to_act
@require_POST
def session_rsvp(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Going / maybe / not going. PRG without JavaScript; the RSVP box alone for htmx."""
    group, membership = get_group_for_member(request, slug)
    session = get_session_or_404(group, pk)
    error = ""
    try:
        rsvp = discussions.rsvp_set(
            session=session, user=request.user, answer=request.POST.get("answer", "")
        )
    except discussions.SessionError as exc:
        error = str(exc)
    if request.htmx:
        shown = discussions.session_with_attendees(group, pk, request.user)
        context = {"group": group, "membership": membership, "session": shown, "error": error}
        # 200 even for a refused answer: htmx swaps only 2xx responses, and the box shows why.
        response = render(request, RSVP_BOX, context)
        if request.POST.get("with") == "readiness" and shown is not None:
            # On the session page the check-in opens or closes with the answer: out of band.
            summary = discussions.readiness_summary(shown, request.user)
            box = context | {"readiness": summary, "oob": True, "error": ""}
            response.write(render(request, READINESS_BOX, box).content)
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Your answer is saved: {rsvp.get_answer_display().lower()}.")
    return redirect(safe_next(request, _session_url(session)))


@sign_in_to_act
@require_POST
def session_readiness(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Read / skimmed / not yet, for attendees. PRG without JavaScript; the box for htmx."""
    group, membership = get_group_for_member(request, slug)
    session = get_session_or_404(group, pk)
    error = ""
    try:
        readiness = discussions.readiness_set(
            session=session, user=request.user, state=request.POST.get("state", "")
        )
    except discussions.SessionError as exc:
        error = str(exc)
    if request.htmx:
        shown = discussions.session_with_attendees(group, pk, request.user)
        assert shown is not None  # the session was there a moment ago; sessions stay
        summary = discussions.readiness_summary(shown, request.user)
        context = {
            "group": group,
            "membership": membership,
            "session": shown,
            "readiness": summary,
            "error": error,
        }
        return render(request, READINESS_BOX, context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Thanks: {readiness.get_state_display().lower()}.")
    return redirect(_session_url(session) + "#readiness-box")


@sign_in_to_act
@require_http_methods(["GET", "POST"])
def session_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Schedule the winner: the top open nomination is preselected, or `?nomination=<id>`."""
    group, membership = get_group_for_organizer(request, slug)
    picked = request.GET.get("nomination", "")
    initial = {"nomination": int(picked)} if picked.isdigit() else {}  # else the winner
    form = SessionForm(request.POST or None, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = discussions.session_schedule(
                group=group,
                nomination=form.cleaned_data["nomination"],
                created_by=request.user,
                **form.session_values(),
            )
        except discussions.NominationAlreadyScheduled as exc:
            # A double submit or a colleague first: show what exists rather than an error page.
            messages.info(request, "That paper is already scheduled; here is its session.")
            if exc.session is not None:
                return redirect(_session_url(exc.session))
            return redirect("session_list", slug=group.slug)
        messages.success(request, "The session is scheduled. Members are notified by email.")
        return redirect(_session_url(session))
    if request.method == "POST" and "nomination" in form.errors:
        # The double submit's second click: the nomination has left the ballot for a session.
        existing = discussions.session_for_nomination(group, request.POST.get("nomination", ""))
        if existing is not None:
            messages.info(request, "That paper is already scheduled; here is its session.")
            return redirect(_session_url(existing))
    context = {
        "group": group,
        "membership": membership,
        "form": form,
        "has_nominations": _has_choices(form),
    }
    return render(request, "groups/discussions/form.html", context)


def _has_choices(form: SessionForm | PollForm) -> bool:
    nominations = cast(forms.ModelChoiceField, form.fields["nomination"]).queryset
    return nominations is not None and nominations.exists()


@sign_in_to_act
@require_http_methods(["GET", "POST"])
def session_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    group, membership = get_group_for_organizer(request, slug)
    session = get_session_or_404(group, pk)
    if not session.is_scheduled:
        messages.error(request, f"This session is {session.get_status_display().lower()}.")
        return redirect(_session_url(session))
    form = SessionForm(request.POST or None, group=group, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            discussions.session_update(
                session=session, updated_by=request.user, **form.session_values()
            )
        except discussions.SessionError as exc:
            messages.error(request, str(exc))
            return redirect(_session_url(session))
        messages.success(request, "The session is updated.")
        return redirect(_session_url(session))
    context = {"group": group, "membership": membership, "form": form, "session": session}
    return render(request, "groups/discussions/form.html", context)


@sign_in_to_act
@require_POST
def session_cancel(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    group, _ = get_group_for_organizer(request, slug)
    session = get_session_or_404(group, pk)
    try:
        discussions.session_cancel(session=session, cancelled_by=request.user)
    except discussions.SessionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The session is cancelled. Members are notified by email.")
    return redirect(_session_url(session))


@sign_in_to_act
@require_POST
def session_mark_done(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    group, _ = get_group_for_organizer(request, slug)
    session = get_session_or_404(group, pk)
    try:
        discussions.session_mark_done(session=session, marked_by=request.user)
    except discussions.SessionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Marked as done: it is now in the group's reading history.")
    return redirect(_session_url(session))


def _calendar_response(body: bytes, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def session_ics(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group, _ = get_group_for_viewer(request, slug)
    session = get_session_or_404(group, pk)
    return _calendar_response(
        ical.session_ics(session), f"{group.slug}-session-{session.pk}.ics", attachment=True
    )


@require_GET
def session_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's calendar: open for public groups, for signed-in members of private ones."""
    group, _ = get_group_for_viewer(request, slug)
    return _calendar_response(ical.group_feed_ics(group), f"{group.slug}.ics", attachment=False)


@require_GET
def session_feed_token(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A member's secret feed address: read-only, this one group, until regenerated."""
    group = discussions.calendar_token_group(token)
    if group is None or group.slug != slug:
        raise Http404("No such calendar.")
    return _calendar_response(ical.group_feed_ics(group), f"{group.slug}.ics", attachment=False)


@sign_in_to_act
@require_POST
def session_feed_token_regenerate(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    group, _ = get_group_for_member(request, slug)
    discussions.calendar_token_regenerate(group=group, user=request.user)
    messages.success(
        request, "Your calendar address is new; the old one no longer works. Update your app."
    )
    return redirect(reverse("session_list", kwargs={"slug": group.slug}) + "#calendar")


# --- Time polls ----------------------------------------------------------------------------


def _poll_url(group: ReadingGroup, pk: int) -> str:
    return reverse("poll_detail", kwargs={"slug": group.slug, "pk": pk})


def _require_organizer(membership: Membership) -> None:
    if not membership.is_organizer:
        raise PermissionDenied("Only the group's organizers can do this.")


@sign_in_to_act
@require_http_methods(["GET", "POST"])
def poll_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """ "Schedule the winner" with a time poll: the top open nomination is preselected, or
    `?nomination=<id>`."""
    group, membership = get_group_for_participant(request, slug)
    _require_organizer(membership)
    picked = request.GET.get("nomination", "")
    initial = {"nomination": int(picked)} if picked.isdigit() else {}  # else the winner
    form = PollForm(request.POST or None, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            poll = polls.poll_create(group=group, created_by=request.user, **form.poll_values())
        except polls.PollError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "The poll is open. The paper's supporters are invited by email."
            )
            return redirect(_poll_url(group, poll.pk))
    context = group_context(group, membership, "sessions") | {
        "form": form,
        "has_nominations": _has_choices(form),
    }
    return render(request, "groups/discussions/poll_form.html", context)


@require_GET
def poll_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group, membership = get_group_for_participant(request, slug)
    page = polls.poll_page(group, pk, request.user)
    if page is None:
        raise Http404("No such poll.")
    context = group_context(group, membership, "sessions") | {"page": page, "poll": page.poll}
    return render(request, "groups/discussions/poll.html", context)


@sign_in_to_act
@require_POST
def poll_answer(request: AuthenticatedHttpRequest, slug: str, pk: int, slot: int) -> HttpResponse:
    """Yes / if need be / no for one slot. PRG without JavaScript; the slot's row for htmx."""
    group, membership = get_group_for_participant(request, slug)
    poll = get_poll_or_404(group, pk)
    chosen = get_poll_slot_or_404(poll, slot)
    error = ""
    try:
        polls.poll_answer_set(
            poll=poll, slot=chosen, user=request.user, answer=request.POST.get("answer", "")
        )
    except polls.PollError as exc:
        error = str(exc)
    if request.htmx:
        page = polls.poll_page(group, pk, request.user)
        assert page is not None  # the poll was there a moment ago and polls are never deleted
        tally = next(t for t in page.slots if t.slot.pk == chosen.pk)
        context = group_context(group, membership, "sessions") | {
            "page": page,
            "poll": page.poll,
            "tally": tally,
            "error": error,
        }
        # 200 even for a refused answer: htmx swaps only 2xx responses, and the row shows why.
        # The count of who answered comes along, out of band.
        row = render(request, SLOT_ROW, context)
        progress = render(request, POLL_PROGRESS, context | {"oob": True})
        row.write(progress.content)
        return row
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Your answer is saved.")
    return redirect(_poll_url(group, poll.pk) + f"#slot-{chosen.pk}")


@sign_in_to_act
@require_POST
def poll_pick(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The organizer picks a slot: the session is scheduled from it."""
    group, membership = get_group_for_participant(request, slug)
    _require_organizer(membership)
    poll = get_poll_or_404(group, pk)
    slot = request.POST.get("slot", "")
    if not slot.isdigit():
        messages.error(request, "Pick one of the proposed times.")
        return redirect(_poll_url(group, poll.pk))
    try:
        session = polls.poll_pick(
            poll=poll, slot=get_poll_slot_or_404(poll, int(slot)), picked_by=request.user
        )
    except polls.PollAlreadyPicked as exc:
        messages.info(request, "This poll was picked already; here is its session.")
        if exc.session is not None:
            return redirect(_session_url(exc.session))
        return redirect(_poll_url(group, poll.pk))
    except polls.PollError as exc:
        messages.error(request, str(exc))
        return redirect(_poll_url(group, poll.pk))
    messages.success(request, "The session is scheduled. Members are notified by email.")
    return redirect(_session_url(session))


@sign_in_to_act
@require_POST
def poll_cancel(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    group, membership = get_group_for_participant(request, slug)
    _require_organizer(membership)
    poll = get_poll_or_404(group, pk)
    try:
        polls.poll_cancel(poll=poll, cancelled_by=request.user)
    except polls.PollError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The poll is cancelled. The paper stays on the ballot.")
    return redirect(_poll_url(group, poll.pk))


@sign_in_to_act
@require_POST
def session_move(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The quorum banner's one click: move a session from a poll to another proposed time."""
    group, _ = get_group_for_organizer(request, slug)
    session = get_session_or_404(group, pk)
    slot = request.POST.get("slot", "")
    try:
        if not slot.isdigit():
            raise polls.PollError("Pick one of the proposed times.")
        chosen = polls.poll_slot_of(session, int(slot))
        polls.session_move_to_slot(session=session, slot=chosen, moved_by=request.user)
    except polls.PollError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The session is moved. Members are notified by email.")
    return redirect(_session_url(session))
