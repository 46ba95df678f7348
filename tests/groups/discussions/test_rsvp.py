from datetime import timedelta

import pytest
from django.utils import timezone

from groups.discussions.services import next_session_for_group
from groups.models import DiscussionSession, Rsvp
from tests.factories import DiscussionSessionFactory, RsvpFactory, UserFactory
from tests.people import Cast

pytestmark = pytest.mark.django_db


def rsvp_url(session: DiscussionSession) -> str:
    return f"/g/{session.group.slug}/sessions/{session.pk}/rsvp/"


def test_it_records_an_answer_and_redirects_back(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group)

    response = cast.client("member").post(rsvp_url(session), {"answer": "going"}, follow=True)

    assert response.redirect_chain == [(f"/g/{cast.group.slug}/sessions/{session.pk}/", 302)]
    assert Rsvp.objects.get(session=session, user=cast.member).answer == "going"
    assert "Your answer is saved: going." in response.content.decode()
    assert response.context["session"].going_count == 1


def test_it_changes_an_answer_instead_of_adding_one(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group)
    client = cast.client("member")

    client.post(rsvp_url(session), {"answer": "going"})
    client.post(rsvp_url(session), {"answer": "not_going"})

    assert list(Rsvp.objects.values_list("answer", flat=True)) == ["not_going"]


def test_it_answers_htmx_with_the_rsvp_box_only(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group)
    RsvpFactory(session=session, user=cast.owner, answer="going")

    response = cast.client("member").post(
        rsvp_url(session), {"answer": "maybe"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<section class="card rsvp-box" id="rsvp-box-{session.pk}"')
    assert "<html" not in html
    assert '<strong data-count="going">1</strong> going' in html
    assert '<strong data-count="maybe">1</strong> maybe' in html
    assert "Alice Member" in html and "Owen Owner" in html
    assert 'value="maybe" class="choice chosen" aria-pressed="true"' in html


def test_it_refuses_an_unknown_answer(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group)

    response = cast.client("member").post(rsvp_url(session), {"answer": "yes!"}, follow=True)

    assert "Choose going, maybe or not going." in response.content.decode()
    assert not Rsvp.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"starts_at": timezone.now() - timedelta(minutes=5)}, "answers are closed"),
        ({"status": "cancelled"}, "This session is cancelled."),
    ],
)
def test_it_closes_answers_at_the_start_and_on_cancellation(
    cast: Cast, change: dict, message: str
) -> None:
    session = DiscussionSessionFactory(group=cast.group, **change)

    plain = cast.client("member").post(rsvp_url(session), {"answer": "going"}, follow=True)
    htmx = cast.client("member").post(
        rsvp_url(session), {"answer": "going"}, headers={"HX-Request": "true"}
    )

    assert message in plain.content.decode()
    assert htmx.status_code == 200  # htmx swaps 2xx only: the box itself says why
    assert '<p class="errorlist nonfield">' in htmx.content.decode()
    assert message in htmx.content.decode()
    assert not Rsvp.objects.exists()


def test_it_follows_a_safe_next_address_only(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group)
    client = cast.client("member")

    home = client.post(rsvp_url(session), {"answer": "going", "next": f"/g/{cast.group.slug}/"})
    evil = client.post(rsvp_url(session), {"answer": "going", "next": "https://evil.example/"})

    assert home["Location"] == f"/g/{cast.group.slug}/"
    assert evil["Location"] == f"/g/{cast.group.slug}/sessions/{session.pk}/"


def test_it_lists_attendees_with_counts(cast: Cast) -> None:
    session = DiscussionSessionFactory(group=cast.group)
    RsvpFactory(session=session, user=cast.owner, answer="going")
    RsvpFactory(session=session, user=cast.organizer, answer="maybe")
    RsvpFactory(session=session, user=cast.member, answer="not_going")

    html = cast.client("anonymous").get(f"/g/{cast.group.slug}/sessions/{session.pk}/")

    page = html.content.decode()
    assert '<strong data-count="going">1</strong> going' in page
    assert '<strong data-count="maybe">1</strong> maybe' in page
    assert "Owen Owner" in page and "Olga Organizer" in page
    assert "Alice Member" not in page
    assert "Sign in</a> to answer" in page
    assert 'name="answer"' not in page


def test_it_escapes_names_and_agendas(cast: Cast) -> None:
    evil = UserFactory(display_name="<script>alert(1)</script>")
    cast.group.memberships.create(user=evil)
    session = DiscussionSessionFactory(group=cast.group, agenda="<img src=x onerror=alert(2)>")
    RsvpFactory(session=session, user=evil)

    page = cast.client("member").get(f"/g/{cast.group.slug}/sessions/{session.pk}/")

    html = page.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_it_finds_the_next_session_for_the_group_home(cast: Cast) -> None:
    DiscussionSessionFactory(group=cast.group, starts_at=timezone.now() - timedelta(days=7))
    DiscussionSessionFactory(
        group=cast.group, starts_at=timezone.now() + timedelta(days=1), status="cancelled"
    )
    later = DiscussionSessionFactory(group=cast.group, starts_at=timezone.now() + timedelta(days=9))
    soon = DiscussionSessionFactory(group=cast.group, starts_at=timezone.now() + timedelta(days=2))
    RsvpFactory(session=soon, user=cast.member, answer="maybe")

    found = next_session_for_group(cast.group, cast.member)

    assert found == soon != later
    assert found.my_rsvp.answer == "maybe"
    assert (found.going_count, found.maybe_count) == (0, 1)
    assert next_session_for_group(cast.group) is not None
    assert next_session_for_group(cast.group).my_rsvp is None


def test_it_renders_the_rsvp_box_on_its_own_for_another_page(cast: Cast, rf) -> None:
    from django.template.loader import render_to_string

    session = DiscussionSessionFactory(group=cast.group)
    request = rf.get("/g/x/")
    request.user = cast.member
    found = next_session_for_group(cast.group, cast.member)
    html = render_to_string(
        "groups/discussions/detail.html#rsvp-box",
        {
            "session": found,
            "group": cast.group,
            "membership": cast.group.memberships.get(user=cast.member),
            "rsvp_next": f"/g/{cast.group.slug}/",
        },
        request=request,
    )

    assert f'id="rsvp-box-{session.pk}"' in html
    assert f'name="next" value="/g/{cast.group.slug}/"' in html
    assert "Will you come?" in html
