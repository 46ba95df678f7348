"""The groups app's admin pages, one module per area; Django's autodiscovery imports this one."""

from groups.accounts import admin as accounts_admin
from groups.discussions import admin as discussions_admin
from groups.membership import admin as membership_admin
from groups.moderation import admin as moderation_admin
from groups.notifications import admin as notifications_admin
from groups.questions import admin as questions_admin
from groups.voting import admin as voting_admin

__all__ = [
    "accounts_admin",
    "discussions_admin",
    "membership_admin",
    "moderation_admin",
    "notifications_admin",
    "questions_admin",
    "voting_admin",
]
