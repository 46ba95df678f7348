"""Version-aware notes (issue 16, item 6): a note remembers its paper's latest arXiv version,
and once a newer one is imported the thread marks the older notes "written about v1; v3 is out",
also when the thread's first page was cached before the import (the real risk)."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from groups.models import Nomination, Note, User
from groups.notes.services import note_create, note_edit
from papers.models import Paper
from tests.factories import NominationFactory
from tests.groups.notes.conftest import Discussed, make_session, make_thread
from tests.network import FakeNetwork
from tests.papers.conftest import V3_ID, import_at_version
from tests.people import client_for

pytestmark = pytest.mark.django_db
MARK = re.compile(r'<a class="tag note-version" href="([^"]+)"[^>]*>([^<]+)</a>')


def _thread_url(subject) -> str:
    kind = "nominations" if subject.__class__.__name__ == "Nomination" else "sessions"
    return reverse("note_thread", args=[subject.group.slug, kind, subject.pk])


def _marks(user: User | None, subject, **headers: str) -> list[tuple[str, str]]:
    response = client_for(user).get(_thread_url(subject), headers=headers)
    assert response.status_code == 200
    return MARK.findall(response.content.decode())


@pytest.fixture
def imported(private: Discussed, network: FakeNetwork) -> Discussed:
    """The private cast discussing 2204.08348, imported from arXiv while v1 was its latest."""
    paper = import_at_version(network, 1)
    nomination = NominationFactory(group=private.group, paper=paper, nominated_by=private.member)
    private.nomination, private.session = nomination, make_session(nomination)
    return private


def test_a_note_remembers_the_version_it_was_written_about(imported, network) -> None:
    on_nomination = note_create(author=imported.member, subject=imported.nomination, body="v1")
    on_session = note_create(author=imported.member, subject=imported.session, body="v1 too")
    import_at_version(network, 3)
    later = note_create(author=imported.owner, subject=imported.nomination, body="On v3")
    assert (on_nomination.paper_version, on_session.paper_version) == (1, 1)
    assert later.paper_version == 3
    # An edit is a correction of what was written then: it keeps the version.
    note_edit(note=on_nomination, user=imported.member, body="v1, fixed")
    on_nomination.refresh_from_db()
    assert on_nomination.paper_version == 1


@pytest.mark.parametrize("subject", ["nomination", "session"])
def test_the_thread_marks_older_notes_once_a_new_version_is_imported(
    imported, network, subject: str
) -> None:
    thread = getattr(imported, subject)
    note_create(author=imported.member, subject=thread, body="About the first version")
    cache.clear()
    # Every kind of reader opens it while v1 is the latest: the shared pages are cached.
    readers = [imported.member, imported.other_member, imported.organizer]
    for user in readers:
        assert _marks(user, thread) == []

    import_at_version(network, 3)
    note_create(author=imported.owner, subject=thread, body="About v3")
    expected = [(f"https://arxiv.org/abs/{V3_ID}v3", "written about v1; v3 is out")]
    for user in readers:
        assert _marks(user, thread) == expected  # only the note about v1
        assert _marks(user, thread, HX_Request="true") == expected


def test_the_mark_shows_on_a_warm_page_after_a_rise_without_a_note_written(
    imported, network
) -> None:
    """No note is written after the import: the thread's notes_version does not move, so only
    the paper's version in the shared rows' key can tell the cached page is old."""
    note_create(author=imported.member, subject=imported.nomination, body="About v1")
    version = Nomination.objects.get(pk=imported.nomination.pk).notes_version
    assert _marks(imported.other_member, imported.nomination) == []  # cached, unmarked
    import_at_version(network, 2)
    assert Nomination.objects.get(pk=imported.nomination.pk).notes_version == version
    assert [text for _, text in _marks(imported.other_member, imported.nomination)] == [
        "written about v1; v2 is out"
    ]


def test_notes_from_before_versions_were_kept_are_not_marked(imported, network) -> None:
    note = note_create(author=imported.member, subject=imported.nomination, body="Old note")
    Note.objects.filter(pk=note.pk).update(paper_version=None)  # as migration 0019 left them
    import_at_version(network, 3)
    assert _marks(imported.member, imported.nomination) == []


def test_the_note_page_and_its_htmx_content_show_the_mark(imported, network) -> None:
    note = note_create(author=imported.member, subject=imported.nomination, body="About v1")
    import_at_version(network, 3)
    client = client_for(imported.member)
    url = reverse("note_detail", args=[imported.group.slug, note.pk])
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert "written about v1; v3 is out" in response.content.decode()


def test_outsiders_see_no_thread_and_no_mark(imported, network) -> None:
    note_create(author=imported.member, subject=imported.nomination, body="About v1")
    import_at_version(network, 3)
    response = client_for(imported.outsider).get(_thread_url(imported.nomination))
    assert response.status_code == 404
    assert client_for(None).get(_thread_url(imported.nomination)).status_code == 404


@pytest.mark.parametrize("count", [10, 300])
def test_a_warm_page_with_marks_costs_what_it_did(
    private, count: int, django_assert_num_queries
) -> None:
    make_thread(
        private.nomination, [private.member, private.other_member, private.organizer], count
    )
    Note.objects.filter(nomination=private.nomination).update(paper_version=1)
    Paper.objects.filter(pk=private.nomination.paper_id).update(latest_version=2)
    client = client_for(private.other_member)
    assert len(_marks(private.other_member, private.nomination)) == min(count, 200)
    # session, user, the membership with its group, the nomination with its paper and lock
    with django_assert_num_queries(4):
        response = client.get(_thread_url(private.nomination))
    assert response.content.decode().count("written about v1; v2 is out") == min(count, 200)
