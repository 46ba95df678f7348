"""The question board's forms: asking, and the organizers' agenda (a number box per question)."""

from typing import Any

from django import forms

from groups.models import Question
from groups.models.questions import AGENDA_MAX, QUESTION_MAX_LENGTH


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="Your question",
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"What should the group talk about? Up to {QUESTION_MAX_LENGTH} characters; "
        "Markdown: **bold**, `code`, links.",
        error_messages={"required": "Write your question first."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", "question-%s")
        super().__init__(*args, **kwargs)


def agenda_order(data: Any, questions: list[Question]) -> tuple[list[int], str]:
    """The agenda an organizer typed: a number box `pos-<id>` per question on the board (empty:
    not on the agenda), read as the ids in the order of their numbers (gaps allowed, as on a
    ranked ballot). Returns (ids, error); on an error nothing should be saved."""
    numbered: list[tuple[int, int]] = []
    for question in questions:
        raw = str(data.get(f"pos-{question.pk}", "")).strip()
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= 999:
            return [], "Number the questions 1, 2, 3 … (or leave a box empty)."
        numbered.append((int(raw), question.pk))
    numbers = [number for number, _ in numbered]
    if len(numbers) != len(set(numbers)):
        return [], "Two questions have the same number: give each its own place."
    if len(numbered) > AGENDA_MAX:
        return [], f"An agenda has at most {AGENDA_MAX} questions."
    return [pk for _, pk in sorted(numbered)], ""
