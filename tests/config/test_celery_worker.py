"""A real worker consuming from Redis: eager mode alone proves nothing about the broker path."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery import app, ping

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="REDIS_URL is unset: no broker to send through"
)


def test_it_runs_a_task_sent_through_the_broker() -> None:
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.apply_async(queue="celery")
        assert result.get(timeout=20) == "pong"
        assert result.state == "SUCCESS"
