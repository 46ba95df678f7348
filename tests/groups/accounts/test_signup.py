import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client, override_settings

from groups.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-Long-new-passphrase-42"


def _signup(client: Client, email: str, **extra: str):
    data = {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **extra}
    return client.post("/accounts/signup/", data)


def test_it_signs_up_with_email_and_sends_a_verification_link(client: Client) -> None:
    response = _signup(client, "ada@example.org")
    assert response.status_code == 302
    user = User.objects.get(email="ada@example.org")
    assert user.username  # a handle is generated: nobody has to pick one
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body)
    assert link is not None

    assert response["Location"] == "/accounts/confirm-email/"  # "check your inbox"
    assert client.get("/accounts/profile/").status_code == 302  # not signed in before verifying

    page = client.get(link.group(0))
    assert page.status_code == 200
    confirm = client.post(link.group(0))
    assert confirm.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True
    assert client.get("/accounts/profile/").status_code == 200  # verifying signs you in


@override_settings(SITE_URL="https://paperclub.example")
def test_it_greets_with_the_product_name_and_its_address(client: Client) -> None:
    """Not the request's host ("Hello from testserver!"): allauth names the Site."""
    _signup(client, "ada@example.org")
    (message,) = mail.outbox
    assert message.subject.startswith("[Paper Club] ")
    assert message.body.startswith("Hello from Paper Club!")
    assert message.body.rstrip().endswith(
        "Thank you for using Paper Club!\nhttps://paperclub.example"
    )
    assert "testserver!" not in message.body


def test_it_does_not_reveal_that_an_email_is_taken(client: Client) -> None:
    UserFactory(email="taken@example.org")
    fresh = _signup(Client(), "fresh@example.org")
    taken = _signup(client, "taken@example.org")
    # Same answer as for a new address; the owner is told by email instead.
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert User.objects.filter(email="taken@example.org").count() == 1
    assert any("taken@example.org" in m.to for m in mail.outbox)


def test_it_shows_the_error_of_a_missing_field(client: Client) -> None:
    response = client.post(
        "/accounts/signup/", {"email": "x@example.org", "password1": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert b"This field is required." in response.content
    assert not User.objects.filter(email="x@example.org").exists()


def test_it_renders_the_signup_page_in_our_layout(client: Client) -> None:
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="brand"' in html
    assert "/static/css/app.css" in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert 'name="username"' not in html


# The browser's time zone: a hidden field that static/js/time_zone.js fills in.


def test_it_saves_the_zone_the_browser_posted(client: Client) -> None:
    response = _signup(client, "ada@example.org", time_zone="Europe/Berlin")
    assert response.status_code == 302
    assert User.objects.get(email="ada@example.org").time_zone == "Europe/Berlin"


@pytest.mark.parametrize("posted", ["Mars/Olympus", "", "../../etc/passwd", "x" * 300])
def test_it_leaves_utc_for_an_unknown_zone(client: Client, posted: str) -> None:
    response = _signup(client, "ada@example.org", time_zone=posted)
    assert response.status_code == 302  # a bad zone never blocks signing up
    assert User.objects.get(email="ada@example.org").time_zone == "UTC"


def test_it_leaves_utc_without_javascript(client: Client) -> None:
    _signup(client, "ada@example.org")
    assert User.objects.get(email="ada@example.org").time_zone == "UTC"


def test_it_renders_the_hidden_field_and_its_script(client: Client) -> None:
    html = client.get("/accounts/signup/").content.decode()
    assert '<input type="hidden" name="time_zone" value="UTC"' in html
    assert 'src="/static/js/time_zone.js"' in html
