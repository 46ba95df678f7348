"""A group with one person per role, and helpers to sign them in."""

from dataclasses import dataclass

import pytest
from django.test import Client

from groups.models import Membership, Nomination, ReadingGroup, User, Vote
from tests.factories import MembershipFactory, NominationFactory, ReadingGroupFactory, UserFactory


@dataclass
class Cast:
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


def make_cast(visibility: str = "public", time_zone: str = "Europe/Berlin") -> Cast:
    group = ReadingGroupFactory(visibility=visibility, time_zone=time_zone)
    people = {
        role: MembershipFactory(group=group, role=role, user__display_name=name).user
        for role, name in [
            (Membership.Role.OWNER, "Olga Owner"),
            (Membership.Role.ORGANIZER, "Otto Organizer"),
            (Membership.Role.MEMBER, "Mia Member"),
        ]
    }
    return Cast(
        group=group,
        owner=people["owner"],
        organizer=people["organizer"],
        member=people["member"],
        outsider=UserFactory(display_name="Oscar Outsider"),
        staff=UserFactory(display_name="Sam Staff", is_staff=True, is_superuser=True),
    )


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


@pytest.fixture
def private_cast(db) -> Cast:
    return make_cast(visibility="private")


def nominate(group: ReadingGroup, votes: int = 0, **kwargs) -> Nomination:
    nomination = NominationFactory(group=group, **kwargs)
    for _ in range(votes):
        Vote.objects.create(nomination=nomination, user=UserFactory())
    return nomination
