"""Runs jobs in threads released at the same moment, to show what holds under concurrency.

Only PostgreSQL runs such writers at once (SQLite takes one writer at a time), and the threads need
committed data and connections of their own: mark such tests with `POSTGRES_THREADS`.
"""

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection

POSTGRES_THREADS = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="concurrent writers need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def postgres_threads(test: Callable[..., None]) -> Callable[..., None]:
    """The `POSTGRES_THREADS` marks, for one test."""
    for mark in POSTGRES_THREADS:
        test = mark(test)
    return test


def at_once[T](jobs: list[Callable[[], T]]) -> tuple[list[T], list[BaseException]]:
    """Runs the jobs in threads released together; returns their results and exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(job: Callable[[], T]) -> None:
        try:
            barrier.wait()
            result = job()
            with lock:
                results.append(result)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
