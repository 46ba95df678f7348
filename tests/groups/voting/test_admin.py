"""The Ranking and Ballot round admins: staff list, search, filter and open them; nobody else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.discussions.services import session_schedule
from groups.models import BallotRound
from groups.voting.services import ballot_method_set, ranking_save
from tests.factories import NominationFactory
from tests.people import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(cast: Cast) -> Cast:
    ballot_method_set(group=cast.group, method="ranked")
    first, second = NominationFactory.create_batch(2, group=cast.group)
    ranking_save(group=cast.group, user=cast.member, order=[second.pk, first.pk])
    ranking_save(group=cast.group, user=cast.owner, order=[first.pk])
    session_schedule(
        group=cast.group,
        nomination=first,
        starts_at=timezone.now() + timedelta(days=3),
        duration=timedelta(hours=1),
        created_by=cast.organizer,
    )
    return cast


def test_staff_list_search_and_filter_rankings(decided: Cast) -> None:
    client = decided.client("staff")

    listing = client.get("/admin/groups/ranking/").content.decode()
    assert 'id="changelist-filter"' in listing and 'name="q"' in listing
    assert listing.count('class="field-rank"') == 3  # the member's two, the owner's one

    found = client.get("/admin/groups/ranking/", {"q": decided.owner.username}).content.decode()
    assert found.count('class="field-rank"') == 1
    scheduled = client.get("/admin/groups/ranking/", {"nomination__status__exact": "scheduled"})
    assert scheduled.content.decode().count('class="field-rank"') == 2


def test_staff_open_a_ranking_and_a_decided_round(decided: Cast) -> None:
    client = decided.client("staff")
    ranking = decided.member.rankings.first()
    assert client.get(f"/admin/groups/ranking/{ranking.pk}/change/").status_code == 200

    decided_round = BallotRound.objects.get()
    listing = client.get("/admin/groups/ballotround/").content.decode()
    assert 'id="changelist-filter"' in listing
    page = client.get(f"/admin/groups/ballotround/{decided_round.pk}/change/").content.decode()
    assert "Ballot round voters" in page  # the inline: who took part, who won
    assert page.count('name="voters-') > 0


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "organizer", "owner"])
def test_nobody_else_opens_them(decided: Cast, role: str) -> None:
    for model in ("ranking", "ballotround"):
        response = decided.client(role).get(f"/admin/groups/{model}/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
