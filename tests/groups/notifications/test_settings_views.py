import pytest
from django.test import Client

from groups.models import EmailPreferences, GroupEmailSettings
from tests.factories import MembershipFactory, ReadingGroupFactory
from tests.groups.notifications.conftest import DAY, list_papers
from tests.people import Cast

pytestmark = pytest.mark.django_db

SETTINGS = "/accounts/notifications/"
SUBSCRIBE = "/email/digest/subscribe/"


def group_data(group, **overrides) -> dict[str, str]:
    data = {"nominations": "on", "sessions": "on", "replies": "on", "mentions": "on"}
    data.update(overrides)
    data = {k: v for k, v in data.items() if v}
    data.setdefault("delivery", "immediate")
    return {f"g{group.pk}-{k}": v for k, v in data.items()}


def test_it_sends_anonymous_visitors_to_sign_in() -> None:
    for path in (SETTINGS, SUBSCRIBE):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert Client().post(SUBSCRIBE).status_code == 302
    assert not EmailPreferences.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "member", "organizer", "staff"])
def test_it_shows_defaults_and_only_my_groups(cast: Cast, who: str) -> None:
    other = ReadingGroupFactory(name="Somebody else's group")
    MembershipFactory(group=other)

    response = cast.client(who).get(SETTINGS)

    assert response.status_code == 200
    assert b"Somebody else" not in response.content
    in_group = who in ("member", "organizer")
    assert (cast.group.name.encode() in response.content) == in_group
    assert response.context["digest"]["digest_enabled"].value() is False  # off until chosen
    for _, form in response.context["groups"]:
        assert form["nominations"].value() is True
        assert form["delivery"].value() == "immediate"
    assert b'href="/accounts/notifications/" aria-current="page"' in response.content


def test_it_saves_the_digest_and_group_settings(cast: Cast) -> None:
    data = {
        "digest-digest_enabled": "on",
        "digest-digest_top": "25",
        "digest-digest_keywords": "diffusion, agents",
        **group_data(cast.group, replies="", delivery="daily"),
    }
    response = cast.client("member").post(SETTINGS, data)

    assert response.status_code == 302 and response["Location"] == SETTINGS
    preferences = EmailPreferences.objects.get(user=cast.member)
    assert (preferences.digest_enabled, preferences.digest_top) == (True, 25)
    assert preferences.keywords == ["diffusion", "agents"]
    chosen = GroupEmailSettings.objects.get(user=cast.member, group=cast.group)
    assert (chosen.replies, chosen.nominations, chosen.delivery) == (False, True, "daily")


@pytest.mark.parametrize("top", ["0", "51", "many"])
def test_it_refuses_a_bad_number_and_saves_nothing(cast: Cast, top: str) -> None:
    data = {"digest-digest_enabled": "on", "digest-digest_top": top, **group_data(cast.group)}
    response = cast.client("member").post(SETTINGS, data)

    assert response.status_code == 200
    assert response.context["digest"].errors["digest_top"]
    assert not EmailPreferences.objects.exists()
    assert not GroupEmailSettings.objects.exists()  # all or nothing


def test_it_ignores_settings_posted_for_a_group_i_am_not_in(cast: Cast) -> None:
    other = ReadingGroupFactory()
    data = {"digest-digest_top": "10", **group_data(other, delivery="daily")}
    cast.client("outsider").post(SETTINGS, data)
    assert not GroupEmailSettings.objects.exists()


def test_it_refuses_other_methods(cast: Cast) -> None:
    assert cast.client("member").put(SETTINGS).status_code == 405
    assert cast.client("member").delete(SUBSCRIBE).status_code == 405


def test_it_offers_the_digest_on_the_days_list(cast: Cast) -> None:
    list_papers(DAY, [1])
    anonymous = Client().get(f"/papers/{DAY.isoformat()}/")
    assert b"Get trending papers in your email inbox" in anonymous.content
    assert b"/accounts/signup/?next=/email/digest/subscribe/" in anonymous.content

    member = cast.client("member").get(f"/papers/{DAY.isoformat()}/")
    assert f'action="{SUBSCRIBE}"'.encode() in member.content


def test_it_subscribes_and_goes_back_to_the_page(cast: Cast) -> None:
    client = cast.client("member")
    back = f"/papers/{DAY.isoformat()}/"

    response = client.post(SUBSCRIBE, {"next": back})
    again = client.post(SUBSCRIBE, {"next": "https://evil.example/"}, follow=True)

    assert response["Location"] == back
    assert EmailPreferences.objects.get(user=cast.member).digest_enabled
    assert again.redirect_chain[-1][0] == SETTINGS  # never off-site
    assert b"already subscribed" in again.content


def test_it_shows_the_subscribed_state_once_subscribed(cast: Cast) -> None:
    list_papers(DAY, [1])
    client = cast.client("member")
    client.post(SUBSCRIBE)

    day = client.get(f"/papers/{DAY.isoformat()}/").content.decode()
    box = day.split('class="digest-signup"', 1)[1].split("</aside>", 1)[0]
    assert f'action="{SUBSCRIBE}"' not in box and "Subscribe" not in box
    assert "You are subscribed" in box and f'href="{SETTINGS}"' in box
    page = client.get(SUBSCRIBE).content.decode()
    assert f'action="{SUBSCRIBE}"' not in page and "You are subscribed" in page


def test_it_asks_to_confirm_on_get(cast: Cast) -> None:
    response = cast.client("member").get(SUBSCRIBE)
    assert response.status_code == 200
    assert cast.member.email.encode() in response.content
    assert not EmailPreferences.objects.exists()


@pytest.mark.parametrize("groups", [1, 6])
def test_it_reads_the_settings_page_in_constant_queries(
    cast: Cast, groups: int, django_assert_num_queries
) -> None:
    for _ in range(groups - 1):
        MembershipFactory(user=cast.member)
    client = cast.client("member")
    # session, user, the social apps (does the menu offer Connected accounts?), preferences,
    # groups, group settings
    with django_assert_num_queries(6):
        response = client.get(SETTINGS)
    assert len(response.context["groups"]) == groups
