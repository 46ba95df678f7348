"""The network edge for papers tests: an httpx.MockTransport serving recorded responses.

`network` routes requests by host and path to handlers a test sets, records every request,
and makes the clients' sleeps instant (recording how long they would have waited).
"""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from papers.clients import http as http_module
from tests.shared import shared_file

Handler = Callable[[httpx.Request], httpx.Response]


def hf_fixture_path() -> Path:
    return shared_file("fixtures", "hf", "daily_papers_2026-06-12.json")


def arxiv_fixture_path() -> Path:
    return shared_file("fixtures", "arxiv", "query_testing_100.xml")


def hf_items() -> list[dict]:
    return json.loads(hf_fixture_path().read_text())


@dataclass
class FakeNetwork:
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for prefix, handler in self.routes.items():
            if f"{request.url.host}{request.url.path}".startswith(prefix):
                return handler(request)
        return httpx.Response(404, text="Not Found")

    def serve_daily(self, pages: list[bytes | str], status: int = 200) -> None:
        """Serves /api/daily_papers: page p of `pages`, then empty pages."""

        def handler(request: httpx.Request) -> httpx.Response:
            page = int(request.url.params.get("p", "0"))
            body = pages[page] if page < len(pages) else "[]"
            return httpx.Response(
                status, content=body, headers={"Content-Type": "application/json"}
            )

        self.routes["huggingface.co/api/daily_papers"] = handler

    def serve_arxiv(self, body: bytes | str, status: int = 200) -> None:
        self.routes["export.arxiv.org/api/query"] = lambda request: httpx.Response(
            status, content=body, headers={"Content-Type": "application/atom+xml"}
        )

    def paths(self) -> list[str]:
        return [f"{r.url.host}{r.url.path}?{r.url.query.decode()}" for r in self.requests]


@pytest.fixture
def network(monkeypatch) -> Iterator[FakeNetwork]:
    fake = FakeNetwork()
    monkeypatch.setattr(http_module, "DEFAULT_TRANSPORT", httpx.MockTransport(fake.handle))
    monkeypatch.setattr(http_module, "DEFAULT_SLEEP", fake.sleeps.append)
    yield fake


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


ROLES = ["anonymous", "outsider", "member", "organizer", "staff"]


def client_for(role: str):
    """A test client signed in as someone in `role` (papers pages are the same for all)."""
    from django.test import Client

    from groups.models import Membership
    from tests.factories import MembershipFactory, UserFactory

    client = Client()
    if role == "anonymous":
        return client
    if role in {"member", "organizer"}:
        user = MembershipFactory(
            role=Membership.Role.MEMBER if role == "member" else Membership.Role.ORGANIZER
        ).user
    else:
        user = UserFactory(is_staff=role == "staff", is_superuser=role == "staff")
    client.force_login(user)
    return client


def listed_papers(count: int, day, **fields):
    """`count` papers on the daily list of `day`."""
    from papers.models import DailyListing
    from tests.factories import PaperFactory

    papers = PaperFactory.create_batch(count, **fields)
    DailyListing.objects.bulk_create([DailyListing(paper=paper, day=day) for paper in papers])
    return papers
