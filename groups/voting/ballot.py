"""The ballot as pages read it: ranked rows built without model instances, and vote answers.

Callers may rely on:
- ranks and vote counts come from one SQL statement that also reads the group's ballot version,
  so `BallotPage.version` and `VoteAnswer.version` name the state those numbers belong to;
- a `VoteAnswer` with `before` set is an exact delta: the ballot at `version` is the ballot at
  `before` with only this row's vote changed (it moved from `old_rank` to `row.rank`; the rows it
  passed shifted by one). Without `before`, a page older than `version` must fetch the list again;
- the number of queries does not grow with nominations, members or votes;
- with fairness across rounds off (the default), the ballot is ranked by the stored vote count,
  read in order from its index. With it on (`ReadingGroup.fairness`), by the votes weighed by
  their voters' weights (`groups.voting.fairness`): one query more for the weights, and the
  statement sums the few weighted members' votes of every open nomination (no index order).
"""

import html
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from hashlib import blake2s
from typing import TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from groups.models import DiscussionSession, Membership, Nomination, ReadingGroup, User, Vote
from groups.models.people import FORMER_MEMBER
from groups.voting.fairness import Weights, fairness_weights, weighted_score
from groups.voting.ranked import ranked_ballot
from groups.voting.services import VoteChange
from papers.models import arxiv_abs_url

PAGE_STEP = 50  # rows shown at first, and added by each "Show more"
MAX_SHOWN = 1000
AUTHORS_SHOWN = 3
VOTERS_SHOWN = 12  # per ballot row; the nomination page names them all


class BallotRow(TypedDict):
    """One nomination as a ballot row shows it: a dict, because templates try a key before an
    attribute. Printed values are text escaped once here (SafeString), because the template would
    escape each again at every use (the id and the address are printed four times a row), and
    format numbers at every print."""

    id: int
    key: SafeString  # the id
    base: SafeString  # the nomination's address; its actions append "vote/", "unvote/", ...
    rank: int | None  # None once the nomination has left the open ballot
    rank_text: SafeString  # "" off the ballot
    is_open: bool
    status_label: SafeString
    arxiv_id: SafeString
    abs_url: SafeString
    title: SafeString
    authors_line: SafeString
    pitch_html: SafeString
    nominator: SafeString
    nominated_on: SafeString
    discussed_on: SafeString
    vote_count: int
    count_text: SafeString
    count_label: SafeString  # "vote" or "votes"
    voters_line: SafeString  # "Ada, Bob and 3 more"
    my_vote: bool
    can_withdraw: bool


@dataclass(frozen=True, slots=True)
class BallotUrls:
    """Address prefixes, reversed once per page; rows append their id (no per-row reversing)."""

    ballot: str
    nomination: str  # + "<id>/", "<id>/vote/", "<id>/unvote/", "<id>/withdraw/", "<id>/archive/"
    schedule: str
    sign_in: str

    @classmethod
    def for_group(cls, group: ReadingGroup) -> "BallotUrls":
        one = reverse("group_nomination", args=[group.slug, 1])
        ballot = reverse("group_ballot", args=[group.slug])
        return cls(
            ballot=ballot,
            nomination=one.removesuffix("1/"),
            schedule=reverse("session_create", args=[group.slug]),
            sign_in=f"{reverse('account_login')}?{urlencode({'next': ballot})}",
        )


@dataclass(frozen=True, slots=True)
class Ranked:
    id: int
    votes: int
    created_at: datetime | None  # None when the ranking was read without creation times
    score: int  # what ranks it: the votes, or with fairness on the weighed votes in half-votes

    def key(self, score: int | None = None) -> tuple[int, datetime, int]:
        """The ballot's order: highest score first, ties to the earlier nomination, then the
        lower id."""
        assert self.created_at is not None, "read the ranking with_created=True"
        return (-(self.score if score is None else score), self.created_at, self.id)


# What a row shows of its nomination, as `rows_for` reads it (or `ranking` with `with_rows`).
ROW_FIELDS = (
    "id",
    "status",
    "pitch",
    "created_at",
    "nominated_by_id",
    "nominated_by__display_name",
    "nominated_by__username",
    "paper__arxiv_id",
    "paper__title",
    "paper__authors",
    "discussed_at",
)
RowValues = tuple  # the values of ROW_FIELDS, in that order


@dataclass(frozen=True, slots=True)
class Ranking:
    """Open nominations in rank order (all, or the first `top`), read in one statement with the
    ballot version."""

    version: int
    order: list[Ranked]  # the first `top` when read so, else all
    matching: list[Ranked]  # those the filter keeps (all of `order` without a filter)
    total: int  # open nominations on the whole ballot
    rows: dict[int, RowValues]  # nomination id -> ROW_FIELDS values, when read `with_rows`
    weights: Weights | None = None  # read when the group weighs by fairness

    def step(self, user_id: int | None) -> int:
        """How much one vote of this member moves a score."""
        return 1 if self.weights is None else self.weights.points(user_id)


def ranking(
    group: ReadingGroup,
    *,
    query: str = "",
    with_created: bool = False,
    top: int | None = None,
    with_rows: bool = False,
) -> Ranking:
    """One query. `query` filters by title, arXiv id or author; ranks stay those of the whole ballot.

    `top` reads only the first so many (with no filter): their ranks are their places, read in
    rank order from the index `nomination_open_ballot_order`, and the same statement counts the
    rest. `with_created` reads creation times too (`Ranked.key`). `with_rows` (with `top` and no
    filter) also reads what their rows show, so `rows_for` needs no query of its own for them:
    one statement fewer on the ballot's first page.
    """
    needle = query.strip().casefold()
    weights = fairness_weights(group) if group.fairness else None
    rows = (
        Nomination.objects.filter(group=group).open().annotate(version=F("group__ballot_version"))
    )
    if weights is None:
        rows = rows.ranked()
    else:
        rows = rows.annotate(score=weighted_score(weights)).order_by("-score", "created_at", "id")
    first = top is not None and not needle
    if first:
        # Counted once for the statement (not per row, as a window would, which also made every
        # row's other columns be computed before the LIMIT).
        open_count = (
            Nomination.objects.filter(group=group)
            .open()
            .order_by()
            .values("group")
            .annotate(n=Count("pk"))
            .values("n")
        )
        rows = rows.annotate(total=Subquery(open_count))[:top]
    weighed = ["score"] if weights is not None else []  # else the score is the vote count
    fields = ["id", "vote_count", "version", *weighed] + (["total"] if first else [])
    fields += ["created_at"] if with_created else []
    if needle:  # matched here, not in SQL: the same Unicode case folding on both databases
        fields += ["paper__title", "paper__arxiv_id", "paper__authors"]
    searched = len(fields) - 3  # where the filter's fields start, when there is a filter
    created_at = fields.index("created_at") if with_created else 0
    detailed = with_rows and first
    if detailed:
        rows = rows.annotate(discussed_at=DiscussionSession.objects.last_discussed_start())
        details_from = len(fields)
        fields += ROW_FIELDS[1:]
    order: list[Ranked] = []
    matching: list[Ranked] = []
    details: dict[int, RowValues] = {}
    version: int | None = None
    total = 0
    for values in rows.values_list(*fields):
        pk, votes, version = values[:3]
        score = values[3] if weighed else votes
        if first:
            total = values[3 + len(weighed)]
        item = Ranked(
            id=pk,
            votes=votes,
            created_at=values[created_at] if with_created else None,
            score=score,
        )
        order.append(item)
        if not needle or _matches(needle, *values[searched:]):
            matching.append(item)
        if detailed:
            details[pk] = (pk, *values[details_from:])
    if not first:
        total = len(order)
    if version is None:  # an empty ballot: the version is all there is to read
        version = (
            ReadingGroup.objects.filter(pk=group.pk).values_list("ballot_version", flat=True).get()
        )
    return Ranking(
        version=version,
        order=order,
        matching=matching,
        total=total,
        rows=details,
        weights=weights,
    )


@dataclass(frozen=True, slots=True)
class BallotOrder:
    ids: list[int]  # the open nominations, best first
    winner: int | None  # the first, when the ballot has decided one (someone voted or ranked)


def ballot_order(group: ReadingGroup) -> BallotOrder | None:
    """The open nominations best first, as the group's ballot decides them, when that is not the
    stored vote count's order: on a ranked ballot, the count's (the winner first, then as they
    finished: `runoff.finishing_order`); on an approval ballot weighed by fairness, the weighed
    ranking. None for an approval ballot without fairness: `NominationQuerySet.ranked` is the
    order. Two or three queries."""
    if group.is_ranked:
        counted = ranked_ballot(group, viewer=AnonymousUser())
        return BallotOrder(ids=counted.order, winner=counted.result.winner)
    if group.fairness:
        order = ranking(group).order
        return BallotOrder(
            ids=[item.id for item in order],
            winner=order[0].id if order and order[0].votes else None,
        )
    return None


def ballot_leaders(group: ReadingGroup, limit: int) -> tuple[list[Nomination], int | None]:
    """The first `limit` open nominations in the ballot's order (`ballot_order`), with their
    paper and nominator, and the winner's id (None before anyone voted or ranked)."""
    decided = ballot_order(group)
    if decided is None:
        top = list(Nomination.objects.filter(group=group).open().ranked().for_ballot()[:limit])
        return top, (top[0].pk if top and top[0].vote_count else None)
    first = decided.ids[:limit]
    found = Nomination.objects.filter(group=group, pk__in=first).for_ballot().in_bulk()
    return [found[pk] for pk in first if pk in found], decided.winner


def _matches(needle: str, title: str, arxiv_id: str, authors: list[str] | None) -> bool:
    haystack = " ".join([title, arxiv_id, *(authors or [])]).casefold()
    return needle in haystack


def _voters(nomination_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Nomination id -> its voters as (user id, name), in voting order. One query."""
    voters: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        Vote.objects.filter(nomination_id__in=nomination_ids)
        .order_by("created_at", "id")
        .values_list("nomination_id", "user_id", "user__display_name", "user__username")
    )
    for nomination_id, user_id, display_name, username in rows:
        voters[nomination_id].append((user_id, display_name or username))
    return voters


def _voters_line(voters: list[tuple[int, str]], viewer_id: int | None, shown: int | None) -> str:
    """The first `shown` voters' names in voting order and how many more; the viewer's own vote
    is always named."""
    if shown is None or len(voters) <= shown:
        return ", ".join(name for _, name in voters)
    named = voters[:shown]
    if viewer_id is not None and all(user_id != viewer_id for user_id, _ in named):
        named = [*named[: shown - 1], *(voter for voter in voters if voter[0] == viewer_id)]
    return f"{', '.join(name for _, name in named)} and {len(voters) - shown} more"


def _html(text: str) -> SafeString:
    """Escaped once, as django.utils.html.escape does, without its lazy-string check per call."""
    return SafeString(html.escape(text))


def _pitch_html(pitch: str) -> SafeString:
    """As the `linebreaksbr` filter writes it (newlines normalized, escaped, <br> for each), without
    its lazy-string wrappers."""
    text = html.escape(pitch.replace("\r\n", "\n").replace("\r", "\n"))
    return SafeString(text.replace("\n", "<br>"))


def _authors_line(authors: list[str] | None) -> str:
    authors = authors or []
    line = ", ".join(authors[:AUTHORS_SHOWN])
    return f"{line} et al." if len(authors) > AUTHORS_SHOWN else line


def _day(value: datetime | None, days: dict[date, str]) -> str:
    """The day, as "3 Dec 2026" in the active zone; `days` keeps each day's text (rows share few)."""
    if value is None:
        return ""
    day = timezone.localtime(value).date()
    if day not in days:
        days[day] = date_format(day, "j M Y")
    return days[day]


def rows_for(
    group: ReadingGroup,
    ids: Iterable[int],
    *,
    ranking: Ranking,
    viewer: User | AnonymousUser,
    with_voters: bool,
    voters_shown: int | None = VOTERS_SHOWN,
) -> list[BallotRow]:
    """The rows for these nominations of the group (open or not), in the order given.

    Two queries (the rows, their voters; one when `ranking` read the rows already). Open
    nominations show the vote count `ranking` read with their ranks, closed ones their stored
    count. `voters_shown` names at most that many voters per row (None: all of them).
    """
    ids = list(ids)
    if not ids:
        return []
    counted = {item.id: item.votes for item in ranking.order}
    ranks = {item.id: rank for rank, item in enumerate(ranking.order, start=1)}
    if all(pk in ranking.rows for pk in ids):
        found = ranking.rows
    else:
        found = {}
        for values in (
            Nomination.objects.filter(group=group, pk__in=ids)
            .annotate(discussed_at=DiscussionSession.objects.last_discussed_start())
            .values_list(*ROW_FIELDS, "vote_count")
        ):
            found[values[0]] = values[:-1]
            counted.setdefault(values[0], values[-1])  # open ones keep the count of their rank
    voters = _voters(ids) if with_voters else {}
    statuses = dict(Nomination.Status.choices)
    prefix = _html(BallotUrls.for_group(group).nomination)
    viewer_id = viewer.pk
    days: dict[date, str] = {}
    rows = []
    for pk in ids:
        if pk not in found:
            continue
        (
            _,
            status,
            pitch,
            created_at,
            nominated_by_id,
            display_name,
            username,
            arxiv_id,
            title,
            authors,
            discussed_at,
        ) = found[pk]
        row_voters = voters.get(pk, [])
        voter_ids = {user_id for user_id, _ in row_voters}
        is_open = status == Nomination.Status.OPEN
        rank = ranks.get(pk)
        votes = counted.get(pk, 0)
        rows.append(
            BallotRow(
                id=pk,
                key=SafeString(pk),  # digits
                base=SafeString(f"{prefix}{pk}/"),
                rank=rank,
                rank_text=SafeString("" if rank is None else rank),
                is_open=is_open,
                status_label=_html(statuses[status]),
                arxiv_id=_html(arxiv_id),
                abs_url=_html(arxiv_abs_url(arxiv_id)),
                title=_html(title),
                authors_line=_html(_authors_line(authors)),
                pitch_html=_pitch_html(pitch) if pitch else SafeString(""),
                nominator=_html((display_name or username) if nominated_by_id else FORMER_MEMBER),
                nominated_on=_html(_day(created_at, days)),
                discussed_on=_html(_day(discussed_at, days)),
                vote_count=votes,
                count_text=SafeString(votes),
                count_label=SafeString("vote" if votes == 1 else "votes"),
                voters_line=_html(_voters_line(row_voters, viewer_id, voters_shown)),
                my_vote=viewer_id in voter_ids,
                can_withdraw=(
                    with_voters
                    and is_open
                    and nominated_by_id == viewer_id
                    and voter_ids <= {viewer_id}
                ),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class BallotPage:
    version: int
    rows: list[BallotRow]
    query: str
    shown: int  # how many rows were asked for
    open_count: int  # on the whole ballot
    matching_count: int  # kept by the filter

    @property
    def has_more(self) -> bool:
        return self.matching_count > len(self.rows)

    @property
    def next_shown(self) -> int:
        return min(self.shown + PAGE_STEP, MAX_SHOWN)


def shown_param(value: str | None) -> int:
    """The `show` query parameter: a multiple of PAGE_STEP between PAGE_STEP and MAX_SHOWN."""
    try:
        asked = int(value or PAGE_STEP)
    except ValueError:
        asked = PAGE_STEP
    steps = max(1, -(-asked // PAGE_STEP))
    return min(steps * PAGE_STEP, MAX_SHOWN)


def ballot_page(
    group: ReadingGroup,
    *,
    viewer: User | AnonymousUser,
    membership: Membership | None,
    query: str = "",
    shown: int = PAGE_STEP,
) -> BallotPage:
    """The top `shown` ranked open nominations the filter keeps. Three queries at most (two
    without a filter)."""
    ranked = ranking(group, query=query, top=shown, with_rows=True)
    visible = [item.id for item in ranked.matching[:shown]]
    rows = rows_for(
        group, visible, ranking=ranked, viewer=viewer, with_voters=membership is not None
    )
    return BallotPage(
        version=ranked.version,
        rows=rows,
        query=query.strip(),
        shown=shown,
        open_count=ranked.total,
        matching_count=len(ranked.matching) if query.strip() else ranked.total,
    )


def ballot_row(
    group: ReadingGroup, nomination_id: int, *, viewer: User | AnonymousUser, with_voters: bool
) -> BallotRow | None:
    """One nomination of the group as its row shows it, whatever its status; None if not found."""
    ranked = ranking(group)
    rows = rows_for(
        group,
        [nomination_id],
        ranking=ranked,
        viewer=viewer,
        with_voters=with_voters,
        voters_shown=None,
    )
    return rows[0] if rows else None


def view_key(
    *, viewer: User | AnonymousUser, membership: Membership | None, query: str, shown: int
) -> str:
    """Everything but the version that a list answer's HTML depends on, as a short digest.

    Dates are printed in the viewer's zone and "discussed" badges appear as sessions pass, so the
    zone and the day are part of it.
    """
    role = membership.role if membership is not None else "-"
    zone = timezone.get_current_timezone_name()
    context = f"{viewer.pk}|{role}|{query.strip()}|{shown}|{zone}|{timezone.localdate()}"
    return blake2s(context.encode(), digest_size=6).hexdigest()


def etag(version: int, key: str) -> str:
    """The list answer's ETag; the page rebuilds it from its `data-version` and `data-view-key`."""
    return f'W/"{version}-{key}"'


@dataclass(frozen=True, slots=True)
class VoteAnswer:
    row: BallotRow
    version: int
    before: int | None
    old_rank: int | None


def vote_answer(
    group: ReadingGroup,
    nomination_id: int,
    *,
    viewer: User,
    change: VoteChange | None,
    delta: int,
) -> VoteAnswer | None:
    """What a member's vote (delta +1) or take-back (-1) changed, as the clicked row shows it.

    `change` is None when the service refused (the nomination is closed): the row then shows its
    status, and the answer is no delta.
    """
    ranked = ranking(group, with_created=True)
    rows = rows_for(group, [nomination_id], ranking=ranked, viewer=viewer, with_voters=True)
    if not rows:
        return None
    row = rows[0]
    if change is None or change.version != ranked.version:  # refused, or others changed it since
        return VoteAnswer(row=row, version=ranked.version, before=None, old_rank=row["rank"])
    if not change.changed:
        return VoteAnswer(
            row=row, version=ranked.version, before=ranked.version, old_rank=row["rank"]
        )
    old_rank = None
    for item in ranked.order:
        if item.id == nomination_id:
            old_key = item.key(score=item.score - delta * ranked.step(viewer.pk))
            old_rank = 1 + sum(
                1 for other in ranked.order if other.id != item.id and other.key() < old_key
            )
            break
    return VoteAnswer(row=row, version=ranked.version, before=ranked.version - 1, old_rank=old_rank)
