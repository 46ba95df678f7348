import pytest
from django.test import Client

from tests.factories import InvitationFactory, JoinRequestFactory, NominationFactory, VoteFactory
from tests.people import Cast

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    ["readinggroup", "membership", "invitation", "joinrequest", "nomination", "vote", "activity"],
)
def test_it_lists_searches_and_filters_in_the_admin(cast: Cast, model: str) -> None:
    nomination = NominationFactory(group=cast.group)
    VoteFactory(nomination=nomination, user=cast.member)
    InvitationFactory(group=cast.group, email="guest@example.org")
    JoinRequestFactory(group=cast.group)
    client = Client()
    client.force_login(cast.staff)

    listing = client.get(f"/admin/groups/{model}/")
    assert listing.status_code == 200
    assert "search" in listing.content.decode().lower()
    assert 'id="changelist-filter"' in listing.content.decode()
    assert client.get(f"/admin/groups/{model}/", {"q": cast.group.name}).status_code == 200


def test_it_opens_a_group_and_a_nomination_in_the_admin(cast: Cast) -> None:
    nomination = NominationFactory(group=cast.group)
    client = Client()
    client.force_login(cast.staff)
    assert client.get(f"/admin/groups/readinggroup/{cast.group.pk}/change/").status_code == 200
    assert client.get(f"/admin/groups/nomination/{nomination.pk}/change/").status_code == 200
