"""Group notifications: a new nomination, a reply to your note, an @mention, and (from
`groups.notifications.sessions`) session notices for members who chose a daily summary.

Flow: a service enqueues one task per event after commit (`send_group_notices.delay_on_commit`,
in `groups.notifications.tasks`); the task calls
`notices_for_nomination` / `notices_for_note`, which pick the members who want it and record one
`Notification` row each (unique per person and event, so a rerun records nothing new). Immediate
rows are then sent one task each (`notification_deliver`); daily rows wait for the person's
summary (`notification_summary_send`), which claims them all in one update and sends one email.
Claiming is a conditional UPDATE (pending -> sending): only one worker can win it.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import TypedDict

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import capfirst

from groups.models import (
    GroupEmailSettings,
    Membership,
    Nomination,
    Note,
    Notification,
    ReadingGroup,
    User,
)
from groups.models.people import FORMER_MEMBER
from groups.notes.links import thread_url
from groups.notifications.email import send_email

logger = logging.getLogger(__name__)

SWITCH_OF_KIND: dict[str, str] = {
    Notification.Kind.NOMINATION: "nominations",
    Notification.Kind.REPLY: "replies",
    Notification.Kind.MENTION: "mentions",
    Notification.Kind.SESSION: "sessions",
    Notification.Kind.POLL: "sessions",
    Notification.Kind.QUORUM: "sessions",
    Notification.Kind.READINESS: "sessions",
    Notification.Kind.VERSION: "sessions",
}


def recipients_for(*, group_id: int, switch: str) -> QuerySet[User]:
    """Active members with an address who left `switch` on (see `is_daily` for how they want it)."""
    chosen = GroupEmailSettings.objects.filter(user=OuterRef("pk"), group_id=group_id)
    return (
        User.objects.filter(memberships__group_id=group_id, is_active=True)
        .exclude(email="")
        .annotate(
            wants=Coalesce(Subquery(chosen.values(switch)[:1]), Value(True)),
            delivery=Coalesce(
                Subquery(chosen.values("delivery")[:1]),
                Value(GroupEmailSettings.Delivery.IMMEDIATE),
            ),
        )
        .filter(wants=True)
    )


def organizers_for(*, group_id: int) -> QuerySet[User]:
    """The group's owners and organizers among `recipients_for(..., switch="sessions")`."""
    return recipients_for(group_id=group_id, switch="sessions").filter(
        memberships__group_id=group_id,
        memberships__role__in=[Membership.Role.OWNER, Membership.Role.ORGANIZER],
    )


def is_daily(user: User) -> bool:
    """Whether a user from `recipients_for` wants this group's news in a daily summary."""
    return getattr(user, "delivery", "") == GroupEmailSettings.Delivery.DAILY


def notice_record(
    *,
    user: User,
    group: ReadingGroup,
    kind: str,
    key: str,
    subject: str,
    body: str,
    url: str,
    daily: bool,
) -> Notification | None:
    """Records one event for one person; None when it was already recorded (a rerun)."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user=user,
                group=group,
                kind=kind,
                key=key,
                subject=subject[:300],
                body=body,
                url=url,
                daily=daily,
            )
    except IntegrityError:
        return None


class NoticeFields(TypedDict):
    """What `notice_record` needs besides the person and how they want it."""

    group: ReadingGroup
    kind: str
    key: str
    subject: str
    body: str
    url: str


def _record_all(recipients: QuerySet[User], make: Callable[[User], NoticeFields]) -> list[int]:
    """Records the event for each recipient; returns the ids of new immediate notifications."""
    immediate = []
    for user in recipients.order_by("pk"):
        notification = notice_record(user=user, daily=is_daily(user), **make(user))
        if notification is not None and not notification.daily:
            immediate.append(notification.pk)
    return immediate


def _excerpt(text: str, length: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def notices_for_nomination(*, nomination_id: int) -> list[int]:
    """Tells the group's members (not the nominator) about a new nomination.

    Returns the ids of the immediate notifications to send now.
    """
    nomination = (
        Nomination.objects.select_related("group", "paper", "nominated_by")
        .filter(pk=nomination_id)
        .first()
    )
    if nomination is None:
        return []
    recipients = recipients_for(group_id=nomination.group_id, switch="nominations")
    if nomination.nominated_by_id:
        recipients = recipients.exclude(pk=nomination.nominated_by_id)
    who = nomination.nominated_by.name if nomination.nominated_by else "A member"
    return _record_all(
        recipients,
        lambda user: {
            "group": nomination.group,
            "kind": Notification.Kind.NOMINATION,
            "key": f"nomination:{nomination.pk}",
            "subject": f"{who} nominated “{nomination.paper.title}”",
            "body": _excerpt(nomination.pitch),
            "url": thread_url(nomination.group, nomination),
        },
    )


def notices_for_note(*, note_id: int) -> list[int]:
    """Tells the author of the note replied to, and the members it @mentions.

    Someone both replied to and mentioned hears about it once, as a reply. Returns the ids of
    the immediate notifications to send now.
    """
    note = (
        Note.objects.select_related(
            "group", "author", "parent", "nomination__paper", "session__paper"
        )
        .filter(pk=note_id, deleted_at__isnull=True, hidden_at__isnull=True)
        .first()
    )
    if note is None:
        return []
    subject_obj = note.nomination or note.session
    assert subject_obj is not None
    url = f"{thread_url(note.group, subject_obj)}#note-{note.pk}"
    who = note.author.name if note.author else capfirst(FORMER_MEMBER)
    title = subject_obj.paper.title
    ids: list[int] = []
    replied_to = note.parent.author_id if note.parent else None
    if replied_to and replied_to != note.author_id:
        ids += _record_all(
            recipients_for(group_id=note.group_id, switch="replies").filter(pk=replied_to),
            lambda user: {
                "group": note.group,
                "kind": Notification.Kind.REPLY,
                "key": f"reply:{note.pk}",
                "subject": f"{who} replied to your note on “{title}”",
                "body": _excerpt(note.body),
                "url": url,
            },
        )
    mentioned = (
        recipients_for(group_id=note.group_id, switch="mentions")
        .filter(mentions__note=note)
        .exclude(pk__in=[pk for pk in (note.author_id, replied_to) if pk])
    )
    ids += _record_all(
        mentioned,
        lambda user: {
            "group": note.group,
            "kind": Notification.Kind.MENTION,
            "key": f"mention:{note.pk}",
            "subject": f"{who} mentioned you on “{title}”",
            "body": _excerpt(note.body),
            "url": url,
        },
    )
    return ids


def _still_member(user: User, group_id: int) -> bool:
    return (
        user.is_active
        and bool(user.email)
        and Membership.objects.filter(user=user, group_id=group_id).exists()
    )


def _fail_or_release(rows: QuerySet[Notification], exc: Exception, final: bool) -> None:
    status = Notification.Status.FAILED if final else Notification.Status.PENDING
    rows.update(status=status, error=repr(exc)[:2000], batch="")


def notification_deliver(*, notification_id: int, final_attempt: bool = True) -> bool:
    """Claims and sends one immediate notification; False if another run has it or it is done.

    A member who left the group (or was deactivated) in between gets nothing: the row is marked
    skipped. On a failed send the row goes back to pending for the task's retry, or to failed
    on the last attempt, and the error propagates.
    """
    claimed = Notification.objects.filter(
        pk=notification_id, daily=False, status=Notification.Status.PENDING
    ).update(
        status=Notification.Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("user", "group").get(pk=notification_id)
    rows = Notification.objects.filter(pk=notification_id)
    if not _still_member(notification.user, notification.group_id):
        rows.update(status=Notification.Status.SKIPPED)
        return False
    try:
        send_email(
            user=notification.user,
            template="notification",
            context={"notification": notification, "group": notification.group},
            unsubscribe=f"group:{notification.group_id}:{SWITCH_OF_KIND[notification.kind]}",
            reason=f"you are a member of {notification.group.name}",
        )
    except Exception as exc:
        _fail_or_release(rows, exc, final_attempt)
        raise
    rows.update(status=Notification.Status.SENT, sent_at=timezone.now(), error="")
    return True


def notifications_never_tried(*, recorded_before: dt.datetime) -> list[int]:
    """Ids of immediate notifications recorded before then that no task has tried yet: their
    task was lost on its way to the broker. A row a task tried and released for a retry (pending,
    with attempts) is left to that retry and its backoff."""
    return list(
        Notification.objects.filter(
            daily=False,
            status=Notification.Status.PENDING,
            attempts=0,
            created_at__lt=recorded_before,
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


def notifications_stuck(*, claimed_before: dt.datetime) -> tuple[list[int], list[int]]:
    """Gives back to pending the notifications claimed before then and still "sending": their
    worker died mid-send (a live one cannot run that long: EMAIL_CLAIM_TIMEOUT is longer than
    the task time limit). Returns the ids of the immediate ones and the people whose daily
    summary was cut off, for the caller to queue again. Each row is released by one caller
    only (a conditional update on the claim it saw)."""
    released: tuple[list[int], list[int]] = ([], [])
    stuck = Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=claimed_before
    ).values_list("pk", "daily", "user_id", "claimed_at")
    for pk, daily, user_id, claimed_at in stuck.order_by("pk"):
        if Notification.objects.filter(
            pk=pk, status=Notification.Status.SENDING, claimed_at=claimed_at
        ).update(status=Notification.Status.PENDING, batch=""):
            if not daily:
                released[0].append(pk)
            elif user_id not in released[1]:
                released[1].append(user_id)
    return released


def summary_users() -> list[int]:
    """Ids of people with notifications waiting for their daily summary."""
    return list(
        Notification.objects.filter(daily=True, status=Notification.Status.PENDING)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )


def notification_summary_send(*, user_id: int, final_attempt: bool = True) -> int:
    """Sends one person one email with everything waiting for their daily summary.

    Returns how many notifications it carried (0 when another run claimed them first).
    Items from groups the person has left since are dropped (marked skipped).
    """
    batch = uuid.uuid4().hex
    Notification.objects.filter(
        user_id=user_id, daily=True, status=Notification.Status.PENDING
    ).update(
        status=Notification.Status.SENDING,
        batch=batch,
        attempts=F("attempts") + 1,
        claimed_at=timezone.now(),
    )
    rows = Notification.objects.filter(batch=batch)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return 0
    member_of = set(Membership.objects.filter(user=user).values_list("group_id", flat=True))
    rows.exclude(group_id__in=member_of).update(status=Notification.Status.SKIPPED, batch="")
    items = list(rows.select_related("group").order_by("group__name", "created_at", "id"))
    if not items:
        return 0
    if not user.is_active or not user.email:
        rows.update(status=Notification.Status.SKIPPED, batch="")
        return 0
    groups: dict[int, tuple[ReadingGroup, list[Notification]]] = {}
    for item in items:
        groups.setdefault(item.group_id, (item.group, []))[1].append(item)
    try:
        send_email(
            user=user,
            template="summary",
            context={"groups": list(groups.values()), "count": len(items)},
            unsubscribe="summary",
            reason="you chose a daily summary for your groups",
        )
    except Exception as exc:
        _fail_or_release(rows, exc, final_attempt)
        raise
    rows.update(status=Notification.Status.SENT, sent_at=timezone.now(), error="")
    return len(items)
