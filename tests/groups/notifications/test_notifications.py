import pytest
from django.core import mail

from groups.membership.services import membership_leave
from groups.models import GroupEmailSettings, Membership, Note, Notification
from groups.notes.services import note_create
from groups.notifications.notices import notification_summary_send
from groups.notifications.tasks import (
    send_group_notices,
    send_notification,
    send_notification_summaries,
    send_session_notice,
)
from groups.voting.services import nomination_create
from tests.concurrency import at_once, postgres_threads
from tests.factories import (
    DiscussionSessionFactory,
    GroupEmailSettingsFactory,
    MembershipFactory,
    PaperFactory,
)
from tests.groups.notifications.conftest import html_of, make_cast, sent_to
from tests.people import Cast

pytestmark = pytest.mark.django_db


def to(*users) -> list[str]:
    return sorted(u.email for u in users)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_it_tells_members_about_a_new_nomination(cast: Cast, on_commit) -> None:
    paper = PaperFactory(title="Attention & <everything>")
    with on_commit():
        nomination_create(group=cast.group, user=cast.member, paper=paper, pitch="Worth it.")

    assert sent_to() == to(cast.owner, cast.organizer)  # not the nominator, not outsiders
    message = mail.outbox[0]
    assert "nominated “Attention & <everything>”" in message.subject
    assert "Worth it." in message.body
    html = html_of(message)
    assert "Attention &amp; &lt;everything&gt;" in html
    assert f"/g/{cast.group.slug}/nominations/" in html  # links back to the thread
    assert "/email/unsubscribe/" in html and "/email/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")


def test_it_tells_nobody_when_a_vote_joins_an_existing_nomination(cast: Cast, on_commit) -> None:
    paper = PaperFactory()
    with on_commit():
        nomination_create(group=cast.group, user=cast.member, paper=paper)
    mail.outbox.clear()
    with on_commit():
        nomination_create(group=cast.group, user=cast.owner, paper=paper)
    assert mail.outbox == []


def test_it_tells_the_author_about_a_reply_and_members_about_mentions(
    cast: Cast, on_commit
) -> None:
    nomination = cast.group.nominations.create(paper=PaperFactory(), nominated_by=cast.owner)
    with on_commit():
        first = note_create(author=cast.member, subject=nomination, body="My take.")
    assert mail.outbox == []  # a note that answers nobody and mentions nobody

    cast.owner.username = "olga"
    cast.owner.save()
    with on_commit():
        note_create(
            author=cast.organizer, subject=nomination, body="Agree, @olga @mia?", parent=first
        )

    kinds = dict(Notification.objects.values_list("user__email", "kind"))
    assert kinds == {cast.member.email: "reply", cast.owner.email: "mention"}
    assert sent_to() == to(cast.member, cast.owner)
    reply = next(m for m in mail.outbox if m.to == [cast.member.email])
    assert "replied to your note" in reply.subject
    assert "Agree, @olga @mia?" in reply.body


def test_it_does_not_tell_you_about_your_own_reply(cast: Cast, on_commit) -> None:
    nomination = cast.group.nominations.create(paper=PaperFactory(), nominated_by=cast.owner)
    with on_commit():
        first = note_create(author=cast.member, subject=nomination, body="One.")
        note_create(author=cast.member, subject=nomination, body="Two.", parent=first)
    assert mail.outbox == []


def test_it_respects_switched_off_notifications(cast: Cast, on_commit) -> None:
    GroupEmailSettingsFactory(user=cast.owner, group=cast.group, nominations=False)
    with on_commit():
        nomination_create(group=cast.group, user=cast.member, paper=PaperFactory())
    assert sent_to() == to(cast.organizer)


def test_it_sends_session_notices_by_preference(cast: Cast) -> None:
    GroupEmailSettingsFactory(user=cast.owner, group=cast.group, sessions=False)
    GroupEmailSettingsFactory(
        user=cast.member, group=cast.group, delivery=GroupEmailSettings.Delivery.DAILY
    )
    session = DiscussionSessionFactory(group=cast.group)

    send_session_notice.delay(session.pk, "scheduled", 0, None)

    assert sent_to() == to(cast.organizer)  # owner: off; member: waits for the summary
    assert "/email/unsubscribe/" in mail.outbox[0].body
    waiting = Notification.objects.get(user=cast.member)
    assert (waiting.kind, waiting.daily, waiting.status) == ("session", True, "pending")


def test_it_collects_daily_notifications_into_one_summary(cast: Cast, on_commit) -> None:
    GroupEmailSettingsFactory(
        user=cast.owner, group=cast.group, delivery=GroupEmailSettings.Delivery.DAILY
    )
    with on_commit():
        nomination_create(group=cast.group, user=cast.member, paper=PaperFactory(title="One"))
        nomination_create(group=cast.group, user=cast.member, paper=PaperFactory(title="Two"))
    assert sent_to() == to(cast.organizer, cast.organizer)  # the owner's wait
    mail.outbox.clear()

    assert send_notification_summaries.delay().get() == 1
    assert send_notification_summaries.delay().get() == 0  # nothing left to summarize

    (summary,) = mail.outbox
    assert summary.to == [cast.owner.email]
    assert "2 updates" in summary.subject
    assert "“One”" in summary.body and "“Two”" in summary.body
    assert cast.group.name in html_of(summary)
    assert set(Notification.objects.filter(user=cast.owner).values_list("status", flat=True)) == {
        "sent"
    }


def test_it_sends_nothing_to_someone_who_left_the_group(cast: Cast, on_commit) -> None:
    GroupEmailSettingsFactory(
        user=cast.organizer, group=cast.group, delivery=GroupEmailSettings.Delivery.DAILY
    )
    with on_commit():
        nomination_create(group=cast.group, user=cast.member, paper=PaperFactory())
    membership_leave(membership=Membership.objects.get(user=cast.organizer, group=cast.group))
    mail.outbox.clear()

    assert notification_summary_send(user_id=cast.organizer.pk) == 0
    assert mail.outbox == []
    assert Notification.objects.get(user=cast.organizer).status == "skipped"


def test_it_sends_nothing_to_someone_who_left_before_an_immediate_send(cast: Cast) -> None:
    notification = Notification.objects.create(
        user=cast.member, group=cast.group, kind="nomination", key="nomination:1",
        subject="s", url="/",
    )  # fmt: skip
    Membership.objects.filter(user=cast.member).delete()

    assert send_notification.delay(notification.pk).get() is False
    assert mail.outbox == []


def test_it_sends_nothing_to_deactivated_or_deleted_accounts(cast: Cast, on_commit) -> None:
    cast.owner.is_active = False
    cast.owner.save()
    cast.organizer.delete()
    with on_commit():
        nomination_create(group=cast.group, user=cast.member, paper=PaperFactory())
    assert mail.outbox == []


def test_it_sends_an_event_once_when_the_task_runs_twice(cast: Cast, on_commit) -> None:
    nomination = cast.group.nominations.create(paper=PaperFactory(), nominated_by=cast.owner)
    with on_commit():
        note = note_create(author=cast.member, subject=nomination, body="@reader hi")
    before = len(mail.outbox)
    assert send_group_notices.delay("note", note.pk).get() == 0
    assert send_group_notices.delay("nomination", nomination.pk).get() == 2
    assert send_group_notices.delay("nomination", nomination.pk).get() == 0
    assert len(mail.outbox) == before + 2
    assert Note.objects.count() == 1


def test_it_records_a_notification_failed_after_its_retries(cast: Cast, failing_mail) -> None:
    notification = Notification.objects.create(
        user=cast.member, group=cast.group, kind="nomination", key="nomination:1",
        subject="s", url="/",
    )  # fmt: skip
    with pytest.raises(Exception, match="Connection unexpectedly closed"):
        send_notification.apply(args=[notification.pk], retries=5, throw=True)
    notification.refresh_from_db()
    assert notification.status == "failed"
    assert send_notification.delay(notification.pk).get() is False  # not tried again


@postgres_threads
def test_it_sends_a_notification_once_when_two_workers_run_at_once() -> None:
    cast = make_cast()
    for _ in range(5):
        MembershipFactory(group=cast.group)
    nomination = cast.group.nominations.create(paper=PaperFactory(), nominated_by=cast.owner)

    def worker() -> object:
        return send_group_notices.apply(args=["nomination", nomination.pk])

    _, errors = at_once([worker, worker])
    assert errors == []
    assert len(mail.outbox) == 7  # everyone but the nominator, once
    assert len(set(sent_to())) == 7


def test_it_tells_only_the_newly_mentioned_after_an_edit(cast: Cast, on_commit) -> None:
    from groups.notes.services import note_edit

    cast.owner.username, cast.organizer.username = "olga", "otto"
    cast.owner.save()
    cast.organizer.save()
    nomination = cast.group.nominations.create(paper=PaperFactory(), nominated_by=cast.owner)
    with on_commit():
        note = note_create(author=cast.member, subject=nomination, body="Hi @olga")
    with on_commit():
        note_edit(note=note, user=cast.member, body="Hi @olga and @otto")

    assert sent_to() == to(cast.organizer, cast.owner)  # one email each
