from django import forms

from groups.models import User
from groups.timezones import timezone_choices


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=timezone_choices, help_text="Times are shown in this zone."
    )

    class Meta:
        model = User
        fields = ["display_name", "time_zone"]
        help_texts = {"display_name": "How other members see you. Leave empty to use your handle."}
