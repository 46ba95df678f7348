import secrets
from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower

from groups.models.people import FORMER_MEMBER, User, name_of, validate_timezone
from papers.models import Paper


def _count_of(queryset: models.QuerySet, field: str = "group") -> Coalesce:
    """A correlated COUNT(*) subquery: counting two relations with joins would multiply rows."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


class DatabaseKept(models.Model):
    """A model with columns that only the database's own updates change: a version raised with
    F() or by a trigger, a count its triggers keep (`database_kept`). A save() of an instance read
    earlier writes every other field and never these, so it cannot put back the value it read: a
    settings form saved after a vote would have lowered the ballot's version to one that pages
    already showed for another state, and a nomination saved after a note its thread's version,
    under which the layout before that note is cached. Creating a row writes them all."""

    database_kept: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        updating = not self._state.adding and not kwargs.get("force_insert")
        if updating and not args and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.database_kept
            ]
        super().save(*args, **kwargs)


class ReadingGroupQuerySet(models.QuerySet):
    def public(self) -> Self:
        return self.filter(visibility="public")

    def search(self, query: str) -> Self:
        query = query.strip()
        if not query:
            return self
        return self.filter(Q(name__icontains=query) | Q(description__icontains=query))

    def of_user(self, user: User) -> Self:
        return self.filter(memberships__user=user)

    def ballot_bump(self, group_id: int) -> int:
        """Raises the group's ballot version by one and returns the new version.

        Call it last in the transaction of every change to the open ballot (a vote, a nomination,
        a withdrawal, archiving, scheduling). Its UPDATE holds the group row until commit, so
        concurrent changes take turns and each version names exactly one state of the ballot.
        """
        self.filter(pk=group_id).update(ballot_version=F("ballot_version") + 1)
        return self.filter(pk=group_id).values_list("ballot_version", flat=True).get()

    def with_counts(self) -> Self:
        """Adds `member_count` and `open_count` (open nominations) without multiplying rows."""
        return self.annotate(
            member_count=_count_of(Membership.objects.all()),
            open_count=_count_of(Nomination.objects.filter(status="open")),
        )


class NominationQuerySet(models.QuerySet):
    def open(self) -> Self:
        return self.filter(status="open")

    def ranked(self) -> Self:
        """Most votes first; ties go to the earlier nomination, then the lower id.

        By the stored `Nomination.vote_count`: the open ones of a group are read in this order
        from the index `nomination_open_ballot_order`, so the first 50 need no counting.
        """
        return self.order_by("-vote_count", "created_at", "id")

    def with_my_vote(self, user: User) -> Self:
        """Adds `my_vote`: whether this user has voted for each nomination."""
        return self.annotate(
            my_vote=models.Exists(Vote.objects.filter(nomination=OuterRef("pk"), user=user))
        )

    def for_ballot(self) -> Self:
        """What the group home's ballot summary shows (`groups.voting.ballot.ballot_leaders`)."""
        return self.select_related("paper", "nominated_by")


class ReadingGroup(DatabaseKept):
    """A reading group (named so to stay clear of django.contrib.auth's Group)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: listed, anyone can read"
        PRIVATE = "private", "Private: only members see it"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Anyone signed in can join"
        REQUEST = "request", "People ask, organizers approve"
        INVITE = "invite", "Invitation only"

    class BallotMethod(models.TextChoices):
        APPROVAL = "approval", "Approval: most votes wins"
        RANKED = "ranked", "Ranked choice: instant runoff"

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
    # Which state of the open ballot pages show: see `ReadingGroupQuerySet.ballot_bump`.
    ballot_version = models.PositiveBigIntegerField(default=0, editable=False)
    database_kept = ("ballot_version",)
    # How the ballot is counted. Both keep the same rows (votes, and rankings of voted papers),
    # so switching loses nothing: see `groups.voting.ranked`.
    ballot_method = models.CharField(
        max_length=10,
        choices=BallotMethod,
        default=BallotMethod.APPROVAL,
        help_text="Approval: members vote for every paper they would read, most votes wins. "
        "Ranked choice: members put those papers in order, and an instant-runoff count picks "
        "the winner.",
    )

    # Fewest people (going or maybe) a session needs; organizers are warned 48 h before a session
    # under it (`groups.notifications.sessions.quorum_warnings_send`). None: no quorum.
    quorum = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Fewest people (going or maybe) a session needs. Two days before a session "
        "with fewer, organizers get a warning. Leave empty for none.",
    )

    # Fairness across rounds (`groups.voting.fairness`): members whose choices lost the last
    # rounds weigh more in the next count. Off by default.
    fairness = models.BooleanField(
        default=False,
        help_text="A member whose choices lost the last rounds in a row counts for more next "
        "time: 1.5 after one lost round, 2 after two or more, back to 1 when one of their "
        "papers wins.",
    )

    objects = ReadingGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum__isnull=True) | Q(quorum__gte=1), name="group_quorum_positive"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "private"]), name="group_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(join_policy__in=["open", "request", "invite"]),
                name="group_join_policy_valid",
            ),
            models.CheckConstraint(
                condition=Q(ballot_method__in=["approval", "ranked"]),
                name="group_ballot_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    @property
    def is_ranked(self) -> bool:
        return self.ballot_method == self.BallotMethod.RANKED


class MembershipQuerySet(models.QuerySet):
    def mention_matches(self, query: str) -> Self:
        """Members whose handle or display name contains `query` (any case), with their user:
        those where it starts the handle or the name first, then by handle. For @mention
        suggestions; slice it."""
        starts = Q(user__username__istartswith=query) | Q(user__display_name__istartswith=query)
        return (
            self.filter(user__is_active=True)
            .filter(Q(user__username__icontains=query) | Q(user__display_name__icontains=query))
            .select_related("user")
            .annotate(starts=Case(When(starts, then=Value(0)), default=Value(1)))
            .order_by("starts", Lower("user__username"))
        )


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

    objects = MembershipQuerySet.as_manager()

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


def new_notes_version() -> int:
    """A notes thread's first version: random, so a subject whose id is used again (SQLite
    reuses the highest id once its row is gone) never meets a layout cached for the old one."""
    return secrets.randbits(48)


class Nomination(DatabaseKept):
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
    # Changed by the database with every write of one of its notes: see groups.notes.layout.
    notes_version = models.BigIntegerField(default=new_notes_version, editable=False)
    # How many votes it has, whatever its status: kept by the database itself (triggers on the
    # votes' table, in the statement that adds or deletes a vote: migration 0015), so every path
    # counts, the voting services as well as bulk writes and an account's deletion cascading.
    vote_count = models.IntegerField(default=0, editable=False)
    database_kept = ("notes_version", "vote_count")

    objects = NominationQuerySet.as_manager()

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
            models.CheckConstraint(
                condition=Q(vote_count__gte=0), name="nomination_vote_count_not_negative"
            ),
        ]
        indexes = [
            # The ballot: a group's open nominations in rank order (`NominationQuerySet.ranked`).
            models.Index(
                fields=["group", "-vote_count", "created_at", "id"],
                condition=Q(status="open"),
                name="nomination_open_ballot_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paper.arxiv_id} in {self.group}"

    @property
    def nominated_by_name(self) -> str:
        """Who nominated it, as members see them (FORMER_MEMBER once the account is gone)."""
        return name_of(self.nominated_by) if self.nominated_by_id else FORMER_MEMBER

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


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


class Ranking(models.Model):
    """Where a member puts a nomination in their order of preference (1 is first) on a ranked
    ballot. A member ranks only papers they voted for (`groups.voting.ranked.ranking_save` writes
    both); ranks may have gaps once a ranked paper leaves the ballot, and the count reads them in
    order. `group` is the nomination's group, copied so the database can hold "one nomination per
    rank per member" within a group."""

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="+")
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="rankings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rankings"
    )
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "user"], name="one_ranking_per_member"),
            models.UniqueConstraint(
                fields=["group", "user", "rank"], name="one_nomination_per_rank"
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="ranking_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ranks {self.nomination} #{self.rank}"


class Invitation(models.Model):
    """A join link for a group: a secret token, an expiry and an optional number of uses.

    An invitation by email is the same thing with `email` set and one use.
    """

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True)
    email = models.EmailField(blank=True, help_text="Set when the link was sent by email.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    use_count = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(max_uses__gt=0),
                name="invitation_max_uses_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(use_count__lte=models.F("max_uses")),
                name="invitation_uses_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.group} ({self.email or 'link'})"


class JoinRequest(models.Model):
    """Someone asking to join a request-and-approve group; organizers decide."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(status="pending"),
                name="one_pending_join_request",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "declined"]),
                name="join_request_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.group} ({self.status})"


class ActivityManager(models.Manager["Activity"]):
    def record(
        self,
        *,
        group: ReadingGroup,
        actor: User | None,
        kind: str,
        paper: Paper | None = None,
        detail: str = "",
    ) -> "Activity":
        """Adds a line to the group's recent activity (any area's service may: joining,
        nominating, archiving ...)."""
        return self.create(group=group, actor=actor, kind=kind, paper=paper, detail=detail[:200])


class Activity(models.Model):
    """One line of a group's recent activity, written by the service that did the thing."""

    class Kind(models.TextChoices):
        CREATED = "created", "created the group"
        JOINED = "joined", "joined"
        LEFT = "left", "left"
        REMOVED = "removed", "removed a member"
        ROLE = "role", "changed a role"
        NOMINATED = "nominated", "nominated"
        WITHDREW = "withdrew", "withdrew"
        ARCHIVED = "archived", "archived"
        VERSION = "version", "posted a new version of"  # by arXiv: no actor

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind)
    paper = models.ForeignKey(
        "papers.Paper", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ActivityManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.actor} {self.get_kind_display()} in {self.group}"
