"""A refused note in Chromium (issue 17): over the limit, htmx shows the message in place, keeps
what the person typed and saves nothing; the page is not reloaded."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from groups.models import Note
from tests.browser.conftest import screenshot
from tests.browser.test_sessions import sign_in
from tests.groups.notes.conftest import make_discussed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_says_in_place_that_a_note_was_refused(browser, live_server, rate_limits) -> None:
    rate_limits("note", "1/h", None)
    cast = make_discussed("private")
    context = browser.new_context(base_url=live_server.url)
    sign_in(context, live_server, cast.member)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(reverse("note_thread", args=[cast.group.slug, "nominations", cast.nomination.pk]))
    page.evaluate("window.__samePage = 1")
    box = page.get_by_label("Your note")
    box.fill("The first note")
    page.get_by_role("button", name="Post note").click()
    expect(page.locator("li.note", has_text="The first note")).to_be_visible()

    box.fill("One note too many")
    page.get_by_role("button", name="Post note").click()
    alert = page.locator("#page-alert")
    expect(alert).to_contain_text("You have sent many notes and replies in a short time.")
    expect(alert).to_be_in_viewport()
    expect(box).to_have_value("One note too many")
    assert page.evaluate("window.__samePage") == 1
    screenshot(page, "rate-limited-note", full_page=False)
    assert Note.objects.filter(author=cast.member).count() == 1
    # The 429 is expected; nothing else went wrong.
    assert [p for p in problems if "429" not in p] == []
    context.close()
