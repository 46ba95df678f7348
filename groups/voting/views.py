from collections.abc import Callable
from functools import cache

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from groups.access import (
    get_group_for_member,
    get_group_for_organizer,
    get_group_for_viewer,
    sign_in_to_act,
)
from groups.limits import rate_limit
from groups.models import (
    Membership,
    Nomination,
    ReadingGroup,
    User,
)
from groups.similar.queries import discussed_by_group, similar_discussed, similar_in
from groups.voting.ballot import (
    PAGE_STEP,
    BallotUrls,
    ballot_order,
    ballot_page,
    ballot_row,
    etag,
    shown_param,
    view_key,
    vote_answer,
)
from groups.voting.fairness import FAIRNESS_RULE
from groups.voting.forms import NominateForm, NominatePaperForm, RankingForm
from groups.voting.ranked import RankedBallot, open_nomination_ids, ranked_ballot, round_lines
from groups.voting.rows import (
    RankingBoxes,
    RowView,
    ranking_html,
    rounds_html,
    row_html,
    rows_html,
    vote_box_html,
)
from groups.voting.runoff import COUNT_RULE
from groups.voting.services import (
    NominationResult,
    PaperUnavailable,
    VoteChange,
    VotingError,
    last_discussed_at,
    last_discussions,
    nomination_archive,
    nomination_create,
    nomination_withdraw,
    paper_for_nomination,
    ranking_save,
    vote_cast,
    vote_withdraw,
)
from groups.web import AuthenticatedHttpRequest, group_context, safe_next
from papers.models import Paper
from papers.web import HtmxHttpRequest


@cache
def _blank_nominate_form() -> SafeString:
    """The nominate card's empty form as HTML: the same on every page (no data, no errors, no
    token: the card's template adds the CSRF field), so Django's form templates render it once
    per process rather than on every ballot page."""
    return SafeString(str(NominateForm()))


def _ballot_list_url(urls: BallotUrls, *, query: str, shown: int) -> str:
    params = {"q": query.strip()} if query.strip() else {}
    if shown != PAGE_STEP:
        params["show"] = str(shown)
    return f"{urls.ballot}?{urlencode(params)}" if params else urls.ballot


def _row_view(
    request: HttpRequest, urls: BallotUrls, *, member: bool, organizes: bool, error: str = ""
) -> RowView:
    return RowView(
        member=member,
        signed_in=request.user.is_authenticated,
        organizes=organizes,
        urls=urls,
        error=error,
    )


@require_GET
@vary_on_headers("HX-Request")
def group_ballot(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    group, membership = get_group_for_viewer(request, slug)
    query = request.GET.get("q", "")[:200].strip()
    shown = shown_param(request.GET.get("show"))
    key = view_key(viewer=request.user, membership=membership, query=query, shown=shown)
    # A history restore after "Show more" or a filter (hx-push-url) asks for the whole page.
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    if partial:
        # The page polls with the ETag it holds: while nothing changed, answer without rendering.
        current = etag(group.ballot_version, key)
        not_modified = get_conditional_response(request, etag=current)
        if not_modified is not None:
            not_modified["ETag"] = current
            return not_modified
    if group.is_ranked:
        return _ranked_page(request, group, membership, key=key, partial=partial)
    page = ballot_page(group, viewer=request.user, membership=membership, query=query, shown=shown)
    urls = BallotUrls.for_group(group)
    organizes = membership is not None and membership.is_organizer
    view = _row_view(request, urls, member=membership is not None, organizes=organizes)
    context = group_context(group, membership, "ballot") | {
        "page": page,
        "rows_html": rows_html(page.rows, view),
        "urls": urls,
        "view_key": key,
        "list_url": _ballot_list_url(urls, query=query, shown=shown),
        "more_url": _ballot_list_url(urls, query=query, shown=page.next_shown),
        "organizes": organizes,
        "poll_seconds": settings.BALLOT_POLL_SECONDS,
        "page_step": PAGE_STEP,
        "fairness_rule": FAIRNESS_RULE if group.fairness else "",
        "form": _blank_nominate_form(),
    }
    if not partial:
        return render(request, "groups/voting/ballot.html", context)
    response = render(request, "groups/voting/ballot.html#ballot-list", context)
    response["ETag"] = etag(page.version, key)
    response["Cache-Control"] = "no-store"  # the page asks with If-None-Match itself
    response["X-Ballot-Answer"] = "list"
    response["X-Ballot-Version"] = str(page.version)
    return response


def _ranked_context(
    group: ReadingGroup,
    membership: Membership | None,
    ballot: RankedBallot,
    form: RankingForm | None,
) -> dict[str, object]:
    urls = BallotUrls.for_group(group)
    winner = ballot.winner
    context = group_context(group, membership, "ballot") | {
        "ballot": ballot,
        "rounds_html": rounds_html(round_lines(ballot), winner.title if winner else None),
        "count_rule": COUNT_RULE,
        "fairness_rule": FAIRNESS_RULE if group.fairness else "",
        "urls": urls,
        "list_url": urls.ballot,
        "schedule_url": f"{urls.schedule}?nomination={winner.id}" if winner else urls.schedule,
        "rank_url": reverse("group_rank", args=[group.slug]),
        "poll_seconds": settings.BALLOT_POLL_SECONDS,
        "form": _blank_nominate_form(),
    }
    if form is not None:
        ranked, numbers, errors = form.boxes()
        first, others = ranking_html(ballot, RankingBoxes(ranked, numbers, errors))
        context |= {"ranking_form": form, "ranked_html": first, "others_html": others}
    return context


def _ranked_form(ballot: RankedBallot, data: object = None) -> RankingForm:
    return RankingForm(data, nominations=[c.id for c in ballot.candidates], order=ballot.mine)


def _ranked_page(
    request: HtmxHttpRequest,
    group: ReadingGroup,
    membership: Membership | None,
    *,
    key: str,
    partial: bool,
) -> HttpResponse:
    """The ranked ballot: the count round by round and, for members, their ranking form. The
    htmx poll gets the count alone (`#ballot-list`), as the approval ballot's list."""
    ballot = ranked_ballot(group, viewer=request.user)
    form = _ranked_form(ballot) if membership is not None and not partial else None
    context = _ranked_context(group, membership, ballot, form) | {"view_key": key}
    if not partial:
        return render(request, "groups/voting/ranked.html", context)
    response = render(request, "groups/voting/ranked.html#ballot-list", context)
    response["ETag"] = etag(ballot.version, key)
    response["Cache-Control"] = "no-store"
    response["X-Ballot-Answer"] = "list"
    response["X-Ballot-Version"] = str(ballot.version)
    return response


@require_POST
@sign_in_to_act
def group_rank(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Saves the member's ranking (number boxes, or the order dragged into them). Without htmx:
    redirect, or the page with the form's errors (400); with htmx: the form, saved or with its
    errors, and the page then refreshes the count."""
    group, membership = get_group_for_member(request, slug)
    assert isinstance(request.user, User)  # a member has signed in
    done = reverse("group_ballot", args=[slug])
    if not group.is_ranked:
        messages.error(request, "This group's ballot is not ranked: vote for papers instead.")
        return redirect(done)
    # The boxes are the open nominations; the ballot itself is read once, for the answer.
    form = RankingForm(request.POST, nominations=open_nomination_ids(group))
    saved = False
    if form.is_valid():
        try:
            ranking_save(
                group=group, user=request.user, order=form.order, among=form.cleaned_data["shown"]
            )
        except VotingError as exc:
            form.add_error(None, str(exc))
        else:
            if not request.htmx:
                messages.success(request, "Your ranking is saved.")
                return redirect(done)
            saved = True
    ballot = ranked_ballot(group, viewer=request.user)
    if saved:
        form = _ranked_form(ballot)
    context = _ranked_context(group, membership, ballot, form) | {
        "saved": saved,
        "view_key": view_key(viewer=request.user, membership=membership, query="", shown=PAGE_STEP),
    }
    if request.htmx:
        response = render(request, "groups/voting/ranked.html#ranking", context)
        response["X-Ballot-Version"] = str(ballot.version)
        return response
    return render(request, "groups/voting/ranked.html", context, status=400)


@require_GET
def group_nomination(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group, membership = get_group_for_viewer(request, slug)
    nomination = get_object_or_404(
        Nomination.objects.filter(group=group).select_related("paper", "nominated_by"), pk=pk
    )
    row = ballot_row(group, pk, viewer=request.user, with_voters=membership is not None)
    if row is None:  # gone since the nomination was read: its group was deleted meanwhile
        raise Http404("No such nomination.")
    urls = BallotUrls.for_group(group)
    view = _row_view(request, urls, member=membership is not None, organizes=False)
    context = group_context(group, membership, "ballot") | {
        "nomination": nomination,
        "row": row,
        "vote_box": vote_box_html(row, view),
        "urls": urls,
        "discussed_at": last_discussed_at(group=group, paper=nomination.paper),
        "similar": similar_discussed(group, nomination.paper),
        "back_url": request.get_full_path(),
    }
    if group.is_ranked and nomination.is_open:  # where the count places it, not its votes
        decided = ballot_order(group)
        assert decided is not None  # a ranked ballot always has its count's order
        context |= {
            "count_place": decided.ids.index(pk) + 1 if pk in decided.ids else None,
            "count_size": len(decided.ids),
            "count_winner": decided.winner == pk,
        }
    return render(request, "groups/voting/nomination.html", context)


def _nomination_message(request: HttpRequest, result: NominationResult) -> None:
    title = result.nomination.paper.title
    if result.created:
        messages.success(request, f"Nominated “{title}” with your vote.")
    elif result.voted:
        messages.info(request, f"“{title}” was already on the ballot: your vote was added to it.")
    else:
        messages.info(request, f"“{title}” is already on the ballot and has your vote.")
    discussed = last_discussed_at(group=result.nomination.group, paper=result.nomination.paper)
    if discussed is not None:
        when = date_format(timezone.localtime(discussed), "j F Y")
        messages.warning(request, f"Note: the group discussed this paper on {when}.")


def _nominate(
    request: AuthenticatedHttpRequest,
    form: forms.Form,
    *,
    group: ReadingGroup,
    paper: Paper,
    done: str,
) -> HttpResponse | None:
    """Nominates the paper with the member's vote and redirects to `done`; None when a rule said
    no (the reason is then on the form)."""
    try:
        result = nomination_create(
            group=group, user=request.user, paper=paper, pitch=form.cleaned_data["pitch"]
        )
    except VotingError as exc:
        form.add_error(None, str(exc))
        return None
    _nomination_message(request, result)
    return redirect(done)


def _asks_again(request: HttpRequest) -> bool:
    """Whether the member, told the group discussed the paper, asked to nominate it again."""
    return request.POST.get("again") == "1"


@require_http_methods(["GET", "POST"])
@sign_in_to_act
@rate_limit("nomination")
def group_nominate(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Nominates a pasted paper. One the group already discussed is not added at once: the form
    comes back with when (and its notes) and the discussed papers most like it, to be sent again
    with "Nominate it again"."""
    group, membership = get_group_for_member(request, slug)
    form = NominateForm(request.POST if request.method == "POST" else None)
    status = 400 if form.is_bound else 200
    context = group_context(group, membership, "ballot")
    if request.method == "POST" and form.is_valid():
        try:
            paper = paper_for_nomination(form.cleaned_data["paper"])
        except VotingError as exc:
            form.add_error("paper", str(exc))
            # arXiv, not the member, failed: 503 says so (trying again later may help).
            if isinstance(exc, PaperUnavailable):
                status = 503
        else:
            discussed = last_discussions(groups=[group], paper=paper).get(group.pk)
            if discussed is not None and not _asks_again(request):
                context |= {
                    "form": form,
                    "paper": paper,
                    "discussed": discussed,
                    "similar": similar_discussed(group, paper),
                    "next": safe_next(request, ""),
                }
                return render(request, "groups/voting/nominate.html", context)
            done = safe_next(request, reverse("group_ballot", args=[slug]))
            nominated = _nominate(request, form, group=group, paper=paper, done=done)
            if nominated is not None:
                return nominated
    return render(request, "groups/voting/nominate.html", context | {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit("nomination")
def group_nominate_paper(request: AuthenticatedHttpRequest, arxiv_id: str) -> HttpResponse:
    """The "Nominate to…" page for one paper: the user's groups, where the paper stands in each,
    when each discussed it and what each discussed that is most like it. Nominating it again to
    a group that discussed it takes the "Nominate it again" button (`again`)."""
    paper = get_object_or_404(Paper, arxiv_id=arxiv_id)
    form = NominatePaperForm(request.POST if request.method == "POST" else None, user=request.user)
    groups = list(ReadingGroup.objects.of_user(request.user).order_by("name"))
    discussed = last_discussions(groups=groups, paper=paper)
    if request.method == "POST" and form.is_valid():
        group = form.cleaned_data["group"]
        if group.pk in discussed and not _asks_again(request):
            when = date_format(timezone.localtime(discussed[group.pk].starts_at), "j F Y")
            form.add_error(None, f"{group.name} discussed this paper on {when}: nominate it again?")
        else:
            done = reverse("group_ballot", args=[group.slug])
            nominated = _nominate(request, form, group=group, paper=paper, done=done)
            if nominated is not None:
                return nominated
    open_here = {
        n.group_id: n
        for n in Nomination.objects.filter(group__in=groups, paper=paper)
        .open()
        .ranked()
        .with_my_vote(request.user)
    }
    read = discussed_by_group(groups)
    rows = [
        (g, open_here.get(g.pk), discussed.get(g.pk), similar_in(g.pk, read.get(g.pk, {}), paper))
        for g in groups
    ]
    status = 400 if form.is_bound else 200
    return render(
        request,
        "groups/voting/nominate_paper.html",
        {"paper": paper, "rows": rows, "form": form},
        status=status,
    )


def _vote_response(
    request: HtmxHttpRequest,
    slug: str,
    pk: int,
    action: Callable[..., VoteChange],
    *,
    delta: int,
    done: str,
) -> HttpResponse:
    group, membership = get_group_for_member(request, slug)
    assert isinstance(request.user, User)  # a member has signed in
    nomination = get_object_or_404(Nomination, group=group, pk=pk)
    error = ""
    change = None
    try:
        change = action(nomination=nomination, user=request.user)
    except VotingError as exc:
        error = str(exc)
    back = safe_next(request, reverse("group_ballot", args=[slug]))
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        return redirect(back)
    answer = vote_answer(group, pk, viewer=request.user, change=change, delta=delta)
    if answer is None:
        raise Http404("No such nomination.")
    view = _row_view(
        request,
        BallotUrls.for_group(group),
        member=True,
        organizes=membership.is_organizer,
        error=error,
    )
    # A ballot row asks for its whole row (it may move); the nomination page for its vote box.
    in_row = request.POST.get("answer") == "row"
    html = row_html(answer.row, view) if in_row else vote_box_html(answer.row, view)
    response = HttpResponse(html)
    response["X-Ballot-Answer"] = "row" if in_row else "box"
    response["X-Ballot-Version"] = str(answer.version)
    if answer.before is not None:
        response["X-Ballot-Before"] = str(answer.before)
    if answer.row["rank"] is not None:
        response["X-Ballot-Rank"] = str(answer.row["rank"])
    if answer.old_rank is not None:
        response["X-Ballot-Old-Rank"] = str(answer.old_rank)
    return response


@require_POST
@sign_in_to_act
def group_vote(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    return _vote_response(request, slug, pk, vote_cast, delta=1, done="Your vote is counted.")


@require_POST
@sign_in_to_act
def group_unvote(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    return _vote_response(
        request, slug, pk, vote_withdraw, delta=-1, done="Your vote is taken back."
    )


@require_POST
@sign_in_to_act
def group_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group, _membership = get_group_for_member(request, slug)
    assert isinstance(request.user, User)  # a member has signed in
    nomination = get_object_or_404(Nomination, group=group, pk=pk)
    try:
        nomination_withdraw(nomination=nomination, user=request.user)
    except VotingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your nomination is withdrawn.")
    return redirect(safe_next(request, reverse("group_ballot", args=[slug])))


@require_POST
@sign_in_to_act
def group_archive(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group, membership = get_group_for_organizer(request, slug)
    nomination = get_object_or_404(Nomination, group=group, pk=pk)
    try:
        nomination_archive(nomination=nomination, by=membership)
    except VotingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The nomination is archived.")
    return redirect(safe_next(request, reverse("group_ballot", args=[slug])))
