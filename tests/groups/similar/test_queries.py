"""What a group has read and what resembles it: which sessions count, which papers may be
suggested, best first, and the cache (a warm lookup reads no paper's text)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groups.models import DiscussionSession
from groups.similar.queries import (
    discussed_papers,
    read_papers,
    similar_discussed,
    suggestions,
)
from papers.models import Paper
from tests.factories import PaperFactory
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


def test_the_most_similar_discussed_paper_comes_first_with_its_session(cast: Cast) -> None:
    shelf = make_shelf(cast)
    topic_paper("graphs")  # not discussed: never found
    [found] = similar_discussed(cast.group, topic_paper("decoding2"))
    assert found.read.paper_id == shelf.decoding.pk
    assert found.read.session_id == shelf.decoding_session.pk
    assert found.read.discussed_at == shelf.decoding_session.starts_at
    [found] = similar_discussed(cast.group, topic_paper("diffusion2"))
    assert found.read.paper_id == shelf.diffusion.pk


def test_only_sessions_held_count_and_the_paper_itself_is_left_out(cast: Cast) -> None:
    shelf = make_shelf(cast)
    upcoming = topic_paper("decoding2")
    held(cast, upcoming, days_ago=-7)  # next week
    cancelled = topic_paper("graphs")
    session = held(cast, cancelled, days_ago=3)
    session.status = DiscussionSession.Status.CANCELLED
    session.save(update_fields=["status"])
    assert set(discussed_papers(cast.group)) == {shelf.decoding.pk, shelf.diffusion.pk}
    assert [s.read.paper_id for s in similar_discussed(cast.group, shelf.decoding)] == []
    assert similar_discussed(cast.other_group, topic_paper("decoding2")) == []


def test_a_paper_discussed_twice_shows_its_latest_session(cast: Cast) -> None:
    shelf = make_shelf(cast)
    again = held(cast, shelf.decoding, days_ago=2)
    [found] = similar_discussed(cast.group, topic_paper("decoding2"))
    assert found.read.session_id == again.pk


def test_read_papers_add_the_voted_nominations_but_not_withdrawn_ones(cast: Cast) -> None:
    shelf = make_shelf(cast)
    graphs = topic_paper("graphs")
    voted(cast, graphs, status="open")
    voted(cast, topic_paper("proteins"), status="withdrawn")
    read = read_papers(cast.group)
    assert set(read) == {shelf.decoding.pk, shelf.diffusion.pk, graphs.pk}
    assert read[graphs.pk].session_id is None


def test_suggestions_are_last_weeks_papers_most_like_what_the_group_read(cast: Cast) -> None:
    shelf = make_shelf(cast)
    proteins = topic_paper("proteins")
    voted(cast, proteins)
    decoding2 = listed(topic_paper("decoding2"), SAMPLE_DAY)
    diffusion2 = listed(topic_paper("diffusion2"), SAMPLE_DAY - timedelta(days=6))
    folding = listed(
        PaperFactory(
            title="Protein Folding with Language Model Embeddings",
            abstract="A protein language model predicts protein structure from the sequence.",
            ai_keywords=["protein folding"],
        ),
        SAMPLE_DAY - timedelta(days=2),
    )
    listed(topic_paper("graphs"), SAMPLE_DAY)  # like nothing the group read
    listed(topic_paper("decoding2", hidden=True), SAMPLE_DAY)  # hidden by a moderator
    listed(topic_paper("diffusion2"), SAMPLE_DAY - timedelta(days=7))  # eight days before
    lighthouses = PaperFactory(
        title="Lighthouse logbooks", abstract="Keepers logged tides.", ai_keywords=[]
    )
    voted(cast, listed(lighthouses, SAMPLE_DAY), status="open")  # nominated
    listed(shelf.decoding, SAMPLE_DAY)  # discussed already
    found = suggestions(cast.group)
    assert {s.paper_id for s in found} == {decoding2.pk, diffusion2.pk, folding.pk}
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    like = {s.paper_id: s.like.paper_id for s in found}
    assert like == {
        decoding2.pk: shelf.decoding.pk,
        diffusion2.pk: shelf.diffusion.pk,
        folding.pk: proteins.pk,
    }


def test_at_most_five_and_none_without_a_read_paper(cast: Cast) -> None:
    for _ in range(7):
        listed(topic_paper("decoding2"), SAMPLE_DAY)
    assert suggestions(cast.group) == []  # nothing read yet
    make_shelf(cast)
    assert len(suggestions(cast.group)) == 5


@pytest.mark.parametrize("size", [5, 60])
def test_a_warm_lookup_reads_no_text_at_both_sizes(
    cast: Cast, size: int, django_assert_num_queries
) -> None:
    make_shelf(cast)
    voted(cast, topic_paper("graphs"))
    filler(cast, size)
    filler(cast, size, day=SAMPLE_DAY)
    listed(topic_paper("decoding2"), SAMPLE_DAY)
    paper = topic_paper("diffusion2")
    # cold: the discussed papers, their text
    with django_assert_num_queries(2):
        assert similar_discussed(cast.group, paper)
    # warm: the discussed papers only
    with django_assert_num_queries(1):
        assert similar_discussed(cast.group, paper)
    # cold: discussed, voted, the newest day, the candidates; the read papers' text (another
    # shelf than the discussed papers': the voted paper is on it), the candidates' text
    with django_assert_num_queries(6):
        assert suggestions(cast.group)
    with django_assert_num_queries(4):
        assert suggestions(cast.group)


def test_after_a_new_day_only_its_papers_are_read(cast: Cast) -> None:
    shelf = make_shelf(cast)
    filler(cast, 20, day=SAMPLE_DAY - timedelta(days=1))
    listed(topic_paper("diffusion2"), SAMPLE_DAY - timedelta(days=1))
    assert [s.like.paper_id for s in suggestions(cast.group)] == [shelf.diffusion.pk]
    decoding2 = listed(topic_paper("decoding2"), SAMPLE_DAY)
    # discussed, voted, the newest day, the candidates; then the term counts of the one new
    # paper (stored by its indexing)
    with CaptureQueriesContext(connection) as queries:
        found = suggestions(cast.group)
    assert len(queries) == 5
    assert "papers_paperterms" in queries[-1]["sql"]
    assert f"IN ({decoding2.pk})" in queries[-1]["sql"]
    assert [s.like.paper_id for s in found] == [shelf.decoding.pk, shelf.diffusion.pk]


def test_a_new_session_held_changes_the_answer_at_once(cast: Cast) -> None:
    make_shelf(cast)
    paper = topic_paper("proteins")
    assert similar_discussed(cast.group, paper) == []
    session = held(cast, topic_paper("proteins"), days_ago=-1)
    assert similar_discussed(cast.group, paper) == []  # not held yet
    session.starts_at = timezone.now() - timedelta(days=1)
    session.save(update_fields=["starts_at"])
    [found] = similar_discussed(cast.group, paper)
    assert found.read.session_id == session.pk


def test_moved_counters_keep_the_index_and_a_changed_text_rebuilds_it(
    cast: Cast, django_assert_num_queries
) -> None:
    shelf = make_shelf(cast)
    paper = topic_paper("diffusion2")
    assert similar_discussed(cast.group, paper)
    # A re-import that moves the upvotes (updated_at with them): the index stands.
    Paper.objects.filter(pk=shelf.diffusion.pk).update(upvotes=99, updated_at=timezone.now())
    with django_assert_num_queries(1):
        assert similar_discussed(cast.group, paper)
    # The text changed (an import or the admin empties search_indexed_at): read again, and the
    # new text is what counts.
    Paper.objects.filter(pk=shelf.diffusion.pk).update(
        title="Lighthouse logbooks", abstract="Keepers logged tides.", ai_keywords=[],
        search_indexed_at=None,
    )  # fmt: skip
    with django_assert_num_queries(2):
        assert similar_discussed(cast.group, paper) == []
