"""Email about sessions: who gets what, claimed once in the database, rendered and sent.

One small place on purpose: a later issue adds per-user preferences and digests here.
- `send_email` renders `templates/groups/email/<name>_subject.txt`, `<name>.txt` and `<name>.html`
  in the recipient's time zone and sends a plain-text message with an HTML alternative.
- `deliver_session_email` is claim-then-send: it inserts a `SessionEmail` row (unique per person
  and change, or per person and start time for reminders) in its own transaction and sends only
  if that insert won, so a task that runs twice, or on two workers at once, emails each person once.
- `session_notice_send` and `session_reminders_send` pick the recipients; Celery tasks call them.
"""

import logging
import zoneinfo
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from groups.calendar import session_ics
from groups.models import DiscussionSession, Membership, Rsvp, SessionEmail, User

logger = logging.getLogger(__name__)

ATTENDING = [Rsvp.Answer.GOING, Rsvp.Answer.MAYBE]


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def send_email(
    *,
    user: User,
    template: str,
    context: dict[str, Any],
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> None:
    """Sends one multipart (text + HTML) email to the user, times shown in their own zone."""
    context = {"recipient": user, "site_name": settings.SITE_NAME, **context}
    with timezone.override(_zone(user.time_zone)):
        subject = render_to_string(f"groups/email/{template}_subject.txt", context)
        text = render_to_string(f"groups/email/{template}.txt", context)
        html = render_to_string(f"groups/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] " + " ".join(subject.split()),
        body=text,
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()


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
        "group_zone": _zone(session.group.time_zone),
    }
    attachments = []
    if kind != SessionEmail.Kind.REMINDER:
        attachments.append(("session.ics", session_ics(session), "text/calendar"))
    try:
        send_email(user=user, template=f"session_{kind}", context=context, attachments=attachments)
    except Exception:
        claim.delete()
        raise
    claim.sent_at = timezone.now()
    claim.save(update_fields=["sent_at"])
    return True


def _members(session: DiscussionSession) -> QuerySet[User]:
    return User.objects.filter(memberships__group_id=session.group_id).exclude(email="")


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
    recipients = _members(session)
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
    return sum(
        deliver_session_email(session=session, user=user, kind=kind)
        for user in recipients.order_by("pk")
    )


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
