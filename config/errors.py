"""The server-error page: a lost database (or Redis) is a 503 that says "try again", not a 500.

Django calls `server_error` (config/urls.py's handler500) for any exception a view or middleware
did not handle, inside its `except` block. When that exception is the database failing
(PostgreSQL restarting, a connection dropped mid-request, SQLite locked for too long) the answer
is a 503 with Retry-After: the request's transaction was rolled back, so nothing it wrote was
kept, and the next request opens a new connection (Django closes an unusable one when the
request ends). The page is rendered without the request context: it must not touch the
database again. /healthz says meanwhile which service is down.

Redis failing where something needs it (allauth's sign-in rate limits count in the cache) is the
same kind of answer: those actions are refused with the 503 until Redis is back, never let
through uncounted.
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error
from django_htmx.http import reswap
from redis.exceptions import RedisError

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def service_unavailable(exc: BaseException | None) -> str | None:
    """ "database" or "cache" when `exc` (or what caused it) is that service failing to answer."""
    while exc is not None:
        if isinstance(exc, DATABASE_DOWN):
            return "database"
        if isinstance(exc, RedisError):
            return "cache"
        if isinstance(exc, DatabaseError):
            return None
        exc = exc.__cause__ or exc.__context__
    return None


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    service = service_unavailable(sys.exc_info()[1])
    if service is None:
        return django_server_error(request)
    context = {"service": service}
    if request.headers.get("HX-Request"):
        # The message goes in the page's #page-alert (out of band); the page stays as it was.
        html = loader.get_template("503.html#page-alert").render(context)
        response = reswap(HttpResponse(html, status=503), "none")
    else:
        response = HttpResponse(loader.get_template("503.html").render(context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
