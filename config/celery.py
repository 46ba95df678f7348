"""The Celery app. Tasks run in-process (eager) unless REDIS_URL names a broker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("paperclub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["groups.notifications"])  # groups' tasks live in their area


@app.task(name="paperclub.ping")
def ping() -> str:
    """Answers "pong": lets operators and tests see a worker consume from the broker."""
    return "pong"
