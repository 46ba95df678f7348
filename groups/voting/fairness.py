"""Fairness across rounds: the rule, and the weights it gives a group's members now.

The rule (`weight_for`, stated on the ballot page as `FAIRNESS_RULE`): a member's weight is
1 + 0.5 x the rounds in a row they lost, at most 2 (so 1, 1.5, 2). A round is lost when the
member took part (had a vote, or on a ranked ballot a ranking, for an open paper when a paper was
scheduled from the ballot) and the winner was none of their choices (not one they voted for; on
a ranked ballot, not among their first three); a round they won resets it, rounds they sat out
change nothing. The history is `groups.models.BallotRound`, written when a paper is scheduled.

Weights are kept in half-votes (`points`: 2, 3 or 4) so sums stay whole numbers in SQL; as a
weight they are Decimals (exact, printed as 1, 1.5, 2).

Callers may rely on: `fairness_weights` is one query whatever the group's history and size, and
names only members whose weight is not 1.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce

from groups.models import BallotRoundVoter, ReadingGroup, Vote

MAX_LOSSES = 2  # losses counted: the weight stops at 1 + 2 x 0.5 = 2

FAIRNESS_RULE = (
    "A member whose choices lost the last rounds counts for more in the next count. Each round "
    "in a row in which none of their papers won (none they voted for; on a ranked ballot, none "
    "among their first three) adds 0.5 to their weight, up to 2: "
    "1 after a win, 1.5 after one lost round, 2 after two or more. A round is decided when a "
    "paper is scheduled from the ballot; rounds a member sat out do not count."
)


def weight_for(losses: int) -> Decimal:
    """A member's weight after `losses` rounds lost in a row (the rule above): 1 + 0.5 per
    loss, at most 2; as half-votes over 2, so it prints as 1, 1.5 or 2."""
    return Decimal(points_for(losses)) / 2


def points_for(losses: int) -> int:
    """The weight in half-votes: 2, 3 or 4."""
    return 2 + min(max(losses, 0), MAX_LOSSES)


@dataclass(frozen=True, slots=True)
class Weights:
    """Members' rounds lost in a row (only those who lost the last one they took part in)."""

    losses: dict[int, int] = field(default_factory=dict)  # user id -> rounds lost in a row

    def of(self, user_id: int | None) -> Decimal:
        return weight_for(self.losses.get(user_id, 0) if user_id is not None else 0)

    def points(self, user_id: int | None) -> int:
        return points_for(self.losses.get(user_id, 0) if user_id is not None else 0)

    def with_points(self, points: int) -> list[int]:
        """The users whose weight is `points` half-votes (3 or 4; the rest count 2)."""
        return [user for user, lost in self.losses.items() if points_for(lost) == points]


def fairness_weights(group: ReadingGroup) -> Weights:
    """Each member's losing streak in the group's decided rounds, capped (see the module)."""
    last_win = (
        BallotRoundVoter.objects.filter(group_id=group.pk, user_id=OuterRef("user_id"), won=True)
        .order_by("-round_id")
        .values("round_id")[:1]
    )
    streaks = (
        BallotRoundVoter.objects.filter(group_id=group.pk, won=False)
        .annotate(last_win=Subquery(last_win))
        .filter(Q(last_win__isnull=True) | Q(round_id__gt=F("last_win")))
        .order_by()
        .values("user_id")
        .annotate(lost=Count("pk"))
        .values_list("user_id", "lost")
    )
    return Weights(losses=dict(streaks))


def weighted_score(weights: Weights) -> CombinedExpression:
    """A nomination's votes weighed, in half-votes: 2 per vote, plus 1 for each voter weighing 1.5
    and 2 for each weighing 2 (a correlated sum over the votes of those few members only)."""
    three, four = weights.with_points(3), weights.with_points(4)
    score = F("vote_count") * 2
    if not three and not four:
        return score + Value(0)
    extra = (
        Vote.objects.filter(nomination=OuterRef("pk"), user_id__in=three + four)
        .annotate(extra=Case(When(user_id__in=four, then=Value(2)), default=Value(1)))
        .order_by()
        .values("nomination")
        .annotate(total=Sum("extra"))
        .values("total")
    )
    return score + Coalesce(Subquery(extra, output_field=IntegerField()), Value(0))
