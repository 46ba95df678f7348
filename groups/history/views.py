"""The group's history page and its exports (see `groups.history.exports`)."""

from collections.abc import Iterator
from datetime import datetime
from typing import cast

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from groups.access import (
    get_group_for_member,
    get_group_for_organizer,
    get_group_for_viewer,
    sign_in_to_act,
)
from groups.history import exports
from groups.history.forms import HistoryFilterForm
from groups.history.queries import PER_PAGE, held_sessions, history_search, history_years
from groups.limits import View, rate_limit
from groups.models import ReadingGroup
from groups.web import AuthenticatedHttpRequest, group_context
from papers.web import HtmxHttpRequest

RESULTS = "groups/history/history.html#results"


@require_GET
@vary_on_headers("HX-Request")
def history(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Every session held, newest first, searched and filtered (GET form; htmx swaps the
    results and pushes the URL)."""
    group, membership = get_group_for_viewer(request, slug)
    form = HistoryFilterForm(request.GET)
    wanted = form.wanted()
    found = history_search(held_sessions(group), wanted)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = group_context(group, membership, "history") | {
        "form": form,
        "wanted": wanted,
        "page": page,
        "query": query.urlencode(),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, RESULTS, context)
    context["years"] = history_years(group)
    return render(request, "groups/history/history.html", context)


def _download(
    parts: Iterator[bytes], group: ReadingGroup, what: str, extension: str, content_type: str
) -> HttpResponse:
    """The file, written as it is sent. (Typed as the HttpResponse the views' decorators are
    typed for: StreamingHttpResponse is not one, and they pass it through untouched.)"""
    day = timezone.now().date().isoformat()
    filename = f"{group.slug}-{what}-{day}.{extension}"
    response = StreamingHttpResponse(parts, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return cast(HttpResponse, response)


def export(view: View) -> View:
    """A download: GET only, rate-limited as heavy (`export`); anonymous visitors sign in."""
    return sign_in_to_act(require_GET(rate_limit("export", methods=("GET",))(view)))


def _now() -> datetime:
    return timezone.now().replace(microsecond=0)


@export
def export_json(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    group, _ = get_group_for_organizer(request, slug)
    parts = exports.history_json(group, include_hidden=True, exported_at=_now())
    return _download(parts, group, "history", "json", "application/json")


@export
def export_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    group, _ = get_group_for_organizer(request, slug)
    parts = exports.history_csv_zip(group, include_hidden=True)
    return _download(parts, group, "history-csv", "zip", "application/zip")


@export
def export_markdown(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    group, _ = get_group_for_organizer(request, slug)
    parts = exports.history_markdown_zip(group, include_hidden=True)
    return _download(parts, group, "history-markdown", "zip", "application/zip")


@export
def my_notes_json(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    group, _ = get_group_for_member(request, slug)
    parts = exports.my_notes_json(group, request.user, exported_at=_now())
    return _download(parts, group, "my-notes", "json", "application/json")


@export
def my_notes_markdown(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    group, _ = get_group_for_member(request, slug)
    parts = exports.my_notes_markdown(group, request.user, zone=timezone.get_current_timezone())
    return _download(parts, group, "my-notes", "md", "text/markdown; charset=utf-8")
