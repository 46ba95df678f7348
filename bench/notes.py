"""Notes benchmark: server time of the thread page with 2,000 notes and of posting a reply.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paperclub_bench_notes .venv/bin/python bench/notes.py

Runs in-process with Django's test Client (no network, no browser): what it measures is the
server's work (middleware, permission lookups, queries, tree building, template rendering).
The database is created and migrated if needed; the benchmark's own group is removed at the end.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from groups.models import Nomination, Note, User

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperclub_bench_notes")
# It posts 2 x RUNS replies as one member in a minute: the per-person limit on notes (30 in 10
# minutes) would refuse the rest. What is timed is the reply itself, not the refusal.
os.environ.setdefault("RATE_LIMITS_ENABLED", "0")

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
NOTES = int(os.environ.get("BENCH_NOTES", "2000"))


def generate_thread(
    nomination: Nomination, authors: list[User], count: int, rng: random.Random
) -> list[Note]:
    """`count` notes on the nomination, in batches: 80% reply to one of the last 300 notes."""
    from groups.models import Note

    notes: list[Note] = []
    while len(notes) < count:
        batch = []
        for index in range(min(400, count - len(notes))):
            parent = rng.choice(notes[-300:]) if notes and rng.random() < 0.8 else None
            body = f"Note {len(notes) + index}: is $x^{index % 7}$ **bounded**? See `f(x)`."
            batch.append(
                Note(
                    group=nomination.group,
                    nomination=nomination,
                    author=rng.choice(authors),
                    parent=parent,
                    body=body,
                    body_html=f"<p>{body}</p>",
                )
            )
        notes.extend(Note.objects.bulk_create(batch))
    return notes


def timed(action: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """Median and best of `runs` calls, in milliseconds (after one warm-up call)."""
    action()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples)


def main() -> None:
    from bench.in_process import ensure_database, tasks_in_process

    ensure_database()
    import django

    django.setup()

    tasks_in_process()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from groups.models import Membership, Nomination, Note, ReadingGroup, User
    from groups.notes.services import build_thread, page_after, thread_items
    from papers.models import Paper

    call_command("migrate", verbosity=0)
    ReadingGroup.objects.filter(slug="bench-notes").delete()
    User.objects.filter(username__startswith="bench-notes-").delete()
    Paper.objects.filter(arxiv_id="bench.notes").delete()

    group = ReadingGroup.objects.create(
        name="Bench notes", slug="bench-notes", visibility="private"
    )
    users = [
        User.objects.create(username=f"bench-notes-{i}", email=f"b{i}@x.org") for i in range(8)
    ]
    for user in users:
        Membership.objects.create(group=group, user=user)
    paper = Paper.objects.create(arxiv_id="bench.notes", title="Benchmarking threaded notes")
    nomination = Nomination.objects.create(group=group, paper=paper, nominated_by=users[0])

    notes = generate_thread(nomination, users, NOTES, random.Random(1))

    client = Client()
    client.force_login(users[1])
    url = reverse("note_thread", args=[group.slug, "nominations", nomination.pk])
    htmx = {"HX-Request": "true"}

    def page() -> None:
        assert client.get(url).status_code == 200

    def partial() -> None:
        assert client.get(url, headers=htmx).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        page()
    page_queries = len(queries)
    size = len(client.get(url).content)

    counter = iter(range(10**6))
    parent = notes[-1]
    reply_url = reverse("note_reply", args=[group.slug, parent.pk])

    def reply_htmx() -> None:
        body = {"body": f"Reply {next(counter)} with $\\alpha$ and @bench-notes-2"}
        assert client.post(reply_url, body, headers=htmx).status_code == 200

    def reply_plain() -> None:
        body = {"body": f"Plain reply {next(counter)}"}
        assert client.post(reply_url, body).status_code == 302

    def tree_query() -> None:
        list(Note.objects.for_tree(nomination))

    tree_rows = list(Note.objects.for_tree(nomination))

    def tree_only() -> None:
        build_thread(tree_rows)

    first_page, _ = page_after(build_thread(tree_rows), None)

    def page_notes() -> None:
        thread_items(first_page)

    print(f"notes benchmark on {connection.vendor}, {NOTES} notes, median/best of {RUNS} runs (ms)")
    rows = [
        ("thread page, full (first 200 of the thread)", timed(page)),
        ("thread partial (htmx)", timed(partial)),
        ("  of which: the tree query (a tuple per note)", timed(tree_query)),
        ("  of which: building the tree in Python", timed(tree_only)),
        ("  of which: reading the 200 shown notes (instances)", timed(page_notes)),
        ("reply POST, htmx (answers with the new row)", timed(reply_htmx)),
        ("reply POST, plain form (PRG redirect)", timed(reply_plain)),
    ]
    for label, (median, best) in rows:
        print(f"  {label:<55} median {median:8.1f}   best {best:8.1f}")
    print(f"  thread page: {page_queries} queries, {size / 1024:.0f} KiB of HTML")

    ReadingGroup.objects.filter(pk=group.pk).delete()
    User.objects.filter(username__startswith="bench-notes-").delete()
    Paper.objects.filter(pk=paper.pk).delete()


if __name__ == "__main__":
    main()
