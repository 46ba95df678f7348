"""The card's upvote figure is a count from Hugging Face, not a control: nothing to press."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.papers.conftest import listed_papers

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)
CSS = Path(settings.BASE_DIR) / "static" / "css" / "app.css"


def _votes(html: str) -> str:
    match = re.search(r'<(\w+) class="paper-votes"[^>]*>(.*?)</\1>', html, re.S)
    assert match, "no upvote count on the card"
    return match.group(0)


def test_it_says_what_the_number_counts() -> None:
    listed_papers(1, DAY, upvotes=1234)
    votes = _votes(Client().get("/papers/2026-06-12/").content.decode())
    text = " ".join(re.sub(r'<span aria-hidden="true">.*?</span>|<[^>]+>', " ", votes).split())
    assert text == "1,234 upvotes on Hugging Face"


def test_it_says_one_upvote() -> None:
    listed_papers(1, DAY, upvotes=1)
    votes = _votes(Client().get("/papers/2026-06-12/").content.decode())
    assert "1 upvote on Hugging Face" in " ".join(re.sub(r"<[^>]+>", " ", votes).split())


def test_it_is_not_a_control() -> None:
    listed_papers(1, DAY, upvotes=7)
    votes = _votes(Client().get("/papers/2026-06-12/").content.decode())
    assert not re.match(r"<(button|a|input)\b", votes)
    assert "role=" not in votes and "tabindex" not in votes and "hx-" not in votes


def test_it_is_not_styled_like_a_button() -> None:
    rules = re.findall(r"\.paper-votes[^{,]*\{([^}]*)\}", CSS.read_text())
    assert rules
    for rule in rules:
        assert "border:" not in rule and "pointer" not in rule and "box-shadow" not in rule, rule
