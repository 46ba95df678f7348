"""Question board tests: the shared cast with a second member, and a session a week ahead."""

import pytest

from groups.models import DiscussionSession, Question
from groups.models.notes import Note
from groups.questions.services import question_ask
from tests.factories import DiscussionSessionFactory
from tests.people import Cast, make_cast


@pytest.fixture
def cast(db) -> Cast:
    return make_cast(other_member=True)


@pytest.fixture
def session(cast: Cast) -> DiscussionSession:
    return DiscussionSessionFactory(group=cast.group)


def board_url(session: DiscussionSession, tail: str = "") -> str:
    return f"/g/{session.group.slug}/sessions/{session.pk}/questions/{tail}"


def question_url(question: Question, tail: str) -> str:
    return f"/g/{question.session.group.slug}/questions/{question.pk}/{tail}"


def ask(session: DiscussionSession, author, text: str = "Why does it work?") -> Question:
    return question_ask(session=session, author=author, text=text)


def root_notes(session: DiscussionSession) -> list[Note]:
    return list(Note.objects.filter(session=session, parent=None).order_by("id"))
