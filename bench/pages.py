"""Benchmark: our hot pages served by gunicorn, against raw-SQL endpoints in the same process.

    .venv/bin/python bench/pages.py        (also part of `make bench`)

What it does, in one run:

1. Creates and migrates the database `paperclub_bench_pages` (BENCH_DATABASE_URL to put it
   elsewhere; BENCH_REDIS_URL for its cache, Redis db 9 by default) and regenerates its rows: group "bench-small" (500 open nominations, 20 members,
   ~2,000 votes), group "bench-large" (the same 500 papers, 200 members, ~15,000 votes) and a
   thread of 2,000 notes on one bench-small nomination. Seeded, so every run has the same data.
2. Starts gunicorn (1 sync worker) with production settings on a free local port, serving
   `bench/raw_wsgi.py`: Django, plus `/raw/...` endpoints that answer with one SQL query and
   string-built HTML showing the same rows (the floor to compare against).
3. Signed in as a member (a session made here with the test Client's `force_login`, in the same
   store), loads each page from 2 client threads, so the worker always has the next request
   waiting, for BENCH_ROUNDS rounds of BENCH_SECONDS seconds per side, ours and raw alternating.
4. Prints requests per second (median of the rounds), bytes per response, the ratio ours/raw, the
   queries each of our requests makes (counted in this process with the test Client), and the goals.
   BENCH_ONLY=thread (or ballot-small, ballot-large, vote; comma-separated) runs only those.

Baseline (the old code path): BASELINE_BALLOT_SMALL_RPS, the bench-small ballot page rendering
all 500 rows, measured with this script on 2026-12-01 at commit f8cdf55 (main) on the 2-core
development machine: 5.2, 4.5 and 3.1 req/s in three runs (raw: 73, 53 and 59 req/s), while other
jobs shared the cores; 4.5 is their median. The goal is ten times that. Single runs on a shared
machine vary by a third or more: trust the ratio (ours and raw alternate) over one req/s figure.
"""

from __future__ import annotations

import http.client
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test import Client

    from groups.models import Nomination, User
    from papers.models import Paper

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notes import generate_thread  # noqa: E402  (bench/notes.py, beside this)

from bench.in_process import ensure_database  # noqa: E402  (after sys.path)

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperclub_bench_pages"
)
SECONDS = float(os.environ.get("BENCH_SECONDS", "2"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CLIENT_THREADS = 2
# BENCH_ONLY=thread,vote: only these comparisons (ballot-small, ballot-large, vote, thread).
ONLY = [name for name in os.environ.get("BENCH_ONLY", "").split(",") if name]
BASELINE_BALLOT_SMALL_RPS = 4.5  # req/s, see the docstring

SMALL, LARGE = "bench-small", "bench-large"
NOMINATIONS = 500
MEMBERS = 200  # bench-large has them all, bench-small the first 20
SMALL_MEMBERS = 20
NOTES = 2000
PAPER_PREFIX = "9903."
USER_PREFIX = "bench-pages-"

HOST = "127.0.0.1"
# Production settings, read by this process (the session it makes, the query counts) and by
# gunicorn alike. Plain http on a local port, hence no SSL redirect and no HSTS.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": HOST,
    "SECURE_SSL_REDIRECT": "0",
    "BEHIND_TLS_PROXY": "0",
    "SECURE_HSTS_SECONDS": "0",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
    "CONN_MAX_AGE": "60",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "paperclub-bench-pages-static"),
    "LOG_LEVEL": "WARNING",
}


@dataclass
class Data:
    reader: User  # a member of both groups
    thread: Nomination  # the bench-small nomination with 2,000 notes
    ours_votes: list[Nomination]  # bench-small, one per client thread, not voted by the reader
    raw_votes: list[Nomination]  # the same for the raw side, so the two never cross
    counted_vote: Nomination  # the one voted on to count the vote POST's queries
    ballot_small: str = f"/g/{SMALL}/ballot/"
    ballot_large: str = f"/g/{LARGE}/ballot/"

    @property
    def thread_url(self) -> str:
        from django.urls import reverse

        return reverse("note_thread", args=[SMALL, "nominations", self.thread.pk])


def generate() -> Data:
    """Deletes the benchmark's rows and makes them again (same seed, same data)."""
    from django.db import transaction

    from groups.models import Nomination, ReadingGroup, User, Vote
    from papers.models import Paper

    rng = random.Random(42)
    with transaction.atomic():
        ReadingGroup.objects.filter(slug__in=[SMALL, LARGE]).delete()
        Paper.objects.filter(arxiv_id__startswith=PAPER_PREFIX).delete()
        User.objects.filter(username__startswith=USER_PREFIX).delete()

        users = User.objects.bulk_create(
            User(
                username=f"{USER_PREFIX}{i}",
                email=f"{USER_PREFIX}{i}@example.org",
                display_name=f"Reader {i}",
            )
            for i in range(MEMBERS)
        )
        papers = Paper.objects.bulk_create(
            Paper(
                arxiv_id=f"{PAPER_PREFIX}{i:05d}",
                title=f"Fast & loose <benchmarks>, part {i}",
                authors=["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"],
            )
            for i in range(NOMINATIONS)
        )
        small = make_group(SMALL, users[:SMALL_MEMBERS], papers, max_votes=8, rng=rng)
        make_group(LARGE, users, papers, max_votes=60, rng=rng)

        thread = small[0]
        generate_thread(thread, users[:SMALL_MEMBERS], NOTES, rng)

    reader = users[1]
    not_voted = list(
        Nomination.objects.filter(group=thread.group)
        .exclude(votes__user=reader)
        .exclude(pk=thread.pk)
        .order_by("id")[: 2 * CLIENT_THREADS + 1]
    )
    assert Vote.objects.filter(nomination__group=thread.group).exists()
    return Data(
        reader=reader,
        thread=thread,
        ours_votes=not_voted[:CLIENT_THREADS],
        raw_votes=not_voted[CLIENT_THREADS : 2 * CLIENT_THREADS],
        counted_vote=not_voted[-1],
    )


def make_group(
    slug: str, members: list[User], papers: list[Paper], *, max_votes: int, rng: random.Random
) -> list[Nomination]:
    """A public group with these members and one open nomination per paper, each with
    0..max_votes votes (so on average max_votes / 2)."""
    from groups.models import Membership, Nomination, ReadingGroup, Vote

    group = ReadingGroup.objects.create(name=f"Benchmark {slug}", slug=slug)
    Membership.objects.bulk_create(
        Membership(group=group, user=user, role="owner" if i == 0 else "member")
        for i, user in enumerate(members)
    )
    nominations = Nomination.objects.bulk_create(
        Nomination(
            group=group,
            paper=paper,
            nominated_by=rng.choice(members),
            pitch="Worth reading: short & sweet.\nThe <method> section alone is worth it.",
        )
        for paper in papers
    )
    Vote.objects.bulk_create(
        Vote(nomination=nomination, user=user)
        for nomination in nominations
        for user in rng.sample(members, rng.randint(0, max_votes))
    )
    return nominations


# HTTP against gunicorn. Sync workers close the connection after each response, so every
# request opens a new one.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


PORT = free_port()


def send(
    method: str, path: str, headers: dict[str, str], body: str | None = None
) -> tuple[int, bytes, http.client.HTTPMessage]:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), response.msg
    finally:
        connection.close()


@contextmanager
def gunicorn(
    application: str = "bench.raw_wsgi:application", workers: int = 1, *options: str
) -> Iterator[None]:
    """Gunicorn serving `application` (bench/raw_wsgi.py) on PORT until the block ends; its log
    shown on error."""
    command = [
        sys.executable, "-m", "gunicorn", application,
        "--chdir", str(ROOT), "--bind", f"{HOST}:{PORT}",
        "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning", *options,
    ]  # fmt: skip
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, env=os.environ.copy(), stdout=log, stderr=log)  # noqa: S603
        try:
            wait_until_healthy(process)
            yield
        except BaseException:
            log.seek(0)
            print("gunicorn's log:\n" + log.read()[-5000:], file=sys.stderr)
            raise
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_healthy(process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            if send("GET", "/healthz", {})[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


# The load loop. A call tells a client thread what to send next: (method, path, text the answer
# must contain). Anything but a 200 with that text stops the benchmark.

Call = Callable[[int], tuple[str, str, bytes]]


def drive(
    call: Call, headers: dict[str, str], body: str | None, seconds: float
) -> tuple[float, float]:
    """Requests per second and mean bytes per response, from CLIENT_THREADS threads.

    Each thread sends requests one after another until `seconds` have passed; the time runs until
    the last answer, so a slow request started just before the end is counted with its time.
    """
    deadline = time.perf_counter() + seconds
    sizes: list[list[int]] = [[] for _ in range(CLIENT_THREADS)]
    errors: list[BaseException] = []

    def client(index: int) -> None:
        try:
            while time.perf_counter() < deadline and not errors:
                method, path, expected = call(index)
                status, answer, _ = send(method, path, headers, body if method == "POST" else None)
                if status != 200 or expected not in answer:
                    raise AssertionError(f"{method} {path} answered {status}: {answer[:500]!r}")
                sizes[index].append(len(answer))
        except BaseException as exc:
            errors.append(exc)

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    done = [size for per_thread in sizes for size in per_thread]
    return len(done) / elapsed, statistics.mean(done)


@dataclass
class Result:
    label: str
    ours_rps: float
    ours_bytes: float
    raw_rps: float
    raw_bytes: float
    queries: int
    min_ratio: float | None  # the goals, if any
    min_rps: float | None

    @property
    def ratio(self) -> float:
        return self.ours_rps / self.raw_rps

    @property
    def goal(self) -> str:
        goals = []
        if self.min_ratio is not None:
            met = self.ratio >= self.min_ratio
            goals.append(f"ours/raw >= {self.min_ratio:.2f}: {'yes' if met else 'NO'}")
        if self.min_rps is not None:
            met = self.ours_rps >= self.min_rps
            goals.append(
                f"ours >= {self.min_rps:.1f} req/s (10x baseline): {'yes' if met else 'NO'}"
            )
        return "; ".join(goals) or "-"


def compare(
    label: str,
    ours: Call,
    raw: Call,
    headers: dict[str, str],
    body: str | None,
    queries: int,
    *,
    min_ratio: float | None = None,
    min_rps: float | None = None,
) -> Result:
    """Warms both up, then ROUNDS rounds of each side, the first side swapping every round."""
    drive(ours, headers, body, 0.3)
    drive(raw, headers, body, 0.3)
    rounds: dict[str, list[tuple[float, float]]] = {"ours": [], "raw": []}
    for number in range(ROUNDS):
        sides = [("ours", ours), ("raw", raw)]
        for side, call in sides if number % 2 == 0 else reversed(sides):
            rounds[side].append(drive(call, headers, body, SECONDS))
        print(
            f"  {label}, round {number + 1}/{ROUNDS}: "
            f"ours {rounds['ours'][-1][0]:.1f} req/s, raw {rounds['raw'][-1][0]:.1f} req/s",
            flush=True,
        )
    return Result(
        label=label,
        ours_rps=statistics.median(rps for rps, _ in rounds["ours"]),
        ours_bytes=statistics.mean(size for _, size in rounds["ours"]),
        raw_rps=statistics.median(rps for rps, _ in rounds["raw"]),
        raw_bytes=statistics.mean(size for _, size in rounds["raw"]),
        queries=queries,
        min_ratio=min_ratio,
        min_rps=min_rps,
    )


def print_table(results: list[Result]) -> None:
    print()
    print(
        f"{'endpoint':<36} {'ours req/s':>10} {'ours bytes':>11} {'raw req/s':>10} "
        f"{'raw bytes':>10} {'ours/raw':>9} {'queries':>8}  goal"
    )
    for r in results:
        print(
            f"{r.label:<36} {r.ours_rps:>10.1f} {r.ours_bytes:>11,.0f} {r.raw_rps:>10.1f} "
            f"{r.raw_bytes:>10,.0f} {r.ratio:>9.3f} {r.queries:>8}  {r.goal}"
        )
    print(
        f"\nreq/s: median of {ROUNDS} rounds of {SECONDS:g} s, {CLIENT_THREADS} client threads, "
        f"1 gunicorn sync worker; queries: one request of ours, counted in-process; "
        f"baseline {BASELINE_BALLOT_SMALL_RPS:.1f} req/s (f8cdf55, 2026-12-01)"
    )


BALLOT_ROW = b'class="ballot-row"'  # one per ballot row, ours and raw
NOTE_ROW = b'class="note depth-'  # one per note of a thread, ours and raw
HTMX = {"HX-Request": "true"}


def count_queries(client: Client, data: Data) -> dict[str, int]:
    """The queries one request of each of our endpoints makes (after one warm-up request)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(method: str, path: str, **kwargs: object) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 200, (path, response.status_code)
        return len(queries)

    counts = {}
    for name, path in [("small", data.ballot_small), ("large", data.ballot_large)]:
        count("get", path)
        counts[name] = count("get", path)
    count("get", data.thread_url)
    counts["thread"] = count("get", data.thread_url)
    vote = f"/g/{SMALL}/n/{data.counted_vote.pk}/vote/"
    unvote = f"/g/{SMALL}/n/{data.counted_vote.pk}/unvote/"
    form = {"next": data.ballot_small}
    count("post", vote, data=form, headers=HTMX)
    count("post", unvote, data=form, headers=HTMX)
    counts["vote"] = count("post", vote, data=form, headers=HTMX)
    count("post", unvote, data=form, headers=HTMX)
    return counts


def run(data: Data, session_id: str, queries: dict[str, int]) -> list[Result]:
    """Against the running gunicorn: signs in with the session, then compares each endpoint."""
    # Our ballot page sets the CSRF cookie; the vote POST sends it back with the header.
    session = f"sessionid={session_id}"
    status, page, headers = send("GET", data.ballot_small, {"Cookie": session})
    assert status == 200, status
    cookies = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    csrf = cookies["csrftoken"].value
    get_headers = {"Cookie": f"{session}; csrftoken={csrf}"}
    post_headers = {
        **get_headers,
        **HTMX,
        "X-CSRFToken": csrf,
        "Origin": f"http://{HOST}:{PORT}",  # CSRF checks the origin of a plain http request
        "Content-Type": "application/x-www-form-urlencoded",
    }
    form = f"next={data.ballot_small}"

    # The raw side shows as many rows as our pages do (counted, not assumed).
    small_rows = page.count(BALLOT_ROW)
    large_rows = send("GET", data.ballot_large, get_headers)[1].count(BALLOT_ROW)
    thread_rows = send("GET", data.thread_url, get_headers)[1].count(NOTE_ROW)
    print(
        f"gunicorn on {HOST}:{PORT}; our pages show {small_rows} ({SMALL}) and {large_rows} "
        f"({LARGE}) ballot rows and {thread_rows} of the {NOTES} notes",
        flush=True,
    )

    def fixed(path: str, expected: bytes) -> Call:
        return lambda _index: ("GET", path, expected)

    # Each client thread votes and unvotes a nomination of its own, so every request writes.
    voted = [False] * CLIENT_THREADS

    def ours_vote(index: int) -> tuple[str, str, bytes]:
        voted[index] = not voted[index]
        action = "vote" if voted[index] else "unvote"
        pressed = b'aria-pressed="true"' if voted[index] else b'aria-pressed="false"'
        return "POST", f"/g/{SMALL}/n/{data.ours_votes[index].pk}/{action}/", pressed

    def raw_vote(index: int) -> tuple[str, str, bytes]:
        nomination = data.raw_votes[index].pk
        return "POST", f"/raw/vote/{nomination}/?user={data.reader.pk}", b"vote-box"

    comparisons: dict[str, Callable[[], Result]] = {
        "ballot-small": lambda: compare(
            f"ballot {SMALL} (GET)",
            fixed(data.ballot_small, BALLOT_ROW),
            fixed(f"/raw/ballot/{SMALL}/?limit={small_rows}", BALLOT_ROW),
            get_headers, None, queries["small"],
            min_ratio=0.5, min_rps=10 * BASELINE_BALLOT_SMALL_RPS,
        ),
        "ballot-large": lambda: compare(
            f"ballot {LARGE} (GET)",
            fixed(data.ballot_large, BALLOT_ROW),
            fixed(f"/raw/ballot/{LARGE}/?limit={large_rows}", BALLOT_ROW),
            get_headers, None, queries["large"], min_ratio=0.5,
        ),
        "vote": lambda: compare(
            f"vote/unvote {SMALL} (htmx POST)",
            ours_vote, raw_vote, post_headers, form, queries["vote"],
        ),
        "thread": lambda: compare(
            f"thread of {NOTES} notes (GET)",
            fixed(data.thread_url, NOTE_ROW),
            fixed(f"/raw/thread/{data.thread.pk}/?limit={thread_rows}", NOTE_ROW),
            get_headers, None, queries["thread"], min_ratio=0.5,
        ),
    }  # fmt: skip
    return [comparisons[name]() for name in ONLY or comparisons]


def main() -> None:
    os.environ.update(PRODUCTION_ENV)
    os.environ.pop("EMAIL_HOST", None)  # never SMTP from a benchmark

    ensure_database()
    import django

    django.setup()

    from bench.in_process import tasks_in_process

    tasks_in_process()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from groups.models import Vote

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest production needs
    start = time.perf_counter()
    data = generate()
    with connection.cursor() as cursor:
        # As autovacuum would soon: fresh planner statistics and visibility map. Without it, the
        # plans depend on whether autovacuum happened to run since the rows were regenerated.
        cursor.execute("VACUUM ANALYZE")
    print(
        f"database {connection.settings_dict['NAME']}: {NOMINATIONS} open nominations each in "
        f"{SMALL} ({Vote.objects.filter(nomination__group__slug=SMALL).count()} votes) and "
        f"{LARGE} ({Vote.objects.filter(nomination__group__slug=LARGE).count()} votes), "
        f"a thread of {NOTES} notes; generated in {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    # The session lands in the database's session store, which gunicorn reads too.
    client = Client(headers={"host": HOST})
    client.force_login(data.reader)
    try:
        queries = count_queries(client, data)
        with gunicorn():
            results = run(data, client.cookies["sessionid"].value, queries)
    finally:
        client.logout()
    print_table(results)


if __name__ == "__main__":
    main()
