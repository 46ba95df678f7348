"""What in-process benchmarks share: creating their PostgreSQL database before django.setup(),
and after it running Celery tasks in-process, as the test suite does. Without REDIS_URL the app's broker is a folder of files that `make run`'s worker
would later drain, which a benchmark must not fill with the notices of thousands of fake writes."""

import os

from config.celery import app


def tasks_in_process() -> None:
    app.conf.task_always_eager = True


def ensure_database() -> None:
    """Creates the PostgreSQL database DATABASE_URL names if it is missing (call it before
    django.setup(): it connects to the server's `postgres` database)."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if config["ENGINE"] != "django.db.backends.postgresql":
        return
    with psycopg.connect(
        host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"], dbname="postgres",
        password=config["PASSWORD"] or None, autocommit=True,
    ) as conn:  # fmt: skip
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone():
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
