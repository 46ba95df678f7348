"""The HTTP layer every source client shares: timeouts, a User-Agent naming the app, retries
with exponential backoff and jitter (honouring Retry-After), a minimum interval between
requests, and every failure turned into one exception type, SourceError.

Background imports use the full retry policy. When a person waits on a page, a client is built
with one attempt and a short timeout (`attempts=1, timeout=settings.PAPERS_INTERACTIVE_TIMEOUT`):
better a plain "try again in a minute" at once than the same answer ten seconds later.

Tests pass an httpx.MockTransport serving recorded responses, and a sleep that does not wait.
"""

import datetime as dt
import random
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.conf import settings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
Sleep = Callable[[float], None]
# Reads what a source says in the body of a refusal (a 4xx), or None when it says nothing useful.
Explain = Callable[[httpx.Response], str | None]

# Where clients send requests and how they wait when none is given. Tests point these at an
# httpx.MockTransport serving recorded responses and at a sleep that returns at once.
DEFAULT_TRANSPORT: httpx.BaseTransport | None = None
DEFAULT_SLEEP: Sleep = time.sleep


class SourceError(Exception):
    """A source could not give us what we asked for.

    The message (`str(exc)`) is the technical reason, for logs and ImportRun.error. `for_people`
    is the sentence to show the person who asked; it is the message itself unless one is given.
    `retryable` is True when trying again later may help (network trouble, 5xx, 429);
    `retry_at` is when the source asked us to come back (its Retry-After), if it said.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        status: int | None = None,
        for_people: str | None = None,
        retry_at: dt.datetime | None = None,
    ):
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.for_people = for_people or message
        self.retry_at = retry_at


def user_agent() -> str:
    return f"PaperClub/0.1 (+{settings.SITE_URL})"


def _retry_after_seconds(response: httpx.Response) -> float | None:
    """Retry-After as seconds or an HTTP date; else the reset of the IETF RateLimit header."""
    value = response.headers.get("Retry-After")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            pass
    ratelimit = response.headers.get("RateLimit", "")
    for part in ratelimit.replace(",", ";").split(";"):
        key, _, number = part.strip().partition("=")
        if key == "t" and number.isdigit():
            return float(number)
    return None


class HttpClient:
    """A polite JSON/text fetcher for one source."""

    def __init__(
        self,
        *,
        name: str,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 20.0,
        attempts: int = 4,
        backoff: float = 1.0,
        max_wait: float = 120.0,
        min_interval: float = 0.0,
        sleep: Sleep | None = None,
        explain: Explain | None = None,
    ) -> None:
        self.name = name
        self.explain = explain
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        self.attempts = attempts
        self.backoff = backoff
        self.max_wait = max_wait
        self.min_interval = min_interval
        self.sleep = sleep or DEFAULT_SLEEP
        self._last_request = 0.0
        self._lock = threading.Lock()
        self._client = httpx.Client(
            transport=transport or DEFAULT_TRANSPORT,
            timeout=self.timeout,
            headers={"User-Agent": user_agent()},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._client.close()

    def _wait_turn(self) -> None:
        # Sources such as arXiv ask for at most one request every few seconds.
        with self._lock:
            if self.min_interval:
                wait = self._last_request + self.min_interval - time.monotonic()
                if wait > 0:
                    self.sleep(wait)
            self._last_request = time.monotonic()

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        retry_after = _retry_after_seconds(response) if response is not None else None
        if retry_after is not None:
            return min(retry_after, self.max_wait)
        # Exponential backoff with full jitter: spreads out clients that failed together.
        return min(self.backoff * 2**attempt * (0.5 + random.random()), self.max_wait)

    def get(self, url: str, *, params: dict[str, Any] | None = None) -> httpx.Response:
        """GET with retries; returns a 2xx response or raises SourceError.

        A source that asks us to wait longer than `max_wait` (Retry-After) is not asked again
        early: the SourceError says when it may be, in the message and in `retry_at`.
        """
        last_error = ""
        retry_at: dt.datetime | None = None
        for attempt in range(self.attempts):
            self._wait_turn()
            response: httpx.Response | None = None
            try:
                response = self._client.get(url, params=params)
            except httpx.HTTPError as exc:
                last_error = f"{self.name}: network error ({type(exc).__name__}: {exc})"
            else:
                if response.is_success:
                    return response
                if response.status_code not in RETRY_STATUSES:
                    said = (self.explain and self.explain(response)) or _snippet(response)
                    raise SourceError(
                        f"{self.name} answered {response.status_code} "
                        f"{response.reason_phrase}: {said}",
                        status=response.status_code,
                        for_people=f"{self.name} turned the request down "
                        f"(it answered {response.status_code}).",
                    )
                last_error = f"{self.name} answered {response.status_code} {response.reason_phrase}"
                wait = _retry_after_seconds(response)
                if wait is not None:
                    retry_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait)
                    if wait > self.max_wait:
                        raise SourceError(
                            f"{last_error} and asked to wait {wait:.0f} s; "
                            f"will retry at {retry_at:%Y-%m-%d %H:%M:%S} UTC",
                            retryable=True,
                            status=response.status_code,
                            retry_at=retry_at,
                            for_people=f"{self.name} is busy; try again after "
                            f"{retry_at:%H:%M} UTC.",
                        )
            if attempt + 1 < self.attempts:
                self.sleep(self._delay(attempt, response))
        tries = "1 try" if self.attempts == 1 else f"{self.attempts} tries"
        raise SourceError(
            f"{last_error} (gave up after {tries})",
            retryable=True,
            retry_at=retry_at,
            for_people=f"{self.name} did not answer; try again in a minute.",
        )


def _snippet(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:200] or "(empty body)"
