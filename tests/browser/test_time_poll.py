"""A time poll run to a session: the organizer proposes times, two supporters answer (one with
htmx, one without JavaScript), the organizer picks the preselected best time, and the session
appears with its .ics link; and a session under quorum, whose banner moves it in one click.
Screenshots at a phone's width, for a person to look at."""

import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.discussions.polls import poll_answer_set, poll_create, poll_pick
from groups.models import (
    DiscussionSession,
    Membership,
    PollAnswer,
    ReadingGroup,
    TimePoll,
    Vote,
)
from groups.notifications.tasks import check_session_quorums
from tests.browser.conftest import screenshot
from tests.browser.test_sessions import sign_in
from tests.factories import MembershipFactory, NominationFactory, PaperFactory, ReadingGroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
PHONE = {"width": 390, "height": 844}


def club():
    group = ReadingGroupFactory(
        name="Alignment Reading Group", slug="alignment", time_zone="Europe/Berlin"
    )
    organizer = MembershipFactory(
        group=group, role=Membership.Role.ORGANIZER, user__display_name="Ada Organizer"
    ).user
    mia = MembershipFactory(group=group, user__display_name="Mia Member").user
    mia.time_zone = "America/New_York"
    mia.save(update_fields=["time_zone"])
    ben = MembershipFactory(group=group, user__display_name="Ben Reader").user
    winner = NominationFactory(
        group=group,
        paper=PaperFactory(
            title="Constitutional Classifiers: Defending against Universal Jailbreaks"
        ),
    )
    for voter in (mia, ben):
        Vote.objects.create(nomination=winner, user=voter)
    return group, organizer, mia, ben, winner


def test_a_time_poll_becomes_a_scheduled_session(page, browser, live_server, tmp_path) -> None:
    group, organizer, mia, ben, winner = club()
    days = [(timezone.now() + timedelta(days=n)).astimezone(BERLIN).date() for n in (10, 11, 12)]
    deadline = (timezone.now() + timedelta(days=5)).astimezone(BERLIN).date()

    # The organizer starts from "Schedule the winner" and opens a poll instead.
    sign_in(page.context, live_server, organizer)
    page.goto(f"/g/{group.slug}/sessions/new/")
    page.get_by_role("link", name="Start a time poll").click()
    expect(page.get_by_label("Paper")).to_have_value(str(winner.pk))
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    for n, day in enumerate(days, start=1):
        page.get_by_label(f"Time {n}:", exact=True).fill(f"{day:%Y-%m-%d}T18:00")
    page.get_by_label("Answers close").fill(f"{deadline:%Y-%m-%d}T12:00")
    page.get_by_label("Presenter").select_option(label="Ben Reader")
    page.get_by_label("Place").fill("Seminar room 2.14")
    page.get_by_role("button", name="Open the poll").click()
    expect(page.get_by_text("The poll is open.")).to_be_visible()
    poll = TimePoll.objects.get()
    slots = list(poll.slots.all())
    assert len(slots) == 3

    # Mia (New York), with htmx: each row changes in place, the page does not reload.
    mia_context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    sign_in(mia_context, live_server, mia)
    mia_page = mia_context.new_page()
    errors: list[str] = []
    mia_page.on("pageerror", lambda exc: errors.append(str(exc)))
    mia_page.goto(f"/g/{group.slug}/")
    mia_page.get_by_role("link", name="Answer the time poll").click()
    expect(mia_page.get_by_text("in Europe/Berlin").first).to_be_visible()
    first_local = slots[0].starts_at.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    expect(mia_page.locator(f"#slot-{slots[0].pk} time")).to_contain_text(f"{first_local:%H:%M}")
    mia_page.evaluate("window.notReloaded = true")
    for slot, label, value in zip(
        slots, ["Yes", "If need be", "Yes"], ["yes", "maybe", "yes"], strict=True
    ):
        row = mia_page.locator(f"#slot-{slot.pk}")
        row.get_by_role("button", name=label, exact=True).click()
        # The chosen button reads "✓ Yes" (a CSS mark): find it by its value.
        expect(row.locator(f'button[value="{value}"]')).to_have_attribute("aria-pressed", "true")
        expect(row.get_by_text("Mia Member")).to_be_visible()
    assert mia_page.evaluate("window.notReloaded") is True
    expect(mia_page.locator("#poll-progress")).to_have_text(
        "1 of 2 invited answered. Not answered yet: Ben Reader."
    )
    screenshot(mia_page, "time-poll-member-phone")
    mia_page.screenshot(path=str(tmp_path / "time-poll-member-phone.png"), full_page=True)

    # Ben (the presenter), without JavaScript: plain forms that post and come back.
    ben_context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    sign_in(ben_context, live_server, ben)
    ben_page = ben_context.new_page()
    ben_page.goto(f"/g/{group.slug}/polls/{poll.pk}/")
    for slot, label in zip(slots, ["No", "Yes", "Yes"], strict=True):
        ben_page.locator(f"#slot-{slot.pk}").get_by_role("button", name=label, exact=True).click()
        expect(ben_page.get_by_text("Your answer is saved.")).to_be_visible()
    assert PollAnswer.objects.filter(invitee__poll=poll).count() == 6

    # The organizer's page: the best time (slot 3: two yes, and the presenter can come) is
    # preselected; slot 1 has Mia's yes but not the presenter, slot 2 a yes and an if-need-be.
    page.set_viewport_size(PHONE)
    page.goto(f"/g/{group.slug}/polls/{poll.pk}/")
    expect(page.locator(f"#slot-{slots[2].pk}").get_by_text("Best so far")).to_be_visible()
    expect(page.locator(f'input[name="slot"][value="{slots[2].pk}"]')).to_be_checked()
    screenshot(page, "time-poll-organizer-phone")
    page.screenshot(path=str(tmp_path / "time-poll-organizer-phone.png"), full_page=True)
    page.get_by_role("button", name="Schedule the session at this time").click()

    expect(page.get_by_text("The session is scheduled.")).to_be_visible()
    session = DiscussionSession.objects.get(nomination=winner)
    assert session.starts_at == slots[2].starts_at
    assert timezone.localtime(session.starts_at, BERLIN).strftime("%H:%M") == "18:00"
    assert session.presenter == ben and session.place == "Seminar room 2.14"
    ics = page.get_by_role("link", name="Add to calendar (.ics)")
    expect(ics).to_have_attribute("href", f"/g/{group.slug}/sessions/{session.pk}/session.ics")
    screenshot(page, "time-poll-session-phone")
    page.screenshot(path=str(tmp_path / "time-poll-session-phone.png"), full_page=True)
    print("screenshots in", tmp_path)
    assert errors == []
    assert page.js_errors == []
    mia_context.close()
    ben_context.close()


def test_a_session_under_quorum_warns_with_a_banner_and_moves_in_one_click(
    page, live_server, tmp_path
) -> None:
    group, organizer, mia, ben, winner = club()
    ReadingGroup.objects.filter(pk=group.pk).update(quorum=4)
    poll = poll_create(
        group=group,
        nomination=winner,
        starts=[timezone.now() + timedelta(hours=h) for h in (30, 54, 78)],
        deadline=timezone.now() + timedelta(hours=2),
        duration=timedelta(minutes=60),
        presenter=ben,
        created_by=organizer,
    )
    slots = list(poll.slots.all())
    for slot, answers in zip(slots, [("yes", "yes"), ("no", "maybe"), ("yes", "yes")], strict=True):
        poll_answer_set(poll=poll, slot=slot, user=mia, answer=answers[0])
        poll_answer_set(poll=poll, slot=slot, user=ben, answer=answers[1])
    session = poll_pick(poll=poll, slot=slots[0], picked_by=organizer)
    check_session_quorums.delay().get()  # beat's run: nobody has answered going or maybe

    sign_in(page.context, live_server, organizer)
    page.set_viewport_size(PHONE)
    # The group home shows organizers the same banner, linking to the session.
    page.goto(f"/g/{group.slug}/")
    home_banner = page.get_by_role("alert")
    expect(home_banner).to_contain_text("Under quorum")
    expect(home_banner.get_by_role("button", name="Move to the next-best time")).to_be_visible()
    screenshot(page, "quorum-banner-home-phone")
    home_banner.get_by_role("link", name=winner.paper.title).click()
    page.wait_for_url(f"**/g/{group.slug}/sessions/{session.pk}/")
    # The session page links back to the poll it came from.
    expect(page.locator("#session-poll")).to_have_attribute(
        "href", f"/g/{group.slug}/polls/{poll.pk}/"
    )
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Under quorum")
    expect(banner).to_contain_text("Only 0 going or maybe")
    expect(banner).to_contain_text("quorum is 4.")
    screenshot(page, "quorum-banner-phone")
    page.screenshot(path=str(tmp_path / "quorum-banner-phone.png"), full_page=True)
    print("screenshots in", tmp_path)
    banner.get_by_role("button", name="Move to the next-best time").click()

    expect(page.get_by_text("The session is moved.")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    session.refresh_from_db()
    assert session.starts_at == slots[2].starts_at
    assert page.js_errors == []
