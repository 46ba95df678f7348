import pytest
from django.test import Client

from groups.membership.services import MembershipError, membership_leave, membership_role_change
from groups.models import Activity, JoinRequest, Membership, ReadingGroup
from tests.factories import JoinRequestFactory, MembershipFactory, UserFactory
from tests.people import Cast, make_cast

pytestmark = pytest.mark.django_db


def _membership(cast: Cast, who: str) -> Membership:
    return Membership.objects.get(group=cast.group, user=getattr(cast, who))


def test_it_keeps_the_last_owner_from_leaving(cast: Cast) -> None:
    response = cast.client("owner").post(f"/g/{cast.group.slug}/leave/", follow=True)
    assert "A group needs at least one owner" in response.content.decode()
    assert _membership(cast, "owner").role == Membership.Role.OWNER


def test_it_lets_an_owner_leave_once_another_owner_exists(cast: Cast) -> None:
    membership_role_change(
        membership=_membership(cast, "organizer"),
        role=Membership.Role.OWNER,
        by=_membership(cast, "owner"),
    )
    response = cast.client("owner").post(f"/g/{cast.group.slug}/leave/")
    assert response.status_code == 302
    assert response["Location"] == "/groups/mine/"
    assert not Membership.objects.filter(group=cast.group, user=cast.owner).exists()


def test_it_keeps_the_last_owner_from_being_demoted_even_by_themselves(cast: Cast) -> None:
    owner = _membership(cast, "owner")
    with pytest.raises(MembershipError, match="at least one owner"):
        membership_role_change(membership=owner, role=Membership.Role.MEMBER, by=owner)
    response = cast.client("owner").post(
        f"/g/{cast.group.slug}/members/{owner.pk}/role/", {"role": "member"}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == Membership.Role.OWNER


def test_it_keeps_organizers_from_touching_owners(cast: Cast) -> None:
    owner = _membership(cast, "owner")
    client = cast.client("organizer")
    response = client.post(f"/g/{cast.group.slug}/members/{owner.pk}/remove/", follow=True)
    assert "Only an owner can change or remove another owner." in response.content.decode()
    member = _membership(cast, "member")
    response = client.post(
        f"/g/{cast.group.slug}/members/{member.pk}/role/", {"role": "owner"}, follow=True
    )
    assert "Only an owner can make someone an owner." in response.content.decode()
    assert Membership.objects.filter(group=cast.group, role="owner").count() == 1


def test_it_lets_organizers_change_roles_and_remove_members(cast: Cast) -> None:
    member = _membership(cast, "member")
    client = cast.client("organizer")
    client.post(f"/g/{cast.group.slug}/members/{member.pk}/role/", {"role": "organizer"})
    member.refresh_from_db()
    assert member.role == Membership.Role.ORGANIZER
    client.post(f"/g/{cast.group.slug}/members/{member.pk}/remove/")
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert Activity.objects.filter(group=cast.group, kind="removed").exists()


def test_it_rejects_an_unknown_role(cast: Cast) -> None:
    member = _membership(cast, "member")
    response = cast.client("owner").post(
        f"/g/{cast.group.slug}/members/{member.pk}/role/", {"role": "emperor"}, follow=True
    )
    assert "Choose a role from the list." in response.content.decode()
    member.refresh_from_db()
    assert member.role == Membership.Role.MEMBER


def test_it_shows_members_with_roles_and_management_only_to_organizers(cast: Cast) -> None:
    page = cast.client("organizer").get(f"/g/{cast.group.slug}/members/").content.decode()
    assert cast.member.name in page and "Owner" in page and "Save role" in page
    page = cast.client("member").get(f"/g/{cast.group.slug}/members/").content.decode()
    assert cast.owner.name in page and "Save role" not in page


def test_it_joins_an_open_group_once(cast: Cast) -> None:
    client = cast.client("outsider")
    for _ in range(2):
        response = client.post(f"/g/{cast.group.slug}/join/")
        assert response.status_code == 302
    assert Membership.objects.filter(group=cast.group, user=cast.outsider).count() == 1
    assert "joined" in client.get(f"/g/{cast.group.slug}/").content.decode()


def test_it_refuses_to_join_an_invitation_only_group_directly() -> None:
    cast = make_cast(join_policy=ReadingGroup.JoinPolicy.INVITE)
    response = cast.client("outsider").post(f"/g/{cast.group.slug}/join/", follow=True)
    assert "by request or invitation only" in response.content.decode()
    assert not Membership.objects.filter(user=cast.outsider).exists()


def test_it_takes_join_requests_and_lets_organizers_approve_or_decline() -> None:
    cast = make_cast(join_policy=ReadingGroup.JoinPolicy.REQUEST)
    client = cast.client("outsider")
    client.post(f"/g/{cast.group.slug}/join/", {"message": "I read a lot of RL papers."})
    client.post(f"/g/{cast.group.slug}/join/", {"message": "again"})
    join_request = JoinRequest.objects.get(group=cast.group, user=cast.outsider)
    assert join_request.message == "I read a lot of RL papers."
    assert "Request pending" in client.get(f"/g/{cast.group.slug}/").content.decode()

    page = cast.client("organizer").get(f"/g/{cast.group.slug}/requests/").content.decode()
    assert "I read a lot of RL papers." in page
    cast.client("organizer").post(f"/g/{cast.group.slug}/requests/{join_request.pk}/approve/")
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    assert join_request.decided_by == cast.organizer
    assert Membership.objects.filter(group=cast.group, user=cast.outsider).exists()

    response = cast.client("organizer").post(
        f"/g/{cast.group.slug}/requests/{join_request.pk}/decline/", follow=True
    )
    assert "This request was already decided." in response.content.decode()

    other = JoinRequestFactory(group=cast.group, user=UserFactory())
    cast.client("owner").post(f"/g/{cast.group.slug}/requests/{other.pk}/decline/")
    other.refresh_from_db()
    assert other.status == JoinRequest.Status.DECLINED
    assert not Membership.objects.filter(group=cast.group, user=other.user).exists()


def test_it_records_leaving_in_the_activity(cast: Cast) -> None:
    membership_leave(membership=_membership(cast, "member"))
    assert Activity.objects.filter(group=cast.group, kind="left", actor=cast.member).exists()


def test_it_sends_anonymous_visitors_to_sign_in_to_join(cast: Cast) -> None:
    response = Client().post(f"/g/{cast.group.slug}/join/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/g/")


def test_it_keeps_one_membership_per_person_in_the_database(cast: Cast) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(group=cast.group, user=cast.member)


def test_it_shows_each_members_handle_beside_their_display_name(cast: Cast) -> None:
    """The ban form and @mentions ask for a handle: the members page is where it is found."""
    page = cast.client("member").get(f"/g/{cast.group.slug}/members/").content.decode()
    row = page.split(f'id="member-{cast.organizer.username}"', 1)[1].split("</li>", 1)[0]
    assert cast.organizer.display_name in row
    assert f"@{cast.organizer.username}" in row
