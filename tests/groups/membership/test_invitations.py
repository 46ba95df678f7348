import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from groups.models import Invitation, Membership, ReadingGroup
from tests.factories import InvitationFactory, UserFactory
from tests.people import Cast, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def private(db) -> Cast:
    return make_cast(
        visibility=ReadingGroup.Visibility.PRIVATE, join_policy=ReadingGroup.JoinPolicy.INVITE
    )


def test_it_creates_an_invite_link_that_admits_a_signed_in_visitor(private: Cast) -> None:
    response = private.client("organizer").post(
        f"/g/{private.group.slug}/invitations/", {"days": "7", "max_uses": ""}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(group=private.group)
    assert len(invitation.token) >= 32
    assert timedelta(days=6) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    page = private.client("organizer").get(f"/g/{private.group.slug}/invitations/")
    assert f"/join/{invitation.token}/" in page.content.decode()

    guest = private.client("outsider")
    landing = guest.get(f"/join/{invitation.token}/")
    assert landing.status_code == 200
    assert f"Join {private.group.name}" in landing.content.decode()
    response = guest.post(f"/join/{invitation.token}/")
    assert response["Location"] == f"/g/{private.group.slug}/"
    assert Membership.objects.filter(group=private.group, user=private.outsider).exists()
    invitation.refresh_from_db()
    assert invitation.use_count == 1


def test_it_asks_anonymous_visitors_to_sign_in_first(private: Cast) -> None:
    invitation = InvitationFactory(group=private.group)
    landing = Client().get(f"/join/{invitation.token}/")
    assert "Sign in to join" in landing.content.decode()
    response = Client().post(f"/join/{invitation.token}/")
    assert response["Location"] == f"/accounts/login/?next=/join/{invitation.token}/"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "This invitation has expired."),
        ({"max_uses": 2, "use_count": 2}, "This invitation has been used up."),
        ({"revoked_at": timezone.now()}, "This invitation was withdrawn"),
    ],
)
def test_it_says_why_a_link_no_longer_works(private: Cast, fields: dict, message: str) -> None:
    invitation = InvitationFactory(group=private.group, **fields)
    guest = private.client("outsider")
    landing = guest.get(f"/join/{invitation.token}/")
    assert landing.status_code == 410
    assert message in landing.content.decode()
    response = guest.post(f"/join/{invitation.token}/")
    assert response.status_code == 410
    assert message in response.content.decode()
    assert not Membership.objects.filter(user=private.outsider).exists()
    invitation.refresh_from_db()
    assert invitation.use_count == fields.get("use_count", 0)


def test_it_counts_uses_and_stops_at_the_limit(private: Cast) -> None:
    invitation = InvitationFactory(group=private.group, max_uses=1)
    first, second = UserFactory(), UserFactory()
    for user in (first, second):
        client = Client()
        client.force_login(user)
        client.post(f"/join/{invitation.token}/")
    assert Membership.objects.filter(group=private.group, user=first).exists()
    assert not Membership.objects.filter(group=private.group, user=second).exists()


def test_it_does_not_spend_a_use_on_an_existing_member(private: Cast) -> None:
    invitation = InvitationFactory(group=private.group, max_uses=1)
    response = private.client("member").post(f"/join/{invitation.token}/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.use_count == 0


def test_it_404s_an_unknown_token() -> None:
    assert Client().get("/join/not-a-real-token/").status_code == 404


def test_it_revokes_a_link(private: Cast) -> None:
    invitation = InvitationFactory(group=private.group)
    private.client("organizer").post(f"/g/{private.group.slug}/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_it_emails_an_invitation_after_commit(
    private: Cast, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        private.client("owner").post(
            f"/g/{private.group.slug}/invitations/email/", {"email": "ada@example.org"}
        )
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert private.group.name in message.subject
    invitation = Invitation.objects.get(email="ada@example.org")
    assert invitation.max_uses == 1
    link = re.search(r"https?://\S+/join/(\S+)/", message.body)
    assert link is not None and link.group(1) == invitation.token


def test_it_rejects_a_bad_email_address_and_keeps_it(private: Cast) -> None:
    response = private.client("owner").post(
        f"/g/{private.group.slug}/invitations/email/", {"email": "not-an-address"}
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert 'value="not-an-address"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_rejects_a_bad_number_of_uses(private: Cast) -> None:
    response = private.client("owner").post(
        f"/g/{private.group.slug}/invitations/", {"days": "7", "max_uses": "0"}
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_it_keeps_use_counts_within_the_limit_in_the_database(private: Cast) -> None:
    from django.db import IntegrityError, transaction

    invitation = InvitationFactory(group=private.group, max_uses=1, use_count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(use_count=2)
