import datetime as dt

import pytest
from django.test import Client

from papers.models import Paper
from tests.factories import PaperFactory
from tests.papers.conftest import listed_papers
from tests.people import ROLES, make_cast

pytestmark = pytest.mark.django_db


def make_corpus() -> dict[str, Paper]:
    return {
        "title": PaperFactory(
            title="Aligning language models with feedback", abstract="Plain.", ai_keywords=[]
        ),
        "abstract": PaperFactory(
            title="Something else", abstract="We study alignment of agents.", ai_keywords=[]
        ),
        "author": PaperFactory(
            title="Graphs", abstract="Nodes.", authors=["Rafal Kocielnik"], ai_keywords=[]
        ),
        "keyword": PaperFactory(
            title="Tokens", abstract="Words.", ai_keywords=["speculative decoding"]
        ),
        "other": PaperFactory(title="Unrelated", abstract="Nothing here.", ai_keywords=["robots"]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_it_searches_for_everyone(role: str) -> None:
    corpus = make_corpus()
    response = make_cast().client(role).get("/papers/search/", {"q": "alignment"})
    assert response.status_code == 200
    found = set(response.context["page"].object_list)
    assert corpus["abstract"] in found
    assert corpus["other"] not in found


def test_it_searches_title_abstract_authors_and_keywords() -> None:
    corpus = make_corpus()
    assert list(Paper.objects.search("kocielnik")) == [corpus["author"]]
    assert list(Paper.objects.search("speculative decoding")) == [corpus["keyword"]]
    assert list(Paper.objects.search("feedback")) == [corpus["title"]]
    assert list(Paper.objects.search("   ")) == []


def test_it_ranks_title_matches_first(settings) -> None:
    corpus = make_corpus()
    results = list(Paper.objects.search("aligning"))
    assert results[0] == corpus["title"]  # stemmed: "aligning" also finds "alignment"
    assert corpus["abstract"] in results


def test_it_shows_results_like_the_seed_page() -> None:
    PaperFactory(
        title="Large Language Model Alignment: A Survey",
        authors=[f"Author {n}" for n in range(9)],
        abstract="Recent years have witnessed remarkable progress made in large language models.",
        upvotes=3,
    )
    html = Client().get("/papers/search/", {"q": "alignment"}).content.decode()
    assert "Large Language Model <mark>Alignment</mark>: A Survey" in html
    assert "Author 0, Author 1, Author 2 and 6 more" in html
    assert "Recent years have witnessed" in html
    assert "1 result" in html


def test_it_has_empty_states() -> None:
    assert b"Search across every paper" in Client().get("/papers/search/").content
    assert (
        "Nothing matches “zebra”"
        in Client().get("/papers/search/", {"q": "zebra"}).content.decode()
    )


def test_it_answers_htmx_with_the_results_alone() -> None:
    make_corpus()
    html = (
        Client()
        .get("/papers/search/", {"q": "alignment"}, headers={"HX-Request": "true"})
        .content.decode()
    )
    assert html.lstrip().startswith('<div id="search-results"')


def test_it_tells_caches_that_the_results_vary_with_htmx() -> None:
    make_corpus()
    for headers in ({}, {"HX-Request": "true"}):
        response = Client().get("/papers/search/", {"q": "alignment"}, headers=headers)
        assert "HX-Request" in response.get("Vary", "")


def test_it_refuses_the_wrong_method() -> None:
    assert make_cast().client("outsider").post("/papers/search/", {"q": "x"}).status_code == 405


@pytest.mark.parametrize("size", [3, 300])
def test_it_searches_in_a_fixed_number_of_queries(size: int, django_assert_num_queries) -> None:
    listed_papers(size, dt.date(2026, 6, 12), abstract="About alignment.")
    client = Client()
    # count, page
    with django_assert_num_queries(2):
        response = client.get("/papers/search/", {"q": "alignment"})
    assert response.context["page"].paginator.count == size
