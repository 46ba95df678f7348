"""Moderation tests: the shared cast (tests/people.py) in a private group, and a note to moderate."""

from dataclasses import dataclass

import pytest

from groups.models import Nomination, Note, ReadingGroup
from tests.factories import NominationFactory, NoteFactory
from tests.people import Cast, make_cast

# Who tries each moderation action (the list), and anonymous/outsider for the views.
ACTORS = ["member", "other_organizer", "organizer", "moderator", "staff"]


@dataclass
class Moderated(Cast):
    """The cast, and a note the other member (bob) wrote on a nomination of theirs."""

    nomination: Nomination
    note: Note


def make_moderated(visibility: str = ReadingGroup.Visibility.PRIVATE) -> Moderated:
    cast = make_cast(visibility, username_prefix="", other_member=True, slug="club")
    nomination = NominationFactory(group=cast.group, nominated_by=cast.other_member)
    note = NoteFactory(nomination=nomination, author=cast.other_member, body="Buy pills")
    return Moderated(**vars(cast), nomination=nomination, note=note)


@pytest.fixture
def cast(db) -> Moderated:
    return make_moderated()


@pytest.fixture
def public_cast(db) -> Moderated:
    return make_moderated(ReadingGroup.Visibility.PUBLIC)
