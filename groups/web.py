"""What every area's views share: the frame of a group's pages and the safe way back."""

from typing import Any

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from groups.models import Membership, ReadingGroup, User
from papers.web import HtmxHttpRequest


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request whose user has signed in (annotations only): one that passed `@login_required`,
    or a `@sign_in_to_act` view whose first step is a `get_group_for_member/organizer` lookup,
    which refuses anonymous visitors before anything reads `request.user`."""

    user: User


def group_context(group: ReadingGroup, membership: Membership | None, tab: str) -> dict[str, Any]:
    """What `groups/group_base.html` needs: the group, the viewer's membership, the open tab."""
    return {"group": group, "membership": membership, "tab": tab}


def safe_next(request: HttpRequest, default: str) -> str:
    """Where a plain form POST returns to: its `next` field when it is one of our pages."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
