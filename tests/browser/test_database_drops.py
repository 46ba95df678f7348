"""PostgreSQL drops a request's connection mid-request (issue 17): the person sees a clear 503
("try again in a moment"), nothing of the interrupted write is kept, the next request works, and
/healthz said so meanwhile.

The fault is real: PostgreSQL terminates the live server's backend (pg_terminate_backend, as a
restart does to every connection) just before the query, so the query fails in psycopg as it
would in production. Only that one backend of the test database is touched: the shared server
keeps running.
"""

import httpx
import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from groups.models import Note
from tests.browser.conftest import screenshot
from tests.browser.test_sessions import sign_in
from tests.groups.notes.conftest import make_discussed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="pg_terminate_backend is PostgreSQL's"),
    # The live server's own connections, and committed data it can read.
    pytest.mark.django_db(transaction=True),
]

NOTE_INSERT = 'INSERT INTO "groups_note"'


def member_page(browser, live_server) -> tuple[Page, str]:
    """A page signed in as a member of a group, and the address of a thread of that group."""
    cast = make_discussed("private")
    context = browser.new_context(base_url=live_server.url)
    sign_in(context, live_server, cast.member)
    thread = reverse("note_thread", args=[cast.group.slug, "nominations", cast.nomination.pk])
    return context.new_page(), thread


def test_healthz_tells_and_recovers(live_server, drop_connection_at) -> None:
    url = f"{live_server.url}/healthz"
    assert httpx.get(url).json()["database"] == "ok"
    dropped = drop_connection_at("SELECT 1")
    answer = httpx.get(url)
    assert dropped and answer.status_code == 503
    assert answer.json()["database"] == "down"
    again = httpx.get(url)
    assert again.status_code == 200 and again.json()["database"] == "ok"


def test_a_page_answers_503_and_the_next_request_works(
    browser, live_server, drop_connection_at
) -> None:
    page, thread = member_page(browser, live_server)

    # A member's first group query: the membership with its group (groups.access).
    dropped = drop_connection_at('SELECT "groups_membership"')
    response = page.goto(thread)
    assert dropped
    assert response is not None and response.status == 503
    assert response.headers["retry-after"] == "5"
    expect(page.get_by_role("heading", name="Try again in a moment")).to_be_visible()
    expect(page.get_by_text("lost its connection to the database")).to_be_visible()
    screenshot(page, "fault-database-503", full_page=False)

    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_label("Your note")).to_be_visible()
    page.context.close()


def test_a_note_cut_off_mid_write_is_not_kept_and_posts_once_on_retry(
    browser, live_server, drop_connection_at
) -> None:
    page, thread = member_page(browser, live_server)
    page.goto(thread)
    box = page.get_by_label("Your note")
    box.fill("Posted while the database restarts")

    dropped = drop_connection_at(NOTE_INSERT)
    page.get_by_role("button", name="Post note").click()
    alert = page.locator("#page-alert")
    expect(alert).to_contain_text("lost its connection to the database")
    assert dropped
    # Nothing half done: no note, no revision, no notification; what was typed is still there.
    assert Note.objects.count() == 0
    expect(box).to_have_value("Posted while the database restarts")
    screenshot(page, "fault-database-note", full_page=False)

    page.get_by_role("button", name="Post note").click()
    expect(page.locator("li.note", has_text="Posted while the database restarts")).to_be_visible()
    assert Note.objects.filter(body="Posted while the database restarts").count() == 1
    page.context.close()
