"""Discussion sessions and what hangs off them: RSVPs, readiness check-ins, email deliveries and
warnings, calendar feed tokens."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from groups.models.groups import DatabaseKept, Nomination, ReadingGroup, new_notes_version


class DiscussionSessionQuerySet(models.QuerySet["DiscussionSession"]):
    def upcoming(self, now: datetime | None = None) -> "DiscussionSessionQuerySet":
        """Sessions that have not ended yet (cancelled ones included, so people see them)."""
        now = now or timezone.now()
        return self.filter(
            starts_at__gte=now - models.F("duration"), status__in=["scheduled", "cancelled"]
        ).order_by("starts_at", "id")

    def past(self, now: datetime | None = None) -> "DiscussionSessionQuerySet":
        """The group's reading history: sessions held (done, or ended while scheduled), newest first."""
        now = now or timezone.now()
        return self.filter(
            Q(status="done") | Q(status="scheduled", starts_at__lt=now - models.F("duration"))
        ).order_by("-starts_at", "-id")

    def discussed(self) -> "DiscussionSessionQuerySet":
        """Sessions that took place: marked done, or past their start and not cancelled."""
        return self.filter(Q(status="done") | Q(status="scheduled", starts_at__lt=timezone.now()))

    def last_discussed_start(self) -> Subquery:
        """A correlated subquery for nomination queries: when the outer nomination's group last
        discussed its paper (None if never)."""
        return Subquery(
            self.discussed()
            .filter(group=OuterRef("group"), paper=OuterRef("paper"))
            .order_by("-starts_at")
            .values("starts_at")[:1]
        )

    def for_listing(self) -> "DiscussionSessionQuerySet":
        """Everything a session list row shows, in a constant number of queries."""
        return self.select_related("paper", "presenter", "group").annotate(
            going_count=Count("rsvps", filter=Q(rsvps__answer="going")),
            maybe_count=Count("rsvps", filter=Q(rsvps__answer="maybe")),
        )


class DiscussionSession(DatabaseKept):
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
    # iCalendar SEQUENCE: raised on every change attendees must hear about (time, place,
    # cancellation) so calendar apps replace the event they hold instead of adding another.
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Changed by the database with every write of one of its notes: see groups.notes.layout.
    notes_version = models.BigIntegerField(default=new_notes_version, editable=False)
    database_kept = ("notes_version",)

    objects = DiscussionSessionQuerySet.as_manager()
    # Set by groups.discussions.services for the RSVP box: the viewer's answer, if any.
    my_rsvp: "Rsvp | None"

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
        indexes = [models.Index(fields=["group", "starts_at"], name="session_group_start")]

    def __str__(self) -> str:
        return f"{self.group}: {self.paper.arxiv_id} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.duration

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.SCHEDULED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def rsvp_open(self) -> bool:
        """Answers can change until the start, and only while the session is on."""
        return self.is_scheduled and not self.has_started

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)

    @property
    def ical_uid(self) -> str:
        return f"session-{self.pk}@paperclub"


class Rsvp(models.Model):
    """A member's answer to a session. One per member per session, held by the database."""

    class Answer(models.TextChoices):
        GOING = "going", "Going"
        MAYBE = "maybe", "Maybe"
        NOT_GOING = "not_going", "Not going"

    session = models.ForeignKey(DiscussionSession, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_rsvp_per_member"),
            models.CheckConstraint(
                condition=Q(answer__in=["going", "maybe", "not_going"]), name="rsvp_answer_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.answer} for session {self.session_id}"


class SessionEmail(models.Model):
    """One email about a session to one person, recorded (claimed) BEFORE it is sent.

    The unique constraints make each email go out at most once, however often or however
    concurrently the sending task runs: a second claim fails in the database and is skipped.
    Notices are keyed by the session's `sequence` (one per change); reminders by the start time
    they were for, so rescheduling re-arms the reminder and nothing else does.
    """

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "Session scheduled"
        CHANGED = "changed", "Session changed"
        CANCELLED = "cancelled", "Session cancelled"
        REMINDER = "reminder", "Reminder"

    session = models.ForeignKey(DiscussionSession, on_delete=models.CASCADE, related_name="emails")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind)
    sequence = models.PositiveIntegerField()
    starts_at = models.DateTimeField()
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["claimed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user", "starts_at"],
                condition=Q(kind="reminder"),
                name="one_reminder_per_start",
            ),
            models.UniqueConstraint(
                fields=["session", "user", "kind", "sequence"],
                condition=~Q(kind="reminder"),
                name="one_notice_per_change",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["scheduled", "changed", "cancelled", "reminder"]),
                name="session_email_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user} for session {self.session_id}"


class QuorumWarning(models.Model):
    """The claim that a session under its group's quorum was warned about, for the start it had
    then: inserted before anyone is told, unique per session and start, so the warning goes out
    once however often or on how many workers the check runs, and again only if the session is
    moved. The session page's banner shows while it matches the session's start."""

    session = models.ForeignKey(
        DiscussionSession, on_delete=models.CASCADE, related_name="quorum_warnings"
    )
    starts_at = models.DateTimeField()
    attending = models.PositiveIntegerField()
    quorum = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "starts_at"], name="one_quorum_warning_per_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Quorum warning for session {self.session_id} ({self.attending}/{self.quorum})"


class ReadinessQuerySet(models.QuerySet["Readiness"]):
    def of_attendees(self, session: DiscussionSession) -> "ReadinessQuerySet":
        """The check-ins of those who answer going or maybe now (an answer changed to "not
        going" keeps its row, uncounted)."""
        attending = Rsvp.objects.filter(
            session=OuterRef("session"), user=OuterRef("user"), answer__in=["going", "maybe"]
        )
        return self.filter(session=session).filter(Exists(attending))

    def counts(self, session: DiscussionSession) -> dict[str, int]:
        """How many attendees said read, skimmed and not yet (one query)."""
        found = dict(
            self.of_attendees(session)
            .order_by()
            .values("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        return {state: found.get(state, 0) for state in Readiness.State.values}


class Readiness(models.Model):
    """An attendee's check-in before a session: read, skimmed or not yet. One per person per
    session, held by the database."""

    class State(models.TextChoices):
        READ = "read", "Read it"
        SKIMMED = "skimmed", "Skimmed it"
        NOT_YET = "not_yet", "Not yet"

    session = models.ForeignKey(
        DiscussionSession, on_delete=models.CASCADE, related_name="readiness"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReadinessQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "readiness check-ins"
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_readiness_per_member"),
            models.CheckConstraint(
                condition=Q(state__in=["read", "skimmed", "not_yet"]), name="readiness_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.state} for session {self.session_id}"


class ReadinessWarning(models.Model):
    """The claim that a session whose attendees had mostly not read the paper was warned about,
    for the start it had then: as `QuorumWarning`, inserted before anyone is told and unique per
    session and start, so organizers hear it once however many workers run the check."""

    session = models.ForeignKey(
        DiscussionSession, on_delete=models.CASCADE, related_name="readiness_warnings"
    )
    starts_at = models.DateTimeField()
    going = models.PositiveIntegerField()
    ready = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "starts_at"], name="one_readiness_warning_per_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Readiness warning for session {self.session_id} ({self.ready}/{self.going})"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """A member's secret feed address for one group's calendar (read-only, that group only).

    Calendar apps cannot sign in, so the token is the credential; regenerating replaces it and
    the old address stops working at once.
    """

    group = models.ForeignKey(
        ReadingGroup, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_calendar_token_per_member"),
        ]

    def __str__(self) -> str:
        return f"Calendar token of {self.user} for {self.group}"
