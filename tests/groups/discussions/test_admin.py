import pytest
from django.test import Client

from tests.factories import DiscussionSessionFactory, RsvpFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_lists_and_searches_sessions_for_staff() -> None:
    session = DiscussionSessionFactory(paper__title="Sparse Attention Revisited")
    RsvpFactory(session=session)
    DiscussionSessionFactory(paper__title="Something else")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/groups/discussionsession/", {"q": "Sparse"})
    assert page.status_code == 200
    assert b"Sparse Attention Revisited" in page.content
    assert b"Something else" not in page.content
    assert client.get(f"/admin/groups/discussionsession/{session.pk}/change/").status_code == 200
    assert client.get("/admin/groups/sessionemail/").status_code == 200
    assert client.get("/admin/groups/sessionemail/add/").status_code == 403
