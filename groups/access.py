"""The one place that decides who may see and do what in a group.

Rules: a private group does not exist for outsiders (404, anonymous visitors included); a public
group is readable by anyone; member actions need a membership (403 for a signed-in outsider of a
public group); organizer actions need the owner or organizer role. Staff are outsiders here:
site-wide moderation happens in the admin.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from groups.models import Membership, ReadingGroup, User


def membership_for(user: User | AnonymousUser, group: ReadingGroup) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(group=group, user=user).first()


def get_group_for_viewer(request: HttpRequest, slug: str) -> tuple[ReadingGroup, Membership | None]:
    """The group and the viewer's membership (or None); 404 unless public or a member."""
    group = get_object_or_404(ReadingGroup, slug=slug)
    membership = membership_for(request.user, group)
    if membership is None and not group.is_public:
        raise Http404("No such group.")
    return group, membership


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
