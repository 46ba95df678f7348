from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from groups.models.groups import Nomination, ReadingGroup


class DiscussionSession(models.Model):
    """A meeting of a group about one paper. Starts are stored in UTC."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"
        DONE = "done", "Done"

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="sessions")
    paper = models.ForeignKey("papers.Paper", on_delete=models.PROTECT, related_name="sessions")
    nomination = models.OneToOneField(
        Nomination, on_delete=models.SET_NULL, null=True, blank=True, related_name="session"
    )
    starts_at = models.DateTimeField()
    duration = models.DurationField()
    place = models.CharField(max_length=300, blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agenda = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "cancelled", "done"]),
                name="session_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(duration__gt=timedelta(0)), name="session_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.paper.arxiv_id} at {self.starts_at:%Y-%m-%d %H:%M} UTC"
