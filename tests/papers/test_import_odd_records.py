"""One odd record never sinks the day, and a run never stays "running".

What the database cannot take (NUL bytes, numbers beyond a column's range, over-long strings)
is cleaned; anything unexpected in the write fails the run with the reason.
"""

import copy
import datetime as dt
import gc
import json

import pytest
from django.db import connection

from papers import services
from papers.clients.http import SourceError
from papers.models import DailyListing, ImportRun, ImportSkip, Paper
from tests.papers.conftest import FakeNetwork, hf_items

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)


def serve_changed(network: FakeNetwork, change) -> list[dict]:
    items = copy.deepcopy(hf_items())
    change(items[0]["paper"], items[0])
    network.serve_daily([json.dumps(items)])
    return items


def test_it_cleans_nul_bytes_and_control_characters(network: FakeNetwork) -> None:
    def change(paper: dict, item: dict) -> None:
        paper["summary"] = "Nul\u0000 in the\u0007 abstract."
        paper["title"] = "A\u0000 title"
        paper["ai_keywords"] = ["nul\u0000word"]
        paper["authors"] = [{"name": "Ada\u0000 Lovelace"}]

    items = serve_changed(network, change)
    run = services.import_daily(day=DAY)
    assert (run.status, run.created, run.skipped) == (ImportRun.Status.SUCCEEDED, 30, 0)
    paper = Paper.objects.get(arxiv_id=items[0]["paper"]["id"])
    assert (paper.title, paper.abstract) == ("A title", "Nul in the abstract.")
    assert (paper.ai_keywords, paper.authors) == (["nulword"], ["Ada Lovelace"])


def test_it_clamps_counters_to_what_the_columns_hold(network: FakeNetwork) -> None:
    def change(paper: dict, item: dict) -> None:
        paper["upvotes"] = 10**12
        paper["githubStars"] = -5
        item["numComments"] = 2**40

    items = serve_changed(network, change)
    run = services.import_daily(day=DAY)
    assert (run.status, run.created, run.skipped) == (ImportRun.Status.SUCCEEDED, 30, 0)
    paper = Paper.objects.get(arxiv_id=items[0]["paper"]["id"])
    assert (paper.upvotes, paper.github_stars, paper.num_comments) == (2**31 - 1, 0, 2**31 - 1)


def test_it_cuts_over_long_strings_and_drops_over_long_links(network: FakeNetwork) -> None:
    def change(paper: dict, item: dict) -> None:
        paper["title"] = "T" * 5000
        paper["organization"] = {"fullname": "O" * 5000}
        paper["authors"] = [{"name": "A" * 5000}]
        paper["githubRepo"] = "https://github.com/" + "r" * 600

    items = serve_changed(network, change)
    run = services.import_daily(day=DAY)
    assert (run.status, run.created, run.skipped) == (ImportRun.Status.SUCCEEDED, 30, 0)
    paper = Paper.objects.get(arxiv_id=items[0]["paper"]["id"])
    assert (len(paper.title), len(paper.organization), len(paper.authors[0])) == (1000, 300, 300)
    assert paper.github_repo == ""


def test_it_fails_the_run_with_the_reason_when_the_write_breaks(hf_day: FakeNetwork) -> None:
    def broken(execute, sql, params, many, context):
        if "FROM papers_paper p" in sql:  # the write's first statement
            raise RuntimeError("the disk is on fire")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(broken), pytest.raises(SourceError, match="disk is on fire"):
        services.import_daily(day=DAY)
    assert gc.isenabled()  # the import pauses Python's cycle collector, and turns it back on
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert run.error == "writing the papers failed (RuntimeError: the disk is on fire)"
    assert run.finished_at is not None
    assert (run.created, run.updated, run.unchanged, run.skipped) == (0, 0, 0, 0)
    assert (Paper.objects.count(), DailyListing.objects.count(), ImportSkip.objects.count()) == (
        0,
        0,
        0,
    )


def test_it_fails_the_run_when_the_write_breaks_halfway(network: FakeNetwork) -> None:
    # The papers and listings went in, then recording the run's counts failed: nothing of
    # the run stays, and the run is on record as failed (its second try at saving works).
    broken_once = []

    def broken(execute, sql, params, many, context):
        if sql.startswith('UPDATE "papers_importrun"') and not broken_once:
            broken_once.append(sql)
            raise RuntimeError("lost the connection")
        return execute(sql, params, many, context)

    network.serve_daily([json.dumps(hf_items())])
    with connection.execute_wrapper(broken), pytest.raises(SourceError):
        services.import_daily(day=DAY)
    run = ImportRun.objects.get()
    assert (run.status, run.error) == (
        ImportRun.Status.FAILED,
        "writing the papers failed (RuntimeError: lost the connection)",
    )
    assert Paper.objects.count() == 0
