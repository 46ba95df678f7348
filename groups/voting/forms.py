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
