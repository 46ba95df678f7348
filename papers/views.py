import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Max, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from papers.clients.http import SourceError
from papers.forms import AddPaperForm
from papers.models import DailyListing, Paper, PaperQuerySet
from papers.parsing import split_arxiv_id
from papers.services import latest_day, paper_import_by_arxiv_id
from papers.web import HtmxHttpRequest

SORTS = {"upvotes": "Most upvoted", "new": "Newest"}


def _sort(request: HttpRequest) -> str:
    sort = request.GET.get("sort", "upvotes")
    return sort if sort in SORTS else "upvotes"


def _page(request: HttpRequest, papers: PaperQuerySet) -> Page:
    return Paginator(papers, settings.PAPERS_PER_PAGE).get_page(request.GET.get("page"))


def _render_list(request: HtmxHttpRequest, context: dict[str, Any]) -> HttpResponse:
    sort = _sort(request)
    context |= {
        "page": _page(request, context.pop("papers").cards().sorted_by(sort)),
        "sort": sort,
        "sorts": SORTS,
    }
    template = "papers/list.html#paper-list" if request.htmx else "papers/list.html"
    return render(request, template, context)


def _day_context(day: dt.date) -> dict[str, Any]:
    around = DailyListing.objects.aggregate(
        previous=Max("day", filter=Q(day__lt=day)),
        next=Min("day", filter=Q(day__gt=day)),
    )
    iso_year, iso_week, _ = day.isocalendar()
    return {
        "period": "day",
        "day": day,
        "heading": f"{day:%A}, {day:%B} {day.day}, {day.year}",
        "papers": Paper.objects.for_day(day),
        "previous_url": around["previous"]
        and reverse("papers:day", kwargs={"day": around["previous"].isoformat()}),
        "next_url": around["next"]
        and reverse("papers:day", kwargs={"day": around["next"].isoformat()}),
        "day_url": reverse("papers:day", kwargs={"day": day.isoformat()}),
        "week_url": reverse("papers:week", kwargs={"week": f"{iso_year}-W{iso_week:02d}"}),
        "month_url": reverse("papers:month", kwargs={"month": f"{day:%Y-%m}"}),
        "feed_url": reverse("papers:day_feed", kwargs={"day": day.isoformat()}),
    }


@require_GET
@vary_on_headers("HX-Request")
def latest(request: HtmxHttpRequest) -> HttpResponse:
    """The latest day that has papers."""
    day = latest_day()
    if day is None:
        return render(
            request, "papers/list.html", {"period": "day", "page": None, "empty_site": True}
        )
    return _render_list(request, _day_context(day))


@require_GET
@vary_on_headers("HX-Request")
def day(request: HtmxHttpRequest, day: str) -> HttpResponse:
    try:
        date = dt.date.fromisoformat(day)
    except ValueError as exc:
        raise Http404("Not a date.") from exc
    return _render_list(request, _day_context(date))


@require_GET
@vary_on_headers("HX-Request")
def week(request: HtmxHttpRequest, week: str) -> HttpResponse:
    """An ISO week such as 2026-W24, Monday to Sunday."""
    try:
        monday = dt.date.fromisoformat(f"{week}-1")
    except ValueError as exc:
        raise Http404("Not a week.") from exc
    sunday = monday + dt.timedelta(days=6)
    previous_monday, next_monday = monday - dt.timedelta(days=7), monday + dt.timedelta(days=7)

    def week_url(date: dt.date) -> str:
        year, number, _ = date.isocalendar()
        return reverse("papers:week", kwargs={"week": f"{year}-W{number:02d}"})

    return _render_list(
        request,
        {
            "period": "week",
            "day": monday,
            "heading": f"Week of {monday:%B} {monday.day}, {monday.year}",
            "papers": Paper.objects.for_days(monday, sunday),
            "previous_url": week_url(previous_monday),
            "next_url": week_url(next_monday),
            "day_url": reverse("papers:day", kwargs={"day": monday.isoformat()}),
            "week_url": week_url(monday),
            "month_url": reverse("papers:month", kwargs={"month": f"{monday:%Y-%m}"}),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def month(request: HtmxHttpRequest, month: str) -> HttpResponse:
    """A calendar month such as 2026-06."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise Http404("Not a month.") from exc
    next_first = (first + dt.timedelta(days=32)).replace(day=1)
    previous_first = (first - dt.timedelta(days=1)).replace(day=1)
    iso_year, iso_week, _ = first.isocalendar()
    return _render_list(
        request,
        {
            "period": "month",
            "day": first,
            "heading": f"{first:%B %Y}",
            "papers": Paper.objects.for_days(first, next_first - dt.timedelta(days=1)),
            "previous_url": reverse("papers:month", kwargs={"month": f"{previous_first:%Y-%m}"}),
            "next_url": reverse("papers:month", kwargs={"month": f"{next_first:%Y-%m}"}),
            "day_url": reverse("papers:day", kwargs={"day": first.isoformat()}),
            "week_url": reverse("papers:week", kwargs={"week": f"{iso_year}-W{iso_week:02d}"}),
            "month_url": reverse("papers:month", kwargs={"month": f"{first:%Y-%m}"}),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def search(request: HtmxHttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:200]
    page = _page(request, Paper.objects.cards().search(query)) if query else None
    template = "papers/search.html#search-results" if request.htmx else "papers/search.html"
    return render(request, template, {"query": query, "page": page})


def _may_see_hidden(request: HttpRequest, paper: Paper) -> bool:
    """A hidden paper's page stays for staff who may view papers, and for whoever an
    authentication backend grants `papers.view_paper` on this very paper (the groups app grants it
    to members of groups that nominated it: `groups.access.NominatedPaperBackend`)."""
    user = request.user
    if not user.is_authenticated:
        return False
    if user.is_staff and user.has_perm("papers.view_paper"):
        return True
    return user.has_perm("papers.view_paper", paper)


@require_GET
def detail(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    parsed = split_arxiv_id(arxiv_id)
    if parsed is None:
        raise Http404("Not an arXiv id.")
    if parsed[0] != arxiv_id:
        # One address per paper: versions and URL forms lead to the plain id.
        return redirect("papers:detail", arxiv_id=parsed[0], permanent=True)
    paper = get_object_or_404(Paper.objects.cards(), arxiv_id=arxiv_id)
    if paper.hidden and not _may_see_hidden(request, paper):
        raise Http404("No such paper.")
    days = list(paper.listings.values_list("day", flat=True))
    return render(request, "papers/detail.html", {"paper": paper, "days": days})


@login_required
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    """Adds a paper by arXiv id or URL, fetching it from arXiv when we do not have it."""
    form = AddPaperForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            paper = paper_import_by_arxiv_id(
                arxiv_id_or_url=form.cleaned_data["arxiv"], interactive=True
            )
        except SourceError as exc:
            form.add_error("arxiv", exc.for_people)
            # arXiv, not the person, failed: 503 says so (trying again later may help).
            status = 503 if exc.retryable else 200
        else:
            messages.success(request, f"“{paper.title}” is in Paper Club.")
            return redirect("papers:detail", arxiv_id=paper.arxiv_id)
    return render(request, "papers/add.html", {"form": form}, status=status)
