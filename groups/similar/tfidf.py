"""TF-IDF and cosine similarity of papers' text, in pure Python (no numpy): a group's shelf is
hundreds of papers, small enough to score a paper against each of them in C loops of the
standard library (`math.sumprod` over the paper's terms), and both databases get the same answer.

A paper's terms and their counts are papers.terms' (title and keywords counted twice), stored by
papers.indexing. Term frequency is sublinear (1 + log tf), inverse document frequency is smoothed
(log((1 + n) / (1 + df)) + 1, as scikit-learn's default), vectors are L2-normalised, so the dot
product of two vectors is their cosine.

A shelf keeps its documents' counts and norms, not their weighted vectors: building it is the
idf and one norm per document, and a paper's cosine with a document is the sum, over the paper's
terms, of its weight times the term's idf times the document's sublinear count, over the
document's norm. To find the nearest of many papers (the suggestions), a `Matcher` skips most
documents, exactly: the terms most documents share (`Matcher.common`) have most postings but
little weight, so each document's score is added up over the paper's other terms only, the common
terms' part is bounded by Cauchy-Schwarz, and only documents whose bound reaches the best found
are scored in full.
"""

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import mul, truediv

Vector = dict[str, float]
Counts = Mapping[str, int]

# A term in more than this share of a shelf's documents is common (see Matcher.nearest).
COMMON_SHARE = 0.1
# Bounds are sums of floats in another order than the scores: a margin far above the rounding.
MARGIN = 1e-9


class _Sublinear(dict[int, float]):
    """1 + log(tf), 0 for a term that is absent; worked out once per count, so that maps of
    `__getitem__` (in C) weigh a paper's counts."""

    def __init__(self, power: int) -> None:
        super().__init__()
        self.power = power
        for tf in range(256):
            self[tf] = self.__missing__(tf)

    def __missing__(self, tf: int) -> float:
        value = (1.0 + math.log(tf)) ** self.power if tf > 0 else 0.0
        self[tf] = value
        return value


SUBLINEAR = _Sublinear(1)
SUBLINEAR_SQUARED = _Sublinear(2)


def weighted(counts: Counts, idf: "Idf") -> Vector:
    """The L2-normalised TF-IDF vector of a paper's term counts, in the counts' order."""
    raw = list(
        map(
            mul,
            map(SUBLINEAR.__getitem__, counts.values()),
            map(idf.weights.get, counts, repeat(idf.unseen)),
        )
    )
    norm = math.sqrt(math.sumprod(raw, raw))
    if norm == 0.0:
        return {}
    return dict(zip(counts, map(truediv, raw, repeat(norm)), strict=True))


@dataclass(frozen=True)
class Idf:
    """Inverse document frequencies of a set of documents: `weights` of the terms they have,
    `unseen` of any other (worked out once, not for every term of every vector), and
    `frequencies`, how many documents have each term."""

    documents: int
    weights: dict[str, float]
    unseen: float
    frequencies: Counter[str]

    @classmethod
    def of(cls, documents: Iterable[Counts]) -> "Idf":
        frequencies: Counter[str] = Counter()
        count = 0
        for counts in documents:
            frequencies.update(counts.keys())
            count += 1
        return cls(
            documents=count,
            weights={term: _idf(count, df) for term, df in frequencies.items()},
            unseen=_idf(count, 0),
            frequencies=frequencies,
        )

    def weight(self, term: str) -> float:
        return self.weights.get(term, self.unseen)


def _idf(documents: int, frequency: int) -> float:
    return math.log((1 + documents) / (1 + frequency)) + 1.0


@dataclass(frozen=True)
class Query:
    """A paper as a shelf scores it: its terms the shelf has, each with the paper's weight
    times the term's idf. Empty when the paper shares no term with the shelf."""

    terms: list[str]
    weights: list[float]
    vector: Vector


@dataclass(frozen=True)
class Shelf:
    """The papers a group has read: `keys` are the callers' ids of the documents (in order),
    `counts` their term counts and `norms` the norms of their TF-IDF vectors."""

    keys: tuple[int, ...]
    idf: Idf
    counts: tuple[Counts, ...]
    norms: tuple[float, ...]

    @classmethod
    def build(cls, documents: Sequence[tuple[int, Counts]]) -> "Shelf":
        idf = Idf.of(counts for _, counts in documents)
        squares = {term: weight * weight for term, weight in idf.weights.items()}
        norms = tuple(
            math.sqrt(
                math.sumprod(
                    map(SUBLINEAR_SQUARED.__getitem__, counts.values()),
                    map(squares.__getitem__, counts),
                )
            )
            for _, counts in documents
        )
        return cls(
            keys=tuple(key for key, _ in documents),
            idf=idf,
            counts=tuple(counts for _, counts in documents),
            norms=norms,
        )

    def vector(self, counts: Counts) -> Vector:
        """A new paper's vector, weighed by this shelf's idf (terms the shelf lacks weigh most)."""
        return weighted(counts, self.idf)

    def query(self, counts: Counts) -> Query:
        vector = self.vector(counts)
        weights = self.idf.weights
        terms = [term for term in vector if term in weights]
        return Query(terms, [vector[term] * weights[term] for term in terms], vector)

    def score(self, query: Query, position: int) -> float:
        """The cosine of the paper and the document at `position` (0 when they share no term)."""
        norm = self.norms[position]
        if norm == 0.0:
            return 0.0
        document = self.counts[position]
        tfs = map(SUBLINEAR.__getitem__, map(document.get, query.terms, repeat(0)))
        return math.sumprod(query.weights, tfs) / norm

    def nearest(
        self, counts: Counts, *, limit: int, leave_out: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """The `limit` documents most similar to a paper's term counts, as (key, cosine), best
        first (the earlier document first among equals), cosine above zero; documents whose key
        is in `leave_out` never."""
        query = self.query(counts)
        if not query.terms:
            return []
        keys = self.keys
        ranked = (
            (-score, position)
            for position, score in enumerate(map(self.score, repeat(query), range(len(keys))))
            if score > 0.0 and keys[position] not in leave_out
        )
        return [
            (keys[position], -negative) for negative, position in heapq.nsmallest(limit, ranked)
        ]

    def matcher(self) -> "Matcher":
        """What answers many `nearest` questions about this shelf quickly (the suggestions')."""
        return Matcher.of(self)


@dataclass(frozen=True)
class Matcher:
    """A shelf set out to find the documents nearest to many papers, with the answers of
    `Shelf.nearest` for less work (see the module's docstring): the `common` terms, in more
    than COMMON_SHARE of the documents; `rare`, the (position, weight) postings of the others;
    `common_norms`, each document's norm over the common terms, and `by_common_norm` the
    positions, largest first. Built from a shelf in a few milliseconds, when needed."""

    shelf: Shelf
    common: frozenset[str]
    rare: dict[str, list[tuple[int, float]]]
    common_norms: tuple[float, ...]
    by_common_norm: tuple[int, ...]

    @classmethod
    def of(cls, shelf: Shelf) -> "Matcher":
        cut = COMMON_SHARE * shelf.idf.documents
        common = frozenset(t for t, df in shelf.idf.frequencies.items() if df > cut)
        weights = shelf.idf.weights
        rare: dict[str, list[tuple[int, float]]] = {}
        norms = []
        for position, (counts, norm) in enumerate(zip(shelf.counts, shelf.norms, strict=True)):
            squares = 0.0
            for term, tf in counts.items():
                weight = SUBLINEAR[tf] * weights[term] / norm
                if term in common:
                    squares += weight * weight
                else:
                    rare.setdefault(term, []).append((position, weight))
            norms.append(math.sqrt(squares))
        return cls(
            shelf=shelf,
            common=common,
            rare=rare,
            common_norms=tuple(norms),
            by_common_norm=tuple(sorted(range(len(norms)), key=lambda p: (-norms[p], p))),
        )

    def nearest(
        self, counts: Counts, *, limit: int, leave_out: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """What `Shelf.nearest` answers, to the last bit (documents are scored by
        `Shelf.score`): each document's score over the paper's terms that are not common (few
        postings each) plus `reach` (the norm of the paper's common part) times the document's
        common norm bounds its score (Cauchy-Schwarz); only documents whose bound reaches the
        best found are scored."""
        shelf = self.shelf
        query = shelf.query(counts)
        if not query.terms:
            return []
        partial: dict[int, float] = {}
        squares = 0.0
        common, rare = self.common, self.rare
        for term, weight in query.vector.items():
            if term in common:
                squares += weight * weight
                continue
            for position, other in rare.get(term, ()):
                partial[position] = partial.get(position, 0.0) + weight * other
        reach = math.sqrt(squares)
        keys, norms = shelf.keys, self.common_norms
        left_out = {p for p, key in enumerate(keys) if key in leave_out} if leave_out else set()
        best: list[tuple[float, int]] = []  # (-score, position) of the best scored, best first
        scored: set[int] = set()

        def score(position: int) -> None:
            scored.add(position)
            if position in left_out:
                return
            found = shelf.score(query, position)
            if found > 0.0:
                best.append((-found, position))
                best.sort()
                del best[limit:]

        def floor() -> float:
            # What a document must reach to enter `best`: with a bound below this, it cannot.
            return -best[-1][0] if len(best) == limit else 0.0

        # First the documents sharing the most of the paper's rare terms, then the others
        # sharing rare terms whose bound reaches the best found, then those sharing common
        # terms only, by their common norm, while it reaches.
        for position in heapq.nlargest(limit + len(left_out), partial, key=partial.__getitem__):
            score(position)
        widest = norms[self.by_common_norm[0]] if norms else 0.0
        lowest = floor() - reach * widest - MARGIN
        hopeful = sorted(
            (-(found + reach * norms[p]), p)
            for p, found in partial.items()
            if found >= lowest and p not in scored
        )
        for bound, position in hopeful:
            if MARGIN - bound < floor():
                break
            score(position)
        if reach > 0.0:
            for position in self.by_common_norm:
                if reach * norms[position] + MARGIN < floor():
                    break
                if position not in scored and position not in partial:
                    score(position)
        return [(keys[position], -negative) for negative, position in best]
