import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from groups.discussions.services import (
    NominationAlreadyScheduled,
    open_nominations_in_ballot_order,
    session_schedule,
)
from groups.models import DiscussionSession, Nomination, Vote
from tests.concurrency import at_once, postgres_threads
from tests.factories import DiscussionSessionFactory, UserFactory
from tests.groups.discussions.conftest import make_cast, nominate
from tests.people import Cast

pytestmark = pytest.mark.django_db
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def next_year(month: int, day: int) -> str:
    return f"{timezone.now().year + 1}-{month:02d}-{day:02d}"


def form_data(nomination: Nomination | None = None, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "date": next_year(3, 20),
        "time": "18:00",
        "time_zone": "Europe/Berlin",
        "duration_minutes": 90,
        "place": "Room 4.12",
        "video_url": "https://meet.example.org/paper-club",
        "presenter": "",
        "agenda": "Intro, method, results.",
    }
    if nomination is not None:
        data["nomination"] = nomination.pk
    data.update(overrides)
    return data


def new_url(cast: Cast) -> str:
    return f"/g/{cast.group.slug}/sessions/new/"


def test_it_ranks_open_nominations_by_votes_then_age(cast: Cast) -> None:
    first_two = nominate(cast.group, votes=2)
    three = nominate(cast.group, votes=3)
    later_two = nominate(cast.group, votes=2)
    nominate(cast.group, votes=9, status=Nomination.Status.WITHDRAWN)
    nominate(make_cast().group, votes=9)  # another group's

    ranked = list(open_nominations_in_ballot_order(cast.group))

    assert ranked == [three, first_two, later_two]
    assert [n.vote_count for n in ranked] == [3, 2, 2]


def test_it_preselects_the_winner(cast: Cast) -> None:
    nominate(cast.group, votes=1)
    winner = nominate(cast.group, votes=4)

    response = cast.client("organizer").get(new_url(cast))

    assert response.status_code == 200
    assert response.context["form"]["nomination"].value() == winner.pk
    assert response.context["form"]["time_zone"].value() == "Europe/Berlin"


def test_it_preselects_the_nomination_asked_for(cast: Cast) -> None:
    nominate(cast.group, votes=4)
    other = nominate(cast.group, votes=0)

    response = cast.client("organizer").get(new_url(cast) + f"?nomination={other.pk}")

    assert response.context["form"]["nomination"].value() == other.pk


def test_it_shows_an_empty_state_without_open_nominations(cast: Cast) -> None:
    response = cast.client("owner").get(new_url(cast))

    assert response.status_code == 200
    assert b"nothing on the ballot to schedule" in response.content


def test_it_schedules_the_winner_and_keeps_its_votes(cast: Cast) -> None:
    winner = nominate(cast.group, votes=3)
    data = form_data(winner, presenter=cast.member.pk)

    response = cast.client("organizer").post(new_url(cast), data)

    session = DiscussionSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/g/{cast.group.slug}/sessions/{session.pk}/"
    assert session.starts_at == datetime.fromisoformat(next_year(3, 20) + "T17:00:00+00:00")
    assert session.duration == timedelta(minutes=90)
    assert (session.paper, session.nomination, session.presenter) == (
        winner.paper,
        winner,
        cast.member,
    )
    assert session.created_by == cast.organizer
    winner.refresh_from_db()
    assert winner.status == Nomination.Status.SCHEDULED
    assert winner.closed_at is not None
    assert Vote.objects.filter(nomination=winner).count() == 3
    assert winner not in open_nominations_in_ballot_order(cast.group)


def test_it_creates_one_session_on_a_double_submit(cast: Cast) -> None:
    winner = nominate(cast.group, votes=1)
    client = cast.client("organizer")

    first = client.post(new_url(cast), form_data(winner))
    second = client.post(new_url(cast), form_data(winner), follow=True)

    session = DiscussionSession.objects.get()
    assert first["Location"] == f"/g/{cast.group.slug}/sessions/{session.pk}/"
    assert second.redirect_chain[0][0] == first["Location"]
    assert b"already scheduled" in second.content


def test_it_turns_the_one_to_one_clash_into_a_clear_error(cast: Cast) -> None:
    # A session already points at a nomination still marked open (a racing request's insert).
    nomination = nominate(cast.group)
    existing = DiscussionSessionFactory(
        group=cast.group, paper=nomination.paper, nomination=nomination
    )

    with pytest.raises(NominationAlreadyScheduled) as raised:
        session_schedule(
            group=cast.group,
            nomination=nomination,
            starts_at=timezone.now() + timedelta(days=3),
            duration=timedelta(hours=1),
            created_by=cast.organizer,
        )

    assert raised.value.session == existing
    assert DiscussionSession.objects.count() == 1
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.OPEN


@postgres_threads
def test_it_creates_one_session_when_two_organizers_submit_at_once() -> None:
    cast = make_cast()
    winner = nominate(cast.group, votes=2)

    def submit() -> str:
        try:
            session_schedule(
                group=cast.group,
                nomination=winner,
                starts_at=timezone.now() + timedelta(days=2),
                duration=timedelta(hours=1),
                created_by=cast.organizer,
            )
        except NominationAlreadyScheduled:
            return "already"
        return "created"

    outcomes, errors = at_once([submit, submit])
    assert errors == []
    assert sorted(outcomes) == ["already", "created"]
    assert DiscussionSession.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "2020-01-01"}, "date", "The start is in the past."),
        ({"duration_minutes": 0}, "duration_minutes", "must end after it starts"),
        ({"duration_minutes": -30}, "duration_minutes", "must end after it starts"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "“Mars/Olympus” is not a known time zone."),
        ({"presenter": "OUTSIDER"}, "presenter", "must be a member of this group"),
        ({"video_url": "not a url at all"}, "video_url", "Enter a valid URL."),
    ],
)
def test_it_rejects_bad_input_with_a_clear_error(
    cast: Cast, overrides: dict, field: str, message: str
) -> None:
    nomination = nominate(cast.group, votes=1)
    if overrides.get("presenter") == "OUTSIDER":
        overrides = {"presenter": cast.outsider.pk}

    response = cast.client("organizer").post(new_url(cast), form_data(nomination, **overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert message.encode() in response.content or message in response.content.decode()
    assert not DiscussionSession.objects.exists()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.OPEN


def test_it_rejects_a_wall_time_that_the_clocks_skip(cast: Cast) -> None:
    nomination = nominate(cast.group)
    year = timezone.now().year + 1
    # The last Sunday of March: 02:00 becomes 03:00 in Berlin.
    day = max(datetime(year, 3, d) for d in range(25, 32) if datetime(year, 3, d).weekday() == 6)
    data = form_data(nomination, date=f"{day:%Y-%m-%d}", time="02:30")

    response = cast.client("organizer").post(new_url(cast), data)

    assert "does not exist" in response.context["form"].errors["time"][0]
    assert not DiscussionSession.objects.exists()


def test_it_keeps_a_berlin_evening_at_18_00_across_the_clock_change(cast: Cast) -> None:
    before = nominate(cast.group, votes=2)
    after = nominate(cast.group, votes=1)
    client = cast.client("organizer")

    client.post(new_url(cast), form_data(before, date=next_year(3, 20)))  # CET, UTC+1
    client.post(new_url(cast), form_data(after, date=next_year(4, 3)))  # CEST, UTC+2

    winter, summer = DiscussionSession.objects.order_by("starts_at")
    assert winter.starts_at.astimezone(UTC).hour == 17
    assert summer.starts_at.astimezone(UTC).hour == 16
    assert (
        winter.starts_at.astimezone(BERLIN).hour == summer.starts_at.astimezone(BERLIN).hour == 18
    )
    # A member in Berlin sees 18:00 both times; one in New York sees the group's time beside theirs.
    cast.member.time_zone = "Europe/Berlin"
    cast.member.save(update_fields=["time_zone"])
    page = cast.client("member").get(f"/g/{cast.group.slug}/sessions/").content.decode()
    assert page.count("18:00\u201319:30") == 2
    assert "in Europe/Berlin" not in page
    cast.member.time_zone = "America/New_York"
    cast.member.save(update_fields=["time_zone"])
    page = cast.client("member").get(f"/g/{cast.group.slug}/sessions/{summer.pk}/").content.decode()
    assert "12:00\u201313:30" in page  # New York is UTC-4 in early April
    assert "18:00 in Europe/Berlin" in page


def test_it_reschedules_in_the_group_zone_and_bumps_the_sequence(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group, presenter=cast.member)
    data = form_data(date=next_year(4, 3), time="18:30", presenter=cast.member.pk)

    response = cast.client("owner").post(f"/g/{cast.group.slug}/sessions/{session.pk}/edit/", data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == datetime.fromisoformat(next_year(4, 3) + "T16:30:00+00:00")
    assert session.sequence == 1


def test_it_keeps_the_sequence_when_only_the_agenda_changes(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group, duration=timedelta(minutes=90))
    edit_url = f"/g/{cast.group.slug}/sessions/{session.pk}/edit/"
    client = cast.client("organizer")
    data = {
        key: "" if value is None else value
        for key, value in client.get(edit_url).context["form"].initial.items()
    }
    data["agenda"] = "New agenda"

    client.post(edit_url, data)

    session.refresh_from_db()
    assert (session.agenda, session.sequence) == ("New agenda", 0)


def test_it_lets_an_unchanged_start_stand_while_editing_a_started_session(cast: Cast) -> None:
    session = DiscussionSessionFactory(
        group=cast.group, starts_at=timezone.now() - timedelta(minutes=10)
    )
    edit_url = f"/g/{cast.group.slug}/sessions/{session.pk}/edit/"
    client = cast.client("organizer")
    data = {
        key: "" if value is None else value
        for key, value in client.get(edit_url).context["form"].initial.items()
    }
    data["place"] = "Room 2"

    response = client.post(edit_url, data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.place == "Room 2"


def test_it_does_not_offer_a_non_member_as_presenter(cast: Cast) -> None:
    nominate(cast.group)
    stranger = UserFactory(display_name="Stranger Danger")

    page = cast.client("organizer").get(new_url(cast)).content.decode()

    assert "Alice Member" in page
    assert stranger.display_name not in page


def test_it_refuses_to_move_a_session_into_the_past(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group)
    before = session.starts_at

    response = cast.client("organizer").post(
        f"/g/{cast.group.slug}/sessions/{session.pk}/edit/", form_data(date="2021-06-01")
    )

    assert response.status_code == 200
    assert "The start is in the past." in response.content.decode()
    session.refresh_from_db()
    assert (session.starts_at, session.sequence) == (before, 0)


@pytest.mark.parametrize("status", ["cancelled", "done"])
def test_it_does_not_edit_a_session_that_is_over(cast: Cast, status: str) -> None:
    session = DiscussionSessionFactory(group=cast.group, status=status)

    response = cast.client("owner").post(
        f"/g/{cast.group.slug}/sessions/{session.pk}/edit/",
        form_data(place="Elsewhere"),
        follow=True,
    )

    assert f"This session is {status}." in response.content.decode()
    session.refresh_from_db()
    assert session.place == "Room 4.12"
