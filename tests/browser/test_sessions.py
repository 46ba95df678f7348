"""An organizer schedules the winning paper; a member answers with htmx and takes the .ics."""

import zoneinfo
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from groups.models import DiscussionSession, Membership, Nomination, Rsvp, User, Vote
from tests.browser.conftest import screenshot
from tests.factories import (
    DiscussionSessionFactory,
    MembershipFactory,
    NominationFactory,
    PaperFactory,
    ReadingGroupFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def sign_in(context, live_server, user: User) -> None:
    """Signs the browser in by handing it a Django session cookie (sign-in has its own tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def club():
    """Until the groups pages exist on main: the group, its people and its ballot by factory."""
    group = ReadingGroupFactory(
        name="Alignment Reading Group", slug="alignment", time_zone="Europe/Berlin"
    )
    organizer = MembershipFactory(
        group=group, role=Membership.Role.ORGANIZER, user__display_name="Ada Organizer"
    ).user
    member = MembershipFactory(group=group, user__display_name="Mia Member").user
    member.time_zone = "America/New_York"
    member.save(update_fields=["time_zone"])
    voters = UserFactory.create_batch(3)
    winner = NominationFactory(
        group=group,
        paper=PaperFactory(
            title="Constitutional Classifiers: Defending against Universal Jailbreaks"
        ),
    )
    runner_up = NominationFactory(
        group=group, paper=PaperFactory(title="Scaling Monosemanticity in Small Models")
    )
    for voter in voters:
        Vote.objects.create(nomination=winner, user=voter)
    Vote.objects.create(nomination=runner_up, user=voters[0])
    # Some history, so the sessions page shows what a living group looks like.
    DiscussionSessionFactory(
        group=group,
        paper=PaperFactory(title="Sparse Autoencoders Find Highly Interpretable Features"),
        starts_at=timezone.now() - timedelta(days=14),
        status="done",
        presenter=organizer,
    )
    return group, organizer, member, winner


def test_it_schedules_the_winner_and_a_member_answers_and_downloads_the_ics(
    page, browser, live_server, tmp_path
) -> None:
    group, organizer, member, winner = club()
    day = (timezone.now() + timedelta(days=10)).astimezone(BERLIN).date()

    # The organizer schedules the winning paper.
    sign_in(page.context, live_server, organizer)
    page.goto(f"/g/{group.slug}/sessions/")
    screenshot(page, "sessions-empty-organizer")
    page.get_by_role("link", name="Schedule a session").first.click()
    expect(page.get_by_label("Paper")).to_have_value(str(winner.pk))
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    page.get_by_label("Date").fill(f"{day:%Y-%m-%d}")
    page.get_by_label("Start time").fill("18:00")
    page.get_by_label("Duration (minutes)").fill("90")
    page.get_by_label("Place").fill("Seminar room 2.14")
    page.get_by_label("Video link").fill("https://meet.example.org/alignment")
    page.get_by_label("Presenter").select_option(label="Mia Member")
    page.get_by_label("Agenda").fill("10 min recap, then the threat model and the results.")
    screenshot(page, "session-form")
    page.get_by_role("button", name="Schedule it").click()

    expect(page.get_by_text("The session is scheduled.")).to_be_visible()
    session = DiscussionSession.objects.get(nomination=winner)
    assert timezone.localtime(session.starts_at, BERLIN).strftime("%H:%M") == "18:00"
    winner.refresh_from_db()
    assert winner.status == Nomination.Status.SCHEDULED
    screenshot(page, "session-organizer")

    # A member (in New York) answers with htmx: the box changes, the page does not reload.
    member_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1200, "height": 900}, accept_downloads=True
    )
    sign_in(member_context, live_server, member)
    member_page = member_context.new_page()
    errors: list[str] = []
    member_page.on("pageerror", lambda exc: errors.append(str(exc)))
    member_page.goto(f"/g/{group.slug}/sessions/{session.pk}/")
    expect(member_page.get_by_text("in Europe/Berlin")).to_be_visible()
    member_page.evaluate("window.notReloaded = true")
    box = member_page.locator(f"#rsvp-box-{session.pk}")
    expect(box.locator('[data-count="going"]')).to_have_text("0")

    box.get_by_role("button", name="Going", exact=True).click()

    expect(box.locator('[data-count="going"]')).to_have_text("1")
    expect(box.locator('button[value="going"]')).to_have_attribute("aria-pressed", "true")
    expect(box.get_by_text("Mia Member")).to_be_visible()
    assert member_page.evaluate("window.notReloaded") is True
    assert Rsvp.objects.get(session=session, user=member).answer == "going"
    screenshot(member_page, "session-member-going")

    box.get_by_role("button", name="Maybe").click()
    expect(box.locator('[data-count="maybe"]')).to_have_text("1")
    expect(box.locator('[data-count="going"]')).to_have_text("0")
    assert member_page.evaluate("window.notReloaded") is True

    # ...and takes the session to their calendar.
    with member_page.expect_download() as download_info:
        member_page.get_by_role("link", name="Add to calendar (.ics)").click()
    path = tmp_path / "session.ics"
    download_info.value.save_as(path)
    (event,) = Calendar.from_ical(path.read_bytes()).events
    assert str(event["UID"]) == f"session-{session.pk}@paperclub"
    assert (event.start.hour, event.start.minute, str(event.start.tzinfo)) == (
        18,
        0,
        "Europe/Berlin",
    )
    assert event.start.astimezone(zoneinfo.ZoneInfo("UTC")) == session.starts_at
    assert event.end - event.start == timedelta(minutes=90)

    member_page.goto(f"/g/{group.slug}/sessions/")
    screenshot(member_page, "sessions-member")
    assert errors == []
    assert page.js_errors == []
    member_context.close()


def test_it_works_without_javascript(browser, live_server) -> None:
    group, _, member, _ = club()
    session = DiscussionSessionFactory(group=group, presenter=member)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    sign_in(context, live_server, member)
    page = context.new_page()
    page.goto(f"/g/{group.slug}/sessions/{session.pk}/")

    page.get_by_role("button", name="Not going").click()

    expect(page.get_by_text("Your answer is saved: not going.")).to_be_visible()
    assert Rsvp.objects.get(session=session, user=member).answer == "not_going"
    context.close()


@pytest.mark.parametrize("where", ["list", "detail", "form"])
def test_it_reads_well_on_a_phone(browser, live_server, where: str) -> None:
    group, organizer, member, _ = club()
    session = DiscussionSessionFactory(
        group=group,
        paper=PaperFactory(title="A Very Long Paper Title About Reward Hacking in Frontier Models"),
        presenter=member,
        video_url="https://meet.example.org/a-very-long-room-name-that-goes-on-and-on",
        agenda="Recap, discussion, next steps.",
    )
    Rsvp.objects.create(session=session, user=member, answer="going")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    sign_in(context, live_server, organizer)
    page = context.new_page()
    url = {
        "list": f"/g/{group.slug}/sessions/",
        "detail": f"/g/{group.slug}/sessions/{session.pk}/",
        "form": f"/g/{group.slug}/sessions/new/",
    }[where]
    page.goto(url)

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"sessions-{where}-phone")
    context.close()
