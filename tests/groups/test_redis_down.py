"""Redis is down (issue 17): the cache and the broker point at a local port where nothing listens.

Pages are still served (sessions live in the database). Abuse limits cannot count: actions that
send email to an address someone typed are refused with a clear 503, nothing written; notes and
flags go ahead. Work queued for Celery meanwhile is recorded (UnsentTask) and queued by beat's
requeue once Redis is back, and it then happens once.
"""

from collections.abc import Iterator

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from config.celery import app as celery_app
from groups.models import (
    EmailPreferences,
    Invitation,
    Nomination,
    Note,
    Notification,
    UnsentTask,
)
from groups.notifications.tasks import requeue_pending_notifications
from tests.factories import NoteFactory, PaperFactory
from tests.faults import closed_port
from tests.people import Cast, client_for, make_cast

pytestmark = pytest.mark.django_db


def use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    # The app keeps its connection and producer pools for the URL it first used: drop them so
    # the next publish connects to `url` (what a fresh worker process would do).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings, rate_limits) -> Iterator[str]:
    down = f"redis://127.0.0.1:{closed_port()}/0"
    redis_url, caches = settings.REDIS_URL, settings.CACHES
    settings.REDIS_URL = down
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": down,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    broker, eager = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # tasks go to the (absent) broker
    use_broker(down)
    yield down
    use_broker(broker)
    celery_app.conf.task_always_eager = eager
    settings.REDIS_URL, settings.CACHES = redis_url, caches  # Redis is back (for the teardown)


def a_thread(cast: Cast) -> tuple[Nomination, str]:
    nomination = Nomination.objects.create(
        group=cast.group, paper=PaperFactory(), nominated_by=cast.member
    )
    return nomination, reverse("note_thread", args=[cast.group.slug, "nominations", nomination.pk])


def test_pages_are_still_served(redis_down) -> None:
    cast = make_cast()
    _, thread = a_thread(cast)
    member = client_for(cast.member)
    for url in ["/", thread, reverse("group_home", args=[cast.group.slug]), "/papers/", "/groups/"]:
        assert member.get(url).status_code in (200, 404), url
    assert member.get(thread).status_code == 200
    health = client_for(None).get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"status": "down", "database": "ok", "cache": "down", "broker": "down"}


def test_email_actions_are_refused_and_write_nothing(redis_down) -> None:
    cast = make_cast()
    organizer = client_for(cast.organizer)
    refused = organizer.post(
        reverse("group_invite_email", args=[cast.group.slug]), {"email": "friend@example.org"}
    )
    assert refused.status_code == 503
    assert "cannot take invitations by email for a moment" in refused.content.decode()
    assert Invitation.objects.count() == 0 and mail.outbox == []

    subscribe = client_for(cast.member).post(reverse("email_digest_subscribe"))
    assert subscribe.status_code == 503
    assert not EmailPreferences.objects.filter(user=cast.member, digest_enabled=True).exists()


def test_notes_go_ahead_and_their_emails_are_sent_once_redis_is_back(
    redis_down, django_capture_on_commit_callbacks
) -> None:
    cast = make_cast(other_member=True)
    nomination, _ = a_thread(cast)
    first = NoteFactory(nomination=nomination, author=cast.other_member)
    reply_url = reverse("note_reply", args=[cast.group.slug, first.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.member).post(reply_url, {"body": "A reply while Redis is down"})

    assert response.status_code == 302  # the person's note is saved; the email waits
    reply = Note.objects.get(parent=first)
    unsent = UnsentTask.objects.get()
    assert (unsent.name, unsent.args) == ("groups.send_group_notices", ["note", reply.pk])
    assert Notification.objects.count() == 0 and mail.outbox == []

    # Redis is back (the suite's tasks run in-process): beat's requeue sends it, once.
    celery_app.conf.task_always_eager = True
    assert requeue_pending_notifications() >= 1
    assert UnsentTask.objects.count() == 0
    assert [m.to for m in mail.outbox] == [[cast.other_member.email]]
    assert requeue_pending_notifications() == 0
    assert len(mail.outbox) == 1


def test_signing_in_is_refused_clearly_until_redis_is_back(redis_down, settings) -> None:
    """allauth counts sign-in attempts in the cache: uncounted, they are refused (a 503 that
    says to try again), never a 500 and never let through without a limit."""
    cast = make_cast()
    cast.member.set_password("a long enough password")
    cast.member.save()
    sign_in = {"login": cast.member.email, "password": "a long enough password"}
    assert client_for(None).get(reverse("account_login")).status_code == 200

    visitor = Client(raise_request_exception=False)  # the response a person gets, not the error
    refused = visitor.post(reverse("account_login"), sign_in)
    assert refused.status_code == 503
    assert "a service it needs is not answering" in refused.content.decode()

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert visitor.post(reverse("account_login"), sign_in).status_code == 302
