"""The groups app's models, one module per area; import them from here."""

from groups.models.discussions import CalendarToken, DiscussionSession, Rsvp, SessionEmail
from groups.models.groups import (
    Activity,
    Invitation,
    JoinRequest,
    Membership,
    Nomination,
    ReadingGroup,
    Vote,
)
from groups.models.moderation import FlaggedNote, GroupBan, ModerationLog, NoteFlag, ThreadLock
from groups.models.notes import Mention, Note, NoteRevision
from groups.models.people import User, validate_timezone

__all__ = [
    "Activity",
    "CalendarToken",
    "DiscussionSession",
    "FlaggedNote",
    "GroupBan",
    "Invitation",
    "JoinRequest",
    "Membership",
    "Mention",
    "ModerationLog",
    "Nomination",
    "Note",
    "NoteFlag",
    "NoteRevision",
    "ReadingGroup",
    "Rsvp",
    "SessionEmail",
    "ThreadLock",
    "User",
    "Vote",
    "validate_timezone",
]
