"""The instant-runoff count, checked by hand (each example's rounds are worked out in its comment)
and against a slow count written from the rule as the page states it."""

import random
from collections.abc import Sequence

import pytest

from groups.voting.runoff import Round, instant_runoff

A, B, C, D = 1, 2, 3, 4


def test_it_elects_a_first_round_majority() -> None:
    # A 3 of 5 > 2.5: A wins at once.
    result = instant_runoff([A, B, C], [[A], [A], [A, B], [B], [C]])
    assert result.winner == A
    assert result.rounds == [Round(1, [(A, 3), (B, 1), (C, 1)], 5, 0, (), [], 0)]


def test_it_passes_the_last_papers_ballots_to_their_next_choice() -> None:
    # Round 1: A 4, B 3, C 2 of 9 (no majority, 8 <= 9): C drops out, both its ballots go to B.
    # Round 2: B 5 of 9 wins.
    ballots = [[A]] * 4 + [[B, C]] * 3 + [[C, B]] * 2
    result = instant_runoff([A, B, C], ballots)
    assert result.winner == B
    first, second = result.rounds
    assert first.tallies == [(A, 4), (B, 3), (C, 2)]
    assert first.eliminated == (C,) and first.transfers == [(B, 2)]
    assert second.tallies == [(B, 5), (A, 4)] and second.eliminated == ()


def test_exhausted_ballots_leave_the_count_and_the_later_nomination_loses_a_tie() -> None:
    # Round 1: A 3, B 2, C 2 of 7: B and C tie for fewest, C (nominated last) drops out; its two
    # ballots rank nothing else: exhausted. Round 2: A 3 of the 5 still counting wins.
    ballots = [[A]] * 3 + [[B]] * 2 + [[C]] * 2
    result = instant_runoff([A, B, C], ballots)
    assert result.winner == A
    first, second = result.rounds
    assert first.eliminated == (C,) and first.transfers == [] and first.newly_exhausted == 2
    assert (second.active, second.exhausted) == (5, 2)
    assert second.tallies == [(A, 3), (B, 2)]


def test_a_tie_between_the_last_two_goes_to_the_earlier_nomination() -> None:
    # 1 each of 2, no majority: the later one drops out, its ballot is exhausted, the other wins.
    assert instant_runoff([A, B], [[A], [B]]).winner == A
    assert instant_runoff([B, A], [[A], [B]]).winner == B


def test_a_single_candidate_wins_with_one_ballot_and_not_with_none() -> None:
    assert instant_runoff([A], [[A]]).winner == A
    alone = instant_runoff([A], [])
    assert alone.winner is None and alone.rounds == [Round(1, [(A, 0)], 0, 0, (), [], 0)]


def test_there_is_no_winner_without_ballots() -> None:
    result = instant_runoff([A, B, C], [[], []])
    assert (result.winner, result.ballots, len(result.rounds)) == (None, 0, 1)
    assert instant_runoff([], [[A]]).winner is None


def test_papers_nobody_ranked_first_drop_out_together() -> None:
    # Round 1: A 2, B 2, C 0, D 0: C and D drop out at once (no ballot moves).
    # Round 2: A 2, B 2: B (later) drops out; [B, A] goes to A, [B] is exhausted.
    # Round 3: A 3 of 3 wins.
    result = instant_runoff([A, B, C, D], [[A, C], [A], [B, A], [B, D]])
    assert result.winner == A
    assert [r.eliminated for r in result.rounds] == [(C, D), (B,), ()]
    assert result.rounds[1].transfers == [(A, 1)] and result.rounds[1].newly_exhausted == 1


def test_a_transfer_skips_papers_already_out() -> None:
    # Round 1: A 3, B 2, C 1, D 1 of 7: D drops out; [D, C, B] goes to C.
    # Round 2: A 3, B 2, C 2: C drops out; [C, B] to B, [D, C, B] skips D to B.
    # Round 3: B 4 of 7 wins.
    ballots = [[A]] * 3 + [[B]] * 2 + [[C, B], [D, C, B]]
    result = instant_runoff([A, B, C, D], ballots)
    assert result.winner == B
    assert result.rounds[1].transfers == [(B, 2)]
    assert result.rounds[2].tallies == [(B, 4), (A, 3)]


def test_it_skips_unknown_and_repeated_choices() -> None:
    result = instant_runoff([A, B], [[9, B, B, A], [A]])
    assert result.ballots == 2
    assert result.rounds[0].tallies == [(A, 1), (B, 1)]


def test_it_refuses_a_candidate_twice() -> None:
    with pytest.raises(ValueError):
        instant_runoff([A, A], [])


def _slow_count(candidates: Sequence[int], ballots: list[list[int]]) -> int | None:
    """The page's rule, one paper out per round, recounting every ballot each round."""
    continuing = list(candidates)
    while continuing:
        tallies = dict.fromkeys(continuing, 0)
        for ballot in ballots:
            first = next((c for c in ballot if c in tallies), None)
            if first is not None:
                tallies[first] += 1
        active = sum(tallies.values())
        if active == 0:
            return None
        leader = max(continuing, key=lambda c: (tallies[c], -continuing.index(c)))
        if tallies[leader] * 2 > active or len(continuing) == 1:
            return leader
        fewest = min(tallies.values())
        continuing.remove([c for c in continuing if tallies[c] == fewest][-1])
    return None


def test_it_agrees_with_a_slow_count_of_the_stated_rule() -> None:
    rng = random.Random(15)
    for _ in range(300):
        candidates = list(range(1, rng.randint(1, 8) + 1))
        ballots = [
            rng.sample(candidates, rng.randint(0, len(candidates)))
            for _ in range(rng.randint(0, 12))
        ]
        assert instant_runoff(candidates, ballots).winner == _slow_count(candidates, ballots)
