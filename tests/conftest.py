import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import _state as celery_state
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from config.celery import app as celery_app
from groups.caching import memos_forget
from tests.factories import UserFactory
from tests.faults import drop_connection_at  # noqa: F401  (a fixture: tests/faults.py)
from tests.network import network  # noqa: F401  (a fixture for every test)

# Playwright's sync API runs an event loop in the test thread; Django's ORM would then refuse
# to run in tests that use both. The ORM calls are still synchronous and in this one thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
) -> Iterator[None]:
    """On SQLite the test database is a file (in /dev/shm when there is one), not shared memory.

    With an in-memory database, the live server's threads and the test share one connection, and
    queries at the same moment fail at random ("database table is locked"): the browser tests'
    ballot pages poll while the test reads the database. A file gives every thread its own
    connection, with the busy timeout and locking that production has.
    """
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    memory = Path("/dev/shm")  # noqa: S108 (a private folder is made inside it)
    folder = Path(
        tempfile.mkdtemp(prefix="paperclub-test-", dir=memory if memory.is_dir() else None)
    )
    database.setdefault("TEST", {})["NAME"] = str(folder / "test.db")
    yield
    shutil.rmtree(folder, ignore_errors=True)


def _clear_cache() -> None:
    memos_forget()  # the per-process memos in front of the cache
    if django_settings.REDIS_URL:
        # Delete only this process's keys: other test processes share the Redis server.
        client = cache._cache.get_client(None, write=True)  # type: ignore[attr-defined]
        for key in client.scan_iter(f"{cache.key_prefix}:*"):
            client.delete(key)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _test_settings(settings) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if django_settings.REDIS_URL:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": django_settings.REDIS_URL,
                "KEY_PREFIX": f"paperclub-test-{os.getpid()}",
            }
        }
    # The suite acts as a handful of people from one address (127.0.0.1), many times a second:
    # abuse limits would refuse tests that are about something else. tests/groups/test_rate_limits.py
    # and the fault tests switch them on (the `rate_limits` fixture), with small limits of their own.
    settings.RATE_LIMITS_ENABLED = False
    _clear_cache()
    # Code under test enqueues with .delay(): run it here (eager mode is for the test suite only;
    # settings send tasks to a broker). Tests of the broker path turn this off.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager
    # Eager .delay() sets Celery's process-global "joining would block" flag and restores it
    # afterwards; two threads doing that at once (the concurrency tests) can leave it set, and
    # every later .get() in this process would then refuse to run ("Never call result.get()
    # within a task!"), in whichever test the worker process runs next.
    celery_state._set_task_join_will_block(False)
    _clear_cache()


@pytest.fixture
def rate_limits(settings):
    """Switches abuse limits on; `rate_limits(action, per_user, per_ip)` sets one action's rates."""
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {action: dict(limit) for action, limit in settings.RATE_LIMITS.items()}

    def set_rates(action: str, per_user: str | None, per_ip: str | None) -> None:
        settings.RATE_LIMITS[action] |= {"per_user": per_user, "per_ip": per_ip}

    return set_rates


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def user_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
