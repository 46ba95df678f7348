"""What views share: the request as the middleware leaves it."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware, which sets `request.htmx`.

    For annotations only (django-htmx's documented pattern): Django builds the real request.
    """

    htmx: HtmxDetails
