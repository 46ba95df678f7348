"""The question board of a session: read it, ask, upvote, hide, and the organizers' agenda.

Every action is a plain form POST that redirects back to the board, and with htmx answers the
board region (`board.html#board`) re-read, so counts and order are the database's."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from groups.access import (
    get_group_for_member,
    get_group_for_organizer,
    get_group_for_viewer,
    get_question_or_404,
    get_session_or_404,
    sign_in_to_act,
)
from groups.limits import rate_limit
from groups.models import DiscussionSession, Membership, ReadingGroup, User
from groups.questions import services as questions
from groups.questions.forms import QuestionForm, agenda_order
from groups.web import AuthenticatedHttpRequest, group_context

BOARD = "groups/questions/board.html"


def _board_url(session: DiscussionSession) -> str:
    return reverse("question_board", kwargs={"slug": session.group.slug, "pk": session.pk})


def _context(
    request: HttpRequest,
    group: ReadingGroup,
    membership: Membership | None,
    session: DiscussionSession,
    **extra: Any,
) -> dict[str, Any]:
    viewer = request.user if isinstance(request.user, User) else None
    return (
        group_context(group, membership, "sessions")
        | {
            "session": session,
            "board": questions.board_for(session, viewer, membership),
            "form": QuestionForm(),
            "error": "",
        }
        | extra
    )


def _answer(
    request: HttpRequest,
    group: ReadingGroup,
    membership: Membership | None,
    session: DiscussionSession,
    *,
    error: str = "",
    done: str = "",
    anchor: str = "",
    **extra: Any,
) -> HttpResponse:
    """After an action: the board region for htmx (200 even when refused: htmx swaps only 2xx,
    and the region says why), else a message and the redirect back."""
    if getattr(request, "htmx", False):
        context = _context(request, group, membership, session, error=error, **extra)
        return render(request, f"{BOARD}#board", context)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(_board_url(session) + anchor)


@require_GET
@vary_on_headers("HX-Request")
def board(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The questions best first; for organizers, the agenda form."""
    group, membership = get_group_for_viewer(request, slug)
    session = get_session_or_404(group, pk)
    context = _context(request, group, membership, session)
    if getattr(request, "htmx", False):
        return render(request, f"{BOARD}#board", context)
    return render(request, BOARD, context)


@sign_in_to_act
@require_POST
@rate_limit("question")
def ask(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    group, membership = get_group_for_member(request, slug)
    session = get_session_or_404(group, pk)
    form = QuestionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            question = questions.question_ask(
                session=session, author=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            form.add_error("text", exc)
        except questions.QuestionError as exc:
            error = str(exc)  # shown above the board, whose form may be gone (closed)
        else:
            return _answer(
                request,
                group,
                membership,
                session,
                done="Your question is on the board.",
                anchor=f"#question-{question.pk}",
            )
    # Refused: the form comes back as typed, with the reason.
    context = _context(request, group, membership, session, form=form, error=error)
    if request.htmx:
        return render(request, f"{BOARD}#board", context)
    return render(request, BOARD, context, status=400)


@sign_in_to_act
@require_POST
def vote(request: AuthenticatedHttpRequest, slug: str, question_id: int) -> HttpResponse:
    """`vote=up` upvotes, anything else takes the upvote back: the button names the state it
    wants, so a double click or a second tab never undoes the first."""
    group, membership = get_group_for_member(request, slug)
    question = get_question_or_404(group, question_id)
    error = ""
    up = request.POST.get("vote") == "up"
    try:
        questions.question_vote(question=question, user=request.user, up=up)
    except questions.QuestionError as exc:
        error = str(exc)
    done = "Your upvote is counted." if up else "Your upvote is taken back."
    return _answer(
        request,
        group,
        membership,
        question.session,
        error=error,
        done=done,
        anchor=f"#question-{question.pk}",
    )


def _moderate(
    request: AuthenticatedHttpRequest, slug: str, question_id: int, *, hide: bool
) -> HttpResponse:
    group, membership = get_group_for_organizer(request, slug)
    question = get_question_or_404(group, question_id)
    reason = request.POST.get("reason", "")[:2000]
    if hide:
        changed = questions.question_hide(question=question, by=request.user, reason=reason)
        done = "The question is hidden." if changed else "The question was already hidden."
    else:
        changed = questions.question_unhide(question=question, by=request.user, reason=reason)
        done = "The question is shown again." if changed else "The question was not hidden."
    return _answer(
        request, group, membership, question.session, done=done, anchor=f"#question-{question.pk}"
    )


@sign_in_to_act
@require_POST
def hide(request: AuthenticatedHttpRequest, slug: str, question_id: int) -> HttpResponse:
    """Organizers hide a question (its author and they still see it; it leaves the agenda)."""
    return _moderate(request, slug, question_id, hide=True)


@sign_in_to_act
@require_POST
def unhide(request: AuthenticatedHttpRequest, slug: str, question_id: int) -> HttpResponse:
    return _moderate(request, slug, question_id, hide=False)


@sign_in_to_act
@require_POST
def agenda(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Organizers save the agenda: the number boxes, or `top=<n>` (the n most upvoted)."""
    group, membership = get_group_for_organizer(request, slug)
    session = get_session_or_404(group, pk)
    top = request.POST.get("top", "")
    if top.isdigit():
        order = questions.top_question_ids(session, int(top))
        error = ""
    else:
        shown = questions.board_for(session, request.user, membership).questions
        order, error = agenda_order(request.POST, [q for q in shown if not q.is_hidden])
    if not error:
        try:
            questions.agenda_save(session=session, by=request.user, order=order)
        except questions.QuestionError as exc:
            error = str(exc)
    done = f"The agenda is saved: {len(order)} question{'s' if len(order) != 1 else ''}."
    return _answer(request, group, membership, session, error=error, done=done, anchor="#agenda")
