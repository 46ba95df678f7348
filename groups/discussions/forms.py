"""The session form: a start entered as a wall-clock time in a zone (the group's by default)."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone

from groups.discussions.services import group_members, open_nominations_in_ballot_order
from groups.models import DiscussionSession, Nomination, ReadingGroup
from groups.models.polls import MAX_SLOTS, MIN_SLOTS
from groups.timezones import timezone_choices

MAX_DURATION_MINUTES = 12 * 60


class NominationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Nomination) -> str:
        votes = getattr(obj, "vote_count", 0)
        return f"{obj.paper.title} ({votes} vote{'s' if votes != 1 else ''})"


def nomination_field() -> NominationChoiceField:
    """The paper to schedule: one of the group's open nominations (the form sets the choices)."""
    return NominationChoiceField(
        queryset=Nomination.objects.none(),
        label="Paper",
        empty_label=None,
        error_messages={"invalid_choice": "Pick one of the group's open nominations."},
    )


def _ballot_choices(form: forms.Form, group: ReadingGroup) -> None:
    """The form's paper choices: the open nominations in the ballot's order, the winner (the
    first) preselected unless the page asked for another. The count runs once, here."""
    field = cast(forms.ModelChoiceField, form.fields["nomination"])
    field.queryset = open_nominations_in_ballot_order(group)
    if not form.is_bound and form.initial.get("nomination") is None:
        winner = field.queryset.first()
        form.initial["nomination"] = winner.pk if winner is not None else None


class PresenterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


def wall_to_utc(day: date, at: time, zone_name: str) -> datetime | None:
    """The UTC instant of a wall-clock time in a zone (to the minute); None when that time does
    not exist there: it falls in the gap when the clocks spring forward, and would not survive
    the trip back. An ambiguous time (the clocks fall back) is its first occurrence."""
    zone = zoneinfo.ZoneInfo(zone_name)
    wall = datetime.combine(day, at.replace(second=0, microsecond=0))
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return instant


def no_such_time(wall: datetime, zone_name: str) -> str:
    return (
        f"{wall:%H:%M} does not exist on {wall:%d %b %Y} in {zone_name} "
        "(the clocks change that night). Pick another time."
    )


class SessionDetailsForm(forms.Form):
    """What a session and a time poll both ask: the zone times are entered in, the length,
    place, video link and presenter."""

    time_zone = forms.ChoiceField(
        choices=timezone_choices,
        help_text="The times above are in this zone; by default the group's.",
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

    def __init__(self, *args: Any, group: ReadingGroup, **kwargs: Any) -> None:
        self.group = group
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = self.fields["time_zone"].initial or group.time_zone
        cast(forms.ModelChoiceField, self.fields["presenter"]).queryset = group_members(group)

    def clean_duration_minutes(self) -> int:
        minutes = self.cleaned_data["duration_minutes"]
        if minutes <= 0:
            raise forms.ValidationError(
                "The session must end after it starts: give a duration of at least one minute."
            )
        if minutes > MAX_DURATION_MINUTES:
            raise forms.ValidationError("A session can last at most 12 hours.")
        return minutes

    def details(self) -> dict[str, Any]:
        """The cleaned details as the services take them."""
        data = self.cleaned_data
        return {
            "duration": timedelta(minutes=data["duration_minutes"]),
            "place": data["place"].strip(),
            "video_url": data["video_url"],
            "presenter": data["presenter"],
        }


class SessionForm(SessionDetailsForm):
    nomination = nomination_field()
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Start time", widget=forms.TimeInput(attrs={"type": "time"}))
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(
        self,
        *args: Any,
        group: ReadingGroup,
        session: DiscussionSession | None = None,
        **kwargs: Any,
    ) -> None:
        self.session = session
        if session is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(session)
        super().__init__(*args, group=group, **kwargs)
        if session is None:
            _ballot_choices(self, group)
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

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        day, at, zone_name = cleaned.get("date"), cleaned.get("time"), cleaned.get("time_zone")
        if day is None or at is None or zone_name is None:
            return cleaned
        starts_at = wall_to_utc(day, at, zone_name)
        if starts_at is None:
            self.add_error("time", no_such_time(datetime.combine(day, at), zone_name))
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
            **self.details(),
            "agenda": data["agenda"].strip(),
        }


DATETIME_LOCAL = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class WallClockField(forms.DateTimeField):
    """A date and time as typed, without a zone (the form's zone field says which): Django's
    own field would read it in the viewer's zone, and refuse a time that zone skips."""

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        return forms.fields.BaseTemporalField.to_python(self, value)


def datetime_local_field(label: str, *, required: bool = False) -> WallClockField:
    return WallClockField(
        label=label,
        required=required,
        input_formats=DATETIME_LOCAL,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class PollForm(SessionDetailsForm):
    """A time poll: 2 to 8 proposed starts and a deadline for answers, all entered in one zone
    (the group's by default). Empty slot rows are ignored."""

    nomination = nomination_field()
    deadline = datetime_local_field("Answers close", required=True)

    def __init__(self, *args: Any, group: ReadingGroup, **kwargs: Any) -> None:
        super().__init__(*args, group=group, **kwargs)
        for n in range(1, MAX_SLOTS + 1):
            self.fields[f"slot_{n}"] = datetime_local_field(f"Time {n}")
        _ballot_choices(self, group)

    @property
    def slot_fields(self) -> list[forms.BoundField]:
        return [self[f"slot_{n}"] for n in range(1, MAX_SLOTS + 1)]

    def _instant(self, name: str, zone_name: str) -> datetime | None:
        wall = self.cleaned_data.get(name)
        if wall is None:
            return None
        instant = wall_to_utc(wall.date(), wall.time(), zone_name)
        if instant is None:
            self.add_error(name, no_such_time(wall, zone_name))
        return instant

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        zone_name = cleaned.get("time_zone")
        if zone_name is None:
            return cleaned
        now = timezone.now()
        starts: list[datetime] = []
        for n in range(1, MAX_SLOTS + 1):
            name = f"slot_{n}"
            instant = self._instant(name, zone_name)
            if instant is None:
                continue
            if instant <= now:
                self.add_error(name, "This time is in the past. Pick one ahead.")
            elif instant in starts:
                self.add_error(name, "This time is proposed twice.")
            else:
                starts.append(instant)
        filled = sum(1 for n in range(1, MAX_SLOTS + 1) if self.data.get(f"slot_{n}"))
        if filled < MIN_SLOTS:
            raise forms.ValidationError(f"Propose at least {MIN_SLOTS} times to choose from.")
        deadline = self._instant("deadline", zone_name)
        if deadline is not None and starts:
            if deadline <= now:
                self.add_error("deadline", "The deadline is in the past. Pick one ahead.")
            elif deadline > min(starts):
                self.add_error("deadline", "Answers must close before the first proposed time.")
        cleaned["starts"] = sorted(starts)
        cleaned["deadline_at"] = deadline
        return cleaned

    def poll_values(self) -> dict[str, Any]:
        """The cleaned values as `poll_create` takes them."""
        data = self.cleaned_data
        return {
            "nomination": data["nomination"],
            "starts": data["starts"],
            "deadline": data["deadline_at"],
            **self.details(),
        }
