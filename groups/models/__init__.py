"""The groups app's models, one module per area; import them from here."""

from groups.models.discussions import CalendarToken, DiscussionSession, Rsvp, SessionEmail
from groups.models.email import (
    DigestEmail,
    EmailPreferences,
    GroupEmailSettings,
    Notification,
)
from groups.models.groups import (
    Activity,
    Invitation,
    JoinRequest,
    Membership,
    Nomination,
    ReadingGroup,
    Vote,
)
from groups.models.notes import Mention, Note, NoteRevision
from groups.models.people import User, validate_timezone

__all__ = [
    "Activity",
    "CalendarToken",
    "DigestEmail",
    "DiscussionSession",
    "EmailPreferences",
    "GroupEmailSettings",
    "Invitation",
    "JoinRequest",
    "Membership",
    "Mention",
    "Nomination",
    "Note",
    "NoteRevision",
    "Notification",
    "ReadingGroup",
    "Rsvp",
    "SessionEmail",
    "User",
    "Vote",
    "validate_timezone",
]
