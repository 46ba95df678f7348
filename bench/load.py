"""Benchmark: the site under a mixed load, then a check that every accepted write is there once.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/paperclub_bench_load \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python bench/load.py

What it does:

1. Creates and migrates its PostgreSQL database (BENCH_DATABASE_URL, default
   `paperclub_bench_load`) and regenerates its rows: a public group "bench-load" with
   BENCH_MEMBERS members (default 256), 200 open nominations with votes, 4 scheduled sessions, a
   day list of 100 papers; seeded, so every run starts from the same data.
2. Starts gunicorn with the production settings (DJANGO_DEBUG=0, PostgreSQL, Redis at
   BENCH_REDIS_URL as cache and Celery broker) on a free port of 127.0.0.1: BENCH_WORKERS sync
   workers (default 4, as the README's deploy command).
3. Drives it for BENCH_SECONDS (default 120) from BENCH_CONNECTIONS client threads (default 32),
   each sending one request after the other (a bounded load: never more than 32 at once), over
   http.client to 127.0.0.1 only: ballot page 25%, vote or take back (htmx) 20%, day list 15%,
   search 15%, RSVP (htmx) 13%, note post (htmx) 12%. Each thread acts as its own 8 members.
4. Prints requests/s, p50/p99 latency (all and per kind) and the errors (any answer but the
   expected one, or no answer), then reads the database: every vote, note and RSVP the server
   accepted must be there exactly once, and nothing it did not accept.

Abuse limits: the per-person limits stay as configured (each member posts far fewer notes than
30 in 10 minutes); the per-IP ones are switched off for the run (RATE_LIMIT_<ACTION>=...,none),
because every request of the benchmark comes from 127.0.0.1.

Goal: 0 errors, 0 lost and 0 doubled writes. Queued Celery tasks (the notices of new notes) are
left in BENCH_REDIS_URL's database, which is emptied afterwards: no worker runs, no email is sent.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pages  # noqa: E402
from pages import free_port, gunicorn, make_group, send  # noqa: E402  (bench/pages.py)

from bench.in_process import ensure_database  # noqa: E402  (after sys.path)

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperclub_bench_load"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
SECONDS = float(os.environ.get("BENCH_SECONDS", "120"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
MEMBERS_PER_CONNECTION = 8
MEMBERS = int(os.environ.get("BENCH_MEMBERS", str(CONNECTIONS * MEMBERS_PER_CONNECTION)))
NOMINATIONS = 200
SESSIONS = 4
DAY_PAPERS = 100
DAY = "2026-06-12"
SLUG = "bench-load"
PAPER_PREFIX = "9904."
USER_PREFIX = "bench-load-"
SEARCH_WORDS = ["alignment", "diffusion", "retrieval", "agents", "scaling", "benchmarks"]
MIX = [("ballot", 25), ("vote", 20), ("day", 15), ("search", 15), ("rsvp", 13), ("note", 12)]
HOST = "127.0.0.1"
PORT = free_port()
pages.PORT = PORT  # pages.send() and pages.gunicorn() use this port

PRODUCTION_ENV = {
    **pages.PRODUCTION_ENV,
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "SECRET_KEY": secrets.token_urlsafe(64),
    "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "paperclub-bench-load-static"),
    # All the load comes from one address: per-IP limits off, per-person limits as configured.
    "RATE_LIMIT_NOTE": "30/10m,none",
    "RATE_LIMIT_NOMINATION": "20/h,none",
    "RATE_LIMIT_FLAG": "30/h,none",
}


@dataclass
class Data:
    members: list[int]  # user ids
    sessions_ids: dict[int, str]  # user id -> session key
    nominations: list[int]
    sessions: list[int]
    voted: set[tuple[int, int]]  # (user, nomination) at the start


def generate() -> Data:
    """Deletes the benchmark's rows and makes them again (same seed, same data)."""
    from django.db import transaction
    from django.utils import timezone

    from groups.models import DiscussionSession, ReadingGroup, User, Vote
    from papers.models import DailyListing, Paper

    rng = random.Random(17)
    with transaction.atomic():
        ReadingGroup.objects.filter(slug=SLUG).delete()
        Paper.objects.filter(arxiv_id__startswith=PAPER_PREFIX).delete()
        User.objects.filter(username__startswith=USER_PREFIX).delete()
        users = User.objects.bulk_create(
            User(
                username=f"{USER_PREFIX}{i}",
                email=f"{USER_PREFIX}{i}@example.org",
                display_name=f"Load {i}",
            )
            for i in range(MEMBERS)
        )
        papers = Paper.objects.bulk_create(
            Paper(
                arxiv_id=f"{PAPER_PREFIX}{i:05d}",
                title=f"On {rng.choice(SEARCH_WORDS)} and {rng.choice(SEARCH_WORDS)}, part {i}",
                abstract=f"We study {' and '.join(rng.sample(SEARCH_WORDS, 3))} at scale.",
                authors=["Ada Lovelace", "Alan Turing"],
                upvotes=rng.randint(0, 200),
            )
            for i in range(max(NOMINATIONS, DAY_PAPERS))
        )
        DailyListing.objects.bulk_create(
            DailyListing(paper=paper, day=DAY) for paper in papers[:DAY_PAPERS]
        )
        nominations = make_group(SLUG, users, papers[:NOMINATIONS], max_votes=10, rng=rng)
        group = nominations[0].group
        sessions = [
            DiscussionSession.objects.create(
                group=group,
                paper=nominations[i].paper,
                nomination=nominations[i],
                starts_at=timezone.now() + timedelta(days=7 + i),
                duration=timedelta(hours=1),
                created_by=users[0],
            )
            for i in range(SESSIONS)
        ]
    return Data(
        members=[user.pk for user in users],
        sessions_ids=sign_in(users),
        nominations=[n.pk for n in nominations],
        sessions=[s.pk for s in sessions],
        voted=set(
            Vote.objects.filter(nomination__group=group).values_list("user_id", "nomination_id")
        ),
    )


def sign_in(users: list) -> dict[int, str]:
    """A database session per member (the store gunicorn reads), as force_login makes them."""
    from django.test import Client

    keys = {}
    for user in users:
        client = Client(headers={"host": HOST})
        client.force_login(user)
        keys[user.pk] = client.cookies["sessionid"].value
    return keys


@dataclass
class Outcome:
    """What the load did, and what the server accepted (to check in the database)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    votes: dict[tuple[int, int], bool] = field(default_factory=dict)  # (user, nomination)
    rsvps: dict[tuple[int, int], str] = field(default_factory=dict)  # (user, session)
    notes: set[str] = field(default_factory=set)  # tokens of accepted notes
    accepted: Counter = field(default_factory=Counter)  # accepted write requests, by kind
    unsure_notes: set[str] = field(default_factory=set)  # no answer: may or may not be saved
    lock: threading.Lock = field(default_factory=threading.Lock)


def drive(data: Data, csrf: str, seconds: float) -> tuple[Outcome, float]:
    outcome = Outcome()
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        rng = random.Random(1000 + index)
        mine = data.members[index * MEMBERS_PER_CONNECTION : (index + 1) * MEMBERS_PER_CONNECTION]
        # Each (member, nomination) is only ever voted on by this thread: its state is known.
        voted = {(u, n) for (u, n) in data.voted if u in mine}
        sequence = 0
        while time.perf_counter() < deadline:
            kind = rng.choices(kinds, weights)[0]
            user = rng.choice(mine)
            cookie = f"sessionid={data.sessions_ids[user]}; csrftoken={csrf}"
            headers = {"Cookie": cookie}
            post = {
                **headers,
                "HX-Request": "true",
                "X-CSRFToken": csrf,
                "Origin": f"http://{HOST}:{PORT}",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            sequence += 1
            record = None
            if kind == "ballot":
                sent = ("GET", f"/g/{SLUG}/ballot/", headers, None)
                expect = b"ballot-row"
            elif kind == "day":
                sent = ("GET", f"/papers/{DAY}/", headers, None)
                expect = b"On "
            elif kind == "search":
                sent = (
                    "GET",
                    f"/papers/search/?q={quote(rng.choice(SEARCH_WORDS))}",
                    headers,
                    None,
                )
                expect = b"</html>"
            elif kind == "vote":
                nomination = rng.choice(data.nominations)
                on = (user, nomination) not in voted
                action = "vote" if on else "unvote"
                path = f"/g/{SLUG}/n/{nomination}/{action}/"
                sent = ("POST", path, post, urlencode({"next": f"/g/{SLUG}/ballot/"}))
                expect = b'aria-pressed="true"' if on else b'aria-pressed="false"'
                record = ("vote", (user, nomination), on)
            elif kind == "rsvp":
                session = rng.choice(data.sessions)
                answer = rng.choice(["going", "maybe", "not_going"])
                path = f"/g/{SLUG}/sessions/{session}/rsvp/"
                sent = ("POST", path, post, urlencode({"answer": answer}))
                expect = b"rsvp-box"
                record = ("rsvp", (user, session), answer)
            else:
                token = f"load-{index}-{sequence}"
                nomination = data.nominations[index % len(data.nominations)]
                path = f"/g/{SLUG}/nominations/{nomination}/notes/new/"
                sent = ("POST", path, post, urlencode({"body": f"{token}: a note under load"}))
                expect = token.encode()
                record = ("note", token, True)
            started = time.perf_counter()
            try:
                status, answer, _ = send(*sent)
            except OSError as exc:
                status, answer = 0, repr(exc).encode()
            took = time.perf_counter() - started
            ok = status == 200 and expect in answer
            with outcome.lock:
                outcome.latencies[kind].append(took)
                if not ok:
                    outcome.errors[f"{kind} {status}"] += 1
                    if len(outcome.error_samples) < 5:
                        outcome.error_samples.append(
                            f"{sent[0]} {sent[1]} -> {status}: {answer[:200]!r}"
                        )
                    if record and record[0] == "note" and status == 0:
                        outcome.unsure_notes.add(record[1])
                    continue
                if record is None:
                    continue
                what, key, value = record
                outcome.accepted[what] += 1
                if what == "vote":
                    outcome.votes[key] = value
                elif what == "rsvp":
                    outcome.rsvps[key] = value
                else:
                    outcome.notes.add(key)
            if record and record[0] == "vote":
                (voted.add if record[2] else voted.discard)(record[1])

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome, time.perf_counter() - start


def check_writes(data: Data, outcome: Outcome) -> dict[str, tuple[int, int, int]]:
    """(accepted requests, lost, doubled or unexpected) for votes, notes and RSVPs, read from the
    database. Votes and RSVPs are checked as the state each (member, nomination or session) must
    end in after its last accepted request; notes one by one."""
    from django.db.models import Count

    from groups.models import Note, Rsvp, Vote

    members = set(data.members)
    votes_now = Counter(
        Vote.objects.filter(nomination__group__slug=SLUG).values_list("user_id", "nomination_id")
    )
    expected_votes = {key for key in data.voted if key not in outcome.votes} | {
        key for key, on in outcome.votes.items() if on
    }
    vote_lost = len(expected_votes - set(votes_now))
    vote_extra = len(set(votes_now) - expected_votes) + sum(n - 1 for n in votes_now.values())

    notes_now = Counter(
        body.split(":", 1)[0]
        for body in Note.objects.filter(group__slug=SLUG, body__startswith="load-").values_list(
            "body", flat=True
        )
    )
    note_lost = len(outcome.notes - set(notes_now))
    note_extra = sum(n - 1 for n in notes_now.values()) + len(
        set(notes_now) - outcome.notes - outcome.unsure_notes
    )

    rsvp_rows = Rsvp.objects.filter(session_id__in=data.sessions, user_id__in=members)
    rsvps_now = {(r.user_id, r.session_id): r.answer for r in rsvp_rows}
    per_pair = rsvp_rows.values("user_id", "session_id").annotate(n=Count("id"))
    rsvp_doubled = sum(row["n"] - 1 for row in per_pair)
    rsvp_lost = sum(1 for key, answer in outcome.rsvps.items() if rsvps_now.get(key) != answer)
    rsvp_extra = rsvp_doubled + len(set(rsvps_now) - set(outcome.rsvps))
    return {
        "votes": (outcome.accepted["vote"], vote_lost, vote_extra),
        "notes": (outcome.accepted["note"], note_lost, note_extra),
        "rsvps": (outcome.accepted["rsvp"], rsvp_lost, rsvp_extra),
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(outcome: Outcome, elapsed: float, writes: dict[str, tuple[int, int, int]]) -> bool:
    every = [t for times in outcome.latencies.values() for t in times]
    errors = sum(outcome.errors.values())
    print(
        f"\n{len(every)} requests in {elapsed:.1f} s from {CONNECTIONS} connections, "
        f"gunicorn {WORKERS} sync workers: {len(every) / elapsed:.1f} req/s, "
        f"p50 {1000 * statistics.median(every):.0f} ms, p99 {1000 * percentile(every, 0.99):.0f} ms, "
        f"{errors} errors"
    )
    print(f"{'kind':<8} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}")
    for kind, _ in MIX:
        times = outcome.latencies[kind]
        if times:
            print(
                f"{kind:<8} {len(times):>9} {len(times) / elapsed:>7.1f} "
                f"{1000 * statistics.median(times):>7.0f} {1000 * percentile(times, 0.99):>7.0f}"
            )
    if errors:
        print("errors:", dict(outcome.errors))
        for sample in outcome.error_samples:
            print("  ", sample)
    print(f"\n{'writes':<8} {'accepted':>9} {'lost':>5} {'doubled/unexpected':>19}")
    for what, (accepted, lost, extra) in writes.items():
        print(f"{what:<8} {accepted:>9} {lost:>5} {extra:>19}")
    if outcome.unsure_notes:
        print(f"({len(outcome.unsure_notes)} note posts got no answer; not counted either way)")
    clean = errors == 0 and all(lost == 0 and extra == 0 for _, lost, extra in writes.values())
    print(f"\ngoal: 0 errors, 0 lost, 0 doubled writes: {'met' if clean else 'NOT MET'}")
    return clean


def main() -> None:
    os.environ.update(PRODUCTION_ENV)
    os.environ.pop("EMAIL_HOST", None)  # never SMTP from a benchmark
    ensure_database()
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    data = generate()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"database {connection.settings_dict['NAME']}: {MEMBERS} members, {NOMINATIONS} open "
        f"nominations, {len(data.voted)} votes, {SESSIONS} sessions, {DAY_PAPERS} papers on "
        f"{DAY}; generated in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    connection.close()  # the database is gunicorn's during the run
    try:
        with gunicorn("config.wsgi:application", WORKERS, "--backlog", "256", "--timeout", "60"):
            status, _, headers = send("GET", f"/g/{SLUG}/ballot/", {})
            assert status == 200, status
            cookies = SimpleCookie()
            for header in headers.get_all("Set-Cookie") or []:
                cookies.load(header)
            csrf = cookies["csrftoken"].value
            print(f"gunicorn on {HOST}:{PORT}; {SECONDS:g} s of load...", flush=True)
            outcome, elapsed = drive(data, csrf, SECONDS)
        writes = check_writes(data, outcome)
    finally:
        redis.Redis.from_url(REDIS_URL).flushdb()  # the queued notices: no worker reads them
    clean = report(outcome, elapsed, writes)
    sys.exit(0 if clean else 1)


if __name__ == "__main__":
    main()
