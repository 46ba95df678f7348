"""Fairness across rounds in a real browser: an organizer turns it on in the settings, the
ballot states the rule, and the members page shows the organizer each member's weight."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.discussions.services import session_schedule
from groups.models import Membership, Vote
from tests.browser.conftest import screenshot
from tests.browser.test_groups import _signed_in_page
from tests.factories import (
    MembershipFactory,
    NominationFactory,
    PaperFactory,
    ReadingGroupFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organizer_turns_fairness_on_and_sees_the_weights(browser, live_server) -> None:
    group = ReadingGroupFactory(name="Causal Inference Club")
    organizer = UserFactory(display_name="Olga Organizer")
    MembershipFactory(group=group, user=organizer, role=Membership.Role.OWNER)
    mia = MembershipFactory(group=group, user=UserFactory(display_name="Mia Member")).user
    # Two rounds Mia lost: the papers she voted for stayed while others were scheduled.
    hers = NominationFactory(group=group, paper=PaperFactory(title="Double machine learning"))
    Vote.objects.create(nomination=hers, user=mia)
    for title in ("Synthetic controls", "Instrumental variables"):
        winner = NominationFactory(group=group, paper=PaperFactory(title=title))
        Vote.objects.create(nomination=winner, user=organizer)
        session_schedule(
            group=group,
            nomination=winner,
            starts_at=timezone.now() + timedelta(days=7),
            duration=timedelta(hours=1),
            created_by=organizer,
        )

    page = _signed_in_page(browser, live_server, organizer, width=390)
    page.goto(f"/g/{group.slug}/settings/")
    page.get_by_label("Fairness across rounds").check()
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The group's settings are saved.")).to_be_visible()

    page.goto(f"/g/{group.slug}/ballot/")
    rule = page.locator("#fairness-rule")
    expect(rule).to_contain_text("adds 0.5 to their weight, up to 2")
    screenshot(page, "fairness-ballot-phone")
    rule.get_by_role("link", name="See each member's weight").click()
    page.wait_for_url(f"**/g/{group.slug}/members/#fairness")
    row = page.locator(f"#member-{mia.username}")
    expect(row.locator(".fairness-weight")).to_have_text("weight 2")
    expect(row).to_contain_text("lost 2 rounds in a row")
    expect(page.locator(f"#member-{organizer.username} .fairness-weight")).to_have_text("weight 1")
    screenshot(page, "fairness-members-phone")
    assert page.js_errors == []  # type: ignore[attr-defined]
