"""The board's reads do not grow with its questions: pinned at 2 and 200."""

import pytest

from groups.models import Question, QuestionVote
from groups.questions.services import agenda_save
from tests.factories import DiscussionSessionFactory, UserFactory
from tests.groups.questions.conftest import board_url
from tests.people import make_cast

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [2, 200])
def test_it_pins_the_board_the_htmx_vote_and_the_session_page(
    django_assert_num_queries, count: int
) -> None:
    cast = make_cast(other_member=True)
    session = DiscussionSessionFactory(group=cast.group)
    askers = UserFactory.create_batch(2)
    Question.objects.bulk_create(
        Question(session=session, author=askers[n % 2], text=f"Q{n}", text_html=f"<p>Q{n}</p>")
        for n in range(count)
    )
    questions = list(Question.objects.filter(session=session))
    QuestionVote.objects.bulk_create(
        QuestionVote(question=q, user=voter) for q in questions[::2] for voter in askers
    )
    agenda_save(session=session, by=cast.organizer, order=[q.pk for q in questions[:2]])
    member, organizer = cast.client("member"), cast.client("organizer")

    # the session row and user, the membership, the session, the ranked questions
    with django_assert_num_queries(5):
        page = member.get(board_url(session))
    with django_assert_num_queries(5):
        organizer.get(board_url(session))
    # the session row and user, the membership, the question with its session; the service's
    # lock, hidden check and insert (with their savepoints); the board's questions read again
    with django_assert_num_queries(12):
        vote = member.post(
            f"/g/{cast.group.slug}/questions/{questions[1].pk}/vote/",
            {"vote": "up"},
            headers={"HX-Request": "true"},
        )

    assert page.content.decode().count('class="question"') == count
    assert vote.content.decode().count('class="question"') == count
    assert QuestionVote.objects.filter(question=questions[1], user=cast.member).exists()
