import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_it_sends_the_admin_login_through_allauth(client: Client) -> None:
    response = client.get("/admin/", follow=True)
    final_url = response.redirect_chain[-1][0]
    assert final_url.startswith("/accounts/login/?next=")
    assert "%2Fadmin%2F" in final_url
    assert b'name="login"' in response.content  # allauth's form, not the admin's


def test_it_lets_staff_in_and_keeps_others_out(client: Client) -> None:
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert client.get("/admin/").status_code == 200

    member = Client()
    member.force_login(UserFactory())
    assert member.get("/admin/").status_code in {302, 403}
    assert b"Site administration" not in member.get("/admin/", follow=True).content
