"""Membership services: creating groups, joining, leaving, roles, invitations, join requests.

The rules callers may rely on: a group always keeps at least one owner (checked under row locks, so two
owners stepping down at once cannot leave it ownerless); invitation uses are counted by one conditional
UPDATE, so a link with N uses admits at most N people however many click at once.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from groups.models import (
    Activity,
    GroupBan,
    Invitation,
    JoinRequest,
    Membership,
    ModerationLog,
    ReadingGroup,
    User,
)
from groups.moderation.audit import audit_record

logger = logging.getLogger(__name__)

INVITATION_DAYS = 14
MAX_INVITATION_DAYS = 90


def groups_of_member(user: User) -> list[ReadingGroup]:
    """The user's groups by name, each with `member_count`, `open_count` (open nominations) and
    `my_role` (the user's role in it). One query."""
    return list(
        ReadingGroup.objects.of_user(user)
        .with_counts()
        .annotate(my_role=F("memberships__role"))
        .order_by("name", "pk")
    )


class MembershipError(Exception):
    """A rule said no; the message is written for the person who asked."""


BANNED_MESSAGE = "You cannot join this group: its organizers have banned you."


def is_banned(*, group: ReadingGroup | int, user: User) -> bool:
    group_id = group if isinstance(group, int) else group.pk
    return GroupBan.objects.filter(group_id=group_id, user=user).exists()


def _check_not_banned(*, group: ReadingGroup | int, user: User) -> None:
    """Every way into a group (open join, invite links, email invites, requests) checks this."""
    if is_banned(group=group, user=user):
        raise MembershipError(BANNED_MESSAGE)


def slug_available(name: str) -> str:
    """A free slug made from the name: `name`, then `name-2`, `name-3`, ..."""
    base = slugify(name)[:70] or "group"
    slug, n = base, 1
    while ReadingGroup.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def group_create(
    *,
    user: User,
    name: str,
    slug: str,
    description: str = "",
    visibility: str = ReadingGroup.Visibility.PUBLIC,
    join_policy: str = ReadingGroup.JoinPolicy.OPEN,
    time_zone: str = "UTC",
) -> ReadingGroup:
    """Creates a group with its creator as owner. Raises MembershipError if the slug is taken."""
    try:
        with transaction.atomic():
            group = ReadingGroup.objects.create(
                name=name,
                slug=slug,
                description=description,
                visibility=visibility,
                join_policy=join_policy,
                time_zone=time_zone,
                created_by=user,
            )
    except IntegrityError as exc:
        raise MembershipError("That web address is taken; choose another.") from exc
    Membership.objects.create(group=group, user=user, role=Membership.Role.OWNER)
    Activity.objects.record(group=group, actor=user, kind=Activity.Kind.CREATED)
    return group


def _membership_add(*, group: ReadingGroup, user: User) -> tuple[Membership, bool]:
    """The membership, created if missing; safe when two requests add the same person at once.

    Raises MembershipError for someone banned from the group.
    """
    _check_not_banned(group=group, user=user)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(group=group, user=user)
    except IntegrityError:
        return Membership.objects.get(group=group, user=user), False
    Activity.objects.record(group=group, actor=user, kind=Activity.Kind.JOINED)
    return membership, True


@transaction.atomic
def membership_join(*, group: ReadingGroup, user: User) -> tuple[Membership, bool]:
    """Joins an open group (idempotent: returns the existing membership and False)."""
    existing = Membership.objects.filter(group=group, user=user).first()
    if existing is not None:
        return existing, False
    if group.join_policy != ReadingGroup.JoinPolicy.OPEN:
        raise MembershipError("This group admits new members by request or invitation only.")
    _check_not_banned(group=group, user=user)
    return _membership_add(group=group, user=user)


def _lock_owner_change(membership: Membership) -> Membership:
    """Locks the group's owner rows and returns the target re-read under the lock.

    Raises MembershipError when the target is the group's only owner.
    """
    owner_ids = list(
        Membership.objects.select_for_update()
        .filter(group_id=membership.group_id, role=Membership.Role.OWNER)
        .values_list("pk", flat=True)
    )
    try:
        current = Membership.objects.select_for_update().get(pk=membership.pk)
    except Membership.DoesNotExist as exc:
        raise MembershipError("That person is no longer a member.") from exc
    if current.role == Membership.Role.OWNER and owner_ids == [current.pk]:
        raise MembershipError("A group needs at least one owner: make someone else an owner first.")
    return current


@transaction.atomic
def membership_leave(*, membership: Membership) -> None:
    """The member leaves. The last owner cannot."""
    current = _lock_owner_change(membership)
    current.delete()
    Activity.objects.record(group=membership.group, actor=membership.user, kind=Activity.Kind.LEFT)


def _check_may_manage(*, by: Membership, target: Membership) -> None:
    if not by.is_organizer:
        raise MembershipError("Only the group's organizers can do this.")
    if target.role == Membership.Role.OWNER and by.role != Membership.Role.OWNER:
        raise MembershipError("Only an owner can change or remove another owner.")


@transaction.atomic
def membership_remove(*, membership: Membership, by: Membership, reason: str = "") -> None:
    """An organizer removes a member. Owners are removed by owners only; never the last one.

    Writes the moderation audit log entry too.
    """
    _check_may_manage(by=by, target=membership)
    current = _lock_owner_change(membership)
    current.delete()
    audit_record(
        actor=by.user,
        action=ModerationLog.Action.MEMBER_REMOVE,
        target=membership.user,
        group=membership.group,
        reason=reason,
    )
    Activity.objects.record(
        group=membership.group,
        actor=by.user,
        kind=Activity.Kind.REMOVED,
        detail=membership.user.name,
    )


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, by: Membership) -> Membership:
    """Changes a role. Only owners make or unmake owners; the last owner stays an owner."""
    if role not in Membership.Role.values:
        raise MembershipError("Unknown role.")
    _check_may_manage(by=by, target=membership)
    if role == Membership.Role.OWNER and by.role != Membership.Role.OWNER:
        raise MembershipError("Only an owner can make someone an owner.")
    if role == membership.role:
        return membership
    if membership.role == Membership.Role.OWNER:
        current = _lock_owner_change(membership)
    else:
        current = Membership.objects.select_for_update().get(pk=membership.pk)
    current.role = role
    current.save(update_fields=["role"])
    Activity.objects.record(
        group=membership.group,
        actor=by.user,
        kind=Activity.Kind.ROLE,
        detail=f"{membership.user.name} is now {current.get_role_display().lower()}",
    )
    return current


def invitation_problem(invitation: Invitation) -> str | None:
    """Why the link no longer admits anyone, in words for the visitor; None when it does."""
    if invitation.revoked_at is not None:
        return "This invitation was withdrawn by the group's organizers."
    if invitation.expires_at <= timezone.now():
        return "This invitation has expired. Ask the group's organizers for a new link."
    if invitation.max_uses is not None and invitation.use_count >= invitation.max_uses:
        return "This invitation has been used up. Ask the group's organizers for a new link."
    return None


@transaction.atomic
def invitation_create(
    *,
    group: ReadingGroup,
    by: User,
    days: int = INVITATION_DAYS,
    max_uses: int | None = None,
    email: str = "",
) -> Invitation:
    """A new invitation with a random, unguessable token."""
    days = max(1, min(days, MAX_INVITATION_DAYS))
    return Invitation.objects.create(
        group=group,
        token=secrets.token_urlsafe(24),
        email=email,
        created_by=by,
        expires_at=timezone.now() + timedelta(days=days),
        max_uses=max_uses,
    )


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("group_join_link", args=[invitation.token])


def _invitation_email_deliver(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("group", "created_by").get(pk=invitation_id)
    context = {"invitation": invitation, "url": invitation_url(invitation)}
    try:
        send_mail(
            subject=f"[Paper Club] You are invited to {invitation.group.name}",
            message=render_to_string("groups/notifications/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    except OSError:
        # The invitation itself is saved and its link is shown to the organizer; a mail outage must
        # not turn their request into an error page.
        logger.exception("Could not send invitation %s", invitation_id)


@transaction.atomic
def invitation_email_send(*, group: ReadingGroup, by: User, email: str) -> Invitation:
    """Creates a one-use invitation for `email` and mails the link once the transaction commits."""
    invitation = invitation_create(group=group, by=by, max_uses=1, email=email)
    transaction.on_commit(lambda: _invitation_email_deliver(invitation.pk))
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> tuple[Membership, bool]:
    """Joins the group through the link. Existing members just get their membership back.

    Raises MembershipError (with the reason) when the link is revoked, expired or used up.
    """
    existing = Membership.objects.filter(group_id=invitation.group_id, user=user).first()
    if existing is not None:
        return existing, False
    membership, created = _membership_add(group=invitation.group, user=user)
    if not created:
        return membership, False
    counted = (
        Invitation.objects.filter(
            pk=invitation.pk, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .filter(Q(max_uses__isnull=True) | Q(use_count__lt=F("max_uses")))
        .update(use_count=F("use_count") + 1)
    )
    if not counted:
        invitation.refresh_from_db()
        # Rolls back the membership made above along with everything else in this transaction.
        raise MembershipError(invitation_problem(invitation) or "This invitation is not valid.")
    JoinRequest.objects.filter(
        group_id=invitation.group_id, user=user, status=JoinRequest.Status.PENDING
    ).update(status=JoinRequest.Status.APPROVED, decided_at=timezone.now())
    return membership, True


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    """Stops the link from admitting anyone (idempotent)."""
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def join_request_create(*, group: ReadingGroup, user: User, message: str = "") -> JoinRequest:
    """Asks to join a request-and-approve group; asking twice returns the pending request."""
    if Membership.objects.filter(group=group, user=user).exists():
        raise MembershipError("You are already a member of this group.")
    if group.join_policy != ReadingGroup.JoinPolicy.REQUEST:
        raise MembershipError("This group does not take join requests.")
    _check_not_banned(group=group, user=user)
    try:
        with transaction.atomic():
            return JoinRequest.objects.create(group=group, user=user, message=message)
    except IntegrityError:
        return JoinRequest.objects.get(group=group, user=user, status=JoinRequest.Status.PENDING)


@transaction.atomic
def join_request_decide(*, join_request: JoinRequest, by: User, approve: bool) -> JoinRequest:
    """Approves (adds the member) or declines a pending request; a decided one stays as it was."""
    current = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if current.status != JoinRequest.Status.PENDING:
        raise MembershipError("This request was already decided.")
    if approve:
        _check_not_banned(group=current.group_id, user=current.user)
    current.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    current.decided_at = timezone.now()
    current.decided_by = by
    current.save(update_fields=["status", "decided_at", "decided_by"])
    if approve:
        _membership_add(group=current.group, user=current.user)
    return current
