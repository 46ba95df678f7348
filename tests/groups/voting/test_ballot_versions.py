"""The ballot version: raised once by every change, never by a no-op; answers name it; polls get 304."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F

from groups.discussions.services import session_schedule
from groups.models import Membership, Nomination, ReadingGroup, Vote
from groups.voting.ballot import ranking, vote_answer
from groups.voting.services import (
    VotingError,
    nomination_archive,
    nomination_create,
    nomination_withdraw,
    vote_cast,
    vote_withdraw,
)
from tests.factories import MembershipFactory, NominationFactory, PaperFactory, VoteFactory
from tests.people import Cast

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _version(cast: Cast) -> int:
    return ReadingGroup.objects.values_list("ballot_version", flat=True).get(pk=cast.group.pk)


def _ranked_rows(cast: Cast, votes: list[int]) -> list[Nomination]:
    """Open nominations with these vote counts, created in this order (earlier wins ties)."""
    rows = []
    for count in votes:
        nomination = NominationFactory(group=cast.group, nominated_by=cast.owner)
        for _ in range(count):
            VoteFactory(nomination=nomination, user=MembershipFactory(group=cast.group).user)
        rows.append(nomination)
    return rows


def test_it_raises_the_version_once_per_change_and_never_for_a_no_op(cast: Cast) -> None:
    organizer = Membership.objects.get(user=cast.organizer, group=cast.group)
    paper = PaperFactory()
    steps = [
        (lambda: nomination_create(group=cast.group, user=cast.member, paper=paper), 1),
        # Nominating it again adds the owner's vote: one change.
        (lambda: nomination_create(group=cast.group, user=cast.owner, paper=paper), 1),
        # ... and a third time changes nothing.
        (lambda: nomination_create(group=cast.group, user=cast.owner, paper=paper), 0),
    ]
    for action, raised in steps:
        before = _version(cast)
        action()
        assert _version(cast) == before + raised

    nomination = Nomination.objects.get(paper=paper)
    for action, raised, changed in [
        (vote_cast, 1, True),
        (vote_cast, 0, False),
        (vote_withdraw, 1, True),
        (vote_withdraw, 0, False),
    ]:
        before = _version(cast)
        change = action(nomination=nomination, user=cast.organizer)
        assert (change.changed, change.version, _version(cast)) == (
            changed,
            before + raised,
            before + raised,
        )

    mine = nomination_create(group=cast.group, user=cast.member, paper=PaperFactory()).nomination
    before = _version(cast)
    nomination_withdraw(nomination=mine, user=cast.member)
    assert _version(cast) == before + 1

    before = _version(cast)
    nomination_archive(nomination=nomination, by=organizer)
    assert _version(cast) == before + 1
    with pytest.raises(VotingError):
        vote_cast(nomination=nomination, user=cast.member)  # refused: nothing changed
    assert _version(cast) == before + 1

    other = NominationFactory(group=cast.group)
    before = _version(cast)
    session_schedule(
        group=cast.group,
        nomination=other,
        starts_at=datetime.now(UTC) + timedelta(days=3),
        duration=timedelta(hours=1),
        created_by=cast.organizer,
    )
    assert _version(cast) == before + 1


def test_it_answers_a_vote_with_the_rows_it_passed(cast: Cast) -> None:
    first, second, third = _ranked_rows(cast, [2, 1, 1])
    ReadingGroup.objects.filter(pk=cast.group.pk).update(ballot_version=F("ballot_version") + 7)
    client = cast.client("member")

    response = client.post(
        f"/g/{cast.group.slug}/n/{third.pk}/vote/", {"answer": "row"}, headers=HTMX
    )

    # 1 vote + the member's: 2, level with the first, which was nominated earlier.
    assert (response["X-Ballot-Before"], response["X-Ballot-Version"]) == ("7", "8")
    assert (response["X-Ballot-Old-Rank"], response["X-Ballot-Rank"]) == ("3", "2")
    assert 'data-rank="2"' in response.content.decode()
    assert [item.id for item in ranking(cast.group).order] == [first.pk, third.pk, second.pk]

    response = client.post(
        f"/g/{cast.group.slug}/n/{third.pk}/unvote/", {"answer": "row"}, headers=HTMX
    )
    assert (response["X-Ballot-Before"], response["X-Ballot-Version"]) == ("8", "9")
    assert (response["X-Ballot-Old-Rank"], response["X-Ballot-Rank"]) == ("2", "3")
    assert [item.id for item in ranking(cast.group).order] == [first.pk, second.pk, third.pk]


def test_it_answers_a_double_click_as_no_change(cast: Cast) -> None:
    (nomination,) = _ranked_rows(cast, [0])
    vote_cast(nomination=nomination, user=cast.member)
    version = _version(cast)

    response = cast.client("member").post(
        f"/g/{cast.group.slug}/n/{nomination.pk}/vote/", {"answer": "row"}, headers=HTMX
    )

    assert response["X-Ballot-Before"] == response["X-Ballot-Version"] == str(version)
    assert Vote.objects.filter(nomination=nomination).count() == 1


def test_it_gives_no_delta_when_others_changed_the_ballot_meanwhile(cast: Cast) -> None:
    low, high = _ranked_rows(cast, [0, 0])
    change = vote_cast(nomination=high, user=cast.member)
    vote_cast(nomination=low, user=cast.organizer)  # lands before the answer is read

    answer = vote_answer(cast.group, high.pk, viewer=cast.member, change=change, delta=1)

    assert answer is not None
    assert answer.before is None  # the page must fetch the list, not apply a delta
    assert answer.version == change.version + 1


def test_it_shows_a_closed_nomination_in_its_row_with_the_reason(cast: Cast) -> None:
    (nomination,) = _ranked_rows(cast, [1])
    nomination_archive(
        nomination=nomination, by=Membership.objects.get(user=cast.owner, group=cast.group)
    )

    response = cast.client("member").post(
        f"/g/{cast.group.slug}/n/{nomination.pk}/vote/", {"answer": "row"}, headers=HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "This nomination is archived." in html and "Archived" in html
    assert "vote-button" not in html
    assert "X-Ballot-Before" not in response and "X-Ballot-Rank" not in response
    assert not Vote.objects.filter(nomination=nomination, user=cast.member).exists()


@pytest.mark.parametrize(("visibility", "status"), [("public", 403), ("private", 404)])
def test_it_refuses_a_stale_page_after_the_member_left(visibility: str, status: int) -> None:
    from tests.people import make_cast

    cast = make_cast(visibility=visibility)
    (nomination,) = _ranked_rows(cast, [0])
    client = cast.client("member")
    Membership.objects.filter(user=cast.member).delete()
    version = _version(cast)

    response = client.post(
        f"/g/{cast.group.slug}/n/{nomination.pk}/vote/", {"answer": "row"}, headers=HTMX
    )

    assert response.status_code == status
    assert not Vote.objects.filter(nomination=nomination).exists()
    assert _version(cast) == version


def test_it_answers_an_unchanged_ballot_poll_with_304_without_rendering(
    cast: Cast, django_assert_num_queries
) -> None:
    _ranked_rows(cast, [1, 0])
    client = cast.client("member")
    url = f"/g/{cast.group.slug}/ballot/"
    first = client.get(url, headers=HTMX)
    tag = first["ETag"]
    assert tag.startswith(f'W/"{_version(cast)}-')
    assert first["X-Ballot-Version"] == str(_version(cast))

    # session, user, the membership with its group: nothing about the rows
    with django_assert_num_queries(3):
        unchanged = client.get(url, headers=HTMX | {"If-None-Match": tag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""

    nomination_create(group=cast.group, user=cast.organizer, paper=PaperFactory(title="Fresh"))
    changed = client.get(url, headers=HTMX | {"If-None-Match": tag})
    assert changed.status_code == 200
    assert "Fresh" in changed.content.decode()
    assert changed["ETag"] != tag


def test_it_keys_the_etag_to_the_viewer_and_the_view(cast: Cast) -> None:
    _ranked_rows(cast, [0])
    url = f"/g/{cast.group.slug}/ballot/"
    member = cast.client("member").get(url, headers=HTMX)["ETag"]
    organizer = cast.client("organizer").get(url, headers=HTMX)["ETag"]
    filtered = cast.client("member").get(url, {"q": "x"}, headers=HTMX)["ETag"]
    assert len({member, organizer, filtered}) == 3
    # The member's ETag is no good to the organizer: they see other buttons.
    response = cast.client("organizer").get(url, headers=HTMX | {"If-None-Match": member})
    assert response.status_code == 200


def test_it_always_renders_the_full_page(cast: Cast) -> None:
    _ranked_rows(cast, [0])
    client = cast.client("member")
    url = f"/g/{cast.group.slug}/ballot/"
    tag = client.get(url, headers=HTMX)["ETag"]
    response = client.get(url, headers={"If-None-Match": tag})
    assert response.status_code == 200
    assert "<html" in response.content.decode()
