"""A new arXiv version of a paper a group discussed (issue 16, item 6): the members of each
group that held a session on it are told once per version, by email as they chose for session
news, and on the group's home; other groups and outsiders are not."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from groups.models import Activity, GroupEmailSettings, Notification, VersionNotice
from groups.notifications.tasks import send_version_notices
from groups.notifications.versions import version_notices_record
from papers.models import Paper
from tests.concurrency import at_once, postgres_threads
from tests.factories import DiscussionSessionFactory, MembershipFactory, NominationFactory
from tests.groups.notifications.conftest import html_of, sent_to
from tests.network import FakeNetwork
from tests.papers.conftest import V3_ID, import_at_version
from tests.people import Cast

pytestmark = pytest.mark.django_db


def to(*users) -> list[str]:
    return sorted(user.email for user in users)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def discussed(cast: Cast, network: FakeNetwork) -> Paper:
    """2204.08348 imported at v1, discussed by the cast's group last week; the other group
    only nominated it and meets about it next week (it has not discussed it)."""
    paper = import_at_version(network, 1)
    DiscussionSessionFactory(
        group=cast.group, paper=paper, starts_at=timezone.now() - timedelta(days=7)
    )
    NominationFactory(group=cast.other_group, paper=paper)
    DiscussionSessionFactory(group=cast.other_group, paper=paper)
    return paper


def test_an_import_of_a_new_version_tells_the_group_that_discussed_it_once(
    cast: Cast, network: FakeNetwork, discussed: Paper, on_commit
) -> None:
    with on_commit():
        import_at_version(network, 3)
    # Everyone in the group, nobody of the group that has not met about it, no outsider.
    assert sent_to() == to(cast.owner, cast.organizer, cast.member)
    message = mail.outbox[0]
    assert message.subject.endswith(f"v3 of “{discussed.title}” is out")
    assert f"https://arxiv.org/abs/{V3_ID}v3" in message.body
    assert f"/g/{cast.group.slug}/sessions/" in html_of(message)  # the session's notes
    assert "/email/unsubscribe/" in message.body
    assert VersionNotice.objects.get().group == cast.group

    mail.outbox.clear()
    with on_commit():
        import_at_version(network, 3)  # the same answer again: no rise, nothing sent
    with on_commit():
        send_version_notices.delay(paper_ids=[discussed.pk])  # a rerun of the task
    assert mail.outbox == []

    with on_commit():
        import_at_version(network, 4)  # the next version is news again
    assert sent_to() == to(cast.owner, cast.organizer, cast.member)


def test_an_older_capture_tells_nobody(
    cast: Cast, network: FakeNetwork, discussed: Paper, on_commit
) -> None:
    with on_commit():
        import_at_version(network, 3)
    mail.outbox.clear()
    with on_commit():
        import_at_version(network, 2)
    assert mail.outbox == []


def test_members_get_it_as_they_chose_for_session_news(
    cast: Cast, network: FakeNetwork, discussed: Paper, on_commit
) -> None:
    GroupEmailSettings.objects.create(user=cast.owner, group=cast.group, sessions=False)
    GroupEmailSettings.objects.create(
        user=cast.organizer, group=cast.group, delivery=GroupEmailSettings.Delivery.DAILY
    )
    with on_commit():
        import_at_version(network, 3)
    assert sent_to() == to(cast.member)
    waiting = Notification.objects.get(user=cast.organizer)
    assert (waiting.kind, waiting.daily, waiting.status) == ("version", True, "pending")
    assert not Notification.objects.filter(user=cast.owner).exists()


def test_the_group_home_says_so(cast: Cast, network: FakeNetwork, discussed: Paper, on_commit):
    with on_commit():
        import_at_version(network, 3)
    activity = Activity.objects.get(kind=Activity.Kind.VERSION)
    assert activity.group == cast.group
    page = cast.client("member").get(reverse("group_home", args=[cast.group.slug]))
    assert "<strong>arXiv</strong> posted a new version of" in page.content.decode()
    assert "v3; notes about earlier versions are marked" in page.content.decode()
    other = cast.client("other_organizer").get(reverse("group_home", args=[cast.other_group.slug]))
    assert "posted a new version of" not in other.content.decode()


@pytest.mark.parametrize("members", [0, 20])
def test_recording_costs_the_same_whatever_the_number_of_members(
    cast: Cast, discussed: Paper, members: int, django_assert_num_queries
) -> None:
    for _ in range(members):
        MembershipFactory(group=cast.group)
    Paper.objects.filter(pk=discussed.pk).update(latest_version=3)
    # the sessions with their groups and papers; then for the one group: a savepoint, the
    # claim, the home's line, its members, their notifications, the savepoint's release
    with django_assert_num_queries(7):
        ids = version_notices_record(paper_ids=[discussed.pk])
    assert len(ids) == 3 + members


@postgres_threads
def test_two_workers_at_once_tell_the_group_once(cast: Cast, discussed: Paper) -> None:
    Paper.objects.filter(pk=discussed.pk).update(latest_version=3)

    def worker() -> list[int]:
        return version_notices_record(paper_ids=[discussed.pk])

    results, errors = at_once([worker, worker])
    assert errors == []
    assert sorted(len(ids) for ids in results) == [0, 3]
    assert Notification.objects.filter(kind="version").count() == 3


def test_staff_see_who_was_told_in_the_admin(
    cast: Cast, network: FakeNetwork, discussed: Paper, on_commit
) -> None:
    with on_commit():
        import_at_version(network, 3)
    listing = cast.client("staff").get("/admin/groups/versionnotice/", {"q": V3_ID})
    assert listing.status_code == 200
    assert cast.group.name in listing.content.decode()
    assert cast.client("member").get("/admin/groups/versionnotice/").status_code == 302


def test_the_email_settings_say_which_switch_governs_it(cast: Cast) -> None:
    page = cast.client("member").get(reverse("email_settings"))
    assert "new arXiv versions of papers the group discussed" in page.content.decode()
