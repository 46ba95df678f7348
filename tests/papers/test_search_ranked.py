"""Ranked full-text search on both databases, with the matching words highlighted, safely."""

import pytest
from django.test import Client

from papers.models import Paper
from tests.factories import PaperFactory
from tests.shared import xss_markup_lines

pytestmark = pytest.mark.django_db


def test_it_ranks_title_matches_above_abstract_mentions() -> None:
    # More upvotes do not lift a paper that only mentions the word above one about it.
    PaperFactory(
        title="Graph sparsification",
        abstract="A footnote on alignment.",
        ai_keywords=[],
        upvotes=900,
    )
    about = PaperFactory(
        title="Alignment of language models",
        abstract="We study alignment, alignment data and aligned policies.",
        ai_keywords=["alignment"],
        upvotes=1,
    )
    results = list(Paper.objects.search("alignment"))
    assert results[0] == about
    assert len(results) == 2


def test_it_stems_words_on_both_databases() -> None:
    paper = PaperFactory(title="Aligning agents", abstract="Plain.", ai_keywords=[])
    assert list(Paper.objects.search("aligned")) == [paper]
    assert list(Paper.objects.search("aligns agent")) == [paper]


def test_it_finds_nothing_for_a_word_no_paper_has() -> None:
    PaperFactory(title="Aligning agents", abstract="Plain.", ai_keywords=[])
    assert list(Paper.objects.search("zebra")) == []
    assert list(Paper.objects.search('"" ** ()')) == []  # nothing searchable in it


def test_it_marks_the_matching_words_in_title_and_snippet() -> None:
    PaperFactory(
        title="Sparse attention for long documents",
        abstract="Long documents strain memory. We propose sparse attention that scales.",
        ai_keywords=[],
    )
    html = Client().get("/papers/search/", {"q": "sparse attention"}).content.decode()
    assert "<mark>Sparse</mark> <mark>attention</mark> for long documents" in html
    assert "We propose <mark>sparse</mark> <mark>attention</mark> that scales" in html


def test_it_keeps_html_in_the_data_inert() -> None:
    PaperFactory(
        title="<img src=x onerror=alert(1)> Alignment <b>now</b>",
        abstract=(
            "<script>alert('abstract')</script> We study alignment "
            '<a href="javascript:alert(1)">here</a> & there.'
        ),
        ai_keywords=[],
    )
    html = Client().get("/papers/search/", {"q": "alignment"}).content.decode()
    # Escaped (SQLite's snippet keeps the tags as text), or left out (PostgreSQL's headline
    # parser drops tags): never markup.
    assert "<mark>Alignment</mark>" in html
    assert "study <mark>alignment</mark>" in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html


def test_it_keeps_every_listed_payload_inert() -> None:
    baseline = Client().get("/papers/search/", {"q": "alignment"}).content.decode()
    payloads = [
        line
        for line in xss_markup_lines("IntrudersXSS.txt")
        if len(line) < 400 and line not in baseline
    ][:40]
    assert payloads
    for payload in payloads:
        PaperFactory(title=f"Alignment {payload}", abstract=f"{payload} alignment {payload}")
    html = Client().get("/papers/search/", {"q": "alignment"}).content.decode()
    for payload in payloads:
        assert payload not in html


def test_it_never_finds_a_hidden_paper() -> None:
    PaperFactory(title="Alignment", hidden=True)
    assert list(Paper.objects.search("alignment")) == []
