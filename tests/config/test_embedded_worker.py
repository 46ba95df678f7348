"""`make run`'s worker, with beat, on the embedded broker (kombu's filesystem transport): a task
that beat schedules runs, with no service at all. The rest of the suite runs tasks eagerly, which
never goes near beat or a broker; this is the test that does, and it needs no Redis.

The worker is the Procfile's own command, in a subprocess, with a settings module that adds one
schedule entry (ping every second) to the real settings and puts RUN_DIR in a folder of its own.
"""

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

TEST_SETTINGS = """\
from config.settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {"ping": {"task": "paperclub.ping", "schedule": 1.0}}
"""
# A loaded machine starts Django, the pool and beat slowly; an idle one sees the ping in ~5 s.
DEADLINE_SECONDS = 60
SUCCEEDED = re.compile(r"Task paperclub\.ping\[[0-9a-f-]+\] succeeded in [0-9.]+s: 'pong'")


def procfile_command(name: str) -> list[str]:
    for line in (settings.BASE_DIR / "Procfile").read_text().splitlines():
        process, colon, command = line.partition(":")
        if colon and process == name:
            return shlex.split(command)
    raise AssertionError(f"the Procfile has no {name!r} process")


def stop(worker: subprocess.Popen[bytes]) -> None:
    """Warm shutdown: the worker stops its pool and beat; whatever of its process group lingers
    past the timeout is killed."""
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def test_it_runs_a_task_that_beat_schedules(tmp_path: Path) -> None:
    (tmp_path / "embedded_beat_settings.py").write_text(TEST_SETTINGS)
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"REDIS_URL", "DATABASE_URL"}  # the embedded default, on any test pass
    }
    env.update(
        DJANGO_SETTINGS_MODULE="embedded_beat_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(settings.BASE_DIR)]),
        RUN_DIR=str(tmp_path / "run"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # What `make run` does: the Procfile names the virtualenv's commands by name.
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        PYTHONUNBUFFERED="1",
    )
    log_file = tmp_path / "worker.log"
    with log_file.open("wb") as log:
        worker = subprocess.Popen(
            procfile_command("worker"),
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, for stop() to kill if it must
        )
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        log_text = ""
        while not SUCCEEDED.search(log_text):
            assert worker.poll() is None, f"the worker exited:\n{log_text}"
            assert time.monotonic() < deadline, f"no scheduled ping ran:\n{log_text}"
            time.sleep(0.2)
            log_text = log_file.read_text(errors="replace")
    finally:
        stop(worker)

    assert "transport:   filesystem://" in log_text
    assert "beat: Starting..." in log_text
    assert "Scheduler: Sending due task ping (paperclub.ping)" in log_text
    assert (tmp_path / "run" / "celery" / "messages").is_dir()
