"""The Celery app: tasks go through Redis in production, through kombu's filesystem transport
(files under RUN_DIR) in the embedded default, and run in-process only in the test suite."""

import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.app.utils import Settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("paperclub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["groups.notifications"])  # groups' tasks live in their area


@app.on_after_configure.connect
def make_broker_folders(sender: Celery, source: Settings, **kwargs: Any) -> None:
    """The filesystem transport reads and writes folders it does not create: make them when the
    configuration is loaded, so the web process, the worker and beat each find them, whichever
    starts first."""
    if source.broker_url.startswith("filesystem://"):
        options = source.broker_transport_options
        for folder in ("data_folder_in", "data_folder_out", "control_folder"):
            Path(options[folder]).mkdir(parents=True, exist_ok=True)


@app.task(name="paperclub.ping")
def ping() -> str:
    """Answers "pong": lets operators and tests see a worker consume from the broker."""
    return "pong"
