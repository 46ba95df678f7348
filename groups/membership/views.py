"""Joining, leaving, members, invitations, join requests and settings: the membership pages."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from groups.access import (
    get_group_for_member,
    get_group_for_organizer,
    get_group_for_viewer,
    require_signed_in,
    sign_in_to_act,
)
from groups.discussions.polls import next_best_slot, polls_for_member
from groups.discussions.services import (
    next_session_for_group,
    next_sessions_of,
    sessions_under_quorum,
)
from groups.limits import rate_limit
from groups.membership.forms import (
    GroupForm,
    GroupSearchForm,
    InvitationForm,
    InviteEmailForm,
    JoinRequestForm,
    RoleForm,
)
from groups.membership.services import (
    BANNED_MESSAGE,
    MembershipError,
    group_create,
    groups_of_member,
    invitation_accept,
    invitation_create,
    invitation_email_send,
    invitation_problem,
    invitation_revoke,
    invitation_url,
    is_banned,
    join_request_create,
    join_request_decide,
    membership_join,
    membership_leave,
    membership_remove,
    membership_role_change,
)
from groups.models import (
    Invitation,
    JoinRequest,
    Membership,
    ReadingGroup,
    User,
)
from groups.voting.ballot import ballot_leaders
from groups.voting.fairness import FAIRNESS_RULE, fairness_weights
from groups.voting.services import ballot_fairness_set, ballot_method_set
from groups.web import AuthenticatedHttpRequest, group_context
from papers.services import latest_papers
from papers.web import HtmxHttpRequest

RECENT_ACTIVITY = 12
HOME_BALLOT = 5
FRONT_PAGE_PAPERS = 12


# The front page, the directory, "my groups", creating a group


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The front page. Signed in: the person's groups (what is on each ballot, the next session),
    then the latest papers; signed out: what Paper Club is, then the latest papers."""
    latest = latest_papers(limit=FRONT_PAGE_PAPERS)
    context: dict[str, Any] = {
        "latest_day": latest.day,
        "papers": latest.papers,
        "status": latest.status,
        "today": timezone.localdate(),
    }
    if isinstance(request.user, User):
        groups = groups_of_member(request.user)
        sessions = next_sessions_of(groups, request.user)
        context["groups"] = [(group, sessions.get(group.pk)) for group in groups]
    return render(request, "home.html", context)


@require_GET
@vary_on_headers("HX-Request")
def group_directory(request: HtmxHttpRequest) -> HttpResponse:
    form = GroupSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    groups = ReadingGroup.objects.public().search(query).with_counts().order_by("name", "pk")
    page = Paginator(groups, 24).get_page(request.GET.get("page"))
    context = {"form": form, "query": query, "page": page}
    if request.htmx:
        return render(request, "groups/membership/directory.html#results", context)
    return render(request, "groups/membership/directory.html", context)


@require_GET
@login_required
def group_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user).select_related("group").order_by("group__name")
    )
    counted = {
        group.pk: group for group in ReadingGroup.objects.of_user(request.user).with_counts()
    }
    rows = [(m, counted[m.group_id]) for m in memberships]
    return render(request, "groups/membership/mine.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
def group_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = GroupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            group = group_create(user=request.user, **form.cleaned_data)
        except MembershipError as exc:
            form.add_error("slug", str(exc))
        else:
            messages.success(request, f"{group.name} is ready. Invite people and nominate papers.")
            return redirect("group_home", slug=group.slug)
    return render(request, "groups/membership/new.html", {"form": form})


# The group's pages


@require_GET
def group_home(request: HttpRequest, slug: str) -> HttpResponse:
    group, membership = get_group_for_viewer(request, slug)
    top, winner = ballot_leaders(group, HOME_BALLOT)
    activity = group.activities.select_related("actor", "paper")[:RECENT_ACTIVITY]
    pending_request = (
        request.user.is_authenticated
        and membership is None
        and JoinRequest.objects.filter(
            group=group, user=request.user, status=JoinRequest.Status.PENDING
        ).exists()
    )
    # Organizers see the quorum banner of every session ahead that is under it.
    under_quorum = (
        [(session, next_best_slot(session)) for session in sessions_under_quorum(group)]
        if membership is not None and membership.is_organizer
        else []
    )
    context = group_context(group, membership, "home") | {
        "under_quorum": under_quorum,
        "top": top,
        "winner": winner,
        "open_count": group.nominations.open().count(),
        "activity": activity,
        "pending_request": pending_request,
        "next_session": next_session_for_group(group, request.user),
        # The in-app invitation to the time polls that ask this member.
        "my_polls": (
            polls_for_member(group, request.user)
            if membership and isinstance(request.user, User)
            else []
        ),
    }
    return render(request, "groups/membership/home.html", context)


# Joining and leaving


@require_http_methods(["GET", "POST"])
@sign_in_to_act(return_here=True)
@rate_limit("join_request")
def group_join(request: HttpRequest, slug: str) -> HttpResponse:
    group, membership = get_group_for_viewer(request, slug)
    user = require_signed_in(request)
    if membership is not None:
        messages.info(request, "You are already a member.")
        return redirect("group_home", slug=slug)
    form = JoinRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if group.join_policy == ReadingGroup.JoinPolicy.REQUEST:
                join_request_create(group=group, user=user, message=form.cleaned_data["message"])
                messages.success(request, "Your request is sent. The organizers will decide.")
            else:
                membership_join(group=group, user=user)
                messages.success(request, f"Welcome to {group.name}!")
        except MembershipError as exc:
            messages.error(request, str(exc))
        return redirect("group_home", slug=slug)
    context = group_context(group, membership, "home") | {"form": form}
    return render(request, "groups/membership/join.html", context)


@require_http_methods(["GET", "POST"])
@sign_in_to_act
def group_leave(request: HttpRequest, slug: str) -> HttpResponse:
    group, membership = get_group_for_member(request, slug)
    if request.method == "POST":
        try:
            membership_leave(membership=membership)
        except MembershipError as exc:
            messages.error(request, str(exc))
            return redirect("group_members", slug=slug)
        messages.success(request, f"You have left {group.name}.")
        return redirect("group_mine")
    return render(
        request, "groups/membership/leave.html", group_context(group, membership, "members")
    )


def _join_link_context(request: HttpRequest, invitation: Invitation) -> dict[str, Any]:
    membership = (
        Membership.objects.filter(group=invitation.group, user=request.user).first()
        if request.user.is_authenticated
        else None
    )
    # Someone banned is told so on the page and offered no Join button (joining refuses them).
    banned = (
        membership is None
        and request.user.is_authenticated
        and is_banned(group=invitation.group, user=request.user)
    )
    return {
        "invitation": invitation,
        "group": invitation.group,
        "membership": membership,
        "problem": invitation_problem(invitation) or (BANNED_MESSAGE if banned else None),
    }


@require_http_methods(["GET", "POST"])
@sign_in_to_act
def group_join_link(request: HttpRequest, token: str) -> HttpResponse:
    """The invite link: anyone holding it may see which group it is for; signed-in people join."""
    invitation = get_object_or_404(Invitation.objects.select_related("group"), token=token)
    if request.method == "POST":
        user = require_signed_in(request)
        try:
            _, created = invitation_accept(invitation=invitation, user=user)
        except MembershipError as exc:
            invitation.refresh_from_db()
            context = _join_link_context(request, invitation) | {"error": str(exc)}
            return render(request, "groups/membership/join_link.html", context, status=410)
        if created:
            messages.success(request, f"Welcome to {invitation.group.name}!")
        else:
            messages.info(request, "You are already a member.")
        return redirect("group_home", slug=invitation.group.slug)
    context = _join_link_context(request, invitation)
    status = 410 if context["problem"] and context["membership"] is None else 200
    return render(request, "groups/membership/join_link.html", context, status=status)


# Members and organizer pages


@require_GET
def group_members(request: HttpRequest, slug: str) -> HttpResponse:
    group, membership = get_group_for_viewer(request, slug)
    members = list(group.memberships.select_related("user").order_by("joined_at", "pk"))
    pending = (
        group.join_requests.filter(status=JoinRequest.Status.PENDING).count()
        if membership is not None and membership.is_organizer
        else 0
    )
    weights = (
        fairness_weights(group)
        if group.fairness and membership is not None and membership.is_organizer
        else None
    )
    context = group_context(group, membership, "members") | {
        "members": members,
        # Organizers of a group weighing by fairness see each member's weight and streak.
        "rows": [
            (
                m,
                None
                if weights is None
                else (weights.of(m.user_id), weights.losses.get(m.user_id, 0)),
            )
            for m in members
        ],
        "fairness_rule": FAIRNESS_RULE if weights is not None else "",
        "roles": Membership.Role.choices,
        "pending": pending,
    }
    return render(request, "groups/membership/members.html", context)


@require_POST
@sign_in_to_act
def group_member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group, membership = get_group_for_organizer(request, slug)
    target = get_object_or_404(group.memberships.select_related("user"), pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role from the list.")
    else:
        try:
            membership_role_change(membership=target, role=form.cleaned_data["role"], by=membership)
        except MembershipError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{target.user.name}'s role is saved.")
    return redirect("group_members", slug=slug)


@require_http_methods(["GET", "POST"])
@sign_in_to_act
@vary_on_headers("HX-Request")
def group_member_remove(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Asks "Remove <name> from <group>?" (GET; htmx: the form alone, in the member's row), then
    removes (POST). The service's rules (owners by owners, never the last) hold on the POST."""
    group, membership = get_group_for_organizer(request, slug)
    target = get_object_or_404(group.memberships.select_related("user"), pk=pk)
    if request.method == "GET":
        context = group_context(group, membership, "members") | {"target": target}
        if request.htmx:
            return render(request, "groups/membership/remove.html#confirm", context)
        return render(request, "groups/membership/remove.html", context)
    try:
        membership_remove(membership=target, by=membership)
    except MembershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{target.user.name} is no longer a member.")
    return redirect("group_members", slug=slug)


@require_http_methods(["GET", "POST"])
@sign_in_to_act
def group_settings(request: HttpRequest, slug: str) -> HttpResponse:
    group, membership = get_group_for_organizer(request, slug)
    form = GroupForm(request.POST if request.method == "POST" else None, instance=group)
    if request.method == "POST" and form.is_valid():
        form.save()
        if form.cleaned_data["ballot_method"]:
            ballot_method_set(group=group, method=form.cleaned_data["ballot_method"])
        ballot_fairness_set(group=group, on=form.cleaned_data["fairness"])
        messages.success(request, "The group's settings are saved.")
        return redirect("group_settings", slug=slug)
    status = 400 if form.is_bound else 200
    context = group_context(group, membership, "settings") | {"form": form}
    return render(request, "groups/membership/settings.html", context, status=status)


def _invitations_page(
    request: HttpRequest,
    group: ReadingGroup,
    membership: Membership,
    *,
    link_form: InvitationForm | None = None,
    email_form: InviteEmailForm | None = None,
    status: int = 200,
) -> HttpResponse:
    invitations = [
        (invitation, invitation_url(invitation), invitation_problem(invitation))
        for invitation in group.invitations.select_related("created_by")[:50]
    ]
    context = group_context(group, membership, "invitations") | {
        "link_form": link_form or InvitationForm(),
        "email_form": email_form or InviteEmailForm(),
        "invitations": invitations,
    }
    return render(request, "groups/membership/invitations.html", context, status=status)


@require_http_methods(["GET", "POST"])
@sign_in_to_act
def group_invitations(request: HttpRequest, slug: str) -> HttpResponse:
    group, membership = get_group_for_organizer(request, slug)
    if request.method == "POST":
        assert isinstance(request.user, User)  # an organizer has signed in
        form = InvitationForm(request.POST)
        if not form.is_valid():
            return _invitations_page(request, group, membership, link_form=form, status=400)
        invitation_create(
            group=group,
            by=request.user,
            days=form.cleaned_data["days"],
            max_uses=form.cleaned_data["max_uses"],
        )
        messages.success(request, "A new invite link is ready: copy it from the list.")
        return redirect("group_invitations", slug=slug)
    return _invitations_page(request, group, membership)


@require_POST
@sign_in_to_act
@rate_limit("invite_email")
def group_invite_email(request: HttpRequest, slug: str) -> HttpResponse:
    group, membership = get_group_for_organizer(request, slug)
    form = InviteEmailForm(request.POST)
    if not form.is_valid():
        return _invitations_page(request, group, membership, email_form=form, status=400)
    assert isinstance(request.user, User)  # an organizer has signed in
    invitation_email_send(group=group, by=request.user, email=form.cleaned_data["email"])
    messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
    return redirect("group_invitations", slug=slug)


@require_POST
@sign_in_to_act
def group_invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group, _membership = get_group_for_organizer(request, slug)
    invitation = get_object_or_404(Invitation, group=group, pk=pk)
    invitation_revoke(invitation=invitation)
    messages.success(request, "The link no longer works.")
    return redirect("group_invitations", slug=slug)


@require_GET
@sign_in_to_act
def group_requests(request: HttpRequest, slug: str) -> HttpResponse:
    group, membership = get_group_for_organizer(request, slug)
    pending = group.join_requests.filter(status=JoinRequest.Status.PENDING).select_related("user")
    context = group_context(group, membership, "requests") | {"pending": pending}
    return render(request, "groups/membership/requests.html", context)


def _decide(request: HttpRequest, slug: str, pk: int, *, approve: bool) -> HttpResponse:
    group, _membership = get_group_for_organizer(request, slug)
    assert isinstance(request.user, User)  # an organizer has signed in
    join_request = get_object_or_404(JoinRequest.objects.select_related("user"), group=group, pk=pk)
    try:
        join_request_decide(join_request=join_request, by=request.user, approve=approve)
    except MembershipError as exc:
        messages.error(request, str(exc))
    else:
        verb = "is now a member" if approve else "was declined"
        messages.success(request, f"{join_request.user.name} {verb}.")
    return redirect("group_requests", slug=slug)


@require_POST
@sign_in_to_act
def group_request_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _decide(request, slug, pk, approve=True)


@require_POST
@sign_in_to_act
def group_request_decline(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _decide(request, slug, pk, approve=False)
