"""TF-IDF and cosine similarity of papers' text, as sparse matrices (numpy and scipy.sparse):
a group's shelf of hundreds of read papers is one matrix, a paper asked about is one row, and
the last week's candidate suggestions are one matrix scored against the shelf in one sparse
product, so no Python loop runs per term or per pair of papers. Both databases give the same
answer: the counts are the same, and so is the arithmetic.

A paper's terms and their counts are papers.terms' `Terms` (title and keywords counted twice,
two lists in the text's order), stored by papers.indexing and decoded straight into `Terms`.
Term frequency is sublinear (1 + log tf), inverse document frequency is smoothed
(log((1 + n) / (1 + df)) + 1, as scikit-learn's default) and comes from the shelf's own papers,
vectors are L2-normalised, so the dot product of two vectors is their cosine. A paper's vector is
normalised over all of its terms, those the shelf never saw included (they weigh most: they say
the paper is about something else), and only its terms the shelf has can add to a cosine.
"""

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from papers.terms import Terms

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Shelf:
    """The papers a group has read: `keys` are the callers' ids of the documents (in order, the
    rows of `matrix`), `vocabulary` the column of each term they have, `idf` each column's
    inverse document frequency and `unseen` that of a term none of them has; `matrix` holds
    the documents' L2-normalised TF-IDF vectors."""

    keys: tuple[int, ...]
    vocabulary: dict[str, int]
    idf: Floats
    unseen: float
    matrix: sparse.csr_array

    @classmethod
    def build(cls, documents: Sequence[tuple[int, Terms]]) -> "Shelf":
        vocabulary: defaultdict[str, int] = defaultdict()
        vocabulary.default_factory = vocabulary.__len__  # a new term takes the next column
        columns = _ints(map(vocabulary.__getitem__, terms.words) for _, terms in documents)
        vocabulary.default_factory = None
        n = len(documents)
        frequencies = np.bincount(columns, minlength=len(vocabulary))
        idf = np.log((1.0 + n) / (1.0 + frequencies)) + 1.0
        tfs = _ints(terms.counts for _, terms in documents)
        rows = _rows([len(terms.words) for _, terms in documents])
        weights = _sublinear(tfs) * idf[columns]
        weights /= _norms(weights, rows, n)[rows]
        matrix = sparse.csr_array(
            (weights, columns, _pointers(rows, n)), shape=(n, len(vocabulary))
        )
        return cls(
            keys=tuple(key for key, _ in documents),
            vocabulary=dict(vocabulary),
            idf=idf,
            unseen=float(np.log(1.0 + n) + 1.0),
            matrix=matrix,
        )

    def vectors(self, papers: Sequence[Terms]) -> sparse.csr_array:
        """Papers' vectors weighed by this shelf's idf, one row each, over the shelf's columns:
        each normalised over all its terms, and holding only those the shelf has."""
        lookup = self.vocabulary.get
        # A term the shelf lacks is column -1 here: the last of `idf` + [unseen], then dropped.
        columns = _ints(map(lookup, terms.words, itertools.repeat(-1)) for terms in papers)
        tfs = _ints(terms.counts for terms in papers)
        weights = _sublinear(tfs) * np.append(self.idf, self.unseen)[columns]
        rows = _rows([len(terms.words) for terms in papers])
        weights /= _norms(weights, rows, len(papers))[rows]
        known = columns >= 0
        return sparse.csr_array(
            (weights[known], columns[known], _pointers(rows[known], len(papers))),
            shape=(len(papers), len(self.vocabulary)),
        )

    def scores(self, papers: Sequence[Terms]) -> Floats:
        """The cosine of each paper (rows) with each document (columns)."""
        if not papers or not self.keys:
            return np.zeros((len(papers), len(self.keys)))
        product = self.vectors(papers) @ self.matrix.T
        return np.asarray(product.toarray(), dtype=np.float64)

    def nearest(
        self, terms: Terms, *, limit: int, leave_out: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """The `limit` documents most similar to a paper's term counts, as (key, cosine), best
        first (the earlier document first among equals), cosine above zero; documents whose key
        is in `leave_out` never."""
        [scores] = self.scores([terms])
        wanted = scores > 0.0
        if leave_out:
            wanted &= np.array([key not in leave_out for key in self.keys], dtype=bool)
        positions = np.flatnonzero(wanted)
        best = positions[np.argsort(-scores[positions], kind="stable")[:limit]]
        return [(self.keys[position], float(scores[position])) for position in best]

    def best(self, papers: Sequence[Terms]) -> list[tuple[int, float] | None]:
        """For each paper, the document most similar to it, as (key, cosine), the earlier one
        among equals; None for a paper that shares no term with any. One sparse product."""
        scores = self.scores(papers)
        if not self.keys:
            return [None] * len(papers)
        positions = np.argmax(scores, axis=1)  # the first of equals
        found = scores[np.arange(len(papers)), positions]
        return [
            (self.keys[position], float(score)) if score > 0.0 else None
            for position, score in zip(positions.tolist(), found.tolist(), strict=True)
        ]


def _ints(parts: Iterable[Iterable[int]]) -> npt.NDArray[np.int64]:
    return np.fromiter(itertools.chain.from_iterable(parts), dtype=np.int64)


def _sublinear(tfs: npt.NDArray[np.int64]) -> Floats:
    """1 + log(tf); 0 for a count that is not positive."""
    safe = np.maximum(tfs, 1)
    return np.where(tfs > 0, 1.0 + np.log(safe), 0.0)


def _rows(lengths: list[int]) -> npt.NDArray[np.int64]:
    """The row of each value, for rows of these lengths, one after the other."""
    return np.repeat(np.arange(len(lengths), dtype=np.int64), np.asarray(lengths, dtype=np.int64))


def _norms(weights: Floats, rows: npt.NDArray[np.int64], count: int) -> Floats:
    """The L2 norm of each of `count` rows (1 for a row with nothing to divide)."""
    norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=count))
    return np.where(norms > 0.0, norms, 1.0)


def _pointers(rows: npt.NDArray[np.int64], count: int) -> npt.NDArray[np.int64]:
    """The row pointers of a CSR matrix of `count` rows whose values are in this row order."""
    return np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=count))))
