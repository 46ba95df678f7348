import pytest
from django.test import Client

from groups.models import User

pytestmark = pytest.mark.django_db


def test_it_needs_sign_in(client: Client) -> None:
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_saves_display_name_and_time_zone(user_client: Client, user: User) -> None:
    response = user_client.post(
        "/accounts/profile/", {"display_name": "Ada L.", "time_zone": "Europe/Berlin"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("Ada L.", "Europe/Berlin")
    page = user_client.get("/accounts/profile/")
    assert b"Ada L." in page.content


def test_it_rejects_an_unknown_time_zone(user_client: Client, user: User) -> None:
    response = user_client.post(
        "/accounts/profile/", {"display_name": "", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    user.refresh_from_db()
    assert user.time_zone == "UTC"


def test_it_shows_times_in_the_users_zone(user_client: Client, user: User) -> None:
    user.time_zone = "Asia/Tokyo"
    user.save(update_fields=["time_zone"])
    response = user_client.get("/accounts/profile/")
    assert response.context["TIME_ZONE"] == "Asia/Tokyo"


def test_it_rejects_a_post_without_csrf(user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/accounts/profile/", {"display_name": "X", "time_zone": "UTC"})
    assert response.status_code == 403


def test_it_titles_the_page_profile_then_the_product(user_client: Client) -> None:
    page = user_client.get("/accounts/profile/").content.decode()
    assert "<title>Profile · Paper Club</title>" in page


def test_it_shows_the_persons_own_handle(user_client: Client, user: User) -> None:
    user.display_name = "Ada L."
    user.save(update_fields=["display_name"])
    page = user_client.get("/accounts/profile/").content.decode()
    assert f"@{user.username}" in page
