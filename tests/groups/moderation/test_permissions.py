"""Every moderation action, tried by a member, an organizer of another group, the organizer, a
staff moderator and a superuser (the issue's list), through the services that enforce it.

An allowed action must change what it says in the database and be logged; a refused one must raise
PermissionDenied and leave every moderated table exactly as it was."""

from collections.abc import Callable

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from groups.membership.services import membership_remove
from groups.models import GroupBan, Membership, ModerationLog, ThreadLock
from groups.moderation.services import (
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
from groups.notes.services import note_hide, note_unhide
from tests.factories import NoteFlagFactory
from tests.groups.moderation.conftest import ACTORS

GROUP_MODERATORS = {"organizer", "moderator", "staff"}
SITE_MODERATORS = {"moderator", "staff"}

# Every table a moderation action writes to, read whole to show a refusal changed nothing.
MODERATED = [
    "groups.User",
    "groups.Membership",
    "groups.Note",
    "groups.NoteFlag",
    "groups.ThreadLock",
    "groups.GroupBan",
    "groups.ModerationLog",
    "papers.Paper",
]


def _rows() -> dict[str, list[dict]]:
    return {
        label: list(apps.get_model(label).objects.order_by("pk").values()) for label in MODERATED
    }


def _expect(
    cast, actor_name: str, allowed: set[str], act: Callable, done: Callable[[], bool]
) -> None:
    """`act` by the actor either happened (`done()` holds now, and did not before) and was
    logged, or was refused with PermissionDenied and changed no row."""
    actor = cast.user(actor_name)
    before = _rows()
    assert not done(), "the action's outcome holds before it is tried"
    if actor_name in allowed:
        act(actor)
        assert done(), f"{actor_name} was allowed but nothing happened"
        assert ModerationLog.objects.count() == len(before["groups.ModerationLog"]) + 1
        assert ModerationLog.objects.first().actor == actor
    else:
        with pytest.raises(PermissionDenied):
            act(actor)
        assert _rows() == before, f"{actor_name} was refused but something changed"


def _note_hidden(note) -> bool:
    return type(note).objects.get(pk=note.pk).hidden_at is not None


def _open_flags(note) -> int:
    return note.flags.filter(dismissed_at__isnull=True).count()


def _locked(nomination) -> bool:
    return ThreadLock.objects.filter(nomination=nomination).exists()


def _banned(cast) -> bool:
    return GroupBan.objects.filter(group=cast.group, user=cast.other_member).exists()


def _active(user) -> bool:
    return type(user).objects.get(pk=user.pk).is_active


def _paper_hidden(paper) -> bool:
    return type(paper).objects.get(pk=paper.pk).hidden


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_moderators_hide_and_unhide_a_note(cast, actor_name) -> None:
    note = cast.note
    _expect(
        cast,
        actor_name,
        GROUP_MODERATORS,
        lambda by: note_hide(note=note, by=by, reason="spam"),
        lambda: _note_hidden(note),
    )
    if actor_name in GROUP_MODERATORS:
        assert ModerationLog.objects.first().reason == "spam"
        _expect(
            cast,
            actor_name,
            GROUP_MODERATORS,
            lambda by: note_unhide(note=note, by=by),
            lambda: not _note_hidden(note),
        )


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_moderators_unhide_a_note(cast, actor_name) -> None:
    note_hide(note=cast.note, by=cast.organizer)
    _expect(
        cast,
        actor_name,
        GROUP_MODERATORS,
        lambda by: note_unhide(note=cast.note, by=by),
        lambda: not _note_hidden(cast.note),
    )


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_moderators_dismiss_flags(cast, actor_name) -> None:
    NoteFlagFactory(note=cast.note, flagged_by=cast.member)
    _expect(
        cast,
        actor_name,
        GROUP_MODERATORS,
        lambda by: flags_dismiss(note=cast.note, by=by),
        lambda: _open_flags(cast.note) == 0,
    )


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_moderators_lock_and_unlock_a_thread(cast, actor_name) -> None:
    _expect(
        cast,
        actor_name,
        GROUP_MODERATORS,
        lambda by: thread_lock(subject=cast.nomination, by=by, reason="heated"),
        lambda: _locked(cast.nomination),
    )
    if actor_name in GROUP_MODERATORS:
        _expect(
            cast,
            actor_name,
            GROUP_MODERATORS,
            lambda by: thread_unlock(subject=cast.nomination, by=by),
            lambda: not _locked(cast.nomination),
        )


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_moderators_unlock_a_thread(cast, actor_name) -> None:
    thread_lock(subject=cast.nomination, by=cast.organizer)
    _expect(
        cast,
        actor_name,
        GROUP_MODERATORS,
        lambda by: thread_unlock(subject=cast.nomination, by=by),
        lambda: not _locked(cast.nomination),
    )


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_moderators_ban_and_unban(cast, actor_name) -> None:
    _expect(
        cast,
        actor_name,
        GROUP_MODERATORS,
        lambda by: group_ban(group=cast.group, user=cast.other_member, by=by, reason="trolling"),
        lambda: _banned(cast),
    )
    # Banning ends the membership; a refused ban leaves it (the unchanged rows show that).
    member = Membership.objects.filter(group=cast.group, user=cast.other_member).exists()
    assert member is (actor_name not in GROUP_MODERATORS)
    if actor_name in GROUP_MODERATORS:
        _expect(
            cast,
            actor_name,
            GROUP_MODERATORS,
            lambda by: group_unban(group=cast.group, user=cast.other_member, by=by),
            lambda: not _banned(cast),
        )


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_moderators_unban(cast, actor_name) -> None:
    group_ban(group=cast.group, user=cast.other_member, by=cast.organizer)
    _expect(
        cast,
        actor_name,
        GROUP_MODERATORS,
        lambda by: group_unban(group=cast.group, user=cast.other_member, by=by),
        lambda: not _banned(cast),
    )


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_site_moderators_suspend_and_unsuspend_users(cast, actor_name) -> None:
    _expect(
        cast,
        actor_name,
        SITE_MODERATORS,
        lambda by: user_suspend(user=cast.other_member, by=by),
        lambda: not _active(cast.other_member),
    )
    if actor_name in SITE_MODERATORS:
        _expect(
            cast,
            actor_name,
            SITE_MODERATORS,
            lambda by: user_unsuspend(user=cast.other_member, by=by),
            lambda: _active(cast.other_member),
        )


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_site_moderators_unsuspend_users(cast, actor_name) -> None:
    user_suspend(user=cast.other_member, by=cast.moderator)
    _expect(
        cast,
        actor_name,
        SITE_MODERATORS,
        lambda by: user_unsuspend(user=cast.other_member, by=by),
        lambda: _active(cast.other_member),
    )


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_site_moderators_hide_and_unhide_papers(cast, actor_name) -> None:
    paper = cast.nomination.paper
    _expect(
        cast,
        actor_name,
        SITE_MODERATORS,
        lambda by: paper_hide(paper=paper, by=by),
        lambda: _paper_hidden(paper),
    )
    if actor_name in SITE_MODERATORS:
        _expect(
            cast,
            actor_name,
            SITE_MODERATORS,
            lambda by: paper_unhide(paper=paper, by=by),
            lambda: not _paper_hidden(paper),
        )


@pytest.mark.parametrize("actor_name", ACTORS)
def test_it_lets_only_site_moderators_unhide_papers(cast, actor_name) -> None:
    paper = cast.nomination.paper
    paper_hide(paper=paper, by=cast.moderator)
    _expect(
        cast,
        actor_name,
        SITE_MODERATORS,
        lambda by: paper_unhide(paper=paper, by=by),
        lambda: not _paper_hidden(paper),
    )


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
    from groups.membership.services import MembershipError

    by = Membership.objects.get(group=cast.group, user=cast.member)
    target = Membership.objects.get(group=cast.group, user=cast.other_member)
    before = _rows()
    with pytest.raises(MembershipError):
        membership_remove(membership=target, by=by)
    assert _rows() == before
