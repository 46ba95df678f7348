"""Moderation benchmark: suspending a user with many live sessions, and the admin's queue page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paperclub_bench_moderation .venv/bin/python bench/moderation.py

Suspending reads every live database session once to find the user's (sessions do not index their
user): this prints what that costs at BENCH_SESSIONS sessions. The queue is read with 500 flagged
notes (BENCH_FLAGGED). In-process (Django's test Client); the benchmark's rows are removed at the end.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperclub_bench_moderation"
)

SESSIONS = int(os.environ.get("BENCH_SESSIONS", "10000"))
FLAGGED = int(os.environ.get("BENCH_FLAGGED", "500"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def main() -> None:
    from bench.in_process import ensure_database

    ensure_database()
    import django

    django.setup()

    from bench.in_process import tasks_in_process

    tasks_in_process()
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from groups.models import Note, NoteFlag, ReadingGroup, User
    from groups.moderation.services import user_suspend, user_unsuspend
    from tests.factories import (
        MembershipFactory,
        NominationFactory,
        ReadingGroupFactory,
        UserFactory,
        moderator_factory,
    )

    stamp = int(time.time())
    moderator = moderator_factory(username=f"bench-mod-{stamp}")
    target = UserFactory(username=f"bench-target-{stamp}")
    store = SessionStore()
    expiry = timezone.now() + timedelta(days=14)
    rows = [
        Session(
            session_key=f"bench{stamp}{index:08d}",
            session_data=store.encode(
                {"_auth_user_id": str(target.pk if index % 500 == 0 else 10**9)}
            ),
            expire_date=expiry,
        )
        for index in range(SESSIONS)
    ]
    Session.objects.bulk_create(rows, batch_size=2000)
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        user_suspend(user=target, by=moderator, reason="bench")
        samples.append((time.perf_counter() - start) * 1000)
        user_unsuspend(user=target, by=moderator)
        # Every 500th session was the target's: put them back for the next run.
        Session.objects.bulk_create(rows[::500], ignore_conflicts=True)
    print(
        f"suspend with {SESSIONS:,} live sessions: median {statistics.median(samples):.1f} ms, "
        f"best {min(samples):.1f} ms"
    )

    group: ReadingGroup = ReadingGroupFactory(slug=f"bench-mod-{stamp}")
    author = UserFactory(username=f"bench-author-{stamp}")
    flagger = UserFactory(username=f"bench-flagger-{stamp}")
    MembershipFactory(group=group, user=author)
    nomination = NominationFactory(group=group)
    notes = Note.objects.bulk_create(
        [
            Note(
                group=group,
                nomination=nomination,
                author=author,
                body=f"n{i}",
                body_html=f"<p>n{i}</p>",
            )
            for i in range(FLAGGED)
        ]
    )
    NoteFlag.objects.bulk_create(
        [NoteFlag(note=n, flagged_by=flagger, reason="spam") for n in notes]
    )
    client = Client()
    client.force_login(moderator)
    client.get("/admin/groups/flaggednote/")
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get("/admin/groups/flaggednote/")
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    print(
        f"admin queue, {FLAGGED} flagged notes (page of 50): median "
        f"{statistics.median(samples):.1f} ms, best {min(samples):.1f} ms"
    )

    Session.objects.filter(session_key__startswith=f"bench{stamp}").delete()
    group.delete()
    nomination.paper.delete()
    User.objects.filter(username__startswith="bench-").filter(
        username__endswith=str(stamp)
    ).delete()


if __name__ == "__main__":
    main()
