"""Removing a member asks first: GET on the remove URL is a "Remove <name> from <group>?" page
(its form alone, in the member's row, with htmx); the POST removes as before."""

import pytest
from django.urls import reverse

from groups.models import Membership, ModerationLog
from tests.people import Cast

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _target(cast: Cast) -> Membership:
    return Membership.objects.get(group=cast.group, user=cast.member)


def _remove_url(cast: Cast, target: Membership) -> str:
    return reverse("group_member_remove", args=[cast.group.slug, target.pk])


def test_it_asks_the_organizer_before_removing(cast: Cast) -> None:
    target = _target(cast)
    response = cast.client("organizer").get(_remove_url(cast, target))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Remove {cast.member.name} from {cast.group.name}?" in page
    assert f'method="post" action="{_remove_url(cast, target)}"' in page
    assert ">Remove</button>" in page
    assert f'href="{reverse("group_members", args=[cast.group.slug])}"' in page  # Cancel
    assert Membership.objects.filter(pk=target.pk).exists()
    assert not ModerationLog.objects.exists()


def test_it_answers_htmx_with_the_prompt_alone(cast: Cast) -> None:
    target = _target(cast)
    response = cast.client("organizer").get(_remove_url(cast, target), headers=HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith(f'<form id="remove-form-{target.pk}"')
    assert "<html" not in body and f"Remove {cast.member.name} from" in body
    assert "HX-Request" in response["Vary"]
    assert Membership.objects.filter(pk=target.pk).exists()


def test_it_removes_from_the_prompt(cast: Cast) -> None:
    target = _target(cast)
    response = cast.client("organizer").post(_remove_url(cast, target))
    assert response.status_code == 302
    assert response["Location"] == reverse("group_members", args=[cast.group.slug])
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_it_links_each_remove_button_to_its_prompt(cast: Cast) -> None:
    target = _target(cast)
    page = cast.client("organizer").get(reverse("group_members", args=[cast.group.slug]))
    html = page.content.decode()
    url = _remove_url(cast, target)
    assert f'href="{url}" hx-get="{url}" hx-target="#member-{target.pk}-confirm"' in html
    assert f'id="member-{target.pk}-confirm"' in html
    # No one-click remove is left: the remove URL is only a link.
    assert f'action="{url}"' not in html


def test_it_shows_members_no_prompt(cast: Cast) -> None:
    target = Membership.objects.get(group=cast.group, user=cast.organizer)
    assert cast.client("member").get(_remove_url(cast, target)).status_code == 403
    page = cast.client("member").get(reverse("group_members", args=[cast.group.slug]))
    assert "/remove/" not in page.content.decode()
