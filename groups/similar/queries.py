"""Which papers a group has read that resemble a paper, and which of the last week's daily
papers resemble what the group has read (arxiv-sanity-lite's idea, for a group).

A group's *discussed* papers are those of its sessions held (`DiscussionSessionQuerySet.past`),
each with its latest such session; what it has *read* adds the papers of its nominations that
members voted for (any but withdrawn ones). Their shelf (`tfidf.Shelf`: their TF-IDF matrix,
from their term counts as papers.indexing stored them, with the idf of the group's own papers)
is named by a digest of the papers' ids and text stamps (`text_stamp`): a new session held, a
vote on a new paper or a paper's text changed gives a new digest, so a shelf is never stale and
is never invalidated by hand. It is kept in a small per-process memo under its digest, and in the
cache (Redis in production: a shelf of 600 papers is about 1 MB of arrays, unpickled in 2 ms,
where reading 600 papers' stored counts and building it takes about 15-25 ms) in one entry per
group and kind, which a new version replaces. The warm tasks (tasks.py) build both of a
group's shelves when its read papers change, so web processes read them. A warm lookup costs the one query that lists the group's
papers (ids, dates, titles: what the page shows of them); a cold one also reads their term
counts.

Each candidate suggestion's best match is cached (Django's cache: Redis in production) per
shelf, so the suggestions of a warm shelf score only the papers that are new since.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Max, Q

from groups.caching import Memo, cache_read, cache_write
from groups.models import DiscussionSession, Nomination, ReadingGroup
from groups.similar.tfidf import Shelf
from papers.models import DailyListing, Paper
from papers.terms import text_terms

SIMILAR_LIMIT = 3
SUGGESTION_LIMIT = 5
SUGGESTION_DAYS = 7
# Below this cosine two papers share little more than common words: not worth showing.
MIN_SCORE = 0.1
CACHE_SECONDS = 7 * 24 * 3600
MEMO_SIZE = 32

_shelves = Memo(MEMO_SIZE)


@dataclass(frozen=True)
class ReadPaper:
    """A paper the group has read: discussed (with its latest session held), or voted for."""

    paper_id: int
    arxiv_id: str
    title: str
    indexed_at: datetime | None  # Paper.search_indexed_at: see text_stamp
    session_id: int | None = None
    discussed_at: datetime | None = None


@dataclass(frozen=True)
class Similar:
    """A read paper resembling the one asked about, and how much (cosine, 0 to 1)."""

    read: ReadPaper
    score: float


@dataclass(frozen=True)
class Suggestion:
    """A daily paper of the last week for the group, and the read paper it resembles most."""

    paper_id: int
    arxiv_id: str
    title: str
    like: ReadPaper
    score: float


def discussed_by_group(groups: Iterable[ReadingGroup]) -> dict[int, dict[int, ReadPaper]]:
    """Group id -> paper id -> the paper as discussed (its latest session held). One query."""
    rows = (
        DiscussionSession.objects.filter(group__in=list(groups))
        .past()
        .values_list(
            "group_id",
            "paper_id",
            "paper__arxiv_id",
            "paper__title",
            "paper__search_indexed_at",
            "id",
            "starts_at",
        )
    )
    found: dict[int, dict[int, ReadPaper]] = {}
    for group_id, paper_id, arxiv_id, title, indexed_at, session_id, starts_at in rows:
        papers = found.setdefault(group_id, {})
        if paper_id not in papers:  # newest first: the first is the latest session
            papers[paper_id] = ReadPaper(
                paper_id, arxiv_id, title, indexed_at, session_id, starts_at
            )
    return found


def discussed_papers(group: ReadingGroup) -> dict[int, ReadPaper]:
    """Paper id -> the paper as the group discussed it (its latest session held). One query."""
    return discussed_by_group([group]).get(group.pk, {})


def read_papers(group: ReadingGroup) -> dict[int, ReadPaper]:
    """The discussed papers and those of nominations members voted for. Two queries."""
    read = discussed_papers(group)
    voted = (
        Nomination.objects.filter(group=group, vote_count__gt=0)
        .exclude(status=Nomination.Status.WITHDRAWN)
        .values_list("paper_id", "paper__arxiv_id", "paper__title", "paper__search_indexed_at")
    )
    for paper_id, arxiv_id, title, indexed_at in voted:
        read.setdefault(paper_id, ReadPaper(paper_id, arxiv_id, title, indexed_at))
    return read


def text_stamp(indexed_at: datetime | None) -> str:
    """What changes when a paper's text does, and only then: `Paper.search_indexed_at`, which
    every change of its title, abstract, authors or keywords (an import's, a superuser's in the
    admin) empties and papers.indexing sets again within a minute. Not `updated_at`, which every
    re-import that moves the upvotes changes: the index of a group's recent papers would be
    rebuilt after every daily import."""
    return indexed_at.isoformat() if indexed_at else "pending"


def _digest(kind: str, papers: Iterable[tuple[int, datetime | None]]) -> str:
    text = ";".join(f"{pk}:{text_stamp(indexed)}" for pk, indexed in sorted(papers))
    return f"similar:{kind}:{hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}"


def shelf_of(group_id: int, kind: str, read: dict[int, ReadPaper]) -> Shelf:
    """The shelf of these papers, a group's `kind` of read papers ("discussed" or "read"): from
    this process's memo, else from the cache (one entry per group and kind, holding the digest
    it was built for: a new version replaces the old one), else built (one query) and kept in
    both."""
    digest = _digest("shelf", ((pk, paper.indexed_at) for pk, paper in read.items()))
    shelf: Shelf | None = _shelves.get(digest)
    if shelf is not None:
        return shelf
    slot = f"similar:shelf:{group_id}:{kind}"
    held: tuple[str, Shelf] | None = cache_read(slot)
    if held is not None and held[0] == digest:
        shelf = held[1]
    else:
        shelf = Shelf.build(sorted(Paper.objects.filter(pk__in=list(read)).term_counts()))
        cache_write(slot, (digest, shelf), CACHE_SECONDS)
    _shelves.put(digest, shelf)
    return shelf


def shelves_forget() -> None:
    """Empties this process's memo of shelves (the benchmark's cold runs; the cache is apart)."""
    _shelves.clear()


def similar_in(
    group_id: int, discussed: dict[int, ReadPaper], paper: Paper, *, limit: int = SIMILAR_LIMIT
) -> list[Similar]:
    """The papers the group discussed (`discussed_by_group`'s) most like `paper` (never itself),
    best first; none that share no term."""
    if not discussed:
        return []
    counts = text_terms(paper.title, paper.abstract, paper.ai_keywords)
    nearest = shelf_of(group_id, "discussed", discussed).nearest(
        counts, limit=limit, leave_out=frozenset({paper.pk})
    )
    return [Similar(read=discussed[pk], score=score) for pk, score in nearest if score >= MIN_SCORE]


def similar_discussed(
    group: ReadingGroup, paper: Paper, *, limit: int = SIMILAR_LIMIT
) -> list[Similar]:
    """Up to `limit` papers the group discussed most like `paper`. Warm: one query."""
    return similar_in(group.pk, discussed_papers(group), paper, limit=limit)


def suggestion_days() -> tuple[date, date] | None:
    """The last week of daily lists: the newest day listed and the six before it (None when
    nothing was ever listed). The newest listed day, not today, so a pause in imports (or the
    sample day of the embedded set-up) still has a week to suggest from."""
    newest = DailyListing.objects.aggregate(newest=Max("day"))["newest"]
    if newest is None:
        return None
    return newest - timedelta(days=SUGGESTION_DAYS - 1), newest


def _candidates(group: ReadingGroup) -> list[tuple[int, str, str, datetime | None]]:
    """The last week's listed papers the group has not nominated (open, scheduled or archived)
    nor met about: (id, arXiv id, title, search_indexed_at). One query (two with the days)."""
    days = suggestion_days()
    if days is None:
        return []
    nominated = Nomination.objects.filter(group=group).exclude(status=Nomination.Status.WITHDRAWN)
    met = DiscussionSession.objects.filter(group=group).exclude(
        status=DiscussionSession.Status.CANCELLED
    )
    rows = (
        Paper.objects.for_days(*days)
        .exclude(pk__in=nominated.values("paper_id"))
        .exclude(pk__in=met.values("paper_id"))
        .order_by()
        .values_list("pk", "arxiv_id", "title", "search_indexed_at")
    )
    return list(rows)


def _best_matches(
    group_id: int,
    read: dict[int, ReadPaper],
    candidates: Sequence[tuple[int, str, str, datetime | None]],
) -> dict[tuple[int, str], tuple[int, float]]:
    """(candidate id, its text_stamp) -> (the read paper it is most like, cosine), for every
    candidate with a match. Kept in the cache per shelf and scored only for candidates the entry
    does not hold yet: after a daily import, only the day's new papers are read and scored."""
    shelf_key = _digest("shelf", ((pk, paper.indexed_at) for pk, paper in read.items()))
    key = f"{shelf_key}:best"
    known: dict[tuple[int, str], tuple[int, float] | None] = cache_read(key) or {}
    stamps = {pk: text_stamp(indexed_at) for pk, _, _, indexed_at in candidates}
    missing = [pk for pk, stamp in stamps.items() if (pk, stamp) not in known]
    if missing:
        # Many papers against one shelf: one sparse product finds each one's best match.
        scored = Paper.objects.filter(pk__in=missing).term_counts()
        matches = shelf_of(group_id, "read", read).best([counts for _, counts in scored])
        for (pk, _), match in zip(scored, matches, strict=True):
            known[(pk, stamps[pk])] = match
        # Only the current candidates are kept: the entry never grows past a week of papers.
        wanted = set(stamps.items())
        known = {stamp: match for stamp, match in known.items() if stamp in wanted}
        cache_write(key, known, CACHE_SECONDS)
    return {stamp: match for stamp, match in known.items() if match is not None}


def suggestions(group: ReadingGroup) -> list[Suggestion]:
    """Up to five of the last week's daily papers most like what the group has read and voted
    for, each with the read paper it resembles most; best first. Never a paper the group has
    nominated or met about, nor a hidden one. Each candidate's best match is cached per set of
    read papers (`_best_matches`): warm, four queries and no text read."""
    read = read_papers(group)
    candidates = _candidates(group)
    if not read or not candidates:
        return []
    best = _best_matches(group.pk, read, candidates)
    shown = {pk: (arxiv_id, title) for pk, arxiv_id, title, _ in candidates}
    ranked = sorted(
        ((score, pk, like) for (pk, _), (like, score) in best.items() if score >= MIN_SCORE),
        key=lambda item: (-item[0], item[1]),
    )
    return [
        Suggestion(pk, *shown[pk], like=read[like], score=score)
        for score, pk, like in ranked[:SUGGESTION_LIMIT]
    ]


def groups_reading() -> list[int]:
    """The ids of the groups that have read something: a session held or a voted nomination.
    One query."""
    held = DiscussionSession.objects.past().values("group_id")
    voted = Nomination.objects.filter(vote_count__gt=0).exclude(status=Nomination.Status.WITHDRAWN)
    return list(
        ReadingGroup.objects.filter(Q(pk__in=held) | Q(pk__in=voted.values("group_id")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def suggestions_warm(group_ids: Iterable[int]) -> int:
    """Builds these groups' shelves (of the papers discussed, and of those read) into the cache
    and works out their suggestions, so each candidate's best match is cached for the ballot's
    panel and no web process builds a shelf; returns how many groups there were."""
    groups = list(ReadingGroup.objects.filter(pk__in=list(group_ids)))
    for group in groups:
        discussed = discussed_papers(group)
        if discussed:
            shelf_of(group.pk, "discussed", discussed)
        suggestions(group)
    return len(groups)
