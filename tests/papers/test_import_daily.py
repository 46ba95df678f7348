import copy
import datetime as dt
import json

import pytest

from papers import services
from papers.clients.http import SourceError
from papers.models import DailyListing, ImportRun, Paper
from papers.parsing import parse_saved_file
from tests.factories import NominationFactory
from tests.papers.conftest import FakeNetwork, hf_items

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)


def test_it_imports_a_day_and_records_the_run(hf_day: FakeNetwork) -> None:
    run = services.import_daily(day=DAY)
    assert (run.status, run.created, run.updated, run.unchanged, run.skipped) == (
        ImportRun.Status.SUCCEEDED,
        30,
        0,
        0,
        0,
    )
    assert run.source == ImportRun.Source.HF_DAILY
    assert run.request == "2026-06-12"
    assert run.finished_at is not None
    assert Paper.objects.count() == 30
    assert Paper.objects.for_day(DAY).count() == 30
    paper = Paper.objects.get(arxiv_id="2606.13392")
    assert (paper.upvotes, paper.num_comments, paper.github_stars) == (103, 4, 251)


def test_it_counts_an_unchanged_second_run(hf_day: FakeNetwork) -> None:
    services.import_daily(day=DAY)
    before = {p.arxiv_id: p.updated_at for p in Paper.objects.all()}
    run = services.import_daily(day=DAY)
    assert (run.created, run.updated, run.unchanged) == (0, 0, 30)
    assert {p.arxiv_id: p.updated_at for p in Paper.objects.all()} == before
    assert DailyListing.objects.count() == 30


def test_it_updates_mutable_fields_on_reimport(network: FakeNetwork) -> None:
    items = hf_items()
    network.serve_daily([json.dumps(items)])
    services.import_daily(day=DAY)
    changed = copy.deepcopy(items)
    target = next(i for i in changed if i["paper"]["id"] == "2606.13392")
    target["paper"]["upvotes"] = 250
    target["paper"]["githubStars"] = 900
    target["numComments"] = 9
    network.serve_daily([json.dumps(changed)])
    run = services.import_daily(day=DAY)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 29)
    paper = Paper.objects.get(arxiv_id="2606.13392")
    assert (paper.upvotes, paper.github_stars, paper.num_comments) == (250, 900, 9)


def test_it_adds_the_day_when_a_paper_is_listed_again(hf_day: FakeNetwork) -> None:
    services.import_daily(day=DAY)
    run = services.import_daily(day=DAY + dt.timedelta(days=1))
    assert (run.created, run.updated, run.unchanged) == (0, 30, 0)
    paper = Paper.objects.get(arxiv_id="2606.13392")
    assert sorted(paper.listings.values_list("day", flat=True)) == [DAY, DAY + dt.timedelta(days=1)]


def test_it_never_touches_what_groups_made(hf_day: FakeNetwork) -> None:
    services.import_daily(day=DAY)
    paper = Paper.objects.get(arxiv_id="2606.13392")
    nomination = NominationFactory(paper=paper, pitch="Our next read")
    services.import_daily(day=DAY)
    nomination.refresh_from_db()
    assert (nomination.paper_id, nomination.pitch) == (paper.pk, "Our next read")


def test_it_skips_bad_records_and_imports_the_rest(network: FakeNetwork) -> None:
    items = hf_items()
    no_id = copy.deepcopy(items[0])
    del no_id["paper"]["id"]
    no_title = copy.deepcopy(items[1])
    no_title["paper"]["title"] = ""
    no_title["title"] = ""
    bad_id = copy.deepcopy(items[2])
    bad_id["paper"]["id"] = "not-an-arxiv-id"
    network.serve_daily([json.dumps([no_id, no_title, bad_id, *items[3:], items[3]])])
    run = services.import_daily(day=DAY)
    assert (run.created, run.skipped) == (27, 4)
    reasons = sorted(run.skips.values_list("record_id", "reason"))
    assert reasons == sorted(
        [
            ("", "no arXiv id"),
            (items[1]["paper"]["id"], "no title"),
            ("not-an-arxiv-id", "not an arXiv id: 'not-an-arxiv-id'"),
            (items[3]["paper"]["id"], "appears twice; the first was kept"),
        ]
    )
    assert Paper.objects.count() == 27


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "empty body"),
        ("[{", "malformed JSON"),
        ('{"papers": []}', "a JSON dict, not a list"),
        ("<!DOCTYPE html><title>Hugging Face is down</title>", "HTML"),
    ],
)
def test_it_fails_the_run_and_writes_nothing_on_a_bad_document(
    network: FakeNetwork, body: str, reason: str
) -> None:
    network.serve_daily([body])
    with pytest.raises(SourceError, match=reason):
        services.import_daily(day=DAY)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert reason in run.error
    assert Paper.objects.count() == 0
    assert DailyListing.objects.count() == 0


def test_it_fails_the_run_without_retrying_a_400(network: FakeNetwork) -> None:
    network.serve_daily(['{"error":"Invalid date"}'], status=400)
    with pytest.raises(SourceError):
        services.import_daily(day=DAY)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert "400" in run.error and "Invalid date" in run.error
    assert len(network.requests) == 1


def test_it_fails_the_run_when_a_later_page_fails(network: FakeNetwork) -> None:
    network.serve_daily([json.dumps(hf_items()[:10]), "<html>oops</html>"])
    with pytest.raises(SourceError):
        services.import_daily(day=DAY)
    assert Paper.objects.count() == 0  # no half-imported day


def test_it_stores_html_in_titles_as_text(network: FakeNetwork) -> None:
    items = copy.deepcopy(hf_items()[:1])
    items[0]["paper"]["title"] = "<script>alert(1)</script> <b>Bold</b> claims"
    network.serve_daily([json.dumps(items)])
    services.import_daily(day=DAY)
    assert Paper.objects.get().title == "<script>alert(1)</script> <b>Bold</b> claims"


def test_it_imports_thousands_of_papers_in_a_few_queries(
    django_assert_max_num_queries,
) -> None:
    records = parse_saved_file(_generated(2500))[1].records
    run = ImportRun.objects.create(source=ImportRun.Source.FILE, request="generated")
    # 3 chunks of 1,000: read papers, read listings, upsert, read ids, insert listings;
    # plus the skips and the run. Never one per paper.
    with django_assert_max_num_queries(20):
        services.papers_import_records(run=run, records=records)
    assert Paper.objects.count() == 2500


def _generated(count: int) -> bytes:
    template = hf_items()[0]
    items = []
    for n in range(count):
        item = copy.deepcopy(template)
        item["paper"]["id"] = f"2606.{n:05d}"
        items.append(item)
    return json.dumps(items).encode()


def test_it_finds_the_days_due(hf_day: FakeNetwork) -> None:
    today = dt.date(2026, 6, 15)
    assert services.import_daily_days_due(today=today, lookback=3) == [
        dt.date(2026, 6, 12),
        dt.date(2026, 6, 13),
        dt.date(2026, 6, 14),
        today,
    ]
    services.import_daily(day=DAY)
    # A day already imported is not fetched again; today and yesterday always are.
    assert services.import_daily_days_due(today=today, lookback=3) == [
        dt.date(2026, 6, 13),
        dt.date(2026, 6, 14),
        today,
    ]


def test_it_updates_titles_and_counters_together(network: FakeNetwork) -> None:
    items = hf_items()
    network.serve_daily([json.dumps(items)])
    services.import_daily(day=DAY)
    changed = copy.deepcopy(items)
    changed[0]["paper"]["upvotes"] = 77
    changed[1]["paper"]["upvotes"] = 88
    changed[1]["paper"]["title"] = "A revised title"
    network.serve_daily([json.dumps(changed)])
    run = services.import_daily(day=DAY)
    assert (run.updated, run.unchanged) == (2, 28)
    first = Paper.objects.get(arxiv_id=items[0]["paper"]["id"])
    second = Paper.objects.get(arxiv_id=items[1]["paper"]["id"])
    assert (first.upvotes, first.title) == (77, items[0]["paper"]["title"])
    assert (second.upvotes, second.title) == (88, "A revised title")
