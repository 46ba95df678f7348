"""Faults made for real at the edge: a PostgreSQL backend terminated by the server mid-request,
Redis at a port where nothing listens, an SMTP server that refuses, a worker that dies."""

import socket
from collections.abc import Callable, Iterator

import psycopg
import pytest
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
    connection_created.disconnect(on_connection)


def closed_port() -> int:
    """A local TCP port where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
