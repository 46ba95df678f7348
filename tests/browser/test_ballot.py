"""The ballot in a real browser: right under rapid clicks, and live across members."""

import time

import pytest
from playwright.sync_api import Page, expect

from groups.models import Membership, ReadingGroup, User, Vote
from groups.voting.ballot import ranking
from groups.voting.services import nomination_archive, nomination_create, vote_cast
from tests.browser.conftest import screenshot
from tests.browser.test_groups import _mark_no_reload, _signed_in_page
from tests.factories import MembershipFactory, NominationFactory, PaperFactory, VoteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _settle(page: Page, *, quiet_ms: int = 600, timeout_s: float = 15) -> None:
    """Waits until no ballot request has been out for `quiet_ms` (queued clicks go out in turn)."""
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while time.monotonic() < deadline:
        busy = page.locator("#ballot-section").get_attribute("aria-busy") == "true"
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the ballot kept requests out for too long")


def _mismatches(page: Page, group: ReadingGroup, user: User) -> list[str]:
    """Every difference between what the page shows and what the database holds."""
    ranked = ranking(group)
    mine = set(
        Vote.objects.filter(user=user, nomination__group=group).values_list(
            "nomination_id", flat=True
        )
    )
    shown = page.locator("#ballot li.ballot-row").evaluate_all(
        """rows => rows.map(row => ({
            id: Number(row.id.replace('nomination-', '')),
            rank: Number(row.dataset.rank),
            rankText: row.querySelector('.rank').textContent.trim(),
            count: Number(row.querySelector('.count').textContent),
            pressed: row.querySelector('.vote-button').getAttribute('aria-pressed'),
        }))"""
    )
    problems = []
    expected_order = [item.id for item in ranked.order]
    if [row["id"] for row in shown] != expected_order:
        problems.append(f"order {[row['id'] for row in shown]} != {expected_order}")
    for position, item in enumerate(ranked.order, start=1):
        row = next((row for row in shown if row["id"] == item.id), None)
        if row is None:
            problems.append(f"{item.id}: missing")
            continue
        if row["rank"] != position or row["rankText"] != str(position):
            problems.append(f"{item.id}: rank {row['rank']}/{row['rankText']} != {position}")
        if row["count"] != item.votes:
            problems.append(f"{item.id}: count {row['count']} != {item.votes}")
        if row["pressed"] != ("true" if item.id in mine else "false"):
            problems.append(f"{item.id}: button {row['pressed']} but voted={item.id in mine}")
    version = page.locator("#ballot").get_attribute("data-version")
    if version != str(ranked.version):
        problems.append(f"page version {version} != {ranked.version}")
    return problems


def test_it_stays_right_under_rapid_alternating_clicks(browser, live_server, settings) -> None:
    settings.BALLOT_POLL_SECONDS = 2
    ada = MembershipFactory(user__display_name="Ada").user
    group = ada.memberships.get().group
    others = [MembershipFactory(group=group).user for _ in range(3)]
    nominations = [
        NominationFactory(
            group=group, nominated_by=others[0], paper=PaperFactory(title=f"Paper {n}")
        )
        for n in "ABC"
    ]
    # Start from distinct counts, so every click can pass or be passed by a neighbour.
    for nomination, voters in zip(nominations, [others[:1], others[:2], []], strict=True):
        for voter in voters:
            VoteFactory(nomination=nomination, user=voter)

    page = _signed_in_page(browser, live_server, ada)
    page.goto(f"/g/{group.slug}/ballot/")
    navigations = _mark_no_reload(page)
    all_problems = []
    for round_ in range(10):
        for click in range(30):
            nomination = nominations[(click + round_) % 3]
            page.locator(f"#vote-button-{nomination.pk}").click()
            if round_ % 3 == 2 and click == 15:
                # Another member votes in the middle: the page must catch up, not apply deltas blindly.
                vote_cast(nomination=nominations[2], user=others[round_ % 3])
        _settle(page)
        deadline = time.monotonic() + 8  # a change by someone else arrives with the next poll
        problems = _mismatches(page, group, ada)
        while problems and time.monotonic() < deadline:
            page.wait_for_timeout(250)
            problems = _mismatches(page, group, ada)
        all_problems += [f"round {round_}: {problem}" for problem in problems]
    screenshot(page, "ballot-after-rapid-clicks")
    assert all_problems == []
    assert page.evaluate("window.__stillHere") == "yes" and navigations == []
    assert page.js_errors == []
    # Nothing was counted twice: one vote per member per nomination holds in the database too.
    assert Vote.objects.filter(user=ada).count() == len(
        set(Vote.objects.filter(user=ada).values_list("nomination_id", flat=True))
    )


def test_it_shows_other_members_changes_without_a_reload(browser, live_server) -> None:
    ada = MembershipFactory(user__display_name="Ada", role=Membership.Role.OWNER).user
    group = ada.memberships.get().group
    bob = MembershipFactory(group=group, user__display_name="Bob").user
    first = NominationFactory(group=group, nominated_by=ada, paper=PaperFactory(title="Paper One"))
    VoteFactory(nomination=first, user=ada)
    second = NominationFactory(group=group, nominated_by=ada, paper=PaperFactory(title="Paper Two"))

    a = _signed_in_page(browser, live_server, ada)
    statuses: list[int] = []
    a.on(
        "response",
        lambda response: (
            statuses.append(response.status)
            if response.request.headers.get("hx-request") and "/ballot/" in response.url
            else None
        ),
    )
    a.goto(f"/g/{group.slug}/ballot/")
    navigations = _mark_no_reload(a)
    b = _signed_in_page(browser, live_server, bob)
    b.goto(f"/g/{group.slug}/ballot/")

    # Bob votes on his page; Ada's page shows it within 10 seconds, with no navigation.
    b.get_by_role("button", name="Vote for Paper Two").click()
    expect(b.locator(f"#vote-{second.pk} .count")).to_have_text("1")
    started = time.monotonic()
    expect(a.locator(f"#vote-{second.pk} .count")).to_have_text("1", timeout=10_000)
    expect(a.locator(f"#vote-{second.pk} .voters")).to_have_text("Voters: Bob")
    assert time.monotonic() - started < 10

    # A nomination and an archiving elsewhere reach her page the same way.
    nomination_create(group=group, user=bob, paper=PaperFactory(title="Paper Three"))
    expect(a.get_by_role("link", name="Paper Three")).to_be_visible(timeout=10_000)
    nomination_archive(nomination=first, by=Membership.objects.get(user=ada))
    expect(a.locator(f"#nomination-{first.pk}")).to_have_count(0, timeout=10_000)
    expect(a.locator("#ballot .ballot-row").first).to_have_attribute(
        "data-arxiv", second.paper.arxiv_id
    )

    # While nothing changes, the polls are answered "304 Not Modified" (no rendering).
    statuses.clear()
    a.wait_for_timeout(11_000)
    assert statuses and set(statuses) == {304}
    assert a.evaluate("window.__stillHere") == "yes" and navigations == []
    assert a.js_errors == [] and b.js_errors == []
    screenshot(a, "ballot-live-ada")


def test_it_tells_a_member_who_left_in_the_row_and_counts_nothing(browser, live_server) -> None:
    ada = MembershipFactory(user__display_name="Ada").user
    group = ada.memberships.get().group
    organizer = MembershipFactory(group=group, role=Membership.Role.ORGANIZER)
    NominationFactory(group=group, paper=PaperFactory(title="Paper One"))
    archived = NominationFactory(group=group, paper=PaperFactory(title="Paper Two"))

    page = _signed_in_page(browser, live_server, ada)
    page.goto(f"/g/{group.slug}/ballot/")

    # Archived in another tab: the click says so, and the list comes back without it.
    nomination_archive(nomination=archived, by=organizer)
    page.get_by_role("button", name="Vote for Paper Two").click()
    expect(page.locator("#ballot-status")).to_contain_text("This nomination is archived.")
    expect(page.locator(f"#nomination-{archived.pk}")).to_have_count(0, timeout=10_000)

    # Removed from the group meanwhile: the click says so and nothing is counted.
    Membership.objects.filter(user=ada).delete()
    page.get_by_role("button", name="Vote for Paper One").click()
    expect(page.locator("#ballot-status")).to_contain_text("no longer vote on this ballot")
    expect(page.locator("#ballot .vote-error")).to_contain_text("not a member of this group")
    expect(page.get_by_role("button", name="Vote for Paper One")).to_be_disabled()
    assert not Vote.objects.filter(user=ada).exists()
    assert page.js_errors == []
    screenshot(page, "ballot-after-leaving")


def test_it_votes_in_place_on_the_nomination_page(browser, live_server) -> None:
    ada = MembershipFactory(user__display_name="Ada").user
    group = ada.memberships.get().group
    nomination = NominationFactory(group=group, paper=PaperFactory(title="Paper One"))

    page = _signed_in_page(browser, live_server, ada)
    page.goto(f"/g/{group.slug}/n/{nomination.pk}/")
    navigations = _mark_no_reload(page)
    page.get_by_role("button", name="Vote for Paper One").click()
    expect(page.locator(f"#vote-{nomination.pk} .count")).to_have_text("1")
    expect(page.locator(f"#vote-{nomination.pk} .voters")).to_have_text("Voters: Ada")
    page.get_by_role("button", name="Take back your vote for Paper One").click()
    expect(page.locator(f"#vote-{nomination.pk} .count")).to_have_text("0")
    assert not Vote.objects.filter(user=ada).exists()
    assert page.evaluate("window.__stillHere") == "yes" and navigations == []
    assert page.js_errors == []


def test_it_shows_more_and_filters_in_place_on_a_phone(browser, live_server) -> None:
    ada = MembershipFactory(user__display_name="Ada").user
    group = ada.memberships.get().group
    for n in range(60):
        title = "Sparse attention for reading groups" if n == 55 else f"Paper number {n:02d}"
        NominationFactory(group=group, paper=PaperFactory(title=title))

    page = _signed_in_page(browser, live_server, ada, width=390)
    page.goto(f"/g/{group.slug}/ballot/")
    page.evaluate("window.__stillHere = 'yes'")  # gone if the page reloads (URLs are pushed)
    rows = page.locator("#ballot li.ballot-row")
    expect(rows).to_have_count(50)
    screenshot(page, "ballot-phone", full_page=False)

    page.get_by_role("link", name="Show more").click()
    expect(rows).to_have_count(60)
    expect(page.get_by_role("link", name="Show more")).to_have_count(0)
    assert page.url.endswith("?show=100")

    page.get_by_label("Filter the ballot").fill("sparse")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sparse attention for reading groups")
    expect(rows.first.locator(".rank")).to_have_text("56")  # its place on the whole ballot
    page.get_by_role("button", name="Vote for Sparse attention for reading groups").click()
    expect(rows.first.locator(".count")).to_have_text("1")
    expect(rows.first.locator(".rank")).to_have_text("1")  # one vote against none: it leads
    assert page.url.endswith("?q=sparse")
    screenshot(page, "ballot-phone-filtered", full_page=False)
    assert page.evaluate("window.__stillHere") == "yes"
    assert page.js_errors == []


def test_polls_answered_not_modified_leave_the_page_quiet(browser, live_server, settings) -> None:
    settings.BALLOT_POLL_SECONDS = 1
    ada = MembershipFactory(user__display_name="Ada").user
    group = ada.memberships.get().group
    NominationFactory(group=group, nominated_by=ada)
    page = _signed_in_page(browser, live_server, ada)
    statuses: list[int] = []
    page.on("response", lambda response: statuses.append(response.status))
    page.goto(f"/g/{group.slug}/ballot/")

    page.wait_for_timeout(3_500)

    assert 304 in statuses
    expect(page.locator("#ballot-status")).to_have_text("")  # not "Your vote was not saved"
    page.context.close()
