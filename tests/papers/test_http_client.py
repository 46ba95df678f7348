import datetime as dt

import httpx
import pytest

from papers.clients.arxiv import ArxivClient
from papers.clients.hf import HuggingFaceClient
from papers.clients.http import SourceError
from tests.papers.conftest import FakeNetwork, arxiv_feed, hf_fixture_path

DAY = dt.date(2026, 6, 12)


def test_it_names_the_app_in_the_user_agent(hf_day: FakeNetwork, settings) -> None:
    HuggingFaceClient().daily_papers(DAY)
    assert hf_day.requests[0].headers["User-Agent"] == f"PaperClub/0.1 (+{settings.SITE_URL})"


def test_it_pages_until_an_empty_page(hf_day: FakeNetwork) -> None:
    document = HuggingFaceClient().daily_papers(DAY)
    assert len(document.records) == 30
    params = [dict(request.url.params) for request in hf_day.requests]
    assert [p["p"] for p in params] == ["0", "1"]
    assert all(p["date"] == "2026-06-12" for p in params)
    assert all(p["limit"] == "100" for p in params)


def test_it_stops_when_the_api_ignores_paging(network: FakeNetwork) -> None:
    body = hf_fixture_path().read_bytes()
    network.routes["huggingface.co/api/daily_papers"] = lambda request: httpx.Response(
        200, content=body
    )
    assert len(HuggingFaceClient().daily_papers(DAY).records) == 30
    assert len(network.requests) == 2


def test_it_retries_server_errors_with_growing_waits(network: FakeNetwork) -> None:
    answers = iter([503, 502, 200])
    body = hf_fixture_path().read_bytes()

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.params["p"] != "0":
            return httpx.Response(200, content=b"[]")
        status = next(answers)
        return httpx.Response(status, content=body if status == 200 else b"busy")

    network.routes["huggingface.co/api/daily_papers"] = flaky
    assert len(HuggingFaceClient().daily_papers(DAY).records) == 30
    assert len(network.sleeps) == 2
    # Backoff 1 s then 2 s, each with jitter between half and one and a half times.
    assert 0.5 <= network.sleeps[0] <= 1.5
    assert 1.0 <= network.sleeps[1] <= 3.0


def test_it_honours_retry_after_on_429(network: FakeNetwork) -> None:
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, content=b"[]")]
    )
    network.routes["huggingface.co/api/daily_papers"] = lambda request: next(answers)
    assert HuggingFaceClient().daily_papers(DAY).records == []
    assert network.sleeps == [7.0]


def test_it_reads_the_ratelimit_header_when_there_is_no_retry_after(network: FakeNetwork) -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"RateLimit": '"api";r=0;t=42'}),
            httpx.Response(200, content=b"[]"),
        ]
    )
    network.routes["huggingface.co/api/daily_papers"] = lambda request: next(answers)
    HuggingFaceClient().daily_papers(DAY)
    assert network.sleeps == [42.0]


def test_it_gives_up_after_four_tries_with_a_retryable_error(network: FakeNetwork) -> None:
    network.routes["huggingface.co/api/daily_papers"] = lambda request: httpx.Response(503)
    with pytest.raises(SourceError, match="503") as caught:
        HuggingFaceClient().daily_papers(DAY)
    assert caught.value.retryable
    assert len(network.requests) == 4


def test_it_retries_network_errors(network: FakeNetwork) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    network.routes["huggingface.co/api/daily_papers"] = down
    with pytest.raises(SourceError, match="network error") as caught:
        HuggingFaceClient().daily_papers(DAY)
    assert caught.value.retryable
    assert len(network.requests) == 4


def test_it_gives_a_waiting_person_one_short_try(network: FakeNetwork, settings) -> None:
    settings.PAPERS_INTERACTIVE_TIMEOUT = 2.5
    client = ArxivClient(interactive=True)
    assert client.http.attempts == 1
    # Every phase (connect, write, read, pool) is bounded, not only the answer.
    assert client.http.timeout == httpx.Timeout(2.5)
    assert ArxivClient().http.attempts == 4


def test_it_fails_at_once_on_a_400_with_the_reason(network: FakeNetwork) -> None:
    network.routes["huggingface.co/api/daily_papers"] = lambda request: httpx.Response(
        400, json={"error": "Invalid date"}
    )
    with pytest.raises(SourceError, match=r"400 Bad Request.*Invalid date") as caught:
        HuggingFaceClient().daily_papers(DAY)
    assert not caught.value.retryable
    assert caught.value.for_people == "Hugging Face turned the request down (it answered 400)."
    assert len(network.requests) == 1
    assert network.sleeps == []


def test_it_waits_three_seconds_between_arxiv_requests(network: FakeNetwork) -> None:
    network.serve_arxiv(arxiv_feed(0))
    client = ArxivClient()
    client.by_ids(["2202.12139"])
    client.by_ids(["2202.12139"])
    assert len(network.sleeps) == 1
    assert 2.5 < network.sleeps[0] <= 3.0


def test_it_asks_arxiv_by_id_and_by_category(network: FakeNetwork) -> None:
    network.serve_arxiv(arxiv_feed(0, 1))
    client = ArxivClient(sleep=lambda seconds: None)
    assert len(client.by_ids(["2202.12139", "2405.13786"]).records) == 2
    assert len(client.category("cs.SE", max_results=2).records) == 2
    by_id, by_category = network.requests
    assert by_id.url.params["id_list"] == "2202.12139,2405.13786"
    assert by_category.url.params["search_query"] == "cat:cs.SE"
    assert by_category.url.params["sortBy"] == "submittedDate"
