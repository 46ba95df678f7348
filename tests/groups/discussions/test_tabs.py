"""A session's page sits in the group's frame: its header and tab bar, with Sessions marked."""

import pytest

from tests.factories import DiscussionSessionFactory
from tests.pages import current_tab, h1_count
from tests.people import Cast

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "organizer", "owner", "staff"])
def test_it_shows_a_session_under_the_sessions_tab(cast: Cast, role: str) -> None:
    session = DiscussionSessionFactory(group=cast.group)
    response = cast.client(role).get(f"/g/{cast.group.slug}/sessions/{session.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert current_tab(html) == "Sessions"
    assert h1_count(html) == 1
    assert session.paper.title in html


@pytest.mark.parametrize("role", ["member", "organizer", "owner"])
def test_it_shows_a_private_session_under_the_sessions_tab(private_cast: Cast, role: str) -> None:
    session = DiscussionSessionFactory(group=private_cast.group)
    html = private_cast.client(role).get(f"/g/{private_cast.group.slug}/sessions/{session.pk}/")
    assert current_tab(html.content.decode()) == "Sessions"
