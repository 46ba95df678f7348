"""A group with a history: sessions held (with RSVPs and notes: readable, hidden, deleted),
a nomination with votes and notes, and `fill` for many sessions at once (query counts)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from groups.models import DiscussionSession, Nomination, Note, Rsvp, Vote
from papers.models import Paper
from tests.factories import DiscussionSessionFactory, PaperFactory
from tests.people import Cast


@dataclass
class History:
    cast: Cast
    session: DiscussionSession  # held, with notes and RSVPs
    older: DiscussionSession  # held a year earlier, another paper
    upcoming: DiscussionSession  # not held yet: not on the page (but in the export)
    nomination: Nomination
    note: Note  # a readable note on the session, by the member
    reply: Note  # a readable reply, by the organizer
    hidden: Note  # hidden by a moderator
    deleted: Note  # deleted by its author
    nomination_note: Note


def note(cast_group, author, body: str, **fields) -> Note:
    return Note.objects.create(
        group=cast_group, author=author, body=body, body_html=f"<p>{body}</p>", **fields
    )


def make_history(cast: Cast) -> History:
    group = cast.group
    paper = PaperFactory(
        title="Attention Is All You Need",
        authors=["Ashish Vaswani", "Jürgen Müller"],
        ai_keywords=["transformers", "machine translation"],
    )
    nomination = Nomination.objects.create(
        group=group, paper=paper, nominated_by=cast.member, status="scheduled", pitch="Classic."
    )
    Vote.objects.create(nomination=nomination, user=cast.member)
    Vote.objects.create(nomination=nomination, user=cast.organizer)
    session = DiscussionSession.objects.create(
        group=group,
        paper=paper,
        nomination=nomination,
        starts_at=datetime(2025, 3, 4, 23, 30, tzinfo=UTC),
        duration=timedelta(hours=1),
        presenter=cast.organizer,
        status="done",
        agenda="1. Why attention?",
    )
    older = DiscussionSessionFactory(
        group=group,
        paper=PaperFactory(
            title="Deep Residual Learning", authors=["Kaiming He"], ai_keywords=["vision"]
        ),
        starts_at=datetime(2024, 6, 1, 17, 0, tzinfo=UTC),
        status="done",
    )
    upcoming = DiscussionSessionFactory(group=group)
    Rsvp.objects.create(session=session, user=cast.member, answer="going")
    Rsvp.objects.create(session=session, user=cast.owner, answer="going")
    Rsvp.objects.create(session=session, user=cast.organizer, answer="maybe")
    first = note(group, cast.member, "=SUM(A1) **Self-attention** is the point.", session=session)
    reply = note(group, cast.organizer, "Agreed.", session=session, parent=first)
    hidden = note(
        group, cast.member, "Secret hidden words.", session=session, hidden_at=timezone.now()
    )
    deleted = note(
        group, cast.member, "Regretted deleted words.", session=session, deleted_at=timezone.now()
    )
    nomination_note = note(group, cast.member, "Read section 3 first.", nomination=nomination)
    return History(
        cast=cast,
        session=session,
        older=older,
        upcoming=upcoming,
        nomination=nomination,
        note=first,
        reply=reply,
        hidden=hidden,
        deleted=deleted,
        nomination_note=nomination_note,
    )


@pytest.fixture
def history(cast: Cast) -> History:
    return make_history(cast)


@pytest.fixture
def private_history(private_cast: Cast) -> History:
    return make_history(private_cast)


def fill(cast: Cast, count: int, *, notes_each: int = 2) -> None:
    """`count` more sessions held, weekly, each with two RSVPs, `notes_each` notes and a
    nomination with a vote: bulk writes, so the sizes of query-count tests stay quick."""
    start = datetime(2015, 1, 5, 18, 0, tzinfo=UTC)
    papers = Paper.objects.bulk_create(
        Paper(
            arxiv_id=f"1501.{i:05d}",
            title=f"Paper number {i}",
            authors=[f"Author {i}", "Common Author"],
            ai_keywords=["filler"],
        )
        for i in range(count)
    )
    nominations = Nomination.objects.bulk_create(
        Nomination(group=cast.group, paper=paper, nominated_by=cast.member, status="scheduled")
        for paper in papers
    )
    Vote.objects.bulk_create(Vote(nomination=n, user=cast.member) for n in nominations)
    sessions = DiscussionSession.objects.bulk_create(
        DiscussionSession(
            group=cast.group,
            paper=paper,
            nomination=nomination,
            starts_at=start + timedelta(weeks=i),
            duration=timedelta(hours=1),
            presenter=cast.member,
            status="done",
        )
        for i, (paper, nomination) in enumerate(zip(papers, nominations, strict=True))
    )
    Rsvp.objects.bulk_create(
        Rsvp(session=session, user=user, answer="going")
        for session in sessions
        for user in (cast.member, cast.owner)
    )
    Note.objects.bulk_create(
        Note(
            group=cast.group,
            session=session,
            author=cast.member,
            body=f"Note {k} on {session.paper_id}",
            body_html="<p>note</p>",
        )
        for session in sessions
        for k in range(notes_each)
    )
