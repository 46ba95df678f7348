"""The history page (/g/<slug>/history/): who sees it, what a row shows, search and filters,
htmx, paging, and its query count at two sizes."""

import pytest
from django.test import Client

from groups.history.queries import PER_PAGE
from tests.groups.history.conftest import History, fill, make_history
from tests.people import Cast, client_for, make_cast

pytestmark = pytest.mark.django_db


def url(cast: Cast, query: str = "") -> str:
    return f"/g/{cast.group.slug}/history/{query}"


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 200), ("outsider", 200), ("member", 200), ("organizer", 200), ("staff", 200)],
)
def test_it_shows_a_public_groups_history_to_everyone(
    history: History, role: str, status: int
) -> None:
    response = history.cast.client(role).get(url(history.cast))

    assert response.status_code == status
    assert "Attention Is All You Need" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 404), ("outsider", 404), ("staff", 404), ("member", 200), ("organizer", 200)],
)
def test_it_shows_a_private_groups_history_to_members_only(
    private_history: History, role: str, status: int
) -> None:
    response = private_history.cast.client(role).get(url(private_history.cast))

    assert response.status_code == status
    assert ("Attention Is All You Need" in response.content.decode()) == (status == 200)


def test_it_refuses_the_wrong_method(history: History) -> None:
    response = history.cast.client("organizer").post(url(history.cast))

    assert response.status_code == 405


def test_a_row_shows_the_session(history: History) -> None:
    cast = history.cast
    cast.member.time_zone = "Asia/Tokyo"
    cast.member.save(update_fields=["time_zone"])

    page = cast.client("member").get(url(cast)).content.decode()

    # 23:30 UTC on 4 March is 08:30 on 5 March in Tokyo: the viewer's zone.
    assert "5 Mar 2025" in page and "08:30 JST" in page
    assert "Presented by Olga Organizer" in page
    assert "<strong>2</strong> going" in page  # the maybe is not counted
    # The member-readable notes: not the hidden one, nor the deleted one.
    assert "<strong>2</strong> notes" in page
    assert f"/g/{cast.group.slug}/sessions/{history.session.pk}/notes/" in page
    assert f"/g/{cast.group.slug}/sessions/{history.session.pk}/" in page
    # Newest first; the session ahead is not history yet.
    assert page.index("Attention Is All You Need") < page.index("Deep Residual Learning")
    assert history.upcoming.paper.title not in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("?q=attention", ["Attention"]),
        ("?q=ATTENTION+need", ["Attention"]),
        ("?q=vaswani", ["Attention"]),
        ("?q=Müller", ["Attention"]),
        ("?q=residual+vaswani", []),
        ("?q=vision", ["Residual"]),
        ("?q=100%25", []),
        ("?year=2024", ["Residual"]),
        ("?year=2025", ["Attention"]),
        ("?author=Kaiming+He", ["Residual"]),
        ("?author=müller", ["Attention"]),
        ("?keyword=machine+translation", ["Attention"]),
        ("?keyword=translation&year=2024", []),
        ("?year=notayear", ["Attention", "Residual"]),
    ],
)
def test_it_searches_and_filters(history: History, query: str, found: list[str]) -> None:
    page = history.cast.client("member").get(url(history.cast, query)).content.decode()

    shown = [word for word in ["Attention", "Residual"] if f">{word}" in page.replace("Deep ", "")]
    assert shown == found
    if not found:
        assert "No session matches." in page


def test_the_year_is_the_viewers(history: History) -> None:
    """A session at 23:30 UTC on 31 December is in the next year for a viewer in Tokyo."""
    cast = history.cast
    history.older.starts_at = history.older.starts_at.replace(month=12, day=31, hour=23, minute=30)
    history.older.save()
    cast.member.time_zone = "Asia/Tokyo"
    cast.member.save(update_fields=["time_zone"])

    tokyo = cast.client("member").get(url(cast, "?year=2025")).content.decode()
    utc = cast.client("organizer").get(url(cast, "?year=2025")).content.decode()

    assert "Deep Residual Learning" in tokyo
    assert "Deep Residual Learning" not in utc


def test_htmx_gets_the_results_alone(history: History) -> None:
    client = history.cast.client("member")

    response = client.get(url(history.cast, "?q=residual"), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="history-results"')
    assert "Deep Residual Learning" in body and "Attention Is All You Need" not in body
    assert "<html" not in body
    assert response["Vary"].count("HX-Request") == 1
    # A history restore (the back button after a pushed URL) gets the whole page.
    restore = client.get(
        url(history.cast, "?q=residual"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()


def test_it_pages_newest_first_keeping_the_filter(cast: Cast) -> None:
    fill(cast, PER_PAGE + 5, notes_each=0)
    client = client_for(cast.member)

    first = client.get(url(cast, "?q=paper")).content.decode()
    second = client.get(url(cast, "?q=paper&page=2")).content.decode()

    assert f"Paper number {PER_PAGE + 4}<" in first and "Paper number 0<" not in first
    assert "q=paper&amp;page=2" in first
    assert "Paper number 0<" in second and f"Paper number {PER_PAGE + 4}<" not in second
    assert "Page 2 of 2" in second


def test_an_empty_history_says_so(cast: Cast) -> None:
    page = cast.client("member").get(url(cast)).content.decode()

    assert "Nothing read yet." in page


def test_exports_are_offered_by_role(history: History) -> None:
    cast = history.cast
    organizer = cast.client("organizer").get(url(cast)).content.decode()
    member = cast.client("member").get(url(cast)).content.decode()
    outsider = cast.client("outsider").get(url(cast)).content.decode()

    assert "export.json" in organizer and "my-notes.json" in organizer
    assert "export.json" not in member and "my-notes.json" in member
    assert "my-notes.json" not in outsider


@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize(("role", "queries"), [("member", 6), ("anonymous", 4)])
def test_it_pins_the_query_count(
    django_assert_num_queries, count: int, role: str, queries: int
) -> None:
    """Member: the session and its user, the membership with its group, the count, the years,
    the page. Anonymous: the group, the count, the years, the page."""
    cast = make_history_cast(count)
    client: Client = cast.client(role)
    client.get(url(cast))  # the session row and whatever else a first request loads

    with django_assert_num_queries(queries):
        response = client.get(url(cast, "?q=paper&author=common"))

    assert response.status_code == 200
    assert f"Paper number {count - 1}<" in response.content.decode()


def make_history_cast(count: int) -> Cast:
    cast = make_cast()
    make_history(cast)
    fill(cast, count)
    return cast
