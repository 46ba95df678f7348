"""Similar-papers benchmark: "you read something like this" and "Suggested for this group" at
10,000 papers, a group with 500 sessions held and 100 voted nominations, and a week of daily
lists (350 papers).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paperclub_bench_similar REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/similar.py

In-process (Django's test Client, server time per request), on a PostgreSQL database of its own
(created and migrated if missing; default `paperclub_bench_similar`); with REDIS_URL the cache is
Redis, as in production, else local memory. Papers' text is made of the sentences, titles and
keywords of the shipped sample day (papers/sample/) shuffled, so abstracts read like abstracts
and share words as real ones do. For each page: cold (cache and this process's memo emptied: the
group's shelf is built from its papers' term counts), warm-cache (memo emptied: the shelf unpickled from
the cache, as a freshly started worker) and warm, the median of BENCH_RUNS (default 5) runs and
the queries. The goal (issue 16, item 4): under 50 ms a page for the lookups of similar papers
the group discussed, cold included. The suggestions (item 5) have no goal of their own in the
issue; they are held to the same 50 ms warm and with the shelf in the cache (what a page meets:
the warm tasks build a group's shelves and best matches when what it read changes), and their
cold time (after the cache was emptied) is printed beside it. The benchmark's rows are removed at
the end.
"""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import string
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperclub_bench_similar")

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
PAPERS = int(os.environ.get("BENCH_PAPERS", "10000"))
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "500"))
VOTED = 100
DAILY = 50
SLUG = "bench-similar"
PREFIX = "bench-s."
GOAL_MS = 50.0
SAMPLE = (
    Path(__file__).resolve().parent.parent / "papers" / "sample" / "daily_papers_2026-06-12.json"
)


def clean() -> None:
    from groups.models import ReadingGroup, User
    from papers.models import Paper

    ReadingGroup.objects.filter(slug=SLUG).delete()
    User.objects.filter(username__startswith=f"{SLUG}-").delete()
    Paper.objects.filter(arxiv_id__startswith=PREFIX).delete()


def texts(rng: random.Random) -> Callable[[], tuple[str, str, list[str]]]:
    """A maker of (title, abstract, keywords): the sample day's sentences, title words and
    keywords, shuffled, plus words of one of 300 subjects (25 made-up words each), so that, as
    in a real corpus, papers share common words with all and rare ones with a few."""
    items = [item["paper"] for item in json.loads(SAMPLE.read_text())]
    sentences = [s.strip() + "." for p in items for s in p["summary"].split(". ") if s.strip()]
    title_words = [w for p in items for w in p["title"].split()]
    keywords = sorted({k for p in items for k in p.get("ai_keywords") or []})
    subjects = [
        ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 10))) for _ in range(25)]
        for _ in range(300)
    ]

    def make() -> tuple[str, str, list[str]]:
        subject = rng.choice(subjects)
        title = " ".join(rng.sample(title_words, 5) + rng.sample(subject, 3))
        abstract = " ".join(rng.sample(sentences, 5) + rng.choices(subject, k=20))
        return title, abstract, rng.sample(keywords, 2) + rng.sample(subject, 3)

    return make


def build(rng: random.Random, newest: date) -> tuple[object, object, list[object]]:
    from groups.models import DiscussionSession, Membership, Nomination, ReadingGroup, User, Vote
    from papers.indexing import search_index_fill
    from papers.models import DailyListing, Paper

    make = texts(rng)
    papers = []
    for number in range(PAPERS):
        title, abstract, keywords = make()
        papers.append(
            Paper(
                arxiv_id=f"{PREFIX}{number:05d}", title=title, abstract=abstract,
                ai_keywords=keywords, authors=["A. Author", "B. Author"],
            )
        )  # fmt: skip
    papers = Paper.objects.bulk_create(papers, batch_size=2000)
    search_index_fill()  # as after an import: the search vectors and the term counts
    group = ReadingGroup.objects.create(name="Bench similar", slug=SLUG, visibility="private")
    users = User.objects.bulk_create(
        User(username=f"{SLUG}-{i}", email=f"s{i}@example.org", display_name=f"Reader {i}")
        for i in range(20)
    )
    Membership.objects.bulk_create(
        Membership(group=group, user=user, role="organizer" if i == 0 else "member")
        for i, user in enumerate(users)
    )
    start = datetime(2016, 1, 5, 18, tzinfo=UTC)
    DiscussionSession.objects.bulk_create(
        DiscussionSession(
            group=group, paper=papers[i], starts_at=start + timedelta(weeks=i),
            duration=timedelta(hours=1), status="done",
        )
        for i in range(SESSIONS)
    )  # fmt: skip
    nominations = Nomination.objects.bulk_create(
        Nomination(group=group, paper=papers[SESSIONS + i], nominated_by=users[i % 20],
                   status="open" if i < 30 else "archived")
        for i in range(VOTED)
    )  # fmt: skip
    Vote.objects.bulk_create(
        Vote(nomination=n, user=users[(i + k) % 20])
        for i, n in enumerate(nominations)
        for k in range(3)
    )
    listed = papers[-7 * DAILY :]
    DailyListing.objects.bulk_create(
        DailyListing(paper=p, day=newest - timedelta(days=i // DAILY)) for i, p in enumerate(listed)
    )
    return group, users[1], papers


def timed(action: Callable[[], object], before: Callable[[], None]) -> float:
    times = []
    for _ in range(RUNS):
        before()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    from bench.in_process import ensure_database, tasks_in_process

    ensure_database()
    import django

    django.setup()
    tasks_in_process()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.db.models import Max
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from groups.similar.queries import shelves_forget, similar_discussed, suggestions
    from papers.models import DailyListing, Paper

    settings.RATE_LIMITS_ENABLED = False
    request_started.disconnect(reset_queries)  # count a page's queries with the Client's
    call_command("migrate", verbosity=0)
    clean()
    started = time.perf_counter()
    newest = DailyListing.objects.aggregate(newest=Max("day"))["newest"] or date.today()
    group, member, papers = build(random.Random(16), newest)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in [
                "papers_paper",
                "papers_dailylisting",
                "groups_discussionsession",
                "groups_nomination",
            ]:
                cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"similar benchmark on {connection.vendor}, cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}: "
        f"{Paper.objects.count()} papers, {SESSIONS} sessions held, {VOTED} voted nominations, "
        f"{7 * DAILY} papers listed in the last week (built in {time.perf_counter() - started:.0f} s); "
        f"median of {RUNS} runs; goal < {GOAL_MS:.0f} ms a page"
    )
    client = Client()
    client.force_login(member)
    candidate = papers[-1]
    # A web process holds no 10,000 papers: free them, so the collector does not walk them.
    del papers
    gc.collect()
    assert isinstance(candidate, Paper)
    htmx = {"HTTP_HX_REQUEST": "true"}
    slug = group.slug  # type: ignore[attr-defined]
    nomination = group.nominations.filter(status="open").first()  # type: ignore[attr-defined]

    def page(url: str, **headers: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(url, **headers)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return get

    cases: list[tuple[str, Callable[[], object]]] = [
        ("lookup: 3 similar discussed", lambda: similar_discussed(group, candidate)),  # type: ignore[arg-type]
        ("lookup: 5 suggestions", lambda: suggestions(group)),  # type: ignore[arg-type]
        ("nominate page /nominate/<id>/", page(f"/nominate/{candidate.arxiv_id}/")),
        ("nomination page", page(f"/g/{slug}/n/{nomination.pk}/")),
        ("paper page panel (htmx)", page(f"/similar/{candidate.arxiv_id}/", **htmx)),
        ("suggested panel (htmx)", page(f"/g/{slug}/suggested/", **htmx)),
        ("suggested, after a day's import", page(f"/g/{slug}/suggested/", **htmx)),
        ("ballot page (for scale)", page(f"/g/{slug}/ballot/")),
    ]

    day = list(
        DailyListing.objects.filter(day=newest, paper__arxiv_id__startswith=PREFIX).values_list(
            "paper_id", flat=True
        )
    )

    def imported() -> None:
        """A day's papers' text changed (50), as an import brings, and indexed again: the cache
        knows the others."""
        Paper.objects.filter(pk__in=day).update(search_indexed_at=timezone.now())

    def cold() -> None:
        cache.clear()
        shelves_forget()

    def memo_cold() -> None:
        shelves_forget()

    print(
        f"  {'':<32} {'cold ms':>8} {'cache ms':>9} {'warm ms':>8} {'queries':>8} {'warm q':>7}  goal"
    )
    for label, action in cases:
        fresh = imported if "import" in label else cold
        if fresh is imported:
            action()  # warm, then only the day's papers are new
        fresh()
        with CaptureQueriesContext(connection) as cold_queries:
            action()
        with CaptureQueriesContext(connection) as warm_queries:
            action()
        cold_ms = timed(action, fresh)
        cache_ms = timed(action, memo_cold)
        warm_ms = timed(action, lambda: None)
        suggested = "suggest" in label  # item 5: no cold goal (see the docstring)
        held = (("cache", cache_ms), ("warm", warm_ms)) + (
            () if suggested else (("cold", cold_ms),)
        )
        over = [name for name, ms in held if ms >= GOAL_MS]
        verdict = f"OVER ({', '.join(over)})" if over else "ok"
        if suggested and cold_ms >= GOAL_MS:
            verdict += " (cold: no goal; the warm tasks keep it off the pages)"
        print(
            f"  {label:<32} {cold_ms:8.1f} {cache_ms:9.1f} {warm_ms:8.1f} "
            f"{len(cold_queries):8d} {len(warm_queries):7d}  {verdict}"
        )
    clean()


if __name__ == "__main__":
    main()
