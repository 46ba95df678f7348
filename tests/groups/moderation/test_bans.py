"""A banned person cannot come back: open join, invite links, email invites, join requests."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from groups.membership.services import (
    BANNED_MESSAGE,
    MembershipError,
    invitation_accept,
    invitation_email_send,
    join_request_create,
    join_request_decide,
    membership_join,
)
from groups.models import GroupBan, JoinRequest, Membership, ReadingGroup
from groups.moderation.services import group_ban, group_unban
from tests.factories import InvitationFactory, UserFactory
from tests.people import client_for


def test_it_ends_the_membership_and_declines_a_pending_request(cast) -> None:
    stranger = UserFactory()
    cast.group.join_policy = ReadingGroup.JoinPolicy.REQUEST
    cast.group.save()
    join_request_create(group=cast.group, user=stranger)
    assert group_ban(group=cast.group, user=cast.other_member, by=cast.organizer, reason="x")
    assert group_ban(group=cast.group, user=stranger, by=cast.organizer)
    assert not Membership.objects.filter(group=cast.group, user=cast.other_member).exists()
    assert JoinRequest.objects.get(user=stranger).status == "declined"


def test_it_refuses_every_way_back_in(cast) -> None:
    group_ban(group=cast.group, user=cast.other_member, by=cast.organizer)
    cast.group.join_policy = ReadingGroup.JoinPolicy.OPEN
    cast.group.save()
    with pytest.raises(MembershipError, match="banned"):
        membership_join(group=cast.group, user=cast.other_member)
    link = InvitationFactory(group=cast.group)
    with pytest.raises(MembershipError, match="banned"):
        invitation_accept(invitation=link, user=cast.other_member)
    link.refresh_from_db()
    assert link.use_count == 0
    emailed = invitation_email_send(
        group=cast.group, by=cast.organizer, email=cast.other_member.email
    )
    with pytest.raises(MembershipError, match="banned"):
        invitation_accept(invitation=emailed, user=cast.other_member)
    cast.group.join_policy = ReadingGroup.JoinPolicy.REQUEST
    cast.group.save()
    with pytest.raises(MembershipError, match="banned"):
        join_request_create(group=cast.group, user=cast.other_member)
    assert not Membership.objects.filter(group=cast.group, user=cast.other_member).exists()


def test_it_refuses_approving_a_request_made_before_the_ban(cast) -> None:
    cast.group.join_policy = ReadingGroup.JoinPolicy.REQUEST
    cast.group.save()
    stranger = UserFactory()
    request = join_request_create(group=cast.group, user=stranger)
    # A ban written around the service (as a racing request could) still stops the approval.
    GroupBan.objects.create(group=cast.group, user=stranger, banned_by=cast.organizer)
    with pytest.raises(MembershipError, match="banned"):
        join_request_decide(join_request=request, by=cast.organizer, approve=True)
    assert not Membership.objects.filter(group=cast.group, user=stranger).exists()


def test_it_lets_them_back_after_an_unban(cast) -> None:
    group_ban(group=cast.group, user=cast.other_member, by=cast.organizer)
    group_unban(group=cast.group, user=cast.other_member, by=cast.organizer)
    cast.group.join_policy = ReadingGroup.JoinPolicy.OPEN
    cast.group.save()
    _membership, created = membership_join(group=cast.group, user=cast.other_member)
    assert created


def test_it_holds_one_ban_per_group_and_user_in_the_database(cast) -> None:
    from django.db import IntegrityError, transaction

    GroupBan.objects.create(group=cast.group, user=cast.other_member)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupBan.objects.create(group=cast.group, user=cast.other_member)


def test_it_refuses_banning_oneself_or_an_owner_as_an_organizer(cast) -> None:
    with pytest.raises(ValidationError, match="yourself"):
        group_ban(group=cast.group, user=cast.organizer, by=cast.organizer)
    with pytest.raises(ValidationError, match="owner"):
        group_ban(group=cast.group, user=cast.owner, by=cast.organizer)
    assert not GroupBan.objects.exists()


def test_it_shows_the_banned_person_why_the_join_button_fails(cast) -> None:
    cast.group.visibility = ReadingGroup.Visibility.PUBLIC
    cast.group.join_policy = ReadingGroup.JoinPolicy.OPEN
    cast.group.save()
    client_for(cast.organizer).post(
        reverse("group_ban", args=[cast.group.slug]), {"username": "bob", "reason": "spam"}
    )
    response = client_for(cast.other_member).post(
        reverse("group_join", args=[cast.group.slug]), follow=True
    )
    assert BANNED_MESSAGE in response.content.decode()
    assert not Membership.objects.filter(group=cast.group, user=cast.other_member).exists()
    link = InvitationFactory(group=cast.group)
    response = client_for(cast.other_member).post(reverse("group_join_link", args=[link.token]))
    assert response.status_code == 410
    assert "banned" in response.content.decode()


def test_it_bans_from_the_members_page_and_lists_the_ban(cast) -> None:
    client = client_for(cast.organizer)
    response = client.post(
        reverse("group_ban", args=[cast.group.slug]),
        {"username": "@Bob", "next": "members", "reason": "spam"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("group_members", args=[cast.group.slug])
    page = client.get(reverse("group_moderation", args=[cast.group.slug])).content.decode()
    assert "Lift ban" in page and "@bob" in page


def test_it_answers_an_unknown_handle_with_the_form(cast) -> None:
    response = client_for(cast.organizer).post(
        reverse("group_ban", args=[cast.group.slug]), {"username": "nobody"}
    )
    assert response.status_code == 400
    assert "Nobody has that handle." in response.content.decode()


def test_it_offers_no_join_button_on_an_invite_page_to_someone_banned(cast) -> None:
    group_ban(group=cast.group, user=cast.other_member, by=cast.organizer)
    link = InvitationFactory(group=cast.group)
    url = reverse("group_join_link", args=[link.token])
    client = client_for(cast.other_member)
    for response in (client.get(url), client.post(url)):
        page = response.content.decode()
        assert BANNED_MESSAGE in page
        assert f'action="{url}"' not in page and "Join " not in page
    assert not Membership.objects.filter(group=cast.group, user=cast.other_member).exists()
