import pytest
from django.test import Client

from groups.models import Membership, ReadingGroup
from tests.factories import (
    MembershipFactory,
    NominationFactory,
    NoteFactory,
    ReadingGroupFactory,
    UserFactory,
    moderator_factory,
)

# Who tries each moderation action (the list), and anonymous/outsider for the views.
ACTORS = ["member", "other_organizer", "organizer", "moderator", "superuser"]


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


class Cast:
    """A group with an owner, an organizer, two members, an outsider; another group with its
    own organizer; a staff moderator and a superuser. Alice wrote a note on a nomination."""

    def __init__(self, visibility: str = ReadingGroup.Visibility.PRIVATE) -> None:
        self.group = ReadingGroupFactory(visibility=visibility, slug="club")
        self.owner = UserFactory(username="owen")
        self.organizer = UserFactory(username="olga")
        self.alice = UserFactory(username="alice")
        self.bob = UserFactory(username="bob")
        self.outsider = UserFactory(username="oscar")
        MembershipFactory(group=self.group, user=self.owner, role=Membership.Role.OWNER)
        MembershipFactory(group=self.group, user=self.organizer, role=Membership.Role.ORGANIZER)
        MembershipFactory(group=self.group, user=self.alice)
        MembershipFactory(group=self.group, user=self.bob)
        self.other_group = ReadingGroupFactory(slug="elsewhere")
        self.other_organizer = UserFactory(username="otto")
        MembershipFactory(
            group=self.other_group, user=self.other_organizer, role=Membership.Role.OWNER
        )
        self.moderator = moderator_factory(username="mona")
        self.superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.member = self.bob
        self.nomination = NominationFactory(group=self.group, nominated_by=self.alice)
        self.note = NoteFactory(nomination=self.nomination, author=self.alice, body="Buy pills")

    def actor(self, name: str):
        return getattr(self, name)


@pytest.fixture
def cast(db) -> Cast:
    return Cast()


@pytest.fixture
def public_cast(db) -> Cast:
    return Cast(ReadingGroup.Visibility.PUBLIC)
