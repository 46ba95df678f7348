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

    def __init__(self, visibility: str) -> None:
        self.group = ReadingGroupFactory(visibility=visibility)
        self.organizer = UserFactory(username="olga")
        self.alice = UserFactory(username="alice")
        self.bob = UserFactory(username="bob")
        self.outsider = UserFactory(username="oscar")
        self.staff = UserFactory(username="stella", is_staff=True, is_superuser=True)
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
    return Cast(ReadingGroup.Visibility.PUBLIC)
