"""load_demo: a demo reading group for the embedded default, never for production."""

import io
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from groups.demo.services import DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG
from groups.models import DiscussionSession, Membership, Nomination, Note, ReadingGroup, User, Vote

pytestmark = pytest.mark.django_db
EMBEDDED = override_settings(DEBUG=True, DATABASE_FROM_ENV=False)
MODELS = (User, EmailAddress, ReadingGroup, Membership, Nomination, Vote, DiscussionSession, Note)


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def sample_papers() -> None:
    call_command("load_sample", stdout=io.StringIO())


@EMBEDDED
def test_it_creates_the_demo_group(sample_papers: None) -> None:
    out = load_demo()
    group = ReadingGroup.objects.get(slug=DEMO_SLUG)
    assert group.memberships.count() == 3
    assert group.memberships.get(user__email=DEMO_EMAIL).role == Membership.Role.OWNER
    assert group.nominations.filter(status=Nomination.Status.OPEN).count() == 3
    assert Vote.objects.filter(nomination__group=group).count() > group.nominations.count()
    session = DiscussionSession.objects.get(group=group)
    assert session.nomination.status == Nomination.Status.SCHEDULED
    assert Note.objects.filter(session=session).count() == 3
    assert Note.objects.filter(session=session, parent__isnull=False).exists()
    assert DEMO_EMAIL in out and DEMO_PASSWORD in out


@EMBEDDED
def test_it_lets_the_demo_user_sign_in(sample_papers: None) -> None:
    load_demo()
    client = Client()
    response = client.post("/accounts/login/", {"login": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(f"/g/{DEMO_SLUG}/").context["user"].email == DEMO_EMAIL


@EMBEDDED
def test_it_creates_nothing_the_second_time(sample_papers: None) -> None:
    load_demo()
    before = counts()
    out = load_demo()
    assert counts() == before
    assert "already" in out


@EMBEDDED
def test_it_asks_for_papers_first() -> None:
    with pytest.raises(CommandError, match="load_sample"):
        load_demo()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "production",
    [{"DEBUG": False, "DATABASE_FROM_ENV": False}, {"DEBUG": True, "DATABASE_FROM_ENV": True}],
    ids=["debug-off", "database-url-set"],
)
def test_it_refuses_outside_the_embedded_default(
    sample_papers: None, production: dict[str, bool]
) -> None:
    before = counts()
    with override_settings(**production), pytest.raises(CommandError, match="embedded default"):
        load_demo()
    assert counts() == before


def test_the_readme_says_how_to_sign_in_to_the_demo() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    assert DEMO_EMAIL in readme and DEMO_PASSWORD in readme
