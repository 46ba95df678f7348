"""History benchmark: a group with 10 years of weekly sessions (520) and 50,000 notes; the time
and peak memory of each export, and the time of the history page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paperclub_bench_h_history .venv/bin/python bench/history.py

In-process (Django's test Client), on a PostgreSQL database of its own (created and migrated if
missing; default `paperclub_bench_h_history`). Each export is read to the end chunk by chunk, as a
server sends it, and never held: "peak" is the most Python memory allocated at once while it
was written (tracemalloc, in runs of their own, since tracing slows code down), beside the size
of the file. Bounded memory means the peak stays far below the file's size, and does not grow
with it (try BENCH_NOTES=5000). BENCH_RUNS (default 3) repeats each measurement: median, and the
spread (best - worst). The benchmark's group is removed at the end.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test import Client

    from groups.models import ReadingGroup, User

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperclub_bench_h_history"
)

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "520"))
NOTES = int(os.environ.get("BENCH_NOTES", "50000"))
MEMBERS = 30
SLUG = "bench-history"


def clean() -> None:
    from groups.models import ReadingGroup, User
    from papers.models import Paper

    ReadingGroup.objects.filter(slug=SLUG).delete()
    User.objects.filter(username__startswith=f"{SLUG}-").delete()
    Paper.objects.filter(arxiv_id__startswith="bench-h.").delete()


def build(rng: random.Random) -> tuple[ReadingGroup, User, User]:
    """The group: MEMBERS members (the first an organizer), SESSIONS weekly sessions held, each
    from a nomination with votes, RSVPs from half the members, NOTES notes spread over the
    sessions (a few on nominations; 1% hidden, 1% deleted, 60% replies)."""
    from groups.models import (
        DiscussionSession,
        Membership,
        Nomination,
        Note,
        ReadingGroup,
        Rsvp,
        User,
        Vote,
    )
    from papers.models import Paper

    group = ReadingGroup.objects.create(name="Bench history", slug=SLUG, visibility="private")
    users = User.objects.bulk_create(
        User(username=f"{SLUG}-{i}", email=f"h{i}@example.org", display_name=f"Reader {i}")
        for i in range(MEMBERS)
    )
    Membership.objects.bulk_create(
        Membership(group=group, user=user, role="organizer" if i == 0 else "member")
        for i, user in enumerate(users)
    )
    words = [
        "attention",
        "graph",
        "sparse",
        "diffusion",
        "alignment",
        "retrieval",
        "vision",
        "language",
        "robust",
    ]
    papers = Paper.objects.bulk_create(
        Paper(
            arxiv_id=f"bench-h.{i:05d}",
            title=f"On {rng.choice(words)} and {rng.choice(words)} ({i})",
            abstract="An abstract. " * 20,
            authors=[f"Author {rng.randrange(2000)}" for _ in range(6)],
            ai_keywords=rng.sample(words, 3),
        )
        for i in range(SESSIONS)
    )
    nominations = Nomination.objects.bulk_create(
        Nomination(group=group, paper=paper, nominated_by=rng.choice(users), status="scheduled")
        for paper in papers
    )
    Vote.objects.bulk_create(
        Vote(nomination=nomination, user=user)
        for nomination in nominations
        for user in rng.sample(users, 8)
    )
    start = datetime(2016, 1, 4, 18, 0, tzinfo=UTC)
    sessions = DiscussionSession.objects.bulk_create(
        DiscussionSession(
            group=group,
            paper=paper,
            nomination=nomination,
            starts_at=start + timedelta(weeks=i),
            duration=timedelta(hours=1),
            presenter=rng.choice(users),
            status="done",
            agenda="1. Method\n2. Results",
        )
        for i, (paper, nomination) in enumerate(zip(papers, nominations, strict=True))
    )
    Rsvp.objects.bulk_create(
        Rsvp(session=session, user=user, answer=rng.choice(["going", "going", "maybe"]))
        for session in sessions
        for user in rng.sample(users, MEMBERS // 2)
    )
    body = "Is the **bound** in section 3 tight? $O(n \\log n)$ vs `n^2`; see [2]. " * 4
    now = datetime.now(UTC)
    written = 0
    while written < NOTES:
        batch = []
        for index in range(min(5000, NOTES - written)):
            number = written + index
            on_nomination = number % 50 == 0
            batch.append(
                Note(
                    group=group,
                    session=None if on_nomination else sessions[number % SESSIONS],
                    nomination=nominations[number % SESSIONS] if on_nomination else None,
                    author=rng.choice(users),
                    body=f"Note {number}. {body}",
                    body_html=f"<p>Note {number}.</p>",
                    hidden_at=now if number % 100 == 1 else None,
                    deleted_at=now if number % 100 == 2 else None,
                )
            )
        Note.objects.bulk_create(batch)
        written += len(batch)
    return group, users[0], users[1]


def measure(action: Callable[[], int]) -> dict[str, float]:
    """Time (ms) of runs untraced; peak traced memory (MiB) of runs of their own; the size."""
    action()  # warm-up
    times, peaks = [], []
    size = 0
    for _ in range(RUNS):
        start = time.perf_counter()
        size = action()
        times.append((time.perf_counter() - start) * 1000)
    for _ in range(RUNS):
        tracemalloc.start()
        action()
        peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    return {
        "ms": statistics.median(times),
        "ms_spread": max(times) - min(times),
        "peak": statistics.median(peaks),
        "peak_spread": max(peaks) - min(peaks),
        "size": size / 2**20,
    }


def streamed(client: Client, url: str) -> Callable[[], int]:
    def run() -> int:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        response.close()
        return size

    return run


def page(client: Client, url: str, **headers: str) -> Callable[[], int]:
    def run() -> int:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.status_code
        return len(response.content)

    return run


def main() -> None:
    from bench.in_process import ensure_database, tasks_in_process

    ensure_database()
    import django

    django.setup()

    tasks_in_process()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.RATE_LIMITS_ENABLED = False  # the benchmark downloads each export many times
    call_command("migrate", verbosity=0)
    clean()
    started = time.perf_counter()
    group, organizer, member = build(random.Random(1))
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give them
        for table in ["groups_discussionsession", "groups_note", "groups_rsvp", "groups_vote"]:
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"history benchmark on {connection.vendor}: {SESSIONS} sessions, {NOTES} notes, "
        f"{MEMBERS} members (built in {time.perf_counter() - started:.0f} s); "
        f"median of {RUNS} runs, spread = worst - best"
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    organizer_client, member_client = Client(), Client()
    organizer_client.force_login(organizer)
    member_client.force_login(member)
    base = f"/g/{group.slug}/history/"
    cases = [
        ("export JSON (organizer)", streamed(organizer_client, f"{base}export.json")),
        ("export CSV zip (organizer)", streamed(organizer_client, f"{base}export-csv.zip")),
        ("export Markdown zip", streamed(organizer_client, f"{base}export-markdown.zip")),
        ("my notes JSON (member)", streamed(member_client, f"{base}my-notes.json")),
        ("my notes Markdown (member)", streamed(member_client, f"{base}my-notes.md")),
        ("history page 1", page(member_client, base)),
        ("history page 10", page(member_client, f"{base}?page=10")),
        ("history search ?q=graph+attention", page(member_client, f"{base}?q=graph+attention")),
        (
            "history ?year=2020&author=Author+1",
            page(member_client, f"{base}?year=2020&author=Author+1"),
        ),
        (
            "history search, htmx partial",
            page(member_client, f"{base}?q=sparse", HX_Request="true"),
        ),
    ]
    print(
        f"  {'':<38} {'time ms':>9} {'spread':>8} {'peak MiB':>9} {'spread':>7} {'size MiB':>9} {'queries':>8}"
    )
    for label, action in cases:
        reset_queries()  # the log keeps 9,000 queries, and building filled it
        with CaptureQueriesContext(connection) as queries:
            action()
        numbers = measure(action)
        print(
            f"  {label:<38} {numbers['ms']:9.0f} {numbers['ms_spread']:8.0f} "
            f"{numbers['peak']:9.2f} {numbers['peak_spread']:7.2f} {numbers['size']:9.2f} "
            f"{len(queries):8d}"
        )
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"  process max RSS grew by {(rss_after - rss_before) / 1024:.1f} MiB during the runs")
    clean()


if __name__ == "__main__":
    main()
