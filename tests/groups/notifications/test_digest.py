import re
from smtplib import SMTPException

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core import mail

from groups.models import DigestEmail
from groups.notifications.digest import digest_deliver, digest_prepare
from groups.notifications.tasks import send_digest, send_digests
from papers import tasks as paper_tasks
from tests.concurrency import at_once, postgres_threads
from tests.factories import EmailPreferencesFactory, UserFactory
from tests.groups.notifications.conftest import DAY, SATURDAY, html_of, list_papers, sent_to

pytestmark = pytest.mark.django_db


def titles_in(text: str, papers) -> list[str]:
    """The titles of `papers` in the order the text shows them."""
    found = [(text.index(p.title), p.title) for p in papers if p.title in text]
    return [title for _, title in sorted(found)]


def test_it_sends_subscribers_the_top_papers_by_upvotes() -> None:
    papers = list_papers(DAY, [5, 50, 20, 1])
    subscriber = EmailPreferencesFactory(digest_top=3).user
    EmailPreferencesFactory(digest_enabled=False)  # not subscribed
    UserFactory()  # never chose anything: the digest is off by default

    assert send_digests.delay(DAY.isoformat()).get() == 1

    assert sent_to() == [subscriber.email]
    (message,) = mail.outbox
    top = [papers[1], papers[2], papers[0]]
    assert titles_in(message.body, papers) == [p.title for p in top]
    assert "Friday 12 June" in message.subject
    html = html_of(message)
    assert titles_in(html, papers) == [p.title for p in top]
    assert f"/papers/p/{papers[1].arxiv_id}/" in html  # links back to the paper
    assert "/papers/2026-06-12/" in html  # and to the day's list
    assert DigestEmail.objects.get().status == DigestEmail.Status.SENT


def test_it_filters_by_keywords() -> None:
    diffusion = list_papers(DAY, [3], title="Faster diffusion sampling")[0]
    list_papers(DAY, [90], title="A bigger language model")
    EmailPreferencesFactory(digest_keywords="Diffusion, robots")

    send_digests.delay(DAY.isoformat())

    (message,) = mail.outbox
    assert diffusion.title in message.body
    assert "bigger language model" not in message.body


def test_it_sends_nothing_when_nothing_matches_the_keywords() -> None:
    list_papers(DAY, [3], title="A bigger language model", abstract="Scaling.")
    EmailPreferencesFactory(digest_keywords="astronomy")

    send_digests.delay(DAY.isoformat())

    assert mail.outbox == []
    assert DigestEmail.objects.get().status == DigestEmail.Status.SKIPPED


def test_it_sends_nothing_on_a_day_without_a_list() -> None:
    list_papers(DAY, [3])
    EmailPreferencesFactory()

    assert send_digests.delay(SATURDAY.isoformat()).get() == 0

    assert mail.outbox == []
    assert not DigestEmail.objects.exists()


def test_it_sends_each_days_digest_once_when_the_task_runs_twice() -> None:
    list_papers(DAY, [3])
    EmailPreferencesFactory()

    send_digests.delay(DAY.isoformat())
    assert send_digests.delay(DAY.isoformat()).get() == 0

    assert len(mail.outbox) == 1
    assert DigestEmail.objects.count() == 1


def test_it_skips_deactivated_and_address_less_people() -> None:
    list_papers(DAY, [3])
    EmailPreferencesFactory(user__is_active=False)
    EmailPreferencesFactory(user__email="")

    send_digests.delay(DAY.isoformat())

    assert mail.outbox == []


def test_it_skips_someone_who_unsubscribed_after_the_digest_was_queued() -> None:
    list_papers(DAY, [3])
    preferences = EmailPreferencesFactory()
    (digest_id,) = digest_prepare(day=DAY)
    preferences.digest_enabled = False
    preferences.save()

    assert digest_deliver(digest_id=digest_id) is False
    assert mail.outbox == []


def test_it_retries_a_failing_send_then_records_it_failed(failing_mail) -> None:
    list_papers(DAY, [3])
    EmailPreferencesFactory()
    assert (send_digest.max_retries, send_digest.retry_backoff) == (5, 60)

    send_digests.delay(DAY.isoformat())  # the failure is logged, not raised to the fan-out
    digest = DigestEmail.objects.get()
    assert (digest.status, digest.attempts) == (DigestEmail.Status.PENDING, 1)  # for a retry
    assert "Connection unexpectedly closed" in digest.error

    # What the worker does next: the retries, the last of which gives up.
    for retries in range(1, 6):
        with pytest.raises((Retry, SMTPException)):
            send_digest.apply(args=[digest.pk], retries=retries, throw=True)
    digest.refresh_from_db()
    assert (digest.status, digest.attempts) == (DigestEmail.Status.FAILED, 6)
    assert send_digests.delay(DAY.isoformat()).get() == 0  # a failed digest is not retried again
    assert mail.outbox == []


def test_it_sends_the_digest_after_a_successful_import(
    hf_day, settings, django_capture_on_commit_callbacks
) -> None:
    settings.DIGEST_MAX_AGE_DAYS = 100_000  # the recorded list is from the past
    subscriber = EmailPreferencesFactory(digest_top=5).user

    with django_capture_on_commit_callbacks(execute=True):
        paper_tasks.import_daily.delay(DAY.isoformat())

    assert sent_to() == [subscriber.email]
    assert len(re.findall(r"^\d+\. ", mail.outbox[0].body, re.MULTILINE)) == 5


def test_it_sends_no_digest_for_an_old_day_caught_up_on(
    hf_day, django_capture_on_commit_callbacks
) -> None:
    EmailPreferencesFactory()

    with django_capture_on_commit_callbacks(execute=True):
        paper_tasks.import_daily.delay(DAY.isoformat())

    assert mail.outbox == []


def test_it_schedules_the_digest_in_beat() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["send-digests"]
    assert entry["task"] == "groups.send_digests"
    assert entry["schedule"].hour == {settings.DIGEST_HOUR}


@postgres_threads
def test_it_sends_each_digest_once_when_two_workers_run_at_once() -> None:
    list_papers(DAY, [3, 4])
    subscribers = [EmailPreferencesFactory().user for _ in range(8)]

    def worker() -> object:
        return send_digests.apply(args=[DAY.isoformat()])

    _, errors = at_once([worker, worker])
    assert errors == []
    assert sent_to() == sorted(u.email for u in subscribers)  # each exactly once
    assert DigestEmail.objects.filter(status=DigestEmail.Status.SENT).count() == 8


@pytest.mark.parametrize("papers", [2, 40])
def test_it_builds_a_digest_in_constant_queries(papers: int, django_assert_num_queries) -> None:
    list_papers(DAY, list(range(papers)))
    EmailPreferencesFactory(digest_top=50)
    (digest_id,) = digest_prepare(day=DAY)
    # claim, read row + user, preferences, papers, mark sent
    with django_assert_num_queries(5):
        assert digest_deliver(digest_id=digest_id)
    assert len(mail.outbox) == 1
