import re

import pytest
from playwright.sync_api import expect

from papers.services import import_file
from tests.browser.conftest import screenshot
from tests.shared import shared_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def imported_day() -> None:
    import_file(path=shared_file("fixtures", "hf", "daily_papers_2026-06-12.json"))
    import_file(path=shared_file("fixtures", "arxiv", "query_testing_100.xml"))


def test_it_browses_a_day_searches_and_opens_a_paper(page, imported_day) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Papers of 12 June 2026")).to_be_visible()
    screenshot(page, "papers-home", full_page=False)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Papers").click()
    cards = page.locator(".paper-card")
    expect(cards).to_have_count(30)
    expect(page.locator(".paper-title").first).to_contain_text("EvoArena")  # 118 upvotes
    screenshot(page, "papers-day")
    screenshot(page, "papers-day-top", full_page=False)

    # Sorting swaps the list in place (htmx) and keeps a real address.
    sort = page.get_by_role("navigation", name="Sort")
    sort.get_by_role("link", name="Newest").click()
    expect(sort.get_by_role("link", name="Newest")).to_have_attribute("aria-current", "true")
    expect(page).to_have_url(f"{page.url.split('?')[0]}?sort=new")
    expect(cards).to_have_count(30)

    page.get_by_role("navigation", name="Period").get_by_role("link", name="Week").click()
    expect(page.get_by_role("heading", name="Week of June 8, 2026")).to_be_visible()

    page.goto("/papers/search/")
    page.get_by_role("searchbox").fill("alignment")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("results", exact=False).first).to_be_visible()
    expect(cards.first).to_be_visible()
    screenshot(page, "papers-search")

    title = cards.first.locator(".paper-title a")
    expected = title.inner_text()
    title.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(expected)
    expect(page.get_by_role("heading", name="Abstract")).to_be_visible()
    expect(page.get_by_role("link", name="PDF")).to_have_attribute(
        "href", re.compile(r"^https://arxiv\.org/pdf/")
    )
    screenshot(page, "papers-detail")
    assert page.js_errors == []


def test_it_reads_well_on_a_phone(browser, live_server, imported_day) -> None:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/papers/2026-06-12/")
    expect(page.locator(".paper-card")).to_have_count(30)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the day page scrolls sideways ({width}px)"
    screenshot(page, "papers-day-phone", full_page=False)
    page.goto("/papers/p/2606.13392/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "papers-detail-phone", full_page=False)
    page.goto("/papers/search/?q=alignment")
    screenshot(page, "papers-search-phone", full_page=False)
    context.close()


def test_it_hides_a_thumbnail_the_cdn_cannot_serve(page, imported_day) -> None:
    page.route("https://cdn-thumbnails.huggingface.co/**", lambda route: route.fulfill(status=404))
    page.goto("/papers/p/2606.13392/")
    expect(page.locator(".paper-figure-link")).to_be_hidden()
    expect(page.get_by_role("heading", name="Abstract")).to_be_visible()
    assert page.js_errors == []
