"""The search index is kept off the write path: imports mark papers, a task indexes them."""

import copy
import datetime as dt
import json

import pytest
from celery.schedules import crontab
from django.conf import settings

from config.celery import app as celery_app
from papers import services
from papers.models import Paper
from tests.papers.conftest import FakeNetwork, hf_items

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)
SPARSE = "2606.13392"  # "MiniMax Sparse Attention"


def pending() -> set[str]:
    return set(
        Paper.objects.filter(search_indexed_at__isnull=True).values_list("arxiv_id", flat=True)
    )


def test_it_makes_imported_papers_searchable_after_the_commit(
    hf_day: FakeNetwork, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        services.import_daily(day=DAY)
    # Written, not yet indexed: the import did no text-search work.
    assert len(pending()) == 30
    assert list(Paper.objects.search("sparse attention")) == []
    assert len(queued) == 1  # one indexing task for the whole import, after its commit
    queued[0]()
    assert pending() == set()
    assert [paper.arxiv_id for paper in Paper.objects.search("sparse attention")][:1] == [SPARSE]


def test_it_indexes_again_only_when_the_text_changes(
    network: FakeNetwork, django_capture_on_commit_callbacks
) -> None:
    items = hf_items()
    network.serve_daily([json.dumps(items)])
    with django_capture_on_commit_callbacks(execute=True):
        services.import_daily(day=DAY)
    assert pending() == set()

    counters = copy.deepcopy(items)
    for item in counters:
        item["paper"]["upvotes"] += 1
        item["numComments"] = 7
    network.serve_daily([json.dumps(counters)])
    with django_capture_on_commit_callbacks() as queued:
        run = services.import_daily(day=DAY)
    assert (run.updated, run.unchanged) == (30, 0)
    assert pending() == set()  # counts moved: nothing to index
    assert (
        Paper.objects.get(arxiv_id=SPARSE).upvotes
        == items[next(n for n, i in enumerate(items) if i["paper"]["id"] == SPARSE)]["paper"][
            "upvotes"
        ]
        + 1
    )
    assert len(queued) == 1  # queued all the same; it finds nothing to do

    retitled = copy.deepcopy(counters)
    target = next(item for item in retitled if item["paper"]["id"] == SPARSE)
    target["paper"]["title"] = "Sparse attention, revisited with zebras"
    network.serve_daily([json.dumps(retitled)])
    with django_capture_on_commit_callbacks(execute=True):
        run = services.import_daily(day=DAY)
    assert (run.updated, run.unchanged) == (1, 29)
    assert [paper.arxiv_id for paper in Paper.objects.search("zebras")] == [SPARSE]


def test_it_reads_counts_moved_in_a_pretty_printed_file(tmp_path) -> None:
    items = hf_items()
    path = tmp_path / "daily_papers_2026-06-12.json"
    path.write_text(json.dumps(items, indent=2))
    services.import_file(path=path)
    for item in items:
        item["paper"]["upvotes"] += 5
    path.write_text(json.dumps(items, indent=4))
    run = services.import_file(path=path)
    assert (run.created, run.updated, run.unchanged) == (0, 30, 0)
    paper = Paper.objects.get(arxiv_id=SPARSE)
    assert (paper.upvotes, paper.title) == (108, "MiniMax Sparse Attention")


def test_a_paper_stored_with_another_import_digest_gets_the_new_one_and_nothing_else(
    hf_day: FakeNetwork, django_capture_on_commit_callbacks
) -> None:
    # As after the import digest's formula changed (since 2026-12-03 it is made of the content
    # digest and the counts): the fields are as stored, so only the digest is written; the
    # paper is neither updated (its updated_at stays) nor marked for indexing.
    with django_capture_on_commit_callbacks(execute=True):
        services.import_daily(day=DAY)
    before = list(Paper.objects.order_by("pk").values_list("updated_at", "search_indexed_at"))
    current = dict(Paper.objects.values_list("arxiv_id", "import_hash"))
    Paper.objects.update(import_hash="an earlier formula")
    run = services.import_daily(day=DAY)
    assert (run.updated, run.unchanged) == (0, 30)
    assert dict(Paper.objects.values_list("arxiv_id", "import_hash")) == current
    assert list(Paper.objects.order_by("pk").values_list("updated_at", "search_indexed_at")) == (
        before
    )


def test_beat_sweeps_for_unindexed_papers_every_minute() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["papers-search-index"]
    assert entry["task"] == "papers.search_index_fill"
    assert entry["schedule"] == crontab(minute="*")


def test_the_sweep_indexes_what_was_left(hf_day: FakeNetwork) -> None:
    services.import_daily(day=DAY)  # its queued task never ran (no commit in this test)
    assert len(pending()) == 30
    assert celery_app.tasks["papers.search_index_fill"].delay().get() == 30
    assert pending() == set()
    assert celery_app.tasks["papers.search_index_fill"].delay().get() == 0
