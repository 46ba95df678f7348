"""The network edge for tests: an httpx.MockTransport serving recorded responses.

`network` routes requests by host and path to handlers a test sets, records every request,
and makes the clients' sleeps instant (recording how long they would have waited). Any test can
use the fixture (it is registered in tests/conftest.py); our own code is never mocked.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from papers.clients import http as http_module

Handler = Callable[[httpx.Request], httpx.Response]


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
