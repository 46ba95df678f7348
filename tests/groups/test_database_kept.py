"""Columns only the database's own updates change (`groups.models.groups.DatabaseKept`): a save()
of an instance read before they changed writes its other fields and leaves them as they are."""

import pytest

from groups.models import DiscussionSession, Nomination, ReadingGroup
from groups.voting.services import vote_cast
from tests.factories import (
    DiscussionSessionFactory,
    MembershipFactory,
    NominationFactory,
    NoteFactory,
)

pytestmark = pytest.mark.django_db


def test_a_group_saved_after_a_vote_keeps_the_ballot_version_the_vote_raised() -> None:
    nomination = NominationFactory()
    member = MembershipFactory(group=nomination.group).user
    stale = ReadingGroup.objects.get(pk=nomination.group_id)
    vote_cast(nomination=nomination, user=member)
    raised = ReadingGroup.objects.get(pk=stale.pk).ballot_version
    assert raised > stale.ballot_version

    stale.name = "Renamed in settings"
    stale.save()

    stored = ReadingGroup.objects.get(pk=stale.pk)
    assert (stored.name, stored.ballot_version) == ("Renamed in settings", raised)


def test_a_nomination_saved_after_a_note_keeps_its_thread_version() -> None:
    nomination = NominationFactory()
    stale = Nomination.objects.get(pk=nomination.pk)
    NoteFactory(nomination=nomination)
    raised = Nomination.objects.get(pk=nomination.pk).notes_version
    assert raised != stale.notes_version

    stale.pitch = "Edited pitch"
    stale.save()

    stored = Nomination.objects.get(pk=nomination.pk)
    assert (stored.pitch, stored.notes_version) == ("Edited pitch", raised)


def test_a_session_saved_after_a_note_keeps_its_thread_version() -> None:
    session = DiscussionSessionFactory()
    stale = DiscussionSession.objects.get(pk=session.pk)
    NoteFactory(nomination=None, session=session, group=session.group)
    raised = DiscussionSession.objects.get(pk=session.pk).notes_version
    assert raised != stale.notes_version

    stale.place = "Room 1"
    stale.save()

    stored = DiscussionSession.objects.get(pk=session.pk)
    assert (stored.place, stored.notes_version) == ("Room 1", raised)


def test_an_explicit_update_fields_still_writes_what_it_names() -> None:
    group = NominationFactory().group
    ReadingGroup.objects.filter(pk=group.pk).update(ballot_version=7)
    group.ballot_version = 9
    group.save(update_fields=["ballot_version"])
    assert ReadingGroup.objects.get(pk=group.pk).ballot_version == 9
