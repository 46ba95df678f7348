"""Before a session: attendees check in (read / skimmed / not yet) and the organizers see the
counts and the warning; members ask and upvote questions with htmx, the organizer makes the top
ones the agenda, and once the session is held each agenda question has its own thread."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import DiscussionSession, Membership, Rsvp
from groups.notifications.tasks import check_session_readiness
from tests.browser.conftest import screenshot
from tests.browser.test_sessions import sign_in
from tests.factories import (
    DiscussionSessionFactory,
    MembershipFactory,
    PaperFactory,
    ReadingGroupFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def posted(path: str):
    return lambda response: path in response.url and response.request.method == "POST"


def test_readiness_the_question_board_the_agenda_and_its_threads(
    page, browser, live_server
) -> None:
    group = ReadingGroupFactory(name="Alignment Reading Group", slug="alignment")
    organizer = MembershipFactory(
        group=group, role=Membership.Role.ORGANIZER, user__display_name="Ada Organizer"
    ).user
    mia = MembershipFactory(group=group, user__display_name="Mia Member").user
    max_ = MembershipFactory(group=group, user__display_name="Max Member").user
    ola = MembershipFactory(group=group, user__display_name="Ola Member").user
    session = DiscussionSessionFactory(
        group=group,
        paper=PaperFactory(
            title="Constitutional Classifiers: Defending against Universal Jailbreaks"
        ),
        starts_at=timezone.now() + timedelta(hours=20),
        created_by=organizer,
    )
    for person in (mia, max_, ola):
        Rsvp.objects.create(session=session, user=person, answer="going")
    session_url = f"/g/{group.slug}/sessions/{session.pk}/"
    board_url = f"{session_url}questions/"

    # Mia checks in on the session page: the box answers in place.
    sign_in(page.context, live_server, mia)
    page.goto(session_url)
    box = page.locator("#readiness-box")
    expect(box).to_contain_text("Where are you with it?")
    with page.expect_response(posted("/readiness/")):
        box.get_by_role("button", name="Read").click()
    expect(box.locator('[data-count="read"]')).to_have_text("1")
    expect(box.get_by_role("button", name="Read")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "session-readiness")

    # Mia asks two questions on the board.
    page.goto(board_url)
    for text in (
        "Why does the classifier generalise to unseen jailbreaks?",
        "How large is the **false-refusal** rate?",
    ):
        page.get_by_label("Your question").fill(text)
        with page.expect_response(posted("/questions/new/")):
            page.get_by_role("button", name="Ask").click()
        expect(page.get_by_label("Your question")).to_have_value("")
    expect(page.locator(".question")).to_have_count(2)
    expect(page.locator(".question strong")).to_have_text("false-refusal")

    # Max upvotes the second one twice over (a double click): one vote, and it moves up.
    other = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    other.set_default_timeout(10_000)
    sign_in(other, live_server, max_)
    phone = other.new_page()
    phone.goto(board_url)
    second = phone.locator(".question", has_text="false-refusal")
    with phone.expect_response(posted("/vote/")):
        second.get_by_role("button", name="▲ Upvote").dblclick()
    expect(phone.locator(".question").first).to_contain_text("false-refusal")
    expect(phone.locator(".question").first.locator("[data-votes]")).to_have_text("1")
    screenshot(phone, "question-board-phone")
    other.close()

    # A day ahead, one of three going has read it: the organizers are warned, once.
    assert check_session_readiness() == 1

    # The organizer makes the agenda: the upvoted question first.
    sign_in(page.context, live_server, organizer)
    page.goto(board_url)
    first_id = page.locator(".question").nth(0).get_attribute("id").removeprefix("question-")
    second_id = page.locator(".question").nth(1).get_attribute("id").removeprefix("question-")
    page.locator(f"#pos-{first_id}").fill("1")
    page.locator(f"#pos-{second_id}").fill("2")
    with page.expect_response(posted("/agenda/")):
        page.get_by_role("button", name="Save the agenda").click()
    agenda = page.locator("#agenda .agenda-list li")
    expect(agenda).to_have_count(2)
    expect(agenda.first).to_contain_text("false-refusal")
    screenshot(page, "question-board-agenda")

    page.goto(session_url)
    expect(page.get_by_role("alert")).to_contain_text("Few have read it yet")
    expect(page.locator("#agenda .agenda-list li").first).to_contain_text("false-refusal")
    screenshot(page, "session-readiness-warning")

    # The session is held; marked done, each agenda question has its own thread.
    DiscussionSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=70)
    )
    page.goto(session_url)
    page.get_by_role("button", name="Mark as done").click()
    links = page.get_by_role("link", name="Discuss this question")
    expect(links).to_have_count(2)
    links.first.click()
    expect(page.locator(".note-list")).to_contain_text("Agenda question 1")
    expect(page.locator(".note-list")).to_contain_text("false-refusal")
    screenshot(page, "agenda-question-thread")
    assert page.js_errors == []
