from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from groups.models import DiscussionSession, Membership, ReadingGroup
from tests.factories import MembershipFactory, NominationFactory, ReadingGroupFactory, UserFactory


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def make_session(nomination) -> DiscussionSession:
    return DiscussionSession.objects.create(
        group=nomination.group,
        paper=nomination.paper,
        nomination=nomination,
        starts_at=datetime(2026, 7, 1, 17, tzinfo=UTC),
        duration=timedelta(hours=1),
        created_by=nomination.nominated_by,
    )


class Cast:
    """A group with everyone the permission tests need: organizer, two members, an outsider, staff."""

    def __init__(self, visibility: str, prefix: str = "") -> None:
        self.group = ReadingGroupFactory(visibility=visibility)
        self.organizer = UserFactory(username=f"{prefix}olga")
        self.alice = UserFactory(username=f"{prefix}alice")
        self.bob = UserFactory(username=f"{prefix}bob")
        self.outsider = UserFactory(username=f"{prefix}oscar")
        self.staff = UserFactory(username=f"{prefix}stella", is_staff=True, is_superuser=True)
        MembershipFactory(group=self.group, user=self.organizer, role=Membership.Role.ORGANIZER)
        MembershipFactory(group=self.group, user=self.alice)
        MembershipFactory(group=self.group, user=self.bob)
        self.nomination = NominationFactory(group=self.group, nominated_by=self.alice)
        self.session = make_session(self.nomination)


@pytest.fixture
def private(db) -> Cast:
    return Cast(ReadingGroup.Visibility.PRIVATE)


@pytest.fixture
def public(db) -> Cast:
    return Cast(ReadingGroup.Visibility.PUBLIC, prefix="pub_")


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
