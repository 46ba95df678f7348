"""The group's moderation page reads in the same number of queries for few and many rows."""

import pytest
from django.urls import reverse

from groups.models import GroupBan, ModerationLog
from groups.moderation.services import thread_lock
from tests.factories import NominationFactory, NoteFactory, NoteFlagFactory, UserFactory
from tests.people import client_for

PAGE_QUERIES = 7  # session, user, the membership with its group, flags, bans, locks, log


@pytest.mark.parametrize("rows", [2, 25])
def test_it_reads_the_moderation_page_in_fixed_queries(
    cast, rows, django_assert_num_queries
) -> None:
    for index in range(rows):
        note = NoteFactory(nomination=cast.nomination, author=cast.member, body=f"n{index}")
        NoteFlagFactory(note=note, flagged_by=cast.other_member)
        GroupBan.objects.create(group=cast.group, user=UserFactory(), banned_by=cast.organizer)
        thread_lock(subject=NominationFactory(group=cast.group), by=cast.organizer)
    assert ModerationLog.objects.count() == rows
    client = client_for(cast.organizer)
    url = reverse("group_moderation", args=[cast.group.slug])
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Lift ban") == rows
