"""The mail server refuses (issue 17): a real SMTP server on 127.0.0.1 answers 554 to every
connection. The delivery row is tried again on each retry, then ends "failed" with the server's
reason, which staff read in the admin; it is not tried again after that."""

import pytest
from celery.exceptions import Retry
from django.urls import reverse

from groups.models import DigestEmail, Notification
from groups.notifications.tasks import send_digest, send_digests, send_notification
from tests.factories import EmailPreferencesFactory
from tests.faults import refusing_smtp_server
from tests.groups.notifications.conftest import DAY, list_papers
from tests.people import Cast

pytestmark = pytest.mark.django_db

REASON = "mail.example.org is not accepting mail"


@pytest.fixture
def refusing_smtp(settings):
    with refusing_smtp_server() as port:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }
        yield


def run_every_retry(task, row_id: int) -> None:
    """What the worker does: the first try, then each retry; the last one gives up."""
    for retries in range(task.max_retries + 1):
        with pytest.raises((Retry, OSError)):
            task.apply(args=[row_id], retries=retries, throw=True)


def test_a_notification_ends_failed_with_the_reason(cast: Cast, refusing_smtp) -> None:
    notification = Notification.objects.create(
        user=cast.member, group=cast.group, kind="nomination", key="nomination:1",
        subject="A new nomination", url="/",
    )  # fmt: skip
    run_every_retry(send_notification, notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("failed", 6)
    assert "554" in notification.error and REASON in notification.error
    assert send_notification.delay(notification.pk).get() is False  # not tried again

    page = cast.client("staff").get(
        reverse("admin:groups_notification_change", args=[notification.pk])
    )
    assert page.status_code == 200
    assert REASON in page.content.decode()
    listing = cast.client("staff").get(
        reverse("admin:groups_notification_changelist") + "?status__exact=failed"
    )
    assert "A new nomination" in listing.content.decode()


def test_a_digest_ends_failed_with_the_reason(refusing_smtp, caplog) -> None:
    list_papers(DAY, [3])
    EmailPreferencesFactory()
    send_digests.delay(DAY.isoformat())  # the first try fails; it is logged, not raised
    digest = DigestEmail.objects.get()
    assert (digest.status, digest.attempts) == ("pending", 1)
    for retries in range(1, send_digest.max_retries + 1):
        with pytest.raises((Retry, OSError)):
            send_digest.apply(args=[digest.pk], retries=retries, throw=True)
    digest.refresh_from_db()
    assert (digest.status, digest.attempts) == ("failed", 6)
    assert REASON in digest.error
