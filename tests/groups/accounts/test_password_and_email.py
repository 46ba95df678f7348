import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from groups.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
NEW = "Another-fine-passphrase-77"


def test_it_changes_the_password(user_client: Client, user: User) -> None:
    response = user_client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW, "password2": NEW},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_it_resets_a_forgotten_password_by_email(client: Client) -> None:
    user = UserFactory()
    assert client.post("/accounts/password/reset/", {"email": user.email}).status_code == 302
    link = re.search(r"https?://\S+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    done = client.post(action, {"password1": NEW, "password2": NEW})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_it_does_not_reveal_unknown_emails_on_reset(client: Client) -> None:
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302


def test_it_adds_an_email_address_and_asks_to_verify_it(user_client: Client, user: User) -> None:
    response = user_client.post(
        "/accounts/email/", {"action_add": "", "email": "second@example.org"}
    )
    assert response.status_code == 302
    assert EmailAddress.objects.filter(
        user=user, email="second@example.org", verified=False
    ).exists()
    assert mail.outbox[-1].to == ["second@example.org"]
