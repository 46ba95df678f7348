"""The question board: members ask and upvote (one vote per person per question, whatever the
clicks and tabs), the board is sorted by votes, organizers hide questions; members only."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from groups.models import DiscussionSession, ModerationLog, Question, QuestionVote
from groups.models.questions import QUESTION_MAX_LENGTH
from groups.questions.services import question_vote
from tests.concurrency import at_once, postgres_threads
from tests.factories import DiscussionSessionFactory
from tests.groups.questions.conftest import ask, board_url, question_url
from tests.people import Cast, make_cast

pytestmark = pytest.mark.django_db


def votes(question: Question) -> int:
    return QuestionVote.objects.filter(question=question).count()


def test_a_member_asks_and_the_board_shows_it(cast: Cast, session: DiscussionSession) -> None:
    response = cast.client("member").post(board_url(session, "new/"), {"text": "Is **3.2** right?"})

    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == board_url(session) + f"#question-{question.pk}"
    assert (question.author, question.text) == (cast.member, "Is **3.2** right?")
    page = cast.client("outsider").get(board_url(session)).content.decode()
    assert "<strong>3.2</strong>" in page and "asked by" in page


def test_question_text_is_sanitized(cast: Cast, session: DiscussionSession) -> None:
    cast.client("member").post(
        board_url(session, "new/"),
        {"text": "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"},
    )

    html = Question.objects.get().text_html
    page = cast.client("member").get(board_url(session)).content.decode()
    assert "<script" not in html and "<img" not in html and "href" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as the text it is
    assert "<script>alert(1)</script>" not in page


@pytest.mark.parametrize(
    ("text", "error"),
    [("   ", "Write your question first."), ("x" * (QUESTION_MAX_LENGTH + 1), "at most 500")],
)
def test_a_bad_question_is_refused_and_kept_as_typed(
    cast: Cast, session: DiscussionSession, text: str, error: str
) -> None:
    response = cast.client("member").post(board_url(session, "new/"), {"text": text})

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Question.objects.exists()
    if text.strip():
        assert text in response.content.decode()  # the textarea keeps it


def test_a_double_click_asks_once(cast: Cast, session: DiscussionSession) -> None:
    client = cast.client("member")
    client.post(board_url(session, "new/"), {"text": "Why?"})
    client.post(board_url(session, "new/"), {"text": "Why?"})

    assert Question.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(session=session, author=cast.member, text="Why?", text_html="")


def test_upvotes_count_once_however_often_clicked(cast: Cast, session: DiscussionSession) -> None:
    question = ask(session, cast.member)
    client = cast.client("other_member")

    client.post(question_url(question, "vote/"), {"vote": "up"})
    client.post(question_url(question, "vote/"), {"vote": "up"})  # a double click, a second tab
    assert votes(question) == 1
    client.post(question_url(question, "vote/"), {"vote": "down"})
    client.post(question_url(question, "vote/"), {"vote": "down"})
    assert votes(question) == 0
    with transaction.atomic():
        QuestionVote.objects.create(question=question, user=cast.owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionVote.objects.create(question=question, user=cast.owner)


def test_the_board_is_sorted_by_votes(cast: Cast, session: DiscussionSession) -> None:
    first = ask(session, cast.member, "Asked first, one vote")
    second = ask(session, cast.member, "Asked second, two votes")
    for role in ("owner", "organizer"):
        cast.client(role).post(question_url(second, "vote/"), {"vote": "up"})
    cast.client("owner").post(question_url(first, "vote/"), {"vote": "up"})
    third = ask(session, cast.member, "Asked third, no vote")

    page = cast.client("other_member").get(board_url(session)).content.decode()

    positions = [page.index(f'id="question-{q.pk}"') for q in (second, first, third)]
    assert positions == sorted(positions)


def test_one_cannot_upvote_ones_own_question(cast: Cast, session: DiscussionSession) -> None:
    question = ask(session, cast.member)

    response = cast.client("member").post(question_url(question, "vote/"), {"vote": "up"})

    assert response.status_code == 302
    assert votes(question) == 0


def test_htmx_gets_the_board_with_the_new_count(cast: Cast, session: DiscussionSession) -> None:
    question = ask(session, cast.member)

    response = cast.client("other_member").post(
        question_url(question, "vote/"), {"vote": "up"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="board" class="board">')
    assert '<span class="count" data-votes>1</span>' in html
    assert "▲ Upvoted" in html and 'name="vote" value="down"' in html


def test_htmx_ask_with_an_error_keeps_the_text(cast: Cast, session: DiscussionSession) -> None:
    response = cast.client("member").post(
        board_url(session, "new/"), {"text": "y" * 600}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "y" * 600 in response.content.decode()
    assert not Question.objects.exists()


def test_the_board_closes_when_the_session_starts(cast: Cast, session: DiscussionSession) -> None:
    question = ask(session, cast.member)
    DiscussionSession.objects.filter(pk=session.pk).update(starts_at=timezone.now())

    asked = cast.client("member").post(board_url(session, "new/"), {"text": "Late?"})
    voted = cast.client("other_member").post(question_url(question, "vote/"), {"vote": "up"})
    page = cast.client("member").get(board_url(session)).content.decode()

    assert asked.status_code == 400 and "the question board is closed" in asked.content.decode()
    assert voted.status_code == 302
    assert (Question.objects.count(), votes(question)) == (1, 0)
    assert "the board is closed" in page and "▲ Upvote" not in page


def test_organizers_hide_and_show_a_question(cast: Cast, session: DiscussionSession) -> None:
    question = ask(session, cast.member, "Off-topic rant")

    hidden = cast.client("organizer").post(question_url(question, "hide/"), {"reason": "rant"})
    page = {
        role: cast.client(role).get(board_url(session)).content.decode()
        for role in ("organizer", "member", "other_member")
    }
    vote = cast.client("other_member").post(question_url(question, "vote/"), {"vote": "up"})

    assert hidden.status_code == 302
    question.refresh_from_db()
    assert question.hidden_by == cast.organizer
    assert "Off-topic rant" in page["organizer"] and "Hidden by a moderator" in page["organizer"]
    assert "Off-topic rant" in page["member"]  # its author still sees it
    assert "Off-topic rant" not in page["other_member"]
    assert vote.status_code == 302 and votes(question) == 0
    log = ModerationLog.objects.get()
    assert (log.action, log.reason, log.target_type) == ("question_hide", "rant", "question")

    cast.client("organizer").post(question_url(question, "unhide/"))
    assert "Off-topic rant" in cast.client("other_member").get(board_url(session)).content.decode()


def test_members_cannot_hide(cast: Cast, session: DiscussionSession) -> None:
    question = ask(session, cast.owner)

    response = cast.client("member").post(question_url(question, "hide/"))

    assert response.status_code == 403
    question.refresh_from_db()
    assert question.hidden_at is None


@pytest.mark.parametrize(
    ("role", "visibility", "read", "act"),
    [
        ("anonymous", "public", 200, 302),
        ("outsider", "public", 200, 403),
        ("staff", "public", 200, 403),
        ("anonymous", "private", 404, 404),
        ("outsider", "private", 404, 404),
        ("member", "private", 200, 302),
    ],
)
def test_who_may_read_and_act(role: str, visibility: str, read: int, act: int) -> None:
    cast = make_cast(visibility=visibility, other_member=True)
    session = DiscussionSessionFactory(group=cast.group)
    question = ask(session, cast.other_member)
    client = cast.client(role)

    assert client.get(board_url(session)).status_code == read
    asked = client.post(board_url(session, "new/"), {"text": "Mine?"})
    voted = client.post(question_url(question, "vote/"), {"vote": "up"})
    hid = client.post(question_url(question, "hide/"))

    assert (asked.status_code, voted.status_code) == (act, act)
    assert hid.status_code == (403 if role == "member" else act)
    if act == 302 and role == "anonymous":
        assert asked["Location"].startswith("/accounts/login/")
    written = 2 if role == "member" else 1
    assert Question.objects.count() == written
    assert votes(question) == (1 if role == "member" else 0)
    assert Question.objects.filter(hidden_at__isnull=False).count() == 0


def test_another_groups_question_is_404(cast: Cast, session: DiscussionSession) -> None:
    other = make_cast()
    foreign = ask(DiscussionSessionFactory(group=other.group), other.member)

    response = cast.client("organizer").post(f"/g/{cast.group.slug}/questions/{foreign.pk}/hide/")

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.hidden_at is None


def test_the_wrong_method_is_refused(cast: Cast, session: DiscussionSession) -> None:
    question = ask(session, cast.member)
    client = cast.client("organizer")

    assert client.get(board_url(session, "new/")).status_code == 405
    assert client.get(question_url(question, "vote/")).status_code == 405
    assert client.get(question_url(question, "hide/")).status_code == 405
    assert client.get(board_url(session, "agenda/")).status_code == 405
    assert client.post(board_url(session)).status_code == 405


@postgres_threads
def test_two_tabs_at_once_vote_once() -> None:
    cast = make_cast(other_member=True)
    session = DiscussionSessionFactory(group=cast.group)
    question = ask(session, cast.member)

    results, errors = at_once(
        [lambda: question_vote(question=question, user=cast.other_member, up=True)] * 4
    )

    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert votes(question) == 1
