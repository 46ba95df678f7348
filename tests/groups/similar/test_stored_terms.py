"""The term counts papers.indexing stores beside the search vector (papers.PaperTerms), which
a group's index reads instead of tokenizing abstracts; and the warming of a group's suggestions
by a worker when what the group read changes (groups/similar/tasks.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.similar.queries import shelves_forget, similar_discussed, suggestions
from groups.similar.tasks import similar_warm
from groups.voting.services import nomination_create
from papers.indexing import search_index_fill
from papers.models import Paper, PaperTerms
from papers.terms import Terms, terms_load, text_terms
from tests.groups.similar.conftest import (
    SAMPLE_DAY,
    filler,
    held,
    listed,
    make_shelf,
    topic_paper,
    voted,
)
from tests.people import Cast

pytestmark = pytest.mark.django_db


def _text_terms(paper: Paper) -> Terms:
    paper.refresh_from_db()
    return text_terms(paper.title, paper.abstract, paper.ai_keywords)


def test_indexing_stores_the_texts_counts_and_a_changed_text_is_read_until_indexed_again() -> None:
    paper = topic_paper("proteins")  # the factory indexes it, as an import's task would
    stored = PaperTerms.objects.get(paper=paper)
    assert terms_load(stored.counts) == _text_terms(paper) != Terms([], [])
    # A changed text is marked for indexing (as an import or the admin does): its stored counts
    # are the old text's, so the text is read instead, in the same one query.
    Paper.objects.filter(pk=paper.pk).update(
        abstract="Glaciers retreat under warming oceans.", search_indexed_at=None
    )
    with CaptureQueriesContext(connection) as queries:
        [(pk, counts)] = Paper.objects.filter(pk=paper.pk).term_counts()
    assert len(queries) == 1
    assert pk == paper.pk
    assert counts == _text_terms(paper)
    assert "glacier" in counts.words and "glacier" not in terms_load(stored.counts).words
    assert search_index_fill() == 1
    assert terms_load(PaperTerms.objects.get(paper=paper).counts) == counts


def test_a_new_nomination_warms_the_groups_suggestions_for_every_web_process(
    cast: Cast, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    make_shelf(cast)
    filler(cast, 5, day=SAMPLE_DAY - timedelta(days=1))
    listed(topic_paper("decoding2"), SAMPLE_DAY)
    assert suggestions(cast.group)  # warm for the shelf as it was
    # A nomination (with its nominator's vote) puts a new paper on the group's shelf; the task
    # queued on commit (eager here, a worker in production) works the suggestions out.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        nomination_create(group=cast.group, user=cast.member, paper=topic_paper("graphs"))
    assert len(callbacks) >= 1
    shelves_forget()  # a web process that never built the new shelf
    # warm: discussed, voted, the newest day, the candidates; no text, no shelf built
    with django_assert_num_queries(4):
        assert suggestions(cast.group)


def test_a_web_process_reads_the_groups_shelves_from_the_cache_and_never_a_stale_one(
    cast: Cast, django_assert_num_queries
) -> None:
    shelf = make_shelf(cast)
    paper = topic_paper("diffusion2")
    [before] = similar_discussed(cast.group, paper)
    assert before.read.paper_id == shelf.diffusion.pk
    shelves_forget()  # another web process: its memo is empty, the cache is shared
    with django_assert_num_queries(1):  # the discussed papers; their terms come from the cache
        [again] = similar_discussed(cast.group, paper)
    assert again == before
    # A session held on a new paper: the cached shelf is another version's, so it is not used;
    # the new one is built (its terms read) and replaces it.
    held(cast, topic_paper("diffusion2"), days_ago=1)  # the same text: the nearest
    shelves_forget()
    with django_assert_num_queries(2):
        found = similar_discussed(cast.group, paper)
    assert found[0].read.paper_id != shelf.diffusion.pk and found[0].score > before.score
    shelves_forget()
    with django_assert_num_queries(1):
        assert similar_discussed(cast.group, paper) == found


def test_the_warm_task_builds_both_shelves_so_no_web_process_does(
    cast: Cast, django_assert_num_queries
) -> None:
    make_shelf(cast)
    voted(cast, topic_paper("graphs"))
    listed(topic_paper("decoding2"), SAMPLE_DAY)
    paper = topic_paper("diffusion2")
    assert similar_warm.delay(cast.group.pk).get() == 1
    shelves_forget()
    with django_assert_num_queries(1):  # the discussed papers, no terms
        assert similar_discussed(cast.group, paper)
    with django_assert_num_queries(4):  # discussed, voted, the newest day, the candidates
        assert suggestions(cast.group)
