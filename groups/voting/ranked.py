"""The ranked ballot as its page reads it: the open nominations, everyone's rankings, the count.

Callers may rely on:
- three queries whatever the numbers of nominations, members and rankings (two for a visitor
  who is not a member): the nominations with the ballot version, the rankings, the viewer's votes;
- the version is read first, in the nominations' statement, so what the page shows is at least
  that new: a page polling with it never misses a change (at worst it fetches one it has);
- carry-over: a ranking keeps its ranks when a ranked paper leaves the ballot (scheduled,
  withdrawn, archived); the count and the page read the rest in rank order, gaps ignored, and
  the page shows them as 1, 2, 3 ... (the member's next save writes those numbers);
- with fairness across rounds on (`ReadingGroup.fairness`), each member's ballot counts for
  their weight (`groups.voting.fairness`), read in one more query.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import F

from groups.models import Nomination, Ranking, ReadingGroup, User, Vote
from groups.voting.fairness import Weights, fairness_weights
from groups.voting.runoff import RunoffResult, Tally, finishing_order, instant_runoff

TALLIES_SHOWN = 6  # papers named per round's standings; the rest are summed up
ELIMINATED_NAMED = 5  # papers named among those dropping out together
TRANSFERS_NAMED = 6  # papers named among those a round's ballots passed to


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    title: str
    arxiv_id: str


@dataclass(frozen=True, slots=True)
class RankedBallot:
    version: int
    candidates: list[Candidate]  # open nominations, earlier nominations first (the tie order)
    result: RunoffResult
    mine: list[int]  # the viewer's ranking of open nominations, first choice first
    unranked_votes: list[int]  # open nominations the viewer voted for and did not rank
    weights: Weights | None = None  # with fairness across rounds on

    @property
    def order(self) -> list[int]:
        """The open nominations as the count places them, the winner first."""
        return finishing_order(self.result)

    @property
    def by_id(self) -> dict[int, Candidate]:
        return {candidate.id: candidate for candidate in self.candidates}

    @property
    def winner(self) -> Candidate | None:
        return None if self.result.winner is None else self.by_id[self.result.winner]


def open_nomination_ids(group: ReadingGroup) -> list[int]:
    """The group's open nominations, earlier first: the ranking form's boxes. One query."""
    return list(
        Nomination.objects.filter(group=group)
        .open()
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    )


def ranked_ballot(group: ReadingGroup, *, viewer: User | AnonymousUser) -> RankedBallot:
    """The open ranked ballot and its count, with the viewer's own ranking (see the module)."""
    rows = list(
        Nomination.objects.filter(group=group)
        .open()
        .order_by("created_at", "id")
        .annotate(version=F("group__ballot_version"))
        .values_list("id", "paper__title", "paper__arxiv_id", "version")
    )
    if rows:
        version = rows[0][3]
    else:
        version = (
            ReadingGroup.objects.filter(pk=group.pk).values_list("ballot_version", flat=True).get()
        )
    candidates = [Candidate(id=pk, title=title, arxiv_id=arxiv) for pk, title, arxiv, _ in rows]
    # Every ranking of the group in the order of its (group, user, rank) unique index, no join:
    # ranks of papers that left the ballot are skipped here (a member's next save drops them).
    is_open = {c.id for c in candidates}
    ballots: dict[int, list[int]] = defaultdict(list)
    for user_id, nomination_id in (
        Ranking.objects.filter(group=group)
        .order_by("user_id", "rank")
        .values_list("user_id", "nomination_id")
    ):
        if nomination_id in is_open:
            ballots[user_id].append(nomination_id)
    mine = ballots.get(viewer.pk, []) if viewer.pk is not None else []
    unranked: list[int] = []
    if viewer.pk is not None:
        ranked = set(mine)
        voted = set(
            Vote.objects.filter(
                user_id=viewer.pk, nomination__group=group, nomination__status="open"
            ).values_list("nomination_id", flat=True)
        )
        unranked = [c.id for c in candidates if c.id in voted and c.id not in ranked]
    weights = fairness_weights(group) if group.fairness else None
    return RankedBallot(
        version=version,
        candidates=candidates,
        result=instant_runoff(
            [c.id for c in candidates],
            ballots.values(),
            None if weights is None else [weights.of(user_id) for user_id in ballots],
        ),
        mine=mine,
        unranked_votes=unranked,
        weights=weights,
    )


@dataclass(frozen=True, slots=True)
class Standing:
    title: str
    ballots: Tally


@dataclass(frozen=True, slots=True)
class RoundLine:
    """One round as the page says it."""

    number: int
    active: Tally
    exhausted: Tally
    standings: list[Standing]  # the first TALLIES_SHOWN
    others: int  # papers still in the count beyond those
    others_ballots: Tally  # and their ballots
    eliminated: list[Standing]  # the first ELIMINATED_NAMED of those dropping out
    eliminated_others: int
    transfers: list[Standing]  # where the eliminated's ballots went (the first TRANSFERS_NAMED)
    transfers_others: int  # papers beyond those
    transfers_others_ballots: Tally  # and the ballots they got
    newly_exhausted: Tally
    is_last: bool


def round_lines(ballot: RankedBallot) -> list[RoundLine]:
    """The count's rounds with titles, cut to what a page can show at 500 nominations."""
    titles = {c.id: c.title for c in ballot.candidates}
    lines = []
    rounds = ballot.result.rounds
    for count in rounds:
        tallies = dict(count.tallies)
        shown = count.tallies[:TALLIES_SHOWN]
        rest = count.tallies[TALLIES_SHOWN:]
        lines.append(
            RoundLine(
                number=count.number,
                active=count.active,
                exhausted=count.exhausted,
                standings=[Standing(titles[c], n) for c, n in shown],
                others=len(rest),
                others_ballots=sum(n for _, n in rest),
                eliminated=[
                    Standing(titles[c], tallies[c]) for c in count.eliminated[:ELIMINATED_NAMED]
                ],
                eliminated_others=max(0, len(count.eliminated) - ELIMINATED_NAMED),
                transfers=[Standing(titles[c], n) for c, n in count.transfers[:TRANSFERS_NAMED]],
                transfers_others=max(0, len(count.transfers) - TRANSFERS_NAMED),
                transfers_others_ballots=sum(n for _, n in count.transfers[TRANSFERS_NAMED:]),
                newly_exhausted=count.newly_exhausted,
                is_last=count is rounds[-1],
            )
        )
    return lines
