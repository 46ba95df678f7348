import os
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from config.celery import app as celery_app
from tests.factories import UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM would then refuse
# to run in tests that use both. The ORM calls are still synchronous and in this one thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _xdist_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw") or 0)


@pytest.fixture(autouse=True)
def _test_settings(settings) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if django_settings.REDIS_URL:
        # One Redis database per xdist worker, so clearing it touches nobody else's test.
        base = django_settings.REDIS_URL.rsplit("/", 1)[0]
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"{base}/{8 + _xdist_index()}",
            }
        }
    cache.clear()
    # Code under test enqueues with .delay(): run it here. Tests of the broker path turn this off.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def user_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
