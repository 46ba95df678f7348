from typing import Any

from django import forms

from groups.membership.services import slug_available
from groups.models import Membership, ReadingGroup
from groups.timezones import timezone_choices

# Slugs that would read as site pages rather than groups.
RESERVED_SLUGS = {"new", "mine", "admin", "join", "static", "accounts", "papers", "groups"}


class GroupForm(forms.ModelForm):
    """Creating a group (with its web address) and, without the slug, its settings."""

    time_zone = forms.ChoiceField(
        choices=timezone_choices, initial="UTC", help_text="Sessions are planned in this zone."
    )
    # Settings only, and not a model field of the form: switching goes through
    # `groups.voting.services.ballot_method_set` (empty keeps the method).
    ballot_method = forms.ChoiceField(
        label="Ballot",
        choices=ReadingGroup.BallotMethod.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="Switching keeps everyone's choices: approval votes become unranked "
        "preferences on a ranked ballot, and ranked papers count as votes on an approval one.",
    )

    # Settings only, like the method: switching goes through `ballot_fairness_set`, which
    # raises the ballot's version (pages rank differently from then on).
    fairness = forms.BooleanField(
        label="Fairness across rounds",
        required=False,
        help_text="A member whose choices lost the last rounds in a row counts for more in the "
        "next count: 1.5 after one lost round, 2 after two or more, back to 1 when one of their "
        "papers wins. Organizers see each member's weight on the Members page.",
    )

    class Meta:
        model = ReadingGroup
        fields = [
            "name",
            "slug",
            "description",
            "visibility",
            "join_policy",
            "time_zone",
            "quorum",
        ]
        labels = {"slug": "Web address", "join_policy": "Who can join"}
        help_texts = {
            "slug": "Letters, numbers and hyphens, as in /g/causal-inference/. "
            "Leave empty to make one from the name.",
            "description": "What the group reads and when it meets.",
        }
        widgets = {
            "visibility": forms.RadioSelect,
            "join_policy": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        if self.instance.pk:
            del self.fields["slug"]
            self.fields["ballot_method"].initial = self.instance.ballot_method
            self.fields["fairness"].initial = self.instance.fairness
        else:
            # A new group starts without a quorum; organizers set one in its settings.
            del self.fields["ballot_method"]
            del self.fields["fairness"]
            del self.fields["quorum"]

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or ""
        name = self.cleaned_data.get("name") or ""
        if not slug:
            return slug_available(name)
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError("That web address is reserved; choose another.")
        if ReadingGroup.objects.filter(slug=slug).exists():
            raise forms.ValidationError("That web address is taken; choose another.")
        return slug


class GroupSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search groups")


class InvitationForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Valid for",
        coerce=int,
        initial=14,
        choices=[(1, "1 day"), (7, "7 days"), (14, "14 days"), (30, "30 days"), (90, "90 days")],
    )
    max_uses = forms.IntegerField(
        label="Number of uses",
        required=False,
        min_value=1,
        max_value=1000,
        help_text="Leave empty for any number of people.",
    )


class InviteEmailForm(forms.Form):
    email = forms.EmailField(label="Email address")


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label="A note to the organizers (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
