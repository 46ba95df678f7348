"""The groups app's models, one module per area; import them from here."""

from groups.models.discussions import (
    CalendarToken,
    DiscussionSession,
    QuorumWarning,
    Readiness,
    ReadinessWarning,
    Rsvp,
    SessionEmail,
)
from groups.models.email import (
    DigestEmail,
    EmailPreferences,
    GroupEmailSettings,
    Notification,
    UnsentTask,
    VersionNotice,
)
from groups.models.fairness import BallotRound, BallotRoundVoter
from groups.models.groups import (
    Activity,
    Invitation,
    JoinRequest,
    Membership,
    Nomination,
    Ranking,
    ReadingGroup,
    Vote,
)
from groups.models.moderation import FlaggedNote, GroupBan, ModerationLog, NoteFlag, ThreadLock
from groups.models.notes import Mention, Note, NoteRevision
from groups.models.people import User, validate_timezone
from groups.models.polls import PollAnswer, PollInvitee, PollSlot, TimePoll
from groups.models.questions import Question, QuestionVote

__all__ = [
    "Activity",
    "BallotRound",
    "BallotRoundVoter",
    "CalendarToken",
    "DigestEmail",
    "DiscussionSession",
    "EmailPreferences",
    "FlaggedNote",
    "GroupBan",
    "GroupEmailSettings",
    "Invitation",
    "JoinRequest",
    "Membership",
    "Mention",
    "ModerationLog",
    "Nomination",
    "Note",
    "NoteFlag",
    "NoteRevision",
    "Notification",
    "PollAnswer",
    "PollInvitee",
    "PollSlot",
    "Question",
    "QuestionVote",
    "QuorumWarning",
    "Ranking",
    "Readiness",
    "ReadinessWarning",
    "ReadingGroup",
    "Rsvp",
    "SessionEmail",
    "ThreadLock",
    "TimePoll",
    "UnsentTask",
    "User",
    "VersionNotice",
    "Vote",
    "validate_timezone",
]
