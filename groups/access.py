"""The one place that decides who may see and do what in a group.

Rules: a private group does not exist for outsiders (404, anonymous visitors included); a public
group is readable by anyone; member actions need a membership (403 for a signed-in outsider of a
public group); organizer actions need the owner or organizer role. Staff are outsiders here:
site-wide moderation happens in the admin. An anonymous visitor who may see the group but must
sign in to act is sent to sign in (`sign_in_to_act`), on every group page alike.

Views call one `get_group_for_*` lookup; services call the `require_*` rules for their actor.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, overload

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from groups.models import (
    DiscussionSession,
    Membership,
    Nomination,
    Note,
    PollSlot,
    Question,
    ReadingGroup,
    TimePoll,
    User,
)
from papers.models import Paper

View = Callable[..., HttpResponse]
Subject = Nomination | DiscussionSession


def membership_for(user: User | AnonymousUser, group: ReadingGroup) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(group=group, user=user).first()


def get_group_for_viewer(request: HttpRequest, slug: str) -> tuple[ReadingGroup, Membership | None]:
    """The group and the viewer's membership (or None); 404 unless public or a member.

    A member's membership and group are read in one query (every group page starts here); an
    outsider's group takes a second one.
    """
    if request.user.is_authenticated:
        membership = (
            Membership.objects.select_related("group")
            .filter(group__slug=slug, user=request.user)
            .first()
        )
        if membership is not None:
            return membership.group, membership
    group = get_object_or_404(ReadingGroup, slug=slug)
    if not group.is_public:
        raise Http404("No such group.")
    return group, None


def get_group_for_member(request: HttpRequest, slug: str) -> tuple[ReadingGroup, Membership]:
    """For member actions: 404 for outsiders of a private group, 403 for those of a public one."""
    group, membership = get_group_for_viewer(request, slug)
    if membership is None:
        raise PermissionDenied("Only members can do this.")
    return group, membership


def get_group_for_organizer(request: HttpRequest, slug: str) -> tuple[ReadingGroup, Membership]:
    """For organizer actions: as for members, and 403 unless owner or organizer."""
    group, membership = get_group_for_member(request, slug)
    if not membership.is_organizer:
        raise PermissionDenied("Only the group's organizers can do this.")
    return group, membership


def get_group_for_participant(request: HttpRequest, slug: str) -> tuple[ReadingGroup, Membership]:
    """For the members' own business (time polls): 404 for everyone else, even in a public
    group, where the rest of the group's pages are open to read."""
    group, membership = get_group_for_viewer(request, slug)
    if membership is None:
        raise Http404("No such page.")
    return group, membership


# One object of a group, for the views: 404 if it is another group's or absent.


def get_poll_or_404(group: ReadingGroup, pk: int) -> TimePoll:
    return get_object_or_404(TimePoll, group=group, pk=pk)


def get_poll_slot_or_404(poll: TimePoll, pk: int) -> PollSlot:
    return get_object_or_404(PollSlot, poll=poll, pk=pk)


def get_subject_or_404(group: ReadingGroup, kind: str, subject_id: int) -> Subject:
    """The group's nomination or session with that id (and its paper), or 404."""
    if kind == "nominations":
        return get_object_or_404(
            Nomination.objects.select_related("paper", "thread_lock"), pk=subject_id, group=group
        )
    if kind == "sessions":
        return get_object_or_404(
            DiscussionSession.objects.select_related("paper", "thread_lock"),
            pk=subject_id,
            group=group,
        )
    raise Http404("No such subject.")


def get_note_or_404(group: ReadingGroup, note_id: int) -> Note:
    """A note of this group, with its author and subject loaded, or 404."""
    return get_object_or_404(
        Note.objects.select_related(
            "author",
            "nomination__paper",
            "nomination__group",
            "nomination__thread_lock",
            "session__paper",
            "session__group",
            "session__thread_lock",
        ),
        pk=note_id,
        group=group,
    )


def get_question_or_404(group: ReadingGroup, pk: int) -> Question:
    """One question of a session of the group, with its session; 404 if another group's."""
    return get_object_or_404(
        Question.objects.select_related("session__group"), session__group=group, pk=pk
    )


def get_session_or_404(group: ReadingGroup, pk: int) -> DiscussionSession:
    """One session of the group, for actions; 404 if it is another group's or absent."""
    return get_object_or_404(
        DiscussionSession.objects.select_related("group", "paper", "presenter"), group=group, pk=pk
    )


def require_signed_in(request: HttpRequest) -> User:
    """The signed-in person, for pages anyone who may see the group may use once signed in
    (joining it); PermissionDenied (a sign-in page under `sign_in_to_act`) for anonymous visitors."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in to do this.")
    return user


@overload
def sign_in_to_act[**P](view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]: ...
@overload
def sign_in_to_act(view: None = None, *, return_here: bool = False) -> Callable[[View], View]: ...
def sign_in_to_act(view: View | None = None, *, return_here: bool = False) -> Any:
    """Anonymous visitors are sent to sign in where a signed-in outsider would get a 403.

    Private groups have already answered 404 inside the view (the access lookups run first), so
    a sign-in page never tells an anonymous visitor that a private group exists. After signing in
    a GET returns to the page itself; a POST to the group's home (its form is gone), unless the
    page is itself the form (`@sign_in_to_act(return_here=True)`, as joining).
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied:
                if request.user.is_authenticated:
                    raise
                slug = kwargs.get("slug")
                if request.method == "GET" or not slug:
                    back = request.get_full_path()
                elif return_here:
                    back = request.path
                else:
                    back = reverse("group_home", args=[slug])
                return redirect_to_login(back)

        return wrapper

    return decorate(view) if view is not None else decorate


# Moderation: organizers moderate their own group; site moderators moderate every group.

MODERATORS_GROUP = "Moderators"


def is_site_moderator(user: User | AnonymousUser) -> bool:
    """Staff in the Moderators group, or a superuser: they moderate every group."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.has_perm("groups.change_flaggednote")


def may_moderate(user: User | AnonymousUser, group: ReadingGroup) -> bool:
    """Whether `user` may moderate this group: its organizers and the site's moderators."""
    if is_site_moderator(user):
        return True
    membership = membership_for(user, group)
    return membership is not None and membership.is_organizer


def require_group_moderator(user: User | AnonymousUser, group: ReadingGroup) -> None:
    if not may_moderate(user, group):
        raise PermissionDenied("Only this group's organizers and site moderators can do this.")


def require_site_moderator(user: User | AnonymousUser) -> None:
    if not is_site_moderator(user):
        raise PermissionDenied("Only site moderators can do this.")


class NominatedPaperBackend:
    """An authentication backend that authenticates nobody and grants one object permission:
    `papers.view_paper` on a paper to members of a group that nominated it, so a hidden paper's
    page stays for the groups that read it (papers asks `user.has_perm(..., paper)`)."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def has_perm(self, user_obj: User | AnonymousUser, perm: str, obj: object = None) -> bool:
        if perm != "papers.view_paper" or not isinstance(obj, Paper):
            return False
        if not (user_obj.is_authenticated and user_obj.is_active):
            return False
        return Nomination.objects.filter(paper=obj, group__memberships__user=user_obj).exists()
