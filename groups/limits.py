"""Abuse limits on the actions that send email or create content: `@rate_limit("<action>")`.

Each action has a limit per person and one per IP address (`settings.RATE_LIMITS`), counted by
django-ratelimit in the cache (Redis in production, so every gunicorn worker shares the count).
Only POSTs count (and the GETs of the heavy downloads that ask for it: `methods=("GET",)` on
the history exports), and they count before the view runs: a refused POST reaches no form, no service
and no database write, so nothing is ever half done. Over a limit the answer is a 429: the
"Too many attempts" page, or for htmx a message the page shows in place (`#page-alert`, out of
band), leaving the form as it was.

When the cache cannot be reached the count is unknown: actions that send email to an address the
person typed (`fail_closed`) are refused with a 503 rather than let through uncounted; the others
(notes, flags, nominations) go ahead, and reading is never limited.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import reswap
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Limit:
    """One action's limits: django-ratelimit rates ("20/h", "30/10m"); None means no limit."""

    what: str
    per_user: str | None
    per_ip: str | None
    fail_closed: bool = False


def client_ip(request: HttpRequest) -> str:
    """The address a request came from: REMOTE_ADDR, or behind `RATE_LIMIT_PROXY_COUNT` proxies
    the address the outermost of them saw (X-Forwarded-For, counted from the right: the left
    part is whatever the client sent)."""
    proxies = settings.RATE_LIMIT_PROXY_COUNT
    forwarded = [ip.strip() for ip in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies and forwarded[-proxies]:
        return forwarded[-proxies]
    return request.META["REMOTE_ADDR"]


def _ip_key(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def _user_key(group: str, request: HttpRequest) -> str:
    return str(request.user.pk)


def limit_for(action: str) -> Limit:
    try:
        return Limit(**settings.RATE_LIMITS[action])
    except KeyError as exc:
        raise ImproperlyConfigured(f"settings.RATE_LIMITS has no action {action!r}") from exc


def over_limit(request: HttpRequest, action: str) -> bool:
    """Counts this request against the action's limits; True when one of them is exceeded.

    Raises RedisError (or OSError) when the cache cannot count.
    """
    limit = limit_for(action)
    keys: list[tuple[Callable[[str, HttpRequest], str], str | None]] = [(_ip_key, limit.per_ip)]
    if request.user.is_authenticated:
        keys.append((_user_key, limit.per_user))
    limited = False
    for key, rate in keys:
        if rate is None:
            continue
        usage = get_usage(request, group=f"paperclub.{action}", key=key, rate=rate, increment=True)
        limited = limited or bool(usage and usage["should_limit"])
    return limited


def refused(request: HttpRequest, limit: Limit, *, status: int) -> HttpResponse:
    """The 429 (or, with the cache down, 503) answer: a page, or for htmx the in-place message."""
    context = {"limit": limit, "cache_down": status == 503}
    if getattr(request, "htmx", False):
        response = render(request, "429.html#page-alert", context, status=status)
        return reswap(response, "none")  # the message comes out of band; the form stays
    return render(request, "429.html", context, status=status)


def rate_limit(action: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable[[View], View]:
    """Refuses a request (a POST, unless `methods` says otherwise) over the action's limits (see
    the module docstring)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods or not settings.RATE_LIMITS_ENABLED:
                return view(request, *args, **kwargs)
            limit = limit_for(action)
            try:
                limited = over_limit(request, action)
            except (RedisError, OSError) as exc:
                logger.warning("rate limit %s: the cache cannot count: %s", action, exc)
                if limit.fail_closed:
                    return refused(request, limit, status=503)
                limited = False
            if limited:
                logger.info("rate limit %s: refused %s", action, client_ip(request))
                return refused(request, limit, status=429)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
