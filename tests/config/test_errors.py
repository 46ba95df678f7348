"""config/errors.py on any database (the real drop is tests/browser/test_database_drops.py, on
PostgreSQL): which exceptions become the 503 "try again" page, and which stay a 500."""

import pytest
from django.db import IntegrityError, OperationalError
from django.test import RequestFactory
from redis.exceptions import ConnectionError as RedisConnectionError

from config.errors import server_error


def answer(exc: Exception, **headers: str):
    try:
        raise exc
    except Exception:
        return server_error(RequestFactory().get("/g/x/", headers=headers))


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (OperationalError("server closed the connection unexpectedly"), "lost its connection"),
        (RedisConnectionError("Error 111 connecting"), "a service it needs is not answering"),
    ],
)
def test_a_lost_service_is_a_503_saying_try_again(exc: Exception, words: str) -> None:
    response = answer(exc)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert words in response.content.decode()

    htmx = answer(exc, HX_Request="true")
    assert htmx.status_code == 503 and htmx["HX-Reswap"] == "none"
    assert htmx.content.decode().startswith('<div id="page-alert"')


@pytest.mark.parametrize("exc", [RuntimeError("a bug"), IntegrityError("duplicate key")])
def test_anything_else_stays_a_500(exc: Exception) -> None:
    response = answer(exc)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
