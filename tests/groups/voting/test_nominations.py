import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from groups.models import Activity, DiscussionSession, Nomination, Vote
from papers.models import ImportRun, Paper
from tests.factories import MembershipFactory, NominationFactory, PaperFactory, VoteFactory
from tests.network import FakeNetwork
from tests.papers.conftest import (
    ARXIV_FAILURES,
    PLAIN_ARXIV_DOWN,
    arxiv_fails,
    arxiv_fixture_path,
)
from tests.people import Cast

EMPTY_ATOM = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
    "<title>arXiv Query: id_list=2406.99999</title><opensearch:totalResults>0</opensearch:totalResults>"
    "</feed>"
)

pytestmark = pytest.mark.django_db


def test_it_nominates_a_pasted_link_with_a_pitch_and_the_nominators_vote(cast: Cast) -> None:
    paper = PaperFactory(arxiv_id="2406.11111")
    response = cast.client("member").post(
        f"/g/{cast.group.slug}/nominate/",
        {"paper": "https://arxiv.org/abs/2406.11111v2", "pitch": "Short and <b>sharp</b>."},
        follow=True,
    )
    nomination = Nomination.objects.get(group=cast.group, paper=paper)
    assert (nomination.nominated_by, nomination.pitch) == (cast.member, "Short and <b>sharp</b>.")
    assert list(nomination.votes.values_list("user", flat=True)) == [cast.member.pk]
    html = response.content.decode()
    assert "Nominated “" in html
    assert "Short and &lt;b&gt;sharp&lt;/b&gt;." in html
    assert Activity.objects.filter(group=cast.group, kind="nominated", paper=paper).exists()


def test_it_adds_a_vote_when_the_paper_is_already_nominated_and_says_so(cast: Cast) -> None:
    nomination = NominationFactory(group=cast.group, nominated_by=cast.owner)
    response = cast.client("member").post(
        f"/g/{cast.group.slug}/nominate/", {"paper": nomination.paper.arxiv_id}, follow=True
    )
    assert "was already on the ballot: your vote was added to it." in response.content.decode()
    assert Nomination.objects.filter(group=cast.group, paper=nomination.paper).count() == 1
    assert Vote.objects.filter(nomination=nomination, user=cast.member).exists()

    response = cast.client("member").post(
        f"/g/{cast.group.slug}/nominate/", {"paper": nomination.paper.arxiv_id}, follow=True
    )
    assert "is already on the ballot and has your vote." in response.content.decode()


def test_it_nominates_again_a_paper_whose_old_nomination_is_closed(cast: Cast) -> None:
    old = NominationFactory(group=cast.group, status=Nomination.Status.ARCHIVED)
    cast.client("member").post(f"/g/{cast.group.slug}/nominate/", {"paper": old.paper.arxiv_id})
    assert Nomination.objects.filter(group=cast.group, paper=old.paper).count() == 2


def test_it_says_when_the_group_already_discussed_the_paper(cast: Cast) -> None:
    paper = PaperFactory()
    DiscussionSession.objects.create(
        group=cast.group,
        paper=paper,
        starts_at=datetime(2026, 3, 5, 18, tzinfo=UTC),
        duration=timedelta(hours=1),
        status=DiscussionSession.Status.DONE,
    )
    client = cast.client("member")
    # Asked first: nothing is added until the member says "Nominate it again".
    asked = client.post(f"/g/{cast.group.slug}/nominate/", {"paper": paper.arxiv_id})
    assert asked.status_code == 200
    assert "discussed “" in asked.content.decode()
    assert "on 5 March 2026" in asked.content.decode()
    assert not Nomination.objects.filter(group=cast.group, paper=paper).exists()
    response = client.post(
        f"/g/{cast.group.slug}/nominate/", {"paper": paper.arxiv_id, "again": "1"}, follow=True
    )
    html = response.content.decode()
    assert "the group discussed this paper on 5 March 2026." in html
    assert "Discussed 5 Mar 2026" in html  # the ballot row


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        ("not a paper", "That is not an arXiv id or link."),
        ("2406.99999", "arXiv has no paper 2406.99999."),
        ("", "This field is required."),
    ],
)
def test_it_explains_what_is_wrong_with_a_pasted_paper(
    cast: Cast, pasted: str, message: str, network: FakeNetwork
) -> None:
    network.serve_arxiv(EMPTY_ATOM)  # arXiv's answer to an id it does not have
    response = cast.client("member").post(
        f"/g/{cast.group.slug}/nominate/", {"paper": pasted, "pitch": "Keep this pitch"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Keep this pitch" in html  # nothing typed is lost
    assert not Nomination.objects.exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("failure", list(ARXIV_FAILURES))
def test_it_says_plainly_at_once_when_arxiv_does_not_answer_a_nomination(
    cast: Cast, failure: str, htmx: bool, network: FakeNetwork
) -> None:
    detail = arxiv_fails(network, failure)
    headers = {"HX-Request": "true"} if htmx else {}
    response = cast.client("member").post(
        f"/g/{cast.group.slug}/nominate/",
        {"paper": "https://arxiv.org/abs/2406.99999", "pitch": "Keep this pitch"},
        headers=headers,
    )
    assert response.status_code == 503
    assert response.context["form"].errors["paper"] == [PLAIN_ARXIV_DOWN]
    html = response.content.decode()
    assert PLAIN_ARXIV_DOWN in html
    assert 'value="https://arxiv.org/abs/2406.99999"' in html  # nothing typed is lost
    assert "Keep this pitch" in html
    # One try, no waiting: the retries belong to background imports.
    assert (len(network.requests), network.sleeps) == (1, [])
    assert not Nomination.objects.exists()
    assert not Paper.objects.exists()
    assert detail in ImportRun.objects.get().error  # the technical reason is kept


def test_it_lists_the_users_groups_on_the_nominate_to_page(cast: Cast) -> None:
    paper = PaperFactory(title="Attention Is Still All You Need")
    other = MembershipFactory(user=cast.member).group
    nominated = NominationFactory(group=other, paper=paper)
    VoteFactory(nomination=nominated, user=cast.member)
    MembershipFactory(user=cast.outsider)  # someone else's group is not listed

    response = cast.client("member").get(f"/nominate/{paper.arxiv_id}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Nominate to {cast.group.name}" in html
    assert "On the ballot · 1 vote, yours included" in html
    assert html.count('class="card"') == 2


def test_it_nominates_from_the_nominate_to_page(cast: Cast) -> None:
    paper = PaperFactory()
    response = cast.client("member").post(
        f"/nominate/{paper.arxiv_id}/", {"group": cast.group.slug, "pitch": "Read it"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/g/{cast.group.slug}/ballot/"
    assert Nomination.objects.get(paper=paper).pitch == "Read it"


def test_it_refuses_to_nominate_to_a_group_the_user_is_not_in(cast: Cast) -> None:
    paper = PaperFactory()
    response = cast.client("outsider").post(
        f"/nominate/{paper.arxiv_id}/", {"group": cast.group.slug}
    )
    assert response.status_code == 400
    assert not Nomination.objects.exists()


def test_it_404s_the_nominate_to_page_for_an_unknown_paper(cast: Cast) -> None:
    assert cast.client("member").get("/nominate/2406.00000/").status_code == 404


def test_it_lets_the_nominator_withdraw_while_only_they_voted(cast: Cast) -> None:
    nomination = NominationFactory(group=cast.group, nominated_by=cast.member)
    VoteFactory(nomination=nomination, user=cast.member)
    url = f"/g/{cast.group.slug}/n/{nomination.pk}/withdraw/"

    response = cast.client("organizer").post(url, follow=True)
    assert "Only the member who nominated a paper can withdraw it." in response.content.decode()

    VoteFactory(nomination=nomination, user=cast.owner)
    response = cast.client("member").post(url, follow=True)
    assert "Others have voted for this paper" in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.OPEN

    Vote.objects.filter(user=cast.owner).delete()
    cast.client("member").post(url)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.WITHDRAWN
    assert nomination.closed_at is not None


def test_it_lets_organizers_archive_any_nomination(cast: Cast) -> None:
    nomination = NominationFactory(group=cast.group)
    url = f"/g/{cast.group.slug}/n/{nomination.pk}/archive/"
    assert cast.client("member").post(url).status_code == 403
    cast.client("organizer").post(url)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.ARCHIVED
    response = cast.client("member").get(f"/g/{cast.group.slug}/ballot/")
    assert nomination.paper.title not in response.content.decode()


def test_it_shows_the_nomination_page_with_voters_to_members(cast: Cast) -> None:
    nomination = NominationFactory(group=cast.group, pitch="Because.")
    VoteFactory(nomination=nomination, user=cast.owner)
    html = cast.client("member").get(f"/g/{cast.group.slug}/n/{nomination.pk}/").content.decode()
    assert nomination.paper.title in html and "Because." in html and cast.owner.name in html
    anonymous = Client().get(f"/g/{cast.group.slug}/n/{nomination.pk}/").content.decode()
    assert cast.owner.name not in anonymous


def test_it_imports_an_unknown_pasted_paper_from_arxiv_on_the_spot(
    cast: Cast, network: FakeNetwork
) -> None:
    xml = arxiv_fixture_path().read_text()
    arxiv_id = re.search(r"<id>http://arxiv.org/abs/(\d{4}\.\d{4,5})v\d+</id>", xml).group(1)
    network.serve_arxiv(xml)
    response = cast.client("member").post(
        f"/g/{cast.group.slug}/nominate/", {"paper": f"https://arxiv.org/abs/{arxiv_id}"}
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get(group=cast.group)
    assert nomination.paper.arxiv_id == arxiv_id
    assert nomination.paper.title
    assert any("id_list=" in path for path in network.paths())
