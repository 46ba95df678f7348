"""The group's history in Chromium: searching swaps the results in place and pushes the URL
(back restores the page), and an organizer downloads the JSON export (Playwright's download)."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from groups.models import DiscussionSession, Membership, Note, Rsvp
from tests.browser.conftest import screenshot
from tests.browser.test_sessions import sign_in
from tests.factories import MembershipFactory, PaperFactory, ReadingGroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def reading_group():
    group = ReadingGroupFactory(name="Tuesday Papers", slug="tuesday", visibility="private")
    organizer = MembershipFactory(
        group=group, role=Membership.Role.ORGANIZER, user__display_name="Ada Organizer"
    ).user
    member = MembershipFactory(group=group, user__display_name="Mia Member").user
    titles = [
        ("Attention Is All You Need", ["Ashish Vaswani", "Noam Shazeer"], ["transformers"]),
        ("Deep Residual Learning for Image Recognition", ["Kaiming He"], ["vision", "resnets"]),
        ("Denoising Diffusion Probabilistic Models", ["Jonathan Ho"], ["diffusion"]),
        ("Sparse Attention in Long Documents", ["Iz Beltagy"], ["transformers", "sparsity"]),
    ]
    start = datetime(2024, 1, 9, 17, 0, tzinfo=UTC)
    for week, (title, authors, keywords) in enumerate(titles):
        session = DiscussionSession.objects.create(
            group=group,
            paper=PaperFactory(title=title, authors=authors, ai_keywords=keywords),
            starts_at=start + timedelta(weeks=30 * week),
            duration=timedelta(hours=1),
            presenter=organizer if week % 2 else member,
            status="done",
        )
        Rsvp.objects.create(session=session, user=member, answer="going")
        Note.objects.create(
            group=group,
            session=session,
            author=member,
            body=f"Notes on {title}",
            body_html="<p>n</p>",
        )
    return group, organizer


def test_history_search_and_export_download(browser, live_server) -> None:
    group, organizer = reading_group()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
    # The first page of a live server on a machine shared with other suites can take seconds.
    context.set_default_timeout(30_000)
    sign_in(context, live_server, organizer)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"/g/{group.slug}/history/", wait_until="domcontentloaded")
    rows = page.locator(".history-row")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("Sparse Attention in Long Documents")  # newest first

    # Typing searches with htmx: the results are swapped in place and the URL is pushed.
    with page.expect_response(lambda r: "q=attention" in r.url and r.status == 200):
        page.get_by_label("Search", exact=True).fill("attention")
    expect(rows).to_have_count(2)
    expect(page.locator("#history-count")).to_contain_text("2 sessions match")
    assert "q=attention" in page.url
    with page.expect_response(lambda r: "year=2025" in r.url and r.status == 200):
        page.get_by_label("Year").select_option("2025")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sparse Attention in Long Documents")
    screenshot(page, "history-search")

    # Back restores the search before the year was chosen, its form filled in as it was.
    page.go_back()
    expect(rows).to_have_count(2)
    expect(page.get_by_label("Search", exact=True)).to_have_value("attention")
    expect(page.get_by_label("Year")).to_have_value("")

    # The organizer's JSON export, downloaded as a person would.
    with page.expect_download() as info:
        page.get_by_role("link", name="JSON", exact=True).click()
    download = info.value
    assert download.suggested_filename.startswith("tuesday-history-")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert sorted(s["paper"]["title"] for s in data["sessions"])[0] == "Attention Is All You Need"
    assert sum(len(s["notes"]) for s in data["sessions"]) == 4
    # On a phone the filters wrap above the rows and the exports go below them.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".history-exports")).to_be_visible()
    screenshot(page, "history-phone")
    assert errors == []
    context.close()
