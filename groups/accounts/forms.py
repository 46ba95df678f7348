from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from groups.models import User
from groups.timezones import is_valid_timezone, timezone_choices


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=timezone_choices, help_text="Times are shown in this zone."
    )

    class Meta:
        model = User
        fields = ["display_name", "time_zone"]
        help_texts = {"display_name": "How other members see you. Leave empty to use your handle."}


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form and the browser's time zone, which a script fills in; without
    JavaScript it stays UTC. The profile page changes it (groups.accounts.adapter saves it)."""

    time_zone = forms.CharField(widget=forms.HiddenInput, required=False, initial="UTC")

    class Media:
        js = [forms.Script("js/time_zone.js", defer=True)]

    def clean_time_zone(self) -> str:
        # A zone this server does not know (an old browser, a hand-made post) must not stop
        # anyone signing up: they get UTC and can pick their zone on the profile page.
        name = self.cleaned_data.get("time_zone", "")
        return name if is_valid_timezone(name) else "UTC"
