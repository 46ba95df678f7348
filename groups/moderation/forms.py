"""Forms of the moderation pages: flagging a note, a reason for an action, banning someone."""

from typing import Any

from django import forms

from groups.models import NoteFlag


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why should a moderator look at this note?",
        choices=NoteFlag.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason."},
    )
    text = forms.CharField(
        label="Anything to add (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class BanForm(forms.Form):
    username = forms.CharField(
        label="Handle", max_length=150, help_text="Their @handle, as shown on the members page."
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        help_text="Kept in the group's moderation log.",
        error_messages={"required": "Say why you ban them."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lstrip("@")
