"""Time polls: before a session has a time, the paper's supporters say which proposed slots suit
them. One answer per invitee per slot, held by the database; a poll is picked (turned into a
session) at most once."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from groups.models.discussions import DiscussionSession
from groups.models.groups import Nomination, ReadingGroup

MIN_SLOTS = 2
MAX_SLOTS = 8
ACTIVE = ["open", "closed"]


class TimePollQuerySet(models.QuerySet["TimePoll"]):
    def active(self) -> "TimePollQuerySet":
        """Polls not yet picked or cancelled: open for answers, or closed and waiting for a pick."""
        return self.filter(status__in=ACTIVE)

    def due_to_close(self, now: datetime | None = None) -> "TimePollQuerySet":
        return self.filter(status=TimePoll.Status.OPEN, deadline__lte=now or timezone.now())


class TimePoll(models.Model):
    """Which of a few proposed times suits a nomination's supporters. The details the session
    will have (length, place, video link, presenter) are chosen with the slots."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="time_polls")
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="time_polls")
    deadline = models.DateTimeField()
    duration = models.DurationField()
    place = models.CharField(max_length=300, blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    # The session picked from it: one, ever (the OneToOne and the row lock in `poll_pick`).
    session = models.OneToOneField(
        DiscussionSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="time_poll",
    )
    picked_slot = models.ForeignKey(
        "PollSlot", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = TimePollQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "closed", "scheduled", "cancelled"]),
                name="time_poll_status_valid",
            ),
            models.UniqueConstraint(
                fields=["nomination"],
                condition=Q(status__in=ACTIVE),
                name="one_active_poll_per_nomination",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(picked_slot__isnull=False),
                name="scheduled_poll_has_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"Time poll {self.pk} for {self.nomination}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def accepts_answers(self) -> bool:
        """Answers are taken while the poll is open and its deadline has not passed (beat closes
        it shortly after; the deadline holds before that)."""
        return self.status == self.Status.OPEN and self.deadline > timezone.now()


class PollSlot(models.Model):
    """One proposed start (UTC)."""

    poll = models.ForeignKey(TimePoll, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "starts_at"], name="one_slot_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} UTC (poll {self.poll_id})"


class PollInvitee(models.Model):
    """A person asked to answer: a supporter of the paper when the poll was made, or its
    presenter. Only invitees answer (an answer points at its invitee)."""

    poll = models.ForeignKey(TimePoll, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="one_invitation_per_poll"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in poll {self.poll_id}"


class PollAnswer(models.Model):
    """An invitee's yes / if need be / no for one slot: one per person per slot."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        MAYBE = "maybe", "If need be"
        NO = "no", "No"

    slot = models.ForeignKey(PollSlot, on_delete=models.CASCADE, related_name="answers")
    invitee = models.ForeignKey(PollInvitee, on_delete=models.CASCADE, related_name="answers")
    answer = models.CharField(max_length=5, choices=Answer)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "invitee"], name="one_answer_per_slot"),
            models.CheckConstraint(
                condition=Q(answer__in=["yes", "maybe", "no"]), name="poll_answer_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.answer} from invitee {self.invitee_id} for slot {self.slot_id}"
