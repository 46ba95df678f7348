import pytest
from django.test import Client

from groups.models import Activity, Membership, ReadingGroup
from tests.factories import (
    DiscussionSessionFactory,
    MembershipFactory,
    NominationFactory,
    ReadingGroupFactory,
    RsvpFactory,
)
from tests.people import Cast

pytestmark = pytest.mark.django_db


def test_it_lists_and_searches_public_groups_only(cast: Cast) -> None:
    ReadingGroupFactory(name="Robotics Reading Circle", description="Manipulation papers")
    ReadingGroupFactory(name="Secret Robotics", visibility=ReadingGroup.Visibility.PRIVATE)
    ReadingGroupFactory(name="Theory Tuesdays", description="Learning theory and robots")

    page = Client().get("/groups/").content.decode()
    assert "Robotics Reading Circle" in page and "Theory Tuesdays" in page
    assert "Secret Robotics" not in page

    page = Client().get("/groups/", {"q": "robot"}).content.decode()
    assert "Robotics Reading Circle" in page and "Theory Tuesdays" in page
    assert cast.group.name not in page

    page = Client().get("/groups/", {"q": "zzz"}).content.decode()
    assert "No public group matches “zzz”." in page


def test_it_shows_counts_in_a_constant_number_of_queries(
    cast: Cast, django_assert_num_queries
) -> None:
    for _ in range(5):
        group = ReadingGroupFactory()
        MembershipFactory.create_batch(3, group=group)
        NominationFactory.create_batch(2, group=group)
    with django_assert_num_queries(2):  # the count for the pager, the page of groups
        page = Client().get("/groups/").content.decode()
    assert "3 members · 2 on the ballot" in page


def test_it_answers_an_htmx_search_with_the_results_alone(cast: Cast) -> None:
    response = Client().get("/groups/", {"q": cast.group.name}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert cast.group.name in html


def test_it_lists_my_groups_with_my_role(cast: Cast) -> None:
    private = ReadingGroupFactory(name="Hidden Gems", visibility=ReadingGroup.Visibility.PRIVATE)
    MembershipFactory(group=private, user=cast.member, role=Membership.Role.ORGANIZER)
    page = cast.client("member").get("/groups/mine/").content.decode()
    assert cast.group.name in page and "Hidden Gems" in page and "Organizer" in page
    empty = cast.client("outsider").get("/groups/mine/").content.decode()
    assert "You are not in any group yet." in empty


def test_it_creates_a_group_with_its_creator_as_owner(cast: Cast) -> None:
    response = cast.client("outsider").post(
        "/groups/new/",
        {
            "name": "Causal Inference Club",
            "slug": "",
            "description": "Weekly.",
            "visibility": "private",
            "join_policy": "invite",
            "time_zone": "Europe/Berlin",
        },
    )
    group = ReadingGroup.objects.get(name="Causal Inference Club")
    assert response["Location"] == "/g/causal-inference-club/"
    assert (group.slug, group.visibility, group.time_zone) == (
        "causal-inference-club",
        "private",
        "Europe/Berlin",
    )
    assert Membership.objects.get(group=group).user == cast.outsider
    assert Membership.objects.get(group=group).role == Membership.Role.OWNER
    assert Activity.objects.filter(group=group, kind="created").exists()


def test_it_makes_a_free_slug_and_refuses_a_taken_or_reserved_one(cast: Cast) -> None:
    fields = {
        "name": cast.group.name,
        "description": "",
        "visibility": "public",
        "join_policy": "open",
        "time_zone": "UTC",
    }
    client = cast.client("outsider")
    response = client.post("/groups/new/", fields | {"slug": cast.group.slug})
    assert response.status_code == 200
    assert "That web address is taken" in response.content.decode()
    response = client.post("/groups/new/", fields | {"slug": "mine"})
    assert "That web address is reserved" in response.content.decode()
    ReadingGroupFactory(slug="reading-group-x")
    client.post("/groups/new/", fields | {"name": "Reading Group X", "slug": ""})
    assert ReadingGroup.objects.filter(slug="reading-group-x-2").exists()


def test_it_saves_settings_but_keeps_the_slug(cast: Cast) -> None:
    response = cast.client("organizer").post(
        f"/g/{cast.group.slug}/settings/",
        {
            "name": "New name",
            "slug": "hijack",
            "description": "d",
            "visibility": "private",
            "join_policy": "request",
            "time_zone": "Asia/Tokyo",
        },
    )
    assert response.status_code == 302
    cast.group.refresh_from_db()
    assert (cast.group.name, cast.group.slug, cast.group.visibility) == (
        "New name",
        cast.group.slug,
        "private",
    )
    assert cast.group.slug != "hijack"


def test_it_shows_the_group_home_with_ballot_summary_and_activity(cast: Cast) -> None:
    nomination = NominationFactory(group=cast.group, nominated_by=cast.member)
    Activity.objects.create(
        group=cast.group, actor=cast.member, kind="nominated", paper=nomination.paper
    )
    page = Client().get(f"/g/{cast.group.slug}/").content.decode()
    assert nomination.paper.title in page
    assert "Next session" in page
    assert f"{cast.member.name}</strong> nominated" in page
    assert "Sign in to join" in page


def test_it_shows_empty_states(cast: Cast) -> None:
    page = cast.client("member").get(f"/g/{cast.group.slug}/").content.decode()
    assert "Nothing is being voted on yet." in page
    ballot = cast.client("member").get(f"/g/{cast.group.slug}/ballot/").content.decode()
    assert "Nothing on the ballot yet." in ballot


@pytest.mark.parametrize("size", [2, 60])
def test_it_renders_home_and_members_in_a_constant_number_of_queries(
    cast: Cast, size: int, django_assert_num_queries
) -> None:
    next_session = DiscussionSessionFactory(group=cast.group)
    for _ in range(size):
        membership = MembershipFactory(group=cast.group)
        nomination = NominationFactory(group=cast.group, nominated_by=membership.user)
        Activity.objects.create(
            group=cast.group, actor=membership.user, kind="nominated", paper=nomination.paper
        )
        RsvpFactory(session=next_session, user=membership.user, answer="going")
    client = cast.client("member")
    # session, user, the membership with its group, top of the ballot, open count, activity,
    # next session with its counts, its attendees with their users, the time polls asking them
    with django_assert_num_queries(9):
        assert client.get(f"/g/{cast.group.slug}/").status_code == 200
    # session, user, the membership with its group, members with their users
    with django_assert_num_queries(4):
        assert client.get(f"/g/{cast.group.slug}/members/").status_code == 200
