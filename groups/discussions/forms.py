"""The session form: a start entered as a wall-clock time in a zone (the group's by default)."""

import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone

from groups.discussions.services import group_members, open_nominations_by_vote_rank
from groups.models import DiscussionSession, Nomination, ReadingGroup
from groups.timezones import timezone_choices

MAX_DURATION_MINUTES = 12 * 60


class NominationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Nomination) -> str:
        votes = getattr(obj, "vote_count", 0)
        return f"{obj.paper.title} ({votes} vote{'s' if votes != 1 else ''})"


class PresenterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class SessionForm(forms.Form):
    nomination = NominationChoiceField(
        queryset=Nomination.objects.none(),
        label="Paper",
        empty_label=None,
        error_messages={"invalid_choice": "Pick one of the group's open nominations."},
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Start time", widget=forms.TimeInput(attrs={"type": "time"}))
    time_zone = forms.ChoiceField(
        choices=timezone_choices,
        help_text="The date and time above are in this zone; by default the group's.",
        error_messages={"invalid_choice": "“%(value)s” is not a known time zone."},
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        initial=60,
        widget=forms.NumberInput(attrs={"step": 15}),
    )
    place = forms.CharField(
        max_length=300, required=False, help_text="A room, an address; leave empty if online."
    )
    video_url = forms.URLField(
        max_length=500,
        required=False,
        label="Video link",
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    presenter = PresenterChoiceField(
        queryset=None,
        required=False,
        empty_label="Nobody yet",
        error_messages={"invalid_choice": "The presenter must be a member of this group."},
    )
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(
        self,
        *args: Any,
        group: ReadingGroup,
        session: DiscussionSession | None = None,
        **kwargs: Any,
    ) -> None:
        self.group = group
        self.session = session
        if session is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(session)
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = self.fields["time_zone"].initial or group.time_zone
        cast(forms.ModelChoiceField, self.fields["presenter"]).queryset = group_members(group)
        if session is None:
            nomination = cast(forms.ModelChoiceField, self.fields["nomination"])
            nomination.queryset = open_nominations_by_vote_rank(group)
        else:
            del self.fields["nomination"]

    @staticmethod
    def initial_for(session: DiscussionSession) -> dict[str, Any]:
        local = timezone.localtime(session.starts_at, zoneinfo.ZoneInfo(session.group.time_zone))
        return {
            "date": local.date(),
            "time": local.time().replace(tzinfo=None),
            "time_zone": session.group.time_zone,
            "duration_minutes": session.duration_minutes,
            "place": session.place,
            "video_url": session.video_url,
            "presenter": session.presenter_id,
            "agenda": session.agenda,
        }

    def clean_duration_minutes(self) -> int:
        minutes = self.cleaned_data["duration_minutes"]
        if minutes <= 0:
            raise forms.ValidationError(
                "The session must end after it starts: give a duration of at least one minute."
            )
        if minutes > MAX_DURATION_MINUTES:
            raise forms.ValidationError("A session can last at most 12 hours.")
        return minutes

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        day, at, zone_name = cleaned.get("date"), cleaned.get("time"), cleaned.get("time_zone")
        if day is None or at is None or zone_name is None:
            return cleaned
        zone = zoneinfo.ZoneInfo(zone_name)
        wall = datetime.combine(day, at.replace(second=0, microsecond=0))
        starts_at = wall.replace(tzinfo=zone).astimezone(UTC)
        # A wall time inside a spring-forward gap does not exist: it would not survive the trip.
        if starts_at.astimezone(zone).replace(tzinfo=None) != wall:
            self.add_error(
                "time",
                f"{wall:%H:%M} does not exist on {day:%d %b %Y} in {zone_name} "
                "(the clocks change that night). Pick another time.",
            )
            return cleaned
        if self.session is not None:
            current = self.session.starts_at
            if current.replace(second=0, microsecond=0) == starts_at:
                # Editing other details of a session that has started keeps its start as it is.
                cleaned["starts_at"] = current
                return cleaned
        if starts_at <= timezone.now():
            self.add_error("date", "The start is in the past. Pick a date and time ahead.")
            return cleaned
        cleaned["starts_at"] = starts_at
        return cleaned

    def session_values(self) -> dict[str, Any]:
        """The cleaned values as the services take them."""
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "duration": timedelta(minutes=data["duration_minutes"]),
            "place": data["place"].strip(),
            "video_url": data["video_url"],
            "presenter": data["presenter"],
            "agenda": data["agenda"].strip(),
        }
