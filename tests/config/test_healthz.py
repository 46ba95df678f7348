import json

import pytest
from django.test import Client, override_settings

from config.celery import app


@pytest.mark.django_db
def test_it_reports_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_it_checks_cache_and_broker_when_redis_is_configured(client: Client, settings) -> None:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is unset: the embedded default has no broker or shared cache")
    body = json.loads(client.get("/healthz").content)
    assert body == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_it_answers_503_when_cache_and_broker_are_down(client: Client) -> None:
    down = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": down}
    }
    old_broker = app.conf.broker_url
    app.conf.broker_url = down
    try:
        with override_settings(REDIS_URL=down, CACHES=caches):
            response = client.get("/healthz")
    finally:
        app.conf.broker_url = old_broker
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"status": "down", "database": "ok", "cache": "down", "broker": "down"}


@pytest.mark.django_db
def test_it_refuses_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
