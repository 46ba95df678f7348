"""Notes in Chromium (tests/groups/notes holds the rest of the notes tests; this file uses the shared
browser fixture, which one test process can only start once).

Two members talk in a thread in Chromium: math, code, replies three deep, edit and delete in
place without a page reload; outsiders get a 404; XSS payloads stay inert."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from groups.models import Note
from groups.notes.services import note_create
from papers.models import Paper
from tests.browser.conftest import screenshot
from tests.groups.notes.conftest import make_discussed
from tests.shared import shared_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser, live_server):
    """Opens pages signed in as someone; closes their browser contexts after the test."""
    contexts: list = []

    def opener(_browser, _live_server, user, *, width: int = 1200):
        page = _open(browser, live_server, user, width=width)
        contexts.append(page.context)
        return page

    yield opener
    for context in contexts:
        context.close()


def _open(browser, live_server, user, *, width: int = 1200):
    """A page signed in as `user` (or anonymous) that records script errors, dialogs and CSP reports."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(10_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
    page = context.new_page()
    # Chromium logs CSP violations as console errors; this adds where each one came from.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation', e.violatedDirective, e.sourceFile, e.lineNumber, e.columnNumber))"
    )
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("dialog", lambda d: problems.append(f"dialog: {d.message}") or d.dismiss())
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.problems = problems  # type: ignore[attr-defined]
    return page


def mark_page(page) -> None:
    page.evaluate("window.__samePage = 'still here'")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__samePage") == "still here"


def note_item(page, text: str):
    return page.locator("li.note", has=page.locator(".note-body", has_text=text))


def reply_to(page, text: str, body: str) -> None:
    item = note_item(page, text)
    item.locator(".note-actions").get_by_role("link", name="Reply").click()
    form = item.locator("form.reply-form")
    expect(form).to_be_visible()
    form.get_by_role("textbox").fill(body)
    form.get_by_role("button", name="Post reply").click()


def settled(page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")


def refresh_thread(page) -> None:
    # The order link reloads the thread through htmx: no page navigation.
    with page.expect_response(lambda response: "/notes/" in response.url):
        page.locator(".thread-order").get_by_role("link", name="Oldest first").click()
    settled(page)


def test_it_holds_a_threaded_conversation_with_math_and_code(browser, live_server, open_as) -> None:
    cast = make_discussed("private")
    url = reverse("note_thread", args=[cast.group.slug, "nominations", cast.nomination.pk])
    alice = open_as(browser, live_server, cast.member)
    bob = open_as(browser, live_server, cast.other_member)

    alice.goto(url)
    expect(alice.get_by_text("No notes yet.")).to_be_visible()
    screenshot(alice, "notes-empty")
    mark_page(alice)
    alice.get_by_label("Your note").fill(
        "Is the bound $\\mathcal{O}(n \\log n)$ tight?\n\n"
        "$$\n\\sum_{i=1}^{n} \\frac{1}{i} \\le \\ln n + 1\n$$\n\n"
        "```python\ndef harmonic(n):\n    return sum(1 / i for i in range(1, n + 1))\n```\n\n"
        "@bob what do you think?"
    )
    alice.get_by_role("button", name="Post note").click()
    root = note_item(alice, "Is the bound")
    expect(root).to_be_visible()
    expect(root.locator(".katex").first).to_be_visible()
    expect(root.locator("pre code")).to_contain_text("def harmonic(n):")
    expect(root.locator("a.mention")).to_have_text("@bob")
    expect(alice.get_by_label("Your note")).to_have_value("")

    bob.goto(url)
    mark_page(bob)
    reply_to(bob, "Is the bound", "Tight up to constants: $H_n = \\ln n + \\gamma + o(1)$.")
    level1 = note_item(bob, "Tight up to constants")
    expect(level1).to_have_attribute("data-depth", "1")
    expect(level1.locator(".katex")).to_be_visible()

    refresh_thread(alice)
    reply_to(alice, "Tight up to constants", "So `harmonic(10**6)` is about $14.39$?")
    level2 = note_item(alice, "about")
    expect(level2).to_have_attribute("data-depth", "2")

    refresh_thread(bob)
    reply_to(bob, "about", "Yes: $$H_{10^6} \\approx 14.3927$$")
    level3 = note_item(bob, "Yes:")
    expect(level3).to_have_attribute("data-depth", "3")
    expect(level3.locator(".katex-display")).to_be_visible()

    refresh_thread(alice)
    expect(alice.locator("li.note")).to_have_count(4)
    assert alice.locator("li.note").evaluate_all("els => els.map(e => e.dataset.depth)") == [
        "0", "1", "2", "3",
    ]  # fmt: skip
    screenshot(alice, "notes-conversation")

    # Edit in place.
    root = note_item(alice, "Is the bound")
    root.get_by_role("link", name="Edit").click()
    editor = alice.locator("form.edit-form")
    expect(editor.get_by_role("textbox")).to_have_value(
        re.compile(r"^Is the bound \$\\mathcal\{O\}")
    )
    editor.get_by_role("textbox").fill("Is the bound $\\Theta(n \\log n)$ tight? (edited)")
    screenshot(alice, "notes-editing")
    editor.get_by_role("button", name="Save").click()
    root = note_item(alice, "(edited)")
    expect(root.locator(".note-edited")).to_have_text("edited")
    expect(root.locator(".katex")).to_be_visible()

    # Bob deletes his leaf reply, asked first in place; cancelling keeps it.
    refresh_thread(bob)
    note_item(bob, "Yes:").get_by_role("link", name="Delete").click()
    prompt = bob.locator("form.delete-form")
    expect(prompt.get_by_text("Delete this note?")).to_be_visible()
    prompt.get_by_role("link", name="Cancel").click()
    expect(bob.locator("form.delete-form")).to_have_count(0)
    note_item(bob, "Yes:").get_by_role("link", name="Delete").click()
    screenshot(bob, "notes-delete-prompt")
    # The prompt stands in the note's body, so "Yes:" is gone from the page before the POST
    # is answered: wait for the answer, or Alice's refresh below can read the thread first.
    with bob.expect_response(lambda response: response.request.method == "POST"):
        bob.locator("form.delete-form").get_by_role("button", name="Delete").click()
    settled(bob)
    expect(note_item(bob, "Yes:")).to_have_count(0)
    # Alice deletes her root note, which has replies: "[deleted]" keeps its place.
    refresh_thread(alice)
    first = alice.locator("li.note").first
    first.get_by_role("link", name="Delete").click()
    first.get_by_role("button", name="Delete").click()
    expect(first.locator(".note-gone")).to_have_text("[deleted]")
    expect(alice.locator("li.note")).to_have_count(3)

    # Collapse and expand the subtree under Bob's reply.
    fold = note_item(alice, "Tight up to constants").locator(".note-fold")
    fold.click()
    expect(note_item(alice, "about")).to_have_count(0)
    note_item(alice, "Tight up to constants").locator(".note-fold").click()
    expect(note_item(alice, "about")).to_be_visible()
    screenshot(alice, "notes-after-edit-and-delete")

    assert_not_reloaded(alice)
    assert_not_reloaded(bob)
    assert alice.problems == [] and bob.problems == []
    assert Note.objects.count() == 4
    assert Note.objects.filter(deleted_at__isnull=False).count() == 2

    # On a phone the thread reads without sideways scrolling.
    phone = open_as(browser, live_server, cast.other_member, width=390)
    phone.goto(url)
    expect(phone.locator(".katex").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "notes-phone")
    assert phone.problems == []


def test_it_works_without_javascript(browser, live_server) -> None:
    cast = make_discussed("private")
    note = note_create(author=cast.member, subject=cast.nomination, body="Plain *HTML* works")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    client = Client()
    client.force_login(cast.other_member)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(reverse("note_thread", args=[cast.group.slug, "nominations", cast.nomination.pk]))
    note_item(page, "Plain").get_by_role("link", name="Reply").click()
    expect(page.get_by_role("heading", name=f"Reply to {cast.member.name}")).to_be_visible()
    page.get_by_label("Your note").fill("A reply without JavaScript")
    page.get_by_role("button", name="Post reply").click()
    reply = note_item(page, "A reply without JavaScript")
    expect(reply).to_have_attribute("data-depth", "1")
    reply.get_by_role("link", name="Edit").click()
    page.get_by_label("Your note").fill("Edited without JavaScript")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your note is saved.")).to_be_visible()
    note_item(page, "Edited without JavaScript").get_by_role("link", name="Delete").click()
    expect(page.get_by_text("Delete this note?")).to_be_visible()
    assert Note.objects.get(parent=note).deleted_at is None
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Your note is deleted.")).to_be_visible()
    expect(note_item(page, "Edited without JavaScript")).to_have_count(0)
    assert Note.objects.get(parent=note).deleted_at is not None
    context.close()


def test_it_shows_outsiders_no_private_notes(browser, live_server, open_as) -> None:
    cast = make_discussed("private")
    note_create(author=cast.member, subject=cast.nomination, body="Members only")
    url = reverse("note_thread", args=[cast.group.slug, "nominations", cast.nomination.pk])
    for user in (cast.outsider, None):
        page = open_as(browser, live_server, user)
        response = page.goto(url)
        assert response is not None and response.status == 404
        expect(page.get_by_text("Members only")).to_have_count(0)
    screenshot(page, "notes-outsider-404")


def test_it_runs_no_script_from_xss_payloads(browser, live_server, open_as) -> None:
    lines = []
    for name in ("IntrudersXSS.txt", "RSNAKE_XSS.txt"):
        text = shared_file("fixtures", "xss", name).read_bytes().decode("utf-8", errors="replace")
        lines += [line for line in text.splitlines() if line.strip()][::4]
    cast = make_discussed("private")
    url = reverse("note_thread", args=[cast.group.slug, "nominations", cast.nomination.pk])
    page = open_as(browser, live_server, cast.member)
    page.goto(url)
    # A few through the form, as a person would, the rest through the service.
    for line in lines[:8]:
        page.get_by_label("Your note").fill(line)
        page.get_by_role("button", name="Post note").click()
        expect(page.get_by_label("Your note")).to_have_value("")
    for line in lines[8:]:
        note_create(author=cast.other_member, subject=cast.nomination, body=line)
        note_create(author=cast.other_member, subject=cast.nomination, body=f"[link]({line})")
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.locator("li.note").last.scroll_into_view_if_needed()
    assert page.locator("li.note").count() >= len(lines)
    assert page.locator(".note-body script, .note-body img, .note-body iframe").count() == 0
    handlers = page.evaluate(
        """() => [...document.querySelectorAll('.note-body *:not(.katex, .katex *)')].flatMap(el =>
             [...el.attributes].map(a => a.name).filter(n => n.startsWith('on') || n === 'style'))"""
    )
    assert handlers == []
    screenshot(page, "notes-xss")
    # Only the first page of 200 notes; alerts would have been recorded as problems.
    assert [p for p in page.problems if not p.startswith("console error: Failed to load")] == []


@pytest.mark.parametrize("width", [1200, 390])
def test_it_marks_notes_about_an_older_version(browser, live_server, open_as, width: int) -> None:
    cast = make_discussed("private")
    nomination = cast.nomination
    note_create(author=cast.member, subject=nomination, body="The ablation in **v1** is thin.")
    Paper.objects.filter(pk=nomination.paper_id).update(latest_version=3)  # an import raised it
    note_create(author=cast.other_member, subject=nomination, body="v3 adds the missing runs.")
    page = open_as(browser, live_server, cast.other_member, width=width)
    page.goto(reverse("note_thread", args=[cast.group.slug, "nominations", nomination.pk]))
    mark = page.locator(".note-version")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text("written about v1; v3 is out")
    expect(mark).to_have_attribute("href", f"https://arxiv.org/abs/{nomination.paper.arxiv_id}v3")
    screenshot(page, f"notes-version-mark-{width}")
    assert page.problems == []
