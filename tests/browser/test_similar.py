"""Similar papers in Chromium: the ballot loads "Suggested for this group" after the page, a
member nominates one in a click (the panel is swapped, the ballot shows the paper), and the
paper page loads what the member's group discussed that is like it."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from groups.models import Membership, Nomination
from tests.browser.conftest import screenshot
from tests.browser.test_sessions import sign_in
from tests.factories import MembershipFactory, ReadingGroupFactory
from tests.groups.similar.conftest import SAMPLE_DAY, discuss, listed, topic_paper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nominate_a_suggestion_and_see_the_similar_panel(browser, live_server) -> None:
    group = ReadingGroupFactory(name="Tuesday Papers", slug="tuesday", visibility="private")
    member = MembershipFactory(
        group=group, role=Membership.Role.MEMBER, user__display_name="Mia Member"
    ).user
    shelf = discuss(group)
    decoding2 = listed(topic_paper("decoding2"), SAMPLE_DAY)
    diffusion2 = listed(topic_paper("diffusion2"), SAMPLE_DAY - timedelta(days=2))
    listed(topic_paper("graphs"), SAMPLE_DAY)  # like nothing read: not suggested

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(30_000)
    sign_in(context, live_server, member)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"/g/{group.slug}/ballot/", wait_until="domcontentloaded")
    panel = page.locator("#suggested")
    expect(panel).to_contain_text("Suggested for this group")  # loaded after the page
    items = panel.locator(".suggested-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(decoding2.title)
    expect(items.first).to_contain_text(f"Like “{shelf.decoding.title}”, discussed")
    expect(items.nth(1)).to_contain_text(diffusion2.title)
    screenshot(page, "similar-suggested")

    with page.expect_response(lambda r: "/suggested/nominate/" in r.url and r.status == 200):
        items.first.get_by_role("button", name="Nominate").click()
    expect(panel).to_contain_text(f"Nominated “{decoding2.title}” with your vote.")
    expect(items).to_have_count(1)
    assert Nomination.objects.filter(group=group, paper=decoding2).open().exists()
    page.reload(wait_until="domcontentloaded")
    expect(page.locator("#ballot")).to_contain_text(decoding2.title)

    page.goto(f"/papers/p/{decoding2.arxiv_id}/", wait_until="domcontentloaded")
    similar = page.locator("#similar-read")
    expect(similar).to_contain_text("Your groups read something like this")
    expect(similar).to_contain_text("Tuesday Papers")
    expect(similar.get_by_role("link", name=shelf.decoding.title)).to_be_visible()
    expect(similar.get_by_role("link", name="notes")).to_have_attribute(
        "href", f"/g/{group.slug}/sessions/{shelf.decoding_session.pk}/notes/"
    )
    screenshot(page, "similar-paper-panel")

    # Pasting a paper the group discussed asks first; nothing is added until asked again.
    page.goto(f"/g/{group.slug}/ballot/", wait_until="domcontentloaded")
    page.get_by_label("arXiv id or link").fill(shelf.decoding.arxiv_id)
    page.locator(".nominate-card").get_by_role("button", name="Nominate").click()
    notice = page.locator("#discussed-again")
    expect(notice).to_contain_text(f"Tuesday Papers discussed “{shelf.decoding.title}” on")
    screenshot(page, "similar-nominate-again")
    assert not Nomination.objects.filter(group=group, paper=shelf.decoding).exists()
    notice.get_by_role("button", name="Nominate it again").click()
    expect(page.locator("#ballot")).to_contain_text(shelf.decoding.title)
    assert Nomination.objects.filter(group=group, paper=shelf.decoding).open().exists()
    assert errors == []
