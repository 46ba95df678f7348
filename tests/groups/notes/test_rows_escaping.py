"""Thread rows are written as text in Python (groups/notes/rows.py): names stay inert."""

import pytest
from django.urls import reverse

from groups.models import Membership
from groups.notes.services import note_create, note_hide
from tests.factories import UserFactory
from tests.groups.notes.test_xss_corpus import Audit
from tests.people import client_for
from tests.shared import xss_markup_lines

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _problems(html: str) -> list[str]:
    audit = Audit()
    audit.feed(html)
    return audit.problems


def test_it_escapes_authors_and_the_authors_replied_to_from_a_public_xss_list(private) -> None:
    payloads = xss_markup_lines("RSNAKE_XSS.txt")[:30]
    assert payloads
    url = reverse("note_thread", args=[private.group.slug, "nominations", private.nomination.pk])
    first = note_create(author=private.member, subject=private.nomination, body="A plain note")
    # The organizer's view has every action (hide forms too); a hidden note shows its badge.
    client = client_for(private.organizer)
    clean = _problems(client.get(url, headers=HTMX).content.decode())
    parent = first
    for payload in payloads:
        someone = UserFactory(display_name=payload[:80])
        Membership.objects.create(group=private.group, user=someone)
        parent = note_create(
            author=someone, subject=private.nomination, body="Reply", parent=parent
        )
    note_hide(note=parent, by=private.organizer)

    html = client.get(url, headers=HTMX).content.decode()

    assert html.count('<li id="note-') == len(payloads) + 1
    assert "hidden from members" in html
    # Only our own forms (the lock form, the new-note form, one hide form per row) and inputs.
    problems = _problems(html)
    ours = ("<form>", "<input>")
    assert [p for p in problems if p not in ours] == [p for p in clean if p not in ours] == []
    assert problems.count("<form>") == clean.count("<form>") + len(payloads)
    assert "<script" not in html.lower()
