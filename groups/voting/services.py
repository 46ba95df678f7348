"""Nominations, approval votes and rankings: the services that change the ballot.

Callers may rely on: one vote per member per nomination (a database constraint; casting twice, or twenty
times at once, leaves one vote and raises nothing); one open nomination per paper and group (nominating an
already nominated paper adds the nominator's vote instead); every nomination starts with its nominator's vote;
every change raises the group's ballot version by one in the same transaction, and a no-op raises nothing
(see `ReadingGroupQuerySet.ballot_bump`); every nomination's `vote_count` is its number of votes, changed by
the database in the statement that writes them (migration 0015's triggers), so in the same transaction. The ballot as pages read it is in `groups.voting.ballot`.

Ranked ballots keep the same votes: a member's ranking orders some of the papers they voted for
(`ranking_save` writes both; taking a vote back drops its rank), so every ranked paper has its
vote. Switching a group's method changes no one's choices (`ballot_method_set`): to ranked choice,
approval votes become unranked preferences (shown, not counted until given a rank); back to
approval, every ranked paper counts as a vote, and the ranks are kept for the next switch.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from groups.models import (
    Activity,
    BallotRound,
    BallotRoundVoter,
    DiscussionSession,
    Membership,
    Nomination,
    Ranking,
    ReadingGroup,
    User,
    Vote,
)
from groups.notifications.tasks import send_group_notices
from groups.similar.tasks import similar_warm
from papers.clients.http import SourceError
from papers.models import Paper
from papers.services import paper_import_by_arxiv_id, parse_arxiv_id


class VotingError(Exception):
    """A rule said no; the message is written for the person who asked."""


class PaperUnavailable(VotingError):
    """arXiv did not answer about a pasted paper; trying again in a while may help."""


NOT_AN_ID = (
    "That is not an arXiv id or link. Paste something like 2406.12345 or "
    "https://arxiv.org/abs/2406.12345."
)


def paper_for_nomination(arxiv_id_or_url: str) -> Paper:
    """The paper to nominate for what a member pasted, imported from arXiv on the spot if new.

    Raises VotingError with a message for the person (PaperUnavailable when arXiv did not
    answer). Call it outside any transaction: it may wait on arXiv, for a few seconds at most.
    """
    if parse_arxiv_id(arxiv_id_or_url) is None:
        raise VotingError(NOT_AN_ID)
    try:
        # A member waits on the page: one short try, not the imports' retries.
        return paper_import_by_arxiv_id(arxiv_id_or_url=arxiv_id_or_url, interactive=True)
    except SourceError as exc:
        error = PaperUnavailable if exc.retryable else VotingError
        raise error(exc.for_people) from exc


def last_discussed_at(*, group: ReadingGroup, paper: Paper) -> datetime | None:
    """When the group last discussed this paper (see `DiscussionSessionQuerySet.discussed`)."""
    return (
        DiscussionSession.objects.discussed()
        .filter(group=group, paper=paper)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )


def last_discussions(
    *, groups: Iterable[ReadingGroup], paper: Paper
) -> dict[int, DiscussionSession]:
    """Group id -> the latest session at which that group discussed this paper (one query):
    what the nominate pages warn about before a paper is nominated again."""
    sessions = (
        DiscussionSession.objects.discussed()
        .filter(group__in=list(groups), paper=paper)
        .order_by("starts_at")
        .only("id", "group_id", "starts_at")
    )
    return {session.group_id: session for session in sessions}


@dataclass(frozen=True)
class VoteChange:
    """What a vote or a take-back did: whether it changed anything, and the ballot version after it."""

    changed: bool
    version: int


def _version(group_id: int) -> int:
    return ReadingGroup.objects.filter(pk=group_id).values_list("ballot_version", flat=True).get()


@dataclass(frozen=True)
class NominationResult:
    nomination: Nomination
    created: bool  # False: the paper was already nominated, the nominator's vote was added
    voted: bool  # a new vote was counted (False when they had already voted)


@transaction.atomic
def nomination_create(
    *, group: ReadingGroup, user: User, paper: Paper, pitch: str = ""
) -> NominationResult:
    """Nominates a paper with the nominator's vote, or votes for its open nomination if there is one."""
    existing = Nomination.objects.filter(group=group, paper=paper).open().first()
    if existing is None:
        try:
            with transaction.atomic():
                nomination = Nomination.objects.create(
                    group=group, paper=paper, nominated_by=user, pitch=pitch.strip()
                )
        except IntegrityError:
            # Someone nominated it in the same instant: theirs stands, ours becomes a vote.
            existing = Nomination.objects.filter(group=group, paper=paper).open().get()
        else:
            Vote.objects.create(nomination=nomination, user=user)
            Activity.objects.record(
                group=group, actor=user, kind=Activity.Kind.NOMINATED, paper=paper
            )
            send_group_notices.delay_on_commit("nomination", nomination.pk)
            similar_warm.delay_on_commit(group.pk)  # a voted paper: the group read it
            ReadingGroup.objects.ballot_bump(group.pk)
            return NominationResult(nomination=nomination, created=True, voted=True)
    change = vote_cast(nomination=existing, user=user)
    return NominationResult(nomination=existing, created=False, voted=change.changed)


def _lock_open(nomination: Nomination) -> Nomination:
    """Re-reads the nomination under a row lock so votes, withdrawals and archiving take turns."""
    current = Nomination.objects.select_for_update(no_key=True).get(pk=nomination.pk)
    if not current.is_open:
        raise VotingError(f"This nomination is {current.get_status_display().lower()}.")
    return current


@transaction.atomic
def vote_cast(*, nomination: Nomination, user: User) -> VoteChange:
    """Counts the member's vote; `changed` is False when it was already there (a double click).

    Raises VotingError when the nomination is no longer open.
    """
    current = _lock_open(nomination)
    try:
        with transaction.atomic():
            Vote.objects.create(nomination=current, user=user)
    except IntegrityError:
        return VoteChange(changed=False, version=_version(current.group_id))
    if current.vote_count == 0:  # its first vote (again): the group's read papers changed
        similar_warm.delay_on_commit(current.group_id)
    return VoteChange(changed=True, version=ReadingGroup.objects.ballot_bump(current.group_id))


@transaction.atomic
def vote_withdraw(*, nomination: Nomination, user: User) -> VoteChange:
    """Takes the member's vote back; `changed` is False when there was none.

    Raises VotingError when the nomination is no longer open.
    """
    current = _lock_open(nomination)
    Ranking.objects.filter(nomination=current, user=user).delete()  # a rank needs its vote
    deleted, _ = Vote.objects.filter(nomination=current, user=user).delete()
    if not deleted:
        return VoteChange(changed=False, version=_version(current.group_id))
    return VoteChange(changed=True, version=ReadingGroup.objects.ballot_bump(current.group_id))


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, user: User) -> Nomination:
    """The nominator takes back a nomination nobody else has voted for."""
    current = _lock_open(nomination)
    if current.nominated_by_id != user.pk:
        raise VotingError("Only the member who nominated a paper can withdraw it.")
    if current.votes.exclude(user=user).exists():
        raise VotingError("Others have voted for this paper, so it stays on the ballot.")
    current.status = Nomination.Status.WITHDRAWN
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "closed_at"])
    Activity.objects.record(
        group=current.group, actor=user, kind=Activity.Kind.WITHDREW, paper=current.paper
    )
    ReadingGroup.objects.ballot_bump(current.group_id)
    return current


@transaction.atomic
def nomination_archive(*, nomination: Nomination, by: Membership) -> Nomination:
    """An organizer takes a nomination off the ballot (its votes are kept)."""
    if not by.is_organizer:
        raise VotingError("Only the group's organizers can archive nominations.")
    current = _lock_open(nomination)
    current.status = Nomination.Status.ARCHIVED
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "closed_at"])
    Activity.objects.record(
        group=current.group, actor=by.user, kind=Activity.Kind.ARCHIVED, paper=current.paper
    )
    ReadingGroup.objects.ballot_bump(current.group_id)
    return current


@transaction.atomic
def ranking_save(
    *, group: ReadingGroup, user: User, order: list[int], among: list[int] | None = None
) -> VoteChange:
    """Makes `order` (open nomination ids, first choice first) the member's whole ranked ballot.

    The ranked papers get ranks 1, 2, 3 ... and the member's vote; the member's votes for the
    group's other open nominations are taken back (on a ranked ballot, leaving a paper unranked
    is saying you would not read it), and their ranks of papers that left the ballot are dropped.
    With `among` (the nominations the member's page showed), only votes for those are taken back:
    a paper nominated since keeps its nominator's vote.
    Ids of nominations that left the ballot since the page was read are skipped. `changed` is
    False when the open ballot already read so (no version bump).

    Raises VotingError when the user is not a member, or an id is repeated or is not one of the
    group's nominations. Two saves by the same member take turns (a lock on their membership):
    the later one stands whole.
    """
    if len(set(order)) != len(order):
        raise VotingError("Each paper can have one place in your ranking.")
    if not Membership.objects.select_for_update().filter(group=group, user=user).exists():
        raise VotingError("Only members can rank the papers.")
    statuses = dict(
        Nomination.objects.filter(group=group, pk__in=order).values_list("id", "status")
    )
    if len(statuses) != len(order):
        raise VotingError("Some of these papers are not on this group's ballot.")
    ranked = [pk for pk in order if statuses[pk] == Nomination.Status.OPEN]
    open_ids = Nomination.objects.filter(group=group).open().values_list("id", flat=True)
    if among is not None:
        open_ids = open_ids.filter(pk__in=among)
    before = list(
        Ranking.objects.filter(group=group, user=user, nomination__status=Nomination.Status.OPEN)
        .order_by("rank")
        .values_list("nomination_id", flat=True)
    )
    voted = set(
        Vote.objects.filter(nomination__in=open_ids, user=user).values_list(
            "nomination_id", flat=True
        )
    )
    if before == ranked and voted == set(ranked):
        return VoteChange(changed=False, version=_version(group.pk))
    # The votes' triggers update each changed nomination's count (migration 0015); locked here
    # first, in id order, so two members' saves changing the same papers wait for each other
    # rather than deadlock (each statement alone would lock its own rows in order).
    changed = voted.symmetric_difference(ranked)
    if changed:
        list(
            Nomination.objects.select_for_update(no_key=True)
            .filter(pk__in=changed)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    Ranking.objects.filter(group=group, user=user).delete()
    Ranking.objects.bulk_create(
        Ranking(group=group, nomination_id=pk, user=user, rank=rank)
        for rank, pk in enumerate(ranked, start=1)
    )
    Vote.objects.filter(nomination__in=open_ids, user=user).exclude(nomination__in=ranked).delete()
    Vote.objects.bulk_create(
        [Vote(nomination_id=pk, user=user) for pk in ranked if pk not in voted],
        ignore_conflicts=True,
    )
    return VoteChange(changed=True, version=ReadingGroup.objects.ballot_bump(group.pk))


@transaction.atomic
def ballot_method_set(*, group: ReadingGroup, method: str) -> bool:
    """Sets how the group's ballot is counted; True when it changed (the ballot version is raised,
    since every page of the ballot now reads differently).

    No one's choices are lost either way (see the module's docstring). Back to approval, every
    rank of an open nomination without its vote gets one (rankings are written with their votes,
    so there should be none; this holds it whatever happened before).
    """
    if method not in ReadingGroup.BallotMethod.values:
        raise VotingError("That is not a ballot method.")
    updated = (
        ReadingGroup.objects.filter(pk=group.pk)
        .exclude(ballot_method=method)
        .update(ballot_method=method)
    )
    group.ballot_method = method
    if not updated:
        return False
    if method == ReadingGroup.BallotMethod.APPROVAL:
        missing = Ranking.objects.filter(
            group=group, nomination__status=Nomination.Status.OPEN
        ).values_list("nomination_id", "user_id")
        Vote.objects.bulk_create(
            [Vote(nomination_id=n, user_id=u) for n, u in missing], ignore_conflicts=True
        )
    group.ballot_version = ReadingGroup.objects.ballot_bump(group.pk)
    return True


# How far down a ranked ballot a choice still counts as backing the paper (a time poll invites
# its supporters: `groups.discussions.polls`).
SUPPORT_TOP_RANKS = 3


def nomination_supporters(nomination: Nomination) -> QuerySet[User]:
    """The current members who back this nomination: its voters on an approval ballot; on a
    ranked ballot, those who put it among their first three choices of the open papers (their
    stored ranks may have gaps: what counts is how many open papers they put ahead of it)."""
    members = User.objects.filter(memberships__group_id=nomination.group_id, is_active=True)
    if not nomination.group.is_ranked:
        return members.filter(votes__nomination=nomination)
    ahead = (
        Ranking.objects.filter(
            group_id=nomination.group_id,
            user_id=OuterRef("user_id"),
            nomination__status=Nomination.Status.OPEN,
            rank__lt=OuterRef("rank"),
        )
        .order_by()
        .values("user_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    top = (
        Ranking.objects.filter(nomination=nomination)
        .annotate(ahead=Coalesce(Subquery(ahead), 0))
        .filter(ahead__lt=SUPPORT_TOP_RANKS)
    )
    return members.filter(pk__in=top.values("user_id"))


@transaction.atomic
def ballot_fairness_set(*, group: ReadingGroup, on: bool) -> bool:
    """Turns fairness across rounds on or off (`groups.voting.fairness`); True when it changed
    (the ballot version is raised: every page of the ballot now ranks differently)."""
    updated = ReadingGroup.objects.filter(pk=group.pk).exclude(fairness=on).update(fairness=on)
    group.fairness = on
    if not updated:
        return False
    group.ballot_version = ReadingGroup.objects.ballot_bump(group.pk)
    return True


def _took_part(group: ReadingGroup) -> QuerySet[User]:
    """The current members with a choice on the open ballot: a vote, or on a ranked ballot a
    rank (a vote without a rank is not counted there)."""
    members = User.objects.filter(memberships__group_id=group.pk, is_active=True)
    chose: QuerySet[Ranking] | QuerySet[Vote]
    if group.is_ranked:
        chose = Ranking.objects.filter(
            group_id=group.pk, user_id=OuterRef("pk"), nomination__status=Nomination.Status.OPEN
        )
    else:
        chose = Vote.objects.filter(
            nomination__group_id=group.pk,
            nomination__status=Nomination.Status.OPEN,
            user_id=OuterRef("pk"),
        )
    return members.filter(Exists(chose))


@transaction.atomic
def ballot_round_record(*, group: ReadingGroup, nomination: Nomination) -> BallotRound:
    """Records a decided round: `nomination` won it, and each member who took part (see
    `_took_part`) won if they support it (`nomination_supporters`), else lost. Call it when a
    nomination is scheduled from the ballot, while it is still open, in that transaction
    (`groups.discussions.services.session_schedule` does); fairness across rounds reads these
    rows (`groups.voting.fairness`). Written whatever the group's settings, so turning fairness
    on weighs by the real history. A nomination wins one round at most (a database constraint)."""
    if nomination.group_id != group.pk:
        raise VotingError("That paper is not on this group's ballot.")
    nomination.group = group  # read once, by the caller
    winners = set(nomination_supporters(nomination).values_list("pk", flat=True))
    voters = list(_took_part(group).values_list("pk", flat=True))
    decided = BallotRound.objects.create(
        group=group, nomination=nomination, method=group.ballot_method
    )
    BallotRoundVoter.objects.bulk_create(
        BallotRoundVoter(round=decided, group=group, user_id=pk, won=pk in winners)
        for pk in sorted(voters)
    )
    return decided
