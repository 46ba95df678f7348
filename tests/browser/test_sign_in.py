import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from groups.models import User
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "Reading-group-passphrase-31"


def test_it_signs_up_verifies_logs_out_and_in_and_sets_the_time_zone(page) -> None:
    # The browser's own zone, which sign-up reads (static/js/time_zone.js).
    page.context.new_cdp_session(page).send(
        "Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"}
    )
    page.goto("/")
    screenshot(page, "home")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password (again):").fill(NEW_PASSWORD)
    screenshot(page, "signup")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    assert User.objects.get(email="grace@example.org").time_zone == "Asia/Tokyo"

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".user-menu summary")).to_be_visible()

    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign Out").click()
    account_menu = page.get_by_role("navigation", name="Account")
    expect(account_menu.get_by_role("link", name="Sign in")).to_be_visible()

    account_menu.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto("/accounts/profile/")
    page.get_by_label("Display name").fill("Grace H.")
    page.get_by_label("Time zone").select_option("America/New_York")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.locator(".user-menu summary")).to_have_text("Grace H.")
    screenshot(page, "profile")

    user = User.objects.get(email="grace@example.org")
    assert (user.display_name, user.time_zone) == ("Grace H.", "America/New_York")
    assert page.js_errors == []


def test_it_shows_a_clear_error_for_a_wrong_password(page) -> None:
    user = UserFactory()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD + "-wrong")
    page.get_by_role("button", name="Sign In").click()
    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()
    screenshot(page, "login-error")


def test_it_reads_well_on_a_phone(browser, live_server) -> None:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/accounts/signup/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling
    screenshot(page, "signup-phone")
    context.close()
