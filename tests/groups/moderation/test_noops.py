"""An action on something already in that state changes nothing and says so; no error, no log."""

from django.urls import reverse

from groups.models import ModerationLog
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
from tests.people import client_for


def test_it_treats_repeated_actions_as_no_ops(cast) -> None:
    by, site = cast.organizer, cast.moderator
    paper = cast.nomination.paper
    assert note_unhide(note=cast.note, by=by) is False
    assert flags_dismiss(note=cast.note, by=by) == 0
    assert thread_unlock(subject=cast.nomination, by=by) is False
    assert group_unban(group=cast.group, user=cast.other_member, by=by) is False
    assert user_unsuspend(user=cast.other_member, by=site) is False
    assert paper_unhide(paper=paper, by=site) is False
    assert not ModerationLog.objects.exists()

    assert note_hide(note=cast.note, by=by) is True
    assert thread_lock(subject=cast.nomination, by=by) is True
    assert group_ban(group=cast.group, user=cast.other_member, by=by) is True
    assert user_suspend(user=cast.member, by=site) is True
    assert paper_hide(paper=paper, by=site) is True
    assert ModerationLog.objects.count() == 5

    assert note_hide(note=cast.note, by=by) is False
    assert thread_lock(subject=cast.nomination, by=by) is False
    assert group_ban(group=cast.group, user=cast.other_member, by=by) is False
    assert user_suspend(user=cast.member, by=site) is False
    assert paper_hide(paper=paper, by=site) is False
    assert ModerationLog.objects.count() == 5


def test_it_says_so_when_an_organizer_hides_a_hidden_note(cast) -> None:
    client = client_for(cast.organizer)
    url = reverse("note_hide", args=[cast.group.slug, cast.note.pk])
    first = client.post(url, {"reason": "spam"}, follow=True)
    assert "The note is hidden." in first.content.decode()
    second = client.post(url, {"reason": "spam"}, follow=True)
    assert second.status_code == 200
    assert "The note was already hidden." in second.content.decode()
    assert ModerationLog.objects.filter(action="note_hide").count() == 1
    assert ModerationLog.objects.get().reason == "spam"


def test_it_says_so_when_a_thread_is_locked_twice(cast) -> None:
    client = client_for(cast.organizer)
    url = reverse("thread_lock", args=[cast.group.slug, "nominations", cast.nomination.pk])
    assert "The thread is locked" in client.post(url, follow=True).content.decode()
    assert "already locked" in client.post(url, follow=True).content.decode()
    unlock = reverse("thread_unlock", args=[cast.group.slug, "nominations", cast.nomination.pk])
    assert "open again" in client.post(unlock, follow=True).content.decode()
    assert "was not locked" in client.post(unlock, follow=True).content.decode()
