"""Fairness across rounds: the group's decided rounds, and who took part in each and won or lost.

A round is decided when a nomination is scheduled from the ballot (`session_schedule`, directly
or from a time poll's pick); `groups.voting.services.ballot_round_record` writes it in the same
transaction, whether or not the group weighs by fairness, so turning the setting on reads the
group's real history. `groups.voting.fairness` turns it into weights.
"""

from django.conf import settings
from django.db import models

from groups.models.groups import Nomination, ReadingGroup


class BallotRound(models.Model):
    """One decided round: the nomination that won it (scheduled from the ballot)."""

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="+")
    # A nomination is scheduled once (the session's OneToOne), so it wins one round at most.
    nomination = models.OneToOneField(
        Nomination, on_delete=models.CASCADE, related_name="ballot_round"
    )
    method = models.CharField(max_length=10, choices=ReadingGroup.BallotMethod)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["group", "id"], name="ballot_round_group_order")]

    def __str__(self) -> str:
        return f"Round won by {self.nomination_id} in {self.group_id}"


class BallotRoundVoter(models.Model):
    """A member who took part in a round (voted for, or ranked, an open paper then), and whether
    the winner was one of their choices (`groups.voting.services.nomination_supporters`)."""

    round = models.ForeignKey(BallotRound, on_delete=models.CASCADE, related_name="voters")
    # The group, copied from the round, so a member's history in a group is one index range.
    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    won = models.BooleanField()

    class Meta:
        ordering = ["round_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_round_voter_per_member"),
        ]
        indexes = [
            models.Index(fields=["group", "user", "round"], name="round_voter_history"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {'won' if self.won else 'lost'} round {self.round_id}"
