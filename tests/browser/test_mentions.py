"""@mention suggestions in Chromium (static/js/mentions.js): typing "@bo" in a note box lists Bob
under it, the keyboard or a click puts "@bob " in the text, and the posted note links the mention.
The endpoint's own tests are in tests/groups/notes/test_mentions.py."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from groups.notes.services import note_create
from tests.browser.conftest import screenshot
from tests.groups.notes.conftest import make_discussed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def thread_of(cast) -> str:
    return reverse("note_thread", args=[cast.group.slug, "nominations", cast.nomination.pk])


def test_it_suggests_a_member_and_inserts_the_handle(page, live_server) -> None:
    cast = make_discussed("private")
    sign_in(page, live_server, cast.member)
    page.goto(thread_of(cast))
    box = page.get_by_label("Your note")
    box.click()
    expect(box).to_have_attribute("aria-expanded", "false")  # wired up on focus, before any "@"
    box.press_sequentially("Have a look, @bo")

    listbox = page.get_by_role("listbox", name="Members to mention")
    option = listbox.get_by_role("option")
    expect(option).to_have_count(1)
    expect(option).to_have_text("Bob Member @bob")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id") or "?")
    screenshot(page, "mentions-open", full_page=False)

    box.press("Enter")
    expect(box).to_have_value("Have a look, @bob ")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert box.get_attribute("aria-activedescendant") is None

    box.press_sequentially("what do you think?")
    page.get_by_role("button", name="Post note").click()
    mention = page.locator("li.note .note-body a.mention")
    expect(mention).to_have_text("@bob")
    assert page.js_errors == []  # type: ignore[attr-defined]


def test_it_moves_with_the_arrows_closes_on_escape_and_takes_a_click(page, live_server) -> None:
    cast = make_discussed("private")
    note_create(author=cast.other_member, subject=cast.nomination, body="Section 3 is the key.")
    sign_in(page, live_server, cast.member)
    page.goto(thread_of(cast))
    page.locator(".note-actions").get_by_role("link", name="Reply").click()
    box = page.locator("form.reply-form").get_by_role("textbox")
    expect(box).to_be_visible()
    box.click()
    box.press_sequentially("Agreed @o")

    options = page.get_by_role("listbox").get_by_role("option")
    # "o" starts olga's and owen's handles, and is inside "Bob Member".
    expect(options).to_have_count(3)
    assert options.evaluate_all("els => els.map(e => e.dataset.handle)") == ["olga", "owen", "bob"]
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    box.press("ArrowUp")
    box.press("ArrowUp")  # round to the last
    expect(options.nth(2)).to_have_attribute("aria-selected", "true")

    box.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(box).to_have_value("Agreed @o")
    expect(page.locator("form.reply-form")).to_be_visible()  # Escape closed the list only

    box.press_sequentially("w")
    expect(options).to_have_count(1)
    options.first.click()
    expect(box).to_have_value("Agreed @owen ")
    expect(box).to_be_focused()

    # A space ends the mention: nothing is suggested for what follows.
    box.press_sequentially("and @zz")
    page.wait_for_timeout(400)
    expect(page.get_by_role("listbox")).to_be_hidden()
    assert page.js_errors == []  # type: ignore[attr-defined]
