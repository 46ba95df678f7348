"""The signed-in home in a browser: the person's groups (ballots, next sessions) above the latest
papers under their real date, on a desktop and on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Membership, Rsvp
from papers.services import import_file, sample_files
from tests.browser.conftest import screenshot
from tests.browser.test_sessions import sign_in
from tests.factories import (
    DiscussionSessionFactory,
    MembershipFactory,
    NominationFactory,
    PaperFactory,
    ReadingGroupFactory,
    RsvpFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reader():
    """A reader in two groups, one meeting soon, and the shipped sample's daily list."""
    for path in sample_files():
        import_file(path=path)
    alignment = ReadingGroupFactory(name="Alignment Reading Group", slug="alignment")
    reader = MembershipFactory(group=alignment, user__display_name="Mia Member").user
    NominationFactory.create_batch(4, group=alignment)
    session = DiscussionSessionFactory(
        group=alignment,
        paper=PaperFactory(title="Constitutional Classifiers: Defending against Jailbreaks"),
        starts_at=(timezone.now() + timedelta(days=3)).replace(hour=17, minute=0),
    )
    RsvpFactory(session=session, user=reader, answer=Rsvp.Answer.GOING)
    robotics = ReadingGroupFactory(name="Robot Learning Lunch", slug="robots", visibility="private")
    MembershipFactory(group=robotics, user=reader, role=Membership.Role.ORGANIZER)
    NominationFactory(group=robotics)
    return reader


@pytest.mark.parametrize("width", [1200, 390])
def test_it_shows_a_readers_groups_then_the_latest_papers(
    browser, live_server, reader, width: int
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    sign_in(context, live_server, reader)
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your groups")
    cards = page.locator(".home-group")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("4 papers on the ballot")
    expect(cards.first).to_contain_text("Constitutional Classifiers")
    expect(cards.first).to_contain_text("You\u2019re going")
    expect(cards.last).to_contain_text("No session scheduled")
    expect(page.get_by_role("heading", name="Papers of 12 June 2026")).to_be_visible()
    expect(page.locator(".paper-card")).to_have_count(12)
    width_used = page.evaluate("document.documentElement.scrollWidth")
    assert width_used <= width, f"the home page scrolls sideways ({width_used}px)"
    name = "home-signed-in" if width > 390 else "home-signed-in-phone"
    screenshot(page, name, full_page=False)
    page.locator(".home-papers").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('.home-papers').scrollIntoView()")
    screenshot(page, f"{name}-papers", full_page=False)
    context.close()
