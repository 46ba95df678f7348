"""Every moderation action, tried by a member, an organizer of another group, the organizer, a
staff moderator and a superuser (the issue's list), through the services that enforce it."""

import pytest
from django.core.exceptions import PermissionDenied

from groups.membership import membership_remove
from groups.models import GroupBan, Membership, ModerationLog, ThreadLock
from groups.moderation import (
    flags_dismiss,
    group_ban,
    group_unban,
    paper_hide,
    paper_unhide,
    thread_lock,
    thread_unlock,
    user_suspend,
    user_unsuspend,
)
from groups.notes import note_hide, note_unhide
from tests.factories import NoteFlagFactory
from tests.moderation.conftest import ACTORS

GROUP_MODERATORS = {"organizer", "moderator", "staff"}
SITE_MODERATORS = {"moderator", "staff"}


def _expect(cast, actor_name: str, allowed: set[str], act, check) -> None:
    actor = cast.user(actor_name)
    before = ModerationLog.objects.count()
    if actor_name in allowed:
        assert act(actor) is not False
        check()
        entry = ModerationLog.objects.first()
        assert ModerationLog.objects.count() == before + 1
        assert entry.actor == actor
    else:
        with pytest.raises(PermissionDenied):
            act(actor)
        assert ModerationLog.objects.count() == before


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_moderators_hide_and_unhide_a_note(cast, actor_name) -> None:
    note = cast.note
    _expect(
        cast,
        actor_name,
        GROUP_MODERATORS,
        lambda by: note_hide(note=note, by=by, reason="spam"),
        lambda: note.refresh_from_db() or note.is_hidden,
    )
    if actor_name in GROUP_MODERATORS:
        assert ModerationLog.objects.first().reason == "spam"
        _expect(
            cast,
            actor_name,
            GROUP_MODERATORS,
            lambda by: note_unhide(note=note, by=by),
            lambda: None,
        )
        note.refresh_from_db()
        assert not note.is_hidden


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_moderators_dismiss_flags(cast, actor_name) -> None:
    NoteFlagFactory(note=cast.note, flagged_by=cast.member)
    _expect(
        cast,
        actor_name,
        GROUP_MODERATORS,
        lambda by: flags_dismiss(note=cast.note, by=by),
        lambda: None,
    )
    open_flags = cast.note.flags.filter(dismissed_at__isnull=True).count()
    assert open_flags == (0 if actor_name in GROUP_MODERATORS else 1)


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_moderators_lock_and_unlock_a_thread(cast, actor_name) -> None:
    _expect(
        cast,
        actor_name,
        GROUP_MODERATORS,
        lambda by: thread_lock(subject=cast.nomination, by=by, reason="heated"),
        lambda: None,
    )
    locked = ThreadLock.objects.filter(nomination=cast.nomination).exists()
    assert locked == (actor_name in GROUP_MODERATORS)
    if locked:
        _expect(
            cast,
            actor_name,
            GROUP_MODERATORS,
            lambda by: thread_unlock(subject=cast.nomination, by=by),
            lambda: None,
        )
        assert not ThreadLock.objects.exists()


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_moderators_ban_and_unban(cast, actor_name) -> None:
    _expect(
        cast,
        actor_name,
        GROUP_MODERATORS,
        lambda by: group_ban(group=cast.group, user=cast.other_member, by=by, reason="trolling"),
        lambda: None,
    )
    banned = GroupBan.objects.filter(group=cast.group, user=cast.other_member).exists()
    assert banned == (actor_name in GROUP_MODERATORS)
    # Banning ends the membership; a refused ban leaves it.
    assert (
        Membership.objects.filter(group=cast.group, user=cast.other_member).exists() is not banned
    )
    if banned:
        _expect(
            cast,
            actor_name,
            GROUP_MODERATORS,
            lambda by: group_unban(group=cast.group, user=cast.other_member, by=by),
            lambda: None,
        )
        assert not GroupBan.objects.exists()


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_site_moderators_suspend_users(cast, actor_name) -> None:
    _expect(
        cast,
        actor_name,
        SITE_MODERATORS,
        lambda by: user_suspend(user=cast.other_member, by=by),
        lambda: None,
    )
    cast.other_member.refresh_from_db()
    assert cast.other_member.is_active is (actor_name not in SITE_MODERATORS)
    if actor_name in SITE_MODERATORS:
        _expect(
            cast,
            actor_name,
            SITE_MODERATORS,
            lambda by: user_unsuspend(user=cast.other_member, by=by),
            lambda: None,
        )
        cast.other_member.refresh_from_db()
        assert cast.other_member.is_active


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_site_moderators_hide_papers(cast, actor_name) -> None:
    paper = cast.nomination.paper
    _expect(
        cast, actor_name, SITE_MODERATORS, lambda by: paper_hide(paper=paper, by=by), lambda: None
    )
    paper.refresh_from_db()
    assert paper.hidden is (actor_name in SITE_MODERATORS)
    if paper.hidden:
        _expect(
            cast,
            actor_name,
            SITE_MODERATORS,
            lambda by: paper_unhide(paper=paper, by=by),
            lambda: None,
        )
        paper.refresh_from_db()
        assert not paper.hidden


def test_it_records_removing_a_member_in_the_audit_log(cast) -> None:
    by = Membership.objects.get(group=cast.group, user=cast.organizer)
    target = Membership.objects.get(group=cast.group, user=cast.other_member)
    membership_remove(membership=target, by=by, reason="left the lab")
    entry = ModerationLog.objects.get()
    assert (entry.action, entry.actor, entry.group, entry.target_id, entry.reason) == (
        "member_remove",
        cast.organizer,
        cast.group,
        cast.other_member.pk,
        "left the lab",
    )
    assert "bob" in entry.target_label


def test_it_keeps_a_member_from_removing_others(cast) -> None:
    from groups.membership import MembershipError

    by = Membership.objects.get(group=cast.group, user=cast.member)
    target = Membership.objects.get(group=cast.group, user=cast.other_member)
    with pytest.raises(MembershipError):
        membership_remove(membership=target, by=by)
    assert not ModerationLog.objects.exists()
