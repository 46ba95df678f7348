import pytest
from django.test import Client

from papers.models import ImportRun, Paper
from tests.factories import PaperFactory
from tests.papers.conftest import (
    ARXIV_FAILURES,
    PLAIN_ARXIV_DOWN,
    FakeNetwork,
    arxiv_fails,
    arxiv_feed,
)
from tests.people import ROLES, make_cast

pytestmark = pytest.mark.django_db


def test_it_asks_anonymous_visitors_to_sign_in(network: FakeNetwork) -> None:
    for response in (
        Client().get("/papers/add/"),
        Client().post("/papers/add/", {"arxiv": "2202.12139"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert network.requests == []


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_it_adds_a_paper_for_anyone_signed_in(role: str, network: FakeNetwork) -> None:
    network.serve_arxiv(arxiv_feed(0))
    client = make_cast().client(role)
    assert client.get("/papers/add/").status_code == 200
    response = client.post("/papers/add/", {"arxiv": "https://arxiv.org/abs/2202.12139v1"})
    assert (response.status_code, response["Location"]) == (302, "/papers/p/2202.12139/")
    assert Paper.objects.filter(arxiv_id="2202.12139").exists()


def test_it_sends_a_double_click_to_the_same_paper(network: FakeNetwork) -> None:
    network.serve_arxiv(arxiv_feed(0))
    client = make_cast().client("outsider")
    first = client.post("/papers/add/", {"arxiv": "2202.12139"})
    second = client.post("/papers/add/", {"arxiv": "2202.12139"})
    assert first["Location"] == second["Location"]
    assert Paper.objects.count() == 1
    # The first asks arXiv, then Hugging Face (which does not know it here); the second, nothing.
    assert [r.url.host for r in network.requests] == ["export.arxiv.org", "huggingface.co"]


def test_it_goes_to_a_known_paper_without_fetching(network: FakeNetwork) -> None:
    PaperFactory(arxiv_id="2606.13392")
    response = make_cast().client("outsider").post("/papers/add/", {"arxiv": "arXiv:2606.13392"})
    assert response["Location"] == "/papers/p/2606.13392/"
    assert network.requests == []


def test_it_explains_text_that_is_no_arxiv_id(network: FakeNetwork) -> None:
    response = make_cast().client("outsider").post("/papers/add/", {"arxiv": "a great paper"})
    assert response.status_code == 200
    assert "not an arXiv id" in response.context["form"].errors["arxiv"][0]
    assert network.requests == []


def test_it_explains_a_paper_arxiv_does_not_have(network: FakeNetwork) -> None:
    network.serve_arxiv(arxiv_feed())
    response = make_cast().client("outsider").post("/papers/add/", {"arxiv": "2606.99999"})
    assert response.status_code == 200
    assert response.context["form"].errors["arxiv"] == ["arXiv has no paper 2606.99999."]
    assert Paper.objects.count() == 0


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("failure", list(ARXIV_FAILURES))
def test_it_says_plainly_at_once_when_arxiv_does_not_answer(
    failure: str, htmx: bool, network: FakeNetwork
) -> None:
    detail = arxiv_fails(network, failure)
    headers = {"HX-Request": "true"} if htmx else {}
    response = (
        make_cast()
        .client("outsider")
        .post("/papers/add/", {"arxiv": "arXiv:2606.99999v2"}, headers=headers)
    )
    assert response.status_code == 503
    assert response.context["form"].errors["arxiv"] == [PLAIN_ARXIV_DOWN]
    html = response.content.decode()
    assert PLAIN_ARXIV_DOWN in html
    assert 'value="arXiv:2606.99999v2"' in html  # what they typed is still there
    # One try, no waiting: the retries belong to background imports.
    assert (len(network.requests), network.sleeps) == (1, [])
    assert Paper.objects.count() == 0
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert detail in run.error  # the technical reason is kept for the admin


def test_it_needs_the_csrf_token(network: FakeNetwork) -> None:
    from tests.factories import UserFactory

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    assert client.post("/papers/add/", {"arxiv": "2202.12139"}).status_code == 403
    assert network.requests == []


def test_it_refuses_the_wrong_method() -> None:
    assert make_cast().client("outsider").put("/papers/add/").status_code == 405
