"""The instant-runoff count: a pure function of the candidates and the ranked ballots.

No database and no Django here, so the count can be checked by hand (tests/groups/voting/
test_runoff.py) and timed alone (bench/ranked.py). Callers may rely on:
- the result depends only on the arguments (candidates in tie-breaking order, ballots in any order);
- every ballot is read once and each of its preferences passed over at most once, so the count
  costs about the total length of the ballots plus candidates x rounds;
- `COUNT_RULE` is the rule as the ballot page states it;
- with `weights` (fairness across rounds, `groups.voting.fairness`) a ballot counts for its
  weight wherever it goes: tallies, majorities, transfers and exhausted ballots are sums of
  weights (Decimals); without, every ballot counts 1 and they are whole numbers.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat

Tally = int | Decimal  # ballots, or with weights the sum of their weights

COUNT_RULE = (
    "Each round, every ballot counts for its highest-ranked paper still in the count. A paper "
    "with more than half of those ballots wins. Otherwise the paper with the fewest drops out and "
    "its ballots pass to their next choice still in the count; when several have the fewest, the "
    "one nominated last drops out (so a tie between the last two goes to the earlier nomination). "
    "Papers nobody has ranked first yet drop out together, which changes no result. A ballot "
    "whose ranked papers have all dropped out is exhausted. Papers you voted for but did not rank "
    "are not counted."
)


@dataclass(frozen=True, slots=True)
class Round:
    """One round of the count."""

    number: int  # 1, 2, ...
    tallies: list[tuple[int, Tally]]  # (candidate, ballots) still in the count: most first, then
    # earlier candidates first
    active: Tally  # ballots counting for a candidate this round (the majority is more than half)
    exhausted: Tally  # ballots that no longer count (all their papers are out), so far
    eliminated: tuple[int, ...]  # who drops out after this round (none in the last round)
    transfers: list[tuple[int, Tally]]  # (candidate, ballots) the eliminated passed on, most first
    newly_exhausted: Tally  # of the eliminated's ballots, how many had no next choice


@dataclass(frozen=True, slots=True)
class RunoffResult:
    winner: int | None  # None when no ballot ranks any candidate
    rounds: list[Round]
    ballots: int  # ballots ranking at least one candidate


def instant_runoff(
    candidates: Sequence[int],
    ballots: Iterable[Sequence[int]],
    weights: Iterable[Decimal] | None = None,
) -> RunoffResult:
    """Counts the ballots (each a sequence of candidates, first choice first) by instant runoff.

    `candidates` are in tie-breaking order: among those with the fewest ballots, the last of them
    drops out. Preferences for anything not in `candidates` are skipped, and so are repeats.
    `weights`, one per ballot in the same order, make each ballot count for its weight.
    """
    position = {candidate: index for index, candidate in enumerate(candidates)}
    if len(position) != len(candidates):
        raise ValueError("Each candidate once.")
    papers: list[list[int]] = []  # each ballot, cleaned
    weight_of: list[Tally] = []  # and its weight
    each: Iterable[Tally] = repeat(1) if weights is None else weights
    for ballot, weight in zip(ballots, each, strict=weights is not None):
        seen: set[int] = set()
        cleaned = []
        for choice in ballot:
            if choice in position and choice not in seen:
                seen.add(choice)
                cleaned.append(choice)
        if cleaned:
            papers.append(cleaned)
            weight_of.append(weight)
    at = [0] * len(papers)  # each ballot's current preference
    piles: dict[int, list[int]] = {candidate: [] for candidate in candidates}
    totals: dict[int, Tally] = dict.fromkeys(candidates, 0)  # each pile's weight
    for index, ballot in enumerate(papers):
        piles[ballot[0]].append(index)
        totals[ballot[0]] += weight_of[index]
    continuing = list(candidates)  # in tie-breaking order
    out: set[int] = set()
    counted: Tally = sum(weight_of)
    exhausted: Tally = 0
    rounds: list[Round] = []
    winner: int | None = None
    while continuing:
        active = counted - exhausted
        tallies = sorted(
            ((c, totals[c]) for c in continuing), key=lambda t: (-t[1], position[t[0]])
        )
        leader, most = tallies[0]
        if not active or most * 2 > active or len(continuing) == 1:
            winner = leader if active else None
            rounds.append(Round(len(rounds) + 1, tallies, active, exhausted, (), [], 0))
            break
        if not tallies[-1][1]:  # no ballot moves, so dropping them one by one would end the same
            eliminated = tuple(c for c in continuing if not piles[c])
        else:
            eliminated = (tallies[-1][0],)  # the last nominated of those with the fewest
        out.update(eliminated)
        continuing = [c for c in continuing if c not in out]
        passed: dict[int, Tally] = {}
        newly_exhausted: Tally = 0
        for candidate in eliminated:
            del totals[candidate]
            for index in piles.pop(candidate):
                ballot = papers[index]
                step = at[index] + 1
                while step < len(ballot) and ballot[step] in out:
                    step += 1
                at[index] = step
                if step == len(ballot):
                    newly_exhausted += weight_of[index]
                else:
                    piles[ballot[step]].append(index)
                    totals[ballot[step]] += weight_of[index]
                    passed[ballot[step]] = passed.get(ballot[step], 0) + weight_of[index]
        exhausted += newly_exhausted
        transfers = sorted(passed.items(), key=lambda t: (-t[1], position[t[0]]))
        rounds.append(
            Round(
                len(rounds) + 1,
                tallies,
                active,
                exhausted - newly_exhausted,
                eliminated,
                transfers,
                newly_exhausted,
            )
        )
    return RunoffResult(winner=winner, rounds=rounds, ballots=len(papers))


def finishing_order(result: RunoffResult) -> list[int]:
    """Every candidate, best placed first: those still in the count at the end as the last round
    stands (the winner first), then those who dropped out, the last to drop out first; papers
    that dropped out together keep the tie-breaking order."""
    if not result.rounds:
        return []
    order = [candidate for candidate, _ in result.rounds[-1].tallies]
    for count in reversed(result.rounds[:-1]):
        order.extend(count.eliminated)
    return order
