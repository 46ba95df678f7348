"""A session's question board: asking, upvoting, hiding, the agenda, and the agenda's threads.

Callers may rely on: one vote per person per question and one question per author and text per
session (database constraints: a double click asks and votes once); a vote names the state it
wants (`up` or not), so a second click, a resent form or a second tab never undoes the first;
the board's counts are counted from the votes whenever it is read, never stored. Asking, voting
and the agenda close when the session starts. Once it has started, each agenda question gets its
own thread: a root note on the session's notes (`agenda_threads_open`, idempotent: beat runs it,
and marking the session done does at once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from groups.access import may_moderate, require_group_moderator
from groups.models import (
    DiscussionSession,
    Membership,
    ModerationLog,
    Question,
    QuestionVote,
    User,
)
from groups.models.questions import AGENDA_MAX, QUESTION_MAX_LENGTH
from groups.moderation.audit import audit_record
from groups.notes.markdown import render_markdown
from groups.notes.services import note_create

logger = logging.getLogger(__name__)


class QuestionError(Exception):
    """A question board action the rules refuse; the message is for the person who tried."""


# --- Reads ---------------------------------------------------------------------------------


@dataclass
class Board:
    """What the board shows one viewer: the questions best first, and the agenda in order."""

    session: DiscussionSession
    questions: list[Question]
    agenda: list[Question]
    moderator: bool

    @property
    def is_open(self) -> bool:
        return board_open(self.session)


def board_open(session: DiscussionSession) -> bool:
    """Questions, votes and the agenda are for before the session, while it is on."""
    return session.is_scheduled and not session.has_started


def board_for(
    session: DiscussionSession, viewer: User | None, membership: Membership | None
) -> Board:
    """The board of a session for a viewer (None: anonymous). Two queries at any size: the
    ranked questions with their counts and the viewer's votes, then the agenda's order is taken
    from them (agenda questions are visible ones)."""
    moderator = membership is not None and membership.is_organizer
    viewer_id = viewer.pk if viewer is not None else None
    questions = list(
        Question.objects.filter(session=session)
        .visible_to(viewer_id=viewer_id, show_hidden=moderator)
        .ranked(viewer_id)
    )
    agenda = sorted(
        (q for q in questions if q.agenda_position is not None and not q.is_hidden),
        key=lambda q: (q.agenda_position, q.pk),
    )
    return Board(session=session, questions=questions, agenda=agenda, moderator=moderator)


def agenda_of(session: DiscussionSession) -> list[Question]:
    """The session's agenda questions in order, with their authors (one query), for the
    session page."""
    return list(Question.objects.filter(session=session).on_agenda().select_related("author"))


def question_count(session: DiscussionSession) -> int:
    return Question.objects.filter(session=session, hidden_at__isnull=True).count()


# --- Writes --------------------------------------------------------------------------------


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError("Write your question first.", code="empty")
    if len(text) > QUESTION_MAX_LENGTH:
        raise ValidationError(
            f"Questions can be at most {QUESTION_MAX_LENGTH} characters long.", code="too_long"
        )
    return text


def _lock_open(session: DiscussionSession) -> DiscussionSession:
    locked = DiscussionSession.objects.select_for_update().get(pk=session.pk)
    if not board_open(locked):
        raise QuestionError("The session has started: the question board is closed.")
    return locked


@transaction.atomic
def question_ask(*, session: DiscussionSession, author: User, text: str) -> Question:
    """Posts a member's question (the caller checked membership). Markdown, sanitized like a
    note's. Asking the same text again (a double click, a resent form) returns the first
    question. Raises ValidationError for an empty or too long text, QuestionError once the
    session has started or is off."""
    text = _clean_text(text)
    locked = _lock_open(session)
    existing = Question.objects.filter(session=locked, author=author, text=text).first()
    if existing is not None:
        return existing
    html = render_markdown(text).html
    try:
        with transaction.atomic():
            return Question.objects.create(session=locked, author=author, text=text, text_html=html)
    except IntegrityError:
        # The same question at the same moment (SQLite takes no row lock): the first one stands.
        return Question.objects.get(session=locked, author=author, text=text)


@transaction.atomic
def question_vote(*, question: Question, user: User, up: bool) -> bool:
    """Sets the member's upvote on a question to `up`; returns whether anything changed.

    Idempotent: voting twice is one vote (the constraint), taking back twice is none. Refused on
    one's own question, a hidden one, and once the session has started."""
    _lock_open(question.session)
    if question.author_id == user.pk:
        raise QuestionError("You cannot upvote your own question.")
    if up:
        if Question.objects.filter(pk=question.pk, hidden_at__isnull=False).exists():
            raise QuestionError("This question was hidden by a moderator.")
        try:
            with transaction.atomic():
                QuestionVote.objects.create(question=question, user=user)
        except IntegrityError:
            return False  # voted already (a double click, another tab)
        return True
    deleted, _ = QuestionVote.objects.filter(question=question, user=user).delete()
    return bool(deleted)


def _question_moderate(*, question: Question, by: User, reason: str, hide: bool) -> bool:
    require_group_moderator(by, question.session.group)
    still = Question.objects.filter(pk=question.pk, hidden_at__isnull=hide)
    if hide:
        changed = still.update(hidden_at=timezone.now(), hidden_by=by, agenda_position=None)
    else:
        changed = still.update(hidden_at=None, hidden_by=None)
    if changed:
        audit_record(
            actor=by,
            action=ModerationLog.Action.QUESTION_HIDE
            if hide
            else ModerationLog.Action.QUESTION_UNHIDE,
            target=question,
            group=question.session.group,
            reason=reason,
        )
    return bool(changed)


@transaction.atomic
def question_hide(*, question: Question, by: User, reason: str = "") -> bool:
    """Hides a question from the board (its group's organizers and site moderators): its author
    and the organizers still see it; it leaves the agenda. Audited. False when already hidden."""
    return _question_moderate(question=question, by=by, reason=reason, hide=True)


@transaction.atomic
def question_unhide(*, question: Question, by: User, reason: str = "") -> bool:
    """Shows a hidden question again (as for `question_hide`); not back on the agenda."""
    return _question_moderate(question=question, by=by, reason=reason, hide=False)


@transaction.atomic
def agenda_save(*, session: DiscussionSession, by: User, order: list[int]) -> list[Question]:
    """Makes the session's agenda these questions (ids, first discussed first): their positions
    become 1, 2, 3 ...; every other question leaves it. Organizers only (checked here), before
    the session starts. Two organizers saving at once: the session's row lock makes one save
    follow the other whole. Raises QuestionError for an id that is not a visible question of
    the session, a repeated one, or more than AGENDA_MAX."""
    if not may_moderate(by, session.group):
        raise PermissionDenied("Only the group's organizers can set the agenda.")
    locked = _lock_open(session)
    if len(order) != len(set(order)):
        raise QuestionError("Each question can be on the agenda once.")
    if len(order) > AGENDA_MAX:
        raise QuestionError(f"An agenda has at most {AGENDA_MAX} questions.")
    found = {
        q.pk: q
        for q in Question.objects.filter(session=locked, pk__in=order, hidden_at__isnull=True)
    }
    if len(found) != len(order):
        raise QuestionError("That question is no longer on the board; reload and try again.")
    Question.objects.filter(session=locked, agenda_position__isnull=False).update(
        agenda_position=None, agenda_by=None
    )
    for position, pk in enumerate(order, start=1):
        Question.objects.filter(pk=pk).update(agenda_position=position, agenda_by=by)
    return agenda_of(locked)


def top_question_ids(session: DiscussionSession, count: int) -> list[int]:
    """The `count` most upvoted visible questions, best first (for "use the top N")."""
    ranked = Question.objects.filter(session=session, hidden_at__isnull=True).ranked(None)
    return list(ranked.values_list("pk", flat=True)[: min(count, AGENDA_MAX)])


# --- The agenda's threads ------------------------------------------------------------------


def thread_body(question: Question) -> str:
    """The Markdown of an agenda question's root note: its place, then the question."""
    assert question.agenda_position is not None
    return f"**Agenda question {question.agenda_position}**\n\n{question.text}"


@transaction.atomic
def agenda_threads_open(*, session: DiscussionSession) -> int:
    """Once the session has started, writes each agenda question without a thread as a root note
    of the session's notes, by the question's author (or, their account gone, the organizer
    who put it on the agenda), in agenda order. Returns how many it opened; 0 before the start
    or when all are open. Safe to run twice or at once: the session's row lock, and the
    question's one-to-one note."""
    locked = DiscussionSession.objects.select_for_update().get(pk=session.pk)
    if not locked.has_started or locked.is_cancelled:
        return 0
    pending = (
        Question.objects.filter(session=locked, note__isnull=True)
        .on_agenda()
        .select_related("author", "agenda_by")
    )
    opened = 0
    for question in pending:
        author = question.thread_author()
        if author is None:
            continue  # nobody left to write it as
        try:
            note = note_create(author=author, subject=locked, body=thread_body(question))
        except ValidationError as exc:  # a locked thread: leave the rest for after the unlock
            logger.info("Agenda threads of session %s not opened: %s", locked.pk, exc)
            break
        Question.objects.filter(pk=question.pk).update(note=note)
        opened += 1
    return opened


def sessions_with_agenda_due() -> QuerySet[DiscussionSession]:
    """Sessions that have started (not cancelled) with an agenda question still without its
    thread."""
    waiting = Question.objects.filter(
        session=OuterRef("pk"),
        agenda_position__isnull=False,
        hidden_at__isnull=True,
        note__isnull=True,
    )
    return (
        DiscussionSession.objects.filter(starts_at__lte=timezone.now())
        .exclude(status=DiscussionSession.Status.CANCELLED)
        .filter(Exists(waiting))
        .order_by("starts_at", "pk")
    )


def agenda_threads_open_due() -> int:
    """Opens the threads of every session due (beat); returns how many threads it opened."""
    return sum(agenda_threads_open(session=session) for session in sessions_with_agenda_due())
