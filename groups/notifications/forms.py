"""Forms of the email settings page: the digest, and one form per group (prefixed by its id)."""

from django import forms

from groups.models import EmailPreferences, GroupEmailSettings
from groups.models.email import DIGEST_MAX_TOP


class DigestForm(forms.ModelForm):
    digest_top = forms.IntegerField(
        label="Papers per digest",
        min_value=1,
        max_value=DIGEST_MAX_TOP,
        help_text=f"The top 1 to {DIGEST_MAX_TOP} of the day, by upvotes.",
    )

    class Meta:
        model = EmailPreferences
        fields = ["digest_enabled", "digest_top", "digest_keywords"]
        labels = {
            "digest_enabled": "Email me the day's trending papers",
            "digest_keywords": "Only papers about",
        }
        help_texts = {
            "digest_keywords": "Optional: words separated by spaces or commas; a paper whose "
            "title or abstract has any of them is in. Empty: every paper.",
        }


class GroupEmailForm(forms.ModelForm):
    delivery = forms.ChoiceField(
        label="Send", choices=GroupEmailSettings.Delivery.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = GroupEmailSettings
        fields = ["nominations", "sessions", "replies", "mentions", "delivery"]
        help_texts = {
            "sessions": "also reminders, and new arXiv versions of papers the group discussed"
        }
