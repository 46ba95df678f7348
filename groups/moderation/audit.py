"""The moderation audit log's one writer, shared by the notes, membership and moderation services.

Kept apart from `groups/moderation.py` so that `groups/notes.py` and `groups/membership.py` can
write entries without importing the moderation services (which import them).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import models

from groups.models import ModerationLog, Note, ReadingGroup, User

LABEL_LENGTH = 200


def target_label(target: models.Model) -> str:
    """A short human description of what was acted on, kept even if the target goes."""
    if isinstance(target, Note):
        author = target.author_name
        text = " ".join((target.body or "").split())
        return f"Note {target.pk} by {author}: {text}"[:LABEL_LENGTH]
    if isinstance(target, User):
        # No email: group pages show these labels to organizers.
        return f"{target.name} (@{target.username})"[:LABEL_LENGTH]
    return str(target)[:LABEL_LENGTH]


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model,
    group: ReadingGroup | None = None,
    reason: str = "",
    label: str = "",
) -> ModerationLog:
    """Writes one audit log row. Call it inside the transaction of the action it records."""
    user = actor if isinstance(actor, User) else None
    return ModerationLog.objects.create(
        actor=user,
        actor_label=(f"{user.username} <{user.email}>" if user else "system")[:LABEL_LENGTH],
        action=action,
        target_type=(target._meta.concrete_model or type(target))._meta.model_name or "",
        target_id=target.pk,
        target_label=label or target_label(target),
        group=group,
        reason=reason.strip()[:2000],
    )
