"""The people of a reading group, one per role, and test clients signed in as them.

Every area's tests take their people from here, so "a member" or "an outsider" means the same in
each permission matrix.
"""

from dataclasses import dataclass

from django.test import Client

from groups.models import Membership, ReadingGroup, User
from tests.factories import MembershipFactory, ReadingGroupFactory, UserFactory, moderator_factory

# Who visits a page, from least to most rights (a site moderator is staff without group rights).
ROLES = ("anonymous", "outsider", "member", "organizer", "owner", "staff")

# role: (username, display name). Usernames are these only when a test asks (it types @mentions).
NAMES = {
    "owner": ("owen", "Owen Owner"),
    "organizer": ("olga", "Olga Organizer"),
    "member": ("alice", "Alice Member"),
    "other_member": ("bob", "Bob Member"),
    "outsider": ("oscar", "Oscar Outsider"),
    "staff": ("stella", "Stella Staff"),
    "moderator": ("mona", "Mona Moderator"),
    "other_organizer": ("otto", "Otto Organizer"),
}


def client_for(user: User | None) -> Client:
    """A test client signed in as `user` (None: an anonymous visitor)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@dataclass
class Cast:
    """A group with an owner, an organizer and a member; an outsider; an organizer of another
    group (other_group); a superuser (staff) and a site moderator (staff in the Moderators auth
    group), both outsiders to the group. `other_member`, a second plain member, is there only when
    asked for (areas where one member acts on another's note or membership), so that elsewhere
    "everyone in the group" is the owner, the organizer and the member."""

    group: ReadingGroup
    owner: User
    organizer: User
    member: User
    other_member: User | None
    outsider: User
    staff: User
    moderator: User
    other_group: ReadingGroup
    other_organizer: User

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)

    def client(self, role: str) -> Client:
        return client_for(self.user(role))


def make_cast(
    visibility: str = ReadingGroup.Visibility.PUBLIC,
    *,
    username_prefix: str | None = None,
    other_member: bool = False,
    **group_fields: object,
) -> Cast:
    """A new cast. With `username_prefix` the usernames are the prefix and NAMES' (for tests that
    type usernames); without it they come from the factory's sequence, so casts can share a test."""

    def person(role: str, **fields: object) -> dict[str, object]:
        username, display_name = NAMES[role]
        if username_prefix is not None:
            fields["username"] = f"{username_prefix}{username}"
        return {"display_name": display_name, **fields}

    group = ReadingGroupFactory(visibility=visibility, **group_fields)
    members = {
        role: MembershipFactory(
            group=group, role=group_role, **{f"user__{k}": v for k, v in person(role).items()}
        ).user
        for role, group_role in [
            ("owner", Membership.Role.OWNER),
            ("organizer", Membership.Role.ORGANIZER),
            ("member", Membership.Role.MEMBER),
            ("other_member", Membership.Role.MEMBER),
        ]
        if other_member or role != "other_member"
    }
    other_organizer = UserFactory(**person("other_organizer"))
    other_group = MembershipFactory(user=other_organizer, role=Membership.Role.OWNER).group
    return Cast(
        group=group,
        owner=members["owner"],
        organizer=members["organizer"],
        member=members["member"],
        other_member=members.get("other_member"),
        outsider=UserFactory(**person("outsider")),
        staff=UserFactory(**person("staff", is_staff=True, is_superuser=True)),
        moderator=moderator_factory(**person("moderator")),
        other_group=other_group,
        other_organizer=other_organizer,
    )
