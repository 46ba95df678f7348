"""What every in-process benchmark does after django.setup(): run Celery tasks in-process, as the
test suite does. Without REDIS_URL the app's broker is a folder of files that `make run`'s worker
would later drain, which a benchmark must not fill with the notices of thousands of fake writes."""

from config.celery import app


def tasks_in_process() -> None:
    app.conf.task_always_eager = True
