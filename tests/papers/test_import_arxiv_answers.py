"""What arXiv and Hugging Face answer when papers are added by id, and how runs report it."""

import json

import httpx
import pytest

from papers import services
from papers.clients.http import SourceError
from papers.models import ImportRun, Paper
from tests.papers.conftest import FakeNetwork, arxiv_entry_id, arxiv_feed, hf_items
from tests.papers.test_import_command import run_command

pytestmark = pytest.mark.django_db

# arXiv's answer (400 Bad Request) to an id list it cannot read, as the API sends it.
ARXIV_400 = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query=&amp;id_list=2606.9v99&amp;start=0&amp;max_results=1" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=&amp;id_list=2606.9v99&amp;start=0&amp;max_results=1</title>
  <id>http://arxiv.org/api/Wm0bJz8fYF1sVvZ3dK9z0A6oVwE</id>
  <updated>2026-06-12T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_2606.9v99</id>
    <title>Error</title>
    <summary>incorrect id format for 2606.9v99</summary>
    <updated>2026-06-12T00:00:00-04:00</updated>
    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_2606.9v99" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
</feed>
"""


@pytest.mark.parametrize("asked", ["hep-th/9901001", "hep-th/9901001v3", "2606.99999v2"])
def test_it_fails_with_a_skip_when_arxiv_has_no_paper(network: FakeNetwork, asked: str) -> None:
    network.serve_arxiv(arxiv_feed())  # how arXiv answers an id it does not know
    arxiv_id = asked.rsplit("v", 1)[0] if asked[-2] == "v" else asked
    code, out, err = run_command("--arxiv", asked)
    assert (code, out) == (1, "")
    assert f"arXiv has no paper {arxiv_id}" in err
    run = ImportRun.objects.get()
    assert (run.status, run.error) == (ImportRun.Status.FAILED, f"arXiv has no paper {arxiv_id}")
    assert (run.created, run.updated, run.unchanged, run.skipped) == (0, 0, 0, 1)
    assert list(run.skips.values_list("record_id", "reason")) == [
        (arxiv_id, f"arXiv has no paper {arxiv_id}")
    ]
    assert Paper.objects.count() == 0


def test_it_skips_the_unknown_id_among_known_ones(network: FakeNetwork) -> None:
    network.serve_arxiv(arxiv_feed(0))
    known = arxiv_entry_id(0)
    code, out, err = run_command("--arxiv", known, "2606.99999")
    assert (code, out) == (0, "1 created, 0 updated, 0 unchanged, 1 skipped\n")
    assert "skipped 2606.99999: arXiv has no paper 2606.99999" in err
    assert ImportRun.objects.get().status == ImportRun.Status.SUCCEEDED


def test_it_gives_arxivs_error_entry_as_the_reason(network: FakeNetwork) -> None:
    network.serve_arxiv(ARXIV_400, status=400)
    with pytest.raises(SourceError):
        services.import_arxiv_ids(ids=["2606.99999"])
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert run.error == "arXiv answered 400 Bad Request: incorrect id format for 2606.9v99"
    assert len(network.requests) == 1  # a refusal is not retried


def hf_answer(arxiv_id: str) -> dict:
    """Hugging Face's /api/papers/{id} answer: the paper object of a daily item."""
    paper = dict(hf_items()[0]["paper"])
    paper.update(id=arxiv_id, upvotes=57, title="Hugging Face's title")
    return paper


def test_it_asks_hugging_face_when_adding_a_paper_by_id(network: FakeNetwork) -> None:
    arxiv_id = arxiv_entry_id(0)
    network.serve_arxiv(arxiv_feed(0))
    answer = hf_answer(arxiv_id)
    network.routes[f"huggingface.co/api/papers/{arxiv_id}"] = lambda request: httpx.Response(
        200, content=json.dumps(answer)
    )
    paper = services.paper_import_by_arxiv_id(arxiv_id_or_url=arxiv_id, interactive=True)
    assert paper.title.startswith("Testing Deep Learning Models")  # arXiv's title stands
    assert paper.authors == ["Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker"]
    assert paper.upvotes == 57
    assert paper.ai_summary == answer["ai_summary"]
    assert paper.ai_keywords == answer["ai_keywords"]
    assert paper.categories == ["cs.SE", "cs.LG"]
    assert paper.listings.count() == 0  # on no daily list
    run = ImportRun.objects.get()
    assert (run.status, run.created, run.skipped) == (ImportRun.Status.SUCCEEDED, 1, 0)


@pytest.mark.parametrize("status", [404, 503])
def test_it_keeps_arxivs_data_alone_when_hugging_face_does_not_answer(
    network: FakeNetwork, status: int
) -> None:
    arxiv_id = arxiv_entry_id(0)
    network.serve_arxiv(arxiv_feed(0))
    network.routes["huggingface.co/api/papers/"] = lambda request: httpx.Response(status)
    paper = services.paper_import_by_arxiv_id(arxiv_id_or_url=arxiv_id, interactive=True)
    assert (paper.upvotes, paper.ai_summary) == (0, "")
    assert paper.title.startswith("Testing Deep Learning Models")
    # One try only, with no wait: a person is waiting.
    assert [r.url.host for r in network.requests] == ["export.arxiv.org", "huggingface.co"]
    assert network.sleeps == []
    assert ImportRun.objects.get().status == ImportRun.Status.SUCCEEDED
