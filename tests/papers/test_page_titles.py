"""Every page's <title> is "<page> · Paper Club"; the home page is the bare name."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match is not None
    return match.group(1).strip()


def test_it_separates_the_page_title_from_the_product_name(client: Client) -> None:
    assert title_of(client.get("/papers/search/")) == "Search papers · Paper Club"


def test_it_titles_the_home_page_with_the_bare_name(client: Client) -> None:
    assert title_of(client.get("/")) == "Paper Club"
