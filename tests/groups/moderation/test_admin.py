"""The moderation queue, the audit log and the Moderators group in the Django admin."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from groups.models import ModerationLog, NoteFlag, ThreadLock, User
from groups.notes.services import note_hide
from tests.factories import PASSWORD, NoteFactory, NoteFlagFactory, PaperFactory, UserFactory
from tests.people import client_for

QUEUE = reverse("admin:groups_flaggednote_changelist")
LOG = reverse("admin:groups_moderationlog_changelist")
# Session, user, permissions, the page of notes, counts, filters' choices, flags prefetched.
QUEUE_QUERIES = 9


def _act(client: Client, url: str, action: str, ids: list[int], reason: str = "") -> str:
    response = client.post(
        url,
        {"action": action, "_selected_action": [str(pk) for pk in ids], "reason": reason},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_it_creates_the_moderators_group_with_its_permissions(db) -> None:
    codenames = set(
        Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True)
    )
    assert {
        "view_flaggednote",
        "change_flaggednote",
        "change_note",
        "view_noteflag",
        "view_moderationlog",
        "change_user",
        "change_paper",
    } <= codenames
    assert not any(code.startswith(("delete_", "add_")) for code in codenames)


@pytest.mark.parametrize("who", ["anonymous", "member", "organizer"])
def test_it_keeps_non_staff_out_of_the_admin(cast, who) -> None:
    user = {"anonymous": None, "member": cast.member, "organizer": cast.organizer}[who]
    client = client_for(user)
    for url in ["/admin/", QUEUE, LOG]:
        response = client.get(url, follow=True)
        assert b"Site administration" not in response.content
        assert b"moderation queue" not in response.content.lower()


@pytest.mark.parametrize("who", ["moderator", "staff"])
def test_it_lists_flagged_notes_newest_flag_first(cast, who) -> None:
    quiet = NoteFactory(nomination=cast.nomination, author=cast.member, body="Never flagged")
    older = NoteFactory(nomination=cast.nomination, author=cast.member, body="Older flagged note")
    NoteFlagFactory(note=older, flagged_by=cast.other_member, reason="off_topic")
    NoteFlagFactory(note=cast.note, flagged_by=cast.member, reason="spam")
    page = client_for(cast.user(who)).get(QUEUE).content.decode()
    assert page.index("Buy pills") < page.index("Older flagged note")
    assert quiet.body not in page
    spam_only = client_for(cast.user(who)).get(QUEUE, {"flags__reason": "spam"}).content.decode()
    assert "Buy pills" in spam_only and "Older flagged note" not in spam_only


def test_it_lists_a_newer_note_flagged_last_above_an_older_note(cast) -> None:
    """The order is the flags' (last flag first), not the notes' own (oldest note first)."""
    newer = NoteFactory(nomination=cast.nomination, author=cast.member, body="Newer flagged note")
    first, last = (
        NoteFlagFactory(note=cast.note, flagged_by=cast.member),
        NoteFlagFactory(note=newer, flagged_by=cast.other_member),
    )
    NoteFlag.objects.filter(pk=first.pk).update(created_at=last.created_at - dt.timedelta(hours=1))
    page = client_for(cast.moderator).get(QUEUE).content.decode()
    assert page.index("Newer flagged note") < page.index("Buy pills")


def test_it_filters_the_queue_by_state_and_group(cast) -> None:
    NoteFlagFactory(note=cast.note, flagged_by=cast.member)
    other = NoteFactory(body="Other group note")
    NoteFlagFactory(note=other, flagged_by=cast.member)
    note_hide(note=cast.note, by=cast.staff)
    client = client_for(cast.moderator)
    hidden = client.get(QUEUE, {"state": "hidden"}).content.decode()
    assert "Buy pills" in hidden and "Other group note" not in hidden
    mine = client.get(QUEUE, {"group__id__exact": other.group_id}).content.decode()
    assert "Other group note" in mine and "Buy pills" not in mine
    found = client.get(QUEUE, {"q": "pills"}).content.decode()
    assert "Buy pills" in found and "Other group note" not in found


def test_it_shows_a_flagged_note_in_its_thread_read_only(cast) -> None:
    parent = NoteFactory(nomination=cast.nomination, author=cast.member, body="The parent")
    cast.note.parent = parent
    cast.note.save()
    NoteFactory(nomination=cast.nomination, author=cast.member, parent=cast.note, body="A reply")
    NoteFlagFactory(note=cast.note, flagged_by=cast.member, text="<script>x</script>")
    url = reverse("admin:groups_flaggednote_change", args=[cast.note.pk])
    page = client_for(cast.moderator).get(url).content.decode()
    assert "The parent" in page and "A reply" in page and cast.nomination.paper.title in page
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    assert 'name="body"' not in page  # read-only


def test_it_hides_from_the_queue_with_a_reason_and_logs_it(cast) -> None:
    NoteFlagFactory(note=cast.note, flagged_by=cast.member)
    client = client_for(cast.moderator)
    page = _act(client, QUEUE, "hide_notes", [cast.note.pk], "Pharmacy spam")
    assert "Hid 1 note(s)." in page
    entry = ModerationLog.objects.get()
    assert (entry.action, entry.actor, entry.reason, entry.group) == (
        "note_hide",
        cast.moderator,
        "Pharmacy spam",
        cast.group,
    )
    assert "already hidden" in _act(client, QUEUE, "hide_notes", [cast.note.pk])
    assert ModerationLog.objects.count() == 1


def test_it_dismisses_flags_and_locks_threads_in_bulk(cast) -> None:
    second = NoteFactory(nomination=cast.nomination, author=cast.member, body="Second")
    NoteFlagFactory(note=cast.note, flagged_by=cast.member)
    NoteFlagFactory(note=second, flagged_by=cast.other_member)
    client = client_for(cast.moderator)
    assert "Dismissed the flags on 2 note(s)." in _act(
        client, QUEUE, "dismiss_flags", [cast.note.pk, second.pk]
    )
    assert not NoteFlag.objects.filter(dismissed_at__isnull=True).exists()
    # Both notes are in one thread: it is locked once.
    assert "Locked 1 thread(s)." in _act(client, QUEUE, "lock_threads", [cast.note.pk, second.pk])
    assert ThreadLock.objects.get().nomination == cast.nomination
    assert "Unlocked 1 thread(s)." in _act(client, QUEUE, "unlock_threads", [cast.note.pk])


def test_it_suspends_an_author_and_signs_them_out(cast) -> None:
    alice = Client()
    assert (
        alice.post(
            "/accounts/login/", {"login": cast.other_member.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    other = client_for(cast.member)  # someone else's session survives
    assert Session.objects.count() == 2
    NoteFlagFactory(note=cast.note, flagged_by=cast.member)
    page = _act(client_for(cast.moderator), QUEUE, "suspend_authors", [cast.note.pk], "spammer")
    assert "Suspended 1 user(s)" in page
    cast.other_member.refresh_from_db()
    assert not cast.other_member.is_active
    assert alice.get(reverse("profile")).status_code == 302  # signed out
    assert other.get(reverse("profile")).status_code == 200
    entry = ModerationLog.objects.get()
    assert (entry.action, entry.target_id, entry.reason) == (
        "user_suspend",
        cast.other_member.pk,
        "spammer",
    )


def test_it_refuses_sign_in_to_a_suspended_account(cast) -> None:
    from groups.moderation.services import user_suspend

    user_suspend(user=cast.other_member, by=cast.moderator)
    client = Client()
    client.post("/accounts/login/", {"login": cast.other_member.email, "password": PASSWORD})
    assert client.get(reverse("profile")).status_code == 302


def test_it_lets_moderators_suspend_but_not_edit_users(cast) -> None:
    client = client_for(cast.moderator)
    users = reverse("admin:groups_user_changelist")
    assert "Suspended 1 user(s)" in _act(client, users, "suspend_users", [cast.member.pk], "abuse")
    change = reverse("admin:groups_user_change", args=[cast.member.pk])
    page = client.get(change).content.decode()
    assert 'name="is_superuser"' not in page and 'name="email"' not in page
    client.post(change, {"is_superuser": "on", "is_staff": "on", "email": "x@example.org"})
    cast.member.refresh_from_db()
    assert not cast.member.is_superuser and cast.member.email != "x@example.org"
    password = reverse("admin:auth_user_password_change", args=[cast.member.pk])
    assert client.get(password).status_code == 403
    assert client_for(cast.staff).get(password).status_code == 200
    assert client.get(reverse("admin:groups_user_add")).status_code == 403
    assert "Reinstated 1 user(s)" in _act(client, users, "unsuspend_users", [cast.member.pk])


def test_it_hides_papers_from_the_paper_admin(cast) -> None:
    paper = PaperFactory()
    client = client_for(cast.moderator)
    papers = reverse("admin:papers_paper_changelist")
    assert "Hid 1 paper(s)" in _act(client, papers, "hide_papers", [paper.pk], "spam paper")
    paper.refresh_from_db()
    assert paper.hidden
    assert "already hidden" in _act(client, papers, "hide_papers", [paper.pk])
    page = client.get(reverse("admin:papers_paper_change", args=[paper.pk])).content.decode()
    assert 'name="title"' not in page


@pytest.mark.parametrize("who", ["moderator", "staff"])
def test_it_never_lets_anyone_edit_or_delete_the_audit_log(cast, who) -> None:
    note_hide(note=cast.note, by=cast.organizer, reason="rude")
    entry = ModerationLog.objects.get()
    client = client_for(cast.user(who))
    listing = client.get(LOG).content.decode()
    assert "rude" in listing and "delete_selected" not in listing
    assert client.get(reverse("admin:groups_moderationlog_add")).status_code == 403
    change = reverse("admin:groups_moderationlog_change", args=[entry.pk])
    assert client.get(change).status_code == 200  # view only
    client.post(change, {"reason": "nothing to see"})
    delete = reverse("admin:groups_moderationlog_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "rude"
    found = client.get(LOG, {"q": "rude", "action": "note_hide"}).content.decode()
    assert "rude" in found


@pytest.mark.parametrize("flagged", [3, 30])
def test_it_reads_the_queue_in_a_fixed_number_of_queries(
    cast, flagged, django_assert_num_queries
) -> None:
    for index in range(flagged):
        note = NoteFactory(nomination=cast.nomination, author=cast.member, body=f"Flagged {index}")
        NoteFlagFactory(note=note, flagged_by=cast.other_member)
        NoteFlagFactory(note=note, flagged_by=UserFactory(), reason="abuse")
    client = client_for(cast.moderator)
    client.get(QUEUE)  # warm the session and permission caches out of the count
    moderator = User.objects.get(pk=cast.moderator.pk)
    assert moderator.is_staff
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(QUEUE)
    assert response.status_code == 200
