"""Two people run a private reading group; votes re-rank the ballot in place; outsiders see nothing."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from groups.models import Nomination, ReadingGroup, User, Vote
from tests.browser.conftest import screenshot
from tests.factories import PaperFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in_page(browser, live_server, user: User, *, width: int = 1200) -> Page:
    """A browser tab with its own cookies, signed in as `user` (the sign-in form has its own test)."""
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
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    return page


def _ranking(page: Page) -> list[str]:
    return page.locator("#ballot .ballot-row").evaluate_all(
        "rows => rows.map(row => row.dataset.arxiv)"
    )


def _count(page: Page, nomination: Nomination) -> str:
    return page.locator(f"#vote-{nomination.pk} .count").inner_text()


def _mark_no_reload(page: Page) -> list[str]:
    """Leaves a marker in the page's JavaScript and records navigations: both show a reload."""
    page.evaluate("window.__stillHere = 'yes'")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    return navigations


def _nominate(page: Page, slug: str, pasted: str, pitch: str) -> None:
    page.goto(f"/g/{slug}/ballot/")
    page.get_by_label("arXiv id or link").fill(pasted)
    page.get_by_label("Why read it? (optional)").fill(pitch)
    page.get_by_role("button", name="Nominate", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Nominated")


def test_it_runs_a_private_group_from_invitation_to_a_live_ballot(
    browser, live_server, settings
) -> None:
    settings.SITE_URL = live_server.url  # invite links are absolute
    first = PaperFactory(arxiv_id="2406.10001", title="Sparse Mixtures of Reading Experts")
    second = PaperFactory(arxiv_id="2406.10002", title="Scaling Laws for Journal Clubs")
    ada = UserFactory(display_name="Ada")
    bob = UserFactory(display_name="Bob")
    eve = UserFactory(display_name="Eve")

    # Ada creates a private, invitation-only group and an invite link.
    a = _signed_in_page(browser, live_server, ada)
    a.goto("/groups/new/")
    a.get_by_label("Name").fill("Deep Learning Circle")
    a.get_by_label("Private: only members see it").check()
    a.get_by_label("Invitation only").check()
    screenshot(a, "groups-new")
    a.get_by_role("button", name="Create group").click()
    expect(a.get_by_role("heading", name="Deep Learning Circle")).to_be_visible()
    group = ReadingGroup.objects.get(name="Deep Learning Circle")
    assert (group.visibility, group.join_policy) == ("private", "invite")
    screenshot(a, "groups-home-empty")

    a.get_by_role("link", name="Invite").click()
    a.get_by_role("button", name="Create link").click()
    invite_url = a.get_by_label("Invite link").first.input_value()
    assert "/join/" in invite_url
    screenshot(a, "groups-invitations")

    # Bob joins through the link.
    b = _signed_in_page(browser, live_server, bob)
    b.goto(invite_url)
    screenshot(b, "groups-join-link")
    b.get_by_role("button", name="Join Deep Learning Circle").click()
    expect(b.locator(".messages")).to_contain_text("Welcome to Deep Learning Circle!")

    # Both nominate, by pasted link and by bare id.
    _nominate(a, group.slug, "https://arxiv.org/abs/2406.10001v2", "Clear and short.")
    _nominate(b, group.slug, "2406.10002", "The figures alone are worth it.")
    n1 = Nomination.objects.get(paper=first)
    n2 = Nomination.objects.get(paper=second)
    assert _ranking(b) == ["2406.10001", "2406.10002"]  # tie: the earlier nomination first

    # Bob votes for Ada's paper: his vote box changes in place, without a reload.
    navigations = _mark_no_reload(b)
    b.get_by_role("button", name=f"Vote for {first.title}").click()
    expect(b.locator(f"#vote-{n1.pk} .count")).to_have_text("2")
    expect(b.get_by_role("button", name=f"Take back your vote for {first.title}")).to_be_visible()
    expect(b.locator(f"#vote-{n1.pk} .voters")).to_have_text("Voters: Ada, Bob")
    assert b.evaluate("window.__stillHere") == "yes"
    assert navigations == []
    screenshot(b, "groups-ballot-bob")

    # Ada votes for Bob's paper and takes back her own vote: the ranking flips in place.
    a.goto(f"/g/{group.slug}/ballot/")
    navigations = _mark_no_reload(a)
    assert _ranking(a) == ["2406.10001", "2406.10002"]
    a.get_by_role("button", name=f"Vote for {second.title}").click()
    expect(a.locator(f"#vote-{n2.pk} .count")).to_have_text("2")
    a.get_by_role("button", name=f"Take back your vote for {first.title}").click()
    expect(a.locator(f"#vote-{n1.pk} .count")).to_have_text("1")
    expect(a.locator("#ballot .ballot-row").first).to_have_attribute("data-arxiv", "2406.10002")
    assert _ranking(a) == ["2406.10002", "2406.10001"]
    expect(a.locator("#ballot .ballot-row").first.locator(".rank")).to_have_text("1")
    assert a.evaluate("window.__stillHere") == "yes"
    assert navigations == []
    screenshot(a, "groups-ballot-ada")

    assert set(Vote.objects.values_list("nomination__paper__arxiv_id", "user__display_name")) == {
        ("2406.10001", "Bob"),
        ("2406.10002", "Ada"),
        ("2406.10002", "Bob"),
    }

    a.goto(f"/g/{group.slug}/members/")
    expect(a.get_by_label("Role of Bob")).to_have_value("member")
    screenshot(a, "groups-members")
    a.goto(f"/g/{group.slug}/n/{n2.pk}/")
    screenshot(a, "groups-nomination")

    # Eve, signed in but not a member, finds nothing there.
    e = _signed_in_page(browser, live_server, eve)
    for path in (f"/g/{group.slug}/", f"/g/{group.slug}/ballot/", f"/g/{group.slug}/members/"):
        response = e.goto(path)
        assert response is not None and response.status == 404
        expect(e.get_by_role("heading", name="Page not found")).to_be_visible()
    assert "Deep Learning Circle" not in e.content()
    screenshot(e, "groups-outsider-404")

    # The ballot reads well on a phone: no sideways scrolling, the vote button is reachable.
    phone = _signed_in_page(browser, live_server, bob, width=390)
    phone.goto(f"/g/{group.slug}/ballot/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name=f"Take back your vote for {first.title}").click()
    expect(phone.locator(f"#vote-{n1.pk} .count")).to_have_text("0")
    screenshot(phone, "groups-ballot-phone")
    phone.goto(f"/g/{group.slug}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "groups-home-phone")

    for page in (a, b, e, phone):
        assert page.js_errors == []  # type: ignore[attr-defined]
        page.context.close()


def test_it_votes_without_javascript(browser, live_server) -> None:
    member = UserFactory(display_name="Nadia")
    group = ReadingGroup.objects.create(name="Plain HTML Club", slug="plain-html")
    group.memberships.create(user=member, role="owner")
    paper = PaperFactory(title="Progressive Enhancement Considered")
    Nomination.objects.create(group=group, paper=paper, nominated_by=member)

    client = Client()
    client.force_login(member)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"/g/{group.slug}/ballot/")
    page.get_by_role("button", name=f"Vote for {paper.title}").click()
    expect(page.locator(".messages")).to_contain_text("Your vote is counted.")
    expect(page).to_have_url(f"{live_server.url}/g/{group.slug}/ballot/")
    expect(page.locator(".vote-box .count")).to_have_text("1")
    context.close()


def test_it_lists_and_searches_public_groups(page, live_server) -> None:
    for name, description in [
        ("Robot Learning Reading Group", "Manipulation, locomotion and world models."),
        ("Theory Tuesdays", "Learning theory, one proof at a time."),
        ("NLP Lunch", "Language models over lunch."),
    ]:
        ReadingGroup.objects.create(
            name=name, slug=name.lower().replace(" ", "-"), description=description
        )
    ReadingGroup.objects.create(name="Secret Society", slug="secret", visibility="private")
    page.goto("/groups/")
    expect(page.locator(".group-card")).to_have_count(3)
    screenshot(page, "groups-directory")
    page.get_by_label("Search groups").fill("learning")
    expect(page.locator(".group-card")).to_have_count(2)
    assert "q=learning" in page.url
    assert page.js_errors == []  # type: ignore[attr-defined]
