"""Pages of what a group has read: the papers its members' groups discussed that resemble a paper
(the paper page's panel), and the last week's papers suggested for a group (the ballot's panel),
with a one-click nominate. Each page is whole without JavaScript and its panel alone for htmx."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from groups.access import get_group_for_member, get_group_for_viewer, sign_in_to_act
from groups.limits import rate_limit
from groups.models import ReadingGroup
from groups.similar.queries import discussed_by_group, similar_in, suggestions
from groups.voting.services import VotingError, nomination_create
from groups.web import AuthenticatedHttpRequest, group_context, safe_next
from papers.models import Paper
from papers.web import HtmxHttpRequest

PAPER_PANEL = "groups/similar/paper.html#panel"
SUGGESTED_PANEL = "groups/similar/suggested.html#panel"


@require_GET
@login_required
@vary_on_headers("HX-Request")
def similar_paper(request: AuthenticatedHttpRequest, arxiv_id: str) -> HttpResponse:
    """For each of the viewer's groups: whether it discussed this paper, and the up to three
    papers it discussed most like it. Only the viewer's own groups, so nothing of a group they
    are not in."""
    paper = get_object_or_404(Paper, arxiv_id=arxiv_id)
    if paper.hidden and not request.user.has_perm("papers.view_paper", paper):
        raise Http404("No such paper.")
    groups = list(ReadingGroup.objects.of_user(request.user).order_by("name"))
    discussed = discussed_by_group(groups)
    rows = [
        (
            group,
            discussed.get(group.pk, {}).get(paper.pk),
            similar_in(group.pk, discussed.get(group.pk, {}), paper),
        )
        for group in groups
    ]
    found = any(discussed or similar for _, discussed, similar in rows)
    context = {"paper": paper, "rows": rows, "found": found}
    template = PAPER_PANEL if request.htmx else "groups/similar/paper.html"
    return render(request, template, context)


@require_GET
@vary_on_headers("HX-Request")
def group_suggested(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Up to five of the last week's daily papers most like what the group read and voted for."""
    group, membership = get_group_for_viewer(request, slug)
    context = group_context(group, membership, "ballot") | {"suggested": suggestions(group)}
    template = SUGGESTED_PANEL if request.htmx else "groups/similar/suggested.html"
    return render(request, template, context)


@require_POST
@sign_in_to_act
@rate_limit("nomination")
def group_suggested_nominate(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Nominates a suggested paper with the member's vote (as the ballot's nominate does): the
    panel again for htmx, else back to the ballot."""
    group, membership = get_group_for_member(request, slug)
    paper = get_object_or_404(Paper.objects.listed(), arxiv_id=request.POST.get("paper", ""))
    try:
        result = nomination_create(group=group, user=request.user, paper=paper)
    except VotingError as exc:
        messages.error(request, str(exc))
    else:
        verb = "Nominated" if result.created else "Voted for"
        messages.success(request, f"{verb} “{paper.title}” with your vote.")
    if request.htmx:
        context = group_context(group, membership, "ballot") | {"suggested": suggestions(group)}
        return render(request, SUGGESTED_PANEL, context)
    return redirect(safe_next(request, reverse("group_ballot", args=[slug])))
