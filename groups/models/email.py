"""Email preferences and delivery records (the email issue).

Every email that is not a session notice is one row here, claimed in the database before it is
sent: a unique constraint per recipient and thing (a digest per user and day, a notification per
user and event) keeps it to one email however often, or on how many workers, a task runs.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from groups.models.groups import ReadingGroup

DIGEST_MAX_TOP = 50


class EmailPreferences(models.Model):
    """A person's digest subscription. No row means the defaults: no digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    digest_enabled = models.BooleanField(default=False)
    digest_top = models.PositiveSmallIntegerField(default=10)
    digest_keywords = models.CharField(
        max_length=300, blank=True, help_text="Only papers matching any of these words."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "email preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(digest_top__gte=1) & Q(digest_top__lte=DIGEST_MAX_TOP),
                name="digest_top_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Email preferences of {self.user_id}"

    @property
    def keywords(self) -> list[str]:
        return [word for word in self.digest_keywords.replace(",", " ").split() if word][:10]


class GroupEmailSettings(models.Model):
    """What one member hears about one group. No row means the defaults: everything, at once."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "As it happens"
        DAILY = "daily", "One daily summary"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_email_settings"
    )
    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="+")
    nominations = models.BooleanField("New nominations", default=True)
    sessions = models.BooleanField("Sessions scheduled, changed or cancelled", default=True)
    replies = models.BooleanField("Replies to my notes", default=True)
    mentions = models.BooleanField("@mentions of me", default=True)
    delivery = models.CharField(max_length=10, choices=Delivery, default=Delivery.IMMEDIATE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="one_email_setting_per_group"),
            models.CheckConstraint(
                condition=Q(delivery__in=["immediate", "daily"]), name="email_delivery_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Email settings of {self.user_id} for group {self.group_id}"


class Delivery(models.Model):
    """Common to delivery records: claimed, then sent or failed (after its retries)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Nothing to send"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When a worker last claimed it (pending -> sending). A row still "sending" long after (its
    # worker died mid-send) is given back to pending and queued again by beat's requeue.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class DigestEmail(Delivery):
    """The trending-papers digest of one day to one person: at most one, ever."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_emails"
    )
    day = models.DateField()

    class Meta:
        ordering = ["-day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_user_day"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "skipped", "failed"]),
                name="digest_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Digest of {self.day} to {self.user_id} ({self.status})"


class Notification(Delivery):
    """One group event (a nomination, a reply, a mention, a session notice) for one member.

    `key` names the event ("nomination:12", "reply:40", "session_changed:7:3"); the unique
    constraint on (user, key) makes each event reach each person once. Immediate ones are sent
    one by one; daily ones wait (pending) for the person's daily summary, which claims them all.
    """

    class Kind(models.TextChoices):
        NOMINATION = "nomination", "New nomination"
        REPLY = "reply", "Reply to your note"
        MENTION = "mention", "Mention"
        SESSION = "session", "Session notice"
        POLL = "poll", "Time poll"
        QUORUM = "quorum", "Quorum warning"
        READINESS = "readiness", "Readiness warning"
        VERSION = "version", "New version of a paper discussed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind)
    key = models.CharField(max_length=80)
    daily = models.BooleanField(default=False)
    # Set when a daily summary claims the row: the summary then reads exactly what it claimed.
    batch = models.CharField(max_length=32, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_event"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "skipped", "failed"]),
                name="notification_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "nomination",
                        "reply",
                        "mention",
                        "session",
                        "poll",
                        "quorum",
                        "readiness",
                        "version",
                    ]
                ),
                name="notification_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["daily", "status", "user"], name="notification_summary_idx")
        ]

    def __str__(self) -> str:
        return f"{self.key} to {self.user_id} ({self.status})"


class VersionNotice(models.Model):
    """That a group which discussed a paper was told of one of its new arXiv versions: claimed
    (created) in the transaction that records its members' notifications and the line on the
    group's home, so that two imports or two workers tell each group once per paper and version
    (groups.notifications.versions)."""

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "paper", "version"], name="one_version_notice_per_group"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} of paper {self.paper_id} told to group {self.group_id}"


class UnsentTask(models.Model):
    """A Celery task the broker could not take when it was queued (Redis was down), kept here
    until beat's `groups.requeue_pending_notifications` sends it once the broker is back.

    Only tasks whose work is claimed in the database are recorded (sending one twice is harmless):
    see `groups.notifications.tasks.RecordedTask`.
    """

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name}{tuple(self.args)} (unsent since {self.created_at:%Y-%m-%d %H:%M})"
