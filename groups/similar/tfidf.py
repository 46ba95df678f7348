"""TF-IDF and cosine similarity of papers' text, in pure Python (no numpy): a group's shelf is
hundreds of papers, small enough that sparse dicts and an inverted index answer in a few
milliseconds, and both databases get the same answer.

A paper's text is its title (twice: a title says what a paper is about), its abstract and its AI
keywords (twice). Words are lower-cased runs of letters and digits of three characters or more,
less English stop words and the words every abstract uses; a plural `-s`/`-ies` is folded into
its singular. Term frequency is sublinear (1 + log tf), inverse document frequency is smoothed
(log((1 + n) / (1 + df)) + 1, as scikit-learn's default), vectors are L2-normalised, so the dot
product of two vectors is their cosine.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

WORD = re.compile(r"[a-z][a-z0-9]{2,}")

_STOP_WORDS_TEXT = """
    about above across after again against all almost also although always among and another any
    are around because been before being below between both but can could does doing done down
    during each either else even ever every few for from further had has have having here how however
    into its itself just less like made make makes many may might more most much must near neither
    nor not now off often once one only onto other others our ours out over own per rather same
    several should since some such than that the their theirs them then there these they this those
    though through thus too toward towards under until upon very via was were what when where whether
    which while who whom whose why will with within without would yet you your
    paper papers propose proposed proposes present presents presented show shows shown demonstrate
    demonstrates introduce introduces introduced approach approaches method methods result results
    work novel new existing use used uses using based well better best first two three further
    significantly significant outperform outperforms state art achieve achieves achieved across
    experiment experiments extensive code available github com http https www
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

Vector = dict[str, float]


def words(text: str) -> list[str]:
    """The text's terms, in order (stop words out, plurals folded)."""
    terms = []
    for word in WORD.findall(text.lower()):
        if word in STOP_WORDS:
            continue
        if word.endswith("ies") and len(word) > 4:
            word = word[:-3] + "y"
        elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            word = word[:-1]
        terms.append(word)
    return terms


def paper_terms(title: str, abstract: str, keywords: Iterable[object]) -> Counter[str]:
    """How often each term occurs in a paper's text (title and keywords counted twice)."""
    keyword_text = " ".join(str(keyword) for keyword in keywords)
    counts = Counter(words(abstract))
    for term in words(f"{title} {keyword_text}"):
        counts[term] += 2
    return counts


def weighted(counts: Counter[str], idf: "Idf") -> Vector:
    """The L2-normalised TF-IDF vector of a paper's term counts."""
    weights, unknown = idf.weights, idf.unseen
    vector = {
        term: (1.0 + math.log(tf) if tf > 1 else 1.0) * weights.get(term, unknown)
        for term, tf in counts.items()
    }
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    if norm == 0.0:
        return {}
    return {term: weight / norm for term, weight in vector.items()}


@dataclass(frozen=True)
class Idf:
    """Inverse document frequencies of a set of documents: `weights` of the terms they have,
    `unseen` of any other (worked out once, not for every term of every vector)."""

    documents: int
    weights: dict[str, float]
    unseen: float

    @classmethod
    def of(cls, documents: Iterable[Counter[str]]) -> "Idf":
        frequencies: Counter[str] = Counter()
        count = 0
        for counts in documents:
            frequencies.update(counts.keys())
            count += 1
        return cls(
            documents=count,
            weights={term: _idf(count, df) for term, df in frequencies.items()},
            unseen=_idf(count, 0),
        )

    def weight(self, term: str) -> float:
        return self.weights.get(term, self.unseen)


def _idf(documents: int, frequency: int) -> float:
    return math.log((1 + documents) / (1 + frequency)) + 1.0


@dataclass(frozen=True)
class Shelf:
    """The papers a group has read, as an inverted index of their TF-IDF vectors.

    `keys` are the callers' ids of the documents (in order); `postings` maps a term to the
    (position, weight) pairs of the documents that have it. Picklable, so it can be cached.
    """

    keys: tuple[int, ...]
    idf: Idf
    postings: dict[str, list[tuple[int, float]]]

    @classmethod
    def build(cls, documents: Sequence[tuple[int, Counter[str]]]) -> "Shelf":
        idf = Idf.of(counts for _, counts in documents)
        postings: dict[str, list[tuple[int, float]]] = {}
        for position, (_, counts) in enumerate(documents):
            for term, weight in weighted(counts, idf).items():
                postings.setdefault(term, []).append((position, weight))
        return cls(keys=tuple(key for key, _ in documents), idf=idf, postings=postings)

    def vector(self, counts: Counter[str]) -> Vector:
        """A new paper's vector, weighed by this shelf's idf (terms the shelf lacks weigh most)."""
        return weighted(counts, self.idf)

    def nearest(
        self, counts: Counter[str], *, limit: int, leave_out: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """The `limit` documents most similar to a paper's term counts, as (key, cosine), best
        first, cosine above zero; documents whose key is in `leave_out` never."""
        scores: dict[int, float] = {}
        for term, weight in self.vector(counts).items():
            for position, other in self.postings.get(term, ()):
                scores[position] = scores.get(position, 0.0) + weight * other
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        found = []
        for position, score in ranked:
            key = self.keys[position]
            if key in leave_out:
                continue
            found.append((key, score))
            if len(found) == limit:
                break
        return found
