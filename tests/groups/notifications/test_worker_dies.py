"""A Celery worker dies mid-send (issue 17): the row it claimed stays "sending", then beat's
requeue gives it back after EMAIL_CLAIM_TIMEOUT and it goes out once. Nothing is lost, nothing is
sent twice: a worker still sending is never overtaken, the original task redelivered (acks late)
finds the row claimed, and a second requeue run finds nothing.

The death is the mail backend raising WorkerDied (a BaseException: no `except Exception` of ours
runs, as when the process is killed) in the middle of the real send.
"""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from groups.models import DigestEmail, Notification, SessionEmail
from groups.notifications.digest import digest_deliver, digest_prepare
from groups.notifications.notices import notification_deliver
from groups.notifications.sessions import deliver_session_email
from groups.notifications.tasks import (
    requeue_pending_notifications,
    send_digest,
    send_notification,
    send_session_reminders,
)
from tests.factories import DiscussionSessionFactory, EmailPreferencesFactory
from tests.faults import WorkerDied
from tests.groups.notifications.conftest import DAY, list_papers
from tests.people import Cast

pytestmark = pytest.mark.django_db

DYING = {"default": {"BACKEND": "tests.faults.DyingMailBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def after_the_timeout(rows, field: str = "claimed_at") -> None:
    past = timezone.now() - dt.timedelta(minutes=36)
    assert rows.update(**{field: past})


def test_a_notification_cut_off_mid_send_goes_out_once(cast: Cast, settings) -> None:
    assert dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) < settings.EMAIL_CLAIM_TIMEOUT
    notification = Notification.objects.create(
        user=cast.member, group=cast.group, kind="nomination", key="nomination:1",
        subject="A new nomination", url="/",
    )  # fmt: skip
    settings.MAILERS = DYING
    with pytest.raises(WorkerDied):
        notification_deliver(notification_id=notification.pk)
    settings.MAILERS = LOCMEM
    notification.refresh_from_db()
    assert notification.status == "sending" and notification.claimed_at is not None

    # Within the timeout the worker may still be sending: it is not overtaken.
    assert requeue_pending_notifications() == 0
    assert send_notification.delay(notification.pk).get() is False  # the task redelivered
    assert mail.outbox == []

    rows = Notification.objects.filter(pk=notification.pk)
    after_the_timeout(rows)
    assert requeue_pending_notifications() == 1
    assert requeue_pending_notifications() == 0
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert [m.to for m in mail.outbox] == [[cast.member.email]]


def test_a_digest_cut_off_mid_send_goes_out_once(settings) -> None:
    list_papers(DAY, [3])
    preferences = EmailPreferencesFactory()
    (digest_id,) = digest_prepare(day=DAY)
    settings.MAILERS = DYING
    with pytest.raises(WorkerDied):
        digest_deliver(digest_id=digest_id)
    settings.MAILERS = LOCMEM
    assert DigestEmail.objects.get().status == "sending"
    assert send_digest.delay(digest_id).get() is False

    after_the_timeout(DigestEmail.objects.all())
    assert requeue_pending_notifications() == 1
    assert requeue_pending_notifications() == 0
    assert DigestEmail.objects.get().status == "sent"
    assert [m.to for m in mail.outbox] == [[preferences.user.email]]


@pytest.mark.parametrize("kind", ["scheduled", "reminder"])
def test_a_session_email_cut_off_mid_send_goes_out_once(cast: Cast, settings, kind) -> None:
    session = DiscussionSessionFactory(
        group=cast.group, starts_at=timezone.now() + dt.timedelta(hours=3)
    )
    if kind == "reminder":
        session.rsvps.create(user=cast.member, answer="going")
    settings.MAILERS = DYING
    with pytest.raises(WorkerDied):
        deliver_session_email(session=session, user=cast.member, kind=kind)
    settings.MAILERS = LOCMEM
    claim = SessionEmail.objects.get()
    assert claim.sent_at is None
    # The claim holds: a second send in the meantime sends nothing.
    assert deliver_session_email(session=session, user=cast.member, kind=kind) is False

    after_the_timeout(SessionEmail.objects.all())
    requeue_pending_notifications()
    if kind == "reminder":  # given back: beat's reminder run sends it
        assert SessionEmail.objects.count() == 0
        assert send_session_reminders.delay().get() == 1
    assert requeue_pending_notifications() == 0
    assert [m.to for m in mail.outbox] == [[cast.member.email]]
    assert SessionEmail.objects.get().sent_at is not None
