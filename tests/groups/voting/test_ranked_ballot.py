"""The ranked ballot page: the count round by round, the ranking form, carry-over, query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.discussions.services import session_schedule
from groups.models import Membership, Nomination, Ranking, ReadingGroup, User
from groups.voting.runoff import COUNT_RULE
from groups.voting.services import ballot_method_set, ranking_save
from tests.factories import MembershipFactory, NominationFactory
from tests.people import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(cast: Cast) -> Cast:
    ballot_method_set(group=cast.group, method=ReadingGroup.BallotMethod.RANKED)
    return cast


def _papers(cast: Cast, count: int) -> list[Nomination]:
    """`count` nominations, each a minute after the one before (the tie order is theirs)."""
    created = NominationFactory.create_batch(count, group=cast.group, nominated_by=cast.organizer)
    start = timezone.now() - timedelta(hours=1)
    for i, nomination in enumerate(created):
        Nomination.objects.filter(pk=nomination.pk).update(created_at=start + timedelta(minutes=i))
    return created


def _numbers(cast: Cast, ranks: dict[Nomination, int]) -> dict[str, str]:
    open_ids = Nomination.objects.filter(group=cast.group).open().values_list("id", flat=True)
    data = {f"rank-{pk}": "" for pk in open_ids}
    data |= {f"rank-{n.pk}": str(rank) for n, rank in ranks.items()}
    data["shown"] = ",".join(str(pk) for pk in open_ids)
    return data


def _order(cast: Cast, user: User) -> list[int]:
    return list(
        Ranking.objects.filter(group=cast.group, user=user)
        .order_by("rank")
        .values_list("nomination_id", flat=True)
    )


def test_it_shows_the_winner_the_rounds_and_the_rule(ranked: Cast) -> None:
    a, b, c = _papers(ranked, 3)
    extra = [MembershipFactory(group=ranked.group).user for _ in range(2)]
    # Round 1: A 2 (owner, organizer), B 1 (member), C 2 (two others, B second) of 5: no
    # majority; B has the fewest and drops out; the member's ballot ranks nothing else: exhausted.
    # Round 2: A 2, C 2 of 4: a tie; C (nominated later) drops out; its two ballots' next choice,
    # B, is out already: exhausted. Round 3: A 2 of 2 wins.
    ranking_save(group=ranked.group, user=ranked.owner, order=[a.pk])
    ranking_save(group=ranked.group, user=ranked.organizer, order=[a.pk, c.pk])
    ranking_save(group=ranked.group, user=ranked.member, order=[b.pk])
    for user in extra:
        ranking_save(group=ranked.group, user=user, order=[c.pk, b.pk])

    html = ranked.client("member").get(f"/g/{ranked.group.slug}/ballot/").content.decode()

    assert f'Winner: <strong id="ranked-winner">{a.paper.title}</strong>' in html
    assert html.count('<li class="round">') == 3
    assert f"Out: <strong>{b.paper.title}</strong> (1)" in html
    assert "1 exhausted (no other choice left)" in html
    assert f"Out: <strong>{c.paper.title}</strong> (2)" in html
    assert COUNT_RULE.split(".")[0] in html
    assert 'aria-label="Vote for' not in html  # no approval buttons on a ranked ballot


def test_it_passes_a_dropped_papers_ballots_on(ranked: Cast) -> None:
    a, b, c = _papers(ranked, 3)
    ranking_save(group=ranked.group, user=ranked.owner, order=[a.pk])
    ranking_save(group=ranked.group, user=ranked.organizer, order=[b.pk])
    ranking_save(group=ranked.group, user=ranked.member, order=[c.pk, b.pk])
    # Round 1: 1 each of 3; C (last) drops out, its ballot goes to B. Round 2: B 2 of 3 wins.

    html = ranked.client("member").get(f"/g/{ranked.group.slug}/ballot/").content.decode()

    assert f'id="ranked-winner">{b.paper.title}<' in html
    assert f"Their ballots went to: {b.paper.title} (1)." in html


def test_it_says_so_when_nobody_has_ranked(ranked: Cast) -> None:
    html = ranked.client("member").get(f"/g/{ranked.group.slug}/ballot/").content.decode()
    assert "Nothing on the ballot yet." in html
    _papers(ranked, 1)
    html = ranked.client("member").get(f"/g/{ranked.group.slug}/ballot/").content.decode()
    assert "No one has ranked a paper yet" in html


@pytest.mark.parametrize(
    ("role", "form"),
    [("anonymous", False), ("outsider", False), ("member", True), ("organizer", True)],
)
def test_members_get_the_ranking_form_and_others_the_count(
    ranked: Cast, role: str, form: bool
) -> None:
    _papers(ranked, 2)
    response = ranked.client(role).get(f"/g/{ranked.group.slug}/ballot/")
    assert response.status_code == 200
    html = response.content.decode()
    assert ('id="ranking"' in html) is form
    assert "How the count works." in html


def test_it_saves_the_numbers_and_redirects(ranked: Cast) -> None:
    a, b, c = _papers(ranked, 3)
    client = ranked.client("member")

    response = client.post(f"/g/{ranked.group.slug}/ballot/rank/", _numbers(ranked, {c: 1, a: 3}))

    assert response.status_code == 302 and response["Location"] == f"/g/{ranked.group.slug}/ballot/"
    assert _order(ranked, ranked.member) == [c.pk, a.pk]  # 1, 3 reads as first, second
    page = client.get(response["Location"]).content.decode()
    assert "Your ranking is saved." in page
    mine = page[page.index('id="my-ranking"') : page.index('id="not-ranked"')]
    assert mine.index(c.paper.title) < mine.index(a.paper.title)
    assert f'name="rank-{c.pk}" min="1" max="3" inputmode="numeric" value="1"' in mine
    assert b.paper.title not in mine


@pytest.mark.parametrize(
    ("value", "message"),
    [("1", "Another paper has number 1"), ("x", "Enter a whole number"), ("9", "less than or")],
)
def test_it_shows_errors_on_the_form_and_saves_nothing(
    ranked: Cast, value: str, message: str
) -> None:
    a, b = _papers(ranked, 2)
    data = _numbers(ranked, {a: 1}) | {f"rank-{b.pk}": value}

    response = ranked.client("member").post(f"/g/{ranked.group.slug}/ballot/rank/", data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Your ranking is not saved" in html
    assert f'value="{value}" aria-label' in html  # what was typed stays
    assert Ranking.objects.count() == 0


def test_it_answers_htmx_with_the_form(ranked: Cast) -> None:
    a, b = _papers(ranked, 2)
    response = ranked.client("member").post(
        f"/g/{ranked.group.slug}/ballot/rank/",
        _numbers(ranked, {b: 1, a: 2}),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="ranking"') and "<html" not in html
    assert "Your ranking is saved." in html
    ranked.group.refresh_from_db()
    assert response["X-Ballot-Version"] == str(ranked.group.ballot_version)
    assert _order(ranked, ranked.member) == [b.pk, a.pk]


def test_a_paper_nominated_after_the_page_was_read_keeps_its_vote(ranked: Cast) -> None:
    (a,) = _papers(ranked, 1)
    data = _numbers(ranked, {a: 1})  # the page as read
    late = NominationFactory(group=ranked.group, nominated_by=ranked.member)
    ranking_save(group=ranked.group, user=ranked.member, order=[late.pk])

    ranked.client("member").post(f"/g/{ranked.group.slug}/ballot/rank/", data)

    assert late.votes.filter(user=ranked.member).exists()  # unranked, not taken back


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_only_members_save_a_ranking(ranked: Cast, role: str) -> None:
    (a,) = _papers(ranked, 1)
    response = ranked.client(role).post(
        f"/g/{ranked.group.slug}/ballot/rank/", _numbers(ranked, {a: 1})
    )
    assert response.status_code in {302, 403, 404}
    assert Ranking.objects.count() == 0


def test_saving_a_ranking_takes_a_post_and_a_ranked_ballot(cast: Cast) -> None:
    (a,) = _papers(cast, 1)
    client = cast.client("member")
    assert client.get(f"/g/{cast.group.slug}/ballot/rank/").status_code == 405
    response = client.post(f"/g/{cast.group.slug}/ballot/rank/", _numbers(cast, {a: 1}))
    assert response.status_code == 302
    assert Ranking.objects.count() == 0  # an approval ballot: refused with a message


def test_a_ranking_carries_over_when_a_ranked_paper_is_scheduled(ranked: Cast) -> None:
    a, b, c = _papers(ranked, 3)
    ranking_save(group=ranked.group, user=ranked.member, order=[a.pk, b.pk, c.pk])
    ranking_save(group=ranked.group, user=ranked.owner, order=[a.pk, c.pk])

    session_schedule(
        group=ranked.group,
        nomination=a,
        starts_at=timezone.now() + timedelta(days=7),
        duration=timedelta(hours=1),
        created_by=ranked.organizer,
    )

    # The stored ranks keep their gap; the page and the count read the rest in order.
    assert list(
        Ranking.objects.filter(user=ranked.member, nomination__status="open")
        .order_by("rank")
        .values_list("nomination_id", "rank")
    ) == [(b.pk, 2), (c.pk, 3)]
    html = ranked.client("member").get(f"/g/{ranked.group.slug}/ballot/").content.decode()
    mine = html[html.index('id="my-ranking"') : html.index('id="not-ranked"')]
    assert a.paper.title not in mine
    assert f'name="rank-{b.pk}" min="1" max="2" inputmode="numeric" value="1"' in mine
    assert f'name="rank-{c.pk}" min="1" max="2" inputmode="numeric" value="2"' in mine
    # Round 1: B 1 (member), C 1 (owner) of 2; C drops out, exhausted. B wins.
    assert f'id="ranked-winner">{b.paper.title}<' in html


def test_unranked_votes_show_as_such_after_switching(cast: Cast) -> None:
    a, b = _papers(cast, 2)
    client = cast.client("member")
    client.post(f"/g/{cast.group.slug}/n/{b.pk}/vote/")
    ballot_method_set(group=cast.group, method="ranked")

    html = client.get(f"/g/{cast.group.slug}/ballot/").content.decode()

    others = html[html.index('id="not-ranked"') :]
    assert others.index(b.paper.title) < others.index("your vote, not ranked")
    assert others.index("your vote, not ranked") < others.index(a.paper.title)


def test_the_poll_gets_the_count_alone_and_304_while_nothing_changed(ranked: Cast) -> None:
    (a,) = _papers(ranked, 1)
    client = ranked.client("member")
    htmx = {"HX-Request": "true"}

    response = client.get(f"/g/{ranked.group.slug}/ballot/", headers=htmx)
    assert response.status_code == 200 and response["X-Ballot-Answer"] == "list"
    assert response.content.decode().lstrip().startswith('<div id="ballot"')
    again = client.get(
        f"/g/{ranked.group.slug}/ballot/", headers=htmx | {"If-None-Match": response["ETag"]}
    )
    assert again.status_code == 304

    ranking_save(group=ranked.group, user=ranked.owner, order=[a.pk])
    after = client.get(
        f"/g/{ranked.group.slug}/ballot/", headers=htmx | {"If-None-Match": response["ETag"]}
    )
    assert after.status_code == 200
    assert int(after["X-Ballot-Version"]) > int(response["X-Ballot-Version"])


def _large_ballot(cast: Cast, nominations: int, members: int) -> list[Nomination]:
    papers = _papers(cast, nominations)
    people = [cast.member] + [MembershipFactory(group=cast.group).user for _ in range(members - 1)]
    for i, user in enumerate(people):
        # each ranks up to 20 papers, starting at a different place
        order = [papers[(i * 7 + k) % nominations].pk for k in range(min(20, nominations - 1))]
        ranking_save(group=cast.group, user=user, order=order)
    return papers


@pytest.mark.parametrize(("nominations", "members"), [(5, 2), (500, 200)])
def test_it_renders_the_ranked_ballot_in_a_constant_number_of_queries(
    ranked: Cast, nominations: int, members: int, django_assert_num_queries
) -> None:
    papers = _large_ballot(ranked, nominations, members)
    client = ranked.client("member")

    # session, user, the membership with its group; the nominations with the version, the
    # rankings, the member's votes
    with django_assert_num_queries(6):
        response = client.get(f"/g/{ranked.group.slug}/ballot/")
    assert response.status_code == 200
    assert response.content.decode().count('class="rank-row') == nominations

    # the poll: session, user, membership; nominations, rankings, votes
    with django_assert_num_queries(6):
        client.get(f"/g/{ranked.group.slug}/ballot/", headers={"HX-Request": "true"})

    # session, user, membership; the open nominations' ids; the service's savepoint, membership
    # lock, statuses, ranks before, votes before, the changed nominations' locks (their counts
    # change), delete ranks, insert ranks, delete votes, insert votes, version bump and read,
    # release; the ballot read for the answer (3)
    data = _numbers(ranked, {papers[-1]: 1, papers[0]: 2})
    with django_assert_num_queries(20):
        saved = client.post(
            f"/g/{ranked.group.slug}/ballot/rank/", data, headers={"HX-Request": "true"}
        )
    assert "Your ranking is saved." in saved.content.decode()
    assert _order(ranked, ranked.member) == [papers[-1].pk, papers[0].pk]


def test_a_ranking_stays_when_its_member_leaves_as_votes_do(ranked: Cast) -> None:
    (a,) = _papers(ranked, 1)
    ranking_save(group=ranked.group, user=ranked.member, order=[a.pk])
    Membership.objects.filter(group=ranked.group, user=ranked.member).delete()
    html = ranked.client("organizer").get(f"/g/{ranked.group.slug}/ballot/").content.decode()
    assert 'id="ranked-winner"' in html  # the count still reads the ranking: it is kept
