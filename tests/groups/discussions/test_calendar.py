import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from icalendar import Calendar

from groups.discussions.services import calendar_token_for, session_cancel, session_update
from tests.factories import DiscussionSessionFactory, MembershipFactory
from tests.people import Cast

pytestmark = pytest.mark.django_db
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def at(year_offset: int, month: int, day: int, hour: int, zone=BERLIN) -> datetime:
    return datetime(datetime.now(UTC).year + year_offset, month, day, hour, tzinfo=zone)


def test_it_downloads_one_session_with_the_group_zone(cast: Cast) -> None:
    session = DiscussionSessionFactory(
        group=cast.group, starts_at=at(1, 4, 3, 18), duration=timedelta(minutes=90)
    )

    response = cast.client("member").get(f"/g/{cast.group.slug}/sessions/{session.pk}/session.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    calendar = parse(response.content)
    (event,) = calendar.events
    assert str(event["UID"]) == f"session-{session.pk}@paperclub"
    assert event.start.tzinfo is not None and str(event.start.tzinfo) == "Europe/Berlin"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert (event.start.hour, event.start.minute) == (18, 0)
    assert event.start.astimezone(UTC).hour == 16  # CEST
    assert event.end - event.start == timedelta(minutes=90)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert session.paper.title in str(event["SUMMARY"])
    assert "Room 4.12" in str(event["LOCATION"])
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]


def test_it_keeps_the_uid_and_raises_the_sequence_on_reschedule(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group, starts_at=at(1, 3, 20, 18))
    url = f"/g/{cast.group.slug}/sessions/{session.pk}/session.ics"
    client = cast.client("member")
    before = parse(client.get(url).content).events[0]

    session_update(
        session=session,
        starts_at=at(1, 3, 27, 19),
        duration=session.duration,
        place=session.place,
        video_url="",
        presenter=None,
        agenda="",
        updated_by=cast.organizer,
    )
    after = parse(client.get(url).content).events[0]

    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.start.astimezone(UTC) == at(1, 3, 27, 19).astimezone(UTC)


def test_it_marks_cancelled_sessions_cancelled(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group)
    session_cancel(session=session, cancelled_by=cast.owner)

    feed = parse(cast.client("anonymous").get(f"/g/{cast.group.slug}/calendar.ics").content)

    (event,) = feed.events
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert str(event["SUMMARY"]).startswith("Cancelled: ")


def test_it_publishes_the_group_feed_with_times_in_utc_and_in_the_zone(cast: Cast) -> None:
    winter = DiscussionSessionFactory(group=cast.group, starts_at=at(1, 3, 20, 18))
    summer = DiscussionSessionFactory(group=cast.group, starts_at=at(1, 4, 3, 18))
    DiscussionSessionFactory()  # another group's

    response = Client().get(f"/g/{cast.group.slug}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    feed = parse(response.content)
    events = {str(e["UID"]): e for e in feed.events}
    assert set(events) == {f"session-{winter.pk}@paperclub", f"session-{summer.pk}@paperclub"}
    first, second = events[winter.ical_uid], events[summer.ical_uid]
    assert first.start.astimezone(UTC).hour == 17
    assert second.start.astimezone(UTC).hour == 16
    assert first.start.astimezone(BERLIN).hour == second.start.astimezone(BERLIN).hour == 18
    assert str(feed["X-WR-TIMEZONE"]) == "Europe/Berlin"


def test_it_writes_utc_times_for_a_utc_group(db) -> None:
    from tests.groups.discussions.conftest import make_cast

    cast = make_cast(time_zone="UTC")
    DiscussionSessionFactory(group=cast.group, starts_at=at(1, 5, 1, 9, zone=UTC))

    body = Client().get(f"/g/{cast.group.slug}/calendar.ics").content

    (event,) = parse(body).events
    assert event.start == at(1, 5, 1, 9, zone=UTC)
    assert b"DTSTART:" in body and body.count(b"Z\r\n") >= 2


def test_it_gives_each_private_member_a_token_feed_they_can_regenerate(
    private_cast: Cast,
) -> None:
    session = DiscussionSessionFactory(group=private_cast.group)
    slug = private_cast.group.slug
    member = private_cast.client("member")

    page = member.get(f"/g/{slug}/sessions/").content.decode()
    token = calendar_token_for(group=private_cast.group, user=private_cast.member).token
    old_url = f"/g/{slug}/calendar/{token}.ics"
    assert f"http://testserver{old_url}" in page
    assert f"webcal://testserver{old_url}" in page
    feed = parse(Client().get(old_url).content)
    assert [str(e["UID"]) for e in feed.events] == [session.ical_uid]

    member.post(f"/g/{slug}/calendar/token/")

    new_token = calendar_token_for(group=private_cast.group, user=private_cast.member).token
    assert new_token != token
    assert Client().get(old_url).status_code == 404
    assert Client().get(f"/g/{slug}/calendar/{new_token}.ics").status_code == 200
    assert Client().get(f"/g/{slug}/calendar.ics").status_code == 404


def test_it_gives_two_members_different_tokens(private_cast: Cast) -> None:
    one = calendar_token_for(group=private_cast.group, user=private_cast.member)
    two = calendar_token_for(group=private_cast.group, user=private_cast.owner)

    assert one.token != two.token
    assert len(one.token) >= 32


def test_it_closes_the_token_feed_when_its_member_leaves(private_cast: Cast) -> None:
    token = calendar_token_for(group=private_cast.group, user=private_cast.member).token
    private_cast.group.memberships.filter(user=private_cast.member).delete()

    response = Client().get(f"/g/{private_cast.group.slug}/calendar/{token}.ics")

    assert response.status_code == 404


def test_it_feeds_one_groups_sessions_only_through_a_token(private_cast: Cast) -> None:
    other = MembershipFactory(user=private_cast.member, group__visibility="private").group
    DiscussionSessionFactory(group=other)
    mine = DiscussionSessionFactory(group=private_cast.group)
    token = calendar_token_for(group=private_cast.group, user=private_cast.member).token

    feed = parse(Client().get(f"/g/{private_cast.group.slug}/calendar/{token}.ics").content)

    assert [str(e["UID"]) for e in feed.events] == [mine.ical_uid]


def test_it_hides_the_private_address_from_public_group_pages(cast: Cast) -> None:
    page = cast.client("member").get(f"/g/{cast.group.slug}/sessions/").content.decode()

    assert f"http://testserver/g/{cast.group.slug}/calendar.ics" in page
    assert "Make a new address" not in page
