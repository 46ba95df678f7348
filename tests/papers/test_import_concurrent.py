"""Imports of the same papers at the same moment: one row per paper, and exact counts."""

import copy
import json
from functools import partial

from papers import services
from papers.models import DailyListing, ImportRun, Paper
from papers.parsing import parse_saved_file
from tests.concurrency import at_once, postgres_threads
from tests.papers.conftest import hf_items


def generated(count: int, *, upvotes: int = 0) -> bytes:
    template = hf_items()[0]
    items = []
    for n in range(count):
        item = copy.deepcopy(template)
        item["paper"]["id"] = f"2606.{n:05d}"
        item["paper"]["upvotes"] = upvotes
        items.append(item)
    return json.dumps(items).encode()


def import_at_once(body: bytes, runs: int) -> list[ImportRun]:
    records = parse_saved_file(body)[1].records
    started = [ImportRun.objects.create(source="file", request=f"run {n}") for n in range(runs)]
    jobs = [partial(services.papers_import_records, run=run, records=records) for run in started]
    _, errors = at_once(jobs)
    assert errors == []
    return [ImportRun.objects.get(pk=run.pk) for run in started]


@postgres_threads
def test_it_counts_each_paper_created_once_across_concurrent_runs() -> None:
    runs = import_at_once(generated(3000), runs=3)
    assert all(run.status == ImportRun.Status.SUCCEEDED for run in runs)
    assert sum(run.created for run in runs) == 3000
    assert sum(run.updated for run in runs) == 0
    assert sum(run.unchanged for run in runs) == 6000
    assert all(run.created + run.updated + run.unchanged == 3000 for run in runs)
    assert Paper.objects.count() == 3000
    assert DailyListing.objects.count() == 3000


@postgres_threads
def test_it_counts_each_change_once_across_concurrent_runs() -> None:
    import_at_once(generated(3000), runs=1)
    runs = import_at_once(generated(3000, upvotes=9), runs=3)
    assert sum(run.created for run in runs) == 0
    assert sum(run.updated for run in runs) == 3000
    assert sum(run.unchanged for run in runs) == 6000
    assert set(Paper.objects.values_list("upvotes", flat=True)) == {9}
