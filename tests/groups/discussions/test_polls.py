"""Time polls: opening one, answering per slot, picking the best slot into a session."""

import datetime as dt
import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from groups.discussions.polls import PollAlreadyPicked, PollError, poll_answer_set, poll_pick
from groups.models import (
    DiscussionSession,
    Nomination,
    PollAnswer,
    PollInvitee,
    Ranking,
    ReadingGroup,
    SessionEmail,
    TimePoll,
    Vote,
)
from tests.concurrency import at_once, postgres_threads
from tests.factories import MembershipFactory, NominationFactory
from tests.groups.discussions.conftest import make_cast, nominate
from tests.groups.discussions.polls import ahead, make_poll, supported
from tests.people import Cast

pytestmark = pytest.mark.django_db
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def form_data(nomination: Nomination, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "nomination": nomination.pk,
        "slot_1": f"{ahead(10):%Y-%m-%d}T18:00",
        "slot_2": f"{ahead(11):%Y-%m-%d}T19:30",
        "slot_3": "",
        "time_zone": "Europe/Berlin",
        "deadline": f"{ahead(5):%Y-%m-%d}T12:00",
        "duration_minutes": 90,
        "place": "Room 4.12",
        "video_url": "",
        "presenter": "",
    }
    data.update(overrides)
    return data


def new_url(cast: Cast) -> str:
    return f"/g/{cast.group.slug}/polls/new/"


def answer(cast: Cast, poll: TimePoll, slot_index: int, value: str, who, htmx: bool = False):
    slot = poll.slots.all()[slot_index]
    client = Client()
    client.force_login(who)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        f"/g/{cast.group.slug}/polls/{poll.pk}/slots/{slot.pk}/answer/",
        {"answer": value},
        headers=headers,
    )


# --- Opening a poll --------------------------------------------------------------------------


def test_it_opens_a_poll_from_the_form_and_invites_supporters_and_presenter(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    nomination = supported(cast, nominate(cast.group), cast.member, cast.owner)
    supported(cast, nominate(cast.group), cast.organizer)  # another paper's voter: not asked
    data = form_data(nomination, presenter=cast.member.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client("organizer").post(new_url(cast), data)

    poll = TimePoll.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/g/{cast.group.slug}/polls/{poll.pk}/"
    invited = set(PollInvitee.objects.filter(poll=poll).values_list("user", flat=True))
    assert invited == {cast.member.pk, cast.owner.pk}
    # Entered in Berlin's wall time, stored in UTC.
    walls = [s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in poll.slots.all()]
    assert walls == ["18:00", "19:30"]
    assert poll.duration == timedelta(minutes=90)
    assert poll.presenter == cast.member
    assert poll.status == TimePoll.Status.OPEN
    # The invitations, by email, to everyone invited, with the times in their own zone.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.member.email, cast.owner.email])
    assert all("When can you come?" in m.subject for m in mail.outbox)
    assert f"/g/{cast.group.slug}/polls/{poll.pk}/" in mail.outbox[0].body


def test_it_invites_those_who_ranked_the_paper_in_their_top_three(cast: Cast) -> None:
    cast.group.ballot_method = ReadingGroup.BallotMethod.RANKED
    cast.group.save(update_fields=["ballot_method"])
    papers = [nominate(cast.group) for _ in range(4)]
    target = papers[3]
    # The member puts it 3rd (after two others, with a gap in the stored ranks): a supporter.
    for rank, nomination in [(1, papers[0]), (4, papers[1]), (7, target)]:
        Vote.objects.create(nomination=nomination, user=cast.member)
        Ranking.objects.create(group=cast.group, nomination=nomination, user=cast.member, rank=rank)
    # The owner puts it 4th: not a supporter, though they voted for it.
    for rank, nomination in enumerate([papers[0], papers[1], papers[2], target], start=1):
        Vote.objects.create(nomination=nomination, user=cast.owner)
        Ranking.objects.create(group=cast.group, nomination=nomination, user=cast.owner, rank=rank)

    poll = make_poll(cast, target)

    assert list(poll.invitees.values_list("user", flat=True)) == [cast.member.pk]


def test_it_says_a_time_that_does_not_exist_in_the_zone_is_an_error(cast: Cast) -> None:
    nomination = supported(cast, nominate(cast.group), cast.member)
    # The last Sunday of March: Berlin's clocks jump from 02:00 to 03:00.
    year = ahead(0).year + 1
    sunday = next(d for d in range(25, 32) if dt.date(year, 3, d).weekday() == 6)
    data = form_data(nomination, slot_3=f"{year}-03-{sunday:02d}T02:30")

    response = cast.client("organizer").post(new_url(cast), data)

    assert response.status_code == 200
    assert "02:30 does not exist on" in response.context["form"].errors["slot_3"][0]
    assert TimePoll.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"slot_2": ""}, "__all__", "Propose at least 2 times"),
        ({"slot_2": f"{ahead(10):%Y-%m-%d}T18:00"}, "slot_2", "proposed twice"),
        ({"slot_2": "2001-01-01T10:00"}, "slot_2", "in the past"),
        ({"deadline": f"{ahead(20):%Y-%m-%d}T12:00"}, "deadline", "before the first"),
        ({"deadline": "2001-01-01T10:00"}, "deadline", "in the past"),
        ({"slot_2": "tomorrow"}, "slot_2", "valid date/time"),
    ],
)
def test_it_refuses_a_bad_poll_with_a_clear_error(
    cast: Cast, overrides: dict, field: str, message: str
) -> None:
    nomination = supported(cast, nominate(cast.group), cast.member)

    response = cast.client("organizer").post(new_url(cast), form_data(nomination, **overrides))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert TimePoll.objects.count() == 0
    assert mail.outbox == []


def test_it_refuses_a_second_poll_for_the_same_paper(cast: Cast) -> None:
    nomination = supported(cast, nominate(cast.group), cast.member)
    make_poll(cast, nomination)

    response = cast.client("organizer").post(new_url(cast), form_data(nomination))

    assert response.status_code == 200
    assert "has a time poll already" in str(response.context["form"].errors)
    assert TimePoll.objects.count() == 1


def test_it_offers_the_poll_from_schedule_the_winner_and_the_sessions_page(cast: Cast) -> None:
    nomination = supported(cast, nominate(cast.group), cast.member)
    client = cast.client("organizer")

    schedule = client.get(f"/g/{cast.group.slug}/sessions/new/").content.decode()
    sessions = client.get(f"/g/{cast.group.slug}/sessions/").content.decode()

    assert f"/g/{cast.group.slug}/polls/new/?nomination={nomination.pk}" in schedule
    assert f"/g/{cast.group.slug}/polls/new/" in sessions


def test_it_shows_the_poll_on_the_invitees_group_home(cast: Cast) -> None:
    nomination = supported(cast, nominate(cast.group), cast.member)
    poll = make_poll(cast, nomination)
    url = f"/g/{cast.group.slug}/polls/{poll.pk}/"

    invited = cast.client("member").get(f"/g/{cast.group.slug}/").content.decode()
    other = cast.client("owner").get(f"/g/{cast.group.slug}/").content.decode()

    assert url in invited and "Answer the time poll" in invited
    assert url not in other


# --- Answering -------------------------------------------------------------------------------


def test_it_keeps_one_answer_per_person_per_slot(cast: Cast) -> None:
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member))

    first = answer(cast, poll, 0, "yes", cast.member)
    second = answer(cast, poll, 0, "maybe", cast.member)

    assert first.status_code == second.status_code == 302
    assert list(PollAnswer.objects.values_list("answer", flat=True)) == ["maybe"]


def test_it_answers_htmx_with_the_slots_row_only(cast: Cast) -> None:
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member))
    slot = poll.slots.all()[1]

    response = answer(cast, poll, 1, "yes", cast.member, htmx=True)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<li") and f'id="slot-{slot.pk}"' in body
    assert "<html" not in body
    assert "<strong>1</strong> yes" in body and "Alice Member" in body
    assert 'aria-pressed="true">Yes<' in body
    # ...and, out of band, who has answered.
    assert 'id="poll-progress" hx-swap-oob="true">1 of 1 invited answered.' in body


def test_it_refuses_an_answer_from_someone_the_poll_does_not_ask(cast: Cast) -> None:
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member))

    response = answer(cast, poll, 0, "yes", cast.owner, htmx=True)

    assert "Only the people this poll asks" in response.content.decode()
    assert PollAnswer.objects.count() == 0


def test_it_refuses_answers_after_the_deadline(cast: Cast) -> None:
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member))
    TimePoll.objects.filter(pk=poll.pk).update(deadline=ahead(-1))

    answer(cast, poll, 0, "yes", cast.member)

    assert PollAnswer.objects.count() == 0
    with pytest.raises(PollError, match="closed"):
        poll_answer_set(poll=poll, slot=poll.slots.first(), user=cast.member, answer="yes")


def test_it_refuses_a_made_up_answer(cast: Cast) -> None:
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member))

    answer(cast, poll, 0, "perhaps", cast.member)

    assert PollAnswer.objects.count() == 0


def test_it_shows_each_slot_in_the_viewers_own_zone(cast: Cast) -> None:
    cast.member.time_zone = "America/New_York"
    cast.member.save(update_fields=["time_zone"])
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member))
    slot = poll.slots.first()
    local = slot.starts_at.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    berlin = slot.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))

    body = cast.client("member").get(f"/g/{cast.group.slug}/polls/{poll.pk}/").content.decode()

    assert f"{local:%H:%M} <abbr" in body
    assert f"{berlin:%a %H:%M} in Europe/Berlin" in body


# --- Picking ---------------------------------------------------------------------------------


def test_it_preselects_most_yes_then_most_if_need_be_with_the_presenter(cast: Cast) -> None:
    extra = MembershipFactory(group=cast.group).user
    nomination = supported(cast, nominate(cast.group), cast.member, cast.owner, extra)
    poll = make_poll(cast, nomination, slots=4, presenter=cast.organizer)
    # Slot 0: 3 yes, but the presenter cannot come. Slot 1: 2 yes. Slot 2: 2 yes, 1 if need be.
    for who, answers in [
        (cast.member, ["yes", "yes", "yes", "no"]),
        (cast.owner, ["yes", "no", "maybe", "no"]),
        (extra, ["yes", "no", "no", "no"]),
        (cast.organizer, ["no", "yes", "yes", "maybe"]),
    ]:
        for index, value in enumerate(answers):
            answer(cast, poll, index, value, who)
    slots = list(poll.slots.all())

    body = cast.client("organizer").get(f"/g/{cast.group.slug}/polls/{poll.pk}/").content.decode()

    assert f'value="{slots[2].pk}" checked' in body
    assert body.count(" checked") == 1
    assert "the presenter cannot come" in body


def test_it_schedules_the_session_from_the_picked_slot(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    nomination = supported(cast, nominate(cast.group), cast.member)
    poll = make_poll(cast, nomination, presenter=cast.member)
    slot = poll.slots.all()[1]

    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client("organizer").post(
            f"/g/{cast.group.slug}/polls/{poll.pk}/pick/", {"slot": slot.pk}
        )

    session = DiscussionSession.objects.get()
    assert response["Location"] == f"/g/{cast.group.slug}/sessions/{session.pk}/"
    assert (session.starts_at, session.duration, session.place) == (
        slot.starts_at,
        timedelta(minutes=90),
        "Room 4.12",
    )
    assert session.presenter == cast.member and session.nomination == nomination
    poll.refresh_from_db()
    assert (poll.status, poll.session, poll.picked_slot) == ("scheduled", session, slot)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SCHEDULED
    # The usual notices with their .ics, to everyone but the organizer who picked.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.owner.email, cast.member.email])
    assert all(m.attachments[0][0] == "session.ics" for m in mail.outbox)


def test_it_picks_a_poll_once(cast: Cast) -> None:
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member))
    first, second = poll.slots.all()[:2]
    session = poll_pick(poll=poll, slot=first, picked_by=cast.organizer)

    with pytest.raises(PollAlreadyPicked) as refused:
        poll_pick(poll=poll, slot=second, picked_by=cast.owner)
    response = cast.client("owner").post(
        f"/g/{cast.group.slug}/polls/{poll.pk}/pick/", {"slot": second.pk}
    )

    assert refused.value.session == session
    assert response["Location"] == f"/g/{cast.group.slug}/sessions/{session.pk}/"
    assert DiscussionSession.objects.get().starts_at == first.starts_at


def test_it_refuses_to_pick_when_the_paper_was_scheduled_meanwhile(cast: Cast) -> None:
    nomination = supported(cast, nominate(cast.group), cast.member)
    poll = make_poll(cast, nomination)
    Nomination.objects.filter(pk=nomination.pk).update(status=Nomination.Status.SCHEDULED)

    with pytest.raises(PollError, match="scheduled meanwhile"):
        poll_pick(poll=poll, slot=poll.slots.first(), picked_by=cast.organizer)

    assert DiscussionSession.objects.count() == 0
    assert TimePoll.objects.get().status == TimePoll.Status.OPEN


def test_it_refuses_another_polls_slot(cast: Cast) -> None:
    poll = make_poll(cast, supported(cast, nominate(cast.group), cast.member))
    other = make_poll(cast, supported(cast, nominate(cast.group), cast.member))

    response = cast.client("organizer").post(
        f"/g/{cast.group.slug}/polls/{poll.pk}/pick/", {"slot": other.slots.first().pk}
    )

    assert response.status_code == 404
    assert DiscussionSession.objects.count() == 0


def test_it_cancels_a_poll_and_keeps_the_paper_on_the_ballot(cast: Cast) -> None:
    nomination = supported(cast, nominate(cast.group), cast.member)
    poll = make_poll(cast, nomination)

    cast.client("organizer").post(f"/g/{cast.group.slug}/polls/{poll.pk}/cancel/")
    answer(cast, poll, 0, "yes", cast.member)
    picked = cast.client("organizer").post(
        f"/g/{cast.group.slug}/polls/{poll.pk}/pick/", {"slot": poll.slots.first().pk}
    )

    poll.refresh_from_db()
    nomination.refresh_from_db()
    assert poll.status == TimePoll.Status.CANCELLED
    assert nomination.status == Nomination.Status.OPEN
    assert PollAnswer.objects.count() == 0
    assert picked.status_code == 302 and DiscussionSession.objects.count() == 0
    # A new poll for the paper is allowed once the old one is cancelled.
    assert make_poll(cast, nomination).status == TimePoll.Status.OPEN


@postgres_threads
def test_it_makes_one_session_when_two_organizers_pick_at_once() -> None:
    cast = make_cast()
    nomination = NominationFactory(group=cast.group)
    Vote.objects.create(nomination=nomination, user=cast.member)
    poll = make_poll(cast, nomination)
    first, second = poll.slots.all()[:2]

    def pick(user, slot) -> object:
        def post() -> int:
            client = Client(raise_request_exception=True)
            client.force_login(user)
            url = f"/g/{cast.group.slug}/polls/{poll.pk}/pick/"
            return client.post(url, {"slot": slot.pk}).status_code

        return post

    statuses, errors = at_once([pick(cast.organizer, first), pick(cast.owner, second)] * 4)

    assert errors == []
    assert statuses == [302] * 8
    assert DiscussionSession.objects.filter(group=cast.group).count() == 1
    session = DiscussionSession.objects.get(group=cast.group)
    assert TimePoll.objects.get(pk=poll.pk).session == session
    assert SessionEmail.objects.filter(session=session, kind="scheduled").count() == 2
