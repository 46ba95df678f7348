"""The daily digest of trending papers: who gets it, what is in it, and sending it once.

`digest_prepare(day)` runs after the day's import (and again from beat, later in the day): it
records one `DigestEmail` row per subscriber and day (unique, so reruns add nothing) and returns
the ids still waiting. `digest_deliver` claims one row with a conditional UPDATE
(pending -> sending) and sends it; a second worker loses the claim and sends nothing. A day with
no list (weekends) sends nothing at all.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from groups.models import DigestEmail, EmailPreferences, User
from groups.notifications.email import send_email
from papers.models import DailyListing, Paper


def digest_papers(*, preferences: EmailPreferences, day: dt.date) -> list[Paper]:
    """The day's top papers by upvotes for this person: their N, matching any of their words."""
    papers = Paper.objects.for_day(day).cards().filter(withdrawn=False)
    words = preferences.keywords
    if words:
        matches = Q()
        for word in words:
            matches |= Q(title__icontains=word) | Q(abstract__icontains=word)
        papers = papers.filter(matches)
    return list(papers.order_by("-upvotes", "-num_comments", "-id")[: preferences.digest_top])


def digest_subscribers() -> list[int]:
    """Ids of active people with an address who subscribed to the digest."""
    return list(
        EmailPreferences.objects.filter(
            digest_enabled=True, user__is_active=True, user__email__gt=""
        ).values_list("user_id", flat=True)
    )


def digest_prepare(*, day: dt.date) -> list[int]:
    """Records the day's digest for every subscriber (once); returns the ids still to send."""
    if not DailyListing.objects.filter(day=day).exists():
        return []
    DigestEmail.objects.bulk_create(
        [DigestEmail(user_id=user_id, day=day) for user_id in digest_subscribers()],
        ignore_conflicts=True,
    )
    return list(
        DigestEmail.objects.filter(day=day, status=DigestEmail.Status.PENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )


def digests_never_tried(*, recorded_before: dt.datetime) -> list[int]:
    """Ids of digests recorded before then that no task has tried yet (their task was lost on
    its way to the broker), of days still worth sending: today's or yesterday's
    (DIGEST_MAX_AGE_DAYS), as for `digests_after_import`."""
    oldest = timezone.now().date() - dt.timedelta(days=settings.DIGEST_MAX_AGE_DAYS)
    return list(
        DigestEmail.objects.filter(
            status=DigestEmail.Status.PENDING,
            attempts=0,
            created_at__lt=recorded_before,
            day__gte=oldest,
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


def digests_stuck(*, claimed_before: dt.datetime) -> list[int]:
    """Gives back to pending the digests claimed before then and still "sending" (their worker
    died mid-send) and returns their ids, for the caller to queue again; each row is released
    by one caller only."""
    released = []
    stuck = DigestEmail.objects.filter(
        status=DigestEmail.Status.SENDING, claimed_at__lt=claimed_before
    ).values_list("pk", "claimed_at")
    for pk, claimed_at in stuck.order_by("pk"):
        if DigestEmail.objects.filter(
            pk=pk, status=DigestEmail.Status.SENDING, claimed_at=claimed_at
        ).update(status=DigestEmail.Status.PENDING):
            released.append(pk)
    return released


def digest_deliver(*, digest_id: int, final_attempt: bool = True) -> bool:
    """Claims one digest and sends it; False when another run has it, or it had nothing to say.

    Someone who unsubscribed, was deactivated or whose keywords match nothing that day is
    skipped. On a failed send the row goes back to pending for the task's retry (or to failed
    on the last attempt) and the error propagates.
    """
    claimed = DigestEmail.objects.filter(pk=digest_id, status=DigestEmail.Status.PENDING).update(
        status=DigestEmail.Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if not claimed:
        return False
    digest = DigestEmail.objects.select_related("user").get(pk=digest_id)
    rows = DigestEmail.objects.filter(pk=digest_id)
    user: User = digest.user
    preferences = EmailPreferences.objects.filter(user=user).first()
    papers = (
        digest_papers(preferences=preferences, day=digest.day)
        if preferences and preferences.digest_enabled and user.is_active and user.email
        else []
    )
    if not papers:
        rows.update(status=DigestEmail.Status.SKIPPED)
        return False
    try:
        send_email(
            user=user,
            template="digest",
            context={
                "day": digest.day,
                "papers": papers,
                "keywords": preferences.keywords if preferences else [],
                "day_url": _site(reverse("papers:day", kwargs={"day": digest.day.isoformat()})),
                "paper_base_url": _site(reverse("papers:latest")) + "p/",
            },
            unsubscribe="digest",
            reason="you subscribed to the daily digest of trending papers",
        )
    except Exception as exc:
        status = DigestEmail.Status.FAILED if final_attempt else DigestEmail.Status.PENDING
        rows.update(status=status, error=repr(exc)[:2000])
        raise
    rows.update(status=DigestEmail.Status.SENT, sent_at=timezone.now(), error="")
    return True


def _site(path: str) -> str:
    return settings.SITE_URL + path


@transaction.atomic
def digest_subscribe(*, user: User) -> bool:
    """Turns the digest on (keeping the person's N and keywords). False if it already was."""
    preferences, _ = EmailPreferences.objects.select_for_update().get_or_create(user=user)
    if preferences.digest_enabled:
        return False
    preferences.digest_enabled = True
    preferences.save(update_fields=["digest_enabled", "updated_at"])
    return True
