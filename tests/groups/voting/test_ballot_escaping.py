"""Ballot rows are built as escaped text in Python: what members and papers bring stays inert."""

import pytest

from groups.models import Vote
from tests.factories import MembershipFactory, NominationFactory, PaperFactory, UserFactory
from tests.groups.notes.test_xss_corpus import Audit
from tests.people import Cast
from tests.shared import xss_markup_lines

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _problems(html: str) -> list[str]:
    audit = Audit()
    audit.feed(html)
    return audit.problems


def test_it_escapes_titles_names_and_pitches_from_a_public_xss_list(cast: Cast) -> None:
    payloads = xss_markup_lines("RSNAKE_XSS.txt")[:30]
    assert payloads
    client = cast.client("member")
    url = f"/g/{cast.group.slug}/ballot/"
    NominationFactory(group=cast.group, paper=PaperFactory(title="A plain title"))
    # Our own list form and its hidden inputs, which every list has.
    clean = _problems(client.get(url, headers=HTMX).content.decode())
    assert clean == ["<form>", "<input>", "<input>", "<input>"]
    for n, payload in enumerate(payloads):
        someone = UserFactory(display_name=payload[:80])
        MembershipFactory(group=cast.group, user=someone)
        nomination = NominationFactory(
            group=cast.group,
            nominated_by=someone,
            pitch=payload,
            paper=PaperFactory(arxiv_id=f"2607.{n:05d}", title=payload[:500], authors=[payload]),
        )
        Vote.objects.create(nomination=nomination, user=someone)

    listed = client.get(url, {"show": "100"}, headers=HTMX).content.decode()
    answer = client.post(
        f"/g/{cast.group.slug}/n/{nomination.pk}/vote/", {"answer": "row"}, headers=HTMX
    ).content.decode()

    assert listed.count('class="ballot-row"') == len(payloads) + 1
    assert _problems(listed) == clean
    assert _problems(answer) == []
    assert "<script" not in listed.lower() and "<script" not in answer.lower()
