"""Benchmark: bulk import of 10,000 generated daily papers into PostgreSQL, and search.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paperclub_bench_papers \\
        .venv/bin/python bench/papers.py [--papers 10000]

Creates (and migrates) the database named in DATABASE_URL if needed and empties its paper
tables first: point it at a database of its own. Prints papers per second for a first import,
an unchanged re-import and a re-import where every paper's upvotes moved, with the number of
queries each issued; then search timings with the GIN index and without it.
"""

import argparse
import copy
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SAMPLE = ROOT.parent / "shared" / "fixtures" / "hf" / "daily_papers_2026-06-12.json"
WORDS = [
    "alignment",
    "attention",
    "diffusion",
    "retrieval",
    "agents",
    "reasoning",
    "benchmark",
    "sparse",
    "multimodal",
    "distillation",
    "robotics",
    "speech",
    "graph",
    "tokenizer",
    "memory",
    "safety",
    "vision",
    "language",
    "policy",
    "reward",
]


def generated_items(count: int, *, upvote_shift: int = 0) -> list[dict]:
    """`count` daily-papers items shaped like the recorded ones (ids 2606.00000 onwards)."""
    templates = json.loads(SAMPLE.read_text()) if SAMPLE.exists() else None
    if not templates:
        sys.exit(f"{SAMPLE} is missing: the benchmark generates its papers from that sample")
    items = []
    for n in range(count):
        item = copy.deepcopy(templates[n % len(templates)])
        paper = item["paper"]
        paper["id"] = f"2606.{n:05d}"
        words = [WORDS[(n * 7 + k) % len(WORDS)] for k in range(4)]
        paper["title"] = f"{paper['title']} ({' '.join(words)} #{n})"
        paper["upvotes"] = (n % 200) + upvote_shift
        item["thumbnail"] = (
            f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{paper['id']}.png"
        )
        items.append(item)
    return items


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database of the benchmark's own.")
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def timed_import(path: Path, label: str, count: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from papers.services import import_file

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        run = import_file(path=path)
        seconds = time.perf_counter() - start
    print(
        f"{label:<28} {count / seconds:>9,.0f} papers/s  {seconds:6.2f} s  "
        f"{len(queries):>3} queries  ({run.summary})"
    )


def search_timings(repeat: int = 30) -> None:
    from django.db import connection, transaction

    from papers.models import Paper

    for term in ("alignment", "sparse attention", "kocielnik"):
        qs = Paper.objects.search(term)
        plan = qs.explain()
        uses_index = "paper_search_gin" in plan
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            list(qs[:50])
            timings.append(time.perf_counter() - start)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            seq = []
            for _ in range(max(repeat // 3, 3)):
                start = time.perf_counter()
                list(Paper.objects.search(term)[:50])
                seq.append(time.perf_counter() - start)
        print(
            f"search {term!r:<20} {qs.count():>6} hits  GIN index {'used' if uses_index else 'NOT used'}: "
            f"{statistics.median(timings) * 1000:6.1f} ms median; without index "
            f"{statistics.median(seq) * 1000:6.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    args = parser.parse_args()

    import django

    django.setup()

    from bench.in_process import tasks_in_process

    tasks_in_process()
    ensure_database()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE papers_paper, papers_dailylisting, papers_importrun, papers_importskip CASCADE"
        )

    count = args.papers
    with tempfile.TemporaryDirectory() as tmp:
        first = Path(tmp) / "papers.json"
        first.write_text(json.dumps(generated_items(count)))
        moved = Path(tmp) / "papers-moved.json"
        moved.write_text(json.dumps(generated_items(count, upvote_shift=1)))
        print(f"Importing {count:,} generated daily papers into {connection.settings_dict['NAME']}")
        timed_import(first, "first import", count)
        timed_import(first, "unchanged re-import", count)
        timed_import(moved, "re-import, all upvotes moved", count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE papers_paper")
    search_timings()


if __name__ == "__main__":
    main()
