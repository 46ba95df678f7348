"""Abuse limits (groups/limits.py, issue 17): every action that sends email or creates content is
limited per person and per IP address. Over a limit it answers 429 (a page, or an in-place message
for htmx) and writes nothing; the next window allows again.

Each case makes its own people and returns `post(i)`, the i-th attempt, and `rows()`, what the
action writes (rows, or emails sent)."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from config.settings import rate_limit as settings_rate_limit
from groups.models import (
    EmailPreferences,
    Invitation,
    JoinRequest,
    Nomination,
    Note,
    NoteFlag,
    Question,
    ReadingGroup,
)
from tests.factories import (
    DiscussionSessionFactory,
    NoteFactory,
    PaperFactory,
    ReadingGroupFactory,
    UserFactory,
)
from tests.people import client_for, make_cast

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    post: Callable[[int], HttpResponse]
    rows: Callable[[], int]


def notes(client: Client | None = None, **headers: str) -> Case:
    cast = make_cast(other_member=True)
    nomination = Nomination.objects.create(
        group=cast.group, paper=PaperFactory(), nominated_by=cast.member
    )
    client = client or client_for(cast.member)
    url = reverse("note_post", args=[cast.group.slug, "nominations", nomination.pk])
    return Case(
        post=lambda i: client.post(url, {"body": f"Note {i}"}, **headers),
        rows=lambda: Note.objects.filter(nomination=nomination).count(),
    )


def replies() -> Case:
    cast = make_cast(other_member=True)
    nomination = Nomination.objects.create(
        group=cast.group, paper=PaperFactory(), nominated_by=cast.member
    )
    parent = NoteFactory(nomination=nomination, author=cast.other_member)
    client = client_for(cast.member)
    url = reverse("note_reply", args=[cast.group.slug, parent.pk])
    return Case(
        post=lambda i: client.post(url, {"body": f"Reply {i}"}),
        rows=lambda: Note.objects.filter(parent=parent).count(),
    )


def flags() -> Case:
    cast = make_cast(other_member=True)
    nomination = Nomination.objects.create(
        group=cast.group, paper=PaperFactory(), nominated_by=cast.member
    )
    targets = [NoteFactory(nomination=nomination, author=cast.other_member) for _ in range(4)]
    client = client_for(cast.member)
    return Case(
        post=lambda i: client.post(
            reverse("note_flag", args=[cast.group.slug, targets[i].pk]), {"reason": "spam"}
        ),
        rows=lambda: NoteFlag.objects.count(),
    )


def nominations() -> Case:
    cast = make_cast()
    papers = PaperFactory.create_batch(4)
    client = client_for(cast.member)
    url = reverse("group_nominate", args=[cast.group.slug])
    return Case(
        post=lambda i: client.post(url, {"paper": papers[i].arxiv_id}),
        rows=lambda: Nomination.objects.count(),
    )


def nominations_of_a_paper() -> Case:
    cast = make_cast()
    other = ReadingGroupFactory()
    others = [ReadingGroupFactory() for _ in range(3)]
    for group in [other, *others]:
        group.memberships.create(user=cast.member)
    paper = PaperFactory()
    client = client_for(cast.member)
    slugs = [cast.group.slug, other.slug, *(g.slug for g in others)]
    url = reverse("group_nominate_paper", args=[paper.arxiv_id])
    return Case(
        post=lambda i: client.post(url, {"group": slugs[i]}),
        rows=lambda: Nomination.objects.filter(paper=paper).count(),
    )


def join_requests() -> Case:
    groups = [ReadingGroupFactory(join_policy=ReadingGroup.JoinPolicy.REQUEST) for _ in range(4)]
    client = client_for(UserFactory())
    return Case(
        post=lambda i: client.post(
            reverse("group_join", args=[groups[i].slug]), {"message": "Hello"}
        ),
        rows=lambda: JoinRequest.objects.count(),
    )


def email_invitations() -> Case:
    cast = make_cast()
    client = client_for(cast.organizer)
    url = reverse("group_invite_email", args=[cast.group.slug])
    return Case(
        post=lambda i: client.post(url, {"email": f"friend{i}@example.org"}),
        rows=lambda: Invitation.objects.count() + len(mail.outbox),
    )


def digest_subscriptions() -> Case:
    user = UserFactory()
    client = client_for(user)
    url = reverse("email_digest_subscribe")

    subscribed: list[bool] = []

    def post(i: int) -> HttpResponse:
        # Each attempt's outcome is recorded, then undone, so that every attempt would write.
        response = client.post(url)
        subscribed.append(EmailPreferences.objects.filter(user=user, digest_enabled=True).exists())
        EmailPreferences.objects.filter(user=user).update(digest_enabled=False)
        return response

    return Case(post=post, rows=lambda: sum(subscribed))


def questions() -> Case:
    cast = make_cast()
    session = DiscussionSessionFactory(group=cast.group)
    client = client_for(cast.member)
    url = reverse("question_ask", args=[cast.group.slug, session.pk])
    return Case(
        post=lambda i: client.post(url, {"text": f"Question {i}?"}),
        rows=lambda: Question.objects.filter(session=session).count(),
    )


CASES = {
    "note": ("note", notes),
    "reply": ("note", replies),
    "flag": ("flag", flags),
    "nomination": ("nomination", nominations),
    "nomination of a paper": ("nomination", nominations_of_a_paper),
    "join request": ("join_request", join_requests),
    "invitation by email": ("invite_email", email_invitations),
    "digest subscription": ("digest_subscribe", digest_subscriptions),
    "question": ("question", questions),
}


@pytest.mark.parametrize("kind", ["per person", "per IP"])
@pytest.mark.parametrize("name", list(CASES))
def test_it_refuses_over_the_limit_and_writes_nothing(rate_limits, name: str, kind: str) -> None:
    action, make = CASES[name]
    rate_limits(action, "2/h", None) if kind == "per person" else rate_limits(action, None, "2/h")
    case = make()
    for i in range(2):
        assert case.post(i).status_code in (200, 302)
    written = case.rows()
    assert written >= 2

    refused = case.post(2)

    assert refused.status_code == 429
    assert refused.templates[0].name == "429.html"
    assert b"Too many attempts" in refused.content
    assert b"Nothing was sent or saved" in refused.content
    assert case.rows() == written


def test_it_counts_each_person_apart(rate_limits) -> None:
    rate_limits("note", "1/h", None)
    case = notes()
    assert case.post(0).status_code == 302
    assert case.post(1).status_code == 429
    # Another member of another group, from the same address, is not refused.
    other = notes()
    assert other.post(0).status_code == 302


def test_it_counts_an_address_across_people(rate_limits) -> None:
    rate_limits("note", None, "2/h")
    assert notes(REMOTE_ADDR="203.0.113.7").post(0).status_code == 302
    assert notes(REMOTE_ADDR="203.0.113.7").post(0).status_code == 302
    assert notes(REMOTE_ADDR="203.0.113.7").post(0).status_code == 429
    assert notes(REMOTE_ADDR="198.51.100.1").post(0).status_code == 302


def test_it_reads_the_address_behind_a_proxy(rate_limits, settings) -> None:
    settings.RATE_LIMIT_PROXY_COUNT = 1
    rate_limits("note", None, "1/h")
    # The client's own X-Forwarded-For part (left) is ignored; the proxy's (right) counts.
    spoofed = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.7"}
    assert notes(**spoofed).post(0).status_code == 302
    other_spoof = {"HTTP_X_FORWARDED_FOR": "5.6.7.8, 203.0.113.7"}
    assert notes(**other_spoof).post(0).status_code == 429
    assert notes(HTTP_X_FORWARDED_FOR="198.51.100.1").post(0).status_code == 302


def test_it_allows_again_in_the_next_window(rate_limits) -> None:
    rate_limits("note", "1/s", None)
    case = notes()
    time.sleep(1 - time.time() % 1 + 0.01)  # just after a second starts: the window is one second
    assert case.post(0).status_code == 302
    assert case.post(1).status_code == 429
    assert case.rows() == 1
    time.sleep(1 - time.time() % 1 + 0.01)
    assert case.post(2).status_code == 302
    assert case.rows() == 2


def test_it_answers_htmx_with_a_message_in_place(rate_limits) -> None:
    rate_limits("note", "1/h", None)
    case = notes(HTTP_HX_REQUEST="true")
    assert case.post(0).status_code == 200
    refused = case.post(1)
    assert refused.status_code == 429
    assert refused["HX-Reswap"] == "none"
    html = refused.content.decode()
    assert html.startswith(
        '<div id="page-alert" class="page-alert" role="alert" hx-swap-oob="true">'
    )
    assert "You have sent many notes and replies in a short time." in html
    assert "<html" not in html
    assert case.rows() == 1


def test_it_never_limits_reading(rate_limits) -> None:
    rate_limits("note", "1/h", "1/h")
    cast = make_cast()
    nomination = Nomination.objects.create(
        group=cast.group, paper=PaperFactory(), nominated_by=cast.member
    )
    url = reverse("note_thread", args=[cast.group.slug, "nominations", nomination.pk])
    client = client_for(cast.member)
    assert [client.get(url).status_code for _ in range(5)] == [200] * 5


def test_the_settings_read_rates_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_NOTE", "5/m, none")
    assert settings_rate_limit("note", "notes", "30/10m,120/10m") == {
        "what": "notes",
        "per_user": "5/m",
        "per_ip": None,
        "fail_closed": False,
    }
