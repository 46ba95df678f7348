from typing import Any, cast

from django import forms

from groups.models import ReadingGroup, User
from groups.voting.services import NOT_AN_ID
from papers.parsing import parse_arxiv_id


class NominateForm(forms.Form):
    """Pasting an arXiv id or link on the group page."""

    paper = forms.CharField(
        label="arXiv id or link",
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "2406.12345 or https://arxiv.org/abs/…"}),
    )
    pitch = forms.CharField(
        label="Why read it? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_paper(self) -> str:
        """Only the shape is checked here; the view fetches the paper (it may wait on arXiv)."""
        value: str = self.cleaned_data["paper"]
        if parse_arxiv_id(value) is None:
            raise forms.ValidationError(NOT_AN_ID)
        return value


class NominatePaperForm(forms.Form):
    """Nominating a known paper to one of the user's groups."""

    group = forms.ModelChoiceField(queryset=ReadingGroup.objects.none(), to_field_name="slug")
    pitch = NominateForm.base_fields["pitch"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group = cast(forms.ModelChoiceField, self.fields["group"])
        group.queryset = ReadingGroup.objects.of_user(user)


def rank_field_name(nomination_id: int) -> str:
    return f"rank-{nomination_id}"


class RankingForm(forms.Form):
    """A member's ranked ballot as numbers, one box per open nomination: 1 for the first choice;
    an empty box leaves the paper unranked. Numbers are places, not scores: 1, 2, 5 reads as
    first, second, third. `shown` lists the nominations the page showed, so a paper nominated
    after the page was read keeps its votes (`ranking_save(among=...)`)."""

    shown = forms.CharField(widget=forms.HiddenInput, required=False)
    order: list[int]  # the numbered papers, first choice first (set by clean)

    def __init__(
        self, data: Any = None, *, nominations: list[int], order: list[int] | None = None
    ) -> None:
        initial: dict[str, object] = {
            rank_field_name(pk): rank for rank, pk in enumerate(order or [], start=1)
        }
        initial["shown"] = ",".join(str(pk) for pk in nominations)
        super().__init__(data, initial=initial)
        self.nominations = nominations
        for pk in nominations:
            self.fields[rank_field_name(pk)] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=max(1, len(nominations)),
                error_messages={"invalid": "Enter a whole number, or leave it empty."},
            )

    def clean_shown(self) -> list[int]:
        value: str = self.cleaned_data.get("shown") or ""
        try:
            return [int(part) for part in value.split(",") if part]
        except ValueError as exc:
            raise forms.ValidationError("Reload the page and try again.") from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        taken: dict[int, int] = {}
        for pk in self.nominations:
            number = cleaned.get(rank_field_name(pk))
            if number is None:
                continue
            if number in taken:
                self.add_error(
                    rank_field_name(pk), f"Another paper has number {number}: give each its own."
                )
            else:
                taken[number] = pk
        self.order = [taken[number] for number in sorted(taken)]
        return cleaned

    def boxes(self) -> tuple[list[int], dict[int, str], dict[int, str]]:
        """What the boxes show: the numbered papers in their order, each box's text (what was
        typed, when bound) and each box's first error."""
        numbers: dict[int, str] = {}
        for pk in self.nominations:
            name = rank_field_name(pk)
            value = self.data.get(name, "") if self.is_bound else self.initial.get(name, "")
            if str(value).strip():
                numbers[pk] = str(value).strip()
        places = {}
        for pk, text in numbers.items():
            try:
                places[pk] = int(text)
            except ValueError:
                places[pk] = len(self.nominations) + 1  # not a number: last, with its error
        ranked = sorted(places, key=lambda pk: places[pk])
        errors = {}
        if self.is_bound:
            for pk in self.nominations:
                field_errors = self.errors.get(rank_field_name(pk))
                if field_errors:
                    errors[pk] = str(field_errors[0])
        return ranked, numbers, errors
