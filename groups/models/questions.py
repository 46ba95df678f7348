"""A session's question board: members' questions about the paper, their upvotes, and the
agenda the organizers make of them (the readiness issue).

A question on the agenda becomes, once the session has started, a root note of the session's
note thread (`Question.note`): its own thread (the note's page shows it with its replies), in the
session's notes like any other, so the thread's cached layout and its version triggers need
nothing new (groups/questions/services.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Value

from groups.models.discussions import DiscussionSession
from groups.models.notes import Note
from groups.models.people import FORMER_MEMBER, User, name_of

QUESTION_MAX_LENGTH = 500
AGENDA_MAX = 20  # questions on one session's agenda


class QuestionQuerySet(models.QuerySet["Question"]):
    def visible_to(self, *, viewer_id: int | None, show_hidden: bool) -> QuestionQuerySet:
        """Hidden questions only for moderators and their authors."""
        if show_hidden:
            return self
        return self.filter(Q(hidden_at__isnull=True) | Q(author_id=viewer_id))

    def ranked(self, viewer_id: int | None) -> QuestionQuerySet:
        """Most votes first (then the earlier question), with `votes`, `my_vote` and the author:
        a board of any size in one query."""
        if viewer_id is None:
            my_vote: Exists | Value = Value(False)
        else:
            my_vote = Exists(
                QuestionVote.objects.filter(question=OuterRef("pk"), user_id=viewer_id)
            )
        return (
            self.select_related("author")
            .annotate(votes=Count("question_votes"), my_vote=my_vote)
            .order_by("-votes", "created_at", "id")
        )

    def on_agenda(self) -> QuestionQuerySet:
        return self.filter(agenda_position__isnull=False, hidden_at__isnull=True).order_by(
            "agenda_position", "id"
        )


class Question(models.Model):
    """A member's question about a session's paper. Its text is Markdown, stored with its
    sanitized HTML as notes are."""

    session = models.ForeignKey(
        DiscussionSession, on_delete=models.CASCADE, related_name="questions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.CharField(max_length=QUESTION_MAX_LENGTH)
    text_html = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The agenda: 1 is discussed first; None is not on it. Saved by an organizer (agenda_by).
    agenda_position = models.PositiveSmallIntegerField(null=True, blank=True)
    agenda_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The question's own thread once the session has started: a root note of the session's notes.
    note = models.OneToOneField(
        Note, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_question"
    )

    objects = QuestionQuerySet.as_manager()
    votes: int  # from QuestionQuerySet.ranked
    my_vote: bool

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # A double click or a resent form asks once.
            models.UniqueConstraint(
                fields=["session", "author", "text"], name="one_question_per_author_and_text"
            ),
            models.UniqueConstraint(
                fields=["session", "agenda_position"], name="one_question_per_agenda_place"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="question_text_not_empty"),
            models.CheckConstraint(
                condition=Q(agenda_position__isnull=True) | Q(agenda_position__gte=1),
                name="question_agenda_position_positive",
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | Q(agenda_position__isnull=True),
                name="question_hidden_not_on_agenda",
            ),
        ]

    def __str__(self) -> str:
        text = " ".join(self.text.split())
        return f"Question by {self.author_name}: {text[:60]}{'…' if len(text) > 60 else ''}"

    @property
    def author_name(self) -> str:
        return name_of(self.author) if self.author_id else FORMER_MEMBER

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def thread_author(self) -> User | None:
        """Who the question's thread is written by: its author, or (their account gone) the
        organizer who put it on the agenda."""
        return self.author or self.agenda_by


class QuestionVote(models.Model):
    """A member's upvote of a question: one per person per question, held by the database."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="question_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="one_vote_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} upvoted question {self.question_id}"
