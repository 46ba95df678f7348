"""A session picked from a time poll links back to it; the quorum banner shows on the group home
too, for organizers, with its one-click move."""

import pytest

from groups.notifications.tasks import check_session_quorums
from tests.groups.discussions.test_quorum import from_poll, soon, with_quorum
from tests.people import ROLES, Cast

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_the_session_page_links_members_to_the_poll_it_came_from(cast: Cast, role: str) -> None:
    session, slots = from_poll(cast)

    html = cast.client(role).get(f"/g/{cast.group.slug}/sessions/{session.pk}/").content.decode()

    link = f'href="/g/{cast.group.slug}/polls/{slots[0].poll_id}/" id="session-poll"'
    # Polls are for members only (others get 404 there), so only members get the link.
    assert (link in html) is (role in {"member", "organizer", "owner"})


def test_a_session_scheduled_without_a_poll_has_no_poll_link(cast: Cast) -> None:
    session = soon(cast)
    html = cast.client("member").get(f"/g/{cast.group.slug}/sessions/{session.pk}/").content
    assert b'id="session-poll"' not in html


@pytest.mark.parametrize("role", ROLES)
def test_the_group_home_shows_the_quorum_banner_to_organizers(cast: Cast, role: str) -> None:
    session, slots = from_poll(cast)
    home = f"/g/{cast.group.slug}/"
    assert "Under quorum" not in cast.client("organizer").get(home).content.decode()
    check_session_quorums.delay().get()

    html = cast.client(role).get(home).content.decode()

    if role in {"organizer", "owner"}:
        banner = html[html.index("quorum-banner") : html.index("</section>")]
        assert "Under quorum" in banner and "quorum is <strong>4</strong>" in banner
        assert f'href="/g/{cast.group.slug}/sessions/{session.pk}/"' in banner
        assert f'action="/g/{cast.group.slug}/sessions/{session.pk}/move/"' in banner
        assert f'name="slot" value="{slots[2].pk}"' in banner  # the next-best time
    else:
        assert "Under quorum" not in html


def test_the_banner_on_the_home_moves_the_session_in_one_click(cast: Cast) -> None:
    session, slots = from_poll(cast)
    check_session_quorums.delay().get()
    client = cast.client("organizer")
    html = client.get(f"/g/{cast.group.slug}/").content.decode()
    assert f'name="slot" value="{slots[2].pk}"' in html

    response = client.post(
        f"/g/{cast.group.slug}/sessions/{session.pk}/move/", {"slot": slots[2].pk}
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == slots[2].starts_at
    # Moved: the warning was for the old start, so the home shows no banner any more.
    assert "Under quorum" not in client.get(f"/g/{cast.group.slug}/").content.decode()


def test_a_group_without_a_quorum_reads_nothing_more_for_the_home(
    cast: Cast, django_assert_num_queries
) -> None:
    with_quorum(cast, None)
    client = cast.client("organizer")
    # session, user, the membership with its group; the top of the ballot, the open count, the
    # activity, the next session (none), the time polls asking them: nothing for the banner
    with django_assert_num_queries(8):
        client.get(f"/g/{cast.group.slug}/")
