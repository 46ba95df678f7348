"""A paper's terms and how often each occurs in its text: what the similarity of papers
(groups.similar.tfidf) weighs. Worked out by papers.indexing when a paper's text is indexed and
kept as its `PaperTerms` row, so a group's index of hundreds of papers reads their counts instead
of tokenizing their abstracts on a page.

A paper's text is its title (twice: a title says what a paper is about), its abstract and its AI
keywords (twice). Words are lower-cased runs of letters and digits of three characters or more,
less English stop words and the words every abstract uses; a plural `-s`/`-ies` is folded into
its singular.
"""

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping

import msgspec

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


class Terms(msgspec.Struct, array_like=True, frozen=True):
    """A paper's terms and how often each occurs, as two lists in the same order: what the
    similarity weighs (groups.similar.tfidf) reads them as, and what `PaperTerms.counts` keeps
    (JSON, `[terms, counts]`), so a stored row is decoded straight into one, without a dict
    per paper. The order is the counts' own: the similarity's sums add up in it (the same to
    the last bit whichever way the counts came)."""

    words: list[str]
    counts: list[int]

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> "Terms":
        return cls(list(counts), list(counts.values()))


_TERMS = msgspec.json.Decoder(Terms)


def text_terms(title: str, abstract: str, keywords: Iterable[object]) -> Terms:
    """`paper_terms` as `Terms`."""
    return Terms.of(paper_terms(title, abstract, keywords))


def terms_dump(counts: Mapping[str, int]) -> str:
    """The counts as `PaperTerms.counts` keeps them: JSON, the list of terms and the list of
    their counts, in the counts' order."""
    return json.dumps([list(counts), list(counts.values())], separators=(",", ":"))


def terms_load(text: str) -> Terms:
    """The counts `terms_dump` wrote, in the same order. msgspec decodes them into `Terms`
    directly: a third of the time of json.loads and a dict (7 ms against 24 for 950 papers)."""
    return _TERMS.decode(text)
