"""What the time poll tests share: a poll made through the service, and the form's data."""

from datetime import datetime, timedelta

from django.utils import timezone

from groups.discussions.polls import poll_create
from groups.models import Nomination, TimePoll, User, Vote
from tests.people import Cast


def ahead(days: int, hour: int = 18) -> datetime:
    """A whole hour `days` from now (UTC)."""
    return (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def make_poll(
    cast: Cast,
    nomination: Nomination,
    *,
    slots: int = 3,
    presenter: User | None = None,
    deadline: datetime | None = None,
) -> TimePoll:
    return poll_create(
        group=cast.group,
        nomination=nomination,
        starts=[ahead(10 + i) for i in range(slots)],
        deadline=deadline or ahead(5),
        duration=timedelta(minutes=90),
        place="Room 4.12",
        presenter=presenter,
        created_by=cast.organizer,
    )


def supported(cast: Cast, nomination: Nomination, *people: User) -> Nomination:
    for person in people:
        Vote.objects.get_or_create(nomination=nomination, user=person)
    return nomination
