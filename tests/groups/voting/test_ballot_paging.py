"""A long ballot: the top 50, "Show more" as a real link, a filter box, and a page that stays small."""

import re

import pytest
from django.test import Client

from groups.models import Nomination, Vote
from groups.voting.ballot import PAGE_STEP
from tests.factories import MembershipFactory, NominationFactory, PaperFactory
from tests.people import Cast

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _big_ballot(cast: Cast, *, nominations: int, members: int) -> list[Nomination]:
    voters = [MembershipFactory(group=cast.group).user for _ in range(members)]
    created = [
        NominationFactory(
            group=cast.group,
            nominated_by=voters[0],
            paper=PaperFactory(title=f"Paper number {n:03d}"),
            pitch="Worth reading because it is long enough to matter.\nAnd a second line.",
        )
        for n in range(nominations)
    ]
    # Nomination n gets (n * 7) % members + 1 votes: a ranking that is not the creation order.
    Vote.objects.bulk_create(
        Vote(nomination=nomination, user=voter)
        for n, nomination in enumerate(created)
        for voter in voters[: (n * 7) % members + 1]
    )
    return created


def _ranks(html: str) -> list[int]:
    return [
        int(rank)
        for rank in re.findall(
            r'class="ballot-row[^"]*" id="nomination-\d+" data-rank="(\d+)"', html
        )
    ]


def test_it_shows_the_top_50_and_a_real_show_more_link(cast: Cast) -> None:
    _big_ballot(cast, nominations=120, members=20)
    client = cast.client("member")
    url = f"/g/{cast.group.slug}/ballot/"

    html = client.get(url).content.decode()
    assert _ranks(html) == list(range(1, PAGE_STEP + 1))
    assert f'href="{url}?show=100"' in html
    assert "Showing the top 50 of 120" in html

    html = client.get(url, {"show": "100"}).content.decode()
    assert _ranks(html) == list(range(1, 101))
    html = client.get(url, {"show": "150"}).content.decode()
    assert _ranks(html) == list(range(1, 121))
    assert "Show more" not in html

    # With htmx, "Show more" answers with the list alone.
    response = client.get(url, {"show": "100"}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="ballot"')
    assert len(_ranks(response.content.decode())) == 100


@pytest.mark.parametrize(("asked", "shown"), [("abc", 50), ("-3", 50), ("51", 100), ("99999", 120)])
def test_it_reads_any_show_value_as_a_sane_one(cast: Cast, asked: str, shown: int) -> None:
    _big_ballot(cast, nominations=120, members=5)
    response = cast.client("member").get(f"/g/{cast.group.slug}/ballot/", {"show": asked})
    assert response.status_code == 200
    assert len(_ranks(response.content.decode())) == shown


def test_it_filters_by_title_author_or_id_and_keeps_the_ballot_ranks(cast: Cast) -> None:
    created = _big_ballot(cast, nominations=60, members=10)
    special = created[41]
    special.paper.title = "Sparse attention for journal clubs"
    special.paper.authors = ["Grace Hopper", "Émilie du Châtelet"]
    special.paper.save()
    client = cast.client("member")
    url = f"/g/{cast.group.slug}/ballot/"
    whole = _ranks_by_id(client.get(url, {"show": "100"}).content.decode())

    for query in ["sparse ATTENTION", "Châtelet", special.paper.arxiv_id]:
        html = client.get(url, {"q": query}).content.decode()
        found = _ranks_by_id(html)
        assert found == {special.pk: whole[special.pk]}, query
        assert "1 of 60 match" in html

    html = client.get(url, {"q": "<script>nothing</script>"}).content.decode()
    assert "No nomination matches “&lt;script&gt;nothing&lt;/script&gt;”." in html
    assert "<script>nothing" not in html


def _ranks_by_id(html: str) -> dict[int, int]:
    return {
        int(pk): int(rank)
        for pk, rank in re.findall(r'id="nomination-(\d+)" data-rank="(\d+)"', html)
    }


@pytest.mark.parametrize(("members", "limit"), [(20, 100 * 1024), (200, 100 * 1024)])
def test_it_keeps_a_500_nomination_ballot_page_small(cast: Cast, members: int, limit: int) -> None:
    _big_ballot(cast, nominations=500, members=members)
    client = cast.client("organizer")

    html = client.get(f"/g/{cast.group.slug}/ballot/").content.decode()

    assert len(html.encode()) < limit
    # One CSRF token for every row's buttons: the list form's, the nominate form's, htmx's header.
    assert html.count("csrfmiddlewaretoken") == 2
    assert html.count("X-CSRFToken") == 1
    assert html.count("<form") == 3  # the filter, the rows, the nominate form
    assert html.count('class="ballot-row"') == PAGE_STEP


def test_it_shows_visitors_the_ballot_without_voters_and_a_sign_in_link(cast: Cast) -> None:
    created = _big_ballot(cast, nominations=3, members=2)
    nominator = created[1].nominated_by
    voter_name = created[1].votes.exclude(user=nominator).get().user.name

    html = Client().get(f"/g/{cast.group.slug}/ballot/").content.decode()

    assert voter_name not in html
    assert html.count("Sign in to vote") == 3
    assert f'href="/accounts/login/?next=%2Fg%2F{cast.group.slug}%2Fballot%2F"' in html
    assert "vote-button" not in html


def test_it_answers_a_history_restore_with_the_whole_page(cast: Cast) -> None:
    _big_ballot(cast, nominations=60, members=3)
    response = cast.client("member").get(
        f"/g/{cast.group.slug}/ballot/",
        {"show": "100"},
        headers=HTMX | {"HX-History-Restore-Request": "true"},
    )
    html = response.content.decode()
    assert "<html" in html
    assert len(_ranks(html)) == 60
