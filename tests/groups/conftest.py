from dataclasses import dataclass

import pytest
from django.test import Client

from groups.models import Membership, ReadingGroup, User
from tests.factories import MembershipFactory, ReadingGroupFactory, UserFactory


@dataclass
class Cast:
    """A group and one person in each role, plus an outsider and a staff user (an outsider here)."""

    group: ReadingGroup
    owner: User
    organizer: User
    member: User
    outsider: User
    staff: User

    def client(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(getattr(self, who))
        return client


def make_cast(**group_fields: object) -> Cast:
    group = ReadingGroupFactory(**group_fields)
    owner = MembershipFactory(group=group, role=Membership.Role.OWNER).user
    organizer = MembershipFactory(group=group, role=Membership.Role.ORGANIZER).user
    member = MembershipFactory(group=group).user
    return Cast(
        group=group,
        owner=owner,
        organizer=organizer,
        member=member,
        outsider=UserFactory(),
        staff=UserFactory(is_staff=True, is_superuser=True),
    )


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


@pytest.fixture
def private_cast(db) -> Cast:
    return make_cast(visibility=ReadingGroup.Visibility.PRIVATE)
