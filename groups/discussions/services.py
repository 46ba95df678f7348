"""Discussion sessions: the queries pages need and the services that change sessions.

Services are keyword-only and atomic; emails are enqueued after commit (`task.delay_on_commit`)
and sent by Celery tasks in `groups.notifications.tasks`, through `groups.notifications.sessions`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.utils import timezone

from groups.models import (
    CalendarToken,
    DiscussionSession,
    Membership,
    Nomination,
    QuorumWarning,
    Readiness,
    ReadinessWarning,
    ReadingGroup,
    Rsvp,
    SessionEmail,
    User,
)
from groups.models.discussions import DiscussionSessionQuerySet
from groups.notifications.tasks import send_session_notice
from groups.questions.services import agenda_threads_open
from groups.similar.tasks import similar_warm
from groups.voting.ballot import ballot_order
from groups.voting.services import ballot_round_record


class SessionError(Exception):
    """A session change that the rules refuse; the message is meant for the person who tried."""


class NominationAlreadyScheduled(SessionError):
    """The nomination has a session already (a double submit, or two organizers at once)."""

    def __init__(self, session: DiscussionSession | None) -> None:
        super().__init__("This nomination is already scheduled.")
        self.session = session


# Who is coming: those who check in and whose reminders go out.
ATTENDING = [Rsvp.Answer.GOING, Rsvp.Answer.MAYBE]


# --- Queries -------------------------------------------------------------------------------


def open_nominations_in_ballot_order(group: ReadingGroup) -> QuerySet[Nomination]:
    """The group's open nominations, best first as its ballot decides (most votes; on a ranked
    ballot the count's winner first, then as the rest finished; weighed when the group weighs by
    fairness: `groups.voting.ballot.ballot_order`), for "Schedule the winner"."""
    nominations = Nomination.objects.filter(group=group).open().select_related("paper")
    decided = ballot_order(group)
    if decided is None or not decided.ids:
        return nominations.ranked()
    order = decided.ids
    place = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(order)), default=len(order))
    return nominations.order_by(place, "created_at", "id")


def group_sessions(group: ReadingGroup) -> DiscussionSessionQuerySet:
    return DiscussionSession.objects.filter(group=group).for_listing()


def upcoming_sessions(group: ReadingGroup) -> QuerySet[DiscussionSession]:
    return group_sessions(group).upcoming()


def past_sessions(group: ReadingGroup) -> QuerySet[DiscussionSession]:
    return group_sessions(group).past()


def _with_attendees(sessions: QuerySet[DiscussionSession]) -> QuerySet[DiscussionSession]:
    rsvps = Rsvp.objects.select_related("user").order_by("created_at", "id")
    return sessions.prefetch_related(Prefetch("rsvps", queryset=rsvps))


def next_session_for_group(
    group: ReadingGroup, viewer: User | AnonymousUser | None = None
) -> DiscussionSession | None:
    """The next session that is still on, ready for the RSVP box (two queries).

    Render it on the group home with `{% include "groups/discussions/detail.html#rsvp-box" %}` and
    `session`, `group`, `membership` in the context (see that partial).
    """
    session = _with_attendees(group_sessions(group).upcoming().filter(status="scheduled")).first()
    if session is not None:
        session.my_rsvp = rsvp_for(session, viewer)
    return session


def next_sessions_of(groups: Iterable[ReadingGroup], viewer: User) -> dict[int, DiscussionSession]:
    """Each group's next session that is still on (as `next_session_for_group` picks it), by group
    id, with its paper and `my_answer` (the viewer's RSVP answer or None). One query."""
    now = timezone.now()
    scheduled = DiscussionSession.objects.upcoming(now).filter(status="scheduled")
    first = scheduled.filter(group=OuterRef("group")).values("pk")[:1]
    answer = Rsvp.objects.filter(session=OuterRef("pk"), user=viewer).values("answer")[:1]
    sessions = (
        scheduled.filter(group__in=groups, pk=Subquery(first))
        .select_related("paper")
        .annotate(my_answer=Subquery(answer))
    )
    return {session.group_id: session for session in sessions}


def session_with_attendees(
    group: ReadingGroup, pk: int, viewer: User | AnonymousUser | None = None
) -> DiscussionSession | None:
    """One session of the group with its answers, their people and the viewer's; None if the
    group has no such session."""
    session = _with_attendees(group_sessions(group)).filter(pk=pk).first()
    if session is not None:
        session.my_rsvp = rsvp_for(session, viewer)
    return session


def session_for_nomination(group: ReadingGroup, nomination_id: str) -> DiscussionSession | None:
    if not str(nomination_id).isdigit():
        return None
    return DiscussionSession.objects.filter(group=group, nomination_id=nomination_id).first()


def rsvp_for(session: DiscussionSession, user: User | AnonymousUser | None) -> Rsvp | None:
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(session, "_prefetched_objects_cache", {}).get("rsvps")
    if cached is not None:
        return next((r for r in cached if r.user_id == user.pk), None)
    return Rsvp.objects.filter(session=session, user=user).first()


def quorum_warning_for(session: DiscussionSession) -> QuorumWarning | None:
    """The warning that this session was under quorum at its current start, if one was sent."""
    return QuorumWarning.objects.filter(session=session, starts_at=session.starts_at).first()


def readiness_warning_for(session: DiscussionSession) -> ReadinessWarning | None:
    """The warning that few of those going had read the paper, for the session's current start."""
    return ReadinessWarning.objects.filter(session=session, starts_at=session.starts_at).first()


@dataclass
class ReadinessSummary:
    """The check-ins of a session's attendees (going or maybe), and the viewer's own."""

    read: int
    skimmed: int
    not_yet: int
    attending: int
    mine: Readiness | None
    may_check_in: bool

    @property
    def unanswered(self) -> int:
        return max(self.attending - self.read - self.skimmed - self.not_yet, 0)


def readiness_summary(
    session: DiscussionSession, viewer: User | AnonymousUser | None
) -> ReadinessSummary:
    """For the session page's readiness box; `session` comes from `session_with_attendees` (its
    counts and answers are read already). Two queries at most, whatever the number of people."""
    counts = Readiness.objects.counts(session)
    rsvp = rsvp_for(session, viewer)
    attendee = rsvp is not None and rsvp.answer in ATTENDING
    mine = None
    if attendee and isinstance(viewer, User):
        mine = Readiness.objects.filter(session=session, user=viewer).first()
    going: int = session.going_count  # type: ignore[attr-defined]  # for_listing's annotations
    maybe: int = session.maybe_count  # type: ignore[attr-defined]  # the same
    return ReadinessSummary(
        read=counts[Readiness.State.READ],
        skimmed=counts[Readiness.State.SKIMMED],
        not_yet=counts[Readiness.State.NOT_YET],
        attending=going + maybe,
        mine=mine,
        may_check_in=attendee and session.rsvp_open,
    )


def sessions_under_quorum(group: ReadingGroup) -> list[DiscussionSession]:
    """The group's scheduled sessions still ahead whose organizers were warned that they are
    under quorum at their current start (the banner's sessions). One query; none without a
    quorum."""
    if not group.quorum:
        return []
    warned = QuorumWarning.objects.filter(session=OuterRef("pk"), starts_at=OuterRef("starts_at"))
    return list(
        group_sessions(group)
        .filter(status=DiscussionSession.Status.SCHEDULED, starts_at__gt=timezone.now())
        .filter(Exists(warned))
        .order_by("starts_at", "id")
    )


def group_members(group: ReadingGroup) -> QuerySet[User]:
    return User.objects.filter(memberships__group=group).order_by("display_name", "username")


# --- Services ------------------------------------------------------------------------------


def _enqueue_notice(session: DiscussionSession, kind: str, actor: User | None) -> None:
    send_session_notice.delay_on_commit(
        session.pk, kind, session.sequence, actor.pk if actor else None
    )


@transaction.atomic
def session_schedule(
    *,
    group: ReadingGroup,
    nomination: Nomination,
    starts_at: datetime,
    duration: timedelta,
    place: str = "",
    video_url: str = "",
    presenter: User | None = None,
    agenda: str = "",
    created_by: User,
) -> DiscussionSession:
    """Turns an open nomination into a scheduled session and marks the nomination scheduled.

    The nomination's votes stay as history, and the round it won is recorded with who took part
    and won or lost (`groups.voting.services.ballot_round_record`: fairness across rounds). Raises NominationAlreadyScheduled (carrying the
    existing session, if any) when it is no longer open: a double submit creates one session.
    Members get a "scheduled" notice after commit.
    """
    # The row lock makes a concurrent second submit wait here, then see the new status.
    locked = Nomination.objects.select_for_update().get(pk=nomination.pk, group=group)
    if locked.status != Nomination.Status.OPEN:
        raise NominationAlreadyScheduled(
            DiscussionSession.objects.filter(nomination=locked).first()
        )
    try:
        with transaction.atomic():
            session = DiscussionSession.objects.create(
                group=group,
                paper_id=locked.paper_id,
                nomination=locked,
                starts_at=starts_at,
                duration=duration,
                place=place,
                video_url=video_url,
                presenter=presenter,
                agenda=agenda,
                created_by=created_by,
            )
    except IntegrityError as exc:
        # The OneToOne on nomination: another request won between our read and our insert.
        raise NominationAlreadyScheduled(
            DiscussionSession.objects.filter(nomination=locked).first()
        ) from exc
    ballot_round_record(
        group=group, nomination=locked
    )  # before it leaves the ballot: who backed it then
    locked.status = Nomination.Status.SCHEDULED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    _enqueue_notice(session, SessionEmail.Kind.SCHEDULED, created_by)
    ReadingGroup.objects.ballot_bump(group.pk)  # the nomination left the open ballot
    return session


# Changes to these reach people's calendars and inboxes; agenda and presenter edits do not.
NOTIFIED_FIELDS = ("starts_at", "duration", "place", "video_url")


@transaction.atomic
def session_update(
    *,
    session: DiscussionSession,
    starts_at: datetime,
    duration: timedelta,
    place: str,
    video_url: str,
    presenter: User | None,
    agenda: str,
    updated_by: User,
) -> DiscussionSession:
    """Edits or reschedules a scheduled session.

    A change of time, duration, place or video link raises the iCalendar SEQUENCE and sends a
    change notice; a new start re-arms reminders (they are keyed by the start they were for).
    """
    locked = DiscussionSession.objects.select_for_update().get(pk=session.pk)
    if not locked.is_scheduled:
        raise SessionError(f"This session is {locked.get_status_display().lower()}.")
    new = {"starts_at": starts_at, "duration": duration, "place": place, "video_url": video_url}
    changed = any(getattr(locked, name) != new[name] for name in NOTIFIED_FIELDS)
    for name, value in {**new, "presenter": presenter, "agenda": agenda}.items():
        setattr(locked, name, value)
    fields = [*new, "presenter", "agenda", "updated_at"]
    if changed:
        locked.sequence += 1
        fields.append("sequence")
    locked.save(update_fields=fields)
    if changed:
        _enqueue_notice(locked, SessionEmail.Kind.CHANGED, updated_by)
    return locked


@transaction.atomic
def session_cancel(*, session: DiscussionSession, cancelled_by: User) -> DiscussionSession:
    """Cancels a scheduled session (it stays listed as cancelled) and notifies members.

    The nomination stays "scheduled": the paper is not silently put back on the ballot.
    """
    locked = DiscussionSession.objects.select_for_update().get(pk=session.pk)
    if not locked.is_scheduled:
        raise SessionError(f"This session is already {locked.get_status_display().lower()}.")
    locked.status = DiscussionSession.Status.CANCELLED
    locked.sequence += 1
    locked.save(update_fields=["status", "sequence", "updated_at"])
    _enqueue_notice(locked, SessionEmail.Kind.CANCELLED, cancelled_by)
    return locked


@transaction.atomic
def session_mark_done(*, session: DiscussionSession, marked_by: User) -> DiscussionSession:
    """Marks a session that has started as done: it joins the group's reading history, and its
    agenda questions get their threads now if beat has not opened them yet."""
    locked = DiscussionSession.objects.select_for_update().get(pk=session.pk)
    if not locked.is_scheduled:
        raise SessionError(f"This session is already {locked.get_status_display().lower()}.")
    if not locked.has_started:
        raise SessionError("A session can be marked done once it has started.")
    locked.status = DiscussionSession.Status.DONE
    locked.save(update_fields=["status", "updated_at"])
    agenda_threads_open(session=locked)  # at once, rather than at beat's next run
    similar_warm.delay_on_commit(locked.group_id)  # its paper joins what the group read
    return locked


@transaction.atomic
def rsvp_set(*, session: DiscussionSession, user: User, answer: str) -> Rsvp:
    """Records or changes a member's answer; refused once the session started or is off."""
    if answer not in Rsvp.Answer.values:
        raise SessionError("Choose going, maybe or not going.")
    locked = DiscussionSession.objects.select_for_update().get(pk=session.pk)
    if not locked.is_scheduled:
        raise SessionError(f"This session is {locked.get_status_display().lower()}.")
    if locked.has_started:
        raise SessionError("This session has started: answers are closed.")
    rsvp, _ = Rsvp.objects.update_or_create(session=locked, user=user, defaults={"answer": answer})
    return rsvp


@transaction.atomic
def readiness_set(*, session: DiscussionSession, user: User, state: str) -> Readiness:
    """Records or changes an attendee's check-in (read, skimmed, not yet): one row per person
    per session (a database constraint). Refused unless they answer going or maybe, and once
    the session has started or is off."""
    if state not in Readiness.State.values:
        raise SessionError("Choose read, skimmed or not yet.")
    locked = DiscussionSession.objects.select_for_update().get(pk=session.pk)
    if not locked.is_scheduled:
        raise SessionError(f"This session is {locked.get_status_display().lower()}.")
    if locked.has_started:
        raise SessionError("This session has started: check-ins are closed.")
    if not Rsvp.objects.filter(session=locked, user=user, answer__in=ATTENDING).exists():
        raise SessionError("Answer going or maybe first: the check-in is for those coming.")
    readiness, _ = Readiness.objects.update_or_create(
        session=locked, user=user, defaults={"state": state}
    )
    return readiness


def calendar_token_for(*, group: ReadingGroup, user: User) -> CalendarToken:
    """The member's feed token for the group, created on first use."""
    token, _ = CalendarToken.objects.get_or_create(group=group, user=user)
    return token


@transaction.atomic
def calendar_token_regenerate(*, group: ReadingGroup, user: User) -> CalendarToken:
    """Replaces the member's feed token; the old feed address stops working at once."""
    CalendarToken.objects.filter(group=group, user=user).delete()
    return CalendarToken.objects.create(group=group, user=user)


def calendar_token_group(token: str) -> ReadingGroup | None:
    """The group a feed token opens, while its owner is still a member; else None."""
    found = CalendarToken.objects.select_related("group").filter(token=token).first()
    if found is None:
        return None
    if not Membership.objects.filter(group_id=found.group_id, user_id=found.user_id).exists():
        return None
    return found.group
