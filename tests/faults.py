"""Faults made for real at the edge: a PostgreSQL backend terminated by the server mid-request,
Redis at a port where nothing listens, an SMTP server that refuses, a worker that dies."""

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection as default_connection
from django.db.backends.signals import connection_created


def kill_backend(pid: int) -> None:
    """Has PostgreSQL terminate one backend (our own test database's), as a restart would."""
    params = default_connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"],
        port=params["PORT"] or None,
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def drop_connection_at() -> Iterator[Callable[[str], list[str]]]:
    """`drop_connection_at("INSERT INTO \"groups_note\"")`: the next query whose SQL starts so,
    on any connection opened from now on (the live server's), finds its backend terminated by
    PostgreSQL. Returns the list of queries it dropped (one, once it has fired)."""
    targets: list[str] = []
    dropped: list[str] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if targets and sql.lstrip().startswith(targets[0]):
            targets.clear()
            dropped.append(sql)
            kill_backend(context["connection"].connection.info.backend_pid)
        return execute(sql, params, many, context)

    def on_connection(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
        if wrapper not in connection.execute_wrappers:
            connection.execute_wrappers.append(wrapper)

    connection_created.connect(on_connection)

    def arm(sql_start: str) -> list[str]:
        targets[:] = [sql_start]
        return dropped

    yield arm
    # The live server's connections outlive the test and keep the wrapper: disarm it, so a target
    # that never fired cannot drop a later test's query.
    targets.clear()
    connection_created.disconnect(on_connection)


def closed_port() -> int:
    """A local TCP port where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def refusing_smtp_server() -> Iterator[int]:
    """A real SMTP server on 127.0.0.1 that turns every connection away (554), as a mail server
    refusing service does; yields its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            with client:
                client.sendall(b"554 5.3.2 mail.example.org is not accepting mail\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        server.close()


class WorkerDied(BaseException):
    """What a worker killed mid-send leaves behind: nothing after this point runs (not an
    Exception, so no `except Exception` in our code sees it)."""


class DyingMailBackend(BaseEmailBackend):
    """A mail backend whose worker dies while it sends."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise WorkerDied("the worker was killed (SIGKILL) while sending")
