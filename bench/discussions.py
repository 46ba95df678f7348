"""Benchmark: how long building a group's calendar feed takes, by number of sessions.

Run: .venv/bin/python bench/discussions.py  (uses a throwaway SQLite database in memory)
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from bench.in_process import tasks_in_process  # noqa: E402 (after setup)

tasks_in_process()

from datetime import timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from groups.discussions.calendar import group_feed_ics  # noqa: E402
from groups.models import DiscussionSession, ReadingGroup  # noqa: E402
from papers.models import Paper  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    now = timezone.now()
    for size in (30, 300, 3000):
        group = ReadingGroup.objects.create(
            name=f"Bench {size}", slug=f"bench-{size}", time_zone="Europe/Berlin"
        )
        papers = Paper.objects.bulk_create(
            Paper(arxiv_id=f"{size}.{i:05d}", title=f"Paper {i}") for i in range(size)
        )
        DiscussionSession.objects.bulk_create(
            DiscussionSession(
                group=group,
                paper=paper,
                starts_at=now + timedelta(days=i - size // 3),
                duration=timedelta(hours=1),
                place="Room 1",
            )
            for i, paper in enumerate(papers)
        )
        runs = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                body = group_feed_ics(group)
                runs.append(time.perf_counter() - started)
        events = body.count(b"BEGIN:VEVENT")
        print(
            f"{size:>5} sessions ({events:>4} in feed): best {min(runs) * 1000:7.1f} ms, "
            f"{len(queries)} queries, {len(body) / 1024:7.1f} KiB"
        )


if __name__ == "__main__":
    main()
