"""Discussion tests: the shared cast (tests/people.py) in a Berlin group, and nominations."""

import pytest

from groups.models import Nomination, ReadingGroup, Vote
from tests import people
from tests.factories import NominationFactory, UserFactory
from tests.people import Cast


def make_cast(visibility: str = "public", time_zone: str = "Europe/Berlin") -> Cast:
    """The shared cast, in a group that meets in Berlin (a zone with summer time) unless told."""
    return people.make_cast(visibility, time_zone=time_zone)


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
