"""Benchmark: the ballot page and the vote POST of a large group, served in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paperclub_bench_groups .venv/bin/python bench/groups.py

Creates the database if needed, migrates it, (re)generates one group with 500 open nominations,
200 members and about 15,000 votes, then prints the median and 90th percentile server time of each
request (Django's test Client, no network) and the number of queries it issued.
"""

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/paperclub_bench_groups"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

NOMINATIONS = 500
MEMBERS = 200
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
SLUG = "bench-large-group"


def _ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _generate() -> tuple[object, list[object]]:
    from django.db import transaction

    from groups.models import Membership, Nomination, ReadingGroup, User, Vote
    from papers.models import Paper

    rng = random.Random(42)
    with transaction.atomic():
        ReadingGroup.objects.filter(slug=SLUG).delete()
        Paper.objects.filter(arxiv_id__startswith="9901.").delete()
        User.objects.filter(username__startswith="bench-").delete()
        group = ReadingGroup.objects.create(name="Benchmark group", slug=SLUG)
        users = User.objects.bulk_create(
            User(username=f"bench-{i}", email=f"bench-{i}@example.org", display_name=f"Reader {i}")
            for i in range(MEMBERS)
        )
        Membership.objects.bulk_create(
            Membership(group=group, user=u, role="owner" if i == 0 else "member")
            for i, u in enumerate(users)
        )
        papers = Paper.objects.bulk_create(
            Paper(
                arxiv_id=f"9901.{i:05d}",
                title=f"A study of benchmark paper number {i}",
                authors=["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"],
            )
            for i in range(NOMINATIONS)
        )
        nominations = Nomination.objects.bulk_create(
            Nomination(
                group=group,
                paper=p,
                nominated_by=rng.choice(users),
                pitch="Worth reading because it is long enough to matter. " * 2,
            )
            for p in papers
        )
        Vote.objects.bulk_create(
            Vote(nomination=n, user=u)
            for n in nominations
            for u in rng.sample(users, rng.randint(0, 60))
        )
    return group, users


def _time(label: str, request: Callable[[], object], runs: int = RUNS) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    request()  # warm up templates and connections
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = request()
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        request()
    timings.sort()
    p90 = timings[int(len(timings) * 0.9) - 1]
    print(
        f"{label:<38} median {statistics.median(timings):7.1f} ms   p90 {p90:7.1f} ms   "
        f"{len(queries):3d} queries   ({runs} runs)"
    )


def main() -> None:
    import django

    _ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from bench.in_process import tasks_in_process

    tasks_in_process()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from groups.models import Nomination, Vote

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    start = time.perf_counter()
    group, users = _generate()
    print(
        f"generated {NOMINATIONS} open nominations, {MEMBERS} members, "
        f"{Vote.objects.filter(nomination__group=group).count()} votes "
        f"in {time.perf_counter() - start:.1f} s"
    )
    client = Client()
    client.force_login(users[1])
    htmx = {"HX-Request": "true"}
    ballot_url = f"/g/{SLUG}/ballot/"
    _time("ballot page (member, full page)", lambda: client.get(ballot_url))
    _time("ballot list refresh (htmx)", lambda: client.get(ballot_url, headers=htmx))
    _time("group home", lambda: client.get(f"/g/{SLUG}/"))

    nomination = Nomination.objects.filter(group=group).first()
    vote_url = f"/g/{SLUG}/n/{nomination.pk}/vote/"
    unvote_url = f"/g/{SLUG}/n/{nomination.pk}/unvote/"
    toggle = {"state": False}

    def vote_toggle() -> object:
        # Alternates vote and unvote so every request really writes.
        toggle["state"] = not toggle["state"]
        return client.post(vote_url if toggle["state"] else unvote_url, headers=htmx)

    _time("vote / unvote POST (htmx box)", vote_toggle)
    anonymous = Client()
    _time("ballot page (anonymous)", lambda: anonymous.get(ballot_url))


if __name__ == "__main__":
    main()
