"""The latest arXiv version of each paper (issue 16, item 6): recorded by every import that
carries it, never lowered by an older capture, and announced when it rises (papers.signals)."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from papers import services
from papers.models import Paper
from papers.signals import paper_versions_rose
from tests.factories import PaperFactory
from tests.papers.conftest import (
    V3_ENTRY,
    FakeNetwork,
    arxiv_entry_at_version,
    arxiv_entry_id,
    hf_fixture_path,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced() -> Iterator[list[list[int]]]:
    """The `paper_ids` of each paper_versions_rose sent while the test runs."""
    sent: list[list[int]] = []

    def receive(*, paper_ids: list[int], **_signal: object) -> None:
        sent.append(paper_ids)

    paper_versions_rose.connect(receive, dispatch_uid="tests.announced")
    yield sent
    paper_versions_rose.disconnect(dispatch_uid="tests.announced")


def test_it_records_the_version_arxiv_sends(network: FakeNetwork, announced) -> None:
    network.serve_arxiv(arxiv_entry_at_version(3))
    run = services.import_arxiv_ids(ids=[arxiv_entry_id(V3_ENTRY)])
    assert run.created == 1
    assert Paper.objects.get(arxiv_id="2204.08348").latest_version == 3
    assert announced == []  # a new paper rose from nothing


def test_it_records_the_version_when_one_paper_is_added_by_url(network: FakeNetwork) -> None:
    network.serve_arxiv(arxiv_entry_at_version(3))
    paper = services.paper_import_by_arxiv_id(
        arxiv_id_or_url="https://arxiv.org/abs/2204.08348v1", interactive=True
    )
    assert paper.latest_version == 3  # arXiv's latest, not the version the link named


def test_it_raises_the_version_and_announces_it_once(network: FakeNetwork, announced) -> None:
    network.serve_arxiv(arxiv_entry_at_version(1))
    services.import_arxiv_ids(ids=["2204.08348"])
    paper = Paper.objects.get(arxiv_id="2204.08348")
    assert paper.latest_version == 1

    network.serve_arxiv(arxiv_entry_at_version(3))
    run = services.import_arxiv_ids(ids=["2204.08348"])
    assert (run.updated, run.unchanged) == (1, 0)
    paper.refresh_from_db()
    assert paper.latest_version == 3
    assert announced == [[paper.pk]]

    services.import_arxiv_ids(ids=["2204.08348"])  # the same answer again
    assert announced == [[paper.pk]]


def test_an_older_capture_never_lowers_it(network: FakeNetwork, announced) -> None:
    network.serve_arxiv(arxiv_entry_at_version(3))
    services.import_arxiv_ids(ids=["2204.08348"])
    paper = Paper.objects.get(arxiv_id="2204.08348")
    updated_at = paper.updated_at

    network.serve_arxiv(arxiv_entry_at_version(2))  # a capture made while v2 was the latest
    run = services.import_arxiv_ids(ids=["2204.08348"])
    assert (run.updated, run.unchanged) == (0, 1)  # nothing else differs: not written
    paper.refresh_from_db()
    assert (paper.latest_version, paper.updated_at) == (3, updated_at)
    assert announced == []


def test_an_older_capture_with_other_changes_still_keeps_the_version(
    network: FakeNetwork,
) -> None:
    network.serve_arxiv(arxiv_entry_at_version(3))
    services.import_arxiv_ids(ids=["2204.08348"])
    older = arxiv_entry_at_version(1)
    older = re.sub(r"<title>.*?</title>", "<title>The first title</title>", older, count=2)
    network.serve_arxiv(older)
    run = services.import_arxiv_ids(ids=["2204.08348"])
    assert run.updated == 1
    paper = Paper.objects.get(arxiv_id="2204.08348")
    assert (paper.title, paper.latest_version) == ("The first title", 3)


def test_a_saved_file_raises_it_and_an_older_file_does_not_lower_it(
    tmp_path: Path, announced
) -> None:
    for version in (1, 4, 2):
        path = tmp_path / f"v{version}.xml"
        path.write_text(arxiv_entry_at_version(version))
        services.import_file(path=path)
    paper = Paper.objects.get(arxiv_id="2204.08348")
    assert paper.latest_version == 4
    assert announced == [[paper.pk]]


def test_hugging_face_carries_no_version_and_leaves_it_alone(tmp_path: Path) -> None:
    first = re.search(r'"id":\s*"(\d{4}\.\d{5})"', hf_fixture_path().read_text())
    assert first
    PaperFactory(arxiv_id=first.group(1), latest_version=4)
    run = services.import_file(path=hf_fixture_path())
    assert run.updated >= 1
    assert Paper.objects.get(arxiv_id=first.group(1)).latest_version == 4
