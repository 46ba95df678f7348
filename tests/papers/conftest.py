"""Recorded responses for papers tests, served through the `network` fixture (tests/network.py)."""

import json
import re
from pathlib import Path

import httpx
import pytest

from tests.network import FakeNetwork
from tests.shared import shared_file


def hf_fixture_path() -> Path:
    return shared_file("fixtures", "hf", "daily_papers_2026-06-12.json")


def arxiv_fixture_path() -> Path:
    return shared_file("fixtures", "arxiv", "query_testing_100.xml")


def hf_items() -> list[dict]:
    return json.loads(hf_fixture_path().read_text())


@pytest.fixture
def hf_day(network: FakeNetwork) -> FakeNetwork:
    """Hugging Face serving the recorded 2026-06-12 list (30 papers) on page 0."""
    network.serve_daily([hf_fixture_path().read_bytes()])
    return network


def arxiv_feed(*indexes: int) -> str:
    """The recorded arXiv answer cut down to the entries at `indexes` (none: an empty feed,
    which is how the API answers a well-formed id it does not have)."""
    text = arxiv_fixture_path().read_text()
    entries = re.findall(r"  <entry>.*?</entry>\n", text, flags=re.DOTALL)
    head = text[: text.index("  <entry>")]
    return head + "".join(entries[i] for i in indexes) + "</feed>\n"


def arxiv_entry_id(index: int) -> str:
    """The arXiv id (without version) of the recorded entry at `index`."""
    match = re.search(r"<id>http://arxiv.org/abs/(.+?)v\d+</id>", arxiv_feed(index))
    assert match
    return match.group(1)


# The recorded answer's entry for 2204.08348, which arXiv sent as its v3.
V3_ENTRY = 3
V3_ID = "2204.08348"


def arxiv_entry_at_version(version: int) -> str:
    """A feed of the recorded v3 entry as arXiv would have sent it when `version` was the
    latest (its id says v<version>; the rest is the recorded text)."""
    feed = arxiv_feed(V3_ENTRY)
    assert f"{V3_ID}v3</id>" in feed
    return re.sub(rf"(<id>http://arxiv.org/abs/{V3_ID})v3(</id>)", rf"\1v{version}\2", feed)


def import_at_version(network: FakeNetwork, version: int):
    """Imports 2204.08348 from arXiv (through the fake network) as arXiv would have sent it
    while `version` was its latest; returns the paper."""
    from papers import services
    from papers.models import Paper

    network.serve_arxiv(arxiv_entry_at_version(version))
    services.import_arxiv_ids(ids=[V3_ID])
    return Paper.objects.get(arxiv_id=V3_ID)


def listed_papers(count: int, day, **fields):
    """`count` papers on the daily list of `day`."""
    from papers.models import DailyListing
    from tests.factories import PaperFactory

    papers = PaperFactory.create_batch(count, **fields)
    DailyListing.objects.bulk_create([DailyListing(paper=paper, day=day) for paper in papers])
    return papers


ARXIV_QUERY = "export.arxiv.org/api/query"
PLAIN_ARXIV_DOWN = "arXiv did not answer; try again in a minute."


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)


def _timing_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def _busy(request: httpx.Request) -> httpx.Response:
    return httpx.Response(503, text="Service Unavailable")


# How arXiv fails to answer, with what the ImportRun's reason names: for the logs, not people.
ARXIV_FAILURES = {
    "unreachable": (_unreachable, "ConnectError"),
    "timing out": (_timing_out, "ReadTimeout"),
    "busy": (_busy, "503"),
}


def arxiv_fails(network: FakeNetwork, failure: str) -> str:
    """Makes every arXiv request fail the `failure` way; returns the technical detail expected."""
    handler, detail = ARXIV_FAILURES[failure]
    network.routes[ARXIV_QUERY] = handler
    return detail
