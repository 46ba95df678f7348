"""Moderation in Chromium: a member flags a note; a moderator signs in to the admin through
allauth, finds the note in the queue and hides it with a reason; the member sees it hidden and
the audit log shows the action. An organizer bans a member, who cannot rejoin."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from groups.models import GroupBan, Membership, ModerationLog, ReadingGroup
from tests.browser.conftest import screenshot
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    NominationFactory,
    NoteFactory,
    ReadingGroupFactory,
    UserFactory,
    moderator_factory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser, live_server, user, *, width: int = 1200):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(10_000)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors  # type: ignore[attr-defined]
    return page


def test_it_flags_hides_from_the_admin_queue_and_logs(browser, live_server, page) -> None:
    group = ReadingGroupFactory(name="Causal Inference Club", slug="causal")
    owner, alice, bob = (
        UserFactory(username="olga"),
        UserFactory(username="alice"),
        UserFactory(username="bob"),
    )
    MembershipFactory(group=group, user=owner, role=Membership.Role.OWNER)
    MembershipFactory(group=group, user=alice)
    MembershipFactory(group=group, user=bob)
    nomination = NominationFactory(group=group, nominated_by=owner)
    parent = NoteFactory(
        nomination=nomination, author=owner, body="What did everyone think of section 3?"
    )
    spam = NoteFactory(
        nomination=nomination, author=alice, parent=parent, body="Cheap pills at example.com"
    )
    NoteFactory(nomination=nomination, author=owner, parent=spam, body="Please keep it on topic.")
    thread = f"/g/causal/nominations/{nomination.pk}/notes/"

    # Bob flags Alice's note (htmx: the form opens under the note).
    bob_page = _signed_in(browser, live_server, bob)
    bob_page.goto(thread)
    row = bob_page.locator(f"#note-{spam.pk}")
    row.get_by_role("link", name="Flag").click()
    expect(row.get_by_text("Why should a moderator look at this note?")).to_be_visible()
    row.get_by_label("Spam").check()
    row.get_by_label("Anything to add (optional)").fill("Pharmacy link spam")
    screenshot(bob_page, "moderation-flag-form")
    row.get_by_role("button", name="Send flag").click()
    expect(row.get_by_text("the moderators will look at this note")).to_be_visible()

    # A moderator signs in through allauth's page and works the queue.
    mona = moderator_factory(username="mona", email="mona@example.org")
    page.goto("/admin/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=%2Fadmin%2F")
    page.get_by_label("Email").fill(mona.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Site administration")).to_be_visible()
    page.get_by_role("link", name="Moderation queue").click()
    queue_row = page.locator("#result_list tbody tr", has_text="Cheap pills")
    expect(queue_row).to_contain_text("Spam")
    screenshot(page, "moderation-admin-queue")
    queue_row.get_by_role("link", name="Cheap pills at example.com").click()
    expect(page.get_by_text("What did everyone think of section 3?")).to_be_visible()
    expect(page.get_by_text("Please keep it on topic.")).to_be_visible()
    expect(page.get_by_text("Pharmacy link spam")).to_be_visible()
    screenshot(page, "moderation-admin-note")
    page.go_back()
    queue_row = page.locator("#result_list tbody tr", has_text="Cheap pills")
    queue_row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("hide_notes")
    page.locator("input[name=reason]").fill("Advertising, not discussion")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("Hid 1 note(s).")).to_be_visible()
    expect(queue_row).to_contain_text("hidden")

    # Bob sees the note hidden; the reply under it stays.
    bob_page.goto(thread)
    expect(bob_page.locator(f"#note-{spam.pk}")).to_contain_text("[hidden by a moderator]")
    expect(bob_page.get_by_text("Cheap pills")).to_have_count(0)
    expect(bob_page.get_by_text("Please keep it on topic.")).to_be_visible()
    screenshot(bob_page, "moderation-hidden-for-members")

    # The audit log shows it.
    page.goto("/admin/groups/moderationlog/")
    log_row = page.locator("#result_list tbody tr").first
    expect(log_row).to_contain_text("hid a note")
    expect(log_row).to_contain_text("Advertising, not discussion")
    expect(log_row).to_contain_text("mona")
    screenshot(page, "moderation-admin-audit-log")
    assert ModerationLog.objects.get().action == "note_hide"
    assert bob_page.js_errors == [] and page.js_errors == []
    bob_page.context.close()


def test_it_bans_a_member_who_then_cannot_rejoin(browser, live_server) -> None:
    group = ReadingGroupFactory(
        name="Open Reading", slug="open-reading", join_policy=ReadingGroup.JoinPolicy.OPEN
    )
    owner, carl = UserFactory(username="olga"), UserFactory(username="carl", display_name="Carl")
    MembershipFactory(group=group, user=owner, role=Membership.Role.OWNER)
    MembershipFactory(group=group, user=carl)
    dana = MembershipFactory(group=group, user__display_name="Dana").user

    organizer = _signed_in(browser, live_server, owner)
    organizer.goto("/g/open-reading/members/")
    screenshot(organizer, "moderation-members")
    # Remove asks first, in the member's row; Cancel drops the prompt, Remove removes.
    organizer.get_by_role("link", name="Remove Dana").click()
    prompt = organizer.locator("form.confirm-form")
    expect(prompt.get_by_text("Remove Dana from Open Reading?")).to_be_visible()
    prompt.get_by_role("button", name="Cancel").click()
    expect(organizer.locator("form.confirm-form")).to_have_count(0)
    organizer.get_by_role("link", name="Remove Dana").click()
    organizer.locator("form.confirm-form").get_by_role("button", name="Remove").click()
    expect(organizer.get_by_text("Dana is no longer a member.")).to_be_visible()
    assert not Membership.objects.filter(group=group, user=dana).exists()
    # Ban asks first too, and for a reason.
    organizer.get_by_role("link", name="Ban Carl").click()
    prompt = organizer.locator("form.confirm-form")
    expect(prompt.get_by_text("Ban Carl?")).to_be_visible()
    prompt.get_by_label("Reason").fill("Spam in every thread")
    screenshot(organizer, "moderation-ban-prompt")
    prompt.get_by_role("button", name="Ban").click()
    expect(organizer.get_by_text("Carl is banned from Open Reading.")).to_be_visible()
    assert GroupBan.objects.get(group=group, user=carl).reason == "Spam in every thread"
    organizer.get_by_role("link", name="Moderation").click()
    expect(organizer.get_by_role("button", name="Lift the ban on Carl")).to_be_visible()
    expect(organizer.get_by_text("banned from the group")).to_be_visible()
    screenshot(organizer, "moderation-group-page")

    # The organizer locks a thread from its page and opens a note's hide form.
    nomination = NominationFactory(group=group, nominated_by=owner)
    note = NoteFactory(nomination=nomination, author=owner, body="Let's wrap this up.")
    organizer.goto(f"/g/open-reading/nominations/{nomination.pk}/notes/")
    organizer.get_by_text("Moderate this thread").click()
    organizer.get_by_label("Reason (optional, for the audit log and the notice)").fill(
        "Discussion moved to the session"
    )
    organizer.get_by_role("button", name="Lock thread").click()
    expect(organizer.get_by_text("This thread is locked.")).to_be_visible()
    expect(organizer.locator("#new-note-form")).to_have_count(0)
    organizer.locator(f"#note-{note.pk}").get_by_text("Hide", exact=True).click()
    expect(organizer.get_by_role("button", name="Hide from members")).to_be_visible()
    screenshot(organizer, "moderation-thread-organizer")

    narrow = _signed_in(browser, live_server, owner, width=390)
    narrow.goto("/g/open-reading/moderation/")
    screenshot(narrow, "moderation-group-page-phone")
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 390

    banned = _signed_in(browser, live_server, carl)
    banned.goto("/g/open-reading/")
    banned.get_by_role("button", name="Join group").click()
    expect(banned.get_by_text("its organizers have banned you")).to_be_visible()
    screenshot(banned, "moderation-banned-join")
    assert not Membership.objects.filter(group=group, user=carl).exists()
    assert organizer.js_errors == [] and banned.js_errors == []
    for p in (organizer, narrow, banned):
        p.context.close()
