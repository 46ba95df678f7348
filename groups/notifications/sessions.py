"""Email about sessions: who gets what, claimed once in the database, rendered and sent.

- `groups.notifications.email.send_email` renders and sends (text + HTML, unsubscribe link and headers).
- `deliver_session_email` is claim-then-send: it inserts a `SessionEmail` row (unique per person
  and change, or per person and start time for reminders) in its own transaction and sends only
  if that insert won, so a task that runs twice, or on two workers at once, emails each person once.
- `session_notice_send` and `session_reminders_send` pick the recipients; Celery tasks call them.
  Both respect each member's `GroupEmailSettings` (the "sessions" switch); a member who chose a
  daily summary gets the notice in it (`groups.notifications.notices`) instead of on its own.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from groups.discussions.calendar import session_ics
from groups.models import (
    DiscussionSession,
    GroupEmailSettings,
    Membership,
    Notification,
    QuorumWarning,
    Readiness,
    ReadinessWarning,
    Rsvp,
    SessionEmail,
    User,
)
from groups.notifications.email import send_email
from groups.notifications.notices import (
    is_daily,
    notice_record,
    organizers_for,
    recipients_for,
)
from groups.timezones import zone_or_utc

logger = logging.getLogger(__name__)

ATTENDING = [Rsvp.Answer.GOING, Rsvp.Answer.MAYBE]


def _claim(session: DiscussionSession, user: User, kind: str) -> SessionEmail | None:
    try:
        # Its own transaction, committed before sending: the claim is what a concurrent run sees.
        with transaction.atomic():
            return SessionEmail.objects.create(
                session=session,
                user=user,
                kind=kind,
                sequence=session.sequence,
                starts_at=session.starts_at,
            )
    except IntegrityError:
        return None


def deliver_session_email(*, session: DiscussionSession, user: User, kind: str) -> bool:
    """Claims then sends one session email; False when someone already claimed it.

    If sending fails the claim is removed (so a retry or the next beat run tries again) and
    the error propagates.
    """
    claim = _claim(session, user, kind)
    if claim is None:
        return False
    site = settings.SITE_URL
    context = {
        "session": session,
        "group": session.group,
        "paper": session.paper,
        "kind": kind,
        "session_url": site
        + reverse("session_detail", kwargs={"slug": session.group.slug, "pk": session.pk}),
        "ics_url": site
        + reverse("session_ics", kwargs={"slug": session.group.slug, "pk": session.pk}),
        "group_zone": zone_or_utc(session.group.time_zone),
    }
    if kind == SessionEmail.Kind.REMINDER and _is_organizer(session, user):
        # The organizers' reminder says how prepared the room will be.
        counts = Readiness.objects.counts(session)
        context["readiness"] = counts | {
            "attending": Rsvp.objects.filter(session=session, answer__in=ATTENDING).count()
        }
    attachments = []
    if kind != SessionEmail.Kind.REMINDER:
        attachments.append(("session.ics", session_ics(session), "text/calendar"))
    try:
        send_email(
            user=user,
            template=f"session_{kind}",
            context=context,
            attachments=attachments,
            unsubscribe=f"group:{session.group_id}:sessions",
            reason=f"you are a member of {session.group.name}",
        )
    except Exception:
        claim.delete()
        raise
    claim.sent_at = timezone.now()
    claim.save(update_fields=["sent_at"])
    return True


def _is_organizer(session: DiscussionSession, user: User) -> bool:
    return Membership.objects.filter(
        group_id=session.group_id,
        user=user,
        role__in=[Membership.Role.OWNER, Membership.Role.ORGANIZER],
    ).exists()


def session_notice_send(*, session_id: int, kind: str, sequence: int, actor_id: int | None) -> int:
    """Emails members that a session was scheduled, changed or cancelled; returns emails sent.

    The person who made the change is left out. A notice overtaken by a later change (the
    session's sequence moved on) is skipped: the later notice tells the current state.
    Cancellations skip members who had answered "not going".
    """
    session = (
        DiscussionSession.objects.select_related("group", "paper", "presenter")
        .filter(pk=session_id)
        .first()
    )
    if session is None or session.sequence != sequence:
        return 0
    recipients = recipients_for(group_id=session.group_id, switch="sessions")
    if actor_id is not None:
        recipients = recipients.exclude(pk=actor_id)
    if kind == SessionEmail.Kind.CANCELLED:
        recipients = recipients.exclude(
            Exists(
                Rsvp.objects.filter(
                    session=session, user=OuterRef("pk"), answer=Rsvp.Answer.NOT_GOING
                )
            )
        )
    sent = 0
    for user in recipients.order_by("pk"):
        if is_daily(user):
            _session_notice_collect(session=session, user=user, kind=kind)
        else:
            sent += deliver_session_email(session=session, user=user, kind=kind)
    return sent


def _session_notice_collect(*, session: DiscussionSession, user: User, kind: str) -> None:
    """Keeps a session notice for the member's daily summary instead of sending it now."""
    labels = {"scheduled": "scheduled", "changed": "changed", "cancelled": "cancelled"}
    with timezone.override(zone_or_utc(user.time_zone)):
        when = timezone.localtime(session.starts_at).strftime("%a %d %b %Y, %H:%M %Z")
    notice_record(
        user=user,
        group=session.group,
        kind=Notification.Kind.SESSION,
        key=f"session_{kind}:{session.pk}:{session.sequence}",
        subject=f"Session {labels.get(kind, kind)}: {session.paper.title}",
        body=f"{when}" + (f" · {session.place}" if session.place else ""),
        url=reverse("session_detail", kwargs={"slug": session.group.slug, "pk": session.pk}),
        daily=True,
    )


def session_claims_stale(*, claimed_before: datetime) -> list[tuple[int, int, str, int]]:
    """Removes the session emails claimed before then and never sent: their worker died
    mid-send (a failed send removes its own claim). A reminder is then due again for the next
    beat run; the notices are returned as (session, user, kind, sequence), for the caller to
    queue `session_email_resend` for each. A claim is removed by one caller only."""
    notices = []
    stale = SessionEmail.objects.filter(sent_at__isnull=True, claimed_at__lt=claimed_before)
    for claim in stale.order_by("pk"):
        deleted, _ = SessionEmail.objects.filter(pk=claim.pk, sent_at__isnull=True).delete()
        if deleted and claim.kind != SessionEmail.Kind.REMINDER:
            notices.append((claim.session_id, claim.user_id, claim.kind, claim.sequence))
    return notices


def session_email_resend(*, session_id: int, user_id: int, kind: str, sequence: int) -> bool:
    """Sends one session notice again whose first send was cut off; False when it is no longer
    worth it (the session changed since: the later notice tells its state) or someone else
    claimed it meanwhile."""
    session = (
        DiscussionSession.objects.select_related("group", "paper", "presenter")
        .filter(pk=session_id, sequence=sequence)
        .first()
    )
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if session is None or user is None:
        return False
    return deliver_session_email(session=session, user=user, kind=kind)


def reminders_due(now: datetime | None = None) -> QuerySet[Rsvp]:
    """Answers (going/maybe) of current members to sessions starting within the lead time,
    whose reminder for the session's current start has not been claimed yet."""
    now = now or timezone.now()
    return (
        Rsvp.objects.filter(
            answer__in=ATTENDING,
            session__status=DiscussionSession.Status.SCHEDULED,
            session__starts_at__gt=now,
            session__starts_at__lte=now + settings.SESSION_REMINDER_LEAD,
        )
        .filter(
            Exists(
                Membership.objects.filter(group=OuterRef("session__group"), user=OuterRef("user"))
            ),
            user__is_active=True,
        )
        .exclude(
            Exists(
                GroupEmailSettings.objects.filter(
                    group=OuterRef("session__group"), user=OuterRef("user"), sessions=False
                )
            )
        )
        .exclude(
            Exists(
                SessionEmail.objects.filter(
                    kind=SessionEmail.Kind.REMINDER,
                    session=OuterRef("session"),
                    user=OuterRef("user"),
                    starts_at=OuterRef("session__starts_at"),
                )
            )
        )
        .exclude(user__email="")
        .select_related("session__group", "session__paper", "session__presenter", "user")
        .order_by("session__starts_at", "session_id", "user_id")
    )


def session_reminders_send(*, now: datetime | None = None) -> int:
    """Sends every reminder that is due; returns how many this run sent.

    Safe to run often, twice, or on several workers at once: each reminder is claimed in the
    database before it is sent, and a lost claim is skipped.
    """
    sent = 0
    for rsvp in reminders_due(now):
        try:
            sent += deliver_session_email(
                session=rsvp.session, user=rsvp.user, kind=SessionEmail.Kind.REMINDER
            )
        except Exception:
            # One bad address must not hold back everyone else's reminder; next run retries it.
            logger.exception(
                "Reminder for session %s to user %s failed", rsvp.session_id, rsvp.user_id
            )
    return sent


def sessions_under_quorum(now: datetime | None = None) -> QuerySet[DiscussionSession]:
    """Scheduled sessions starting within QUORUM_LEAD whose going + maybe count is under their
    group's quorum, not yet warned about for their current start; with `attending`."""
    now = now or timezone.now()
    warned = QuorumWarning.objects.filter(session=OuterRef("pk"), starts_at=OuterRef("starts_at"))
    return (
        DiscussionSession.objects.filter(
            status=DiscussionSession.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + settings.QUORUM_LEAD,
            group__quorum__isnull=False,
        )
        .exclude(Exists(warned))
        .annotate(attending=Count("rsvps", filter=Q(rsvps__answer__in=ATTENDING)))
        .filter(attending__lt=F("group__quorum"))
        .select_related("group", "paper")
        .order_by("starts_at", "pk")
    )


def _organizers_warn(
    session: DiscussionSession, *, kind: str, key: str, subject: str, body: str
) -> list[int]:
    """Records a warning about a session for each of its organizers (`{when}` in the body is the
    start in the organizer's zone); returns the ids of the immediate ones, to send."""
    url = reverse("session_detail", kwargs={"slug": session.group.slug, "pk": session.pk})
    immediate = []
    for user in organizers_for(group_id=session.group_id).order_by("pk"):
        with timezone.override(zone_or_utc(user.time_zone)):
            when = timezone.localtime(session.starts_at).strftime("%a %d %b %Y, %H:%M %Z")
        notification = notice_record(
            user=user,
            group=session.group,
            kind=kind,
            key=key,
            subject=subject,
            body=body.replace("{when}", when),
            url=url,
            daily=is_daily(user),
        )
        if notification is not None and not notification.daily:
            immediate.append(notification.pk)
    return immediate


def quorum_warnings_send(*, now: datetime | None = None) -> list[int]:
    """Warns the organizers of each session under quorum, once per session and start: the
    warning is claimed (a `QuorumWarning` row, unique per session and start) in its own
    transaction before anyone is told, and only the run that inserted it records the notices.
    Returns the ids of the immediate notifications, for the caller to send."""
    immediate = []
    for session in sessions_under_quorum(now):
        quorum = session.group.quorum or 0
        attending: int = session.attending  # type: ignore[attr-defined]  # the annotation above
        try:
            with transaction.atomic():
                warning = QuorumWarning.objects.create(
                    session=session,
                    starts_at=session.starts_at,
                    attending=attending,
                    quorum=quorum,
                )
        except IntegrityError:
            continue  # another run warned first
        immediate += _organizers_warn(
            session,
            kind=Notification.Kind.QUORUM,
            key=f"quorum:{warning.pk}",
            subject=f"Under quorum: {session.paper.title}",
            body=f"{{when}}: {warning.attending} going or maybe, the group's quorum is "
            f"{quorum}. Move it, or cancel it, from its page.",
        )
    return immediate


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT of the rows of `queryset` (already filtered on the outer session)."""
    counted = queryset.order_by().values("session").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def sessions_unready(now: datetime | None = None) -> QuerySet[DiscussionSession]:
    """Scheduled sessions starting within READINESS_LEAD where fewer than half of those going
    have read or skimmed the paper, not yet warned about for their current start; with `going`
    and `ready` (of those going, how many read or skimmed). A session nobody is going to is the
    quorum check's business, not this one's."""
    now = now or timezone.now()
    warned = ReadinessWarning.objects.filter(
        session=OuterRef("pk"), starts_at=OuterRef("starts_at")
    )
    going = Rsvp.objects.filter(session=OuterRef("pk"), answer=Rsvp.Answer.GOING)
    still_going = Rsvp.objects.filter(
        session=OuterRef("session"), user=OuterRef("user"), answer=Rsvp.Answer.GOING
    )
    ready = Readiness.objects.filter(
        session=OuterRef("pk"), state__in=[Readiness.State.READ, Readiness.State.SKIMMED]
    ).filter(Exists(still_going))
    return (
        DiscussionSession.objects.filter(
            status=DiscussionSession.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + settings.READINESS_LEAD,
        )
        .exclude(Exists(warned))
        .annotate(going=_count(going), ready=_count(ready))
        .filter(going__gt=F("ready") * 2)  # fewer than half; never when nobody is going
        .select_related("group", "paper")
        .order_by("starts_at", "pk")
    )


def readiness_warnings_send(*, now: datetime | None = None) -> list[int]:
    """Warns the organizers of each session where fewer than half of those going have read or
    skimmed the paper, once per session and start: claimed first (a `ReadinessWarning` row,
    unique per session and start) in its own transaction, as `quorum_warnings_send` does.
    Returns the ids of the immediate notifications, for the caller to send."""
    immediate = []
    for session in sessions_unready(now):
        going: int = session.going  # type: ignore[attr-defined]  # the annotations above
        ready: int = session.ready  # type: ignore[attr-defined]  # the same
        try:
            with transaction.atomic():
                warning = ReadinessWarning.objects.create(
                    session=session, starts_at=session.starts_at, going=going, ready=ready
                )
        except IntegrityError:
            continue  # another run warned first
        immediate += _organizers_warn(
            session,
            kind=Notification.Kind.READINESS,
            key=f"readiness:{warning.pk}",
            subject=f"Few have read it yet: {session.paper.title}",
            body=f"{{when}}: {ready} of the {going} going have read or skimmed the paper. "
            "A nudge to the others, or a shorter paper next time?",
        )
    return immediate
