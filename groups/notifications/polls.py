"""Email about time polls, through the group notifications (`groups.notifications.notices`):
the invitation to answer, the one reminder to invitees who have not answered, and the notice to
organizers that a poll closed. Each is one `Notification` row per person and poll (unique key),
so each goes out at most once however often, or on how many workers, a task runs; sending,
retries and daily summaries are the notifications' own.

It respects the members' "sessions" switch (a poll is about when a session will be).
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from groups.models import Notification, PollAnswer, PollInvitee, TimePoll, User
from groups.notifications.notices import (
    is_daily,
    notice_record,
    organizers_for,
    recipients_for,
)
from groups.timezones import zone_or_utc


def _poll_url(poll: TimePoll) -> str:
    return reverse("poll_detail", kwargs={"slug": poll.group.slug, "pk": poll.pk})


def _times_for(poll: TimePoll, user: User) -> str:
    """The slots and the deadline as the person reads them: in their own zone."""
    with timezone.override(zone_or_utc(user.time_zone)):
        slots = "\n".join(
            f"- {timezone.localtime(slot.starts_at):%a %d %b %Y, %H:%M %Z}"
            for slot in poll.slots.all()
        )
        deadline = f"{timezone.localtime(poll.deadline):%a %d %b, %H:%M %Z}"
    return f"{slots}\n\nAnswer by {deadline}."


def _record(
    poll: TimePoll, recipients: QuerySet[User], key: str, subject: str, with_times: bool
) -> list[int]:
    """Records the notice for each recipient; returns the ids of the immediate ones, to send."""
    immediate = []
    for user in recipients.order_by("pk"):
        notification = notice_record(
            user=user,
            group=poll.group,
            kind=Notification.Kind.POLL,
            key=f"{key}:{poll.pk}",
            subject=subject,
            body=_times_for(poll, user) if with_times else "",
            url=_poll_url(poll),
            daily=is_daily(user),
        )
        if notification is not None and not notification.daily:
            immediate.append(notification.pk)
    return immediate


def _load(poll_ids: Iterable[int]) -> list[TimePoll]:
    return list(
        TimePoll.objects.filter(pk__in=list(poll_ids))
        .select_related("group", "nomination__paper")
        .prefetch_related("slots")
    )


def poll_invites_record(*, poll_id: int) -> list[int]:
    """Records the invitation of each invitee of an open poll; returns the immediate ids."""
    polls = _load([poll_id])
    if not polls or polls[0].status != TimePoll.Status.OPEN:
        return []
    poll = polls[0]
    invited = PollInvitee.objects.filter(poll=poll, user=OuterRef("pk"))
    recipients = recipients_for(group_id=poll.group_id, switch="sessions").filter(Exists(invited))
    subject = f"When can you come? {poll.nomination.paper.title}"
    return _record(poll, recipients, "poll_invite", subject, with_times=True)


def poll_reminders_record(*, now: datetime | None = None) -> list[int]:
    """For open polls whose deadline is near (within POLL_REMINDER_LEAD, and past the half-way
    point between their opening and their deadline, so a short poll is not reminded at once),
    records one reminder for each invitee who has answered no slot; returns the immediate ids."""
    now = now or timezone.now()
    due = [
        poll
        for poll in _load(
            TimePoll.objects.filter(
                status=TimePoll.Status.OPEN,
                deadline__gt=now,
                deadline__lte=now + settings.POLL_REMINDER_LEAD,
            ).values_list("pk", flat=True)
        )
        if now >= poll.created_at + (poll.deadline - poll.created_at) / 2
    ]
    immediate = []
    for poll in due:
        waiting = PollInvitee.objects.filter(poll=poll, user=OuterRef("pk")).exclude(
            Exists(PollAnswer.objects.filter(invitee=OuterRef("pk")))
        )
        reminded = Notification.objects.filter(user=OuterRef("pk"), key=f"poll_reminder:{poll.pk}")
        recipients = (
            recipients_for(group_id=poll.group_id, switch="sessions")
            .filter(Exists(waiting))
            .exclude(Exists(reminded))
        )
        subject = f"Reminder: when can you come? {poll.nomination.paper.title}"
        immediate += _record(poll, recipients, "poll_reminder", subject, with_times=True)
    return immediate


def polls_close(*, now: datetime | None = None) -> list[int]:
    """Closes the open polls whose deadline has passed, and tells the group's organizers to pick
    a time; returns the immediate notices' ids. Closing is a conditional update: only one run
    closes a poll, and only it records the notices."""
    now = now or timezone.now()
    closed = []
    for pk in TimePoll.objects.due_to_close(now).values_list("pk", flat=True):
        if TimePoll.objects.filter(pk=pk, status=TimePoll.Status.OPEN).update(
            status=TimePoll.Status.CLOSED, closed_at=now
        ):
            closed.append(pk)
    immediate = []
    for poll in _load(closed):
        organizers = organizers_for(group_id=poll.group_id)
        subject = f"The time poll closed: pick a time for {poll.nomination.paper.title}"
        immediate += _record(poll, organizers, "poll_closed", subject, with_times=False)
    return immediate
