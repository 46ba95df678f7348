import datetime as dt

import pytest
from django.test import Client

from tests.factories import PaperFactory
from tests.papers.conftest import listed_papers
from tests.people import ROLES, make_cast

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_a_day_to_everyone(role: str) -> None:
    listed_papers(2, DAY)
    listed_papers(1, DAY - dt.timedelta(days=3))
    listed_papers(1, DAY + dt.timedelta(days=1))
    response = make_cast().client(role).get("/papers/2026-06-12/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2
    assert response.context["previous_url"] == "/papers/2026-06-09/"
    assert response.context["next_url"] == "/papers/2026-06-13/"
    add_link = b'href="/papers/add/"' in response.content
    assert add_link == (role != "anonymous")


def test_it_shows_the_cards_like_the_daily_list() -> None:
    paper = listed_papers(
        1,
        DAY,
        title="MiniMax Sparse Attention",
        authors=["A One", "B Two", "C Three", "D Four", "E Five"],
        organization="MiniMax",
        upvotes=103,
        num_comments=4,
        github_repo="https://github.com/MiniMax-AI/MSA",
        github_stars=251,
        project_page="https://example.org/msa",
        ai_keywords=["sparse attention", "long context"],
        thumbnail_url="https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2606.13392.png",
    )[0]
    html = Client().get("/papers/2026-06-12/").content.decode()
    assert "MiniMax Sparse Attention" in html
    assert "A One, B Two, C Three and 2 more" in html
    assert "MiniMax" in html
    assert "103" in html and "4 comments" in html
    assert 'href="https://github.com/MiniMax-AI/MSA"' in html and "★ 251" in html
    assert 'href="https://example.org/msa"' in html
    assert "sparse attention" in html
    assert f'href="/papers/p/{paper.arxiv_id}/"' in html
    assert 'src="https://cdn-thumbnails.huggingface.co/' in html


def test_it_shows_no_broken_image_without_a_thumbnail() -> None:
    listed_papers(1, DAY, thumbnail_url="")
    assert b"<img" not in Client().get("/papers/2026-06-12/").content


def test_it_sorts_by_upvotes_or_newest() -> None:
    old_popular = listed_papers(
        1, DAY, upvotes=50, published_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )[0]
    new_quiet = listed_papers(
        1, DAY, upvotes=1, published_at=dt.datetime(2026, 6, 10, tzinfo=dt.UTC)
    )[0]
    by_votes = Client().get("/papers/2026-06-12/").context["page"].object_list
    by_date = Client().get("/papers/2026-06-12/?sort=new").context["page"].object_list
    assert list(by_votes) == [old_popular, new_quiet]
    assert list(by_date) == [new_quiet, old_popular]
    assert Client().get("/papers/2026-06-12/?sort=bogus").context["sort"] == "upvotes"


def test_it_answers_htmx_with_the_list_alone() -> None:
    listed_papers(2, DAY)
    response = Client().get("/papers/2026-06-12/?sort=new", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="paper-list"')
    assert "<html" not in html


def test_it_shows_the_latest_day_at_papers() -> None:
    listed_papers(1, DAY - dt.timedelta(days=1))
    listed_papers(3, DAY)
    response = Client().get("/papers/")
    assert response.context["day"] == DAY
    assert len(response.context["page"].object_list) == 3


def test_it_has_an_empty_state() -> None:
    assert b"No papers yet" in Client().get("/papers/").content
    empty_day = Client().get("/papers/2026-06-13/")
    assert empty_day.status_code == 200
    assert b"No papers on this day" in empty_day.content


def test_it_shows_a_week_and_a_month() -> None:
    monday, sunday = dt.date(2026, 6, 8), dt.date(2026, 6, 14)
    in_week = listed_papers(2, monday) + listed_papers(1, sunday)
    listed_papers(1, dt.date(2026, 6, 15))
    listed_papers(1, dt.date(2026, 7, 1))
    # A paper listed on two days of the week appears once.
    in_week[0].listings.create(day=dt.date(2026, 6, 9))
    week = Client().get("/papers/week/2026-W24/")
    assert week.status_code == 200
    assert set(week.context["page"].object_list) == set(in_week)
    assert week.context["previous_url"] == "/papers/week/2026-W23/"
    month = Client().get("/papers/month/2026-06/")
    assert month.context["page"].paginator.count == 4
    assert month.context["next_url"] == "/papers/month/2026-07/"


def test_it_pages_long_lists(settings) -> None:
    settings.PAPERS_PER_PAGE = 5
    listed_papers(12, DAY)
    response = Client().get("/papers/2026-06-12/?page=3")
    assert len(response.context["page"].object_list) == 2


@pytest.mark.parametrize(
    "url",
    ["/papers/2026-13-01/", "/papers/week/2026-W60/", "/papers/month/2026-13/", "/papers/week/x/"],
)
def test_it_404s_on_dates_that_do_not_exist(url: str) -> None:
    assert Client().get(url).status_code == 404


@pytest.mark.parametrize(
    "url", ["/papers/", "/papers/2026-06-12/", "/papers/week/2026-W24/", "/papers/month/2026-06/"]
)
def test_it_refuses_the_wrong_method(url: str) -> None:
    client = make_cast().client("outsider")
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("size", [3, 300])
def test_it_lists_a_day_in_a_fixed_number_of_queries(size: int, django_assert_num_queries) -> None:
    listed_papers(size, DAY)
    listed_papers(1, DAY - dt.timedelta(days=1))
    client = Client()
    # previous/next day, count, page
    with django_assert_num_queries(3):
        response = client.get("/papers/2026-06-12/")
    assert response.status_code == 200


@pytest.mark.parametrize("size", [3, 300])
def test_it_shows_the_home_page_in_a_fixed_number_of_queries(
    size: int, django_assert_num_queries
) -> None:
    listed_papers(size, DAY)
    client = Client()
    # latest day, its top papers, the state of the daily import (sample? importing?)
    with django_assert_num_queries(3):
        response = client.get("/")
    assert len(response.context["papers"]) == min(size, 12)


def test_it_keeps_the_intro_for_signed_out_visitors() -> None:
    PaperFactory()
    assert b"Read research papers together" in Client().get("/").content
    assert b"Read research papers together" not in make_cast().client("outsider").get("/").content


@pytest.mark.parametrize(
    "url", ["/papers/", "/papers/2026-06-12/", "/papers/week/2026-W24/", "/papers/month/2026-06/"]
)
def test_it_tells_caches_that_the_lists_vary_with_htmx(url: str) -> None:
    listed_papers(2, DAY)
    for headers in ({}, {"HX-Request": "true"}):
        assert "HX-Request" in Client().get(url, headers=headers).get("Vary", "")
