import datetime as dt

import pytest
from django.test import Client
from django.utils.html import escape

from tests.factories import PaperFactory
from tests.papers.conftest import listed_papers
from tests.people import ROLES, make_cast
from tests.shared import xss_markup_lines

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_a_paper_to_everyone(role: str) -> None:
    paper = PaperFactory(
        arxiv_id="2606.13392",
        ai_summary="A short summary.",
        github_repo="https://github.com/MiniMax-AI/MSA",
        github_stars=251,
        project_page="https://example.org/msa",
    )
    paper.listings.create(day=DAY)
    response = make_cast().client(role).get("/papers/p/2606.13392/")
    assert response.status_code == 200
    html = response.content.decode()
    for expected in [
        paper.title,
        paper.abstract,
        "A short summary.",
        'href="https://arxiv.org/abs/2606.13392"',
        'href="https://arxiv.org/pdf/2606.13392"',
        'href="https://github.com/MiniMax-AI/MSA"',
        'href="https://example.org/msa"',
        'href="/papers/2026-06-12/"',
        '<section class="paper-actions"',
    ]:
        assert expected in html, expected


def test_it_serves_old_style_ids() -> None:
    PaperFactory(arxiv_id="hep-th/9901001", title="Old but gold")
    assert b"Old but gold" in Client().get("/papers/p/hep-th/9901001/").content


def test_it_redirects_versions_to_the_one_address() -> None:
    PaperFactory(arxiv_id="2606.13392")
    response = Client().get("/papers/p/2606.13392v3/")
    assert (response.status_code, response["Location"]) == (301, "/papers/p/2606.13392/")


@pytest.mark.parametrize("url", ["/papers/p/2606.99999/", "/papers/p/nonsense/"])
def test_it_404s_on_unknown_papers(url: str) -> None:
    assert Client().get(url).status_code == 404


def test_it_refuses_the_wrong_method() -> None:
    PaperFactory(arxiv_id="2606.13392")
    assert make_cast().client("outsider").post("/papers/p/2606.13392/").status_code == 405


@pytest.mark.parametrize("size", [3, 300])
def test_it_shows_a_paper_in_a_fixed_number_of_queries(
    size: int, django_assert_num_queries
) -> None:
    papers = listed_papers(size, DAY)
    for offset in range(1, 4):
        papers[0].listings.create(day=DAY - dt.timedelta(days=offset))
    client = Client()
    # the paper, its days on the list
    with django_assert_num_queries(2):
        assert client.get(f"/papers/p/{papers[0].arxiv_id}/").status_code == 200


def test_it_escapes_html_from_the_sources() -> None:
    payloads = [line.strip() for line in xss_markup_lines("RSNAKE_XSS.txt")][:40]
    assert payloads
    plain = PaperFactory(arxiv_id="2606.99999")
    scripts = Client().get(f"/papers/p/{plain.arxiv_id}/").content.decode().lower().count("<script")
    for n, payload in enumerate(payloads):
        paper = PaperFactory(
            arxiv_id=f"2606.{n:05d}",
            title=payload[:1000],
            abstract=payload,
            ai_summary=payload,
            authors=[payload],
            organization=payload[:300],
            ai_keywords=[payload],
        )
        paper.listings.create(day=DAY)
        html = Client().get(f"/papers/p/{paper.arxiv_id}/").content.decode()
        assert escape(payload) in html
        assert payload not in html
        assert html.lower().count("<script") == scripts
    day_html = Client().get("/papers/2026-06-12/").content.decode()
    assert all(payload not in day_html for payload in payloads)
