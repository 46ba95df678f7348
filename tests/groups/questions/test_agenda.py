"""The organizers' agenda (select and order the questions, saved), and after the start each
agenda question's own thread: a root note on the session's notes, linked from the agenda."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from groups.models import DiscussionSession, Question, ThreadLock
from groups.notes.layout import thread_places
from groups.questions.services import agenda_save, agenda_threads_open
from groups.questions.tasks import open_agenda_threads
from tests.concurrency import at_once, postgres_threads
from tests.factories import DiscussionSessionFactory
from tests.groups.questions.conftest import ask, board_url, root_notes
from tests.people import Cast, make_cast

pytestmark = pytest.mark.django_db


def three(session: DiscussionSession, cast: Cast) -> list[Question]:
    return [ask(session, cast.member, f"Question {n}?") for n in (1, 2, 3)]


def on_agenda(session: DiscussionSession) -> list[str]:
    return list(Question.objects.filter(session=session).on_agenda().values_list("text", flat=True))


def start(session: DiscussionSession) -> None:
    DiscussionSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )
    session.refresh_from_db()


def test_the_organizer_numbers_the_agenda(cast: Cast, session: DiscussionSession) -> None:
    q1, q2, q3 = three(session, cast)

    response = cast.client("organizer").post(
        board_url(session, "agenda/"),
        {f"pos-{q3.pk}": "1", f"pos-{q1.pk}": "5", f"pos-{q2.pk}": ""},
    )

    assert response.status_code == 302
    assert on_agenda(session) == ["Question 3?", "Question 1?"]
    assert list(
        Question.objects.filter(session=session)
        .on_agenda()
        .values_list("agenda_position", flat=True)
    ) == [1, 2]  # gaps closed
    page = (
        cast.client("member").get(f"/g/{cast.group.slug}/sessions/{session.pk}/").content.decode()
    )
    assert page.index("Question 3?") < page.index("Question 1?")
    assert "Question 2?" not in page


def test_saving_again_replaces_the_agenda(cast: Cast, session: DiscussionSession) -> None:
    q1, q2, q3 = three(session, cast)
    agenda_save(session=session, by=cast.organizer, order=[q1.pk, q2.pk])

    cast.client("owner").post(
        board_url(session, "agenda/"), {f"pos-{q2.pk}": "1", f"pos-{q3.pk}": "2"}
    )

    assert on_agenda(session) == ["Question 2?", "Question 3?"]


def test_use_the_top_takes_the_most_upvoted(cast: Cast, session: DiscussionSession) -> None:
    _, q2, q3 = three(session, cast)
    for role in ("owner", "organizer"):
        cast.client(role).post(f"/g/{cast.group.slug}/questions/{q3.pk}/vote/", {"vote": "up"})
    cast.client("owner").post(f"/g/{cast.group.slug}/questions/{q2.pk}/vote/", {"vote": "up"})

    cast.client("organizer").post(board_url(session, "agenda/"), {"top": "5"})

    assert on_agenda(session) == ["Question 3?", "Question 2?", "Question 1?"]


@pytest.mark.parametrize(
    ("numbers", "error"),
    [(("1", "1"), "same number"), (("1", "x"), "Number the questions"), (("0", ""), "Number")],
)
def test_a_bad_agenda_is_refused_and_the_old_one_kept(
    cast: Cast, session: DiscussionSession, numbers: tuple[str, str], error: str
) -> None:
    q1, q2, q3 = three(session, cast)
    agenda_save(session=session, by=cast.organizer, order=[q3.pk])

    response = cast.client("organizer").post(
        board_url(session, "agenda/"),
        {f"pos-{q1.pk}": numbers[0], f"pos-{q2.pk}": numbers[1]},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert on_agenda(session) == ["Question 3?"]


def test_the_database_holds_one_question_per_place(cast: Cast, session: DiscussionSession) -> None:
    q1, q2, _ = three(session, cast)
    Question.objects.filter(pk=q1.pk).update(agenda_position=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=q2.pk).update(agenda_position=1)


def test_a_hidden_question_leaves_the_agenda(cast: Cast, session: DiscussionSession) -> None:
    q1, q2, _ = three(session, cast)
    agenda_save(session=session, by=cast.organizer, order=[q1.pk, q2.pk])

    cast.client("organizer").post(f"/g/{cast.group.slug}/questions/{q1.pk}/hide/")

    assert on_agenda(session) == ["Question 2?"]
    with pytest.raises(Exception, match="no longer on the board"):
        agenda_save(session=session, by=cast.organizer, order=[q1.pk])


@pytest.mark.parametrize("role", ["member", "outsider", "anonymous"])
def test_only_organizers_set_the_agenda(cast: Cast, session: DiscussionSession, role: str) -> None:
    q1, *_ = three(session, cast)

    response = cast.client(role).post(board_url(session, "agenda/"), {f"pos-{q1.pk}": "1"})

    assert response.status_code == (302 if role == "anonymous" else 403)
    assert on_agenda(session) == []
    with pytest.raises(PermissionDenied):
        agenda_save(session=session, by=cast.member, order=[q1.pk])


def test_the_agenda_closes_at_the_start(cast: Cast, session: DiscussionSession) -> None:
    q1, *_ = three(session, cast)
    start(session)

    response = cast.client("organizer").post(board_url(session, "agenda/"), {f"pos-{q1.pk}": "1"})

    assert response.status_code == 302
    assert on_agenda(session) == []


# --- Threads -------------------------------------------------------------------------------


def test_after_the_start_each_agenda_question_gets_its_thread(
    cast: Cast, session: DiscussionSession
) -> None:
    _, q2, q3 = three(session, cast)
    Question.objects.filter(pk=q2.pk).update(author=None)  # its author's account is gone
    agenda_save(session=session, by=cast.organizer, order=[q3.pk, q2.pk])
    assert open_agenda_threads.delay().get() == 0  # not before the start

    start(session)
    opened = open_agenda_threads.delay().get()
    again = open_agenda_threads.delay().get()

    assert (opened, again) == (2, 0)
    first, second = root_notes(session)
    assert (first.author, second.author) == (cast.member, cast.organizer)
    assert first.body == "**Agenda question 1**\n\nQuestion 3?"
    assert "<strong>Agenda question 2</strong>" in second.body_html
    q3.refresh_from_db()
    assert q3.note == first
    # In the session's notes, laid out by the usual thread code (its version moved with them).
    assert [place.note_id for place in thread_places(session)] == [first.pk, second.pk]
    page = (
        cast.client("member").get(f"/g/{cast.group.slug}/sessions/{session.pk}/").content.decode()
    )
    assert f'href="/g/{cast.group.slug}/notes/{first.pk}/">Discuss this question' in page
    thread = cast.client("member").get(f"/g/{cast.group.slug}/notes/{first.pk}/")
    assert thread.status_code == 200 and "Question 3?" in thread.content.decode()


def test_marking_done_opens_the_threads_at_once(cast: Cast, session: DiscussionSession) -> None:
    q1, *_ = three(session, cast)
    agenda_save(session=session, by=cast.organizer, order=[q1.pk])
    start(session)

    cast.client("organizer").post(f"/g/{cast.group.slug}/sessions/{session.pk}/done/")

    assert [note.body.endswith("Question 1?") for note in root_notes(session)] == [True]


def test_a_cancelled_or_locked_session_opens_no_thread(
    cast: Cast, session: DiscussionSession
) -> None:
    q1, *_ = three(session, cast)
    agenda_save(session=session, by=cast.organizer, order=[q1.pk])
    start(session)
    other = DiscussionSessionFactory(group=cast.group)
    q = ask(other, cast.member)
    agenda_save(session=other, by=cast.organizer, order=[q.pk])
    start(other)
    DiscussionSession.objects.filter(pk=other.pk).update(status="cancelled")
    ThreadLock.objects.create(group=cast.group, session=session, locked_by=cast.organizer)

    assert open_agenda_threads.delay().get() == 0
    assert root_notes(session) == root_notes(other) == []

    ThreadLock.objects.all().delete()
    assert agenda_threads_open(session=session) == 1


@postgres_threads
def test_two_workers_at_once_open_each_thread_once() -> None:
    cast = make_cast()
    session = DiscussionSessionFactory(group=cast.group)
    questions = [ask(session, cast.member, f"Q{n}") for n in range(3)]
    agenda_save(session=session, by=cast.organizer, order=[q.pk for q in questions])
    start(session)

    results, errors = at_once([lambda: agenda_threads_open(session=session)] * 4)

    assert errors == []
    assert sum(results) == 3
    assert len(root_notes(session)) == 3
