"""Moderation services: flags, thread locks, group bans, suspending users and hiding papers.

Who may act: organizers (owner or organizer role) moderate their own group; staff in the
"Moderators" auth group, and superusers, moderate everything. Every service checks this itself,
so no caller can skip it. Every action that changes something writes its audit log row
(`groups.moderation.audit.audit_record`) in the same transaction; an action on something already in that
state changes nothing, writes nothing and returns False, so callers can say so instead of failing.
Hiding and unhiding notes live with the other note writes in `groups/notes.py`.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from groups.access import is_site_moderator, require_group_moderator, require_site_moderator
from groups.models import (
    DiscussionSession,
    GroupBan,
    JoinRequest,
    Membership,
    ModerationLog,
    Nomination,
    Note,
    NoteFlag,
    ReadingGroup,
    ThreadLock,
    User,
)
from groups.moderation.audit import audit_record
from papers.models import Paper

Subject = Nomination | DiscussionSession
Action = ModerationLog.Action


# ---------------------------------------------------------------------------------------------
# Flags


@transaction.atomic
def note_flag(*, note: Note, by: User, reason: str, text: str = "") -> tuple[NoteFlag, bool]:
    """Flags a note for moderators; the caller checked that `by` is a member of its group.

    Returns the flag and whether it is new: flagging a note twice returns the first flag (the
    database's unique constraint decides, so two clicks at once make one flag). Raises
    ValidationError for one's own note, a deleted note or an unknown reason.
    """
    if reason not in NoteFlag.Reason.values:
        raise ValidationError("Choose a reason from the list.")
    if note.author_id == by.pk:
        raise ValidationError("You cannot flag your own note.")
    if note.is_deleted:
        raise ValidationError("This note was deleted.")
    try:
        with transaction.atomic():
            flag = NoteFlag.objects.create(
                note=note, flagged_by=by, reason=reason, text=text.strip()[:1000]
            )
    except IntegrityError:
        return NoteFlag.objects.get(note=note, flagged_by=by), False
    return flag, True


@transaction.atomic
def flags_dismiss(*, note: Note, by: User, reason: str = "") -> int:
    """Dismisses the open flags on a note (site moderators and its group's organizers).

    Returns how many were dismissed; 0 (nothing logged) when none were open.
    """
    require_group_moderator(by, note.group)
    count = NoteFlag.objects.filter(note=note, dismissed_at__isnull=True).update(
        dismissed_at=timezone.now(), dismissed_by=by
    )
    if count:
        audit_record(
            actor=by, action=Action.FLAGS_DISMISS, target=note, group=note.group, reason=reason
        )
    return count


# ---------------------------------------------------------------------------------------------
# Thread locks


def _subject_filter(subject: Subject) -> dict[str, Subject]:
    return {"nomination": subject} if isinstance(subject, Nomination) else {"session": subject}


def _lock_subject_row(subject: Subject) -> None:
    # The row lock `note_create` takes too: a note and a lock on the same thread never cross.
    type(subject).objects.select_for_update().filter(pk=subject.pk).exists()


def _subject_label(subject: Subject) -> str:
    kind = "Nomination" if isinstance(subject, Nomination) else "Session"
    return f"{kind} {subject.pk}: {subject.paper.title}"[:200]


@transaction.atomic
def thread_lock(*, subject: Subject, by: User, reason: str = "") -> bool:
    """Locks a thread: no new notes or replies (`groups.notes.services.note_create` refuses them).

    Returns False, changing nothing, when it was already locked.
    """
    require_group_moderator(by, subject.group)
    _lock_subject_row(subject)
    try:
        with transaction.atomic():
            ThreadLock.objects.create(
                group=subject.group,
                locked_by=by,
                reason=reason.strip()[:500],
                **_subject_filter(subject),
            )
    except IntegrityError:
        return False
    audit_record(
        actor=by,
        action=Action.THREAD_LOCK,
        target=subject,
        group=subject.group,
        reason=reason,
        label=_subject_label(subject),
    )
    return True


@transaction.atomic
def thread_unlock(*, subject: Subject, by: User, reason: str = "") -> bool:
    """Unlocks a thread. Returns False when it was not locked."""
    require_group_moderator(by, subject.group)
    deleted, _ = ThreadLock.objects.filter(**_subject_filter(subject)).delete()
    if not deleted:
        return False
    audit_record(
        actor=by,
        action=Action.THREAD_UNLOCK,
        target=subject,
        group=subject.group,
        reason=reason,
        label=_subject_label(subject),
    )
    return True


# ---------------------------------------------------------------------------------------------
# Group bans


@transaction.atomic
def group_ban(*, group: ReadingGroup, user: User, by: User, reason: str = "") -> bool:
    """Bans `user` from the group: their membership ends, their pending request is declined,
    and they cannot join again (the membership services check the ban) until unbanned.

    Organizers cannot ban themselves or an owner (unless they are an owner themselves), and the
    last owner is never banned. Returns False when the user was already banned.
    Raises PermissionDenied for people who may not moderate the group, ValidationError otherwise.
    """
    require_group_moderator(by, group)
    if user.pk == by.pk:
        raise ValidationError("You cannot ban yourself.")
    target = Membership.objects.select_for_update().filter(group=group, user=user).first()
    if target is not None and target.role == Membership.Role.OWNER:
        mine = Membership.objects.filter(group=group, user=by).first()
        if not is_site_moderator(by) and (mine is None or mine.role != Membership.Role.OWNER):
            raise ValidationError("Only an owner can ban another owner.")
        owners = Membership.objects.filter(group=group, role=Membership.Role.OWNER).count()
        if owners <= 1:
            raise ValidationError("The group's only owner cannot be banned.")
    try:
        with transaction.atomic():
            GroupBan.objects.create(group=group, user=user, banned_by=by, reason=reason[:500])
    except IntegrityError:
        return False
    if target is not None:
        target.delete()
    JoinRequest.objects.filter(group=group, user=user, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.DECLINED, decided_at=timezone.now(), decided_by=by
    )
    audit_record(actor=by, action=Action.USER_BAN, target=user, group=group, reason=reason)
    return True


@transaction.atomic
def group_unban(*, group: ReadingGroup, user: User, by: User, reason: str = "") -> bool:
    """Lifts a ban (the person may join again by the usual ways). False when not banned."""
    require_group_moderator(by, group)
    deleted, _ = GroupBan.objects.filter(group=group, user=user).delete()
    if not deleted:
        return False
    audit_record(actor=by, action=Action.USER_UNBAN, target=user, group=group, reason=reason)
    return True


# ---------------------------------------------------------------------------------------------
# Site-wide: suspending users, hiding papers (site moderators only)


def _sessions_end(user: User) -> int:
    """Deletes the user's sessions so they are signed out at once.

    Database sessions do not index their user, so this reads the live sessions once: about
    0.7-1.2 s with 10,000 live sessions (bench/moderation.py), acceptable for a rare staff action.
    A site with far more sessions would track them per user (allauth.usersessions) instead.
    """
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_suspend(*, user: User, by: User, reason: str = "") -> bool:
    """Suspends an account site-wide: it cannot sign in (allauth refuses inactive users) and its
    sessions end now. Superusers and oneself cannot be suspended. False when already suspended.
    """
    require_site_moderator(by)
    if user.pk == by.pk:
        raise ValidationError("You cannot suspend yourself.")
    if user.is_superuser:
        raise ValidationError("Superusers cannot be suspended here.")
    changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
    user.refresh_from_db(fields=["is_active"])
    if not changed:
        return False
    _sessions_end(user)
    audit_record(actor=by, action=Action.USER_SUSPEND, target=user, reason=reason)
    return True


@transaction.atomic
def user_unsuspend(*, user: User, by: User, reason: str = "") -> bool:
    """Lets a suspended account sign in again. False when it was not suspended."""
    require_site_moderator(by)
    changed = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
    user.refresh_from_db(fields=["is_active"])
    if not changed:
        return False
    audit_record(actor=by, action=Action.USER_UNSUSPEND, target=user, reason=reason)
    return True


@transaction.atomic
def paper_hide(*, paper: Paper, by: User, reason: str = "") -> bool:
    """Takes a paper out of the day lists, search, feeds and home (`Paper.objects.listed()`).

    Its page stays for members of groups that nominated it. False when already hidden.
    """
    require_site_moderator(by)
    changed = Paper.objects.filter(pk=paper.pk, hidden=False).update(hidden=True)
    paper.refresh_from_db(fields=["hidden"])
    if not changed:
        return False
    audit_record(actor=by, action=Action.PAPER_HIDE, target=paper, reason=reason)
    return True


@transaction.atomic
def paper_unhide(*, paper: Paper, by: User, reason: str = "") -> bool:
    """Puts a hidden paper back in the listings. False when it was not hidden."""
    require_site_moderator(by)
    changed = Paper.objects.filter(pk=paper.pk, hidden=True).update(hidden=False)
    paper.refresh_from_db(fields=["hidden"])
    if not changed:
        return False
    audit_record(actor=by, action=Action.PAPER_UNHIDE, target=paper, reason=reason)
    return True
