"""A group's pages show the zone beside each time, in the viewer's zone (CET for Berlin in winter)."""

from datetime import UTC, datetime

import pytest

from groups.models import Activity, ReadingGroup
from tests.factories import DiscussionSessionFactory, InvitationFactory
from tests.people import Cast, make_cast

pytestmark = pytest.mark.django_db

WINTER = datetime(2030, 1, 15, 17, tzinfo=UTC)  # 18:00 CET


@pytest.fixture
def berlin(db) -> Cast:
    cast = make_cast(visibility=ReadingGroup.Visibility.PRIVATE)
    for person in (cast.member, cast.organizer):
        person.time_zone = "Europe/Berlin"
        person.save(update_fields=["time_zone"])
    return cast


def test_it_shows_the_zone_of_the_next_session_and_of_the_activity(berlin: Cast) -> None:
    DiscussionSessionFactory(group=berlin.group, starts_at=WINTER)
    Activity.objects.record(group=berlin.group, actor=berlin.member, kind=Activity.Kind.JOINED)
    berlin.group.activities.update(created_at=WINTER)
    html = berlin.client("member").get(f"/g/{berlin.group.slug}/").content.decode()
    assert (
        'Tuesday 15 January 2030, 18:00 <abbr class="tz" title="Europe/Berlin">CET</abbr>' in html
    )
    assert 'title="15 Jan 2030, 18:00 CET"' in html  # beside "… ago"


def test_it_shows_the_zone_of_an_invitations_expiry(berlin: Cast) -> None:
    InvitationFactory(group=berlin.group, created_by=berlin.organizer, expires_at=WINTER)
    html = berlin.client("organizer").get(f"/g/{berlin.group.slug}/invitations/").content.decode()
    assert "expires 15 Jan 2030 18:00 CET" in html


def test_it_shows_utc_to_a_visitor_without_a_zone(berlin: Cast) -> None:
    DiscussionSessionFactory(group=berlin.group, starts_at=WINTER)
    html = berlin.client("owner").get(f"/g/{berlin.group.slug}/").content.decode()
    assert '17:00 <abbr class="tz" title="UTC">UTC</abbr>' in html
