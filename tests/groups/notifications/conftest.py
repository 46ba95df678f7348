"""Email tests: the discussions' cast of a group (tests/people.py), a day's list, mail helpers."""

import datetime as dt

import pytest
from django.core import mail

from papers.models import DailyListing, Paper
from tests.factories import PaperFactory
from tests.groups.discussions.conftest import cast, make_cast, private_cast  # noqa: F401
from tests.papers.conftest import hf_day  # noqa: F401

DAY = dt.date(2026, 6, 12)  # a Friday
SATURDAY = dt.date(2026, 6, 13)


def list_papers(day: dt.date, upvotes: list[int], **kwargs) -> list[Paper]:
    """Puts papers with these upvote counts on the day's list."""
    papers = [PaperFactory(upvotes=votes, **kwargs) for votes in upvotes]
    DailyListing.objects.bulk_create([DailyListing(paper=paper, day=day) for paper in papers])
    return papers


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def html_of(message: mail.EmailMessage) -> str:
    (html, mimetype) = message.alternatives[0]  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    return html


@pytest.fixture
def failing_mail(settings) -> None:
    settings.MAILERS = {"default": {"BACKEND": "tests.groups.discussions.failing_mail.Backend"}}
