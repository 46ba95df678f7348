"""The similarity itself, on hand-written abstracts (which must rank first is clear) and on the
recorded Hugging Face daily list."""

import json
import math

import msgspec
import pytest

from groups.similar.tfidf import Shelf
from papers.terms import Terms, paper_terms, terms_dump, terms_load, text_terms, words
from tests.groups.similar.conftest import TOPICS
from tests.shared import shared_file


def terms(topic: str) -> Terms:
    return text_terms(*TOPICS[topic])


def test_it_drops_stop_words_and_folds_plurals() -> None:
    assert words("We propose the Models and studies of GPUs, in 2 ways") == [
        "model",
        "study",
        "gpu",
        "way",
    ]


def test_title_and_keywords_count_twice() -> None:
    counts = paper_terms("Diffusion", "diffusion sampler", ["diffusion"])
    assert counts["diffusion"] == 5
    assert counts["sampler"] == 1


def test_stored_terms_load_as_written_in_the_texts_order() -> None:
    counts = paper_terms("Sparse Attention", "attention heads prune sparse attention", ["sparse"])
    stored = terms_dump(counts)
    assert json.loads(stored) == [list(counts), list(counts.values())]  # the format on disk
    loaded = terms_load(stored)
    assert loaded == Terms.of(counts)
    assert loaded.words == ["attention", "head", "prune", "sparse"]  # the text's order
    assert dict(zip(loaded.words, loaded.counts, strict=True)) == dict(counts)
    with pytest.raises(msgspec.ValidationError):
        terms_load('[["a", "b"], ["1", 2]]')  # a count that is not a number is refused


def test_the_paper_on_the_same_subject_ranks_first() -> None:
    shelf = Shelf.build(
        [
            (number, terms(topic))
            for number, topic in enumerate(["decoding", "diffusion", "proteins", "graphs"])
        ]
    )
    assert next(key for key, _ in shelf.nearest(terms("decoding2"), limit=4)) == 0
    assert next(key for key, _ in shelf.nearest(terms("diffusion2"), limit=4)) == 1
    (_best, score), *rest = shelf.nearest(terms("decoding2"), limit=4)
    assert 0.2 < score <= 1.0
    assert all(other < score / 2 for _, other in rest)


def test_a_paper_is_most_like_itself_and_can_be_left_out() -> None:
    shelf = Shelf.build([(7, terms("graphs")), (8, terms("proteins"))])
    [(key, score)] = shelf.nearest(terms("graphs"), limit=1)
    assert key == 7 and abs(score - 1.0) < 1e-9
    assert [
        key for key, _ in shelf.nearest(terms("graphs"), limit=2, leave_out=frozenset({7}))
    ] in (
        [8],
        [],
    )


def test_nothing_in_common_finds_nothing() -> None:
    shelf = Shelf.build([(1, terms("proteins"))])
    assert shelf.nearest(text_terms("Zebra", "quokka wombat", []), limit=3) == []
    assert Shelf.build([]).nearest(terms("proteins"), limit=3) == []


def test_on_the_recorded_daily_list_agent_papers_find_agent_papers() -> None:
    items = json.loads(shared_file("fixtures", "hf", "daily_papers_2026-06-12.json").read_text())
    papers = [item["paper"] for item in items]
    documents = [
        (number, text_terms(p["title"], p.get("summary", ""), p.get("ai_keywords") or []))
        for number, p in enumerate(papers)
    ]
    shelf = Shelf.build(documents)
    for number, counts in documents:
        found = shelf.nearest(counts, limit=3)
        assert found[0][0] == number  # itself first, cosine 1
        assert all(score <= found[0][1] for _, score in found)
    # A multi-agent paper's nearest other paper is also about agents.
    agents = next(n for n, p in enumerate(papers) if "Heterogeneous Agents" in p["title"])
    [(other, _)] = shelf.nearest(documents[agents][1], limit=1, leave_out=frozenset({agents}))
    assert "agent" in papers[other]["title"].lower()


def test_best_of_many_is_each_ones_nearest_in_one_product() -> None:
    items = json.loads(shared_file("fixtures", "hf", "daily_papers_2026-06-12.json").read_text())
    papers = [
        text_terms(p["title"], p.get("summary", ""), p.get("ai_keywords") or [])
        for p in (item["paper"] for item in items)
    ]
    half = len(papers) // 2
    shelf = Shelf.build([(100 + number, counts) for number, counts in enumerate(papers[:half])])
    asked = [*papers[half:], text_terms("Zebra", "quokka wombat", [])]
    found = shelf.best(asked)
    assert found[-1] is None  # shares no term
    assert sum(match is not None for match in found) >= half - 1
    for counts, match in zip(asked, found, strict=True):
        nearest = shelf.nearest(counts, limit=1)
        assert match == (nearest[0] if nearest else None)
    assert Shelf.build([]).best(asked[:2]) == [None, None]
    assert shelf.best([]) == []


def test_cosines_are_those_of_the_tfidf_vectors_worked_out_by_hand() -> None:
    # Two documents and a paper: idf = ln((1 + 2) / (1 + df)) + 1, tf sublinear, unit vectors;
    # the paper's term the shelf lacks ("zebra") weighs in its norm with idf ln(3) + 1.
    shelf = Shelf.build(
        [(1, Terms(["alpha", "beta"], [1, 2])), (2, Terms(["beta", "gamma"], [1, 1]))]
    )
    idf_once, idf_twice = math.log(3 / 2) + 1, math.log(3 / 3) + 1
    unseen = math.log(3) + 1
    first = {"alpha": idf_once, "beta": (1 + math.log(2)) * idf_twice}
    second = {"beta": idf_twice, "gamma": idf_once}
    paper = {"beta": idf_twice, "gamma": idf_once, "zebra": unseen}

    def cosine(a: dict[str, float], b: dict[str, float]) -> float:
        dot = sum(a[t] * b.get(t, 0.0) for t in a)
        return dot / math.hypot(*a.values()) / math.hypot(*b.values())

    found = dict(shelf.nearest(Terms(["beta", "gamma", "zebra"], [1, 1, 1]), limit=2))
    assert found[2] == pytest.approx(cosine(paper, second), rel=1e-12)
    assert found[1] == pytest.approx(cosine(paper, first), rel=1e-12)
    assert found[2] > found[1]
