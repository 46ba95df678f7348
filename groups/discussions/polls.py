"""Time polls: "Schedule the winner" without a time yet. The organizer proposes 2 to 8 slots, the
paper's supporters and its presenter say yes / if need be / no to each, and the organizer picks a
slot, which schedules the session through `session_schedule` (its notices, .ics and reminders).

Callers may rely on: one answer per invitee per slot (a database constraint; `poll_answer_set`
replaces it); only invitees answer, only while the poll is open and before its deadline; a poll
is picked at most once (the poll's row lock and the session's OneToOne: two organizers picking
at once make one session, the second gets `PollAlreadyPicked`); one active poll per nomination.
Invitations go out after commit (`send_poll_invites`); beat closes polls at their deadline and
reminds those who have not answered (`groups.notifications.polls`).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from groups.discussions.services import (
    NominationAlreadyScheduled,
    SessionError,
    session_schedule,
    session_update,
)
from groups.models import (
    DiscussionSession,
    Nomination,
    PollAnswer,
    PollInvitee,
    PollSlot,
    ReadingGroup,
    TimePoll,
    User,
)
from groups.models.polls import MAX_SLOTS, MIN_SLOTS
from groups.notifications.tasks import send_poll_invites
from groups.voting.services import nomination_supporters


class PollError(Exception):
    """A poll action the rules refuse; the message is meant for the person who tried."""


class PollAlreadyPicked(PollError):
    """The poll was picked already (a double submit, or two organizers at once)."""

    def __init__(self, session: DiscussionSession | None) -> None:
        super().__init__("This poll has been picked already: the session is scheduled.")
        self.session = session


# --- Reads ---------------------------------------------------------------------------------


@dataclass
class SlotTally:
    """One slot as the poll page shows it: who said what, and the viewer's own answer."""

    slot: PollSlot
    yes: list[User] = field(default_factory=list)
    maybe: list[User] = field(default_factory=list)
    no: list[User] = field(default_factory=list)
    my_answer: str = ""
    presenter_answer: str = ""
    presenter_can: bool = True
    is_best: bool = False

    @property
    def is_past(self) -> bool:
        return self.slot.starts_at <= timezone.now()


@dataclass
class PollPage:
    poll: TimePoll
    slots: list[SlotTally]
    invitees: list[User]
    me: PollInvitee | None
    answered: int
    # Invitees who have not answered any slot yet.
    waiting: list[User]
    best: SlotTally | None


def best_slot(slots: list[SlotTally], now: datetime | None = None) -> SlotTally | None:
    """The slot to preselect: most yes, then most if-need-be, then the earliest; only slots still
    ahead, and only slots the presenter (if any) can come to."""
    now = now or timezone.now()
    fit = [t for t in slots if t.presenter_can and t.slot.starts_at > now]
    if not fit:
        return None
    return max(fit, key=lambda t: (len(t.yes), len(t.maybe), -t.slot.starts_at.timestamp()))


def poll_page(
    group: ReadingGroup, pk: int, viewer: User | AnonymousUser | None = None
) -> PollPage | None:
    """One poll of the group with its slots, every answer and its invitees, in four queries;
    None if the group has no such poll."""
    poll = (
        TimePoll.objects.filter(group=group, pk=pk)
        .select_related("nomination__paper", "presenter", "session")
        .prefetch_related(
            Prefetch("slots", queryset=PollSlot.objects.prefetch_related("answers")),
            Prefetch(
                "invitees",
                queryset=PollInvitee.objects.select_related("user").order_by(
                    "user__display_name", "user__username"
                ),
            ),
        )
        .first()
    )
    if poll is None:
        return None
    invitees = list(poll.invitees.all())
    people = {invitee.pk: invitee.user for invitee in invitees}
    me = next((i for i in invitees if viewer is not None and i.user_id == viewer.pk), None)
    tallies = []
    answered: set[int] = set()
    for slot in poll.slots.all():
        tally = SlotTally(slot=slot)
        for answer in slot.answers.all():
            answered.add(answer.invitee_id)
            person = people[answer.invitee_id]
            getattr(tally, answer.answer).append(person)
            if me is not None and answer.invitee_id == me.pk:
                tally.my_answer = answer.answer
            if person.pk == poll.presenter_id:
                tally.presenter_answer = answer.answer
        if poll.presenter_id is not None:
            tally.presenter_can = tally.presenter_answer in ("yes", "maybe")
        tallies.append(tally)
    best = best_slot(tallies)
    if best is not None:
        best.is_best = True
    return PollPage(
        poll=poll,
        slots=tallies,
        invitees=[invitee.user for invitee in invitees],
        me=me,
        answered=len(answered),
        waiting=[invitee.user for invitee in invitees if invitee.pk not in answered],
        best=best,
    )


def active_polls(group: ReadingGroup) -> QuerySet[TimePoll]:
    """The group's polls still waiting for a pick, with their paper."""
    return (
        TimePoll.objects.filter(group=group)
        .active()
        .select_related("nomination__paper")
        .order_by("deadline", "id")
    )


def polls_for_member(group: ReadingGroup, user: User) -> list[TimePoll]:
    """The group's active polls that ask this person, each with `answered` (whether they have
    answered any slot yet). One query."""
    mine = PollInvitee.objects.filter(poll=OuterRef("pk"), user=user)
    answered = PollAnswer.objects.filter(invitee__poll=OuterRef("pk"), invitee__user=user)
    return list(active_polls(group).filter(Exists(mine)).annotate(answered=Exists(answered)))


def poll_of_session(session: DiscussionSession) -> int | None:
    """The id of the time poll this session was picked from, if it was. One query."""
    return TimePoll.objects.filter(session=session).values_list("pk", flat=True).first()


def next_best_slot(session: DiscussionSession, poll_id: int | None = None) -> SlotTally | None:
    """For a session picked from a time poll: the best of the poll's other times still ahead
    (as the pick preselects them), with its answers; None for a session without a poll, or when
    no other time is left. `poll_id`: the poll's, when the caller read it (`poll_of_session`)."""
    poll_id = poll_id or poll_of_session(session)
    if poll_id is None:
        return None
    page = poll_page(session.group, poll_id)
    if page is None:
        return None
    return best_slot([t for t in page.slots if t.slot.starts_at != session.starts_at])


def poll_slot_of(session: DiscussionSession, slot_id: int) -> PollSlot:
    """One time of the poll this session was picked from; PollError if it is not one."""
    slot = PollSlot.objects.filter(pk=slot_id, poll__session=session).first()
    if slot is None:
        raise PollError("That time is not one this session's poll proposed.")
    return slot


def poll_for_nomination(group: ReadingGroup, nomination_id: int) -> TimePoll | None:
    """The nomination's active poll, if it has one."""
    return TimePoll.objects.filter(group=group, nomination_id=nomination_id).active().first()


# --- Services ------------------------------------------------------------------------------


@transaction.atomic
def poll_create(
    *,
    group: ReadingGroup,
    nomination: Nomination,
    starts: list[datetime],
    deadline: datetime,
    duration: timedelta,
    place: str = "",
    video_url: str = "",
    presenter: User | None = None,
    created_by: User,
) -> TimePoll:
    """Opens a time poll on an open nomination and invites its supporters and presenter.

    Refused (PollError) for fewer than 2 or more than 8 distinct slots, a slot or deadline in
    the past, a deadline after the first slot, a nomination that is not open or that has an
    active poll already. Invitations are emailed after commit.
    """
    now = timezone.now()
    starts = sorted(set(starts))
    if not MIN_SLOTS <= len(starts) <= MAX_SLOTS:
        raise PollError(f"Propose between {MIN_SLOTS} and {MAX_SLOTS} different times.")
    if starts[0] <= now:
        raise PollError("Every proposed time must be ahead.")
    if deadline <= now:
        raise PollError("The deadline for answers is in the past.")
    if deadline > starts[0]:
        raise PollError("Answers must close before the first proposed time.")
    locked = Nomination.objects.select_for_update().select_related("group").get(pk=nomination.pk)
    if locked.group_id != group.pk or locked.status != Nomination.Status.OPEN:
        raise PollError("That paper is no longer on the ballot.")
    try:
        with transaction.atomic():
            poll = TimePoll.objects.create(
                group=group,
                nomination=locked,
                deadline=deadline,
                duration=duration,
                place=place,
                video_url=video_url,
                presenter=presenter,
                created_by=created_by,
            )
    except IntegrityError as exc:
        raise PollError("That paper has a time poll already.") from exc
    PollSlot.objects.bulk_create(PollSlot(poll=poll, starts_at=start) for start in starts)
    people = set(nomination_supporters(locked).values_list("pk", flat=True))
    if presenter is not None:
        people.add(presenter.pk)
    PollInvitee.objects.bulk_create(PollInvitee(poll=poll, user_id=pk) for pk in sorted(people))
    send_poll_invites.delay_on_commit(poll.pk)
    return poll


@transaction.atomic
def poll_answer_set(*, poll: TimePoll, slot: PollSlot, user: User, answer: str) -> PollAnswer:
    """Records or changes one invitee's answer for one slot."""
    if answer not in PollAnswer.Answer.values:
        raise PollError("Answer yes, if need be, or no.")
    if slot.poll_id != poll.pk:
        raise PollError("That time is not in this poll.")
    invitee = PollInvitee.objects.filter(poll=poll, user=user).first()
    if invitee is None:
        raise PollError("Only the people this poll asks can answer it.")
    # The poll's row lock orders answers after a concurrent close, pick or cancel.
    locked = TimePoll.objects.select_for_update().get(pk=poll.pk)
    if not locked.accepts_answers:
        raise PollError("This poll is closed: answers are no longer taken.")
    found, _ = PollAnswer.objects.update_or_create(
        slot=slot, invitee=invitee, defaults={"answer": answer}
    )
    return found


@transaction.atomic
def poll_pick(*, poll: TimePoll, slot: PollSlot, picked_by: User) -> DiscussionSession:
    """Schedules the session from one slot of the poll, with the poll's details; the poll is
    then "scheduled" and takes no more answers. Raises PollAlreadyPicked (carrying the session)
    if it was picked before, PollError if it was cancelled, the slot has passed, or the paper
    was scheduled some other way meanwhile."""
    locked = TimePoll.objects.select_for_update().select_related("group").get(pk=poll.pk)
    if locked.status == TimePoll.Status.SCHEDULED:
        raise PollAlreadyPicked(locked.session)
    if locked.status == TimePoll.Status.CANCELLED:
        raise PollError("This poll was cancelled.")
    if slot.poll_id != locked.pk:
        raise PollError("That time is not in this poll.")
    if slot.starts_at <= timezone.now():
        raise PollError("That time has passed. Pick another one.")
    try:
        session = session_schedule(
            group=locked.group,
            nomination=locked.nomination,
            starts_at=slot.starts_at,
            duration=locked.duration,
            place=locked.place,
            video_url=locked.video_url,
            presenter=locked.presenter,
            created_by=picked_by,
        )
    except NominationAlreadyScheduled as exc:
        raise PollError("That paper was scheduled meanwhile, without this poll.") from exc
    except SessionError as exc:
        raise PollError(str(exc)) from exc
    locked.status = TimePoll.Status.SCHEDULED
    locked.session = session
    locked.picked_slot = slot
    locked.closed_at = locked.closed_at or timezone.now()
    locked.save(update_fields=["status", "session", "picked_slot", "closed_at"])
    return session


@transaction.atomic
def poll_cancel(*, poll: TimePoll, cancelled_by: User) -> TimePoll:
    """Cancels an active poll; the paper stays on the ballot."""
    locked = TimePoll.objects.select_for_update().get(pk=poll.pk)
    if not locked.is_active:
        raise PollError(f"This poll is already {locked.get_status_display().lower()}.")
    locked.status = TimePoll.Status.CANCELLED
    locked.closed_at = locked.closed_at or timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    return locked


@transaction.atomic
def session_move_to_slot(
    *, session: DiscussionSession, slot: PollSlot, moved_by: User
) -> DiscussionSession:
    """Moves a session picked from a time poll to another of the poll's times (the quorum
    banner's "move to the next-best time"), with the usual change notice and re-armed
    reminders. A session already at that time is left as it is (a double click moves once)."""
    poll = TimePoll.objects.select_for_update().filter(session=session).first()
    if poll is None or slot.poll_id != poll.pk:
        raise PollError("That time is not one this session's poll proposed.")
    if slot.starts_at <= timezone.now():
        raise PollError("That time has passed.")
    if session.starts_at == slot.starts_at:
        return session
    try:
        moved = session_update(
            session=session,
            starts_at=slot.starts_at,
            duration=session.duration,
            place=session.place,
            video_url=session.video_url,
            presenter=session.presenter,
            agenda=session.agenda,
            updated_by=moved_by,
        )
    except SessionError as exc:
        raise PollError(str(exc)) from exc
    poll.picked_slot = slot
    poll.save(update_fields=["picked_slot"])
    return moved
