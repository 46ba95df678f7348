"""A paper a moderator hid leaves every listing; its page stays for groups that nominated it."""

import datetime as dt

from django.test import Client

from groups.moderation.services import paper_hide
from tests.factories import MembershipFactory, NominationFactory, UserFactory
from tests.papers.conftest import listed_papers
from tests.people import client_for

DAY = dt.date(2026, 6, 12)


def _setup(cast):
    shown, hidden = listed_papers(2, DAY, title="Sparse attention everywhere")
    paper_hide(paper=hidden, by=cast.moderator, reason="withdrawn spam")
    return shown, hidden


def test_it_leaves_the_day_week_month_search_feed_and_home(cast) -> None:
    shown, hidden = _setup(cast)
    client = Client()
    for url in [
        "/papers/2026-06-12/",
        "/papers/week/2026-W24/",
        "/papers/month/2026-06/",
        "/papers/search/?q=sparse",
        "/papers/2026-06-12/feed/",
        "/papers/feed/",
        "/",
    ]:
        page = client.get(url).content.decode()
        assert shown.arxiv_id in page, url
        assert hidden.arxiv_id not in page, url


def test_it_keeps_the_page_for_members_of_a_nominating_group_only(cast) -> None:
    _shown, hidden = _setup(cast)
    NominationFactory(group=cast.group, paper=hidden)
    url = f"/papers/p/{hidden.arxiv_id}/"
    member = client_for(cast.member).get(url)
    assert member.status_code == 200
    assert "Hidden by a moderator" in member.content.decode()
    assert client_for(cast.moderator).get(url).status_code == 200
    assert Client().get(url).status_code == 404
    stranger = UserFactory()
    MembershipFactory(group=cast.other_group, user=stranger)
    assert client_for(stranger).get(url).status_code == 404
