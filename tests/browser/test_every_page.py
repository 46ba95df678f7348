"""Every page people look at, on a desktop (1280 px) and a phone (390 px), on the shipped sample
and the demo group: each answers 200, none scrolls sideways on the phone, and each is saved as a
full-page screenshot under screenshots/pages/<name>-<width>.png for a person to look at."""

from collections.abc import Iterator
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from groups.demo.services import DEMO_SLUG
from groups.models import DiscussionSession, Nomination, ReadingGroup, User
from groups.models.notes import Note
from papers.models import Paper
from tests.browser.conftest import screenshot
from tests.browser.test_sessions import sign_in
from tests.factories import InvitationFactory, JoinRequestFactory, NoteFlagFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEIGHTS = {1280: 800, 390: 844}


@pytest.fixture
def world(settings) -> Iterator[dict[str, str]]:
    """The shipped sample and the demo group (with a pending request, an invitation and a flagged
    note added), and the address of every page, keyed by a short name for its screenshot.

    load_demo refuses outside the embedded default (DEBUG on, no DATABASE_URL); pytest-django
    turns DEBUG off and the PostgreSQL run has a DATABASE_URL, so both are set back for the call.
    """
    call_command("load_sample", stdout=StringIO())
    settings.DEBUG, settings.DATABASE_FROM_ENV = True, False
    call_command("load_demo", stdout=StringIO())
    settings.DEBUG = False
    group = ReadingGroup.objects.get(slug=DEMO_SLUG)
    owner = User.objects.get(username="demo-reader")
    JoinRequestFactory(group=group, user=UserFactory(display_name="Rita Requester"))
    InvitationFactory(group=group, created_by=owner, email="newcomer@example.org")
    session = DiscussionSession.objects.get(group=group)
    first = Note.objects.filter(parent=None).order_by("pk").first()
    reply = Note.objects.exclude(parent=None).get()
    NoteFlagFactory(note=reply, flagged_by=owner, reason="spam")
    nomination = Nomination.objects.filter(group=group).order_by("pk").first()
    paper = Paper.objects.order_by("-upvotes").first()
    g = f"/g/{DEMO_SLUG}"
    yield {
        "papers-day": "/papers/2026-06-12/",
        "papers-week": "/papers/week/2026-W24/",
        "papers-month": "/papers/month/2026-06/",
        "papers-search": "/papers/search/?q=reasoning",
        "paper": f"/papers/p/{paper.arxiv_id}/",
        "papers-add": "/papers/add/",
        "groups-directory": "/groups/",
        "groups-mine": "/groups/mine/",
        "groups-new": "/groups/new/",
        "group-home": f"{g}/",
        "group-ballot": f"{g}/ballot/",
        "group-nomination": f"{g}/n/{nomination.pk}/",
        "group-nominate": f"{g}/nominate/",
        "group-nominate-paper": f"/nominate/{paper.arxiv_id}/",
        "group-suggested": f"{g}/suggested/",
        "similar-paper": f"/similar/{paper.arxiv_id}/",
        "group-members": f"{g}/members/",
        "group-invitations": f"{g}/invitations/",
        "group-requests": f"{g}/requests/",
        "group-settings": f"{g}/settings/",
        "group-moderation": f"{g}/moderation/",
        "sessions": f"{g}/sessions/",
        "session": f"{g}/sessions/{session.pk}/",
        "session-new": f"{g}/sessions/new/",
        "session-edit": f"{g}/sessions/{session.pk}/edit/",
        "notes-thread": f"{g}/sessions/{session.pk}/notes/",
        "note": f"{g}/notes/{first.pk}/",
        "note-reply": f"{g}/notes/{first.pk}/reply/",
        "note-edit": f"{g}/notes/{first.pk}/edit/",
        "note-delete": f"{g}/notes/{first.pk}/delete/",
        "profile": "/accounts/profile/",
        "email-settings": "/accounts/notifications/",
    }


SIGNED_OUT = {
    "home-signed-out": "/",
    "sign-in": "/accounts/login/",
    "sign-up": "/accounts/signup/",
}


def _visit(context, pages: dict[str, str], width: int) -> list[str]:
    """Opens each page in one tab, saves its screenshot, and returns what is wrong with them."""
    problems: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: script error {exc}"))
    for name, url in pages.items():
        response = page.goto(url)
        if response is None or response.status != 200:
            problems.append(f"{name} {url}: status {response and response.status}")
        elif urlsplit(page.url).path != urlsplit(url).path:
            problems.append(f"{name} {url}: redirected to {page.url}")
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            problems.append(f"{name} {url}: scrolls sideways at {width}px ({scroll} > {client})")
        screenshot(page, f"pages/{name}-{width}")
    page.close()
    return problems


@pytest.mark.parametrize("width", [1280, 390])
def test_it_shows_every_page_without_errors_or_sideways_scroll(
    browser, live_server, world, width: int
) -> None:
    viewport = {"width": width, "height": HEIGHTS[width]}
    signed_out = browser.new_context(base_url=live_server.url, viewport=viewport)
    member = browser.new_context(base_url=live_server.url, viewport=viewport)
    sign_in(member, live_server, User.objects.get(username="demo-reader"))
    problems = _visit(signed_out, SIGNED_OUT, width)
    problems += _visit(member, {"home-signed-in": "/", **world}, width)
    signed_out.close()
    member.close()
    assert not problems, "\n".join(problems)
