import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import Page, expect

from groups.models import EmailPreferences, User
from groups.notifications.tasks import send_digests
from tests.browser.conftest import screenshot
from tests.factories import UserFactory
from tests.groups.notifications.conftest import DAY, list_papers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in_page(browser, live_server, user: User, *, width: int = 1200) -> Page:
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(10_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def test_it_subscribes_receives_the_digest_and_unsubscribes_from_the_email(
    browser, live_server, page: Page, settings
) -> None:
    settings.SITE_URL = live_server.url
    papers = list_papers(
        DAY,
        [412, 268, 97, 54, 12],
        ai_summary="A short summary of what the paper does, how, and what it finds.",
        organization="Example Lab",
    )
    reader = UserFactory(display_name="Rita Reader")
    tab = _signed_in_page(browser, live_server, reader, width=390)

    tab.goto(f"/papers/{DAY.isoformat()}/")
    box = tab.get_by_role("complementary", name="Get trending papers in your email inbox")
    screenshot(tab, "email-digest-signup-phone", full_page=False)
    box.get_by_role("button", name="Subscribe").click()
    expect(tab.get_by_role("status")).to_contain_text("Subscribed")
    assert tab.url.endswith(f"/papers/{DAY.isoformat()}/")
    assert EmailPreferences.objects.get(user=reader).digest_enabled

    send_digests.delay(DAY.isoformat())
    (message,) = mail.outbox
    html = message.alternatives[0][0]

    for width, name in ((640, "email-digest"), (390, "email-digest-phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.set_content(html)
        expect(page.get_by_role("heading", name="Trending papers")).to_be_visible()
        screenshot(page, name)
    expect(page.get_by_role("link", name=papers[0].title)).to_be_visible()
    unsubscribe = page.get_by_role("link", name="Unsubscribe").get_attribute("href")
    assert unsubscribe and unsubscribe.startswith(live_server.url)

    page.goto(unsubscribe)  # anonymous: no sign-in needed
    expect(page.get_by_role("heading", name="Unsubscribe?")).to_be_visible()
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    screenshot(page, "email-unsubscribed")
    assert not EmailPreferences.objects.get(user=reader).digest_enabled
    assert page.js_errors == []  # type: ignore[attr-defined]


def test_it_shows_the_email_settings_page_on_a_phone(browser, live_server) -> None:
    from tests.factories import MembershipFactory

    membership = MembershipFactory(group__name="Vision Readers")
    tab = _signed_in_page(browser, live_server, membership.user, width=390)
    tab.goto("/accounts/notifications/")
    tab.get_by_label("Email me the day's trending papers").check()
    tab.get_by_label("One daily summary").check()
    tab.get_by_role("button", name="Save email settings").click()
    expect(tab.get_by_role("status")).to_contain_text("saved")
    expect(tab.get_by_label("One daily summary")).to_be_checked()
    screenshot(tab, "email-settings-phone")
