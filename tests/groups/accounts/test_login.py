import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_it_logs_in_by_email(client: Client) -> None:
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/accounts/profile/").context["user"] == user


def test_it_shows_a_clear_error_for_a_wrong_password(client: Client) -> None:
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": "nope-nope-1"})
    assert response.status_code == 200
    assert b"The email address and/or password you specified are not correct." in response.content


def test_it_rate_limits_repeated_wrong_passwords_with_a_clear_page(client: Client) -> None:
    user = UserFactory()
    responses = [
        client.post("/accounts/login/", {"login": user.email, "password": f"wrong-{i}"})
        for i in range(8)
    ]
    assert [r.status_code for r in responses] == [200] * 8  # never a 500
    assert b"Too many failed login attempts" not in responses[0].content
    assert b"Too many failed login attempts" in responses[-1].content
    # Even the right password is refused until the limit has passed.
    locked = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert b"Too many failed login attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_it_answers_a_flood_of_logins_with_the_429_page(client: Client) -> None:
    statuses = [
        client.post("/accounts/login/", {"login": f"n{i}@example.org", "password": "x"}).status_code
        for i in range(35)
    ]
    assert 500 not in statuses
    assert statuses[-1] == 429
    page = client.post("/accounts/login/", {"login": "n@example.org", "password": "x"})
    assert b"Too many attempts" in page.content
    assert b'class="brand"' in page.content


def test_it_logs_out_with_a_post(user_client: Client) -> None:
    assert user_client.get("/accounts/logout/").status_code == 200  # a confirmation page
    assert user_client.post("/accounts/logout/").status_code == 302
    assert user_client.get("/accounts/profile/").status_code == 302


def test_it_requires_a_verified_email_when_verification_is_mandatory(
    client: Client, settings
) -> None:
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    user = UserFactory(verified=False)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/accounts/profile/").status_code == 302
