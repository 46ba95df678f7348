from django.conf import settings
from django.db import models
from django.db.models import Q

from groups.models.people import validate_timezone


class ReadingGroup(models.Model):
    """A reading group (named so to stay clear of django.contrib.auth's Group)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: listed, anyone can read"
        PRIVATE = "private", "Private: only members see it"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Anyone signed in can join"
        REQUEST = "request", "People ask, organizers approve"
        INVITE = "invite", "Invitation only"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility, default=Visibility.PUBLIC)
    join_policy = models.CharField(max_length=10, choices=JoinPolicy, default=JoinPolicy.OPEN)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "private"]), name="group_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(join_policy__in=["open", "request", "invite"]),
                name="group_join_policy_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ORGANIZER = "organizer", "Organizer"
        MEMBER = "member", "Member"

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_membership_per_user"),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "organizer", "member"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.role})"

    @property
    def is_organizer(self) -> bool:
        """Owners organize too."""
        return self.role in {self.Role.OWNER, self.Role.ORGANIZER}


class Nomination(models.Model):
    """A paper proposed to a group. At most one open nomination per paper and group."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SCHEDULED = "scheduled", "Scheduled"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ARCHIVED = "archived", "Archived"

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="nominations")
    paper = models.ForeignKey("papers.Paper", on_delete=models.PROTECT, related_name="nominations")
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    pitch = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "paper"],
                condition=Q(status="open"),
                name="one_open_nomination_per_paper",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "scheduled", "withdrawn", "archived"]),
                name="nomination_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paper.arxiv_id} in {self.group}"


class Vote(models.Model):
    """An approval vote. One per member per nomination, held by the database."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "user"], name="one_vote_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.nomination}"
