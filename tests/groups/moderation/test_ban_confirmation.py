"""Banning from the members page asks first, and asks why: GET ?username=<handle> on the ban URL
is a "Ban <name>? Reason: [...] [Ban]" page (its form alone, in the member's row, with htmx).
A ban without a reason is refused with the form's error, from the prompt and from the moderation
page, and changes nothing."""

from django.urls import reverse

from groups.models import GroupBan, Membership, ModerationLog
from tests.people import client_for

HTMX = {"HX-Request": "true"}


def _ban_url(cast) -> str:
    return reverse("group_ban", args=[cast.group.slug])


def _members_url(cast) -> str:
    return reverse("group_members", args=[cast.group.slug])


def _unchanged(cast) -> bool:
    member = Membership.objects.filter(group=cast.group, user=cast.other_member).exists()
    return member and not GroupBan.objects.exists() and not ModerationLog.objects.exists()


def test_it_asks_the_organizer_before_banning(cast) -> None:
    response = client_for(cast.organizer).get(f"{_ban_url(cast)}?username=bob")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Ban {cast.other_member.name}?" in page
    assert f'method="post" action="{_ban_url(cast)}"' in page
    assert '<input type="hidden" name="username" value="bob">' in page
    assert '<input type="hidden" name="next" value="members">' in page
    assert 'name="reason"' in page and "required" in page.split('name="reason"')[1][:200]
    assert ">Ban</button>" in page
    assert f'href="{_members_url(cast)}"' in page  # Cancel
    assert _unchanged(cast)


def test_it_answers_htmx_with_the_prompt_alone(cast) -> None:
    response = client_for(cast.organizer).get(f"{_ban_url(cast)}?username=@Bob", headers=HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith(f'<form id="ban-form-{cast.other_member.pk}"')
    assert "<html" not in body and f"Ban {cast.other_member.name}?" in body
    assert "HX-Request" in response["Vary"]
    assert _unchanged(cast)


def test_it_has_no_prompt_for_an_unknown_handle(cast) -> None:
    client = client_for(cast.organizer)
    assert client.get(f"{_ban_url(cast)}?username=nobody").status_code == 404
    assert client.get(_ban_url(cast)).status_code == 404


def test_it_bans_from_the_prompt_with_the_reason(cast) -> None:
    response = client_for(cast.organizer).post(
        _ban_url(cast), {"username": "bob", "next": "members", "reason": "Spam links"}
    )
    assert response.status_code == 302 and response["Location"] == _members_url(cast)
    assert GroupBan.objects.get().reason == "Spam links"
    assert ModerationLog.objects.get().reason == "Spam links"
    assert not Membership.objects.filter(group=cast.group, user=cast.other_member).exists()


def test_it_refuses_a_ban_without_a_reason_in_the_prompt(cast) -> None:
    response = client_for(cast.organizer).post(
        _ban_url(cast), {"username": "bob", "next": "members", "reason": "  "}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f"Ban {cast.other_member.name}?" in page
    assert "Say why you ban them." in page
    assert _unchanged(cast)


def test_it_refuses_a_ban_without_a_reason_on_the_moderation_page(cast) -> None:
    response = client_for(cast.organizer).post(_ban_url(cast), {"username": "bob"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Say why you ban them." in page and 'class="ban-form"' in page
    assert _unchanged(cast)


def test_it_links_each_ban_button_to_its_prompt(cast) -> None:
    page = client_for(cast.organizer).get(_members_url(cast)).content.decode()
    target = Membership.objects.get(group=cast.group, user=cast.other_member)
    url = f"{_ban_url(cast)}?username=bob"
    assert f'href="{url}" hx-get="{url}" hx-target="#member-{target.pk}-confirm"' in page
    # No one-click ban is left on the members page.
    assert f'action="{_ban_url(cast)}"' not in page
