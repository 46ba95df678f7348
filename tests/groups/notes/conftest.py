"""Notes tests: the shared cast (tests/people.py) with a nomination and its session, threads."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from groups.models import DiscussionSession, Nomination, ReadingGroup
from tests.factories import NominationFactory
from tests.people import Cast, make_cast


def make_session(nomination) -> DiscussionSession:
    return DiscussionSession.objects.create(
        group=nomination.group,
        paper=nomination.paper,
        nomination=nomination,
        starts_at=datetime(2026, 7, 1, 17, tzinfo=UTC),
        duration=timedelta(hours=1),
        created_by=nomination.nominated_by,
    )


@dataclass
class Discussed(Cast):
    """The cast, and a nomination by the member (alice) that has a discussion session."""

    nomination: Nomination
    session: DiscussionSession


def make_discussed(visibility: str, username_prefix: str = "") -> Discussed:
    cast = make_cast(visibility, username_prefix=username_prefix, other_member=True)
    nomination = NominationFactory(group=cast.group, nominated_by=cast.member)
    return Discussed(**vars(cast), nomination=nomination, session=make_session(nomination))


@pytest.fixture
def private(db) -> Discussed:
    return make_discussed(ReadingGroup.Visibility.PRIVATE)


@pytest.fixture
def public(db) -> Discussed:
    return make_discussed(ReadingGroup.Visibility.PUBLIC, username_prefix="pub_")


def make_thread(subject, authors: list, count: int, *, seed: int = 7) -> list:
    """`count` notes on a subject, a fifth top-level and the rest replies up to 12 deep, in bulk."""
    import random

    from groups.models import Note

    rng = random.Random(seed)
    group = subject.group
    kind = (
        {"nomination": subject}
        if subject.__class__.__name__ == "Nomination"
        else {"session": subject}
    )
    notes: list = []
    depth: dict[int, int] = {}
    batch_size = max(1, count // 5)
    while len(notes) < count:
        size = min(batch_size, count - len(notes))
        batch = []
        for index in range(size):
            candidates = [note for note in notes[-400:] if depth[note.pk] < 12]
            parent = rng.choice(candidates) if notes and candidates else None
            body = f"Note {len(notes) + index}: is $x^{index % 7}$ **bounded**?"
            batch.append(
                Note(
                    group=group,
                    author=authors[(len(notes) + index) % len(authors)],
                    parent=parent,
                    body=body,
                    body_html=f"<p>{body}</p>",
                    **kind,
                )
            )
        created = Note.objects.bulk_create(batch)
        for note in created:
            depth[note.pk] = depth[note.parent.pk] + 1 if note.parent else 0
        notes.extend(created)
    return notes
