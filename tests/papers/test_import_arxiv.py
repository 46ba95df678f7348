import pytest

from papers import services
from papers.clients.http import SourceError
from papers.models import ImportRun, Paper
from tests.factories import PaperFactory
from tests.papers.conftest import (
    ARXIV_FAILURES,
    PLAIN_ARXIV_DOWN,
    FakeNetwork,
    arxiv_entry_id,
    arxiv_fails,
    arxiv_feed,
    arxiv_fixture_path,
)

pytestmark = pytest.mark.django_db


def test_it_imports_the_recorded_arxiv_answer_from_a_file() -> None:
    run = services.import_file(path=arxiv_fixture_path())
    assert (run.status, run.created) == (ImportRun.Status.SUCCEEDED, 100)
    again = services.import_file(path=arxiv_fixture_path())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 100)
    old = Paper.objects.get(arxiv_id="cs/0503050")
    assert old.abs_url == "https://arxiv.org/abs/cs/0503050"


def test_it_adds_a_paper_by_url_from_arxiv(network: FakeNetwork) -> None:
    network.serve_arxiv(arxiv_feed(0))
    paper = services.paper_import_by_arxiv_id(
        arxiv_id_or_url="https://arxiv.org/abs/2202.12139v1", interactive=True
    )
    assert paper.arxiv_id == "2202.12139"
    assert paper.title.startswith("Testing Deep Learning Models")
    assert network.requests[0].url.params["id_list"] == "2202.12139"
    assert ImportRun.objects.get().source == ImportRun.Source.ARXIV_IDS


def test_it_adds_an_old_style_id(network: FakeNetwork) -> None:
    network.serve_arxiv(arxiv_feed(51))
    arxiv_id = arxiv_entry_id(51)
    assert "/" in arxiv_id
    assert (
        services.paper_import_by_arxiv_id(arxiv_id_or_url=arxiv_id, interactive=True).arxiv_id
        == arxiv_id
    )


def test_it_returns_a_known_paper_without_asking_arxiv(network: FakeNetwork) -> None:
    paper = PaperFactory(arxiv_id="2606.13392")
    assert (
        services.paper_import_by_arxiv_id(arxiv_id_or_url="arXiv:2606.13392v2", interactive=True)
        == paper
    )
    assert network.requests == []


def test_it_says_clearly_when_arxiv_has_no_such_paper(network: FakeNetwork) -> None:
    network.serve_arxiv(arxiv_feed())
    with pytest.raises(SourceError, match=r"arXiv has no paper 2606\.99999"):
        services.paper_import_by_arxiv_id(arxiv_id_or_url="2606.99999", interactive=True)
    assert Paper.objects.count() == 0
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


def test_it_refuses_text_that_is_no_arxiv_id(network: FakeNetwork) -> None:
    with pytest.raises(SourceError, match="not an arXiv id"):
        services.paper_import_by_arxiv_id(
            arxiv_id_or_url="https://example.org/paper.pdf", interactive=True
        )
    assert network.requests == []


def test_it_keeps_hugging_face_fields_when_arxiv_updates_a_paper(network: FakeNetwork) -> None:
    arxiv_id = arxiv_entry_id(0)
    PaperFactory(arxiv_id=arxiv_id, upvotes=42, ai_summary="Short.", title="Old title")
    network.serve_arxiv(arxiv_feed(0))
    run = services.import_arxiv_ids(ids=[arxiv_id])
    assert (run.created, run.updated) == (0, 1)
    paper = Paper.objects.get(arxiv_id=arxiv_id)
    assert paper.title.startswith("Testing Deep Learning Models")
    assert (paper.upvotes, paper.ai_summary) == (42, "Short.")


def test_it_imports_a_category(network: FakeNetwork) -> None:
    network.serve_arxiv(arxiv_fixture_path().read_bytes())
    run = services.import_arxiv_category(category="cs.SE", max_results=100)
    assert (run.request, run.created) == ("cs.SE", 100)
    assert network.requests[0].url.params["search_query"] == "cat:cs.SE"


def test_it_refuses_a_category_that_is_not_one(network: FakeNetwork) -> None:
    with pytest.raises(SourceError, match="not an arXiv category"):
        services.import_arxiv_category(category="cs.CL OR all:x")
    assert network.requests == []
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


def test_it_fails_the_run_when_arxiv_sends_html(network: FakeNetwork) -> None:
    network.serve_arxiv("<html><body>Rate exceeded.</body></html>")
    with pytest.raises(SourceError, match="not an Atom feed"):
        services.import_arxiv_category(category="cs.CL")
    assert Paper.objects.count() == 0


@pytest.mark.parametrize("failure", list(ARXIV_FAILURES))
def test_it_keeps_retrying_arxiv_in_background_imports(failure: str, network: FakeNetwork) -> None:
    detail = arxiv_fails(network, failure)
    with pytest.raises(SourceError) as caught:
        services.import_arxiv_ids(ids=["2606.99999"])
    assert len(network.requests) == 4
    # Before each retry: the backoff, then the rest of arXiv's 3 s between requests (the fake
    # network's sleeps return at once and are only recorded).
    assert len(network.sleeps) == 6
    assert caught.value.retryable
    assert caught.value.for_people == PLAIN_ARXIV_DOWN
    run = ImportRun.objects.get()
    assert detail in run.error
    assert "gave up after 4 tries" in run.error


@pytest.mark.parametrize("failure", list(ARXIV_FAILURES))
def test_it_tries_arxiv_once_when_a_person_waits(failure: str, network: FakeNetwork) -> None:
    arxiv_fails(network, failure)
    with pytest.raises(SourceError) as caught:
        services.paper_import_by_arxiv_id(arxiv_id_or_url="2606.99999", interactive=True)
    assert (len(network.requests), network.sleeps) == (1, [])
    assert caught.value.retryable
    assert caught.value.for_people == PLAIN_ARXIV_DOWN
    assert "arXiv" in str(caught.value)  # the technical detail stays in the message


def test_it_retries_when_a_background_import_adds_a_paper_by_id(network: FakeNetwork) -> None:
    arxiv_fails(network, "busy")
    with pytest.raises(SourceError):
        services.paper_import_by_arxiv_id(arxiv_id_or_url="2606.99999", interactive=False)
    assert len(network.requests) == 4
