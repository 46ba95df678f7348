"""The groups app's models, one module per area; import them from here."""

from groups.models.discussions import DiscussionSession
from groups.models.groups import (
    Activity,
    Invitation,
    JoinRequest,
    Membership,
    Nomination,
    ReadingGroup,
    Vote,
)
from groups.models.people import User, validate_timezone

__all__ = [
    "Activity",
    "DiscussionSession",
    "Invitation",
    "JoinRequest",
    "Membership",
    "Nomination",
    "ReadingGroup",
    "User",
    "Vote",
    "validate_timezone",
]
