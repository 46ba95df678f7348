"""The pages: the paper page's panel of what one's groups discussed like it, the ballot's panel of
suggestions with its one-click nominate, and the nominate pages asking before a discussed paper
is nominated again. Who sees what (anonymous, outsider, member, organizer; private groups 404),
without JavaScript and with htmx, and the query counts at two sizes."""

from datetime import timedelta

import pytest
from django.test import Client

from groups.models import DiscussionSession, Nomination, ReadingGroup, Vote
from tests.groups.similar.conftest import (
    SAMPLE_DAY,
    Shelf,
    filler,
    listed,
    make_shelf,
    topic_paper,
)
from tests.people import Cast, make_cast

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shelf(cast: Cast) -> Shelf:
    return make_shelf(cast)


@pytest.fixture
def private_shelf(private_cast: Cast) -> Shelf:
    return make_shelf(private_cast)


def status_of(response) -> int | str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "sign in"
    return response.status_code


# --- The paper page's panel ------------------------------------------------------------------


def test_the_paper_page_loads_the_panel_for_people_signed_in_only(shelf: Shelf) -> None:
    paper = topic_paper("decoding2")
    page = shelf.cast.client("member").get(f"/papers/p/{paper.arxiv_id}/").content.decode()
    assert f'hx-get="/similar/{paper.arxiv_id}/"' in page
    assert f'href="/similar/{paper.arxiv_id}/"' in page  # without JavaScript
    anonymous = Client().get(f"/papers/p/{paper.arxiv_id}/").content.decode()
    assert "/similar/" not in anonymous


@pytest.mark.parametrize("visibility", ["public", "private"])
def test_members_see_what_their_group_discussed_like_it(visibility: str) -> None:
    cast = make_cast(visibility)
    shelf = make_shelf(cast)
    paper = topic_paper("decoding2")
    for role in ["member", "organizer"]:
        html = cast.client(role).get(f"/similar/{paper.arxiv_id}/").content.decode()
        assert cast.group.name in html
        assert shelf.decoding.title in html
        assert f"/g/{cast.group.slug}/sessions/{shelf.decoding_session.pk}/notes/" in html
        assert shelf.diffusion.title not in html
    # Outsiders see only their own groups: nothing of this one, public or private.
    for role in ["outsider", "staff"]:
        html = cast.client(role).get(f"/similar/{paper.arxiv_id}/").content.decode()
        assert cast.group.name not in html
        assert shelf.decoding.title not in html
    assert status_of(Client().get(f"/similar/{paper.arxiv_id}/")) == "sign in"


def test_the_panel_says_when_the_group_discussed_the_paper_itself(shelf: Shelf) -> None:
    html = shelf.cast.client("member").get(f"/similar/{shelf.decoding.arxiv_id}/", **HTMX)
    text = html.content.decode()
    assert "<html" not in text  # the panel alone
    assert f"{shelf.cast.group.name} discussed this paper on" in text
    assert shelf.diffusion.title not in text  # nothing else it discussed is like it
    unlike = shelf.cast.client("member").get(f"/similar/{topic_paper('graphs').arxiv_id}/", **HTMX)
    assert "Nothing your groups discussed is much like this paper." in unlike.content.decode()
    alone = shelf.cast.client("outsider").get(f"/similar/{topic_paper('graphs').arxiv_id}/")
    assert "You are not in any reading group yet." in alone.content.decode()


def test_a_hidden_paper_404s_for_those_whose_groups_never_nominated_it(shelf: Shelf) -> None:
    paper = topic_paper("decoding2", hidden=True)
    assert shelf.cast.client("member").get(f"/similar/{paper.arxiv_id}/").status_code == 404
    assert shelf.cast.client("member").post(f"/similar/{paper.arxiv_id}/").status_code == 405


@pytest.mark.parametrize("groups", [1, 6])
def test_the_panel_in_a_constant_number_of_queries(
    cast: Cast, groups: int, django_assert_num_queries
) -> None:
    make_shelf(cast)
    for _ in range(groups - 1):
        other = make_cast()
        other.group.memberships.create(user=cast.member, role="member")
        make_shelf(other)
    paper = topic_paper("decoding2")
    client = cast.client("member")
    client.get(f"/similar/{paper.arxiv_id}/")  # warms the shelves
    # session, user; the paper, the groups, their discussed papers
    with django_assert_num_queries(5):
        response = client.get(f"/similar/{paper.arxiv_id}/", **HTMX)
    assert response.content.decode().count("Faster Speculative Decoding") == groups


# --- Suggested for this group ----------------------------------------------------------------


def suggest(shelf: Shelf) -> list:
    """Two of the last week's papers like the shelf's, and one like nothing."""
    return [
        listed(topic_paper("decoding2"), SAMPLE_DAY),
        listed(topic_paper("diffusion2"), SAMPLE_DAY - timedelta(days=1)),
        listed(topic_paper("graphs"), SAMPLE_DAY),
    ]


def test_the_ballot_has_a_lazy_placeholder_not_the_suggestions(shelf: Shelf) -> None:
    decoding2, *_ = suggest(shelf)
    url = f"/g/{shelf.cast.group.slug}/suggested/"
    for role in ["anonymous", "member"]:
        page = shelf.cast.client(role).get(f"/g/{shelf.cast.group.slug}/ballot/").content.decode()
        assert f'hx-get="{url}"' in page and f'href="{url}"' in page
        assert decoding2.title not in page


@pytest.mark.parametrize(
    ("role", "public", "private"),
    [
        ("anonymous", 200, 404),
        ("outsider", 200, 404),
        ("member", 200, 200),
        ("organizer", 200, 200),
    ],
)
def test_who_sees_the_suggestions(
    shelf: Shelf, private_shelf: Shelf, role: str, public: int, private: int
) -> None:
    for shown, expected in [(shelf, public), (private_shelf, private)]:
        decoding2, diffusion2, graphs = suggest(shown)
        response = shown.cast.client(role).get(f"/g/{shown.cast.group.slug}/suggested/")
        assert response.status_code == expected
        if expected != 200:
            continue
        html = response.content.decode()
        assert html.index(decoding2.title) < html.index(shown.decoding.title)  # "Like …"
        assert f"Like “{shown.decoding.title}”, discussed" in html
        assert diffusion2.title in html and graphs.title not in html
        button = f'action="/g/{shown.cast.group.slug}/suggested/nominate/"'
        assert (button in html) == (role in ("member", "organizer"))
        assert ("Sign in</a> to nominate" in html) == (role == "anonymous")


def test_nothing_to_suggest_says_so(cast: Cast) -> None:
    listed(topic_paper("decoding2"), SAMPLE_DAY)
    html = cast.client("member").get(f"/g/{cast.group.slug}/suggested/", **HTMX).content.decode()
    assert "<html" not in html
    assert "Nothing to suggest yet" in html


def test_one_click_nominate_without_javascript_returns_to_the_ballot(shelf: Shelf) -> None:
    decoding2, *_ = suggest(shelf)
    cast = shelf.cast
    response = cast.client("member").post(
        f"/g/{cast.group.slug}/suggested/nominate/", {"paper": decoding2.arxiv_id}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/g/{cast.group.slug}/ballot/"
    assert f"Nominated “{decoding2.title}” with your vote." in response.content.decode()
    nomination = Nomination.objects.get(group=cast.group, paper=decoding2)
    assert Vote.objects.filter(nomination=nomination, user=cast.member).exists()


def test_one_click_nominate_with_htmx_answers_the_panel_without_it(shelf: Shelf) -> None:
    decoding2, diffusion2, _ = suggest(shelf)
    cast = shelf.cast
    response = cast.client("organizer").post(
        f"/g/{cast.group.slug}/suggested/nominate/", {"paper": decoding2.arxiv_id}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f"Nominated “{decoding2.title}” with your vote." in html
    assert f'value="{decoding2.arxiv_id}"' not in html  # nominated: no longer suggested
    assert f'value="{diffusion2.arxiv_id}"' in html


@pytest.mark.parametrize(
    ("role", "public", "private"),
    [("anonymous", "sign in", 404), ("outsider", 403, 404), ("staff", 403, 404)],
)
def test_only_members_nominate_a_suggestion(
    shelf: Shelf, private_shelf: Shelf, role: str, public, private
) -> None:
    for shown, expected in [(shelf, public), (private_shelf, private)]:
        decoding2, *_ = suggest(shown)
        response = shown.cast.client(role).post(
            f"/g/{shown.cast.group.slug}/suggested/nominate/", {"paper": decoding2.arxiv_id}
        )
        assert status_of(response) == expected
        assert not Nomination.objects.filter(paper=decoding2).exists()


def test_nominating_a_suggestion_takes_a_post_and_a_listed_paper(shelf: Shelf) -> None:
    cast = shelf.cast
    url = f"/g/{cast.group.slug}/suggested/nominate/"
    assert cast.client("member").get(url).status_code == 405
    hidden = topic_paper("decoding2", hidden=True)
    assert cast.client("member").post(url, {"paper": hidden.arxiv_id}).status_code == 404
    assert cast.client("member").post(url, {"paper": "nothing"}).status_code == 404


@pytest.mark.parametrize("size", [5, 60])
def test_the_suggestions_in_a_constant_number_of_queries(
    shelf: Shelf, size: int, django_assert_num_queries
) -> None:
    suggest(shelf)
    filler(shelf.cast, size)
    filler(shelf.cast, size, day=SAMPLE_DAY)
    client = shelf.cast.client("member")
    url = f"/g/{shelf.cast.group.slug}/suggested/"
    client.get(url, **HTMX)  # warms the cache
    # session, user, the membership with its group; discussed, voted, the newest day, the
    # candidates
    with django_assert_num_queries(7):
        response = client.get(url, **HTMX)
    assert response.content.decode().count('name="paper"') >= 2


# --- Nominating a paper the group discussed --------------------------------------------------


def test_the_nominate_page_shows_each_groups_similar_papers_and_asks_again(shelf: Shelf) -> None:
    cast = shelf.cast
    client = cast.client("member")
    page = client.get(f"/nominate/{shelf.decoding.arxiv_id}/").content.decode()
    assert "This group discussed the paper on" in page
    assert f"/g/{cast.group.slug}/sessions/{shelf.decoding_session.pk}/notes/" in page
    assert f"Nominate it again to {cast.group.name}" in page
    similar = client.get(f"/nominate/{topic_paper('decoding2').arxiv_id}/").content.decode()
    assert shelf.decoding.title in similar and "discussed papers like it" in similar
    assert "Nominate it again" not in similar


def test_a_discussed_paper_is_nominated_again_only_when_asked(shelf: Shelf) -> None:
    cast = shelf.cast
    client = cast.client("member")
    url = f"/nominate/{shelf.decoding.arxiv_id}/"
    refused = client.post(url, {"group": cast.group.slug})
    assert refused.status_code == 400
    assert "discussed this paper on" in refused.content.decode()
    assert "nominate it again?" in refused.content.decode()
    assert not Nomination.objects.filter(group=cast.group, paper=shelf.decoding).exists()
    again = client.post(url, {"group": cast.group.slug, "again": "1"})
    assert again.status_code == 302
    assert Nomination.objects.filter(group=cast.group, paper=shelf.decoding).open().exists()


def test_pasting_a_discussed_paper_asks_with_its_similar_papers(shelf: Shelf) -> None:
    cast = shelf.cast
    shelf_paper = topic_paper("decoding2")
    earlier = DiscussionSession.objects.create(
        group=cast.group,
        paper=shelf_paper,
        starts_at=shelf.decoding_session.starts_at - timedelta(days=7),
        duration=timedelta(hours=1),
    )
    response = cast.client("member").post(
        f"/g/{cast.group.slug}/nominate/", {"paper": shelf_paper.arxiv_id, "pitch": "Again?"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/g/{cast.group.slug}/sessions/{earlier.pk}/notes/" in html
    assert 'name="again" value="1"' in html and 'name="pitch" value="Again?"' in html
    assert shelf.decoding.title in html  # discussed, and like it
    assert not Nomination.objects.filter(paper=shelf_paper).exists()


def test_the_nomination_page_shows_what_the_group_discussed_like_it(shelf: Shelf) -> None:
    cast = shelf.cast
    nomination = Nomination.objects.create(
        group=cast.group, paper=topic_paper("diffusion2"), nominated_by=cast.member
    )
    for role in ["anonymous", "member"]:
        html = cast.client(role).get(f"/g/{cast.group.slug}/n/{nomination.pk}/").content.decode()
        assert "The group read something like this" in html
        assert shelf.diffusion.title in html and shelf.decoding.title not in html


def test_groups_of_others_stay_out_of_the_nominate_page(shelf: Shelf) -> None:
    outsider = shelf.cast.client("outsider")
    page = outsider.get(f"/nominate/{topic_paper('decoding2').arxiv_id}/").content.decode()
    assert shelf.decoding.title not in page
    assert ReadingGroup.objects.of_user(shelf.cast.outsider).count() == 0
