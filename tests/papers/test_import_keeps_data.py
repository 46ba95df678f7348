"""A re-import never loses what Paper Club knows: an absent (or null) field keeps its value.

The rule (papers.parsing.hf_item_to_record): an absent key, or a key whose value is null, means
"unknown" and leaves the stored value alone; an empty value ("" or []) is the source saying
"none" and is stored.
"""

import copy
import datetime as dt
import json

import pytest

from papers import services
from papers.models import DailyListing, ImportRun, Paper
from tests.papers.conftest import FakeNetwork, hf_items

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)
PAPER = "2606.13392"  # has a GitHub repo, stars, AI summary, keywords and an organization
OPTIONAL = ("githubRepo", "githubStars", "projectPage", "ai_summary", "ai_keywords", "organization")


def stored(arxiv_id: str = PAPER) -> dict:
    paper = Paper.objects.get(arxiv_id=arxiv_id)
    return {
        "github_repo": paper.github_repo,
        "github_stars": paper.github_stars,
        "project_page": paper.project_page,
        "ai_summary": paper.ai_summary,
        "ai_keywords": paper.ai_keywords,
        "organization": paper.organization,
        "authors": paper.authors,
        "updated_at": paper.updated_at,
    }


def with_project_page(items: list[dict]) -> list[dict]:
    items = copy.deepcopy(items)
    target = next(item for item in items if item["paper"]["id"] == PAPER)
    target["paper"]["projectPage"] = "https://minimax.example/msa"
    return items


def older_capture(items: list[dict]) -> list[dict]:
    """The same day as an older schema had it: no optional keys, no submittedOnDailyAt,
    authors as plain strings, the organization at the top level only."""
    older = copy.deepcopy(items)
    for item in older:
        paper = item["paper"]
        for key in (*OPTIONAL, "submittedOnDailyAt"):
            paper.pop(key, None)
        item.pop("organization", None)
        paper["authors"] = [author["name"] for author in paper["authors"]]
    return older


def test_it_keeps_stored_fields_when_a_reimport_lacks_their_keys(network: FakeNetwork) -> None:
    items = with_project_page(hf_items())
    network.serve_daily([json.dumps(items)])
    services.import_daily(day=DAY)
    before = stored()
    assert before["github_repo"] and before["github_stars"] and before["ai_keywords"]
    assert before["organization"] == "MiniMax" and before["project_page"]

    lacking = copy.deepcopy(items)
    for item in lacking:
        for key in OPTIONAL:
            item["paper"].pop(key, None)
        item.pop("organization", None)
    network.serve_daily([json.dumps(lacking)])
    run = services.import_daily(day=DAY)

    assert (run.status, run.created, run.updated, run.unchanged, run.skipped) == (
        ImportRun.Status.SUCCEEDED,
        0,
        0,
        30,
        0,
    )
    assert stored() == before  # nothing erased, nothing even rewritten


def test_it_treats_null_as_unknown_and_empty_as_none(network: FakeNetwork) -> None:
    items = hf_items()
    network.serve_daily([json.dumps(items)])
    services.import_daily(day=DAY)
    before = stored()

    nulls = copy.deepcopy(items)
    target = next(item for item in nulls if item["paper"]["id"] == PAPER)
    for key in OPTIONAL:
        target["paper"][key] = None
    target["organization"] = None
    network.serve_daily([json.dumps(nulls)])
    run = services.import_daily(day=DAY)
    assert (run.updated, run.unchanged) == (0, 30)
    assert stored() == before

    emptied = copy.deepcopy(items)
    target = next(item for item in emptied if item["paper"]["id"] == PAPER)
    target["paper"]["githubRepo"] = ""
    target["paper"]["ai_keywords"] = []
    network.serve_daily([json.dumps(emptied)])
    run = services.import_daily(day=DAY)
    assert (run.updated, run.unchanged) == (1, 29)
    after = stored()
    assert (after["github_repo"], after["ai_keywords"]) == ("", [])
    assert after["ai_summary"] == before["ai_summary"]


def test_it_loses_nothing_when_an_older_capture_is_imported_over_a_newer_one(
    network: FakeNetwork, tmp_path
) -> None:
    items = with_project_page(hf_items())
    network.serve_daily([json.dumps(items)])
    services.import_daily(day=DAY)
    before = {paper.arxiv_id: stored(paper.arxiv_id) for paper in Paper.objects.all()}

    path = tmp_path / "old-capture.json"
    path.write_text(json.dumps(older_capture(items)))
    run = services.import_file(path=path, day=DAY)

    assert (run.status, run.created, run.updated, run.unchanged, run.skipped) == (
        ImportRun.Status.SUCCEEDED,
        0,
        0,
        30,
        0,
    )
    assert run.days == ["2026-06-12"]
    assert {paper.arxiv_id: stored(paper.arxiv_id) for paper in Paper.objects.all()} == before
    assert DailyListing.objects.filter(day=DAY).count() == 30


@pytest.mark.parametrize(
    "authors",
    [
        ["Ada Lovelace", "Alan Turing"],  # plain strings (older answers)
        [{"name": "Ada Lovelace", "hidden": False}, {"name": "Alan Turing"}],  # objects (today)
        [{"fullname": "Ada Lovelace"}, {"user": {"fullname": "Alan Turing"}}],
        "Ada Lovelace, Alan Turing",  # one string
    ],
)
def test_it_keeps_authors_in_every_shape(network: FakeNetwork, authors) -> None:
    items = copy.deepcopy(hf_items()[:1])
    items[0]["paper"]["authors"] = authors
    network.serve_daily([json.dumps(items)])
    run = services.import_daily(day=DAY)
    assert (run.created, run.skipped) == (1, 0)
    assert Paper.objects.get().authors == ["Ada Lovelace", "Alan Turing"]


def test_it_skips_a_record_whose_authors_it_cannot_read(network: FakeNetwork) -> None:
    items = copy.deepcopy(hf_items()[:2])
    items[0]["paper"]["authors"] = [{"_id": "6a2c75a3"}, 42]
    network.serve_daily([json.dumps(items)])
    run = services.import_daily(day=DAY)
    assert (run.status, run.created, run.skipped) == (ImportRun.Status.SUCCEEDED, 1, 1)
    assert list(run.skips.values_list("record_id", "reason")) == [
        (items[0]["paper"]["id"], "authors in a shape Paper Club cannot read: no names in them")
    ]
    assert list(Paper.objects.values_list("arxiv_id", flat=True)) == [items[1]["paper"]["id"]]
