import os
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from config.celery import app as celery_app
from tests.factories import UserFactory
from tests.network import network  # noqa: F401  (a fixture for every test)

# Playwright's sync API runs an event loop in the test thread; Django's ORM would then refuse
# to run in tests that use both. The ORM calls are still synchronous and in this one thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _clear_cache() -> None:
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
    _clear_cache()
    # Code under test enqueues with .delay(): run it here. Tests of the broker path turn this off.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager
    _clear_cache()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def user_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
